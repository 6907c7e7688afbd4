//! What one step of a flow sent and got back, as later steps read it: the values of runtime
//! expressions and of a created resource's id.

use serde_json::Value;

use crate::case::{Body, RequestInput};
use crate::spec::{ExchangePart, LinkValue, RuntimeExpression};

/// One step's exchange, as the flow keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub operation: usize,
    pub method: String,
    /// The operation's path with this step's path parameters in it (`/pets/3`).
    pub resource: String,
    pub url: String,
    pub input: RequestInput,
    /// `None` when no answer came (the step was not sent, or the connection dropped).
    pub status: Option<u16>,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Record {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

fn part(
    part: &ExchangePart,
    input: Option<&RequestInput>,
    headers: &[(String, String)],
    body: Option<&Value>,
) -> Option<Value> {
    match part {
        ExchangePart::Path(name) => input?.path.get(name).cloned(),
        ExchangePart::Query(name) => input?.query.get(name).cloned(),
        ExchangePart::Header(name) => match input {
            Some(input) => input.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()),
            None => headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| Value::String(v.clone())),
        },
        ExchangePart::Body(pointer) => body?.pointer(pointer).cloned(),
    }
}

/// The value of `expression` in `record`'s exchange, when it has one.
pub fn evaluate(expression: &RuntimeExpression, record: &Record) -> Option<Value> {
    match expression {
        RuntimeExpression::Url => Some(Value::String(record.url.clone())),
        RuntimeExpression::Method => Some(Value::String(record.method.clone())),
        RuntimeExpression::StatusCode => record.status.map(Value::from),
        RuntimeExpression::Request(p) => {
            let body = match &record.input.body {
                Body::Json(value) => Some(value),
                _ => None,
            };
            part(p, Some(&record.input), &[], body)
        }
        RuntimeExpression::Response(p) => part(p, None, &record.headers, record.body.as_ref()),
    }
}

/// A text with its `{$…}` expressions replaced; `None` when one has no value.
fn embedded(text: &str, record: &Record) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{$") {
        let end = rest[start..].find('}')?;
        let expression = RuntimeExpression::parse(&rest[start + 1..start + end]).ok()?;
        let value = evaluate(&expression, record)?;
        out.push_str(&rest[..start]);
        out.push_str(&value.as_str().map_or_else(|| value.to_string(), str::to_owned));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn substituted(value: &Value, record: &Record) -> Option<Value> {
    Some(match value {
        Value::String(text) if text.starts_with('$') => evaluate(&RuntimeExpression::parse(text).ok()?, record)?,
        Value::String(text) => Value::String(embedded(text, record)?),
        Value::Array(items) => Value::Array(items.iter().map(|v| substituted(v, record)).collect::<Option<_>>()?),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| Some((k.clone(), substituted(v, record)?))).collect::<Option<_>>()?)
        }
        other => other.clone(),
    })
}

/// The value a link gives after `record`'s exchange; `None` when an expression has none.
pub fn link_value(value: &LinkValue, record: &Record) -> Option<Value> {
    match value {
        LinkValue::Expression(expression) => evaluate(expression, record),
        LinkValue::Constant(constant) => substituted(constant, record),
    }
}

/// The id of what `record` created: the body property at `pointer`, else the last segment of
/// its `Location` header.
pub fn created_id(pointer: Option<&str>, record: &Record) -> Option<Value> {
    let from_body = pointer.and_then(|p| record.body.as_ref()?.pointer(p)).filter(|v| !v.is_null()).cloned();
    from_body
        .or_else(|| {
            let location = record.headers.iter().find(|(n, _)| n == "location").map(|(_, v)| v.as_str())?;
            let path = location.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
            let last = path.rsplit('/').next().filter(|s| !s.is_empty())?;
            Some(last.parse::<i64>().map_or_else(|_| Value::String(last.to_owned()), Value::from))
        })
        .or_else(|| seen_id(record.body.as_ref()?))
}

/// Where the spec names no id and no `Location` came, the id the answer shows: its `id`, or the
/// `id` of an object one level down (an envelope such as Kinto's `{"data": {"id": …}}`).
fn seen_id(body: &Value) -> Option<Value> {
    let usable = |v: &&Value| v.is_string() || v.is_number();
    let object = body.as_object()?;
    object
        .get("id")
        .filter(usable)
        .or_else(|| object.values().find_map(|inner| inner.get("id").filter(usable)))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> Record {
        let mut input = RequestInput::default();
        input.path.insert("store".into(), json!("s1"));
        input.body = Body::Json(json!({"name": "rex"}));
        Record {
            operation: 0,
            method: "POST".into(),
            resource: "/stores/s1/pets".into(),
            url: "http://x/stores/s1/pets".into(),
            input,
            status: Some(201),
            headers: vec![("location".into(), "/stores/s1/pets/42".into())],
            body: Some(json!({"id": 42, "owner": {"name": "ann"}})),
        }
    }

    #[test]
    fn expressions_read_the_exchange() {
        let r = record();
        let read = |text: &str| evaluate(&RuntimeExpression::parse(text).unwrap(), &r);
        assert_eq!(read("$response.body#/owner/name"), Some(json!("ann")));
        assert_eq!(read("$response.header.Location"), Some(json!("/stores/s1/pets/42")));
        assert_eq!(read("$request.path.store"), Some(json!("s1")));
        assert_eq!(read("$request.body#/name"), Some(json!("rex")));
        assert_eq!(read("$statusCode"), Some(json!(201)));
        assert_eq!(read("$response.body#/missing"), None);
        let constant = LinkValue::Constant(json!({"who": "$request.body#/name", "note": "pet {$response.body#/id}"}));
        assert_eq!(link_value(&constant, &r), Some(json!({"who": "rex", "note": "pet 42"})));
    }

    #[test]
    fn a_created_id_comes_from_the_body_else_the_location() {
        let mut r = record();
        assert_eq!(created_id(Some("/id"), &r), Some(json!(42)));
        r.body = None;
        assert_eq!(created_id(Some("/id"), &r), Some(json!(42)));
        r.headers.clear();
        assert_eq!(created_id(None, &r), None);
    }

    #[test]
    fn an_id_the_spec_does_not_name_is_taken_from_the_answer() {
        let mut created = record();
        created.headers.clear();
        created.body = Some(json!({"data": {"id": "JbBLqBv8", "last_modified": 1}, "permissions": {}}));
        assert_eq!(created_id(None, &created), Some(json!("JbBLqBv8")));
        created.body = Some(json!({"id": 7}));
        assert_eq!(created_id(None, &created), Some(json!(7)));
        created.body = Some(json!({"data": {"name": "x"}}));
        assert_eq!(created_id(None, &created), None);
    }
}
