//! Every example a document gives, with the schema it must satisfy: media-type `example` and
//! `examples.*.value` (request bodies, responses), parameter examples, and schema `example`s
//! (those of a component schema once, where the component is written, not at each use).

use std::borrow::Cow;

use serde_json::Value;

use super::operation::METHODS;

/// One example and where it is, borrowed from the document (a big spec has tens of thousands).
#[derive(Debug, Clone, PartialEq)]
pub struct Example<'a> {
    /// JSON pointer of the example value in the document.
    pub pointer: String,
    pub value: &'a Value,
    /// Borrowed, but for a schema's own `example`: that schema without it.
    pub schema: Cow<'a, Value>,
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The examples of an object that has a `schema` next to `example`/`examples` (a media type or a parameter).
fn with_schema<'a>(object: &'a Value, pointer: &str, out: &mut Vec<Example<'a>>) {
    let Some(schema) = object.get("schema") else { return };
    if let Some(value) = object.get("example") {
        out.push(Example { pointer: format!("{pointer}/example"), value, schema: Cow::Borrowed(schema) });
    }
    if let Some(examples) = object.get("examples").and_then(Value::as_object) {
        for (name, example) in examples {
            if let Some(value) = example.get("value") {
                out.push(Example {
                    pointer: format!("{pointer}/examples/{}/value", escape(name)),
                    value,
                    schema: Cow::Borrowed(schema),
                });
            }
        }
    }
    schema_examples(schema, &format!("{pointer}/schema"), out);
}

/// `example` keywords inside a schema, each checked against the schema it sits in.
fn schema_examples<'a>(schema: &'a Value, pointer: &str, out: &mut Vec<Example<'a>>) {
    let Some(object) = schema.as_object() else { return };
    if let Some(value) = object.get("example") {
        let bare = object.iter().filter(|(k, _)| *k != "example").map(|(k, v)| (k.clone(), v.clone())).collect();
        out.push(Example { pointer: format!("{pointer}/example"), value, schema: Cow::Owned(Value::Object(bare)) });
    }
    for key in ["properties", "$defs"] {
        if let Some(children) = object.get(key).and_then(Value::as_object) {
            for (name, child) in children {
                schema_examples(child, &format!("{pointer}/{key}/{}", escape(name)), out);
            }
        }
    }
    if let Some(items) = object.get("items") {
        schema_examples(items, &format!("{pointer}/items"), out);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, child) in object.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            schema_examples(child, &format!("{pointer}/{key}/{i}"), out);
        }
    }
}

/// Every example of a resolved, rewritten document. The examples inside a component schema are
/// found once, in its definition, with the component's pointer.
pub fn examples(document: &Value) -> Vec<Example<'_>> {
    let mut out = Vec::new();
    for (name, schema) in document.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        let pointer = format!("#/components/schemas/{}", escape(name));
        schema_examples(super::definition::referenced(schema).unwrap_or(schema), &pointer, &mut out);
    }
    let Some(paths) = document.get("paths").and_then(Value::as_object) else { return out };
    for (path, item) in paths {
        let item_pointer = format!("#/paths/{}", escape(path));
        for (i, param) in item.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            with_schema(param, &format!("{item_pointer}/parameters/{i}"), &mut out);
        }
        for method in METHODS {
            let Some(operation) = item.get(*method) else { continue };
            let pointer = format!("{item_pointer}/{method}");
            for (i, param) in operation.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                with_schema(param, &format!("{pointer}/parameters/{i}"), &mut out);
            }
            if let Some(content) = operation.pointer("/requestBody/content").and_then(Value::as_object) {
                for (media, object) in content {
                    with_schema(object, &format!("{pointer}/requestBody/content/{}", escape(media)), &mut out);
                }
            }
            for (status, response) in operation.get("responses").and_then(Value::as_object).into_iter().flatten() {
                for (media, object) in response.get("content").and_then(Value::as_object).into_iter().flatten() {
                    with_schema(object, &format!("{pointer}/responses/{status}/content/{}", escape(media)), &mut out);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_media_parameter_and_schema_examples() {
        let doc = json!({"paths": {"/x": {"post": {
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}, "example": "a"}],
            "requestBody": {"content": {"application/json": {
                "schema": {"type": "object", "properties": {"n": {"type": "integer", "example": 3}}},
                "examples": {"one": {"value": {"n": 1}}}}}},
            "responses": {"200": {"content": {"application/json": {"schema": {"type": "string"}, "example": "ok"}}}}
        }}}});
        let pointers: Vec<String> = examples(&doc).into_iter().map(|e| e.pointer).collect();
        assert_eq!(
            pointers,
            [
                "#/paths/~1x/post/parameters/0/example",
                "#/paths/~1x/post/requestBody/content/application~1json/examples/one/value",
                "#/paths/~1x/post/requestBody/content/application~1json/schema/properties/n/example",
                "#/paths/~1x/post/responses/200/content/application~1json/example",
            ]
        );
    }
}
