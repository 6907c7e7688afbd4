//! The generated part of a request: parameters and body, before variables, credentials and the
//! target's base URL are filled in. [`strategy`] generates it for an operation; [`build`] turns it
//! into the [`PreparedRequest`] that is sent.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde::Serialize;
use serde_json::Value;

use super::either;
use super::values::{self, GenerateError};
use crate::http::PreparedRequest;
use crate::spec::{CredentialLocation, Operation, ParamLocation};

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
) -> Result<BoxedStrategy<RequestInput>, GenerateError> {
    let mut params: Vec<BoxedStrategy<Option<(ParamLocation, String, Value)>>> = Vec::new();
    for (i, param) in operation.parameters.iter().enumerate() {
        if variables.contains(&param.name) || param.location == ParamLocation::Cookie {
            continue;
        }
        let strategy = values::valid(&param.schema, &format!("{}/parameters/{i}/schema", operation.pointer))?;
        let (location, name) = (param.location, param.name.clone());
        let strategy = strategy.prop_map(move |v| (location, name.clone(), v));
        params.push(if param.required {
            strategy.prop_map(Some).boxed()
        } else {
            proptest::option::of(strategy).boxed()
        });
    }
    let body: BoxedStrategy<Body> = match operation.body.as_ref().and_then(|b| b.json().map(|(_, s)| (b.required, s))) {
        None => Just(Body::None).boxed(),
        Some((required, schema)) => {
            let values = values::valid(schema, &format!("{}/requestBody", operation.pointer))?.prop_map(Body::Json);
            if required {
                values.boxed()
            } else {
                proptest::option::of(values).prop_map(|b| b.unwrap_or_default()).boxed()
            }
        }
    };
    // Per either-place value: how to place it, and a valid value in case it must be added.
    let groups = either::groups(operation, variables);
    let mut choices: Vec<BoxedStrategy<(u8, Option<Value>)>> = Vec::new();
    for group in &groups {
        let schema = group.either.places.iter().find_map(|place| either::place_schema(operation, place));
        let fallback = match schema {
            Some(schema) if group.either.required && !group.fixed => {
                values::valid(&schema, &format!("{}/x-conform-either-place", operation.pointer))?.prop_map(Some).boxed()
            }
            _ => Just(None).boxed(),
        };
        choices.push((0u8..6, fallback).boxed());
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
        .boxed())
}

/// A parameter value as text: strings as they are, anything else as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
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

/// Percent-encodes a path segment.
fn encode_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

/// The request `input` makes for `operation` in `context`.
pub fn build(operation: &Operation, input: &RequestInput, context: Context<'_>) -> PreparedRequest {
    let variable = |name: &str| context.variables.get(name).cloned();
    let mut path = operation.path.clone();
    for param in operation.parameters.iter().filter(|p| p.location == ParamLocation::Path) {
        let value = variable(&param.name).or_else(|| input.path.get(&param.name).map(as_text)).unwrap_or_default();
        path = path.replace(&format!("{{{}}}", param.name), &encode_segment(&value));
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let mut headers: Vec<(String, String)> = Vec::new();
    for param in &operation.parameters {
        let value = variable(&param.name).or_else(|| match param.location {
            ParamLocation::Query => input.query.get(&param.name).map(as_text),
            ParamLocation::Header => input.headers.get(&param.name).map(as_text),
            _ => None,
        });
        match (param.location, value) {
            (ParamLocation::Query, Some(value)) => {
                query.append_pair(&param.name, &value);
            }
            (ParamLocation::Header, Some(value)) => headers.push((param.name.clone(), value)),
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
            CredentialLocation::Cookie(name) => headers.push(("Cookie".to_owned(), format!("{name}={value}"))),
            CredentialLocation::Bearer => headers.push(("Authorization".to_owned(), format!("Bearer {value}"))),
            CredentialLocation::Basic => {
                use base64::Engine;
                let encoded = base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
                headers.push(("Authorization".to_owned(), format!("Basic {encoded}")));
            }
        }
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
    let media = operation.body.as_ref().and_then(|b| b.json()).map_or("application/json", |(m, _)| m).to_owned();
    match &input.body {
        Body::None => {}
        Body::Json(value) => {
            request.headers.push(("Content-Type".to_owned(), media));
            request.body = Some(serde_json::to_vec(value).unwrap_or_default());
        }
        Body::Truncated(value) => {
            request.headers.push(("Content-Type".to_owned(), media));
            let mut bytes = serde_json::to_vec(value).unwrap_or_default();
            bytes.pop();
            request.body = Some(bytes);
        }
    }
    request
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
}
