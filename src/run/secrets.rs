//! The secrets of a run, each with where it came from: every value given as a variable
//! (`--var`, `CONFORM_VAR_*`) or a header (`--header`), and the parts of a credential that are
//! secrets by themselves (the token after `Bearer`/`token`/any scheme word of `Authorization`,
//! `Proxy-Authorization` and the spec's security-scheme headers; Basic's decoded pair and
//! password; each cookie's value). The run masks them all ([`redactor`]); a value too short to
//! mask without hitting unrelated text is named in a warning ([`short_secret_warnings`]).

use std::collections::{BTreeMap, BTreeSet};

use super::config::RunConfig;
use crate::http::credential::{self, CREDENTIAL_HEADERS, Part};
use crate::show::{MIN_SAFE_LEN, Redactor};
use crate::spec::{Credential, CredentialLocation, Spec};

/// One secret, and what gave it (`--var zapi.token`, `the credential after `token` in --header
/// Authorization`), for a warning that names it without showing it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    pub source: String,
    pub value: String,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({}, {} characters)", self.source, self.value.chars().count())
    }
}

/// The security schemes the spec's operations use, each once.
fn schemes(spec: &Spec) -> Vec<&Credential> {
    let mut seen = BTreeSet::new();
    spec.operations.iter().flat_map(|o| &o.credentials).filter(|c| seen.insert(c.scheme.as_str())).collect()
}

/// The parts of a credential value that are secrets by themselves, for where it travels.
fn parts_of(location: &CredentialLocation, value: &str) -> Vec<Part> {
    match location {
        // The value is `user:password`: the password alone is one too.
        CredentialLocation::Basic => credential::password(value).into_iter().collect(),
        _ => credential::after_scheme(value),
    }
}

/// Every secret of the run, with its source, in a stable order (duplicates kept: each source is
/// one).
pub fn secrets(config: &RunConfig) -> Vec<Secret> {
    let mut out = Vec::new();
    let mut push = |source: String, value: &str| {
        if !value.is_empty() {
            out.push(Secret { source, value: value.to_owned() });
        }
    };
    for flag in &config.variables.flags {
        let spec = flag.spec.as_ref().map(|s| format!("{s}.")).unwrap_or_default();
        push(format!("--var {spec}{}", flag.name), &flag.value);
    }
    for (name, value) in &config.variables.env {
        push(name.clone(), value);
    }
    for spec in &config.specs {
        for scheme in schemes(spec) {
            let Some(value) = config.variables.resolve(&spec.id, &scheme.variable) else { continue };
            let source = format!("{}.{} (security scheme `{}`)", spec.id, scheme.variable, scheme.scheme);
            for part in parts_of(&scheme.location, &value) {
                push(part.describe(&source), &part.value);
            }
        }
    }
    let scheme_headers: BTreeSet<String> = config
        .specs
        .iter()
        .flat_map(schemes)
        .filter_map(|c| match &c.location {
            CredentialLocation::Header(name) => Some(name.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    for (name, value) in &config.headers {
        let source = format!("--header {name}");
        push(source.clone(), value);
        let lower = name.to_ascii_lowercase();
        let parts = if lower == "cookie" {
            credential::cookies(value)
        } else if CREDENTIAL_HEADERS.contains(&lower.as_str()) || scheme_headers.contains(&lower) {
            credential::after_scheme(value)
        } else {
            Vec::new()
        };
        for part in parts {
            push(part.describe(&source), &part.value);
        }
    }
    out
}

/// The run's redactor: every secret of [`secrets`], in all its forms.
pub fn redactor(config: &RunConfig) -> Redactor {
    Redactor::new(secrets(config).into_iter().map(|s| s.value))
}

/// One line per secret shorter than [`MIN_SAFE_LEN`] characters (each value once, named by its
/// first source, never shown): it is masked all the same, inside unrelated text too.
pub fn short_secret_warnings(config: &RunConfig) -> Vec<String> {
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    let mut order = Vec::new();
    for secret in secrets(config) {
        if secret.value.chars().count() < MIN_SAFE_LEN && !first.contains_key(&secret.value) {
            order.push(secret.value.clone());
            first.insert(secret.value, secret.source);
        }
    }
    order
        .iter()
        .map(|value| {
            let n = value.chars().count();
            format!(
                "{} is {n} character{} long: it is masked wherever it appears, inside unrelated text too \
                 (a value under {MIN_SAFE_LEN} characters can match text that is not the secret)",
                first[value],
                if n == 1 { "" } else { "s" }
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::VariableSources;

    fn spec() -> Spec {
        let text = "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      security: [{bearer: [], key: [], basic: []}]\n      responses: {'200': {description: ok}}\ncomponents:\n  securitySchemes:\n    bearer: {type: http, scheme: bearer, x-conform-variable: token}\n    key: {type: apiKey, in: header, name: X-Api-Key}\n    basic: {type: http, scheme: basic}\n";
        let path = std::path::Path::new("leak.yaml");
        crate::spec::spec_from_document(path, crate::spec::parse_resolved(path, text).unwrap()).unwrap()
    }

    fn config(vars: &[&str], headers: &[(&str, &str)]) -> RunConfig {
        RunConfig {
            specs: vec![spec()],
            variables: VariableSources {
                flags: vars.iter().map(|v| v.parse().unwrap()).collect(),
                env: BTreeMap::new(),
            },
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            ..RunConfig::default()
        }
    }

    fn values(config: &RunConfig) -> Vec<String> {
        secrets(config).into_iter().map(|s| s.value).collect()
    }

    #[test]
    fn a_credential_header_gives_its_token_and_basic_its_password() {
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode("ana:pa55word-x");
        let config = config(
            &[],
            &[
                ("Authorization", "token 4d1c0ffee"),
                ("Proxy-Authorization", &format!("Basic {basic}")),
                ("x-api-key", "Key k3y-v4lue"),
                ("X-Trace", "one two"),
                ("Cookie", "sid=c00kie-1"),
            ],
        );
        let values = values(&config);
        for expected in
            ["token 4d1c0ffee", "4d1c0ffee", "ana:pa55word-x", "pa55word-x", "k3y-v4lue", "one two", "c00kie-1"]
        {
            assert!(values.iter().any(|v| v == expected), "{expected} missing from {:?}", secrets(&config));
        }
        assert!(!values.iter().any(|v| v == "two"), "a header that is no credential is one secret, whole");
    }

    #[test]
    fn credentials_given_as_variables_are_split_too() {
        let config = config(&["leak.basic=ana:pa55word-x", "token=Bearer t0k3n-abc"], &[]);
        let values = values(&config);
        for expected in ["ana:pa55word-x", "pa55word-x", "Bearer t0k3n-abc", "t0k3n-abc"] {
            assert!(values.iter().any(|v| v == expected), "{expected} missing from {values:?}");
        }
        let redactor = redactor(&config);
        assert_eq!(redactor.redact("Basic YW5hOnBhNTV3b3JkLXg="), "Basic [REDACTED]");
        assert_eq!(redactor.redact("<input value=\"pa55word-x\">"), "<input value=\"[REDACTED]\">");
    }

    #[test]
    fn short_values_are_named_never_shown() {
        let config = config(&["leak.token=q7", "other=long-enough-value"], &[("X-Api-Key", "q7")]);
        let warnings = short_secret_warnings(&config);
        assert_eq!(warnings.len(), 1, "one value, named by its first source: {warnings:?}");
        assert!(warnings[0].starts_with("--var leak.token is 2 characters long: it is masked"), "{}", warnings[0]);
        assert!(!warnings[0].contains("q7"));
        assert!(
            format!("{:?}", secrets(&config)).contains("--var leak.token")
                && !format!("{:?}", secrets(&config)).contains("q7")
        );
    }
}
