//! Variables: the values of path/query/header parameters and credentials, resolved in the order
//! of `design.md`: `--var SPEC.NAME=VALUE`, then `--var NAME=VALUE`, then `CONFORM_VAR_SPEC_NAME`,
//! then `CONFORM_VAR_NAME` (upper case, other characters as `_`).

use std::collections::BTreeMap;

/// A `--var` flag, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarFlag {
    pub spec: Option<String>,
    pub name: String,
    pub value: String,
}

/// Why a `--var` flag could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--var `{0}`: expected [SPEC.]NAME=VALUE")]
pub struct BadVar(pub String);

impl std::str::FromStr for VarFlag {
    type Err = BadVar;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (key, value) = text.split_once('=').ok_or_else(|| BadVar(text.to_owned()))?;
        let (spec, name) = match key.split_once('.') {
            Some((spec, name)) => (Some(spec.to_owned()), name),
            None => (None, key),
        };
        if name.is_empty() || spec.as_deref() == Some("") {
            return Err(BadVar(text.to_owned()));
        }
        Ok(VarFlag { spec, name: name.to_owned(), value: value.to_owned() })
    }
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

/// Where variable values come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VariableSources {
    pub flags: Vec<VarFlag>,
    /// The process environment (or a test's stand-in).
    pub env: BTreeMap<String, String>,
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
