//! `x-conform-invalid-input`: the status a target answers to invalid input (a request that breaks
//! the request schema, or malformed JSON), where the spec pins it. Without a pin, any 4xx is a
//! rejection of invalid input (a status the operation does not document is
//! `status_code_conformance`'s finding); with one, `negative_data_rejection` asserts the status.
//!
//! ```yaml
//! x-conform-invalid-input:       # at the document root (every operation), or on an operation (it wins)
//!   status: [400]                # one status or a list, each 400-499
//!   in: [body, query]            # optional: where the invalid value is for the pin to hold
//!                                # (body, query, header, path, cookie); every place when absent
//!   x-conform-source: {level: doc, cite: "..."}   # optional: the rule's source (default: doc)
//! ```

use serde::Serialize;
use serde_json::Value;

use super::operation::{Level, Source};

/// Where in a request an invalid value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputPlace {
    Body,
    Query,
    Header,
    Path,
    Cookie,
}

impl InputPlace {
    fn parse(text: &str) -> Option<InputPlace> {
        Some(match text {
            "body" => InputPlace::Body,
            "query" => InputPlace::Query,
            "header" => InputPlace::Header,
            "path" => InputPlace::Path,
            "cookie" => InputPlace::Cookie,
            _ => return None,
        })
    }
}

/// The pinned statuses for invalid input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidInput {
    pub statuses: Vec<u16>,
    /// Where the invalid value must be for the pin to hold; empty: anywhere.
    pub places: Vec<InputPlace>,
    pub source: Source,
}

impl InvalidInput {
    /// Whether the pin holds for an invalid value at `place`.
    pub fn covers(&self, place: InputPlace) -> bool {
        self.places.is_empty() || self.places.contains(&place)
    }
}

/// Reads `x-conform-invalid-input` from `object` (the document, or an operation at `pointer`);
/// `Err` is (pointer, message).
pub fn invalid_input(object: &Value, pointer: &str) -> Result<Option<InvalidInput>, (String, String)> {
    let Some(extension) = object.get("x-conform-invalid-input") else { return Ok(None) };
    let at = format!("{pointer}/x-conform-invalid-input");
    let fail = |suffix: &str, message: &str| Err((format!("{at}{suffix}"), message.to_owned()));
    let Some(fields) = extension.as_object() else {
        return fail("", "must be an object with `status` (and optionally `in` and `x-conform-source`)");
    };
    let status_error = "`status` is a 4xx status or a non-empty list of them";
    let statuses: Vec<&Value> = match fields.get("status") {
        Some(Value::Array(list)) if !list.is_empty() => list.iter().collect(),
        Some(one @ Value::Number(_)) => vec![one],
        _ => return fail("/status", status_error),
    };
    let statuses: Option<Vec<u16>> = statuses
        .into_iter()
        .map(|s| s.as_u64().filter(|n| (400..500).contains(n)).and_then(|n| u16::try_from(n).ok()))
        .collect();
    let Some(statuses) = statuses else { return fail("/status", status_error) };
    let places = match fields.get("in") {
        None => Vec::new(),
        Some(Value::Array(list)) if !list.is_empty() => {
            let places: Option<Vec<InputPlace>> = list.iter().map(|p| p.as_str().and_then(InputPlace::parse)).collect();
            let Some(places) = places else {
                return fail("/in", "`in` lists places among body, query, header, path and cookie");
            };
            places
        }
        Some(_) => return fail("/in", "`in` is a non-empty list of places (body, query, header, path, cookie)"),
    };
    if fields.contains_key("x-conform-source") && Source::from_extension(fields).is_none() {
        return fail("/x-conform-source", "`x-conform-source` is {level: doc|seed|field|profile, cite: TEXT}");
    }
    let source =
        Source::from_extension(fields).unwrap_or_else(|| Source::new(Level::Doc, "the spec's x-conform-invalid-input"));
    Ok(Some(InvalidInput { statuses, places, source }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_pin_and_refuses_a_bad_one() {
        let pin = json!({"x-conform-invalid-input": {"status": [422], "in": ["body"],
            "x-conform-source": {"level": "profile", "cite": "contract.md §2"}}});
        let read = invalid_input(&pin, "#").unwrap().unwrap();
        assert_eq!(read.statuses, [422]);
        assert!(read.covers(InputPlace::Body) && !read.covers(InputPlace::Query));
        assert_eq!(read.source, Source::new(Level::Profile, "contract.md §2"));
        let one = invalid_input(&json!({"x-conform-invalid-input": {"status": 400}}), "#").unwrap().unwrap();
        assert_eq!((one.statuses, one.source.level), (vec![400], Level::Doc));
        assert!(one.places.is_empty());
        assert_eq!(invalid_input(&json!({}), "#"), Ok(None));
        for (bad, at) in [
            (json!({"status": 200}), "#/op/x-conform-invalid-input/status"),
            (json!({"status": []}), "#/op/x-conform-invalid-input/status"),
            (json!({"status": ["400"]}), "#/op/x-conform-invalid-input/status"),
            (json!({"status": 400, "in": ["form"]}), "#/op/x-conform-invalid-input/in"),
            (json!({"status": 400, "in": "body"}), "#/op/x-conform-invalid-input/in"),
            (
                json!({"status": 400, "x-conform-source": {"level": "x"}}),
                "#/op/x-conform-invalid-input/x-conform-source",
            ),
            (json!([400]), "#/op/x-conform-invalid-input"),
        ] {
            let error = invalid_input(&json!({"x-conform-invalid-input": bad}), "#/op").unwrap_err();
            assert_eq!(error.0, at, "{bad}: {}", error.1);
        }
    }
}
