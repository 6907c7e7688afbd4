//! `x-conform-side-effect`: an operation that sends a message to a phone (SMS, voice, WhatsApp),
//! and where its recipient is in the request. Against a target without a sandbox, such an
//! operation is only ever called with an allow-listed recipient, within a budget.
//!
//! ```yaml
//! x-conform-side-effect:
//!   kind: sends-message
//!   recipients:                # every place a recipient can be given
//!     - [{in: body, pointer: /ddi}, {in: body, pointer: /phone}]   # parts, concatenated
//!     - [{in: query, name: phone_number}]
//! ```
//!
//! A part is `{in: body, pointer: <JSON pointer>}` or `{in: query|header|path, name: <name>}`.
//! Every alternative present in a request is guarded. `recipients: none` says that the request
//! names no phone number the message goes to (an email to the account's address, say): no
//! allow-list entry can match it, so without a sandbox such an operation is never called.

use serde::Serialize;
use serde_json::Value;

use super::operation::ParamLocation;

/// A place in a request: a JSON pointer into the body, or a named parameter. It says where one
/// part of a recipient's number is, or where one value may be sent ([`super::EitherPlace`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RecipientPart {
    Body(String),
    Parameter(ParamLocation, String),
}

/// `body /phone_number`, `query phone_number`: a place as messages name it.
impl std::fmt::Display for RecipientPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecipientPart::Body(pointer) => write!(f, "body {pointer}"),
            RecipientPart::Parameter(location, name) => write!(f, "{} {name}", location.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SideEffect {
    /// Alternatives; each is a list of parts whose digits, concatenated, make the number.
    pub recipients: Vec<Vec<RecipientPart>>,
}

/// Reads an operation's `x-conform-side-effect`; `Err` is (pointer, message).
pub fn side_effect(operation: &Value, pointer: &str) -> Result<Option<SideEffect>, (String, String)> {
    let Some(extension) = operation.get("x-conform-side-effect") else { return Ok(None) };
    let at = format!("{pointer}/x-conform-side-effect");
    match extension.get("kind").and_then(Value::as_str) {
        Some("sends-message") => {}
        _ => return Err((format!("{at}/kind"), "the only kind is `sends-message`".to_owned())),
    }
    if extension.get("recipients").and_then(Value::as_str) == Some("none") {
        return Ok(Some(SideEffect { recipients: Vec::new() }));
    }
    let alternatives =
        extension.get("recipients").and_then(Value::as_array).filter(|a| !a.is_empty()).ok_or_else(|| {
            (
                format!("{at}/recipients"),
                "a non-empty list of recipient alternatives, or `none`, is required".to_owned(),
            )
        })?;
    let mut recipients = Vec::new();
    for (a, parts) in alternatives.iter().enumerate() {
        let parts = parts
            .as_array()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| (format!("{at}/recipients/{a}"), "a non-empty list of parts is required".to_owned()))?;
        let mut recipient = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            recipient.push(place(part, &format!("{at}/recipients/{a}/{i}"))?);
        }
        recipients.push(recipient);
    }
    Ok(Some(SideEffect { recipients }))
}

/// Reads one place: `{in: body, pointer: /x}` or `{in: query|header|path, name: x}`; `Err` is
/// (pointer, message) with `at` as the pointer.
pub(super) fn place(part: &Value, at: &str) -> Result<RecipientPart, (String, String)> {
    let error = || (at.to_owned(), "expected {in: body, pointer: /x} or {in: query|header|path, name: x}".to_owned());
    let name = |key: &str| part.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(match part.get("in").and_then(Value::as_str) {
        Some("body") => {
            RecipientPart::Body(name("pointer").filter(|p| p.is_empty() || p.starts_with('/')).ok_or_else(error)?)
        }
        Some("query") => RecipientPart::Parameter(ParamLocation::Query, name("name").ok_or_else(error)?),
        Some("header") => RecipientPart::Parameter(ParamLocation::Header, name("name").ok_or_else(error)?),
        Some("path") => RecipientPart::Parameter(ParamLocation::Path, name("name").ok_or_else(error)?),
        _ => return Err(error()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_body_and_parameter_parts() {
        let op = json!({"x-conform-side-effect": {"kind": "sends-message", "recipients": [
            [{"in": "body", "pointer": "/ddi"}, {"in": "body", "pointer": "/phone"}],
            [{"in": "query", "name": "phone_number"}]]}});
        let effect = side_effect(&op, "#/op").unwrap().unwrap();
        assert_eq!(
            effect.recipients,
            [
                vec![RecipientPart::Body("/ddi".into()), RecipientPart::Body("/phone".into())],
                vec![RecipientPart::Parameter(ParamLocation::Query, "phone_number".into())]
            ]
        );
        assert_eq!(side_effect(&json!({}), "#/op"), Ok(None));
    }

    #[test]
    fn bad_shapes_name_their_pointer() {
        let bad_kind =
            json!({"x-conform-side-effect": {"kind": "sends-mail", "recipients": [[{"in": "body", "pointer": "/a"}]]}});
        assert_eq!(side_effect(&bad_kind, "#/op").unwrap_err().0, "#/op/x-conform-side-effect/kind");
        let bad_part = json!({"x-conform-side-effect": {"kind": "sends-message", "recipients": [[{"in": "body", "pointer": "a"}]]}});
        assert_eq!(side_effect(&bad_part, "#/op").unwrap_err().0, "#/op/x-conform-side-effect/recipients/0/0");
        let empty = json!({"x-conform-side-effect": {"kind": "sends-message", "recipients": []}});
        assert!(side_effect(&empty, "#/op").is_err());
        let unnamed = json!({"x-conform-side-effect": {"kind": "sends-message", "recipients": "none"}});
        assert_eq!(side_effect(&unnamed, "#/op"), Ok(Some(SideEffect { recipients: Vec::new() })));
    }
}
