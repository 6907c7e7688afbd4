//! The credentials an operation sends: its security schemes (`components.securitySchemes`, or a
//! Swagger 2.0 document's `securityDefinitions` once converted) read into [`Credential`]s, each
//! taking its value from a variable (`--var`). An API key goes in its header, query parameter or
//! cookie; HTTP basic and bearer, and an OAuth 2 access token (sent as a bearer token), in
//! `Authorization`. A scheme that is written wrong breaks only the operations that use it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::operation::{Credential, CredentialLocation, ModelError, Source};
use super::problem::escape;

/// The document's security schemes by name: a credential, an error for a scheme written wrong,
/// or nothing for one conform does not send (openIdConnect, mutualTLS, other HTTP schemes).
pub type Schemes = BTreeMap<String, Result<Option<Credential>, ModelError>>;

fn model_error(pointer: impl Into<String>, message: impl Into<String>) -> ModelError {
    ModelError { pointer: pointer.into(), message: message.into() }
}

/// Reads one scheme named `name`.
fn scheme(name: &str, scheme: &Value) -> Result<Option<Credential>, ModelError> {
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
            _ => return Ok(None), // other HTTP schemes are not sent by conform
        },
        "oauth2" => CredentialLocation::Bearer,
        _ => return Ok(None), // openIdConnect / mutualTLS: not sent by conform
    };
    let variable = match (scheme.get("x-conform-variable").and_then(Value::as_str), &location) {
        (Some(variable), _) => variable.to_owned(),
        (None, CredentialLocation::Header(n) | CredentialLocation::Query(n) | CredentialLocation::Cookie(n)) => {
            n.clone()
        }
        (None, _) => name.to_owned(),
    };
    let source = scheme.as_object().and_then(Source::from_extension);
    Ok(Some(Credential { scheme: name.to_owned(), location, variable, source }))
}

/// Every security scheme of a resolved document.
pub fn schemes(document: &Value) -> Schemes {
    let Some(schemes) = document.pointer("/components/securitySchemes").and_then(Value::as_object) else {
        return Schemes::new();
    };
    schemes.iter().map(|(name, value)| (name.clone(), scheme(name, value))).collect()
}

/// The credentials of the first security requirement of `security` (the operation's, else the
/// document's); an error names an unknown scheme, or one written wrong.
pub fn credentials(security: Option<&Value>, schemes: &Schemes, pointer: &str) -> Result<Vec<Credential>, ModelError> {
    let Some(requirements) = security.and_then(Value::as_array) else { return Ok(Vec::new()) };
    let Some(first) = requirements.first().and_then(Value::as_object) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for name in first.keys() {
        match schemes.get(name) {
            Some(Ok(Some(credential))) => out.push(credential.clone()),
            Some(Ok(None)) => {}
            Some(Err(e)) => return Err(e.clone()),
            None if name.is_empty() => {}
            None => {
                return Err(model_error(format!("{pointer}/security"), format!("unknown security scheme `{name}`")));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn oauth2_is_a_bearer_token_and_a_broken_scheme_breaks_its_users() {
        let document = json!({"components": {"securitySchemes": {
            "oauth": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a", "scopes": {}}}},
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://o"},
            "broken": {"type": "apiKey", "in": "header"}}}});
        let schemes = schemes(&document);
        let oauth = credentials(Some(&json!([{"oauth": ["read"]}])), &schemes, "#/op").unwrap();
        assert_eq!((oauth[0].location.clone(), oauth[0].variable.as_str()), (CredentialLocation::Bearer, "oauth"));
        assert!(credentials(Some(&json!([{"oidc": []}])), &schemes, "#/op").unwrap().is_empty());
        let error = credentials(Some(&json!([{"broken": []}])), &schemes, "#/op").unwrap_err();
        assert_eq!(error.pointer, "#/components/securitySchemes/broken");
        let error = credentials(Some(&json!([{"nope": []}])), &schemes, "#/op").unwrap_err();
        assert_eq!(
            (error.pointer.as_str(), error.message.as_str()),
            ("#/op/security", "unknown security scheme `nope`")
        );
        assert!(credentials(Some(&json!([{}])), &schemes, "#/op").unwrap().is_empty());
    }
}
