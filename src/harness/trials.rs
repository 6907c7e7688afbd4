//! A prepared run as libtest trials: one per generated case, named by its case id, and one per
//! scenario, named `spec::suite::scenario`. A case or scenario known to be skipped before it
//! runs (a missing variable, the send guard, no sandbox) is an ignored trial of kind `skipped`;
//! run anyway (`--ignored`), it fails with its reason. A failing trial's message is the block
//! `conform run` prints for it.

use std::sync::Arc;

use libtest_mimic::{Arguments, Conclusion, Failed, Trial};
use tokio::runtime::Runtime;

use crate::reference::Server;
use crate::report::console;
use crate::results::CaseStatus;
use crate::run::Session;

/// The trials of a prepared run, and what they need while they run (the async runtime, the
/// embedded reference server when it is the target).
pub struct Trials {
    session: Arc<Session>,
    runtime: Arc<Runtime>,
    server: Option<Server>,
    warnings: Vec<String>,
}

impl std::fmt::Debug for Trials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trials").field("names", &self.names().len()).finish_non_exhaustive()
    }
}

/// A trial's outcome from a case's or a scenario's status: `Ok` when it passed.
fn outcome(status: &CaseStatus, what: &str, fails: bool, block: impl FnOnce() -> String) -> Result<(), Failed> {
    match status {
        CaseStatus::Error(message) => Err(Failed::from(format!("conform could not run this {what}: {message}"))),
        CaseStatus::Skipped(reason) => Err(Failed::from(format!("skipped while running: {reason}"))),
        _ if fails => Err(Failed::from(block())),
        _ => Ok(()),
    }
}

impl Trials {
    pub(super) fn new(session: Session, runtime: Arc<Runtime>, server: Option<Server>, warnings: Vec<String>) -> Self {
        Trials { session: Arc::new(session), runtime, server, warnings }
    }

    /// Every trial's name, cases first, in plan order.
    pub fn names(&self) -> Vec<String> {
        let plan = self.session.plan();
        let cases = (0..plan.len()).map(|index| plan.case(index).id.to_string());
        let scenarios = self.session.scenarios().iter().map(|s| s.id.clone());
        cases.chain(scenarios).chain(self.session.flows().into_iter().map(|f| f.id)).collect()
    }

    /// Warnings to show before the trials run (a secret too short to mask safely, named).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn trials(&self) -> Vec<Trial> {
        let session = &self.session;
        let mut trials = Vec::new();
        for index in 0..session.plan().len() {
            let skip = session.skip_reason(index).is_some();
            let (session, runtime) = (session.clone(), self.runtime.clone());
            let trial = Trial::test(session.plan().case(index).id.to_string(), move || {
                // What shrinking met besides (another rule broken on a smaller input) counts too.
                let (result, findings) = runtime.block_on(session.run_case_with_findings(index));
                let strict = session.strict();
                let fails = std::iter::once(&result).chain(&findings).any(|c| c.fails_run(strict));
                outcome(&result.status, "case", fails, || {
                    std::iter::once(&result).chain(&findings).map(|c| console::failure_block(c, strict)).collect()
                })
            });
            trials.push(trial.with_ignored_flag(skip).with_kind(if skip { "skipped" } else { "" }));
        }
        for index in 0..session.scenarios().len() {
            let skip = session.scenario_skip_reason(index).is_some();
            let (session, runtime) = (session.clone(), self.runtime.clone());
            let trial = Trial::test(session.scenarios()[index].id.clone(), move || {
                let (result, findings) = runtime.block_on(session.run_scenario_with_findings(index));
                let strict = session.strict();
                let fails = std::iter::once(&result).chain(&findings).any(|s| s.fails_run(strict));
                outcome(&result.status, "scenario", fails, || {
                    std::iter::once(&result).chain(&findings).map(|s| console::scenario_block(s, strict)).collect()
                })
            });
            trials.push(trial.with_ignored_flag(skip).with_kind(if skip { "skipped" } else { "" }));
        }
        // (flows, issue 27) Each flow of the flow phase is a trial too.
        for flow in session.flows() {
            let (session, runtime) = (session.clone(), self.runtime.clone());
            let trial = Trial::test(flow.id.clone(), move || {
                let result = runtime.block_on(session.run_flow(&flow));
                let strict = session.strict();
                outcome(&result.status, "flow", result.fails_run(strict), || console::scenario_block(&result, strict))
            });
            trials.push(trial);
        }
        trials
    }

    /// Runs the trials as libtest would, with `args` (filters, `--list`, `--exact`, …), then
    /// stops the embedded reference server, if one was started.
    pub fn run(self, args: &Arguments) -> Conclusion {
        for warning in &self.warnings {
            eprintln!("conform: warning: {warning}");
        }
        let conclusion = libtest_mimic::run(args, self.trials());
        drop(self.server);
        conclusion
    }
}
