//! [`Reason`]: why a case or scenario was skipped, or could not be run, as data a report can group
//! and filter by kind rather than by matching the words of a message.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// What kind of thing kept a case or scenario from running, or from finishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// `--dry-run`: built, not sent.
    DryRun,
    /// The send guard held it back: no allow-list, a recipient not allowed, the budget spent.
    SendGuard,
    /// A variable it needs has no value.
    MissingVariable,
    /// It needs the target's sandbox (outbox, clock, states), which the target has not.
    NeedsSandbox,
    /// The target asked for a longer wait (`Retry-After`) than conform waits.
    RateLimited,
    /// No input could be generated, or a template could not be filled.
    NoInput,
    /// The target gave no answer (connection, timeout, size cap).
    NoAnswer,
    /// The target's sandbox refused a fixture, a state or the clock.
    Sandbox,
    /// Anything else the harness could not do.
    Harness,
}

/// A kind and the message that explains it to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub kind: ReasonKind,
    pub message: String,
}

impl Reason {
    pub fn new(kind: ReasonKind, message: impl Into<String>) -> Self {
        Reason { kind, message: message.into() }
    }

    /// The same kind with another message (masked, or with context added).
    pub fn map(self, f: impl FnOnce(String) -> String) -> Self {
        Reason { kind: self.kind, message: f(self.message) }
    }
}

/// A reason reads as its message.
impl Deref for Reason {
    type Target = str;

    fn deref(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
