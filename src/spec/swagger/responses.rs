//! Swagger 2.0 responses in OpenAPI 3.0 terms: the `schema` is given for each media type the
//! operation `produces` (the document's when it says none; `application/json` when neither
//! does), the `examples` by media type become each media type's `example`, and each header's
//! type and bounds become its `schema`.

use serde_json::{Map, Value, json};

use super::super::problem::escape;
use super::convert::Converter;
use super::{parameters, schema};

/// One response object (not a `$ref`): `at` is where it is in the converted document, `original`
/// where it is written.
pub fn response(converter: &mut Converter, response: &Value, produces: &[String], at: &str, original: &str) -> Value {
    let Some(object) = response.as_object() else { return response.clone() };
    let mut out = Map::new();
    out.insert("description".to_owned(), object.get("description").cloned().unwrap_or_else(|| json!("")));
    let mut warnings = Vec::new();
    if let Some(headers) = object.get("headers").and_then(Value::as_object) {
        let mut converted = Map::new();
        for (name, header) in headers {
            let Some(header) = header.as_object() else { continue };
            let mut out = Map::new();
            if let Some(description) = header.get("description") {
                out.insert("description".to_owned(), description.clone());
            }
            out.insert("schema".to_owned(), parameters::value_schema(header, &mut warnings));
            for (key, value) in header.iter().filter(|(k, _)| k.starts_with("x-") && *k != "x-nullable") {
                out.insert(key.clone(), value.clone());
            }
            converter.pointers.record(
                format!("{at}/headers/{}/schema", escape(name)),
                format!("{original}/headers/{}", escape(name)),
            );
            converted.insert(name.clone(), Value::Object(out));
        }
        out.insert("headers".to_owned(), Value::Object(converted));
    }
    if let Some(body_schema) = object.get("schema") {
        let mut body_schema = body_schema.clone();
        schema::convert(&mut body_schema, &mut warnings);
        let examples = object.get("examples").and_then(Value::as_object);
        let mut media: Vec<String> =
            if produces.is_empty() { vec!["application/json".to_owned()] } else { produces.to_vec() };
        for documented in examples.into_iter().flat_map(Map::keys) {
            if !media.contains(documented) {
                media.push(documented.clone());
            }
        }
        let mut content = Map::new();
        for media in media {
            let mut entry = Map::new();
            entry.insert("schema".to_owned(), body_schema.clone());
            if let Some(example) = examples.and_then(|e| e.get(&media)) {
                entry.insert("example".to_owned(), example.clone());
                converter.pointers.record(
                    format!("{at}/content/{}/example", escape(&media)),
                    format!("{original}/examples/{}", escape(&media)),
                );
            }
            converter.pointers.record(format!("{at}/content/{}/schema", escape(&media)), format!("{original}/schema"));
            content.insert(media, Value::Object(entry));
        }
        out.insert("content".to_owned(), Value::Object(content));
    }
    for (key, value) in object.iter().filter(|(k, _)| k.starts_with("x-")) {
        out.insert(key.clone(), value.clone());
    }
    converter.warn(original, warnings);
    if at != original {
        converter.pointers.record(at, original);
    }
    Value::Object(out)
}

/// An operation's response at `at` (the same pointer in both documents): a `$ref` to a shared
/// response stays one when the operation produces what the document does, else the shared
/// response is converted in place with the operation's media types.
pub fn operation_response(converter: &mut Converter, value: &Value, produces: &[String], at: &str) -> Value {
    let Some(target) = value.get("$ref").and_then(Value::as_str) else {
        return response(converter, value, produces, at, at);
    };
    let shared = target
        .strip_prefix("#/responses/")
        .map(|name| name.replace("~1", "/").replace("~0", "~"))
        .and_then(|name| converter.responses.get(&name).cloned().map(|r| (name, r)));
    match shared {
        Some((_, _)) if produces == converter.produces.as_slice() => {
            json!({ "$ref": schema::reference(target).unwrap_or_else(|| target.to_owned()) })
        }
        Some((name, shared)) => response(converter, &shared, produces, at, &format!("#/responses/{}", escape(&name))),
        None => {
            let mut kept = value.clone();
            kept["$ref"] = json!(schema::reference(target).unwrap_or_else(|| target.to_owned()));
            kept
        }
    }
}
