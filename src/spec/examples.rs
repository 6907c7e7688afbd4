//! Every example a document gives, with the schema it must satisfy: media-type `example` and
//! `examples.*.value` (request bodies, responses), parameter examples, and schema `example`s
//! (those of a component schema once, where the component is written, not at each use).

use std::borrow::Cow;

use serde_json::Value;

use super::extract::example_value;
use super::methods::Methods;
use super::reference::follow;

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

/// The examples of an object that has a `schema` next to `example`/`examples` (a media type or a
/// parameter). A named example may be a reference to one in `components.examples`, followed.
fn with_schema<'a>(document: &'a Value, object: &'a Value, pointer: &str, out: &mut Vec<Example<'a>>) {
    let Some(schema) = object.get("schema") else { return };
    if let Some(value) = object.get("example") {
        out.push(Example { pointer: format!("{pointer}/example"), value, schema: Cow::Borrowed(schema) });
    }
    if let Some(examples) = object.get("examples").and_then(Value::as_object) {
        for (name, example) in examples {
            let followed = follow(document, example);
            if let Some(value) = example_value(followed) {
                let at = format!("{pointer}/examples/{}", escape(name));
                // A referenced example is named where it is used, against the schema there.
                let key = if followed.get("value").is_some() { "value" } else { "dataValue" };
                let at = if std::ptr::eq(followed, example) { format!("{at}/{key}") } else { at };
                out.push(Example { pointer: at, value, schema: Cow::Borrowed(schema) });
            }
        }
    }
    schema_examples(schema, &format!("{pointer}/schema"), out);
}

/// [`with_schema`] for every media type of a `content` object.
fn with_content<'a>(document: &'a Value, holder: &'a Value, pointer: &str, out: &mut Vec<Example<'a>>) {
    for (media, object) in holder.get("content").and_then(Value::as_object).into_iter().flatten() {
        with_schema(document, object, &format!("{pointer}/content/{}", escape(media)), out);
    }
}

/// The parameters of a path item or an operation written in place, by index.
fn own_parameters(holder: &Value) -> impl Iterator<Item = (usize, &Value)> {
    let list = holder.get("parameters").and_then(Value::as_array);
    list.into_iter().flatten().enumerate().filter(|(_, p)| !is_reference(p))
}

/// Whether `value` is a `$ref` the resolver kept: its examples are found once, in the component.
fn is_reference(value: &Value) -> bool {
    value.get("$ref").is_some()
}

/// `example` keywords inside a schema, each checked against the schema it sits in.
fn schema_examples<'a>(schema: &'a Value, pointer: &str, out: &mut Vec<Example<'a>>) {
    let Some(object) = schema.as_object() else { return };
    if let Some(value) = object.get("example") {
        // The schema as it is: its own `example` is an annotation the validator ignores (and
        // schemas that differ only in it are validated by one validator).
        out.push(Example { pointer: format!("{pointer}/example"), value, schema: Cow::Borrowed(schema) });
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

/// Every example of a resolved, rewritten document. The examples of a component (a schema, a
/// parameter, a request body, a response) are found once, where the component is written, with
/// its pointer.
pub fn examples(document: &Value) -> Vec<Example<'_>> {
    let mut out = Vec::new();
    let section = |name: &str| document.pointer(&format!("/components/{name}")).and_then(Value::as_object);
    for (name, schema) in section("schemas").into_iter().flatten() {
        let pointer = format!("#/components/schemas/{}", escape(name));
        schema_examples(super::definition::referenced(schema).unwrap_or(schema), &pointer, &mut out);
    }
    for (name, parameter) in section("parameters").into_iter().flatten().filter(|(_, p)| !is_reference(p)) {
        with_schema(document, parameter, &format!("#/components/parameters/{}", escape(name)), &mut out);
    }
    for kind in ["requestBodies", "responses"] {
        for (name, holder) in section(kind).into_iter().flatten().filter(|(_, h)| !is_reference(h)) {
            with_content(document, holder, &format!("#/components/{kind}/{}", escape(name)), &mut out);
        }
    }
    let Some(paths) = document.get("paths").and_then(Value::as_object) else { return out };
    let methods = Methods::of(document);
    for (path, item) in paths {
        let item_pointer = format!("#/paths/{}", escape(path));
        for (i, param) in own_parameters(item) {
            with_schema(document, param, &format!("{item_pointer}/parameters/{i}"), &mut out);
        }
        for (key, _, operation) in methods.operations(item) {
            let pointer = format!("{item_pointer}/{key}");
            for (i, param) in own_parameters(operation) {
                with_schema(document, param, &format!("{pointer}/parameters/{i}"), &mut out);
            }
            if let Some(body) = operation.get("requestBody").filter(|b| !is_reference(b)) {
                with_content(document, body, &format!("{pointer}/requestBody"), &mut out);
            }
            for (status, response) in operation.get("responses").and_then(Value::as_object).into_iter().flatten() {
                if !is_reference(response) {
                    with_content(document, response, &format!("{pointer}/responses/{status}"), &mut out);
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

    #[test]
    fn a_shared_component_s_examples_are_found_once_where_written() {
        let text = "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses: {'404': {$ref: '#/components/responses/E'}}\n    post:\n      requestBody: {content: {application/json: {schema: {type: integer}, examples: {one: {$ref: '#/components/examples/One'}}}}}\n      responses: {'404': {$ref: '#/components/responses/E'}}\ncomponents:\n  examples:\n    One: {value: 1}\n  responses:\n    E: {description: e, content: {application/json: {schema: {type: string}, example: gone}}}\n";
        let doc = crate::spec::parse_resolved(std::path::Path::new("t.yaml"), text).unwrap();
        let found: Vec<(String, Value)> = examples(&doc).into_iter().map(|e| (e.pointer, e.value.clone())).collect();
        assert_eq!(
            found,
            [
                ("#/components/responses/E/content/application~1json/example".to_owned(), json!("gone")),
                ("#/paths/~1a/post/requestBody/content/application~1json/examples/one".to_owned(), json!(1)),
            ]
        );
    }
}
