//! OpenAPI 3.2, read as 3.1 plus what conform can use of its additions: the `query` method and
//! `additionalOperations` ([`super::methods`]), `in: querystring` with a form media type (sent
//! as the query parameters its schema's properties describe, [`querystring_parameters`]),
//! `$self` (a `$ref` that names the document by its `$self` URI is a local one), an Example's
//! `dataValue` (used as its value), and a response's `itemSchema` for a sequence of JSON values
//! (each item checked, [`super::sequence`]). What conform does not use is named in a warning:
//! any other `itemSchema` (a request body's, or one of `text/event-stream`), positional
//! encodings, a `querystring` of any other media type (a required one leaves its operation out of
//! a run), examples given only as `serializedValue`.

use serde_json::Value;

use super::methods::Methods;
use super::problem::{Problem, escape};
use super::reference::follow;
use super::sequence::is_json_sequence;

/// Media types of an `in: querystring` parameter that conform sends: its schema's properties
/// are the query parameters.
pub const FORM_QUERYSTRING: &str = "application/x-www-form-urlencoded";

/// The problems of a 3.2 document that 3.1 has not, after making its `$self` references local.
pub fn problems(document: &mut Value) -> Vec<Problem> {
    let mut out = Vec::new();
    self_references(document, &mut out);
    let methods = Methods::of(document);
    for (path, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let at = format!("#/paths/{}", escape(path));
        let shared = querystrings(document, item.get("parameters"), &format!("{at}/parameters"), &mut out);
        for (key, _, operation) in methods.operations(item) {
            let here = format!("{at}/{key}");
            let own = querystrings(document, operation.get("parameters"), &format!("{here}/parameters"), &mut out);
            let all: Vec<&(String, bool)> = shared.iter().chain(&own).collect();
            if all.len() > 1 {
                out.push(Problem::error(&all[1].0, "an operation has at most one `in: querystring` parameter"));
            }
            if !all.is_empty() {
                let query = [item.get("parameters"), operation.get("parameters")]
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_array)
                    .flatten()
                    .any(|p| follow(document, p).get("in").and_then(Value::as_str) == Some("query"));
                if query {
                    out.push(Problem::error(
                        &all[0].0,
                        "an `in: querystring` parameter cannot be used with `in: query` ones",
                    ));
                }
            }
        }
    }
    let mut pointer = String::from("#");
    unused(document, &mut pointer, &mut out);
    out
}

/// The `in: querystring` parameters of a list (pointer, whether conform sends it), with a
/// warning for each it does not send.
fn querystrings(document: &Value, list: Option<&Value>, at: &str, out: &mut Vec<Problem>) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    for (i, param) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
        let param = follow(document, param);
        if param.get("in").and_then(Value::as_str) != Some("querystring") {
            continue;
        }
        let here = format!("{at}/{i}");
        let media: Vec<&String> =
            param.get("content").and_then(Value::as_object).into_iter().flat_map(|c| c.keys()).collect();
        let sent =
            media.iter().any(|m| m.split(';').next().is_some_and(|e| e.trim().eq_ignore_ascii_case(FORM_QUERYSTRING)));
        if !sent {
            let required = param.get("required").and_then(Value::as_bool).unwrap_or(false);
            let what = media.first().map_or_else(|| "no media type".to_owned(), |m| format!("media type `{m}`"));
            if required {
                out.push(Problem::skipping(
                    &here,
                    format!("a required `in: querystring` parameter of {what} cannot be generated (conform sends {FORM_QUERYSTRING}): the operation is left out of a run"),
                ));
            } else {
                out.push(Problem::warning(
                    &here,
                    format!(
                        "an `in: querystring` parameter of {what} is never sent (conform sends {FORM_QUERYSTRING})"
                    ),
                ));
            }
        }
        found.push((here, sent));
    }
    found
}

/// `$ref`s that name this document by its `$self` URI, made local (`https://x/api.yaml#/a` →
/// `#/a`). A relative `$ref` to another file is read from the file's directory, which a warning
/// says when `$self` puts the document elsewhere.
fn self_references(document: &mut Value, out: &mut Vec<Problem>) {
    let Some(base) =
        document.get("$self").and_then(Value::as_str).map(|s| s.split('#').next().unwrap_or_default().to_owned())
    else {
        return;
    };
    let mut warned = false;
    let mut pointer = String::from("#");
    rewrite_refs(document, &base, &mut pointer, &mut warned, out);
}

fn rewrite_refs(value: &mut Value, base: &str, pointer: &mut String, warned: &mut bool, out: &mut Vec<Problem>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(target)) = object.get_mut("$ref") {
                if !base.is_empty()
                    && let Some(rest) = target.strip_prefix(base).filter(|r| r.is_empty() || r.starts_with('#'))
                {
                    *target = if rest.is_empty() { "#".to_owned() } else { rest.to_owned() };
                } else if !*warned && base.contains("://") && !target.starts_with('#') && !target.contains("://") {
                    *warned = true;
                    out.push(Problem::warning(
                        format!("{pointer}/$ref"),
                        format!("`{target}` is read from this file's directory, not resolved against `$self` ({base})"),
                    ));
                }
            }
            for (key, child) in object.iter_mut() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                rewrite_refs(child, base, pointer, warned, out);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                rewrite_refs(item, base, pointer, warned, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Warnings for the 3.2 media type and example fields conform does not use.
fn unused(value: &Value, pointer: &mut String, out: &mut Vec<Problem>) {
    match value {
        Value::Object(object) => {
            if object.contains_key("itemSchema") && !pointer.ends_with("/properties") {
                let media = pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
                let request = pointer.contains("/requestBody") || pointer.contains("/parameters/");
                let message = if request {
                    Some(format!("a `{media}` body with an `itemSchema` is not generated"))
                } else if !is_json_sequence(&media) {
                    Some(format!(
                        "the `itemSchema` of `{media}` is not used: only sequences of JSON values are checked item by item"
                    ))
                } else {
                    None
                };
                if let Some(message) = message {
                    out.push(Problem::warning(format!("{pointer}/itemSchema"), message));
                }
            }
            for key in ["prefixEncoding", "itemEncoding"] {
                if object.contains_key(key) && !pointer.ends_with("/properties") {
                    out.push(Problem::warning(
                        format!("{pointer}/{key}"),
                        format!("`{key}` is not used: multipart parts are sent by name"),
                    ));
                }
            }
            if object.contains_key("serializedValue")
                && !object.contains_key("dataValue")
                && !object.contains_key("value")
            {
                out.push(Problem::warning(
                    format!("{pointer}/serializedValue"),
                    "an example given only as `serializedValue` is not sent (conform sends `dataValue` or `value`)",
                ));
            }
            for (key, child) in object {
                if key == "example" || key == "examples" && !child.is_object() || key.starts_with("x-") {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                unused(child, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                unused(item, pointer, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(mut document: Value) -> (Vec<String>, Value) {
        let found = problems(&mut document)
            .into_iter()
            .map(|p| format!("{} {}{}", p.level, p, if p.skips { " [skips]" } else { "" }))
            .collect();
        (found, document)
    }

    #[test]
    fn querystrings_are_checked_and_the_unsendable_named() {
        let (found, _) = messages(json!({"openapi": "3.2.0", "paths": {"/s": {
            "query": {"parameters": [{"name": "q", "in": "querystring", "required": true,
                "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}]},
            "get": {"parameters": [{"name": "j", "in": "querystring", "required": true, "content": {"application/json": {"schema": {}}}}]},
            "post": {"parameters": [{"name": "j", "in": "querystring", "content": {"application/jsonpath": {"schema": {}}}},
                {"name": "k", "in": "query", "schema": {}}]}}}}));
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with("warning #/paths/~1s/get/parameters/0: a required `in: querystring` parameter of media type `application/json` cannot be generated") && found[0].ends_with("[skips]"));
        assert!(found[1].starts_with("warning #/paths/~1s/post/parameters/0: an `in: querystring` parameter of media type `application/jsonpath` is never sent"));
        assert_eq!(
            found[2],
            "error #/paths/~1s/post/parameters/0: an `in: querystring` parameter cannot be used with `in: query` ones"
        );
    }

    #[test]
    fn self_references_become_local() {
        let (found, document) = messages(json!({"openapi": "3.2.0", "$self": "https://example.com/api/openapi.yaml",
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"text/event-stream": {
                "itemSchema": {"$ref": "https://example.com/api/openapi.yaml#/components/schemas/Item"}}}}}}}},
            "components": {"schemas": {"Item": {"type": "object", "properties": {"x": {"$ref": "common.yaml#/X"}}}}}}));
        let item = &document["paths"]["/a"]["get"]["responses"]["200"]["content"]["text/event-stream"]["itemSchema"];
        assert_eq!(item["$ref"], "#/components/schemas/Item");
        assert!(
            found.iter().any(|f| f.contains("itemSchema: the `itemSchema` of `text/event-stream` is not used")),
            "{found:#?}"
        );
        assert!(
            found.iter().any(|f| f.contains("properties/x/$ref: `common.yaml#/X` is read from this file's directory")),
            "{found:#?}"
        );
    }
}
