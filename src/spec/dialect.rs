//! Which kind of document a spec is: Swagger 2.0, OpenAPI 3.0, 3.1 or 3.2. Anything else is
//! refused naming what was found (`swagger: "1.2"`, an AsyncAPI document, no version key at all),
//! so that a user learns what conform saw rather than only that it is "not OpenAPI 3".

use serde_json::Value;

/// The versions conform reads, for messages.
pub const SUPPORTED: &str = "Swagger 2.0 and OpenAPI 3.0.x, 3.1.x and 3.2.x are supported";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Swagger 2.0 (OpenAPI 2.0): converted to the 3.0 shape before anything else reads it.
    Swagger2,
    /// OpenAPI 3.0.x: its schemas are rewritten to JSON Schema 2020-12.
    OpenApi30,
    OpenApi31,
    /// OpenAPI 3.2.x: read as 3.1, plus the `query` method, `additionalOperations`,
    /// `in: querystring` and `$self`.
    OpenApi32,
}

impl Dialect {
    /// OpenAPI 3.0's schema dialect and rules (3.0 documents, and 2.0 ones once converted).
    pub fn legacy(self) -> bool {
        matches!(self, Dialect::Swagger2 | Dialect::OpenApi30)
    }
}

/// Why a document is not one conform reads: the pointer of what was found, and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub pointer: String,
    pub message: String,
    /// A version key with a value conform does not read (rather than no OpenAPI document at all).
    pub version: Option<String>,
}

/// A scalar as the document wrote it, for a message: `"1.2"` for a string, `2` for a number.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// The dialect of `document`, or why it has none conform reads.
pub fn dialect(document: &Value) -> Result<Dialect, Refusal> {
    let refuse = |pointer: &str, message: String| Refusal { pointer: pointer.to_owned(), message, version: None };
    let Some(root) = document.as_object() else {
        let what = match document {
            Value::Array(_) => "a list",
            Value::String(_) => "a string",
            Value::Null => "empty",
            _ => "a scalar",
        };
        return Err(refuse(
            "#",
            format!("the document is {what}, not an OpenAPI document (an object with `openapi` or `swagger`)"),
        ));
    };
    if let Some(version) = root.get("openapi") {
        let text = version.as_str().unwrap_or_default();
        return match text.split('.').take(2).collect::<Vec<_>>().as_slice() {
            ["3", "0"] if text.starts_with("3.0.") => Ok(Dialect::OpenApi30),
            ["3", "1"] if text.starts_with("3.1.") => Ok(Dialect::OpenApi31),
            ["3", "2"] if text.starts_with("3.2.") => Ok(Dialect::OpenApi32),
            _ => Err(Refusal {
                pointer: "#/openapi".to_owned(),
                message: format!("unsupported OpenAPI version `{}` ({SUPPORTED})", version_text(version)),
                version: Some(version_text(version)),
            }),
        };
    }
    if let Some(version) = root.get("swagger") {
        if version.as_str() == Some("2.0") {
            return Ok(Dialect::Swagger2);
        }
        let message = if version.as_str().is_some_and(|v| v.starts_with("1.")) || version.as_f64() == Some(1.2) {
            format!("`swagger: {}` is Swagger 1.x, which conform does not read ({SUPPORTED})", shown(version))
        } else if version.as_f64() == Some(2.0) {
            format!("`swagger: {}` must be the string \"2.0\" (quote it in YAML: `swagger: \"2.0\"`)", shown(version))
        } else {
            format!("unsupported Swagger version `swagger: {}` ({SUPPORTED})", shown(version))
        };
        return Err(Refusal { pointer: "#/swagger".to_owned(), message, version: Some(version_text(version)) });
    }
    if let Some(version) = root.get("swaggerVersion") {
        let message =
            format!("`swaggerVersion: {}` is Swagger 1.x, which conform does not read ({SUPPORTED})", shown(version));
        return Err(Refusal { pointer: "#/swaggerVersion".to_owned(), message, version: Some(version_text(version)) });
    }
    if let Some(version) = root.get("asyncapi") {
        let message = format!(
            "an AsyncAPI document (`asyncapi: {}`): conform tests HTTP APIs described by OpenAPI ({SUPPORTED})",
            shown(version)
        );
        return Err(refuse("#/asyncapi", message));
    }
    let mut keys: Vec<&str> = root.keys().map(String::as_str).take(8).collect();
    if root.len() > keys.len() {
        keys.push("…");
    }
    let found =
        if keys.is_empty() { "an empty object".to_owned() } else { format!("top-level keys: {}", keys.join(", ")) };
    Err(refuse("#", format!("no `openapi` or `swagger` key: not an OpenAPI document ({found})")))
}

/// A version value as text (`3.1.0`, `2`).
fn version_text(version: &Value) -> String {
    match version {
        Value::String(v) => v.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_are_told_apart() {
        assert_eq!(dialect(&json!({"swagger": "2.0"})), Ok(Dialect::Swagger2));
        assert_eq!(dialect(&json!({"openapi": "3.0.3"})), Ok(Dialect::OpenApi30));
        assert_eq!(dialect(&json!({"openapi": "3.1.1"})), Ok(Dialect::OpenApi31));
        assert_eq!(dialect(&json!({"openapi": "3.2.0"})), Ok(Dialect::OpenApi32));
        assert!(Dialect::Swagger2.legacy() && Dialect::OpenApi30.legacy() && !Dialect::OpenApi32.legacy());
    }

    #[test]
    fn refusals_name_what_they_saw() {
        let message = |document: Value| dialect(&document).unwrap_err().message;
        assert_eq!(
            message(json!({"swagger": "1.2"})),
            "`swagger: \"1.2\"` is Swagger 1.x, which conform does not read (Swagger 2.0 and OpenAPI 3.0.x, 3.1.x and 3.2.x are supported)"
        );
        assert!(
            message(json!({"swaggerVersion": "1.2", "apis": []}))
                .starts_with("`swaggerVersion: \"1.2\"` is Swagger 1.x")
        );
        assert!(message(json!({"swagger": 2.0})).contains("must be the string \"2.0\""));
        assert!(
            message(json!({"asyncapi": "2.6.0", "channels": {}}))
                .starts_with("an AsyncAPI document (`asyncapi: \"2.6.0\"`)")
        );
        assert_eq!(
            message(json!({"info": {}, "paths": {}})),
            "no `openapi` or `swagger` key: not an OpenAPI document (top-level keys: info, paths)"
        );
        assert!(message(json!([1])).starts_with("the document is a list"));
        let refusal = dialect(&json!({"openapi": "4.0.0"})).unwrap_err();
        assert_eq!((refusal.pointer.as_str(), refusal.version.as_deref()), ("#/openapi", Some("4.0.0")));
        assert!(refusal.message.starts_with("unsupported OpenAPI version `4.0.0`"));
    }
}
