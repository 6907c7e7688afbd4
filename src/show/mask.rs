//! PII masking for everything a run shows of a request or an answer, driven by the spec: a schema
//! (or a parameter's schema) marked `x-conform-mask: secret` is hidden whole, one marked
//! `x-conform-mask: phone` keeps only the ends of its digits (`55•••••••0000`). A spec that marks
//! any phone also masks runs of 8+ digits in free text (messages, non-JSON bodies, URL paths),
//! where phone numbers travel too. Credentials (`Authorization`, cookies, the spec's security
//! scheme headers and query parameters) are hidden everywhere. A spec without marks shows its
//! values as they are. Applied after the checks ran, on the copies that reports print.
//!
//! A masked value never pretends to be of another type: a masked string stays a string
//! (`"•••"`), and a masked number becomes a string that says it was one (`"••• (number)"`).
//! JSON stays valid.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::http::PreparedRequest;
use crate::http::credential::CREDENTIAL_HEADERS;

/// A run of at least this many digits is taken for a phone number in free text.
const PHONE_DIGITS: usize = 8;
/// What a hidden value is shown as.
pub const HIDDEN: &str = "•••";

/// How a spec asks a value to be shown (`x-conform-mask`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Hidden whole: codes, PINs, captcha answers, tokens.
    Secret,
    /// Digits masked, ends kept: phone numbers, chat ids.
    Phone,
}

impl Mark {
    /// Reads `x-conform-mask` (`secret` or `phone`) of one schema object.
    pub fn of(schema: &Value) -> Option<Mark> {
        match schema.get("x-conform-mask")?.as_str()? {
            "secret" => Some(Mark::Secret),
            "phone" => Some(Mark::Phone),
            _ => None,
        }
    }
}

/// What to mask outside bodies, for one operation (bodies follow their schemas).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaskPolicy {
    /// Mask runs of 8+ digits in free text and unmarked values.
    pub digits: bool,
    /// Query and path parameters by name.
    pub params: BTreeMap<String, Mark>,
    /// Headers by lower-case name.
    pub headers: BTreeMap<String, Mark>,
    /// Body locations (JSON pointers) masked as phones whatever their schema says: recipients.
    pub phone_pointers: Vec<String>,
}

/// One phone number's digits masked: `5511999990000` → `55•••••••0000`. The first two digits and
/// the last four stay; under ten digits the last two; under six digits only the last two.
pub fn mask_phone(digits: &str) -> String {
    let n = digits.chars().count();
    let keep_end = if n >= 10 { 4 } else { 2.min(n) };
    let keep_start = if n >= 6 { 2 } else { 0 };
    digits.chars().enumerate().map(|(i, c)| if i < keep_start || i >= n - keep_end { c } else { '•' }).collect()
}

/// Every run of at least `min` digits masked with [`mask_phone`]; shorter runs stay.
fn mask_runs(text: &str, min: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= min.max(1) {
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

/// Every run of digits long enough to be a phone number masked with [`mask_phone`]; shorter runs stay.
pub fn mask_digits(text: &str) -> String {
    mask_runs(text, PHONE_DIGITS)
}

/// A schema with the branches that also describe its instance (`allOf`, `anyOf`, `oneOf`, `then`,
/// `else`, and the schema a `$ref` names).
fn branches(schema: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    collect_branches(schema, &mut out);
    out
}

/// [`branches`], without going twice through one schema (a `$ref` can lead back).
fn collect_branches<'a>(schema: &'a Value, out: &mut Vec<&'a Value>) {
    if out.iter().any(|seen| std::ptr::eq(*seen, schema)) {
        return;
    }
    out.push(schema);
    if let Some(target) = crate::spec::referenced(schema) {
        collect_branches(target, out);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for branch in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            collect_branches(branch, out);
        }
    }
    for key in ["then", "else"] {
        if let Some(branch) = schema.get(key) {
            collect_branches(branch, out);
        }
    }
}

fn own_mark(schemas: &[&Value]) -> Option<Mark> {
    schemas.iter().flat_map(|s| branches(s)).find_map(Mark::of)
}

/// The schemas that describe member `key` (a property name, or an array index) of an instance described by `schemas`.
fn children<'a>(schemas: &[&'a Value], key: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for schema in schemas.iter().flat_map(|s| branches(s)) {
        if let Some(property) = schema.get("properties").and_then(|p| p.get(key)) {
            out.push(property);
        } else if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            out.push(extra);
        }
        if key.parse::<usize>().is_ok()
            && let Some(items) = schema.get("items").filter(|i| i.is_object())
        {
            out.push(items);
        }
    }
    out
}

/// The schemas of the value at `pointer` (an instance location), and the mark it inherits from an ancestor.
fn schemas_at<'a>(schema: Option<&'a Value>, pointer: &str) -> (Vec<&'a Value>, Option<Mark>) {
    let mut schemas: Vec<&Value> = schema.into_iter().collect();
    let mut inherited = None;
    for segment in pointer.split('/').skip(1) {
        inherited = own_mark(&schemas).or(inherited);
        let segment = segment.replace("~1", "/").replace("~0", "~");
        schemas = children(&schemas, &segment);
    }
    (schemas, inherited)
}

fn mask_number(number: &serde_json::Number, mark: Option<Mark>, policy: &MaskPolicy) -> Value {
    let text = number.to_string();
    match mark {
        Some(Mark::Secret) => Value::String(format!("{HIDDEN} (number)")),
        Some(Mark::Phone) => Value::String(format!("{} (number)", mask_runs(&text, 1))),
        None if policy.digits && text.chars().filter(char::is_ascii_digit).count() >= PHONE_DIGITS => {
            Value::String(format!("{} (number)", mask_digits(&text)))
        }
        None => Value::Number(number.clone()),
    }
}

fn mask_value(value: &Value, schemas: &[&Value], inherited: Option<Mark>, pointer: &str, policy: &MaskPolicy) -> Value {
    let pinned = policy.phone_pointers.iter().any(|p| p == pointer).then_some(Mark::Phone);
    let mark = pinned.or_else(|| own_mark(schemas)).or(inherited);
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(k, v)| {
                    let at = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                    (k.clone(), mask_value(v, &children(schemas, k), mark, &at, policy))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    mask_value(v, &children(schemas, &i.to_string()), mark, &format!("{pointer}/{i}"), policy)
                })
                .collect(),
        ),
        Value::String(s) => Value::String(match mark {
            Some(Mark::Secret) => HIDDEN.to_owned(),
            Some(Mark::Phone) => mask_runs(s, 1),
            None if policy.digits => mask_digits(s),
            None => s.clone(),
        }),
        Value::Number(n) => mask_number(n, mark, policy),
        other => other.clone(),
    }
}

/// A JSON value as its schema (if known) and the policy says to show it.
pub fn mask_json(value: &Value, schema: Option<&Value>, policy: &MaskPolicy) -> Value {
    mask_value(value, &schema.into_iter().collect::<Vec<_>>(), None, "", policy)
}

/// A body as text: JSON bodies value by value, anything else by its digit runs (when the policy says so).
pub fn mask_body(text: &str, schema: Option<&Value>, policy: &MaskPolicy) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => mask_json(&value, schema, policy).to_string(),
        Err(_) if policy.digits => mask_digits(text),
        Err(_) => text.to_owned(),
    }
}

fn mask_text(value: &str, mark: Option<Mark>, policy: &MaskPolicy) -> String {
    match mark {
        Some(Mark::Secret) => HIDDEN.to_owned(),
        Some(Mark::Phone) => mask_runs(value, 1),
        None if policy.digits => mask_digits(value),
        None => value.to_owned(),
    }
}

/// A URL with marked and credential query parameters masked, and digit runs where the policy says so.
pub fn mask_url(url: &str, policy: &MaskPolicy) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = if policy.digits { mask_digits(base) } else { base.to_owned() };
    let Some(query) = query else { return base };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) => format!("{name}={}", mask_text(value, policy.params.get(name).copied(), policy)),
            None => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

/// A header value as shown: credentials hidden (keeping an auth scheme word), marked headers masked.
pub fn mask_header(name: &str, value: &str, policy: &MaskPolicy) -> String {
    let lower = name.to_ascii_lowercase();
    if CREDENTIAL_HEADERS.contains(&lower.as_str()) {
        return match value.split_once(' ') {
            Some((scheme, _)) if lower.ends_with("authorization") => format!("{scheme} {HIDDEN}"),
            _ => HIDDEN.to_owned(),
        };
    }
    mask_text(value, policy.headers.get(&lower).copied(), policy)
}

/// A check's message, masked like the body it speaks of: every JSON value quoted right after an
/// instance location (`/data/code: "439713" …`, `(root): {"code": …} …`) is masked as the value at
/// that location of `schema` would be; then digit runs, where the policy says so.
pub fn mask_message(text: &str, schema: Option<&Value>, policy: &MaskPolicy) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(": ") {
        let (head, tail) = rest.split_at(at + 2);
        out.push_str(head);
        rest = tail;
        let token = head[..at].rsplit([' ', '\n']).next().unwrap_or_default();
        let pointer = match token {
            "(root)" => "",
            t if t.starts_with('/') => t,
            _ => continue,
        };
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let Some(Ok(value)) = values.next() else { continue };
        let used = values.byte_offset();
        let (schemas, inherited) = schemas_at(schema, pointer);
        out.push_str(&mask_value(&value, &schemas, inherited, pointer, policy).to_string());
        rest = &rest[used..];
    }
    out.push_str(rest);
    if policy.digits { mask_digits(&out) } else { out }
}

/// A request as reports show it, its body masked along `body_schema`.
pub fn mask_request(request: &PreparedRequest, body_schema: Option<&Value>, policy: &MaskPolicy) -> PreparedRequest {
    PreparedRequest {
        method: request.method.clone(),
        url: mask_url(&request.url, policy),
        headers: request.headers.iter().map(|(n, v)| (n.clone(), mask_header(n, v, policy))).collect(),
        body: request.body_text().map(|b| mask_body(&b, body_schema, policy).into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn phone_policy() -> MaskPolicy {
        MaskPolicy { digits: true, ..MaskPolicy::default() }
    }

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

    fn otp_schema() -> Value {
        json!({"type": "object", "properties": {
            "data": {"type": "object", "properties": {
                "code": {"type": "string", "x-conform-mask": "secret"},
                "chat_id": {"type": "string", "x-conform-mask": "phone"}}},
            "appealToken": {"type": "string", "x-conform-mask": "secret"},
            "pin": {"x-conform-mask": "secret"},
            "errors": {"type": "object", "additionalProperties": {"type": "array"}}}})
    }

    #[test]
    fn marked_fields_are_masked_and_keep_their_type() {
        let body = json!({"success": true, "data": {"code": "439713", "chat_id": "20123456789@c.us",
            "uuid": "a0b5df6a-b491-4190-80a5-38d85a2a4836", "expires": 1800}, "appealToken": "Ae0B_6Ff", "pin": 246810,
            "statusCode": 422, "errors": {"code": ["The code field is required."]}});
        let schema = otp_schema();
        let masked = mask_json(&body, Some(&schema), &phone_policy());
        assert_eq!(masked["data"]["code"], HIDDEN);
        assert_eq!(masked["data"]["chat_id"], "20•••••6789@c.us");
        assert_eq!(masked["data"]["uuid"], body["data"]["uuid"], "uuids are not phone numbers");
        assert_eq!(masked["data"]["expires"], 1800);
        assert_eq!(masked["appealToken"], HIDDEN);
        assert_eq!(masked["pin"], "••• (number)", "a hidden number says it was one");
        assert_eq!(masked["statusCode"], 422);
        assert_eq!(masked["errors"]["code"][0], "The code field is required.", "not the marked `code`");
    }

    #[test]
    fn unmarked_specs_show_their_values() {
        let body = json!({"code": -2147483648_i64, "token": "abc", "phone": "5511999990000"});
        assert_eq!(mask_json(&body, None, &MaskPolicy::default()), body);
        assert_eq!(mask_body("code 5511999990000", None, &MaskPolicy::default()), "code 5511999990000");
        let long = mask_json(&json!({"n": 5511999990000_i64}), None, &phone_policy());
        assert_eq!(long["n"], "55•••••••0000 (number)");
    }

    #[test]
    fn messages_mask_the_values_they_quote() {
        let schema = otp_schema();
        assert_eq!(
            mask_message(
                r#"/data/code: "439713" is not of type "integer"; /data/chat_id: "20123456789@c.us" is bad"#,
                Some(&schema),
                &phone_policy()
            ),
            r#"/data/code: "•••" is not of type "integer"; /data/chat_id: "20•••••6789@c.us" is bad"#
        );
        let quoted = mask_message(
            r#"the 200 body does not match its schema: (root): {"data":{"code":"439713"}} is not valid"#,
            Some(&schema),
            &phone_policy(),
        );
        assert_eq!(quoted, r#"the 200 body does not match its schema: (root): {"data":{"code":"•••"}} is not valid"#);
        assert_eq!(mask_message("no quotes: here", None, &phone_policy()), "no quotes: here");
        let plain = r#"(root): {"code":-2147483648} is not valid"#;
        assert_eq!(mask_message(plain, None, &MaskPolicy::default()), plain);
    }

    #[test]
    fn urls_headers_and_requests() {
        let mut policy = phone_policy();
        policy.params.insert("access_token".into(), Mark::Secret);
        policy.params.insert("phone_number".into(), Mark::Phone);
        policy.headers.insert("client-token".into(), Mark::Secret);
        assert_eq!(
            mask_url(
                "http://h/v2/auth/request-code?instance_id=ABC&access_token=t0k&phone_number=201145202826",
                &policy
            ),
            "http://h/v2/auth/request-code?instance_id=ABC&access_token=•••&phone_number=20••••••2826"
        );
        assert_eq!(mask_header("Authorization", "Bearer 41|abc", &MaskPolicy::default()), "Bearer •••");
        assert_eq!(mask_header("Client-Token", "F123", &policy), HIDDEN);
        assert_eq!(mask_header("Content-Type", "application/json", &policy), "application/json");
        let schema =
            json!({"properties": {"phone": {"x-conform-mask": "phone"}, "code": {"x-conform-mask": "secret"}}});
        let request =
            PreparedRequest::new("POST", "http://h/x").body(r#"{"ddi":"55","phone":"4499999999","code":"123456"}"#);
        assert_eq!(
            mask_request(&request, Some(&schema), &policy).body_text().unwrap(),
            r#"{"ddi":"55","phone":"44••••9999","code":"•••"}"#
        );
        let pinned = MaskPolicy { phone_pointers: vec!["/to".into()], ..MaskPolicy::default() };
        assert_eq!(mask_body(r#"{"to":"4499"}"#, None, &pinned), r#"{"to":"••99"}"#);
        assert_eq!(mask_body("not json 5511999990000", None, &policy), "not json 55•••••••0000");
    }
}
