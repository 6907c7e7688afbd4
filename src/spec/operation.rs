//! The `Operation` model: what the rest of the harness knows of an OpenAPI operation, extracted
//! ([`super::extract`]) from a document whose `$ref`s are resolved and whose schemas are
//! rewritten to JSON Schema 2020-12. Everything downstream (case generation, checks, reports)
//! reads this model, never the raw document. A Swagger 2.0 spec and its OpenAPI 3.0 twin make
//! the same model.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
    pub(super) fn parse(s: &str) -> Option<Self> {
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
    /// How an array value is written, when the document says: Swagger 2.0's `collectionFormat`,
    /// or OpenAPI 3's `style`/`explode` given on the parameter (an object query parameter is an
    /// exploded form unless it says otherwise). `None`: as JSON text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_format: Option<CollectionFormat>,
}

impl Parameter {
    /// Whether the parameter is an object sent as its `key=value` pairs: a query parameter whose
    /// schema is an object, in an exploded form (OpenAPI 3's `style: form`, `explode: true`).
    pub fn is_exploded_object(&self) -> bool {
        self.location == ParamLocation::Query
            && self.collection_format == Some(CollectionFormat::Multi)
            && super::definition::expand(&self.schema).get("type").and_then(Value::as_str) == Some("object")
    }
}

/// How an array parameter is written: its items joined by a delimiter, or the parameter repeated
/// once per item (`multi`, query parameters only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CollectionFormat {
    /// `a,b` (OpenAPI 3: `style: form, explode: false` in a query, `style: simple` elsewhere).
    Csv,
    /// `a b` (`style: spaceDelimited`).
    Ssv,
    /// `a<TAB>b` (no OpenAPI 3 style: `x-conform-collection-format: tsv`).
    Tsv,
    /// `a|b` (`style: pipeDelimited`).
    Pipes,
    /// `name=a&name=b` (`style: form, explode: true`); an object is its own `key=value` pairs.
    Multi,
}

impl CollectionFormat {
    /// A Swagger 2.0 `collectionFormat` value.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Self::Csv),
            "ssv" => Some(Self::Ssv),
            "tsv" => Some(Self::Tsv),
            "pipes" => Some(Self::Pipes),
            "multi" => Some(Self::Multi),
            _ => None,
        }
    }

    /// What joins the items (`None`: the parameter is repeated instead).
    pub fn delimiter(self) -> Option<&'static str> {
        match self {
            Self::Csv => Some(","),
            Self::Ssv => Some(" "),
            Self::Tsv => Some("\t"),
            Self::Pipes => Some("|"),
            Self::Multi => None,
        }
    }
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
    pub(super) fn parse(key: &str) -> Option<Self> {
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
    /// (issue 25) Every response header the document declares with a schema: its name,
    /// lower-cased, and the schema.
    pub header_schemas: Vec<(String, Value)>,
    pub source: Option<Source>,
}

/// How a security scheme carries its credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CredentialLocation {
    Header(String),
    Query(String),
    Cookie(String),
    /// `Authorization: Bearer <value>` (an HTTP bearer scheme, or an OAuth 2 access token).
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
    /// Upper case: `POST`; an OpenAPI 3.2 additional operation's as written (`COPY`).
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
    /// Every media type the operation documents for its responses, in order: its responses'
    /// content, then a Swagger 2.0 `produces` (which holds even for responses without a schema).
    pub produces: Vec<String>,
    /// The credentials of the operation's first security requirement (or the document's).
    pub credentials: Vec<Credential>,
    /// `x-conform-accepts-valid-input` (the operation's, else the document's): how sure it is that
    /// a schema-valid request with valid credentials is not refused as invalid (400/415/422).
    pub accepts_valid_input: AcceptsValidInput,
    /// `x-conform-side-effect`: the operation sends a message to a phone.
    pub side_effect: Option<super::SideEffect>,
    /// `x-conform-either-place`: values the operation reads from any of several places.
    pub either: Vec<super::EitherPlace>,
    /// `x-conform-invalid-input` (the operation's, else the document's): the statuses invalid
    /// input gets, where the spec pins them.
    pub invalid_input: Option<super::InvalidInput>,
    pub source: Option<Source>,
}

/// What `x-conform-accepts-valid-input` says of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AcceptsValidInput {
    /// Not given: the spec's schemas allow every positive case, so a refusal of one is worth a
    /// warning, but nothing makes acceptance certain.
    #[default]
    Expected,
    /// `{level, cite}`: acceptance is certain; the value is the rule's source.
    Certain(Source),
    /// `false`: the operation may refuse schema-valid input (a documented business rule the
    /// schemas do not express).
    NotPromised,
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn collection_formats() {
        assert_eq!(CollectionFormat::parse("pipes").and_then(CollectionFormat::delimiter), Some("|"));
        assert_eq!(CollectionFormat::parse("multi").map(CollectionFormat::delimiter), Some(None));
        assert_eq!(CollectionFormat::parse("bars"), None);
    }
}
