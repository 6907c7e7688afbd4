//! Extracting the [`Operation`] model from a resolved, rewritten document. Read strictly, an
//! operation written wrong refuses the document; read leniently (for `run` and `lint`), it is left
//! out with the reason, and the rest is extracted.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::intern::Interner;
use super::methods::Methods;
use super::operation::{
    AcceptsValidInput, Level, ModelError, Operation, RequestBody, ResponseSpec, Source, StatusKey, is_json_media,
};
use super::parameters::parameters;
use super::problem::escape;
use super::reference::follow;
use super::scope::OperationRef;
use super::security::{Schemes, credentials, schemes};
use super::sequence::{is_json_sequence, sequence_schema};

fn model_error(pointer: impl Into<String>, message: impl Into<String>) -> ModelError {
    ModelError { pointer: pointer.into(), message: message.into() }
}

/// An operation left out of a leniently read spec, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Left {
    pub operation: OperationRef,
    pub error: ModelError,
}

/// What every operation of a document reads from outside its path item.
struct DocumentContext<'a> {
    /// The document, for the `$ref`s it keeps ([`super::follow`]); its `paths` may be gone.
    document: &'a Value,
    schemes: Schemes,
    legacy: bool,
    global_security: Option<&'a Value>,
    methods: Methods,
    /// The document's `x-conform-invalid-input`, for operations without their own.
    invalid_input: Option<super::InvalidInput>,
    /// The operations' schemas, kept once ([`super::intern`]).
    interner: RefCell<Interner>,
}

impl<'a> DocumentContext<'a> {
    fn of(document: &'a Value) -> Result<Self, ModelError> {
        Ok(Self {
            document,
            schemes: schemes(document),
            legacy: document.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.0.")),
            global_security: document.get("security"),
            methods: Methods::of(document),
            invalid_input: super::invalid_input(document, "#").map_err(|(p, m)| model_error(p, m))?,
            interner: RefCell::new(Interner::default()),
        })
    }
}

/// Extracts every operation of a resolved, rewritten document.
pub fn extract_operations(spec_id: &str, document: &Value) -> Result<Vec<Operation>, ModelError> {
    let Some(paths) = document.get("paths") else { return Ok(Vec::new()) };
    let paths = paths.as_object().ok_or_else(|| model_error("#/paths", "`paths` must be an object"))?;
    let context = DocumentContext::of(document)?;
    let mut operations = Vec::new();
    for (path, item) in paths {
        path_item_operations(spec_id, path, item, &context, &mut operations, &mut |left| Err(left.error))?;
    }
    unique_ids(operations, &mut |left| Err(left.error))
}

/// [`extract_operations`] that takes the document's `paths` apart as it goes, so that a big
/// document's paths and the operations made from them are not both held at once.
pub fn take_operations(spec_id: &str, document: &mut Value) -> Result<Vec<Operation>, ModelError> {
    take(spec_id, document, &mut |left| Err(left.error))
}

/// [`take_operations`], leaving out each operation written wrong (with the reason) rather than
/// refusing the document.
pub(super) fn take_operations_leniently(
    spec_id: &str,
    document: &mut Value,
) -> Result<(Vec<Operation>, Vec<Left>), ModelError> {
    let mut left = Vec::new();
    let operations = take(spec_id, document, &mut |l| {
        left.push(l);
        Ok(())
    })?;
    Ok((operations, left))
}

fn take(
    spec_id: &str,
    document: &mut Value,
    on_error: &mut dyn FnMut(Left) -> Result<(), ModelError>,
) -> Result<Vec<Operation>, ModelError> {
    let paths = match document.get_mut("paths") {
        Some(paths) => std::mem::take(paths),
        None => return Ok(Vec::new()),
    };
    let Value::Object(paths) = paths else { return Err(model_error("#/paths", "`paths` must be an object")) };
    let context = DocumentContext::of(document)?;
    let mut operations = Vec::new();
    for (path, item) in paths {
        path_item_operations(spec_id, &path, &item, &context, &mut operations, on_error)?;
    }
    unique_ids(operations, on_error)
}

/// The operations of one path item, added to `out`; an operation written wrong goes to `on_error`.
fn path_item_operations(
    spec_id: &str,
    path: &str,
    item: &Value,
    context: &DocumentContext<'_>,
    out: &mut Vec<Operation>,
    on_error: &mut dyn FnMut(Left) -> Result<(), ModelError>,
) -> Result<(), ModelError> {
    let item_pointer = format!("#/paths/{}", escape(path));
    let Some(item) = item.as_object() else {
        let operation = OperationRef { pointer: item_pointer.clone(), label: path.to_owned() };
        return on_error(Left { operation, error: model_error(&item_pointer, "a path item must be an object") });
    };
    let found = context.methods.operations_in(item);
    let mut path_methods: Vec<String> = found.iter().map(|(_, method, _)| method.clone()).collect();
    // Broken operations taken out of the document are still documented methods of their path.
    let skipped = item.get(super::scope::SKIPPED_METHODS).and_then(Value::as_array);
    path_methods.extend(skipped.into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
    path_methods.sort();
    path_methods.dedup();
    for (key, method, value) in found {
        let pointer = format!("{item_pointer}/{key}");
        match operation(spec_id, path, item, &method, value, &pointer, &path_methods, context) {
            Ok(operation) => out.push(operation),
            Err(error) => {
                let operation = OperationRef { pointer: pointer.clone(), label: format!("{method} {path}") };
                on_error(Left { operation, error })?;
            }
        }
    }
    Ok(())
}

/// One operation of a path item.
#[allow(clippy::too_many_arguments)]
fn operation(
    spec_id: &str,
    path: &str,
    item: &Map<String, Value>,
    method: &str,
    value: &Value,
    pointer: &str,
    path_methods: &[String],
    context: &DocumentContext<'_>,
) -> Result<Operation, ModelError> {
    let op = value.as_object().ok_or_else(|| model_error(pointer, "an operation must be an object"))?;
    let id = match op.get("operationId") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(_) => return Err(model_error(format!("{pointer}/operationId"), "must be a non-empty string")),
        None => fallback_id(&method.to_ascii_lowercase(), path),
    };
    let parameters = parameters(context.document, item.get("parameters"), op.get("parameters"), pointer)?;
    let body = request_body(context.document, op.get("requestBody"), pointer)?;
    let responses = responses(context.document, op.get("responses"), pointer, context.legacy)?;
    let security = op.get("security").or(context.global_security);
    let credentials = credentials(security, &context.schemes, pointer)?;
    let side_effect = super::side_effect(value, pointer).map_err(|(p, m)| model_error(p, m))?;
    let either = super::either_places(value, pointer).map_err(|(p, m)| model_error(p, m))?;
    let invalid_input = super::invalid_input(value, pointer).map_err(|(p, m)| model_error(p, m))?;
    let (parameters, body, responses) = intern(&mut context.interner.borrow_mut(), parameters, body, responses);
    let accepts_valid_input = match op.get(ACCEPTS_VALID_INPUT) {
        Some(value) => acceptance(value, &format!("{pointer}/{ACCEPTS_VALID_INPUT}"))?,
        None => match context.document.get(ACCEPTS_VALID_INPUT) {
            Some(value) => acceptance(value, &format!("#/{ACCEPTS_VALID_INPUT}"))?,
            None => AcceptsValidInput::Expected,
        },
    };
    let produces = produced(&responses, op.get(super::swagger::PRODUCES));
    Ok(Operation {
        spec: spec_id.to_owned(),
        id,
        method: method.to_owned(),
        path: path.to_owned(),
        pointer: pointer.to_owned(),
        path_methods: path_methods.to_vec(),
        parameters,
        body,
        responses,
        produces,
        credentials,
        accepts_valid_input,
        side_effect,
        either,
        invalid_input: invalid_input.or_else(|| context.invalid_input.clone()),
        source: Source::from_extension(op),
    })
}

/// The media types of the responses' content, then those of a Swagger 2.0 `produces`, each once.
fn produced(responses: &[ResponseSpec], swagger: Option<&Value>) -> Vec<String> {
    let listed = swagger.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    let mut out: Vec<String> = Vec::new();
    for media in responses.iter().flat_map(|r| r.content.iter().map(|(m, _)| m.as_str())).chain(listed) {
        if !out.iter().any(|m| m == media) {
            out.push(media.to_owned());
        }
    }
    out
}

const ACCEPTS_VALID_INPUT: &str = "x-conform-accepts-valid-input";

/// `x-conform-accepts-valid-input`: `false` (the operation may refuse schema-valid input), or the
/// source (`{level, cite}`) that makes acceptance certain.
fn acceptance(value: &Value, pointer: &str) -> Result<AcceptsValidInput, ModelError> {
    let certain = |o: &Map<String, Value>| {
        let level = Level::parse(o.get("level")?.as_str()?)?;
        Some(Source::new(level, o.get("cite").and_then(Value::as_str).unwrap_or_default()))
    };
    match value {
        Value::Bool(false) => Ok(AcceptsValidInput::NotPromised),
        Value::Object(o) => certain(o)
            .map(AcceptsValidInput::Certain)
            .ok_or_else(|| model_error(pointer, "must be false or {level: doc|seed|field|profile, cite: TEXT}")),
        _ => Err(model_error(pointer, "must be false or {level: doc|seed|field|profile, cite: TEXT}")),
    }
}

/// The schemas an operation holds, each kept once for the whole spec.
fn intern(
    interner: &mut Interner,
    mut parameters: Vec<super::operation::Parameter>,
    mut body: Option<RequestBody>,
    mut responses: Vec<ResponseSpec>,
) -> (Vec<super::operation::Parameter>, Option<RequestBody>, Vec<ResponseSpec>) {
    let mut keep = |schema: &mut Value| *schema = interner.intern(std::mem::take(schema));
    parameters.iter_mut().for_each(|p| keep(&mut p.schema));
    for (_, schema) in body.iter_mut().flat_map(|b| b.content.iter_mut()) {
        keep(schema);
    }
    for (_, schema) in responses.iter_mut().flat_map(|r| r.content.iter_mut()) {
        if let Some(schema) = schema {
            keep(schema);
        }
    }
    (parameters, body, responses)
}

/// `operations`, but the second of two that share an id, which goes to `on_error`.
fn unique_ids(
    operations: Vec<Operation>,
    on_error: &mut dyn FnMut(Left) -> Result<(), ModelError>,
) -> Result<Vec<Operation>, ModelError> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::with_capacity(operations.len());
    for op in operations {
        if let Some(first) = seen.get(&op.id) {
            let error = model_error(&op.pointer, format!("operationId `{}` is also used at {first}", op.id));
            let operation = OperationRef { pointer: op.pointer.clone(), label: format!("{} {}", op.method, op.path) };
            on_error(Left { operation, error })?;
            continue;
        }
        seen.insert(op.id.clone(), op.pointer.clone());
        out.push(op);
    }
    Ok(out)
}

pub(super) fn fallback_id(method: &str, path: &str) -> String {
    let slug: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{method}-{slug}")
}

/// An Example Object's value: `value`, or OpenAPI 3.2's `dataValue`.
pub(super) fn example_value(example: &Value) -> Option<&Value> {
    example.get("value").or_else(|| example.get("dataValue"))
}

fn request_body(document: &Value, body: Option<&Value>, pointer: &str) -> Result<Option<RequestBody>, ModelError> {
    let Some(body) = body.map(|b| follow(document, b)) else { return Ok(None) };
    let at = format!("{pointer}/requestBody");
    let content = body
        .get("content")
        .and_then(Value::as_object)
        .ok_or_else(|| model_error(&at, "a request body needs `content`"))?;
    let mut examples = Vec::new();
    if let Some(media) = content.iter().find(|(media, _)| is_json_media(media)).map(|(_, object)| object) {
        if let Some(value) = media.get("example") {
            examples.push(("example".to_owned(), value.clone()));
        }
        for (name, example) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
            if let Some(value) = example_value(follow(document, example)) {
                examples.push((name.clone(), value.clone()));
            }
        }
    }
    let content = content
        .iter()
        .map(|(media, object)| {
            (media.clone(), object.get("schema").cloned().unwrap_or_else(|| Value::Object(Map::new())))
        })
        .collect();
    let required = body.get("required").and_then(Value::as_bool).unwrap_or(false);
    Ok(Some(RequestBody { required, content, examples }))
}

/// The schema of a response media type: its `schema`, and for a sequence of JSON values
/// (OpenAPI 3.2) its `itemSchema` for each item of the array the sequence is read into.
fn media_schema(media: &str, object: &Value) -> Option<Value> {
    match object.get("itemSchema") {
        Some(items) if is_json_sequence(media) => Some(sequence_schema(object.get("schema"), items)),
        _ => object.get("schema").cloned(),
    }
}

/// The documented responses. OpenAPI 3.1 lets an operation leave them out (`legacy`: 3.0 does not).
fn responses(
    document: &Value,
    responses: Option<&Value>,
    pointer: &str,
    legacy: bool,
) -> Result<Vec<ResponseSpec>, ModelError> {
    let at = format!("{pointer}/responses");
    if responses.is_none() && !legacy {
        return Ok(Vec::new());
    }
    let responses =
        responses.and_then(Value::as_object).ok_or_else(|| model_error(&at, "an operation needs `responses`"))?;
    let mut out = Vec::new();
    for (key, response) in responses {
        if key.starts_with("x-") {
            continue;
        }
        let status = StatusKey::parse(key)
            .ok_or_else(|| model_error(format!("{at}/{key}"), "not a status code, range or `default`"))?;
        let object = follow(document, response)
            .as_object()
            .ok_or_else(|| model_error(format!("{at}/{key}"), "a response must be an object"))?;
        let content = object
            .get("content")
            .and_then(Value::as_object)
            .map(|c| c.iter().map(|(media, m)| (media.clone(), media_schema(media, m))).collect())
            .unwrap_or_default();
        let required_headers = object
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .filter(|(_, header)| {
                        follow(document, header).get("required").and_then(Value::as_bool).unwrap_or(false)
                    })
                    .map(|(name, _)| name.to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        let header_schemas = object
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    // OpenAPI: a `Content-Type` response header's definition is ignored.
                    .filter(|(name, _)| !name.eq_ignore_ascii_case("content-type"))
                    .filter_map(|(name, header)| {
                        Some((name.to_ascii_lowercase(), follow(document, header).get("schema")?.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(ResponseSpec {
            status,
            content,
            required_headers,
            header_schemas,
            source: Source::from_extension(object),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::CredentialLocation;
    use serde_json::json;

    fn document() -> Value {
        json!({
            "openapi": "3.1.0",
            "components": {"securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "Client-Token", "x-conform-variable": "clientToken",
                          "x-conform-source": {"level": "field", "cite": "notes"}},
                "bearer": {"type": "http", "scheme": "bearer", "x-conform-variable": "token"}
            }},
            "security": [{"bearer": []}],
            "paths": {
                "/things/{id}": {
                    "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                    "get": {"operationId": "get-thing", "responses": {"200": {"description": "ok",
                        "content": {"application/json": {"schema": {"type": "object"}}}}, "4XX": {"description": "no"}}},
                    "post": {"security": [{"token": []}],
                        "x-conform-accepts-valid-input": {"level": "doc", "cite": "page"},
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
                        "responses": {"default": {"description": "any", "headers": {"Retry-After": {"required": true}}}}}
                }
            }
        })
    }

    #[test]
    fn extracts_operations_parameters_and_credentials() {
        let ops = extract_operations("demo", &document()).unwrap();
        assert_eq!(ops.len(), 2);
        let get = ops.iter().find(|o| o.method == "GET").unwrap();
        assert_eq!(get.id, "get-thing");
        assert_eq!(get.qualified_id(), "demo::get-thing");
        assert_eq!(get.path_methods, ["GET", "POST"]);
        assert_eq!(get.parameters[0].name, "id");
        assert!(get.parameters[0].required, "path parameters are always required");
        assert_eq!(get.credentials[0].location, CredentialLocation::Bearer);
        assert_eq!(get.credentials[0].variable, "token");
        assert!(get.response_for(200).is_some());
        assert_eq!(get.response_for(404).unwrap().status, StatusKey::Range(4));
        assert!(get.response_for(500).is_none());
        assert!(get.documents(200) && !get.documents(404));

        let post = ops.iter().find(|o| o.method == "POST").unwrap();
        assert_eq!(post.id, "post-things-id");
        assert_eq!(post.credentials[0].location, CredentialLocation::Header("Client-Token".into()));
        assert_eq!(post.credentials[0].source.as_ref().unwrap().level, Level::Field);
        assert_eq!(post.accepts_valid_input, AcceptsValidInput::Certain(Source::new(Level::Doc, "page")));
        assert_eq!(get.accepts_valid_input, AcceptsValidInput::Expected);
        assert!(post.body.as_ref().unwrap().json().is_some());
        assert_eq!(post.response_for(503).unwrap().required_headers, ["retry-after"]);
    }

    #[test]
    fn bad_shapes_name_their_pointer() {
        let mut doc = document();
        doc["paths"]["/things/{id}"]["get"]["responses"]["abc"] = json!({});
        let error = extract_operations("demo", &doc).unwrap_err();
        assert_eq!(error.pointer, "#/paths/~1things~1{id}/get/responses/abc");

        let mut doc = document();
        doc["paths"]["/things/{id}"]["post"]["security"] = json!([{"nope": []}]);
        let error = extract_operations("demo", &doc).unwrap_err();
        assert!(error.message.contains("unknown security scheme `nope`"));
    }

    #[test]
    fn acceptance_is_opted_out_per_operation_or_at_the_root() {
        let mut doc = document();
        doc["paths"]["/things/{id}"]["get"]["x-conform-accepts-valid-input"] = json!(false);
        let ops = extract_operations("demo", &doc).unwrap();
        let of = |method: &str| ops.iter().find(|o| o.method == method).unwrap().accepts_valid_input.clone();
        assert_eq!(of("GET"), AcceptsValidInput::NotPromised);
        assert!(matches!(of("POST"), AcceptsValidInput::Certain(_)));

        doc["x-conform-accepts-valid-input"] = json!(false);
        doc["paths"]["/things/{id}"]["get"].as_object_mut().unwrap().remove("x-conform-accepts-valid-input");
        let ops = extract_operations("demo", &doc).unwrap();
        let of = |method: &str| ops.iter().find(|o| o.method == method).unwrap().accepts_valid_input.clone();
        assert_eq!(of("GET"), AcceptsValidInput::NotPromised, "the root's word");
        assert!(matches!(of("POST"), AcceptsValidInput::Certain(_)), "the operation's wins");

        doc["x-conform-accepts-valid-input"] = json!(true);
        let error = extract_operations("demo", &doc).unwrap_err();
        assert_eq!(error.pointer, "#/x-conform-accepts-valid-input");
        assert!(error.message.contains("must be false or {level"), "{}", error.message);
    }

    #[test]
    fn taking_the_paths_apart_gives_the_same_operations() {
        let mut doc = document();
        let borrowed = extract_operations("demo", &doc).unwrap();
        assert_eq!(take_operations("demo", &mut doc).unwrap(), borrowed);
        assert_eq!(doc["paths"], Value::Null, "the paths are gone");
    }

    #[test]
    fn leniently_a_broken_operation_is_left_out_with_why() {
        let mut doc = document();
        doc["paths"]["/things/{id}"]["post"]["security"] = json!([{"nope": []}]);
        doc["paths"]["/other"] = json!({"get": {"operationId": "get-thing", "responses": {}}});
        let (operations, left) = take_operations_leniently("demo", &mut doc).unwrap();
        let ids: Vec<&str> = operations.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["get-thing"]);
        let why: Vec<(String, String)> =
            left.iter().map(|l| (l.operation.label.clone(), l.error.message.clone())).collect();
        assert_eq!(
            why,
            [
                ("POST /things/{id}".to_owned(), "unknown security scheme `nope`".to_owned()),
                (
                    "GET /other".to_owned(),
                    "operationId `get-thing` is also used at #/paths/~1things~1{id}/get".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_3_2_document_has_query_and_additional_operations() {
        let doc = json!({"openapi": "3.2.0", "paths": {"/s": {
            "query": {"operationId": "search", "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}},
            "additionalOperations": {"COPY": {"responses": {}}}}}});
        let ops = extract_operations("demo", &doc).unwrap();
        let found: Vec<(&str, &str, &str)> =
            ops.iter().map(|o| (o.id.as_str(), o.method.as_str(), o.pointer.as_str())).collect();
        assert_eq!(
            found,
            [("search", "QUERY", "#/paths/~1s/query"), ("copy-s", "COPY", "#/paths/~1s/additionalOperations/COPY")]
        );
        assert_eq!(ops[0].path_methods, ["COPY", "QUERY"]);
    }
}
