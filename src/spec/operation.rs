//! The `Operation` model: what the rest of the harness knows of an OpenAPI operation, extracted
//! from a document whose `$ref`s are resolved and whose schemas are rewritten to JSON Schema 2020-12.
//! Everything downstream (case generation, checks, reports) reads this model, never the raw document.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::reference::follow;

/// The HTTP methods OpenAPI can document on a path item.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Where a rule comes from (`contract.md` §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Doc,
    Seed,
    Field,
    Profile,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Doc => "doc",
            Level::Seed => "seed",
            Level::Field => "field",
            Level::Profile => "profile",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "doc" => Some(Level::Doc),
            "seed" => Some(Level::Seed),
            "field" => Some(Level::Field),
            "profile" => Some(Level::Profile),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The provenance of a rule: its level and where it is written down.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    pub level: Level,
    pub cite: String,
}

impl Source {
    pub fn new(level: Level, cite: impl Into<String>) -> Self {
        Self { level, cite: cite.into() }
    }

    /// Reads an `x-conform-source: {level, cite}` object; `None` when absent or malformed.
    pub fn from_extension(object: &Map<String, Value>) -> Option<Source> {
        let source = object.get("x-conform-source")?.as_object()?;
        let level = Level::parse(source.get("level")?.as_str()?)?;
        let cite = source.get("cite").and_then(Value::as_str).unwrap_or_default();
        Some(Source::new(level, cite))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.cite.is_empty() { write!(f, "{}", self.level) } else { write!(f, "{}: {}", self.level, self.cite) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "path" => Some(Self::Path),
            "query" => Some(Self::Query),
            "header" => Some(Self::Header),
            "cookie" => Some(Self::Cookie),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    /// JSON Schema 2020-12 (`{}` when the document gives none).
    pub schema: Value,
    /// The parameter's `example` (or its schema's), sent by the examples phase.
    pub example: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestBody {
    pub required: bool,
    /// The media types the operation accepts, with their schemas, in document order.
    pub content: Vec<(String, Value)>,
    /// The JSON media type's request examples, by name (`examples.NAME.value`; a lone `example`
    /// is named `example`), in document order: the examples phase sends each one.
    pub examples: Vec<(String, Value)>,
}

impl RequestBody {
    /// The JSON media type and its schema, if the operation takes JSON.
    pub fn json(&self) -> Option<(&str, &Value)> {
        self.content.iter().find(|(media, _)| is_json_media(media)).map(|(m, s)| (m.as_str(), s))
    }

    /// The media type conform sends, its schema and encoding: JSON first, then a URL-encoded form,
    /// then a multipart form. `None` when it can encode none of the documented types.
    pub fn generated(&self) -> Option<(&str, &Value, BodyEncoding)> {
        [BodyEncoding::Json, BodyEncoding::Form, BodyEncoding::Multipart].into_iter().find_map(|encoding| {
            self.content
                .iter()
                .find(|(media, _)| BodyEncoding::of(media) == Some(encoding))
                .map(|(m, s)| (m.as_str(), s, encoding))
        })
    }
}

/// The request body encodings conform can generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BodyEncoding {
    /// `application/json` or `+json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
}

impl BodyEncoding {
    /// The encoding of a media type, if conform can generate it.
    pub fn of(media: &str) -> Option<BodyEncoding> {
        let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if is_json_media(&essence) {
            Some(BodyEncoding::Json)
        } else if essence == "application/x-www-form-urlencoded" {
            Some(BodyEncoding::Form)
        } else if essence == "multipart/form-data" {
            Some(BodyEncoding::Multipart)
        } else {
            None
        }
    }
}

/// `application/json` or any `+json` type.
pub fn is_json_media(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A documented status: an exact code, a range such as `4XX`, or `default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum StatusKey {
    Code(u16),
    Range(u16),
    Default,
}

impl StatusKey {
    fn parse(key: &str) -> Option<Self> {
        if key == "default" {
            return Some(StatusKey::Default);
        }
        if let Some(class) = key.strip_suffix("XX").or_else(|| key.strip_suffix("xx")) {
            return class.parse::<u16>().ok().filter(|c| (1..=5).contains(c)).map(StatusKey::Range);
        }
        key.parse::<u16>().ok().filter(|c| (100..=599).contains(c)).map(StatusKey::Code)
    }

    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusKey::Code(code) => code == status,
            StatusKey::Range(class) => status / 100 == class,
            StatusKey::Default => true,
        }
    }
}

impl fmt::Display for StatusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusKey::Code(code) => write!(f, "{code}"),
            StatusKey::Range(class) => write!(f, "{class}XX"),
            StatusKey::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseSpec {
    pub status: StatusKey,
    /// Media types with their schema (`None` when the media type has no schema).
    pub content: Vec<(String, Option<Value>)>,
    /// Response headers the document marks required, lower-cased.
    pub required_headers: Vec<String>,
    pub source: Option<Source>,
}

/// How a security scheme carries its credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CredentialLocation {
    Header(String),
    Query(String),
    Cookie(String),
    /// `Authorization: Bearer <value>`.
    Bearer,
    /// `Authorization: Basic <value>` (the value is `user:password`, base64-encoded when sent).
    Basic,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credential {
    /// The security scheme's name in `components.securitySchemes`.
    pub scheme: String,
    pub location: CredentialLocation,
    /// The variable that holds the value: `x-conform-variable`, else the header/query name, else the scheme name.
    pub variable: String,
    pub source: Option<Source>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// The spec's id (its file stem).
    pub spec: String,
    /// `operationId`, or `method-path` when the document gives none.
    pub id: String,
    /// Upper case: `POST`.
    pub method: String,
    /// The path template as documented: `/v2/auth/request-code`.
    pub path: String,
    /// JSON pointer of the operation in its document, for messages.
    pub pointer: String,
    /// Every method documented on the same path, upper case, sorted.
    pub path_methods: Vec<String>,
    pub parameters: Vec<Parameter>,
    pub body: Option<RequestBody>,
    pub responses: Vec<ResponseSpec>,
    /// The credentials of the operation's first security requirement (or the document's).
    pub credentials: Vec<Credential>,
    /// `x-conform-accepts-valid-input`: a schema-valid request with valid credentials is never
    /// refused as invalid (400/422). Its value is the rule's source.
    pub accepts_valid_input: Option<Source>,
    /// `x-conform-side-effect`: the operation sends a message to a phone.
    pub side_effect: Option<super::SideEffect>,
    /// `x-conform-either-place`: values the operation reads from any of several places.
    pub either: Vec<super::EitherPlace>,
    /// `x-conform-invalid-input` (the operation's, else the document's): the statuses invalid
    /// input gets, where the spec pins them.
    pub invalid_input: Option<super::InvalidInput>,
    pub source: Option<Source>,
}

impl Operation {
    /// The documented response that covers `status`: the exact code, then its range, then `default`.
    pub fn response_for(&self, status: u16) -> Option<&ResponseSpec> {
        let exact = self.responses.iter().find(|r| r.status == StatusKey::Code(status));
        let range = || self.responses.iter().find(|r| r.status == StatusKey::Range(status / 100));
        let default = || self.responses.iter().find(|r| r.status == StatusKey::Default);
        exact.or_else(range).or_else(default)
    }

    /// Whether `status` is one the operation documents exactly (not through a range or `default`).
    pub fn documents(&self, status: u16) -> bool {
        self.responses.iter().any(|r| r.status == StatusKey::Code(status))
    }

    /// `spec::operation`, the prefix of every case id of this operation.
    pub fn qualified_id(&self) -> String {
        format!("{}::{}", self.spec, self.id)
    }
}

/// Why the model could not be built: the document has the wrong shape at `pointer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub pointer: String,
    pub message: String,
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn model_error(pointer: impl Into<String>, message: impl Into<String>) -> ModelError {
    ModelError { pointer: pointer.into(), message: message.into() }
}

/// What every operation of a document reads from outside its path item.
struct DocumentContext<'a> {
    /// The document, for the `$ref`s it keeps ([`super::follow`]); its `paths` may be gone.
    document: &'a Value,
    schemes: BTreeMap<String, Credential>,
    legacy: bool,
    global_security: Option<&'a Value>,
    /// The document's `x-conform-invalid-input`, for operations without their own.
    invalid_input: Option<super::InvalidInput>,
}

impl<'a> DocumentContext<'a> {
    fn of(document: &'a Value) -> Result<Self, ModelError> {
        Ok(Self {
            document,
            schemes: security_schemes(document)?,
            legacy: document.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.0.")),
            global_security: document.get("security"),
            invalid_input: super::invalid_input(document, "#").map_err(|(p, m)| model_error(p, m))?,
        })
    }
}

/// Extracts every operation of a resolved, rewritten document.
pub fn extract_operations(spec_id: &str, document: &Value) -> Result<Vec<Operation>, ModelError> {
    let context = DocumentContext::of(document)?;
    let Some(paths) = document.get("paths") else { return Ok(Vec::new()) };
    let paths = paths.as_object().ok_or_else(|| model_error("#/paths", "`paths` must be an object"))?;
    let mut operations = Vec::new();
    for (path, item) in paths {
        operations.extend(path_item_operations(spec_id, path, item, &context)?);
    }
    unique_ids(operations)
}

/// [`extract_operations`] that takes the document's `paths` apart as it goes, so that a big
/// document's paths and the operations made from them are not both held at once.
pub fn take_operations(spec_id: &str, document: &mut Value) -> Result<Vec<Operation>, ModelError> {
    let paths = match document.get_mut("paths") {
        Some(paths) => std::mem::take(paths),
        None => return Ok(Vec::new()),
    };
    let context = DocumentContext::of(document)?;
    let Value::Object(paths) = paths else { return Err(model_error("#/paths", "`paths` must be an object")) };
    let mut operations = Vec::new();
    for (path, item) in paths {
        operations.extend(path_item_operations(spec_id, &path, &item, &context)?);
    }
    unique_ids(operations)
}

/// The operations of one path item.
fn path_item_operations(
    spec_id: &str,
    path: &str,
    item: &Value,
    context: &DocumentContext<'_>,
) -> Result<Vec<Operation>, ModelError> {
    let item_pointer = format!("#/paths/{}", escape(path));
    let item = item.as_object().ok_or_else(|| model_error(&item_pointer, "a path item must be an object"))?;
    let mut path_methods: Vec<String> =
        METHODS.iter().filter(|m| item.contains_key(**m)).map(|m| m.to_ascii_uppercase()).collect();
    path_methods.sort();
    let shared_parameters = item.get("parameters");
    let mut operations = Vec::new();
    for method in METHODS.iter().filter(|m| item.contains_key(**m)) {
        let pointer = format!("{item_pointer}/{method}");
        let op = item[*method].as_object().ok_or_else(|| model_error(&pointer, "an operation must be an object"))?;
        let id = match op.get("operationId") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            Some(_) => return Err(model_error(format!("{pointer}/operationId"), "must be a non-empty string")),
            None => fallback_id(method, path),
        };
        let parameters = parameters(context.document, shared_parameters, op.get("parameters"), &pointer)?;
        let body = request_body(context.document, op.get("requestBody"), &pointer)?;
        let responses = responses(context.document, op.get("responses"), &pointer, context.legacy)?;
        let security = op.get("security").or(context.global_security);
        let credentials = credentials(security, &context.schemes, &pointer)?;
        let side_effect = super::side_effect(&item[*method], &pointer).map_err(|(p, m)| model_error(p, m))?;
        let either = super::either_places(&item[*method], &pointer).map_err(|(p, m)| model_error(p, m))?;
        let invalid_input = super::invalid_input(&item[*method], &pointer).map_err(|(p, m)| model_error(p, m))?;
        let accepts_valid_input = op
            .get("x-conform-accepts-valid-input")
            .and_then(Value::as_object)
            .and_then(|o| Level::parse(o.get("level")?.as_str()?).map(|level| (level, o)))
            .map(|(level, o)| Source::new(level, o.get("cite").and_then(Value::as_str).unwrap_or_default()));
        operations.push(Operation {
            spec: spec_id.to_owned(),
            id,
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            pointer,
            path_methods: path_methods.clone(),
            parameters,
            body,
            responses,
            credentials,
            accepts_valid_input,
            side_effect,
            either,
            invalid_input: invalid_input.or_else(|| context.invalid_input.clone()),
            source: Source::from_extension(op),
        });
    }
    Ok(operations)
}

/// `operations`, unless two share an id.
fn unique_ids(operations: Vec<Operation>) -> Result<Vec<Operation>, ModelError> {
    let mut seen = BTreeMap::new();
    for op in &operations {
        if let Some(first) = seen.insert(op.id.as_str(), op.pointer.as_str()) {
            return Err(model_error(&op.pointer, format!("operationId `{}` is also used at {first}", op.id)));
        }
    }
    Ok(operations)
}

fn fallback_id(method: &str, path: &str) -> String {
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

fn parameters(
    document: &Value,
    shared: Option<&Value>,
    own: Option<&Value>,
    pointer: &str,
) -> Result<Vec<Parameter>, ModelError> {
    let mut out: Vec<Parameter> = Vec::new();
    for (list, list_pointer) in [(shared, format!("{pointer}/../parameters")), (own, format!("{pointer}/parameters"))] {
        let Some(list) = list else { continue };
        let list = list.as_array().ok_or_else(|| model_error(&list_pointer, "`parameters` must be an array"))?;
        for (i, param) in list.iter().enumerate() {
            let param = follow(document, param);
            let at = format!("{list_pointer}/{i}");
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| model_error(&at, "a parameter needs a `name`"))?;
            let location = param
                .get("in")
                .and_then(Value::as_str)
                .and_then(ParamLocation::parse)
                .ok_or_else(|| model_error(&at, "`in` must be path, query, header or cookie"))?;
            let required =
                location == ParamLocation::Path || param.get("required").and_then(Value::as_bool).unwrap_or(false);
            let schema = param.get("schema").cloned().unwrap_or_else(|| Value::Object(Map::new()));
            let example = param.get("example").or_else(|| schema.get("example")).cloned();
            let parameter = Parameter { name: name.to_owned(), location, required, schema, example };
            // An operation's own parameter overrides the path item's of the same name and location.
            out.retain(|p| !(p.name == parameter.name && p.location == parameter.location));
            out.push(parameter);
        }
    }
    Ok(out)
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
            if let Some(value) = follow(document, example).get("value") {
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
        let status = StatusKey::parse(key)
            .ok_or_else(|| model_error(format!("{at}/{key}"), "not a status code, range or `default`"))?;
        let object = follow(document, response)
            .as_object()
            .ok_or_else(|| model_error(format!("{at}/{key}"), "a response must be an object"))?;
        let content = object
            .get("content")
            .and_then(Value::as_object)
            .map(|c| c.iter().map(|(media, m)| (media.clone(), m.get("schema").cloned())).collect())
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
        out.push(ResponseSpec { status, content, required_headers, source: Source::from_extension(object) });
    }
    Ok(out)
}

fn security_schemes(document: &Value) -> Result<BTreeMap<String, Credential>, ModelError> {
    let mut out = BTreeMap::new();
    let Some(schemes) = document.pointer("/components/securitySchemes").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (name, scheme) in schemes {
        let at = format!("#/components/securitySchemes/{}", escape(name));
        let kind = scheme.get("type").and_then(Value::as_str).unwrap_or_default();
        let location = match kind {
            "apiKey" => {
                let key = scheme
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| model_error(&at, "an apiKey scheme needs `name`"))?;
                match scheme.get("in").and_then(Value::as_str) {
                    Some("header") => CredentialLocation::Header(key.to_owned()),
                    Some("query") => CredentialLocation::Query(key.to_owned()),
                    Some("cookie") => CredentialLocation::Cookie(key.to_owned()),
                    _ => return Err(model_error(&at, "an apiKey scheme needs `in`: header, query or cookie")),
                }
            }
            "http" => match scheme.get("scheme").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
                Some("bearer") => CredentialLocation::Bearer,
                Some("basic") => CredentialLocation::Basic,
                _ => continue, // other HTTP schemes are not sent by conform
            },
            _ => continue, // oauth2 / openIdConnect / mutualTLS: not sent by conform
        };
        let variable = match (scheme.get("x-conform-variable").and_then(Value::as_str), &location) {
            (Some(variable), _) => variable.to_owned(),
            (None, CredentialLocation::Header(n) | CredentialLocation::Query(n) | CredentialLocation::Cookie(n)) => {
                n.clone()
            }
            (None, _) => name.clone(),
        };
        let source = scheme.as_object().and_then(Source::from_extension);
        out.insert(name.clone(), Credential { scheme: name.clone(), location, variable, source });
    }
    Ok(out)
}

fn credentials(
    security: Option<&Value>,
    schemes: &BTreeMap<String, Credential>,
    pointer: &str,
) -> Result<Vec<Credential>, ModelError> {
    let Some(requirements) = security.and_then(Value::as_array) else { return Ok(Vec::new()) };
    let Some(first) = requirements.first().and_then(Value::as_object) else { return Ok(Vec::new()) };
    first
        .keys()
        .filter_map(|name| match schemes.get(name) {
            Some(credential) => Some(Ok(credential.clone())),
            None if name.is_empty() => None,
            None => Some(Err(model_error(format!("{pointer}/security"), format!("unknown security scheme `{name}`")))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(post.accepts_valid_input.as_ref().unwrap().level, Level::Doc);
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
    fn taking_the_paths_apart_gives_the_same_operations() {
        let mut doc = document();
        let borrowed = extract_operations("demo", &doc).unwrap();
        assert_eq!(take_operations("demo", &mut doc).unwrap(), borrowed);
        assert_eq!(doc["paths"], Value::Null, "the paths are gone");
    }

    #[test]
    fn status_keys() {
        assert_eq!(StatusKey::parse("404"), Some(StatusKey::Code(404)));
        assert_eq!(StatusKey::parse("5XX"), Some(StatusKey::Range(5)));
        assert_eq!(StatusKey::parse("default"), Some(StatusKey::Default));
        assert_eq!(StatusKey::parse("99"), None);
        assert_eq!(StatusKey::parse("6XX"), None);
        assert!(StatusKey::Range(4).matches(422));
        assert!(is_json_media("application/json; charset=utf-8"));
        assert!(is_json_media("application/problem+json"));
        assert!(!is_json_media("text/plain"));
    }
}
