//! The document itself checked against the OpenAPI rules that conform depends on, before any
//! `$ref` is followed, so that every problem has a JSON pointer into the file as written (and from
//! it a line). Hand-written rather than the OpenAPI Initiative's JSON Schemas: those are not
//! shipped, and these messages say what to fix.
//!
//! Checked: 3.0 requires `paths` and every operation's `responses` (3.1 requires neither); status
//! keys are 100-599, `1XX`-`5XX` or `default`; every `{name}` of a path template is declared as a
//! path parameter; in every schema, `type` is a known type, `pattern` compiles as a regex, and
//! length, item and property bounds are non-negative integers.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::methods::Methods;
use super::problem::Problem;

/// The JSON Schema types.
pub const TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object", "null"];
/// Keywords whose value must be a non-negative integer.
const COUNTS: &[&str] = &["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"];
/// Keywords whose value is a schema.
const ONE_SCHEMA: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
];
/// Keywords whose value is an array of schemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value is an object of schemas.
const SCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Every problem of `document` (`legacy`: OpenAPI 3.0), in document order.
pub fn problems(document: &Value, legacy: bool) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut problem = |pointer: String, message: String| out.push(Problem::error(pointer, message));
    let methods = Methods::of(document);
    match document.get("paths") {
        None if legacy => {
            problem("#".to_owned(), "OpenAPI 3.0 requires `paths` (it may be empty: `paths: {}`)".to_owned())
        }
        None if !["components", "webhooks"].iter().any(|k| document.get(k).is_some()) => problem(
            "#".to_owned(),
            "OpenAPI 3.1 requires at least one of `paths`, `components` or `webhooks`".to_owned(),
        ),
        Some(paths) if !paths.is_object() => problem("#/paths".to_owned(), "`paths` must be an object".to_owned()),
        _ => {}
    }
    for (path, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let at = format!("#/paths/{}", escape(path));
        if !path.starts_with('/') {
            problem(at.clone(), format!("a path must start with `/`: `{path}`"));
        }
        let Some(item) = item.as_object() else { continue };
        if item.contains_key("$ref") {
            continue;
        }
        for (key, _, operation) in methods.operations_in(item) {
            let Some(operation) = operation.as_object() else { continue };
            operation_problems(document, path, item, operation, &format!("{at}/{key}"), legacy, &mut problem);
        }
    }
    // A pattern is compiled once, however many schemas repeat it.
    let mut patterns = HashMap::new();
    let mut pointer = String::from("#");
    every_schema(document, &mut pointer, &mut |schema, at| {
        schema_problems(schema, at, TYPES, &mut patterns, &mut problem)
    });
    out
}

/// The problems of one schema written at `pointer`, whose `type`s may be any of `types`.
pub fn schema_problems_at(schema: &Value, pointer: &str, types: &[&str]) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut patterns = HashMap::new();
    let mut at = pointer.to_owned();
    schema_problems(schema, &mut at, types, &mut patterns, &mut |p, m| out.push(Problem::error(p, m)));
    out
}

/// Every local `$ref` under `value` (at `pointer`) whose target is not in `document`, as the
/// resolver words it.
pub fn dangling_refs(document: &Value, value: &Value, pointer: &mut String, out: &mut Vec<Problem>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(target)) = object.get("$ref")
                && let Some(fragment) = target.strip_prefix('#')
                && document.pointer(fragment).is_none()
            {
                out.push(Problem::error(pointer.clone(), format!("$ref `{target}` points nowhere (dangling)")));
            }
            for (key, child) in object {
                if child.is_object() || child.is_array() {
                    let len = pointer.len();
                    push_segment(pointer, key);
                    dangling_refs(document, child, pointer, out);
                    pointer.truncate(len);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                dangling_refs(document, item, pointer, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Appends `/segment` (escaped) to a JSON pointer.
fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    if segment.contains(['~', '/']) {
        pointer.push_str(&escape(segment));
    } else {
        pointer.push_str(segment);
    }
}

fn operation_problems(
    document: &Value,
    path: &str,
    item: &Map<String, Value>,
    operation: &Map<String, Value>,
    at: &str,
    legacy: bool,
    problem: &mut impl FnMut(String, String),
) {
    match operation.get("responses").map(|r| r.as_object()) {
        None if legacy => problem(at.to_owned(), "OpenAPI 3.0 requires `responses` on every operation".to_owned()),
        None => {}
        Some(None) => problem(format!("{at}/responses"), "`responses` must be an object".to_owned()),
        Some(Some(responses)) => {
            for key in responses.keys() {
                if !is_status_key(key) {
                    problem(
                        format!("{at}/responses/{}", escape(key)),
                        format!("`{key}` is not a status code (100-599), a range (1XX-5XX) or `default`"),
                    );
                }
            }
        }
    }
    // Every `{name}` of the template needs a path parameter, on the path item or the operation.
    let declared: Vec<String> = [item.get("parameters"), operation.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|p| local(document, p))
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let unresolved = [item.get("parameters"), operation.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .any(|p| local(document, p).is_none());
    for name in template_names(path) {
        if !unresolved && !declared.iter().any(|d| d == name) {
            problem(
                at.to_owned(),
                format!("the path template has `{{{name}}}` but no path parameter `{name}` is declared"),
            );
        }
    }
}

/// A parameter, following a local `$ref`; `None` for a reference into another file.
fn local<'a>(document: &'a Value, parameter: &'a Value) -> Option<&'a Value> {
    match parameter.get("$ref").and_then(Value::as_str) {
        Some(target) => document.pointer(target.strip_prefix('#')?),
        None => Some(parameter),
    }
}

/// The `{name}`s of a path template.
fn template_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

fn is_status_key(key: &str) -> bool {
    if key == "default" {
        return true;
    }
    let bytes = key.as_bytes();
    if bytes.len() != 3 {
        return false;
    }
    let range = matches!(bytes[0], b'1'..=b'5') && bytes[1..].eq_ignore_ascii_case(b"XX");
    range || key.parse::<u16>().is_ok_and(|code| (100..=599).contains(&code))
}

/// Calls `found` with every schema written in the document and its pointer: `components.schemas`,
/// and every `schema` of a parameter, header or media type (examples and extensions, which hold
/// data, are not walked). `pointer` is a buffer, restored on return.
fn every_schema<'a>(value: &'a Value, pointer: &mut String, found: &mut impl FnMut(&'a Value, &mut String)) {
    match value {
        Value::Object(object) => {
            let in_components = pointer == "#/components";
            for (key, child) in object {
                if key == "example" || key == "examples" || key.starts_with("x-") {
                    continue;
                }
                let len = pointer.len();
                push_segment(pointer, key);
                if (key == "schema" || key == "itemSchema") && child.is_object() {
                    found(child, pointer);
                } else if key == "schemas" && in_components {
                    for (name, schema) in child.as_object().into_iter().flatten() {
                        let len = pointer.len();
                        push_segment(pointer, name);
                        found(schema, pointer);
                        pointer.truncate(len);
                    }
                } else if child.is_object() || child.is_array() {
                    every_schema(child, pointer, found);
                }
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.is_object() || item.is_array() {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    every_schema(item, pointer, found);
                    pointer.truncate(len);
                }
            }
        }
        _ => {}
    }
}

/// The problems of one schema and its subschemas; `pointer` (a buffer, restored on return) is
/// where the schema is.
fn schema_problems<'a>(
    schema: &'a Value,
    pointer: &mut String,
    types: &[&str],
    patterns: &mut HashMap<&'a str, Option<String>>,
    problem: &mut impl FnMut(String, String),
) {
    let Some(object) = schema.as_object() else { return };
    if object.contains_key("$ref") && object.len() == 1 {
        return;
    }
    match object.get("type") {
        None => {}
        Some(Value::String(t)) if types.contains(&t.as_str()) => {}
        Some(Value::Array(ts)) if ts.iter().all(|t| t.as_str().is_some_and(|t| types.contains(&t))) => {}
        Some(other) => {
            problem(format!("{pointer}/type"), format!("unknown type {other}: a type is one of {}", types.join(", ")))
        }
    }
    if let Some(pattern) = object.get("pattern") {
        match pattern.as_str() {
            Some(text) => {
                let invalid = patterns.entry(text).or_insert_with(|| {
                    jsonschema::draft202012::options()
                        .build(&serde_json::json!({"pattern": text}))
                        .err()
                        .map(|e| e.to_string())
                });
                if let Some(e) = invalid {
                    problem(format!("{pointer}/pattern"), format!("`{text}` is not a valid regular expression: {e}"));
                }
            }
            None => problem(format!("{pointer}/pattern"), "`pattern` must be a string".to_owned()),
        }
    }
    for keyword in COUNTS {
        if let Some(value) = object.get(*keyword)
            && value.as_u64().is_none()
            && value.as_f64().is_none_or(|f| f < 0.0 || f.fract() != 0.0)
        {
            problem(format!("{pointer}/{keyword}"), format!("`{keyword}` must be a non-negative integer, not {value}"));
        }
    }
    let mut within = |child: &'a Value, pointer: &mut String, segments: &[&str]| {
        let len = pointer.len();
        for segment in segments {
            push_segment(pointer, segment);
        }
        schema_problems(child, pointer, types, patterns, problem);
        pointer.truncate(len);
    };
    for keyword in ONE_SCHEMA {
        if let Some(child) = object.get(*keyword) {
            within(child, pointer, &[keyword]);
        }
    }
    for keyword in SCHEMA_LISTS {
        for (i, child) in object.get(*keyword).and_then(Value::as_array).into_iter().flatten().enumerate() {
            within(child, pointer, &[keyword, &i.to_string()]);
        }
    }
    for keyword in SCHEMA_MAPS {
        for (name, child) in object.get(*keyword).and_then(Value::as_object).into_iter().flatten() {
            within(child, pointer, &[keyword, name]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(document: Value, legacy: bool) -> Vec<String> {
        problems(&document, legacy).into_iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn required_members_differ_between_versions() {
        assert_eq!(
            messages(json!({"openapi": "3.0.3"}), true),
            ["#: OpenAPI 3.0 requires `paths` (it may be empty: `paths: {}`)"]
        );
        assert!(messages(json!({"webhooks": {}}), false).is_empty());
        let no_responses = json!({"paths": {"/x": {"get": {}}}});
        assert_eq!(
            messages(no_responses.clone(), true),
            ["#/paths/~1x/get: OpenAPI 3.0 requires `responses` on every operation"]
        );
        assert!(messages(no_responses, false).is_empty(), "3.1 does not require responses");
    }

    #[test]
    fn status_keys_and_path_parameters() {
        let doc = json!({"paths": {"/items/{id}/{part}": {
            "parameters": [{"$ref": "#/components/parameters/id"}],
            "get": {"responses": {"200": {}, "4XX": {}, "default": {}, "600": {}, "2xx": {}, "99": {}}}}},
            "components": {"parameters": {"id": {"name": "id", "in": "path"}}}});
        assert_eq!(
            messages(doc, false),
            [
                "#/paths/~1items~1{id}~1{part}/get/responses/600: `600` is not a status code (100-599), a range (1XX-5XX) or `default`",
                "#/paths/~1items~1{id}~1{part}/get/responses/99: `99` is not a status code (100-599), a range (1XX-5XX) or `default`",
                "#/paths/~1items~1{id}~1{part}/get: the path template has `{part}` but no path parameter `part` is declared",
            ]
        );
    }

    #[test]
    fn schema_keywords() {
        let doc = json!({"paths": {}, "components": {"schemas": {
            "A": {"type": "object", "properties": {
                "a": {"type": "strng"},
                "b": {"type": "string", "pattern": "(unclosed", "minLength": -1},
                "c": {"type": ["string", "null"], "maxItems": 2.5},
                "d": {"items": {"type": 3}},
                "e": {"type": "string", "pattern": "^[0-9]{8,13}$", "maxLength": 4.0}}}}}});
        let found = messages(doc, false);
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(found[0].starts_with("#/components/schemas/A/properties/a/type: unknown type \"strng\""));
        assert!(
            found[1].starts_with(
                "#/components/schemas/A/properties/b/pattern: `(unclosed` is not a valid regular expression"
            )
        );
        assert!(
            found[2].starts_with(
                "#/components/schemas/A/properties/b/minLength: `minLength` must be a non-negative integer"
            )
        );
        assert!(found[3].starts_with("#/components/schemas/A/properties/c/maxItems"));
        assert!(found[4].starts_with("#/components/schemas/A/properties/d/items/type"));
    }
}
