//! One Swagger 2.0 operation in OpenAPI 3.0 terms: its path, query and header parameters stay
//! parameters (a `$ref` to a shared one stays a reference); its body parameter, or its form
//! parameters, become the `requestBody` with its `consumes`; its responses get its `produces`.

use serde_json::{Map, Value, json};

use super::super::problem::escape;
use super::check::UNSENT;
use super::convert::{Converter, strings};
use super::{parameters, responses, schema};

/// The path, query and header parameters of `list` (each with where it is written) in 3.0 terms;
/// `at` is where the list is in the converted document. Body and form parameters are left out.
pub fn value_parameters(converter: &mut Converter, list: &[(Value, String)], at: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for (param, original) in list {
        let (definition, written) = converter.parameter(param, original);
        let location = definition.get("in").and_then(Value::as_str);
        if matches!(location, Some("body" | "formData")) || definition.get(UNSENT).is_some() {
            continue;
        }
        let here = format!("{at}/{}", out.len());
        let converted = match param.get("$ref").and_then(Value::as_str) {
            Some(target) => json!({ "$ref": schema::reference(target).unwrap_or_else(|| target.to_owned()) }),
            None => match definition.as_object() {
                Some(object) => {
                    let mut warnings = Vec::new();
                    let converted = parameters::parameter(object, &mut warnings);
                    converter.warn(&written, warnings);
                    converter.pointers.record(format!("{here}/schema"), written.clone());
                    converted
                }
                None => definition.clone(),
            },
        };
        converter.pointers.record(here, original.clone());
        out.push(converted);
    }
    out
}

/// The `(name, in)` of a parameter, following a local `$ref`.
fn identity(converter: &Converter, param: &Value, at: &str) -> (String, String) {
    let (definition, _) = converter.parameter(param, at);
    let text = |key: &str| definition.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    (text("name"), text("in"))
}

/// The request body made of the body or form parameters in effect (the operation's own over the
/// path item's of the same name and location), if any.
fn request_body(
    converter: &mut Converter,
    shared: &[(Value, String)],
    own: &[(Value, String)],
    consumes: &[String],
    at: &str,
) -> Option<Value> {
    let own_ids: Vec<(String, String)> = own.iter().map(|(p, w)| identity(converter, p, w)).collect();
    let in_effect: Vec<(Value, String)> = shared
        .iter()
        .filter(|(p, w)| !own_ids.contains(&identity(converter, p, w)))
        .chain(own)
        .map(|(p, w)| {
            let (definition, written) = converter.parameter(p, w);
            (definition.clone(), written)
        })
        .filter(|(definition, _)| matches!(definition.get("in").and_then(Value::as_str), Some("body" | "formData")))
        .filter(|(definition, _)| definition.get(UNSENT).is_none())
        .collect();
    let body = in_effect.iter().find(|(d, _)| d.get("in").and_then(Value::as_str) == Some("body"));
    let mut warnings = Vec::new();
    let (converted, written) = if let Some((definition, written)) = body {
        let object = definition.as_object()?;
        let converted = parameters::body(object, consumes, &mut warnings);
        for media in converted.get("content").and_then(Value::as_object).into_iter().flat_map(Map::keys) {
            converter
                .pointers
                .record(format!("{at}/requestBody/content/{}/schema", escape(media)), format!("{written}/schema"));
        }
        (converted, written.clone())
    } else {
        let forms: Vec<&Map<String, Value>> = in_effect.iter().filter_map(|(d, _)| d.as_object()).collect();
        let first = in_effect.first()?.1.clone();
        let media = parameters::form_media(&forms, consumes, &mut warnings);
        let converted = parameters::form(&forms, &media, &mut warnings);
        for (definition, written) in &in_effect {
            let Some(name) = definition.get("name").and_then(Value::as_str) else { continue };
            for media in &media {
                converter.pointers.record(
                    format!("{at}/requestBody/content/{}/schema/properties/{}", escape(media), escape(name)),
                    written.clone(),
                );
            }
        }
        (converted, first)
    };
    converter.warn(&written, warnings);
    converter.pointers.record(format!("{at}/requestBody"), written);
    Some(converted)
}

/// An operation at `at` (the same pointer in both documents); `shared` are its path item's
/// parameters, each with where it is written.
pub fn operation(
    converter: &mut Converter,
    operation: Map<String, Value>,
    shared: &[(Value, String)],
    at: &str,
) -> Value {
    let consumes = if operation.contains_key("consumes") {
        strings(operation.get("consumes"))
    } else {
        converter.consumes.clone()
    };
    let produces = if operation.contains_key("produces") {
        strings(operation.get("produces"))
    } else {
        converter.produces.clone()
    };
    let own: Vec<(Value, String)> = match operation.get("parameters") {
        Some(Value::Array(list)) => {
            list.iter().enumerate().map(|(i, p)| (p.clone(), format!("{at}/parameters/{i}"))).collect()
        }
        _ => Vec::new(),
    };
    let mut body = request_body(converter, shared, &own, &consumes, at);
    let mut out = Map::new();
    for (key, value) in operation {
        match key.as_str() {
            "parameters" => {
                let converted = value_parameters(converter, &own, &format!("{at}/parameters"));
                if !converted.is_empty() {
                    out.insert(key, Value::Array(converted));
                }
                if let Some(body) = body.take() {
                    out.insert("requestBody".to_owned(), body);
                }
            }
            "responses" => {
                if let Some(body) = body.take() {
                    out.insert("requestBody".to_owned(), body);
                }
                let converted = match value {
                    Value::Object(list) => Value::Object(
                        list.into_iter()
                            .map(|(status, r)| {
                                let here = format!("{at}/responses/{}", escape(&status));
                                let converted = if status.starts_with("x-") {
                                    r
                                } else {
                                    responses::operation_response(converter, &r, &produces, &here)
                                };
                                (status, converted)
                            })
                            .collect(),
                    ),
                    other => other,
                };
                out.insert(key, converted);
            }
            "consumes" | "produces" | "schemes" => {}
            _ => {
                out.insert(key, value);
            }
        }
    }
    if let Some(body) = body {
        out.insert("requestBody".to_owned(), body);
    }
    // `produces` says what the operation answers with even where no response has a schema.
    if !produces.is_empty() {
        out.insert(PRODUCES.to_owned(), Value::from(produces));
    }
    Value::Object(out)
}

/// The converted operation's record of its Swagger 2.0 `produces` (the operation's, else the
/// document's), read into [`crate::spec::Operation::produces`].
pub const PRODUCES: &str = "x-conform-produces";
