//! Variables: the values of path/query/header parameters and credentials, resolved in the order
//! of `design.md`: `--var SPEC.NAME=VALUE`, then `--var NAME=VALUE`, then `CONFORM_VAR_SPEC_NAME`,
//! then `CONFORM_VAR_NAME` (upper case, other characters as `_`). A `--header` that carries a
//! security scheme's credential stands for that scheme's variable ([`header_credentials`]).
//! Values are secrets: no message, `Debug` output or flag error shows one.

use std::collections::{BTreeMap, BTreeSet};

use clap::builder::{TypedValueParser, ValueParserFactory};

use crate::spec::{CredentialLocation, Spec};

/// A `--var` flag, parsed. Its `Debug` leaves the value out.
#[derive(Clone, PartialEq, Eq)]
pub struct VarFlag {
    pub spec: Option<String>,
    pub name: String,
    pub value: String,
}

impl std::fmt::Debug for VarFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VarFlag").field("spec", &self.spec).field("name", &self.name).finish_non_exhaustive()
    }
}

/// Why a `--var` flag could not be read: what it had before `=`, if anything (the value is not
/// shown: it is a secret, and without `=` the whole flag may be one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--var {}: expected [SPEC.]NAME=VALUE", match .0 {
    Some(key) => format!("`{key}=…`"),
    None => "without `=` (its text is not shown: it may be a secret)".to_owned(),
})]
pub struct BadVar(pub Option<String>);

impl std::str::FromStr for VarFlag {
    type Err = BadVar;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (key, value) = text.split_once('=').ok_or(BadVar(None))?;
        let (spec, name) = match key.split_once('.') {
            Some((spec, name)) => (Some(spec.to_owned()), name),
            None => (None, key),
        };
        if name.is_empty() || spec.as_deref() == Some("") {
            return Err(BadVar(Some(key.to_owned())));
        }
        Ok(VarFlag { spec, name: name.to_owned(), value: value.to_owned() })
    }
}

/// A clap value parser whose errors never quote the value given (clap's own message would quote
/// it whole, and a `--var` or `--header` value is a secret).
#[derive(Clone)]
pub struct QuietParser<T>(fn(&str) -> Result<T, String>);

impl<T: Send + Sync + Clone + 'static> TypedValueParser for QuietParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let fail = |message: String| clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{message}\n"));
        let text = value.to_str().ok_or_else(|| fail("a --var or --header value is not UTF-8".to_owned()))?;
        (self.0)(text).map_err(fail).map_err(|e| e.with_cmd(cmd))
    }
}

impl ValueParserFactory for VarFlag {
    type Parser = QuietParser<VarFlag>;

    fn value_parser() -> Self::Parser {
        QuietParser(|text| text.parse().map_err(|e: BadVar| e.to_string()))
    }
}

/// The parser of `--header 'Name: value'`.
pub fn header_parser() -> QuietParser<(String, String)> {
    QuietParser(parse_header)
}

/// `Name: value`, both trimmed. An error names neither: the text may be a secret.
fn parse_header(text: &str) -> Result<(String, String), String> {
    let Some((name, value)) = text.split_once(':') else {
        return Err("--header: expected 'Name: value', and the text has no `:` (it is not shown: it may be a secret)"
            .to_owned());
    };
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)) {
        return Err("--header: what comes before `:` is not a header name (letters, digits and !#$%&'*+-.^_`|~); \
                    it is not shown: it may be a secret"
            .to_owned());
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// The variables of `spec`'s security schemes that a `--header` carries, so that they have a
/// value: any `Authorization` header for a bearer or basic scheme (`token …` as well as
/// `Bearer …`), the header an apiKey scheme names, and a `Cookie` header with the cookie an
/// apiKey scheme names. The header is sent as given: a case never builds that credential itself.
pub fn header_credentials(spec: &Spec, headers: &[(String, String)]) -> BTreeSet<String> {
    let given = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let has_cookie = |cookie: &str| {
        let pairs = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("cookie")).flat_map(|(_, v)| v.split(';'));
        pairs.filter_map(|pair| pair.split_once('=')).any(|(name, _)| name.trim() == cookie)
    };
    spec.operations
        .iter()
        .flat_map(|o| &o.credentials)
        .filter(|credential| match &credential.location {
            CredentialLocation::Bearer | CredentialLocation::Basic => given("authorization"),
            CredentialLocation::Header(name) => given(name),
            CredentialLocation::Cookie(name) => has_cookie(name),
            CredentialLocation::Query(_) => false,
        })
        .map(|credential| credential.variable.clone())
        .collect()
}

/// `CONFORM_VAR_` + the upper-cased parts, other characters as `_`.
pub fn env_name(parts: &[&str]) -> String {
    let joined: String = parts
        .iter()
        .flat_map(|p| p.chars().chain(std::iter::once('_')))
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
        .collect();
    format!("CONFORM_VAR_{}", joined.trim_end_matches('_'))
}

/// Where variable values come from. Its `Debug` shows the names, not the values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct VariableSources {
    pub flags: Vec<VarFlag>,
    /// The process environment (or a test's stand-in).
    pub env: BTreeMap<String, String>,
}

impl std::fmt::Debug for VariableSources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VariableSources").field("flags", &self.flags).field("env", &self.env.keys()).finish()
    }
}

impl VariableSources {
    pub fn from_env(flags: Vec<VarFlag>) -> Self {
        let env = std::env::vars().filter(|(k, _)| k.starts_with("CONFORM_VAR_")).collect();
        Self { flags, env }
    }

    /// The value of `name` for the spec `spec`, by the precedence above.
    pub fn resolve(&self, spec: &str, name: &str) -> Option<String> {
        let flag = |scoped: bool| {
            self.flags
                .iter()
                .rev()
                .find(|f| f.name == name && if scoped { f.spec.as_deref() == Some(spec) } else { f.spec.is_none() })
                .map(|f| f.value.clone())
        };
        flag(true)
            .or_else(|| flag(false))
            .or_else(|| self.env.get(&env_name(&[spec, name])).cloned())
            .or_else(|| self.env.get(&env_name(&[name])).cloned())
    }

    /// Every value, for redaction.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.flags.iter().map(|f| f.value.as_str()).chain(self.env.values().map(String::as_str))
    }

    /// `--var` flags naming a spec that is not loaded: the flag would silently do nothing.
    pub fn unknown_specs<'a>(&'a self, known: &'a [&str]) -> impl Iterator<Item = &'a VarFlag> {
        self.flags.iter().filter(move |f| f.spec.as_deref().is_some_and(|s| !known.contains(&s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flags() {
        assert_eq!(
            "zapi.clientToken=a=b".parse::<VarFlag>(),
            Ok(VarFlag { spec: Some("zapi".into()), name: "clientToken".into(), value: "a=b".into() })
        );
        assert_eq!("token=".parse::<VarFlag>().unwrap().value, "");
        assert!("novalue".parse::<VarFlag>().is_err());
        assert!("=x".parse::<VarFlag>().is_err());
        assert!(".name=x".parse::<VarFlag>().is_err());
    }

    #[test]
    fn flag_errors_and_debug_never_show_a_value() {
        let no_equals = "tok3n-s3cret".parse::<VarFlag>().unwrap_err().to_string();
        assert!(!no_equals.contains("tok3n") && no_equals.contains("without `=`"), "{no_equals}");
        let empty_spec = ".token=tok3n-s3cret".parse::<VarFlag>().unwrap_err().to_string();
        assert_eq!(empty_spec, "--var `.token=…`: expected [SPEC.]NAME=VALUE");
        let flag: VarFlag = "zapi.token=tok3n-s3cret".parse().unwrap();
        let sources =
            VariableSources { flags: vec![flag], env: [("CONFORM_VAR_X".into(), "env-s3cret".into())].into() };
        let shown = format!("{sources:?}");
        assert!(shown.contains("token") && shown.contains("CONFORM_VAR_X"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn headers() {
        assert_eq!(parse_header("X-Key: a: b"), Ok(("X-Key".into(), "a: b".into())));
        let no_colon = parse_header("Bearer tok3n-s3cret").unwrap_err();
        let bad_name = parse_header("Bearer tok3n-s3cret: x").unwrap_err();
        for error in [no_colon, bad_name] {
            assert!(error.starts_with("--header: ") && !error.contains("s3cret"), "{error}");
        }
    }

    #[test]
    fn a_header_carrying_a_credential_gives_its_scheme_a_value() {
        let text = "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      security: [{bearer: [], key: [], session: [], query: []}]\n      responses: {'200': {description: ok}}\ncomponents:\n  securitySchemes:\n    bearer: {type: http, scheme: bearer, x-conform-variable: token}\n    key: {type: apiKey, in: header, name: X-Api-Key}\n    session: {type: apiKey, in: cookie, name: sid}\n    query: {type: apiKey, in: query, name: api_key}\n";
        let path = std::path::Path::new("s.yaml");
        let spec = crate::spec::spec_from_document(path, crate::spec::parse_resolved(path, text).unwrap()).unwrap();
        let header = |name: &str, value: &str| (name.to_owned(), value.to_owned());
        assert!(header_credentials(&spec, &[]).is_empty());
        let given = header_credentials(
            &spec,
            &[header("authorization", "token abc"), header("X-API-KEY", "k"), header("Cookie", "a=1; sid=2")],
        );
        assert_eq!(given, ["X-Api-Key", "sid", "token"].map(str::to_owned).into());
        assert!(header_credentials(&spec, &[header("Cookie", "sidx=1")]).is_empty(), "another cookie");
    }

    #[test]
    fn precedence() {
        let env: BTreeMap<String, String> = [
            ("CONFORM_VAR_ZAPI_CLIENTTOKEN", "env-scoped"),
            ("CONFORM_VAR_CLIENTTOKEN", "env-global"),
            ("CONFORM_VAR_INSTANCE_ID", "env-only"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
        let mut sources = VariableSources { flags: Vec::new(), env };
        assert_eq!(sources.resolve("wawp", "instance_id").as_deref(), Some("env-only"));
        assert_eq!(sources.resolve("zapi", "clientToken").as_deref(), Some("env-scoped"));
        assert_eq!(sources.resolve("wawp", "clientToken").as_deref(), Some("env-global"));
        sources.flags.push("clientToken=flag-global".parse().unwrap());
        assert_eq!(sources.resolve("zapi", "clientToken").as_deref(), Some("flag-global"));
        sources.flags.push("zapi.clientToken=flag-scoped".parse().unwrap());
        assert_eq!(sources.resolve("zapi", "clientToken").as_deref(), Some("flag-scoped"));
        assert_eq!(sources.resolve("hypersender", "clientToken").as_deref(), Some("flag-global"));
        assert_eq!(env_name(&["wawp", "access_token"]), "CONFORM_VAR_WAWP_ACCESS_TOKEN");
        assert_eq!(env_name(&["instance-id"]), "CONFORM_VAR_INSTANCE_ID");
    }
}
