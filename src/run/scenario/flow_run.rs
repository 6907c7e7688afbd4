//! One run of a scenario's flow, as shrinking and the driver read it.

use serde_json::Value;

use crate::check::Failure;
use crate::results::StepResult;
use crate::run::exchange::shrink::Tried;

/// One run of a scenario's flow.
#[derive(Clone)]
pub(super) struct FlowRun {
    /// Shown as reports show them: redacted and masked.
    pub(super) steps: Vec<StepResult>,
    pub(super) failures: Vec<Failure>,
    pub(super) input: Option<Value>,
    /// Per call step: `NN-step` (its place among the steps) and its normalized answer.
    pub(super) snapshots: Vec<(String, String)>,
    /// A call step got no answer because the target crashed (a failure): the flow ends there.
    pub(super) crashed: bool,
    /// The variables earlier steps captured, by name (shown by name in later snapshots).
    pub(super) captured: Vec<String>,
    /// The sends the send guard granted this run of the flow that its steps have not used yet.
    pub(super) sends_left: u32,
}

impl Tried for FlowRun {
    fn failures(&self) -> &[Failure] {
        &self.failures
    }
}
