//! Shrinking a failure to a minimal input, and keeping what shrinking meets on the way: one loop
//! ([`shrink_by`]) for generated cases, property scenarios and flows. Each smaller input is sent and judged by every stateless check; one that still breaks the
//! rule being shrunk becomes the new best. One that breaks another rule, which the case itself
//! did not break, is a finding of its own (a crash met while shrinking a 400 is a crash):
//! [`Shrunk::findings`] keeps the first input that showed each such rule, with its exchange.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use super::attempt::attempt;
use super::call::{Attempt, CallOutcome};
use super::record::masked;
use crate::case::{Case, CaseId, Shrink};
use crate::check::{Failure, RuleId};
use crate::results::Phase;
use crate::results::{CaseResult, CaseStatus};
use crate::run::budget::Admission;
use crate::run::shared::{Shared, SpecTarget};
use crate::show::Shown;
use crate::show::to_curl;
use crate::spec::Operation;

/// At most this many smaller inputs are tried when shrinking one failure: a generated case, a
/// property scenario or a flow alike. (Cases had 100 and property scenarios 40; one limit now,
/// the larger, so that no case shrinks less than it did.)
pub(crate) const MAX_SHRINK_STEPS: u32 = 100;

/// What one try of a smaller input came to, as shrinking reads it.
pub(crate) trait Tried: Clone {
    /// The failures it showed (none when it could not be judged).
    fn failures(&self) -> &[Failure];
}

impl Tried for Attempt {
    fn failures(&self) -> &[Failure] {
        Attempt::failures(self)
    }
}

/// One try of a smaller input, as [`shrink_by`] asks for it (boxed: the case and scenario drivers
/// run on a multi-threaded runtime, and a boxed `Send` future keeps that provable).
pub(crate) type Smaller<'a, T> = Pin<Box<dyn Future<Output = Option<Option<T>>> + Send + 'a>>;

/// What shrinking one failure came to.
pub(crate) struct Shrunk<T> {
    /// The smallest input that still breaks the rule shrunk (the first try when none did).
    pub best: T,
    /// How many smaller inputs were tried.
    pub steps: u32,
    /// Failures of other rules met on the way: per try that first showed a rule, those
    /// failures, in the order met.
    pub findings: Vec<(T, Vec<Failure>)>,
}

/// The one shrink loop, for cases, property scenarios and flows: shrinks `first`, a failing try,
/// by the rule of its first failure. `smaller(steps, n)` replays the input after `steps` of
/// shrinking and tries it (`n` counts the tries, from 1): `None` when the input did not move or
/// could not be made (the loop ends), `Some(None)` when it was made but nothing came back to
/// judge (taken as not breaking the rule), `Some(Some(try))` otherwise.
pub(crate) async fn shrink_by<'a, T: Tried>(
    first: T,
    mut smaller: impl FnMut(Vec<Shrink>, u32) -> Smaller<'a, T>,
) -> Shrunk<T> {
    let Some(broken) = first.failures().first().map(|f| f.rule.clone()) else {
        return Shrunk { best: first, steps: 0, findings: Vec::new() };
    };
    // The rules already reported: the first try's own; then each one a step shows, once.
    let mut known: BTreeSet<RuleId> = first.failures().iter().map(|f| f.rule.clone()).collect();
    let mut shrunk = Shrunk { best: first, steps: 0, findings: Vec::new() };
    let mut steps = vec![Shrink::Simplify];
    while shrunk.steps < MAX_SHRINK_STEPS {
        let Some(tried) = smaller(steps.clone(), shrunk.steps + 1).await else { break };
        shrunk.steps += 1;
        let Some(candidate) = tried else {
            steps.push(Shrink::Complicate);
            continue;
        };
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

/// Shrinks `first`, a failing attempt at a generated case, to a smaller input of the case.
pub(crate) async fn shrink(
    shared: &Shared,
    case: &Case,
    operation: &Operation,
    target: &SpecTarget,
    first: Attempt,
) -> Shrunk<Attempt> {
    shrink_by(first, |steps, _| {
        Box::pin(async move {
            let (input, moved) = case.replay_in(operation, &target.strategies, &steps).ok()?;
            if !moved {
                return None;
            }
            Some(Some(attempt(shared, case, operation, target, &input, &Admission::Free, Phase::Shrinking).await))
        })
    })
    .await
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
        CallOutcome::Answered(response, _, _) => Some(response),
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
