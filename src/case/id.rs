//! `CaseId`: the stable, readable name of a case, also its libtest trial name and its shard key:
//! `spec::operation::kind::detail`, e.g. `zapi::request-registration-code::negative::phone-pattern`.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(String);

impl CaseId {
    /// Joins the parts with `::`; each part is made safe (lower case, `[a-z0-9_.-]`).
    pub fn new(parts: &[&str]) -> Self {
        CaseId(parts.iter().map(|p| slug(p)).collect::<Vec<_>>().join("::"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lower case, with every run of characters outside `[a-z0-9_.-]` turned into one `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn slugs_use_only_safe_characters(text in "\\PC{0,40}") {
            let slug = slug(&text);
            proptest::prop_assert!(slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c)), "{slug:?}");
            proptest::prop_assert!(!slug.starts_with('-') && !slug.ends_with('-'));
            proptest::prop_assert!(!slug.contains("::"));
        }
    }

    #[test]
    fn ids_are_readable_and_safe() {
        let id = CaseId::new(&["zapi", "request-registration-code", "negative", "body/phone pattern"]);
        assert_eq!(id.as_str(), "zapi::request-registration-code::negative::body-phone-pattern");
        assert_eq!(slug("Client-Token"), "client-token");
        assert_eq!(slug("  a::b  "), "a-b");
    }
}
