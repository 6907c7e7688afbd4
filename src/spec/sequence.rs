//! Sequential JSON media types (OpenAPI 3.2): `application/jsonl`, `application/x-ndjson` (one
//! JSON value a line) and `application/json-seq` (RFC 7464: each value after a record
//! separator). OpenAPI maps such a body to the array of its values, in order, so a media type's
//! `itemSchema` is the schema of each item of that array, and a body is checked by reading it
//! into the array.

use serde_json::{Map, Value};

/// The record separator of `application/json-seq`.
const RECORD_SEPARATOR: char = '\u{1e}';

fn essence(media: &str) -> String {
    media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Whether `media` is a sequence of JSON values.
pub fn is_json_sequence(media: &str) -> bool {
    let essence = essence(media);
    matches!(essence.as_str(), "application/jsonl" | "application/x-ndjson" | "application/json-seq")
        || (essence.starts_with("application/") && essence.ends_with("+json-seq"))
}

/// The values of a sequence body of media type `media`, in order.
pub fn parse_json_sequence(media: &str, body: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("not UTF-8: {e}"))?;
    let records: Vec<&str> = if essence(media).ends_with("json-seq") {
        text.split(RECORD_SEPARATOR).collect()
    } else {
        text.split('\n').collect()
    };
    let mut values = Vec::new();
    for (i, record) in records.iter().enumerate().filter(|(_, r)| !r.trim().is_empty()) {
        values.push(serde_json::from_str(record.trim()).map_err(|e| format!("item {}: {e}", i + 1))?);
    }
    Ok(Value::Array(values))
}

/// The schema of a sequence body: its `schema` (of the whole, as an array), and each item its
/// `itemSchema`.
pub fn sequence_schema(schema: Option<&Value>, item_schema: &Value) -> Value {
    let items = Value::Object(Map::from_iter([
        ("type".to_owned(), Value::String("array".to_owned())),
        ("items".to_owned(), item_schema.clone()),
    ]));
    match schema {
        Some(whole) => Value::Object(Map::from_iter([("allOf".to_owned(), Value::Array(vec![whole.clone(), items]))])),
        None => items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sequences_read_into_arrays() {
        assert!(is_json_sequence("application/jsonl; charset=utf-8"));
        assert!(is_json_sequence("application/geo+json-seq"));
        assert!(!is_json_sequence("application/json") && !is_json_sequence("text/event-stream"));
        assert_eq!(parse_json_sequence("application/x-ndjson", b"{\"a\":1}\n\n[2]\n").unwrap(), json!([{"a": 1}, [2]]));
        assert_eq!(parse_json_sequence("application/json-seq", b"\x1e1\n\x1e\"x\"\n").unwrap(), json!([1, "x"]));
        assert_eq!(parse_json_sequence("application/jsonl", b"1\n{").unwrap_err().split(':').next(), Some("item 2"));
        assert_eq!(
            sequence_schema(None, &json!({"type": "integer"})),
            json!({"type": "array", "items": {"type": "integer"}})
        );
    }
}
