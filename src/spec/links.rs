//! Links between operations as a spec writes them: OpenAPI 3 `links` on responses (by
//! `operationId` or `operationRef`, with `parameters` and a `requestBody` made of runtime
//! expressions or constants) and the document's `x-conform-links`, which add an edge or disable
//! one. Read from the document before its paths are taken apart, then checked against the
//! operations that loaded: a link to an unknown operation, or with a runtime expression conform
//! cannot read, is a located problem and is left out.

use std::fmt;

use serde_json::{Map, Value};

use super::methods::Methods;
use super::operation::{Operation, ParamLocation, StatusKey};
use super::problem::{Problem, escape};
use super::reference::follow;

/// Where a link was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkOrigin {
    /// An OpenAPI `links` entry of a response.
    Declared,
    /// An entry of the document's `x-conform-links`.
    Extension,
}

/// The operation a link leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    Id(String),
    /// An `operationRef`: a JSON pointer to the operation (`#/paths/~1pets~1{id}/get`).
    Ref(String),
}

/// Where in an exchange a runtime expression reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangePart {
    Path(String),
    Query(String),
    Header(String),
    /// A JSON pointer into the body (`""` for the whole body).
    Body(String),
}

/// An OpenAPI runtime expression (`$response.body#/id`, `$request.path.petId`, `$statusCode`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeExpression {
    Url,
    Method,
    StatusCode,
    Request(ExchangePart),
    Response(ExchangePart),
}

impl RuntimeExpression {
    /// Reads one expression; why not when it is not one conform reads.
    pub fn parse(text: &str) -> Result<RuntimeExpression, String> {
        let part = |rest: &str, response: bool| -> Result<ExchangePart, String> {
            if let Some(pointer) = rest.strip_prefix("body") {
                return match pointer {
                    "" => Ok(ExchangePart::Body(String::new())),
                    p if p.starts_with("#/") => Ok(ExchangePart::Body(p[1..].to_owned())),
                    _ => Err(format!("`{text}`: a body is read as `body` or `body#/json/pointer`")),
                };
            }
            let (kind, name) = rest.split_once('.').ok_or_else(|| format!("`{text}`: expected a source and a name"))?;
            if name.is_empty() || name.chars().any(char::is_whitespace) {
                return Err(format!("`{text}`: the name after `{kind}.` is empty or has spaces"));
            }
            match (kind, response) {
                ("header", _) => Ok(ExchangePart::Header(name.to_owned())),
                ("path", false) => Ok(ExchangePart::Path(name.to_owned())),
                ("query", false) => Ok(ExchangePart::Query(name.to_owned())),
                _ => Err(format!(
                    "`{text}`: a {} is read from {}",
                    if response { "response" } else { "request" },
                    if response {
                        "`header.NAME` or `body#/pointer`"
                    } else {
                        "`path.`, `query.`, `header.` or `body#/`"
                    }
                )),
            }
        };
        match text {
            "$url" => Ok(RuntimeExpression::Url),
            "$method" => Ok(RuntimeExpression::Method),
            "$statusCode" => Ok(RuntimeExpression::StatusCode),
            _ => {
                if let Some(rest) = text.strip_prefix("$request.") {
                    part(rest, false).map(RuntimeExpression::Request)
                } else if let Some(rest) = text.strip_prefix("$response.") {
                    part(rest, true).map(RuntimeExpression::Response)
                } else {
                    Err(format!(
                        "`{text}` is not a runtime expression conform reads (`$url`, `$method`, `$statusCode`, \
                         `$request.…`, `$response.…`)"
                    ))
                }
            }
        }
    }
}

impl fmt::Display for RuntimeExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = |f: &mut fmt::Formatter<'_>, part: &ExchangePart| match part {
            ExchangePart::Path(name) => write!(f, "path.{name}"),
            ExchangePart::Query(name) => write!(f, "query.{name}"),
            ExchangePart::Header(name) => write!(f, "header.{name}"),
            ExchangePart::Body(pointer) if pointer.is_empty() => write!(f, "body"),
            ExchangePart::Body(pointer) => write!(f, "body#{pointer}"),
        };
        match self {
            RuntimeExpression::Url => f.write_str("$url"),
            RuntimeExpression::Method => f.write_str("$method"),
            RuntimeExpression::StatusCode => f.write_str("$statusCode"),
            RuntimeExpression::Request(p) => {
                f.write_str("$request.")?;
                part(f, p)
            }
            RuntimeExpression::Response(p) => {
                f.write_str("$response.")?;
                part(f, p)
            }
        }
    }
}

/// A value a link gives: a runtime expression, or a constant (an object or array whose string
/// leaves may themselves be expressions, `$…` whole or `{$…}` embedded).
#[derive(Debug, Clone, PartialEq)]
pub enum LinkValue {
    Expression(RuntimeExpression),
    Constant(Value),
}

impl LinkValue {
    fn read(value: &Value) -> Result<LinkValue, String> {
        match value {
            Value::String(text) if text.starts_with('$') => RuntimeExpression::parse(text).map(LinkValue::Expression),
            other => {
                embedded_expressions(other)?;
                Ok(LinkValue::Constant(other.clone()))
            }
        }
    }
}

impl fmt::Display for LinkValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkValue::Expression(e) => write!(f, "{e}"),
            LinkValue::Constant(v) => write!(f, "{v}"),
        }
    }
}

/// The expressions inside a constant's strings (`$…` whole, or `{$…}` within a text), each read.
pub fn embedded_expressions(value: &Value) -> Result<Vec<RuntimeExpression>, String> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) if text.starts_with('$') => out.push(RuntimeExpression::parse(text)?),
            Value::String(text) => {
                let mut rest = text.as_str();
                while let Some(start) = rest.find("{$") {
                    let end = rest[start..].find('}').ok_or_else(|| format!("`{text}`: `{{$` is not closed"))?;
                    out.push(RuntimeExpression::parse(&rest[start + 1..start + end])?);
                    rest = &rest[start + end + 1..];
                }
            }
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    Ok(out)
}

/// One parameter a link fills: its name, the place when the link qualifies it (`path.petId`).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkParameter {
    pub name: String,
    pub location: Option<ParamLocation>,
    pub value: LinkValue,
}

/// One link of a spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The link's name (`GetPetById`), or `from->to` for an extension entry.
    pub name: String,
    pub origin: LinkOrigin,
    /// The operation whose answer the link follows (its id).
    pub from: String,
    /// The answer's status; `None` for an extension entry that names none (any success).
    pub status: Option<StatusKey>,
    pub target: LinkTarget,
    pub parameters: Vec<LinkParameter>,
    pub request_body: Option<LinkValue>,
    /// `x-conform-links` `disable: true`: the edge from → to is removed (declared or inferred).
    pub disabled: bool,
    /// Where it is written (a pointer into the document).
    pub pointer: String,
}

impl Link {
    /// The id of the operation it leads to, among `operations`.
    pub fn target_id<'a>(&self, operations: &'a [Operation]) -> Option<&'a str> {
        let found = match &self.target {
            LinkTarget::Id(id) => operations.iter().find(|o| o.id == *id),
            LinkTarget::Ref(reference) => {
                let fragment = reference.split_once('#').map_or(reference.as_str(), |(_, f)| f);
                let wanted = format!("#{}", fragment.trim_start_matches('#'));
                operations.iter().find(|o| o.pointer == wanted)
            }
        };
        found.map(|o| o.id.as_str())
    }
}

/// The operation id a document gives an operation (its `operationId`, else `method-path`).
fn operation_id(method: &str, path: &str, operation: &Value) -> String {
    match operation.get("operationId").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => super::extract::fallback_id(&method.to_ascii_lowercase(), path),
    }
}

fn parameters_of(object: &Map<String, Value>, at: &str, problems: &mut Vec<Problem>) -> Vec<LinkParameter> {
    let Some(parameters) = object.get("parameters") else { return Vec::new() };
    let Some(parameters) = parameters.as_object() else {
        problems.push(Problem::error(format!("{at}/parameters"), "link `parameters` must be a map of name to value"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in parameters {
        let (location, name) = match key.split_once('.') {
            Some((place, name)) if ParamLocation::parse(place).is_some() => (ParamLocation::parse(place), name),
            _ => (None, key.as_str()),
        };
        match LinkValue::read(value) {
            Ok(value) => out.push(LinkParameter { name: name.to_owned(), location, value }),
            Err(message) => problems.push(Problem::error(format!("{at}/parameters/{}", escape(key)), message)),
        }
    }
    out
}

fn body_of(object: &Map<String, Value>, at: &str, problems: &mut Vec<Problem>) -> Option<LinkValue> {
    let body = object.get("requestBody")?;
    LinkValue::read(body).map_err(|m| problems.push(Problem::error(format!("{at}/requestBody"), m))).ok()
}

/// One response `links` entry; `None` (with a problem) when it is unusable.
fn declared(
    document: &Value,
    (from, status, name): (&str, StatusKey, &str),
    link: &Value,
    at: &str,
    problems: &mut Vec<Problem>,
) -> Option<Link> {
    let Some(object) = follow(document, link).as_object() else {
        problems.push(Problem::error(at, "a link must be an object"));
        return None;
    };
    let target = match (object.get("operationId"), object.get("operationRef")) {
        (Some(Value::String(id)), None) => LinkTarget::Id(id.clone()),
        (None, Some(Value::String(reference))) => LinkTarget::Ref(reference.clone()),
        (Some(_), Some(_)) => {
            problems.push(Problem::error(at, "a link has `operationId` or `operationRef`, not both"));
            return None;
        }
        _ => {
            problems.push(Problem::error(at, "a link needs `operationId` or `operationRef` (a string)"));
            return None;
        }
    };
    let before = problems.len();
    let parameters = parameters_of(object, at, problems);
    let request_body = body_of(object, at, problems);
    (problems.len() == before).then(|| Link {
        name: name.to_owned(),
        origin: LinkOrigin::Declared,
        from: from.to_owned(),
        status: Some(status),
        target,
        parameters,
        request_body,
        disabled: false,
        pointer: at.to_owned(),
    })
}

/// One `x-conform-links` entry: `{from, to, status?, parameters?, requestBody?, disable?}`.
fn extension(entry: &Value, at: &str, problems: &mut Vec<Problem>) -> Option<Link> {
    let Some(object) = entry.as_object() else {
        problems.push(Problem::error(
            at,
            "an `x-conform-links` entry is `{from, to, parameters?, requestBody?, disable?}`",
        ));
        return None;
    };
    let text = |key: &str| object.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
    let (Some(from), Some(to)) = (text("from"), text("to")) else {
        problems.push(Problem::error(at, "an `x-conform-links` entry needs `from` and `to` (operation ids)"));
        return None;
    };
    let status = match object.get("status") {
        None => None,
        Some(value) => {
            let key = value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
            match StatusKey::parse(&key) {
                Some(status) => Some(status),
                None => {
                    problems.push(Problem::error(format!("{at}/status"), "not a status code, range or `default`"));
                    return None;
                }
            }
        }
    };
    let disabled = match object.get("disable") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            problems.push(Problem::error(format!("{at}/disable"), "`disable` is true or false"));
            return None;
        }
    };
    let before = problems.len();
    let parameters = parameters_of(object, at, problems);
    let request_body = body_of(object, at, problems);
    (problems.len() == before).then(|| Link {
        name: format!("{from}->{to}"),
        origin: LinkOrigin::Extension,
        from: from.to_owned(),
        status,
        target: LinkTarget::Id(to.to_owned()),
        parameters,
        request_body,
        disabled,
        pointer: at.to_owned(),
    })
}

/// The links a resolved document writes (before its paths are taken apart), and the problems of
/// those it writes wrong. Pointers are into the resolved document.
pub fn read_links(document: &Value) -> (Vec<Link>, Vec<Problem>) {
    let mut links = Vec::new();
    let mut problems = Vec::new();
    let methods = Methods::of(document);
    for (path, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for (key, method, operation) in methods.operations(item) {
            let from = operation_id(&method, path, operation);
            let at = format!("#/paths/{}/{key}/responses", escape(path));
            for (code, response) in operation.get("responses").and_then(Value::as_object).into_iter().flatten() {
                let Some(status) = StatusKey::parse(code) else { continue };
                let Some(found) = follow(document, response).get("links").and_then(Value::as_object) else { continue };
                for (name, link) in found {
                    let at = format!("{at}/{}/links/{}", escape(code), escape(name));
                    links.extend(declared(document, (&from, status, name), link, &at, &mut problems));
                }
            }
        }
    }
    match document.get("x-conform-links") {
        None => {}
        Some(Value::Array(entries)) => {
            for (n, entry) in entries.iter().enumerate() {
                links.extend(extension(entry, &format!("#/x-conform-links/{n}"), &mut problems));
            }
        }
        Some(_) => problems.push(Problem::error("#/x-conform-links", "`x-conform-links` is a list of links")),
    }
    (links, problems)
}

/// The links whose operations exist among `operations` (one spec's), and a problem for each
/// that leads nowhere; a parameter the target does not have is a warning (the link is kept).
pub fn check_links(links: Vec<Link>, operations: &[Operation]) -> (Vec<Link>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut kept = Vec::new();
    for link in links {
        if operations.is_empty() {
            break;
        }
        if !operations.iter().any(|o| o.id == link.from) {
            let message = format!("link `{}`: no operation `{}` to follow (unknown or left out)", link.name, link.from);
            problems.push(Problem::error(format!("{}/from", link.pointer), message));
            continue;
        }
        let Some(to) = link.target_id(operations) else {
            let (key, what) = match &link.target {
                LinkTarget::Id(id) if link.origin == LinkOrigin::Extension => ("to", format!("operationId `{id}`")),
                LinkTarget::Id(id) => ("operationId", format!("operationId `{id}`")),
                LinkTarget::Ref(r) => ("operationRef", format!("operationRef `{r}`")),
            };
            let message = format!("link `{}`: {what} names no operation of this spec", link.name);
            problems.push(Problem::error(format!("{}/{key}", link.pointer), message));
            continue;
        };
        let target = operations.iter().find(|o| o.id == to).expect("found above");
        for parameter in &link.parameters {
            let known = target
                .parameters
                .iter()
                .any(|p| p.name == parameter.name && parameter.location.is_none_or(|l| l == p.location));
            if !known {
                let key = match parameter.location {
                    Some(l) => format!("{}.{}", l.as_str(), parameter.name),
                    None => parameter.name.clone(),
                };
                problems.push(Problem::warning(
                    format!("{}/parameters/{}", link.pointer, escape(&key)),
                    format!("link `{}`: operation `{to}` has no parameter `{key}`; the value is not used", link.name),
                ));
            }
        }
        kept.push(link);
    }
    (kept, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn runtime_expressions_read_and_print_back() {
        for text in [
            "$url",
            "$method",
            "$statusCode",
            "$request.path.petId",
            "$request.query.q",
            "$request.header.X-Id",
            "$request.body#/a/b",
            "$request.body",
            "$response.body#/id",
            "$response.header.Location",
        ] {
            assert_eq!(RuntimeExpression::parse(text).map(|e| e.to_string()), Ok(text.to_owned()));
        }
        for bad in ["$response.path.id", "$response.body/id", "$request.path.", "$foo", "$request.cookie.x"] {
            assert!(RuntimeExpression::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn embedded_expressions_are_read_in_constants() {
        let found =
            embedded_expressions(&json!({"a": "id-{$response.body#/id}", "b": ["$request.path.x"], "c": 1})).unwrap();
        assert_eq!(found.len(), 2);
        assert!(embedded_expressions(&json!({"a": "{$nope}"})).is_err());
        assert!(embedded_expressions(&json!("{$response.body#/id")).is_err());
    }

    fn document() -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": {
                "/pets": {"post": {"operationId": "create", "responses": {"201": {"description": "made", "links": {
                    "Get": {"operationId": "get", "parameters": {"path.petId": "$response.body#/id"}},
                    "Ref": {"operationRef": "#/paths/~1pets~1{petId}/delete", "parameters": {"petId": "$response.body#/id"}},
                    "Bad": {"operationId": "get", "parameters": {"petId": "$response.nowhere"}},
                    "Nowhere": {"operationId": "missing"},
                    "Extra": {"operationId": "get", "parameters": {"color": "red"}}
                }}}}},
                "/pets/{petId}": {
                    "get": {"operationId": "get", "parameters": [{"name": "petId", "in": "path", "required": true}], "responses": {"200": {"description": "ok"}}},
                    "delete": {"parameters": [{"name": "petId", "in": "path", "required": true}], "responses": {"204": {"description": "gone"}}}
                }
            },
            "x-conform-links": [{"from": "create", "to": "get", "disable": true}, {"from": "create"}]
        })
    }

    #[test]
    fn links_are_read_checked_and_located() {
        let mut document = document();
        let (links, problems) = read_links(&document);
        let names: Vec<&str> = links.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Get", "Ref", "Nowhere", "Extra", "create->get"]);
        let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(pointers, ["#/paths/~1pets/post/responses/201/links/Bad/parameters/petId", "#/x-conform-links/1"]);
        assert!(links[4].disabled);
        assert_eq!(links[0].parameters[0].location, Some(ParamLocation::Path));
        let operations = super::super::take_operations("pets", &mut document).unwrap();
        let (kept, problems) = check_links(links, &operations);
        let names: Vec<&str> = kept.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Get", "Ref", "Extra", "create->get"]);
        assert_eq!(kept[1].target_id(&operations), Some("delete-pets-petid"));
        let found: Vec<(String, bool)> = problems.iter().map(|p| (p.pointer.clone(), p.is_error())).collect();
        assert_eq!(
            found,
            [
                ("#/paths/~1pets/post/responses/201/links/Nowhere/operationId".to_owned(), true),
                ("#/paths/~1pets/post/responses/201/links/Extra/parameters/color".to_owned(), false),
            ]
        );
    }
}
