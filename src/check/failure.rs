//! `Failure`: the target broke the contract. Its severity follows the source of the rule broken:
//! `doc` and `seed` fail the run; `field` and `profile` are warnings unless `--strict`.

use std::fmt;

use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::CheckId;
use super::RuleId;
use crate::spec::{Level, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn of(level: Level) -> Severity {
        match level {
            Level::Doc | Level::Seed => Severity::Error,
            Level::Field | Level::Profile => Severity::Warning,
        }
    }

    /// Whether a failure of this severity fails the run.
    pub fn fails_run(self, strict: bool) -> bool {
        self == Severity::Error || strict
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The rule broken: a check, a suite rule, a snapshot.
    pub rule: RuleId,
    pub severity: Severity,
    pub source: Source,
    pub message: String,
}

impl Failure {
    pub fn new(rule: impl Into<RuleId>, source: Source, message: impl Into<String>) -> Self {
        Self { rule: rule.into(), severity: Severity::of(source.level), source, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_follows_the_source() {
        let doc = Failure::new(CheckId::NotAServerError, Source::new(Level::Doc, "x"), "m");
        let profile = Failure::new(CheckId::NotAServerError, Source::new(Level::Profile, "x"), "m");
        assert_eq!(doc.severity, Severity::Error);
        assert_eq!(profile.severity, Severity::Warning);
        assert!(doc.severity.fails_run(false));
        assert!(!profile.severity.fails_run(false));
        assert!(profile.severity.fails_run(true));
    }
}
