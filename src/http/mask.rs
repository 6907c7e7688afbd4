//! PII masking for everything a run shows of a request or an answer: phone numbers and chat ids
//! keep only their ends (`55•••••••0000`), codes, PINs, captcha answers and tokens are hidden
//! whole. Applied after the checks ran, on the copies that reports print. `--show-secrets` turns
//! it off for local debugging.

use serde_json::Value;

use super::PreparedRequest;

/// A run of at least this many digits is taken for a phone number.
const PHONE_DIGITS: usize = 8;
/// What a hidden value is shown as.
pub const HIDDEN: &str = "•••";

/// Whether a field, query parameter or header of this name holds a code or a credential.
pub fn is_sensitive_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace(['-', '_'], "");
    matches!(name.as_str(), "code" | "pin" | "otp" | "captcha" | "authorization" | "cookie" | "setcookie")
        || name.ends_with("token")
        || name.ends_with("code") && name != "statuscode"
        || name.contains("secret")
        || name.contains("password")
        || name.contains("apikey")
}

/// One phone number's digits masked: `5511999990000` → `55•••••••0000`. The first two digits and
/// the last four stay; under ten digits the last two; under six digits only the last two.
pub fn mask_phone(digits: &str) -> String {
    let n = digits.chars().count();
    let keep_end = if n >= 10 { 4 } else { 2.min(n) };
    let keep_start = if n >= 6 { 2 } else { 0 };
    digits.chars().enumerate().map(|(i, c)| if i < keep_start || i >= n - keep_end { c } else { '•' }).collect()
}

/// Every run of digits long enough to be a phone number masked with [`mask_phone`]; shorter runs stay.
pub fn mask_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= PHONE_DIGITS {
            out.push_str(&mask_phone(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A JSON value with sensitive fields hidden and phone numbers masked everywhere.
pub fn mask_json(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(k, v)| {
                    let masked = if is_sensitive_name(k) && !v.is_object() && !v.is_array() && !v.is_null() {
                        Value::String(HIDDEN.to_owned())
                    } else {
                        mask_json(v)
                    };
                    (k.clone(), masked)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(mask_json).collect()),
        Value::String(s) => Value::String(mask_digits(s)),
        Value::Number(n) if n.to_string().len() >= PHONE_DIGITS => Value::String(mask_digits(&n.to_string())),
        other => other.clone(),
    }
}

/// A body as text: JSON bodies field by field, anything else by its digit runs.
pub fn mask_body(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => mask_json(&value).to_string(),
        Err(_) => mask_digits(text),
    }
}

/// A URL with sensitive query parameters hidden and phone numbers masked.
pub fn mask_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = mask_digits(base);
    let Some(query) = query else { return base };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_sensitive_name(name) => format!("{name}={HIDDEN}"),
            Some((name, value)) => format!("{name}={}", mask_digits(value)),
            None => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

/// A header value as shown: credentials hidden (keeping an auth scheme word), digits masked.
pub fn mask_header(name: &str, value: &str) -> String {
    if is_sensitive_name(name) || name.eq_ignore_ascii_case("x-api-key") {
        match value.split_once(' ') {
            Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => format!("{scheme} {HIDDEN}"),
            _ => HIDDEN.to_owned(),
        }
    } else {
        mask_digits(value)
    }
}

/// A message (a check's words): phone numbers masked, and the quoted value after a sensitive
/// JSON pointer (`/data/code: "439713" is not …`) hidden.
pub fn mask_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(": \"") {
        let (head, tail) = rest.split_at(at + 2);
        out.push_str(head);
        let segment = head[..at].rsplit(['/', ' ']).next().unwrap_or_default();
        let closing = tail[1..].find('"').map(|i| i + 2);
        match closing {
            Some(end) if is_sensitive_name(segment) => {
                out.push_str(&format!("\"{HIDDEN}\""));
                rest = &tail[end..];
            }
            _ => {
                out.push('"');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    mask_digits(&out)
}

/// A request as reports show it.
pub fn mask_request(request: &PreparedRequest) -> PreparedRequest {
    PreparedRequest {
        method: request.method.clone(),
        url: mask_url(&request.url),
        headers: request.headers.iter().map(|(n, v)| (n.clone(), mask_header(n, v))).collect(),
        body: request.body_text().map(|b| mask_body(&b).into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_phone_keeps_its_ends() {
        assert_eq!(mask_phone("5511999990000"), "55•••••••0000");
        assert_eq!(mask_phone("20123456"), "20••••56");
        assert_eq!(mask_phone("1234"), "••34");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn phones_keep_their_ends_and_short_numbers_stay() {
        assert_eq!(mask_digits("5511999990000"), "55•••••••0000");
        assert_eq!(mask_digits("20123456789@c.us"), "20•••••6789@c.us");
        assert_eq!(mask_digits("12345678"), "12••••78");
        assert_eq!(mask_digits("at 2026-11-24T16:59:07 status 422"), "at 2026-11-24T16:59:07 status 422");
    }

    #[test]
    fn codes_and_tokens_are_hidden() {
        let body = json!({"success": true, "data": {"code": "439713", "chat_id": "20123456789@c.us",
            "uuid": "a0b5df6a-b491-4190-80a5-38d85a2a4836", "expires": 1800}, "appealToken": "Ae0B_6Ff", "pin": 246810,
            "statusCode": 422, "errors": {"code": ["The code field is required."]}});
        let masked = mask_json(&body);
        assert_eq!(masked["data"]["code"], HIDDEN);
        assert_eq!(masked["data"]["chat_id"], "20•••••6789@c.us");
        assert_eq!(masked["data"]["uuid"], body["data"]["uuid"], "uuids are not phone numbers");
        assert_eq!(masked["data"]["expires"], 1800);
        assert_eq!(masked["appealToken"], HIDDEN);
        assert_eq!(masked["pin"], HIDDEN);
        assert_eq!(masked["statusCode"], 422);
        assert_eq!(masked["errors"]["code"][0], "The code field is required.", "a list of messages is not a code");
    }

    #[test]
    fn messages_hide_values_after_sensitive_pointers() {
        assert_eq!(
            mask_message(r#"/data/code: "439713" is not of type "integer"; /data/chat_id: "20123456789@c.us" is bad"#),
            r#"/data/code: "•••" is not of type "integer"; /data/chat_id: "20•••••6789@c.us" is bad"#
        );
        assert_eq!(mask_message("no quotes: here"), "no quotes: here");
    }

    #[test]
    fn urls_headers_and_requests() {
        assert_eq!(
            mask_url("http://h/v2/auth/request-code?instance_id=ABC&access_token=t0k&phone_number=201145202826"),
            "http://h/v2/auth/request-code?instance_id=ABC&access_token=•••&phone_number=20••••••2826"
        );
        assert_eq!(mask_header("Authorization", "Bearer 41|abc"), "Bearer •••");
        assert_eq!(mask_header("Client-Token", "F123"), HIDDEN);
        assert_eq!(mask_header("Content-Type", "application/json"), "application/json");
        let request =
            PreparedRequest::new("POST", "http://h/x").body(r#"{"ddi":"55","phone":"4499999999","code":"123456"}"#);
        assert_eq!(mask_request(&request).body_text().unwrap(), r#"{"ddi":"55","phone":"44••••9999","code":"•••"}"#);
        assert_eq!(mask_body("not json 5511999990000"), "not json 55•••••••0000");
    }
}
