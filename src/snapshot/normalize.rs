//! An answer as a snapshot shows it: the status, the headers that matter (`Content-Type`,
//! `Allow`, `Retry-After`), and the body with its keys sorted, as YAML. What changes from run to
//! run is redacted in a way that keeps the shape:
//! - masked values (the spec's `x-conform-mask` marks, credentials, `--var` values, digit runs),
//!   which the body already carries as `•••`, become `[code]`, `[token]` or `[secret]` by their
//!   key, and masked phone digits `[phone]`;
//! - known values (a fixture's instance id, a scenario's variables) become `[NAME]`;
//! - UUIDs become `[uuid]`;
//! - the target's times become `[timestamp]`: the first one in the body (keys in sorted order)
//!   plainly, every other one relative to it (`[timestamp+600s]`), so that a rule on durations
//!   (an expiry 600 s after creation) stays visible.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use crate::show::{HIDDEN, mask_digits};

/// The headers a snapshot keeps (lower case).
const KEPT_HEADERS: &[&str] = &["content-type", "allow", "retry-after"];
/// Known values shorter than this are left alone: `55` would match too much.
const MIN_KNOWN_LEN: usize = 6;

/// A value that is the same thing in every run but not the same text (a fixture's instance id):
/// shown as `[name]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownValue {
    pub name: String,
    pub value: String,
}

fn uuid() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // Digit runs in a UUID may already be masked (`•`), one for one.
        Regex::new(r"[0-9a-fA-F•]{8}-[0-9a-fA-F•]{4}-[0-9a-fA-F•]{4}-[0-9a-fA-F•]{4}-[0-9a-fA-F•]{12}").expect("valid")
    })
}

fn masked_digits() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[0-9]*•+[0-9]*").expect("valid"))
}

fn timestamp() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|z|[+-][0-9]{2}:?[0-9]{2})?$",
        )
        .expect("valid")
    })
}

/// Milliseconds since the epoch of an RFC 3339 time (a time without offset is read as UTC).
fn millis(text: &str) -> Option<i64> {
    let text = text.replacen(' ', "T", 1);
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(&text) {
        return Some(time.timestamp_millis());
    }
    let with_colon = |t: &str| {
        // +0000 → +00:00
        let (head, tail) = t.split_at(t.len().saturating_sub(5));
        (tail.starts_with(['+', '-']) && tail[1..].bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("{head}{}:{}", &tail[..3], &tail[3..]))
    };
    if let Some(time) = with_colon(&text).and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()) {
        return Some(time.timestamp_millis());
    }
    chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc().timestamp_millis())
}

/// What a wholly masked value is called, by its key.
fn secret_label(key: &str) -> &'static str {
    let key = key.to_ascii_lowercase();
    if key.contains("token") {
        "[token]"
    } else if ["code", "pin", "captcha", "otp", "password"].iter().any(|k| key.contains(k)) {
        "[code]"
    } else {
        "[secret]"
    }
}

struct Normalizer<'a> {
    known: &'a [KnownValue],
    /// The first time in the body, in milliseconds.
    first_time: Option<i64>,
}

impl Normalizer<'_> {
    fn text(&mut self, key: &str, text: &str) -> String {
        if text == HIDDEN || text == format!("{HIDDEN} (number)") {
            return secret_label(key).to_owned();
        }
        if timestamp().is_match(text)
            && let Some(ms) = millis(text)
        {
            return match self.first_time {
                None => {
                    self.first_time = Some(ms);
                    "[timestamp]".to_owned()
                }
                Some(first) => {
                    let seconds = ((ms - first) as f64 / 1000.0).round() as i64;
                    if seconds == 0 { "[timestamp]".to_owned() } else { format!("[timestamp{seconds:+}s]") }
                }
            };
        }
        let mut out = text.to_owned();
        for known in self.known.iter().filter(|k| k.value.chars().count() >= MIN_KNOWN_LEN) {
            // The value as it is, and as free-text masking shows it (its digit runs masked).
            let name = format!("[{}]", known.name);
            out = out.replace(&mask_digits(&known.value), &name).replace(&known.value, &name);
        }
        let out = uuid().replace_all(&out, "[uuid]");
        masked_digits().replace_all(&out, "[phone]").into_owned()
    }

    fn value(&mut self, key: &str, value: &Value) -> Value {
        match value {
            Value::Object(object) => {
                let mut keys: Vec<&String> = object.keys().collect();
                keys.sort();
                let mut sorted = Map::new();
                for k in keys {
                    sorted.insert(k.clone(), self.value(k, &object[k]));
                }
                Value::Object(sorted)
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(key, v)).collect()),
            Value::String(text) => Value::String(self.text(key, text)),
            other => other.clone(),
        }
    }
}

/// The snapshot text of an answer. `body` is the body as reports show it (already masked and
/// redacted); `headers` are the answer's; `known` are values to show by name.
pub fn normalize(status: u16, headers: &[(String, String)], body: &str, known: &[KnownValue]) -> String {
    let mut normalizer = Normalizer { known, first_time: None };
    let mut out = Map::new();
    out.insert("status".to_owned(), Value::from(status));
    let mut kept = Map::new();
    for name in KEPT_HEADERS {
        let values: Vec<&str> =
            headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect();
        if values.is_empty() {
            continue;
        }
        let value = values.join(", ");
        // Retry-After as an HTTP date is a time like any other.
        let value =
            if *name == "retry-after" && value.parse::<u64>().is_err() { "[timestamp]".to_owned() } else { value };
        kept.insert((*name).to_owned(), Value::String(value));
    }
    if !kept.is_empty() {
        out.insert("headers".to_owned(), Value::Object(kept));
    }
    if !body.is_empty() {
        let body = match serde_json::from_str::<Value>(body) {
            Ok(json) => normalizer.value("", &json),
            Err(_) => Value::String(normalizer.text("", body)),
        };
        out.insert("body".to_owned(), body);
    }
    serde_yaml::to_string(&Value::Object(out)).unwrap_or_else(|e| format!("# cannot write the snapshot: {e}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> Vec<(String, String)> {
        vec![
            ("content-type".into(), "application/json".into()),
            ("date".into(), "Tue, 01 Dec 2026 10:00:00 GMT".into()),
            ("Allow".into(), "POST".into()),
        ]
    }

    #[test]
    fn keeps_the_shape_and_redacts_what_changes() {
        let body = r#"{"success":true,"data":{"uuid":"a0b5df6a-b491-4190-80a5-38d8••••4836","code":"•••",
            "created_at":"2026-12-01T10:00:00+00:00","expires_at":"2026-12-01T10:10:00+00:00",
            "chat_id":"20•••••6789@c.us","access_token":"•••","qr":"•••","name":"wawp-123456789ABC",
            "other":"OTHER"},
            "message":"OTP code generated"}"#
            .replace("OTHER", &mask_digits("wawp-65C12345678X"));
        let known = [
            KnownValue { name: "instance_id".into(), value: "123456789ABC".into() },
            KnownValue { name: "other".into(), value: "65C12345678X".into() },
        ];
        let text = normalize(200, &headers(), &body, &known);
        assert_eq!(
            text,
            "status: 200\nheaders:\n  content-type: application/json\n  allow: POST\nbody:\n  data:\n    access_token: '[token]'\n    chat_id: '[phone]@c.us'\n    code: '[code]'\n    created_at: '[timestamp]'\n    expires_at: '[timestamp+600s]'\n    name: wawp-[instance_id]\n    other: wawp-[other]\n    qr: '[secret]'\n    uuid: '[uuid]'\n  message: OTP code generated\n  success: true\n"
        );
    }

    #[test]
    fn text_bodies_and_empty_bodies() {
        assert_eq!(normalize(405, &[], "", &[]), "status: 405\n");
        let text = normalize(429, &[("retry-after".into(), "Wed, 21 Oct 2015 07:28:00 GMT".into())], "slow down", &[]);
        assert_eq!(text, "status: 429\nheaders:\n  retry-after: '[timestamp]'\nbody: slow down\n");
    }
}
