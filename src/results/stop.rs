//! Why a run, or a target's part of it, stopped before its end, as the result records it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a run, or a target's part of it, stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum EarlyStop {
    /// `--max-failures`: `limit` cases or scenarios failed the run; `not_started` more were
    /// planned and never started (they are in no count).
    MaxFailures { limit: usize, not_started: usize },
    /// The target at `url` stopped answering (`message` says what it did); its `cases` cases
    /// and scenarios not yet sent are errors.
    TargetStopped { url: String, message: String, cases: usize },
}

impl fmt::Display for EarlyStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EarlyStop::MaxFailures { limit, not_started } => write!(
                f,
                "stopped early: --max-failures {limit} reached; {not_started} planned case(s) and scenario(s) \
                 were not started"
            ),
            EarlyStop::TargetStopped { url, message, cases } => {
                write!(f, "stopped testing {url}: it stopped answering: {message}")?;
                if *cases > 0 {
                    write!(f, "; its {cases} case(s) and scenario(s) not yet sent are errors")?;
                }
                Ok(())
            }
        }
    }
}
