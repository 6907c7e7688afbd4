//! Shrinking a failing generated case to a minimal input, and keeping what shrinking meets on the
//! way. Each smaller input is sent and judged by every stateless check; one that still breaks the
//! rule being shrunk becomes the new best. One that breaks another rule, which the case itself
//! did not break, is a finding of its own (a crash met while shrinking a 400 is a crash):
//! [`Shrunk::findings`] keeps the first input that showed each such rule, with its exchange.

use std::collections::BTreeSet;

use super::attempt::attempt;
use super::call::{Attempt, Outcome};
use super::record::masked;
use crate::case::{Case, CaseId, Shrink};
use crate::check::{Failure, RuleId};
use crate::results::Phase;
use crate::results::{CaseResult, CaseStatus};
use crate::run::guard::Admission;
use crate::run::shared::{Shared, SpecTarget};
use crate::show::Shown;
use crate::show::to_curl;
use crate::spec::Operation;

/// At most this many smaller inputs are tried when shrinking one failing case.
const MAX_SHRINK_STEPS: u32 = 100;

/// What shrinking one case came to.
pub(crate) struct Shrunk {
    /// The smallest input that still breaks the rule shrunk (the first attempt when none did).
    pub best: Attempt,
    /// How many smaller inputs were tried.
    pub steps: u32,
    /// Failures of other rules met on the way: per attempt that first showed a rule, those
    /// failures, in the order met.
    pub findings: Vec<(Attempt, Vec<Failure>)>,
}

/// Shrinks `first`, a failing attempt at `case`, by the rule of its first failure.
pub(crate) async fn shrink(
    shared: &Shared,
    case: &Case,
    operation: &Operation,
    target: &SpecTarget,
    first: Attempt,
) -> Shrunk {
    let Some(broken) = first.failures().first().map(|f| f.rule.clone()) else {
        return Shrunk { best: first, steps: 0, findings: Vec::new() };
    };
    // The rules already reported: the case's own; then each one a step shows, once.
    let mut known: BTreeSet<RuleId> = first.failures().iter().map(|f| f.rule.clone()).collect();
    let mut shrunk = Shrunk { best: first, steps: 0, findings: Vec::new() };
    let mut steps = vec![Shrink::Simplify];
    while shrunk.steps < MAX_SHRINK_STEPS {
        let Ok((input, moved)) = case.replay_in(operation, &target.strategies, &steps) else { break };
        if !moved {
            break;
        }
        shrunk.steps += 1;
        let candidate = attempt(shared, case, operation, target, &input, &Admission::Free, Phase::Shrinking).await;
        let new: Vec<Failure> = candidate.failures().iter().filter(|f| !known.contains(&f.rule)).cloned().collect();
        if !new.is_empty() {
            known.extend(new.iter().map(|f| f.rule.clone()));
            shrunk.findings.push((candidate.clone(), new));
        }
        if candidate.failures().iter().any(|f| f.rule == broken) {
            shrunk.best = candidate;
            steps.push(Shrink::Simplify);
        } else {
            steps.push(Shrink::Complicate);
        }
    }
    shrunk
}

/// A finding met while shrinking `parent`, as a case of its own: the same operation, kind and
/// seed, the id `<parent>::found-while-shrinking::<n>`, the rules it broke, and its own masked
/// request, answer and curl line.
pub(crate) fn finding(
    parent: &CaseResult,
    n: usize,
    attempt: Attempt,
    failures: Vec<Failure>,
    show: &Shown,
) -> CaseResult {
    let n = n.to_string();
    let parts: Vec<&str> = parent.id.as_str().split("::").chain(["found-while-shrinking", n.as_str()]).collect();
    let response = match attempt.outcome {
        Outcome::Answered(response, _, _) => Some(response),
        _ => None,
    };
    let status = response.as_ref().map(|r| r.status);
    let mut rules: Vec<RuleId> = Vec::new();
    for failure in &failures {
        if !rules.contains(&failure.rule) {
            rules.push(failure.rule.clone());
        }
    }
    let request = show.request(&attempt.request);
    CaseResult {
        id: CaseId::new(&parts),
        spec: parent.spec.clone(),
        operation: parent.operation.clone(),
        kind: parent.kind.clone(),
        seed: parent.seed,
        status: CaseStatus::Failed,
        rules,
        failures: masked(show, failures, status),
        curl: Some(to_curl(&request, show.redactor())),
        request: Some(request),
        response: response.map(|r| show.response(&r)),
        shrink_steps: 0,
        snapshot: None,
        plan_index: parent.plan_index,
        duration: std::time::Duration::ZERO,
        found_while_shrinking: Some(parent.id.clone()),
    }
}
