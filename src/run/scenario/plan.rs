//! The scenarios of a run, planned before it starts: each with its seed, and the send guard's word
//! on it. A scenario whose steps call a message-sending operation on a target without a sandbox
//! is given its sends from the `--max-sends` budget here, before anything is sent, in scenario
//! order and after the generated cases, all of them or none: which scenario gets the last send
//! does not depend on timing (as for cases, see `exchange/admission.rs`).

use std::collections::BTreeMap;

use crate::run::budget::Admission;
use crate::run::guard::Refusal;
use crate::run::shared::Shared;
use crate::spec::Spec;
use crate::suite::{Action, Scenario, Suite};

/// One scenario to run: which suite, which scenario in it, and its seed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedScenario {
    /// `spec::suite::scenario`.
    pub id: String,
    pub suite: usize,
    pub scenario: usize,
    /// Index of the suite's spec in the run.
    pub spec: usize,
    pub seed: u64,
    /// Its place among the run's scenarios before any `--shard` kept some.
    pub plan_index: usize,
}

/// The scenarios of `suites`, each with its seed and its spec's index.
pub fn plan_scenarios(suites: &[Suite], specs: &[Spec], run_seed: u64) -> Vec<PlannedScenario> {
    let mut out = Vec::new();
    for (s, suite) in suites.iter().enumerate() {
        let Some(spec) = specs.iter().position(|spec| spec.id == suite.spec) else { continue };
        for (n, scenario) in suite.scenarios.iter().enumerate() {
            let id = format!("{}::{}::{}", suite.spec, suite.id, scenario.name);
            let seed = crate::plan::case_seed(run_seed, &id);
            let plan_index = out.len();
            out.push(PlannedScenario { id, suite: s, scenario: n, spec, seed, plan_index });
        }
    }
    out
}

/// The steps of `scenario`, by name, that call a message-sending operation of `spec`.
pub(crate) fn sending_steps<'a>(suite: &'a Suite, scenario: &'a Scenario, spec: &Spec) -> Vec<&'a str> {
    scenario
        .steps
        .iter()
        .filter_map(|s| suite.steps.get(&s.step))
        .filter(|step| match &step.action {
            Action::Call { operation, .. } => {
                spec.operations.iter().any(|o| &o.id == operation && o.side_effect.is_some())
            }
            _ => false,
        })
        .map(|step| step.name.as_str())
        .collect()
}

/// How many times a scenario's flow runs at most: a property's once per generated input.
pub(crate) fn flow_runs(shared: &Shared, scenario: &Scenario) -> u32 {
    if scenario.given.is_some() { u32::try_from(shared.config.plan.cases.max(1)).unwrap_or(u32::MAX) } else { 1 }
}

/// The send guard's word on each planned scenario that sends on a target without a sandbox (by
/// `plan_index`; the others are free): granted, with every send its flow runs can make taken
/// from the budget now, or refused. A scenario that will be skipped anyway takes nothing.
///
/// Scenarios are given their word before the cases, in plan order, from at most half of the
/// `--max-sends` budget (rounded up): they prove the ordering rules and are few, while the cases
/// (the coverage phase's above all) are many and would otherwise take every send first. What
/// they leave goes to the cases (`exchange/admission.rs`).
pub(crate) fn scenario_admissions(shared: &Shared, scenarios: &[PlannedScenario]) -> BTreeMap<usize, Admission> {
    let share = shared.guard.max_sends.div_ceil(2);
    let mut taken = 0u32;
    let mut admissions = BTreeMap::new();
    for planned in scenarios {
        let (suite, target) = (&shared.config.suites[planned.suite], &shared.targets[planned.spec]);
        let (scenario, spec) = (&suite.scenarios[planned.scenario], &shared.config.specs[planned.spec]);
        let sending = sending_steps(suite, scenario, spec);
        if target.sandbox || sending.is_empty() || super::skip::skip_reason(suite, scenario, spec, target).is_some() {
            continue;
        }
        let needed = u32::try_from(sending.len()).unwrap_or(u32::MAX).saturating_mul(flow_runs(shared, scenario));
        let admission = if shared.guard.allow.is_empty() {
            Admission::Refused(Refusal::NoAllowList)
        } else if taken.saturating_add(needed) <= share && shared.guard.reserve_many(needed) {
            taken += needed;
            Admission::Send
        } else {
            Admission::Refused(Refusal::BudgetSpent(shared.guard.max_sends))
        };
        admissions.insert(planned.plan_index, admission);
    }
    admissions
}
