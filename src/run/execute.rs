//! Executing a plan: for each case, a fresh sandbox fixture where there is one, the request built
//! from its generated input, the call, the checks, and for a failing generated case, shrinking to
//! a minimal input. Cases run concurrently within `--concurrency`; results come back in plan order.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;

use super::budget::Admission;
use super::config::{Event, Keep, settled};
use super::exchange::admission::is_guarded;
use super::exchange::attempt::attempt;
use super::exchange::call::CallOutcome;
use super::exchange::input::first_input;
use super::exchange::record::{masked, snapshot_case};
use super::exchange::shrink;
use super::pool::{for_each_bounded, for_each_in_order};
use super::shared::Shared;
use crate::case::{Case, CaseKind};
use crate::plan::Plan;
use crate::results::{CaseResult, CaseStatus, Phase, Reason, ReasonKind, ResponseSummary, Tally};
use crate::show::{Shown, to_curl};

/// The cases a run keeps, by plan index, and the count of those it does not.
pub(super) type Kept = (BTreeMap<usize, CaseResult>, Tally);

/// Runs every generated case, at most `--concurrency` at once (see [`for_each_bounded`]), each
/// made from the plan only when its turn comes, reporting each as it finishes; what is kept of
/// each is as [`keep_result`] says, the rest is counted. A dry run's cases are also reported in
/// plan order ([`Event::DryRunCase`], see [`for_each_in_order`]).
pub(super) async fn run_cases<F: Fn(Event) + Send + Sync + 'static>(
    shared: Arc<Shared>,
    plan: Arc<Plan>,
    semaphore: Arc<Semaphore>,
    on_event: Arc<F>,
    done: Arc<std::sync::atomic::AtomicUsize>,
    total: usize,
) -> Result<Kept, tokio::task::JoinError> {
    let (mut kept, mut omitted) = (BTreeMap::new(), Tally::default());
    let job = |index: usize| {
        let (shared, plan, semaphore, on_event, done) =
            (shared.clone(), plan.clone(), semaphore.clone(), on_event.clone(), done.clone());
        async move {
            let _permit = semaphore.acquire_owned().await.expect("the semaphore is never closed");
            // `--max-failures` reached: no new case starts.
            if shared.halt.stops() {
                return None;
            }
            let (result, _) = run_case(&shared, &plan, index, Pass::First).await;
            if result.fails_run(shared.config.strict) {
                shared.halt.failed();
            }
            let finished = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            on_event(Event::CaseDone {
                done: finished,
                total,
                id: result.id.to_string(),
                status: result.status.clone(),
            });
            Some(result)
        }
    };
    let (keep, dry_run, concurrency) = (shared.config.keep, shared.config.dry_run, shared.config.concurrency);
    let sink = |index: usize, result: Option<CaseResult>| {
        let Some(result) = result else { return };
        if dry_run {
            let (id, status, curl) = (result.id.to_string(), result.status.clone(), result.curl.clone());
            on_event(Event::DryRunCase { id, status, curl });
        }
        if let Some(result) = keep_result(result, keep, dry_run, &mut omitted) {
            kept.insert(index, result);
        }
    };
    if dry_run {
        for_each_in_order(plan.len(), concurrency, job, sink).await?;
    } else {
        for_each_bounded(plan.len(), concurrency, job, sink).await?;
    }
    Ok((kept, omitted))
}

/// What the run keeps of a finished case (see [`Keep`]): the case, without its request, curl and
/// response when it passed (or is a dry run's skipped case) and exchanges are not kept; or
/// nothing, when it is such a case and is only counted in `omitted`.
fn keep_result(result: CaseResult, keep: Keep, dry_run: bool, omitted: &mut Tally) -> Option<CaseResult> {
    if settled(&result, dry_run) && !keep.passed_cases && result.snapshot.is_none() {
        omitted.add(&result);
        None
    } else if !keep.shows_exchange(&result, dry_run) {
        Some(result.without_exchange())
    } else {
        Some(result)
    }
}

/// Which pass of the run runs a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    /// The run's pass over the plan: each case once, not shrunk.
    First,
    /// One case alone (a libtest trial): run, and shrunk when it fails.
    Alone,
    /// A failing case run again to be shrunk: every request of it is shrinking's.
    Shrinking,
}

/// Runs the case at `index` of the plan; a failing generated case is then shrunk to a minimal
/// input, except in the first pass. Timed, shrinking included. With it, the findings met while
/// shrinking, each a case of its own.
pub(super) async fn run_case(shared: &Shared, plan: &Plan, index: usize, pass: Pass) -> (CaseResult, Vec<CaseResult>) {
    let started = Instant::now();
    let (mut result, mut findings) = run_untimed(shared, &plan.case(index), index, pass).await;
    result.duration = started.elapsed();
    result.plan_index = plan.position(index);
    for finding in &mut findings {
        finding.plan_index = result.plan_index;
    }
    (result, findings)
}

async fn run_untimed(shared: &Shared, case: &Case, index: usize, pass: Pass) -> (CaseResult, Vec<CaseResult>) {
    let spec = &shared.config.specs[case.spec];
    let operation = &spec.operations[case.operation];
    let target = &shared.targets[case.spec];
    let mut result = CaseResult {
        id: case.id.clone(),
        spec: spec.id.clone(),
        operation: operation.id.clone(),
        kind: case.kind.clone(),
        seed: case.seed,
        status: CaseStatus::Passed,
        rules: Vec::new(),
        failures: Vec::new(),
        request: None,
        curl: None,
        response: None,
        shrink_steps: 0,
        snapshot: None,
        plan_index: index,
        duration: std::time::Duration::ZERO,
        found_while_shrinking: None,
    };
    let first = match first_input(shared, case) {
        Ok(input) => input,
        Err(reason) => {
            result.status = CaseStatus::Skipped(reason);
            return (result, Vec::new());
        }
    };
    let admission = shared.admission(index);
    if let Some(why) = target.health.not_sent().filter(|_| !matches!(admission, Admission::Refused(_))) {
        target.health.skip();
        let show = Shown::new(&shared.redactor, shared.config.show_secrets, spec, operation);
        result.status = CaseStatus::Error(Reason::new(ReasonKind::NoAnswer, show.message(&why, None)));
        return (result, Vec::new());
    }
    let phase = if pass == Pass::Shrinking { Phase::Shrinking } else { Phase::of(case) };
    let mut best = attempt(shared, case, operation, target, &first, admission, phase).await;
    let mut found = Vec::new();
    // Shrinking sends the case again; a message-sending call to a real target is not repeated.
    let shrinkable = matches!(case.kind, CaseKind::Positive | CaseKind::Negative(_)) && !is_guarded(shared, case);
    if pass != Pass::First && shrinkable {
        let shrunk = shrink::shrink(shared, case, operation, target, best).await;
        (best, found, result.shrink_steps) = (shrunk.best, shrunk.findings, shrunk.steps);
    }
    // Shown (redacted, masked) only when needed: a message of a case that did not pass, and the
    // exchange of a case that is kept with it. Masking is most of a passed case's own work.
    let shown = std::cell::OnceCell::new();
    let show = || shown.get_or_init(|| Shown::new(&shared.redactor, shared.config.show_secrets, spec, operation));
    let response = match best.outcome {
        CallOutcome::Error(reason) => {
            result.status = CaseStatus::Error(reason.map(|m| show().message(&m, None)));
            None
        }
        CallOutcome::NotSent(reason) => {
            result.status = CaseStatus::Skipped(reason.map(|m| show().message(&m, None)));
            None
        }
        CallOutcome::Crashed(rules, failures) => {
            (result.rules, result.failures) = (rules, masked(show(), failures, None));
            result.status = CaseStatus::Failed;
            None
        }
        CallOutcome::Answered(response, checks, failures) => {
            result.rules = checks;
            result.status = if failures.is_empty() { CaseStatus::Passed } else { CaseStatus::Failed };
            result.failures = masked(show(), failures, Some(response.status));
            if matches!(case.kind, CaseKind::Example { .. }) {
                snapshot_case(shared, case, &response, &mut result);
            }
            Some(response)
        }
    };
    // A shrinking run (one case alone, or a failed case run again) is kept whole, whatever it
    // gives; a dry run shows every case's request as it finishes (kept or not).
    let shows = pass != Pass::First || shared.config.dry_run;
    if shows || shared.config.keep.shows_exchange(&result, shared.config.dry_run) {
        let show = show();
        let request = show.request(&best.request);
        result.curl = Some(to_curl(&request, show.redactor()));
        result.request = Some(request);
        result.response = response.map(|r| show.response(&r));
    } else {
        // Only counted (see [`keep_result`]): the answer's status is all that is read of it.
        result.response = response.map(|r| ResponseSummary::status_only(r.status));
    }
    let findings = found
        .into_iter()
        .enumerate()
        .map(|(n, (attempt, failures))| shrink::finding(&result, n + 1, attempt, failures, show()))
        .collect();
    (result, findings)
}
