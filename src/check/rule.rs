//! [`RuleId`]: the open id of anything that can fail a run. A check's id (`not_a_server_error`),
//! a suite rule's (`single-use`) or a snapshot comparison's (`snapshot`): reports take their
//! columns from the rules that ran, not from a closed list.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::CheckId;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleId(Cow<'static, str>);

impl RuleId {
    pub fn new(id: impl Into<String>) -> Self {
        RuleId(Cow::Owned(id.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The check this rule is, if it is one.
    pub fn check(&self) -> Option<CheckId> {
        self.as_str().parse().ok()
    }
}

impl From<CheckId> for RuleId {
    fn from(id: CheckId) -> Self {
        RuleId(Cow::Borrowed(id.as_str()))
    }
}

impl PartialEq<CheckId> for RuleId {
    fn eq(&self, other: &CheckId) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_and_suite_rules_share_one_id_space() {
        let check = RuleId::from(CheckId::AuthEnforced);
        assert_eq!(check, CheckId::AuthEnforced);
        assert_eq!(check.check(), Some(CheckId::AuthEnforced));
        let rule = RuleId::new("single-use");
        assert_eq!(rule.check(), None);
        assert_eq!(serde_json::to_string(&rule).unwrap(), "\"single-use\"");
        assert_eq!(serde_json::from_str::<RuleId>("\"auth_enforced\"").unwrap(), check);
    }
}
