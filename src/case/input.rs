//! The generated part of a request: parameters and body, before variables, credentials and the
//! target's base URL are filled in. [`strategy`] generates it for an operation; [`build`] turns it
//! into the [`PreparedRequest`] that is sent.
//!
//! Bodies are generated as JSON, as a URL-encoded form or as a multipart form, whichever of them
//! the operation documents first in that order. A required body of a media type conform cannot
//! encode is a [`GenerateError`]: the case is skipped with that reason, never sent without a body.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::strategy::SBoxedStrategy;
use serde::Serialize;
use serde_json::Value;

use super::either;
use super::values::{self, GenerateError};
use crate::http::PreparedRequest;
use crate::spec::{BodyEncoding, CollectionFormat, CredentialLocation, Operation, ParamLocation, Parameter};

/// The boundary between the parts of a multipart body (fixed, so that a seed replays the same bytes).
pub const MULTIPART_BOUNDARY: &str = "conform-boundary-5f3a9c1e";

/// The generated values of one request.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RequestInput {
    pub path: BTreeMap<String, Value>,
    pub query: BTreeMap<String, Value>,
    pub headers: BTreeMap<String, Value>,
    pub body: Body,
}

/// What goes in the body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    #[default]
    None,
    Json(Value),
    /// A valid JSON body sent cut short by its last byte, so that it is not JSON, labelled as
    /// JSON (malformed-JSON cases). Kept as JSON until it is sent, so that the send guard can
    /// rewrite a recipient inside it like any other.
    Truncated(Value),
    /// An object sent as `application/x-www-form-urlencoded`.
    Form(Value),
    /// An object sent as `multipart/form-data`, one part per property (per item for arrays).
    Multipart(Value),
    /// (issue 25) A valid JSON body sent as hostile bytes labelled as JSON. Kept as JSON until it
    /// is sent, as [`Body::Truncated`] is.
    Hostile(Hostile, Value),
}

/// (issue 25) How a JSON body is made hostile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hostile {
    /// A byte that is not UTF-8 inside the text.
    InvalidUtf8,
    /// A UTF-8 byte-order mark before the text.
    ByteOrderMark,
    /// The body nested in 1,000 arrays.
    DeepNesting,
    /// The first key of the object written twice.
    DuplicateKeys,
    /// The number at this pointer written as `1e400`, beyond float range.
    HugeNumber(String),
    /// No bytes at all.
    Empty,
}

/// How deep [`Hostile::DeepNesting`] nests.
pub const HOSTILE_DEPTH: usize = 1000;

impl Hostile {
    /// The last part of the case id.
    pub fn slug(&self) -> String {
        match self {
            Hostile::InvalidUtf8 => "body-invalid-utf8".to_owned(),
            Hostile::ByteOrderMark => "body-byte-order-mark".to_owned(),
            Hostile::DeepNesting => "body-nested-1000".to_owned(),
            Hostile::DuplicateKeys => "body-duplicate-keys".to_owned(),
            Hostile::HugeNumber(pointer) => {
                format!("{}-1e400", pointer.trim_start_matches('/').replace('/', "."))
            }
            Hostile::Empty => "body-empty".to_owned(),
        }
    }

    /// The bytes of `value` made hostile.
    pub fn bytes(&self, value: &Value) -> Vec<u8> {
        let text = serde_json::to_vec(value).unwrap_or_default();
        match self {
            Hostile::InvalidUtf8 => {
                let mut bytes = text;
                let at = bytes.iter().position(|b| *b == b'"').map_or(bytes.len().min(1), |i| i + 1);
                bytes.insert(at, 0xFF);
                bytes
            }
            Hostile::ByteOrderMark => [&[0xEF, 0xBB, 0xBF][..], &text].concat(),
            Hostile::DeepNesting => [b"[".repeat(HOSTILE_DEPTH), text, b"]".repeat(HOSTILE_DEPTH)].concat(),
            Hostile::DuplicateKeys => match value.as_object().and_then(|o| o.iter().next()) {
                Some((key, first)) => {
                    let mut bytes = text;
                    bytes.pop();
                    let pair = format!(",{}:{}}}", Value::String(key.clone()), first);
                    bytes.extend_from_slice(pair.as_bytes());
                    bytes
                }
                None => br#"{"conform":1,"conform":2}"#.to_vec(),
            },
            Hostile::HugeNumber(pointer) => {
                const MARK: &str = "conform-1e400-mark";
                let mut marked = value.clone();
                let placed = match marked.pointer_mut(pointer) {
                    Some(slot) => {
                        *slot = Value::String(MARK.to_owned());
                        true
                    }
                    None => false,
                };
                let marked = if placed { marked } else { serde_json::json!({ "conform": MARK }) };
                let text = serde_json::to_string(&marked).unwrap_or_default();
                text.replacen(&format!("\"{MARK}\""), "1e400", 1).into_bytes()
            }
            Hostile::Empty => Vec::new(),
        }
    }
}

impl Body {
    /// The generated value, whatever its encoding or cut (`None` for no body).
    pub fn value(&self) -> Option<&Value> {
        match self {
            Body::Json(value)
            | Body::Truncated(value)
            | Body::Form(value)
            | Body::Multipart(value)
            | Body::Hostile(_, value) => Some(value),
            Body::None => None,
        }
    }

    /// The generated value, for mutation.
    pub fn value_mut(&mut self) -> Option<&mut Value> {
        match self {
            Body::Json(value)
            | Body::Truncated(value)
            | Body::Form(value)
            | Body::Multipart(value)
            | Body::Hostile(_, value) => Some(value),
            Body::None => None,
        }
    }
}

impl RequestInput {
    /// The values a location holds.
    pub fn slot(&self, location: ParamLocation) -> &BTreeMap<String, Value> {
        match location {
            ParamLocation::Path => &self.path,
            ParamLocation::Query => &self.query,
            ParamLocation::Header | ParamLocation::Cookie => &self.headers,
        }
    }

    /// The values a location holds, for mutation.
    pub fn slot_mut(&mut self, location: ParamLocation) -> &mut BTreeMap<String, Value> {
        match location {
            ParamLocation::Path => &mut self.path,
            ParamLocation::Query => &mut self.query,
            ParamLocation::Header | ParamLocation::Cookie => &mut self.headers,
        }
    }
}

/// Generates the parameters that no variable fills (`variables` are the names that have values)
/// and the JSON body, valid by their schemas. Optional parameters and optional bodies are sometimes left out.
pub fn strategy(
    operation: &Operation,
    variables: &BTreeSet<String>,
) -> Result<SBoxedStrategy<RequestInput>, GenerateError> {
    let mut params: Vec<SBoxedStrategy<Option<(ParamLocation, String, Value)>>> = Vec::new();
    for (i, param) in operation.parameters.iter().enumerate() {
        if variables.contains(&param.name) {
            continue;
        }
        let strategy = match values::valid(&param.schema, &format!("{}/parameters/{i}/schema", operation.pointer)) {
            Ok(strategy) => strategy,
            // (issue 25) An optional parameter conform cannot make a value for is left out, which
            // is valid: the operation is still tested, never skipped for it.
            Err(_) if !param.required => continue,
            Err(e) => return Err(e),
        };
        // (issue 25) A path value is never empty: `/accounts/` is another route, not this one
        // with an empty id. Emptiness is a negative case, where the schema forbids it.
        let strategy = if param.location == ParamLocation::Path {
            let param = param.clone();
            strategy.prop_filter("a path value is never empty", move |v| !param_text(&param, v).is_empty()).sboxed()
        } else {
            strategy
        };
        let (location, name) = (param.location, param.name.clone());
        let strategy = strategy.prop_map(move |v| (location, name.clone(), v));
        params.push(if param.required {
            strategy.prop_map(Some).sboxed()
        } else {
            proptest::option::of(strategy).sboxed()
        });
    }
    let at = format!("{}/requestBody", operation.pointer);
    let body: SBoxedStrategy<Body> = match operation.body.as_ref().map(|b| (b, b.generated())) {
        None => Just(Body::None).sboxed(),
        Some((body, None)) if body.required => {
            let media: Vec<&str> = body.content.iter().map(|(m, _)| m.as_str()).collect();
            let message = format!(
                "a `{}` body is not supported (conform generates JSON, application/x-www-form-urlencoded and \
                 multipart/form-data)",
                media.join("`, `")
            );
            return Err(GenerateError { pointer: at, message });
        }
        // An optional body of a type conform cannot make is left out, which is valid.
        Some((_, None)) => Just(Body::None).sboxed(),
        Some((body, Some((_, schema, encoding)))) => {
            let required = body.required;
            let values = values::valid(schema, &at)?.prop_map(move |value| match encoding {
                BodyEncoding::Json => Body::Json(value),
                BodyEncoding::Form => Body::Form(value),
                BodyEncoding::Multipart => Body::Multipart(value),
            });
            if required {
                values.sboxed()
            } else {
                proptest::option::of(values).prop_map(|b| b.unwrap_or_default()).sboxed()
            }
        }
    };
    // Per either-place value: how to place it, and a valid value in case it must be added.
    let groups = either::groups(operation, variables);
    let mut choices: Vec<SBoxedStrategy<(u8, Option<Value>)>> = Vec::new();
    for group in &groups {
        let schema = group.either.places.iter().find_map(|place| either::place_schema(operation, place));
        let fallback = match schema {
            Some(schema) if group.either.required && !group.fixed => {
                values::valid(&schema, &format!("{}/x-conform-either-place", operation.pointer))?
                    .prop_map(Some)
                    .sboxed()
            }
            _ => Just(None).sboxed(),
        };
        choices.push((0u8..6, fallback).sboxed());
    }
    Ok((params, body, choices)
        .prop_map(move |(params, body, choices)| {
            let mut input = RequestInput { body, ..RequestInput::default() };
            for (location, name, value) in params.into_iter().flatten() {
                input.slot_mut(location).insert(name, value);
            }
            either::unify(&groups, &mut input, &choices);
            input
        })
        .sboxed())
}

/// A parameter value as text: strings as they are, anything else as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// (swagger, issue 24) A parameter's value as text: an array joined as the parameter's collection
/// format says (Swagger 2.0 `collectionFormat`, OpenAPI 3 `style`), else as [`as_text`] writes it.
fn param_text(param: &Parameter, value: &Value) -> String {
    match (value, param.collection_format.and_then(CollectionFormat::delimiter)) {
        (Value::Array(items), Some(delimiter)) => items.iter().map(as_text).collect::<Vec<_>>().join(delimiter),
        _ => as_text(value),
    }
}

/// Everything outside the generated input that a request needs.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The target's origin and the spec's server path, without a trailing slash.
    pub base_url: &'a str,
    /// Variable values by name, for this spec.
    pub variables: &'a BTreeMap<String, String>,
    /// `--header` values, sent on every request.
    pub headers: &'a [(String, String)],
}

/// Percent-encodes a path segment. A value that is a dot segment (`.`, `..`) has its dots
/// encoded too, so that it reaches the target as the value it is rather than as a step up the
/// path that a URL parser removes.
pub(crate) fn encode_segment(text: &str) -> String {
    match text {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20"),
    }
}

/// The request `input` makes for `operation` in `context`.
pub fn build(operation: &Operation, input: &RequestInput, context: Context<'_>) -> PreparedRequest {
    let variable = |name: &str| context.variables.get(name).cloned();
    let mut path = operation.path.clone();
    for param in operation.parameters.iter().filter(|p| p.location == ParamLocation::Path) {
        let value = variable(&param.name)
            .or_else(|| input.path.get(&param.name).map(|v| param_text(param, v)))
            .unwrap_or_default();
        path = path.replace(&format!("{{{}}}", param.name), &encode_segment(&value));
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    for param in &operation.parameters {
        // (swagger, issue 24) A `multi` array is the query parameter repeated once per item.
        if let (ParamLocation::Query, Some(CollectionFormat::Multi), None, Some(Value::Array(items))) =
            (param.location, param.collection_format, variable(&param.name), input.query.get(&param.name))
        {
            for item in items {
                query.append_pair(&param.name, &as_text(item));
            }
            if items.is_empty() {
                // No item has no repetition: an empty value, not a missing parameter.
                query.append_pair(&param.name, "");
            }
            continue;
        }
        // An object in an exploded form is its `key=value` pairs (OpenAPI 3's `style: form`).
        if let (true, None, Some(Value::Object(pairs))) =
            (param.is_exploded_object(), variable(&param.name), input.query.get(&param.name))
        {
            for (key, value) in pairs {
                query.append_pair(key, &as_text(value));
            }
            continue;
        }
        let value = variable(&param.name).or_else(|| match param.location {
            ParamLocation::Query => input.query.get(&param.name).map(|v| param_text(param, v)),
            ParamLocation::Header | ParamLocation::Cookie => {
                input.headers.get(&param.name).map(|v| param_text(param, v))
            }
            ParamLocation::Path => None,
        });
        match (param.location, value) {
            (ParamLocation::Query, Some(value)) => {
                query.append_pair(&param.name, &value);
            }
            (ParamLocation::Header, Some(value)) => headers.push((param.name.clone(), value)),
            (ParamLocation::Cookie, Some(value)) => cookies.push(format!("{}={}", param.name, encode_segment(&value))),
            _ => {}
        }
    }
    for credential in &operation.credentials {
        let Some(value) = variable(&credential.variable) else { continue };
        match &credential.location {
            CredentialLocation::Header(name) => {
                if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    headers.push((name.clone(), value));
                }
            }
            CredentialLocation::Query(name) => {
                if !operation.parameters.iter().any(|p| p.location == ParamLocation::Query && &p.name == name) {
                    query.append_pair(name, &value);
                }
            }
            CredentialLocation::Cookie(name) => cookies.push(format!("{name}={value}")),
            CredentialLocation::Bearer => headers.push(("Authorization".to_owned(), format!("Bearer {value}"))),
            CredentialLocation::Basic => {
                use base64::Engine;
                let encoded = base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
                headers.push(("Authorization".to_owned(), format!("Basic {encoded}")));
            }
        }
    }
    // All cookies, parameters and credentials, travel in one header.
    if !cookies.is_empty() {
        headers.push(("Cookie".to_owned(), cookies.join("; ")));
    }
    for (name, value) in context.headers {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.clone(), value.clone()));
    }
    let query = query.finish();
    let url = if query.is_empty() {
        format!("{}{path}", context.base_url)
    } else {
        format!("{}{path}?{query}", context.base_url)
    };
    let mut request = PreparedRequest { method: operation.method.clone(), url, headers, body: None };
    let documented = |encoding: BodyEncoding, otherwise: &str| {
        let content = operation.body.iter().flat_map(|b| &b.content);
        content.map(|(m, _)| m.as_str()).find(|m| BodyEncoding::of(m) == Some(encoding)).unwrap_or(otherwise).to_owned()
    };
    let (content_type, bytes) = match &input.body {
        Body::None => return request,
        Body::Json(value) => {
            (documented(BodyEncoding::Json, "application/json"), serde_json::to_vec(value).unwrap_or_default())
        }
        Body::Truncated(value) => {
            let mut bytes = serde_json::to_vec(value).unwrap_or_default();
            bytes.pop();
            (documented(BodyEncoding::Json, "application/json"), bytes)
        }
        Body::Hostile(hostile, value) => (documented(BodyEncoding::Json, "application/json"), hostile.bytes(value)),
        Body::Form(value) => {
            (documented(BodyEncoding::Form, "application/x-www-form-urlencoded"), form_encode(value).into_bytes())
        }
        Body::Multipart(value) => {
            let schema = operation.body.as_ref().and_then(|b| b.generated()).map(|(_, s, _)| s);
            (format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"), multipart_encode(value, schema))
        }
    };
    request.headers.push(("Content-Type".to_owned(), content_type));
    request.body = Some(bytes);
    request
}

/// The fields of a form body: an object's properties, an array property once per item, other
/// values as JSON text. A body that is not an object is one unnamed value.
fn form_fields(value: &Value) -> Vec<(String, String)> {
    let Value::Object(object) = value else { return vec![(String::new(), as_text(value))] };
    let mut out = Vec::new();
    for (name, field) in object {
        match field {
            Value::Array(items) => out.extend(items.iter().map(|item| (name.clone(), as_text(item)))),
            other => out.push((name.clone(), as_text(other))),
        }
    }
    out
}

/// `application/x-www-form-urlencoded` text.
fn form_encode(value: &Value) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, text) in form_fields(value) {
        out.append_pair(&name, &text);
    }
    out.finish()
}

/// A `multipart/form-data` body. A property whose schema is binary (`format: binary`,
/// `contentMediaType`, `contentEncoding`) is sent as a file part.
fn multipart_encode(value: &Value, schema: Option<&Value>) -> Vec<u8> {
    let mut out = String::new();
    for (name, text) in form_fields(value) {
        let expanded = schema.map(crate::spec::expand);
        let property = expanded.as_deref().and_then(|s| s.get("properties")).and_then(|p| p.get(&name));
        let property = property.map(crate::spec::expand);
        let property = property.as_deref().map(|p| p.get("items").unwrap_or(p));
        let is_file = property.is_some_and(|p| {
            p.get("format").and_then(Value::as_str) == Some("binary")
                || p.get("contentMediaType").is_some()
                || p.get("contentEncoding").is_some()
        });
        let name = name.replace('"', "%22");
        out.push_str(&format!("--{MULTIPART_BOUNDARY}\r\n"));
        if is_file {
            let media = property.and_then(|p| p.get("contentMediaType")).and_then(Value::as_str);
            out.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{name}.bin\"\r\n"));
            out.push_str(&format!("Content-Type: {}\r\n", media.unwrap_or("application/octet-stream")));
        } else {
            out.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n"));
        }
        out.push_str(&format!("\r\n{text}\r\n"));
    }
    out.push_str(&format!("--{MULTIPART_BOUNDARY}--\r\n"));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::extract_operations;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use serde_json::json;

    fn operation() -> Operation {
        let document = json!({
            "openapi": "3.1.0",
            "components": {"securitySchemes": {
                "clientToken": {"type": "apiKey", "in": "header", "name": "Client-Token", "x-conform-variable": "clientToken"},
                "bearer": {"type": "http", "scheme": "bearer", "x-conform-variable": "token"}}},
            "paths": {"/instances/{instanceId}/send": {"post": {
                "operationId": "send",
                "security": [{"clientToken": [], "bearer": []}],
                "parameters": [
                    {"name": "instanceId", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "lang", "in": "query", "required": true, "schema": {"type": "string", "enum": ["pt br"]}}
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["phone"], "properties": {"phone": {"type": "string", "pattern": "^[0-9]{8}$"}}}}}},
                "responses": {"200": {"description": "ok"}}
            }}}
        });
        extract_operations("demo", &document).unwrap().remove(0)
    }

    #[test]
    fn variables_fill_parameters_and_credentials() {
        let op = operation();
        let names: BTreeSet<String> = ["instanceId", "clientToken", "token"].map(String::from).into();
        let strategy = strategy(&op, &names).unwrap();
        let input = strategy.new_tree(&mut TestRunner::deterministic()).unwrap().current();
        assert!(input.path.is_empty(), "instanceId comes from a variable");
        assert_eq!(input.query["lang"], "pt br");
        let variables: BTreeMap<String, String> = [("instanceId", "a/b"), ("clientToken", "ct"), ("token", "tk")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into();
        let extra = [("X-Trace".to_owned(), "1".to_owned())];
        let request =
            build(&op, &input, Context { base_url: "http://h:1/base", variables: &variables, headers: &extra });
        assert_eq!(request.url, "http://h:1/base/instances/a%2Fb/send?lang=pt+br");
        assert_eq!(request.header_value("client-token"), Some("ct"));
        assert_eq!(request.header_value("authorization"), Some("Bearer tk"));
        assert_eq!(request.header_value("x-trace"), Some("1"));
        assert_eq!(request.header_value("content-type"), Some("application/json"));
        let body: Value = serde_json::from_slice(request.body.as_ref().unwrap()).unwrap();
        assert!(body["phone"].as_str().unwrap().len() == 8);
    }

    /// (swagger, issue 24) Arrays are written as each parameter's collection format says.
    #[test]
    fn arrays_follow_their_collection_format() {
        let array = json!({"type": "array", "items": {"type": "string"}});
        let document = json!({"openapi": "3.0.3", "paths": {"/items/{ids}": {"get": {"parameters": [
            {"name": "ids", "in": "path", "required": true, "style": "simple", "schema": array},
            {"name": "csv", "in": "query", "style": "form", "explode": false, "schema": array},
            {"name": "multi", "in": "query", "style": "form", "explode": true, "schema": array},
            {"name": "pipes", "in": "query", "style": "pipeDelimited", "schema": array},
            {"name": "tsv", "in": "query", "x-conform-collection-format": "tsv", "schema": array},
            {"name": "plain", "in": "query", "schema": array},
            {"name": "X-Tags", "in": "header", "style": "simple", "schema": array}],
            "responses": {"200": {"description": "ok"}}}}}});
        let op = extract_operations("demo", &document).unwrap().remove(0);
        let two = json!(["a b", "c"]);
        let mut input = RequestInput::default();
        input.path.insert("ids".into(), json!([1, 2]));
        for name in ["csv", "multi", "pipes", "tsv", "plain"] {
            input.query.insert(name.into(), two.clone());
        }
        input.headers.insert("X-Tags".into(), two.clone());
        let variables = BTreeMap::new();
        let request = build(&op, &input, Context { base_url: "http://h", variables: &variables, headers: &[] });
        assert_eq!(
            request.url,
            "http://h/items/1%2C2?csv=a+b%2Cc&multi=a+b&multi=c&pipes=a+b%7Cc&tsv=a+b%09c&plain=%5B%22a+b%22%2C%22c%22%5D"
        );
        assert_eq!(request.header_value("x-tags"), Some("a b,c"));
    }
}
