//! Swagger 2.0 parameters in OpenAPI 3.0 terms. A path, query or header parameter carries its
//! type and bounds itself: they become its `schema`, and its `collectionFormat` becomes the 3.0
//! `style`/`explode` that serialise an array the same way (`tsv` has no 3.0 counterpart:
//! `x-conform-collection-format: tsv`); an object query parameter given as OpenAPI 3 writes one
//! ([`QUERY_OBJECT`]) keeps its object schema, sent as an exploded form. An `in: body` parameter is the request body, one media
//! type per `consumes` entry; `in: formData` parameters are the properties of a form body,
//! URL-encoded or multipart as `consumes` says (multipart when one is a `type: file`).

use serde_json::{Map, Value, json};

use super::schema;

/// The keywords of a 2.0 parameter, header or items object that describe its value.
pub(super) const VALUE_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

/// Marks a query parameter that gives an OpenAPI 3 style object `schema` to be sent as an exploded
/// form (`style: form`, `explode: true`): its value is that schema, which 2.0 cannot hold.
pub(super) const QUERY_OBJECT: &str = "x-conform-query-object";

pub const FORM: &str = "application/x-www-form-urlencoded";
pub const MULTIPART: &str = "multipart/form-data";

/// The schema of a non-body parameter, a response header or an items object: its value keywords.
/// Warnings (about nested `collectionFormat`s) are pushed to `warnings`.
pub fn value_schema(object: &Map<String, Value>, warnings: &mut Vec<String>) -> Value {
    let mut out = Map::new();
    for keyword in VALUE_KEYWORDS {
        if let Some(value) = object.get(*keyword) {
            out.insert((*keyword).to_owned(), value.clone());
        }
    }
    if let Some(Value::Object(items)) = object.get("items") {
        let format = items.get("collectionFormat").and_then(Value::as_str);
        if items.get("type").and_then(Value::as_str) == Some("array") && format.is_some_and(|f| f != "csv") {
            warnings.push(format!(
                "the `collectionFormat: {}` of nested items is not used: inner arrays are sent comma-separated",
                format.unwrap_or_default()
            ));
        }
        out.insert("items".to_owned(), value_schema(items, warnings));
    }
    schema::keywords(&mut out);
    Value::Object(out)
}

/// The 3.0 `style`/`explode` (or conform's extension, for `tsv`) for an array parameter's
/// `collectionFormat` (2.0's default is `csv`) in `location`.
fn serialisation(location: &str, format: &str, out: &mut Map<String, Value>) {
    let (style, explode) = match (location, format) {
        ("query", "multi") => ("form", true),
        ("query", "ssv") => ("spaceDelimited", false),
        ("query", "pipes") => ("pipeDelimited", false),
        ("query", "tsv") | ("path" | "header", "ssv" | "tsv" | "pipes") => {
            out.insert("x-conform-collection-format".to_owned(), Value::String(format.to_owned()));
            return;
        }
        ("query", _) => ("form", false),
        _ => ("simple", false),
    };
    out.insert("style".to_owned(), Value::String(style.to_owned()));
    out.insert("explode".to_owned(), Value::Bool(explode));
}

/// A path, query or header parameter in 3.0 terms.
pub fn parameter(param: &Map<String, Value>, warnings: &mut Vec<String>) -> Value {
    let mut out = Map::new();
    let location = param.get("in").and_then(Value::as_str).unwrap_or_default();
    for key in ["name", "in", "description"] {
        if let Some(value) = param.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    let required = location == "path" || param.get("required").and_then(Value::as_bool).unwrap_or(false);
    if required || param.contains_key("required") {
        out.insert("required".to_owned(), Value::Bool(required));
    }
    if location == "query"
        && let Some(allow) = param.get("allowEmptyValue")
    {
        out.insert("allowEmptyValue".to_owned(), allow.clone());
    }
    let schema = match param.get(QUERY_OBJECT) {
        Some(object) => {
            // An object sent as its `key=value` pairs, as OpenAPI 3 sends one.
            let mut schema = object.clone();
            schema::convert(&mut schema, warnings);
            out.insert("style".to_owned(), Value::String("form".to_owned()));
            out.insert("explode".to_owned(), Value::Bool(true));
            schema
        }
        None => {
            let schema = value_schema(param, warnings);
            if schema.get("type").and_then(Value::as_str) == Some("array") {
                let format = param.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv");
                serialisation(location, format, &mut out);
            }
            schema
        }
    };
    out.insert("schema".to_owned(), schema);
    let extension = |k: &str| k.starts_with("x-") && k != "x-nullable" && k != QUERY_OBJECT;
    for (key, value) in param.iter().filter(|(k, _)| extension(k)) {
        out.insert(key.clone(), value.clone());
    }
    Value::Object(out)
}

/// The request body of an `in: body` parameter, one media type per `consumes` entry.
pub fn body(param: &Map<String, Value>, consumes: &[String], warnings: &mut Vec<String>) -> Value {
    let mut schema = param.get("schema").cloned().unwrap_or_else(|| json!({}));
    schema::convert(&mut schema, warnings);
    let media: Vec<String> = if consumes.is_empty() { vec!["application/json".to_owned()] } else { consumes.to_vec() };
    let content: Map<String, Value> = media.into_iter().map(|m| (m, json!({ "schema": schema.clone() }))).collect();
    let mut out = Map::new();
    if let Some(description) = param.get("description") {
        out.insert("description".to_owned(), description.clone());
    }
    out.insert("content".to_owned(), Value::Object(content));
    if param.get("required").and_then(Value::as_bool) == Some(true) {
        out.insert("required".to_owned(), Value::Bool(true));
    }
    for (key, value) in param.iter().filter(|(k, _)| k.starts_with("x-")) {
        out.insert(key.clone(), value.clone());
    }
    Value::Object(out)
}

/// The media types of a form body: those of `consumes` that are forms, else the one the 2.0
/// rules imply (multipart for a file), with a warning.
pub fn form_media(params: &[&Map<String, Value>], consumes: &[String], warnings: &mut Vec<String>) -> Vec<String> {
    let file = params.iter().any(|p| p.get("type").and_then(Value::as_str) == Some("file"));
    let essence = |m: &str| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let forms: Vec<String> =
        consumes.iter().filter(|m| [FORM, MULTIPART].contains(&essence(m).as_str())).cloned().collect();
    if file && !forms.iter().any(|m| essence(m) == MULTIPART) {
        warnings
            .push(format!("a `type: file` parameter needs `consumes: [{MULTIPART}]`; the form is sent as {MULTIPART}"));
        return vec![MULTIPART.to_owned()];
    }
    if forms.is_empty() {
        warnings.push(format!(
            "`in: formData` parameters need `consumes` to list {FORM} or {MULTIPART}; the form is sent as {FORM}"
        ));
        return vec![FORM.to_owned()];
    }
    forms
}

/// The request body of `in: formData` parameters: an object with one property per parameter.
pub fn form(params: &[&Map<String, Value>], media: &[String], warnings: &mut Vec<String>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for param in params {
        let Some(name) = param.get("name").and_then(Value::as_str) else { continue };
        let mut property = value_schema(param, warnings);
        if let (Some(description), Value::Object(p)) = (param.get("description"), &mut property) {
            p.insert("description".to_owned(), description.clone());
        }
        let format = param.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv");
        if property.get("type").and_then(Value::as_str) == Some("array") && format != "multi" {
            warnings.push(format!(
                "form field `{name}` is an array with `collectionFormat: {format}`: conform sends an array as \
                 repeated fields (`multi`)"
            ));
        }
        properties.insert(name.to_owned(), property);
        if param.get("required").and_then(Value::as_bool) == Some(true) {
            required.push(Value::String(name.to_owned()));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".to_owned(), Value::String("object".to_owned()));
    schema.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".to_owned(), Value::Array(required.clone()));
    }
    let schema = Value::Object(schema);
    let content: Map<String, Value> = media.iter().map(|m| (m.clone(), json!({ "schema": schema.clone() }))).collect();
    let mut out = Map::new();
    out.insert("content".to_owned(), Value::Object(content));
    if !required.is_empty() {
        out.insert("required".to_owned(), Value::Bool(true));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn value_parameters_get_a_schema_and_a_serialisation() {
        let mut warnings = Vec::new();
        let param =
            object(json!({"name": "tags", "in": "query", "type": "array", "items": {"type": "string", "maxLength": 8},
            "collectionFormat": "pipes", "allowEmptyValue": true, "x-conform-source": {"level": "doc"}}));
        assert_eq!(
            parameter(&param, &mut warnings),
            json!({"name": "tags", "in": "query", "allowEmptyValue": true, "style": "pipeDelimited", "explode": false,
                "schema": {"type": "array", "items": {"type": "string", "maxLength": 8}},
                "x-conform-source": {"level": "doc"}})
        );
        let id = object(json!({"name": "id", "in": "path", "type": "integer", "format": "int64", "x-nullable": true}));
        assert_eq!(
            parameter(&id, &mut warnings),
            json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64", "nullable": true}})
        );
        for (location, format, expected) in [
            ("query", None, json!({"style": "form", "explode": false})),
            ("query", Some("multi"), json!({"style": "form", "explode": true})),
            ("query", Some("ssv"), json!({"style": "spaceDelimited", "explode": false})),
            ("query", Some("tsv"), json!({"x-conform-collection-format": "tsv"})),
            ("header", Some("csv"), json!({"style": "simple", "explode": false})),
            ("path", Some("pipes"), json!({"x-conform-collection-format": "pipes"})),
        ] {
            let mut param = json!({"name": "a", "in": location, "type": "array", "items": {"type": "integer"}});
            if let Some(format) = format {
                param["collectionFormat"] = json!(format);
            }
            let converted = parameter(param.as_object().unwrap(), &mut warnings);
            for (key, value) in expected.as_object().unwrap() {
                assert_eq!(&converted[key], value, "{location} {format:?}");
            }
        }
        assert!(warnings.is_empty(), "{warnings:?}");
        let freeform = object(json!({"name": "freeform", "in": "query", "type": "string", "allowEmptyValue": true,
            "x-conform-query-object": {"type": "object", "additionalProperties": {"type": "string", "x-nullable": true}}}));
        assert_eq!(
            parameter(&freeform, &mut warnings),
            json!({"name": "freeform", "in": "query", "allowEmptyValue": true, "style": "form", "explode": true,
                "schema": {"type": "object", "additionalProperties": {"type": "string", "nullable": true}}})
        );
    }

    #[test]
    fn body_and_form_parameters_make_request_bodies() {
        let mut warnings = Vec::new();
        let pet =
            object(json!({"name": "pet", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}));
        assert_eq!(
            body(&pet, &["application/json".into(), "application/xml".into()], &mut warnings),
            json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}},
                "application/xml": {"schema": {"$ref": "#/components/schemas/Pet"}}}, "required": true})
        );
        let name = object(json!({"name": "name", "in": "formData", "type": "string", "required": true}));
        let file = object(json!({"name": "photo", "in": "formData", "type": "file", "description": "a photo"}));
        let media = form_media(&[&name, &file], &[], &mut warnings);
        assert_eq!(media, [MULTIPART]);
        assert_eq!(warnings.len(), 1, "the missing consumes is named: {warnings:?}");
        assert_eq!(
            form(&[&name, &file], &media, &mut warnings),
            json!({"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
                "name": {"type": "string"}, "photo": {"type": "string", "format": "binary", "description": "a photo"}},
                "required": ["name"]}}}, "required": true})
        );
        let consumes = vec![FORM.to_owned(), "application/json".to_owned()];
        assert_eq!(form_media(&[&name], &consumes, &mut warnings), [FORM]);
    }
}
