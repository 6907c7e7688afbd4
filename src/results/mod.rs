//! What a run produced, as plain data: `run` produces a [`RunResult`] and every report reads it
//! (`report merge` and `report compare` read it back from JSON). This module is a leaf: it depends
//! on the model (`case`, `check`, `spec`, `plan`, `snapshot`) and on nothing of the engine in
//! `run/`, so reports never depend on how a run is made.

mod reason;
mod requests;
mod rules;
mod run;
mod scenario;
mod stop;
mod tally;

pub use reason::{Reason, ReasonKind};
pub(crate) use requests::RequestCounter;
pub use requests::{Phase, RequestCounts};
pub use rules::{RuleInfo, catalogue, sorted as sorted_rules};
pub use run::{
    CaseResult, CaseStatus, MissingVariable, ResponseSummary, RunResult, SendGuardReport, SpecWarning, TargetInfo,
    Verdict,
};
pub use scenario::{ScenarioResult, StepResult};
pub use stop::EarlyStop;
pub use tally::{OperationTally, RuleCounts, StatusCounts, Tally};
