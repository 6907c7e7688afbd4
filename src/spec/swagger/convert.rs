//! The Swagger 2.0 document in the OpenAPI 3.0 shape: `host`, `basePath` and `schemes` become
//! `servers`; `definitions`, `parameters`, `responses` and `securityDefinitions` become
//! `components` (a body or form parameter is inlined where it is used, since 3.0 has no such
//! parameter); every operation's parameters, body and responses are converted with its
//! `consumes` and `produces` (or the document's). Each place that moves is recorded in the
//! [`PointerMap`], so that a problem found later is reported where the 2.0 document has it.

use serde_json::{Map, Value, json};

use super::super::methods::SWAGGER_METHODS;
use super::super::pointer_map::PointerMap;
use super::super::problem::{Problem, escape};
use super::{parameters, responses, schema};

/// A converted document, its pointer map, and what was read with a warning.
#[derive(Debug)]
pub struct Converted {
    pub document: Value,
    pub pointers: PointerMap,
    pub warnings: Vec<Problem>,
}

/// The state of one conversion: what the document shares, and what has been recorded.
pub(super) struct Converter {
    /// `#/parameters`, as written (body and form parameters are inlined from here).
    pub parameters: Map<String, Value>,
    /// `#/responses`, as written (inlined where an operation's `produces` differs).
    pub responses: Map<String, Value>,
    pub consumes: Vec<String>,
    pub produces: Vec<String>,
    pub pointers: PointerMap,
    pub warnings: Vec<Problem>,
}

/// A list of strings (`consumes`, `produces`); anything else is none.
pub(super) fn strings(value: Option<&Value>) -> Vec<String> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
}

impl Converter {
    /// Warnings about the thing at `pointer` (of the 2.0 document).
    pub fn warn(&mut self, pointer: &str, messages: Vec<String>) {
        self.warnings.extend(messages.into_iter().map(|m| Problem::warning(pointer, m)));
    }

    /// A parameter that may be a local `$ref` into `#/parameters`: the definition and where it is written.
    pub fn parameter<'a>(&'a self, param: &'a Value, at: &str) -> (&'a Value, String) {
        match param.get("$ref").and_then(Value::as_str).and_then(|t| t.strip_prefix("#/parameters/")) {
            Some(name) => match self.parameters.get(&name.replace("~1", "/").replace("~0", "~")) {
                Some(found) => (found, format!("#/parameters/{name}")),
                None => (param, at.to_owned()),
            },
            None => (param, at.to_owned()),
        }
    }
}

/// The server URL of `host`, `basePath` and the first of `schemes`.
fn servers(root: &Map<String, Value>) -> Option<Value> {
    let host = root.get("host").and_then(Value::as_str);
    let base = root.get("basePath").and_then(Value::as_str).unwrap_or_default();
    let scheme = strings(root.get("schemes")).into_iter().next().unwrap_or_else(|| "https".to_owned());
    let url = match host {
        Some(host) => format!("{scheme}://{host}{base}"),
        None if !base.is_empty() => base.to_owned(),
        None => return None,
    };
    Some(json!([{ "url": url }]))
}

/// A 2.0 security definition as a 3.0 security scheme.
fn security_scheme(definition: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    let get = |key: &str| definition.get(key).cloned().unwrap_or(Value::Null);
    match definition.get("type").and_then(Value::as_str) {
        Some("basic") => {
            out.insert("type".to_owned(), json!("http"));
            out.insert("scheme".to_owned(), json!("basic"));
        }
        Some("apiKey") => {
            out.insert("type".to_owned(), json!("apiKey"));
            out.insert("name".to_owned(), get("name"));
            out.insert("in".to_owned(), get("in"));
        }
        Some("oauth2") => {
            let scopes = definition.get("scopes").cloned().unwrap_or_else(|| json!({}));
            let (flow, mut urls) = match definition.get("flow").and_then(Value::as_str) {
                Some("implicit") => ("implicit", json!({ "authorizationUrl": get("authorizationUrl") })),
                Some("password") => ("password", json!({ "tokenUrl": get("tokenUrl") })),
                Some("application") => ("clientCredentials", json!({ "tokenUrl": get("tokenUrl") })),
                _ => (
                    "authorizationCode",
                    json!({ "authorizationUrl": get("authorizationUrl"), "tokenUrl": get("tokenUrl") }),
                ),
            };
            urls["scopes"] = scopes;
            out.insert("type".to_owned(), json!("oauth2"));
            out.insert("flows".to_owned(), json!({ flow: urls }));
        }
        _ => return Value::Object(definition.clone()),
    }
    for (key, value) in definition.iter().filter(|(k, _)| *k == "description" || k.starts_with("x-")) {
        out.insert(key.clone(), value.clone());
    }
    Value::Object(out)
}

/// Converts a Swagger 2.0 document (an object with `swagger: "2.0"`) to the OpenAPI 3.0 shape.
pub fn convert(document: Value) -> Converted {
    let Value::Object(mut root) = document else {
        return Converted { document: Value::Null, pointers: PointerMap::default(), warnings: Vec::new() };
    };
    let take_map = |root: &mut Map<String, Value>, key: &str| match root.remove(key) {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut converter = Converter {
        parameters: take_map(&mut root, "parameters"),
        responses: take_map(&mut root, "responses"),
        consumes: strings(root.get("consumes")),
        produces: strings(root.get("produces")),
        pointers: PointerMap::default(),
        warnings: Vec::new(),
    };
    let definitions = take_map(&mut root, "definitions");
    let security_definitions = take_map(&mut root, "securityDefinitions");
    let paths = root.remove("paths");

    let mut out = Map::new();
    out.insert("openapi".to_owned(), json!("3.0.3"));
    if let Some(servers) = servers(&root) {
        out.insert("servers".to_owned(), servers);
        converter.pointers.record("#/servers", "#/basePath");
    }
    for (key, value) in root {
        if matches!(key.as_str(), "info" | "tags" | "externalDocs" | "security") || key.starts_with("x-") {
            out.insert(key, value);
        }
    }

    let mut components = Map::new();
    let mut schemas = Map::new();
    for (name, mut definition) in definitions {
        let mut warnings = Vec::new();
        schema::convert(&mut definition, &mut warnings);
        converter.warn(&format!("#/definitions/{}", escape(&name)), warnings);
        schemas.insert(name, definition);
    }
    converter.pointers.record("#/components/schemas", "#/definitions");
    let shared_parameters: Vec<(String, Value)> =
        converter.parameters.iter().map(|(name, p)| (name.clone(), p.clone())).collect();
    let mut parameters = Map::new();
    for (name, param) in shared_parameters {
        let Some(object) = param.as_object() else { continue };
        if matches!(object.get("in").and_then(Value::as_str), Some("body" | "formData")) {
            continue; // inlined where used
        }
        let at = format!("#/parameters/{}", escape(&name));
        let mut warnings = Vec::new();
        parameters.insert(name.clone(), parameters::parameter(object, &mut warnings));
        converter.warn(&at, warnings);
        converter.pointers.record(format!("#/components/parameters/{}/schema", escape(&name)), at);
    }
    converter.pointers.record("#/components/parameters", "#/parameters");
    let shared_responses: Vec<(String, Value)> =
        converter.responses.iter().map(|(name, r)| (name.clone(), r.clone())).collect();
    let mut responses = Map::new();
    let produces = converter.produces.clone();
    for (name, response) in shared_responses {
        let at = format!("#/responses/{}", escape(&name));
        let converted = responses::response(
            &mut converter,
            &response,
            &produces,
            &format!("#/components/responses/{}", escape(&name)),
            &at,
        );
        responses.insert(name, converted);
    }
    converter.pointers.record("#/components/responses", "#/responses");
    let schemes: Map<String, Value> = security_definitions
        .iter()
        .map(|(name, d)| (name.clone(), d.as_object().map_or_else(|| d.clone(), security_scheme)))
        .collect();
    converter.pointers.record("#/components/securitySchemes", "#/securityDefinitions");
    for (key, section) in
        [("schemas", schemas), ("parameters", parameters), ("responses", responses), ("securitySchemes", schemes)]
    {
        if !section.is_empty() {
            components.insert(key.to_owned(), Value::Object(section));
        }
    }

    let mut converted_paths = Map::new();
    if let Some(Value::Object(paths)) = paths {
        for (path, item) in paths {
            let converted = path_item(&mut converter, &path, item);
            converted_paths.insert(path, converted);
        }
    }
    out.insert("paths".to_owned(), Value::Object(converted_paths));
    if !components.is_empty() {
        out.insert("components".to_owned(), Value::Object(components));
    }
    Converted { document: Value::Object(out), pointers: converter.pointers, warnings: converter.warnings }
}

/// One path item: its shared value parameters stay on it; its body and form parameters go to
/// each operation's request body.
fn path_item(converter: &mut Converter, path: &str, item: Value) -> Value {
    let at = format!("#/paths/{}", escape(path));
    let Value::Object(mut item) = item else { return item };
    if item.contains_key("$ref") {
        converter.warn(
            &at,
            vec!["a path item `$ref` is read as written: Swagger 2.0 inside it is not converted".to_owned()],
        );
        return Value::Object(item);
    }
    let shared: Vec<(Value, String)> = match item.remove("parameters") {
        Some(Value::Array(list)) => {
            list.into_iter().enumerate().map(|(i, p)| (p, format!("{at}/parameters/{i}"))).collect()
        }
        _ => Vec::new(),
    };
    let mut out = Map::new();
    let kept = super::operation::value_parameters(converter, &shared, &format!("{at}/parameters"));
    if !kept.is_empty() {
        out.insert("parameters".to_owned(), Value::Array(kept));
    }
    for (key, value) in item {
        if SWAGGER_METHODS.contains(&key.as_str()) {
            let pointer = format!("{at}/{key}");
            let converted = match value {
                Value::Object(operation) => super::operation::operation(converter, operation, &shared, &pointer),
                other => other,
            };
            out.insert(key, converted);
        } else if key.starts_with("x-") {
            out.insert(key, value);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_and_security_schemes() {
        let root = json!({"host": "api.example.com:8443", "basePath": "/v1", "schemes": ["https", "http"]});
        assert_eq!(servers(root.as_object().unwrap()), Some(json!([{"url": "https://api.example.com:8443/v1"}])));
        assert_eq!(servers(json!({"basePath": "/v2"}).as_object().unwrap()), Some(json!([{"url": "/v2"}])));
        assert_eq!(servers(&Map::new()), None);
        let scheme = |v: Value| security_scheme(v.as_object().unwrap());
        assert_eq!(scheme(json!({"type": "basic"})), json!({"type": "http", "scheme": "basic"}));
        assert_eq!(
            scheme(json!({"type": "apiKey", "name": "X-Key", "in": "header", "x-conform-variable": "key"})),
            json!({"type": "apiKey", "name": "X-Key", "in": "header", "x-conform-variable": "key"})
        );
        assert_eq!(
            scheme(json!({"type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {"read": "r"}})),
            json!({"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t", "scopes": {"read": "r"}}}})
        );
        assert_eq!(
            scheme(
                json!({"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}})
            ),
            json!({"type": "oauth2", "flows": {"authorizationCode": {"authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}}}})
        );
    }
}
