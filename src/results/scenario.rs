//! What a scenario of a suite did: its steps, each with the (masked) request and answer that show
//! it, its failures and its snapshots.

use serde::{Deserialize, Serialize};

use super::run::{CaseStatus, ResponseSummary};
use crate::check::{Failure, RuleId};
use crate::http::PreparedRequest;
use crate::spec::Source;

/// What one step did, as reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    pub step: String,
    /// `call request-code`, `outbox`, `advance 601`, `state number-banned`.
    pub action: String,
    pub request: Option<PreparedRequest>,
    pub response: Option<ResponseSummary>,
    pub curl: Option<String>,
    /// What the step was expected to show (`must not succeed`, `status 200`, …), when anything.
    pub expected: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub id: String,
    pub spec: String,
    pub suite: String,
    pub scenario: String,
    /// The rule it proves (`single-use`, …), `scenario` or `property`.
    pub rule: RuleId,
    pub source: Source,
    pub seed: u64,
    pub status: CaseStatus,
    pub failures: Vec<Failure>,
    pub steps: Vec<StepResult>,
    /// A property scenario's generated input (after shrinking), masked like requests.
    pub input: Option<String>,
    pub shrink_steps: u32,
    /// Each call step's answer against its committed snapshot (`spec::suite::scenario::NN-step`).
    pub snapshots: Vec<crate::snapshot::Comparison>,
    /// The scenario's place among the whole (unsharded) run's scenarios, for `report merge`.
    pub plan_index: usize,
    /// How long the scenario took, shrinking included (written in milliseconds).
    #[serde(with = "super::run::duration_ms")]
    pub duration: std::time::Duration,
}

impl ScenarioResult {
    pub fn fails_run(&self, strict: bool) -> bool {
        self.failures.iter().any(|f| f.severity.fails_run(strict))
    }
}
