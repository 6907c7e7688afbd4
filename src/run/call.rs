//! One call to a target, shared by generated cases and scenario steps: the request is already
//! built and cleared by the send guard; here it goes through the dry run, the send (counted
//! when it can reach a phone), the rate-limit wait and retry, and the stateless checks.

use super::execute::{MAX_RATE_LIMIT_WAIT_SECONDS, Shared, SpecTarget};
use super::reason::{Reason, ReasonKind};
use super::sandbox;
use crate::case::CaseKind;
use crate::check::{self, CheckId, Exchange, Failure, RuleId, answered_at, retry_after_seconds};
use crate::http::{HttpResponse, PreparedRequest, mask_phone};
use crate::spec::Operation;

/// One attempt at a case: the request sent and what came of it.
pub(super) struct Attempt {
    pub request: PreparedRequest,
    pub outcome: Outcome,
}

pub(super) enum Outcome {
    Answered(HttpResponse, Vec<RuleId>, Vec<Failure>),
    /// The harness could not get an answer.
    Error(Reason),
    /// Deliberately not sent: the send guard, or a dry run.
    NotSent(Reason),
}

impl Attempt {
    pub fn failures(&self) -> &[Failure] {
        match &self.outcome {
            Outcome::Answered(_, _, failures) => failures,
            _ => &[],
        }
    }

    pub fn error(request: PreparedRequest, kind: ReasonKind, message: String) -> Attempt {
        Attempt { request, outcome: Outcome::Error(Reason::new(kind, message)) }
    }
}

/// Sends `request` for `operation` and judges the answer. `recipients` are the numbers a
/// message-sending call to a target without a sandbox reaches (empty otherwise): such a call is
/// recorded, and a retry after a 429 takes another send from the budget.
pub(super) async fn call(
    shared: &Shared,
    target: &SpecTarget,
    operation: &Operation,
    kind: &CaseKind,
    request: PreparedRequest,
    recipients: &[String],
) -> Attempt {
    if shared.config.dry_run {
        return Attempt { request, outcome: Outcome::NotSent(Reason::new(ReasonKind::DryRun, "dry run: not sent")) };
    }
    if !recipients.is_empty() {
        if let Ok(mut sends) = shared.sends.lock() {
            sends.push(recipients.iter().map(|n| mask_phone(n)).collect::<Vec<_>>().join(" / "));
        }
    }
    let mut response = match shared.client.send(&request).await {
        Ok(response) => response,
        Err(e) => return Attempt::error(request, ReasonKind::NoAnswer, format!("no answer from the target: {e}")),
    };
    let mut ran = Vec::new();
    let mut failures = Vec::new();
    if response.status == 429 {
        // Being rate-limited is not a contract failure in itself: the 429 is judged by the
        // rate-limit rule, then conform waits as it was told (or moves the sandbox clock) and retries once.
        let exchange = Exchange { operation, kind, request: &request, response: &response };
        judge(
            shared,
            &exchange,
            Some(&[CheckId::RateLimitConformance, CheckId::StatusCodeConformance]),
            &mut ran,
            &mut failures,
        );
        let now = answered_at(&response, target.clock.now());
        let Some(seconds) = response.header("retry-after").and_then(|v| retry_after_seconds(v, now)) else {
            return Attempt { request, outcome: Outcome::Answered(response, ran, failures) };
        };
        if target.sandbox {
            if let Err(e) = sandbox::advance(&shared.client, &target.origin, seconds, &target.clock).await {
                return Attempt::error(request, ReasonKind::Sandbox, e);
            }
        } else if seconds <= MAX_RATE_LIMIT_WAIT_SECONDS {
            tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
        } else {
            let reason = format!("rate-limited by the target for {seconds} s (Retry-After); not waited");
            return Attempt { request, outcome: Outcome::NotSent(Reason::new(ReasonKind::RateLimited, reason)) };
        }
        if !recipients.is_empty() {
            // The retry is another call that can send: it takes from what is left of the budget.
            if !shared.guard.reserve() {
                let reason = format!("rate-limited, and the --max-sends budget ({}) is spent", shared.guard.max_sends);
                return Attempt { request, outcome: Outcome::NotSent(Reason::new(ReasonKind::SendGuard, reason)) };
            }
            if let Ok(mut sends) = shared.sends.lock() {
                sends.push(recipients.iter().map(|n| mask_phone(n)).collect::<Vec<_>>().join(" / "));
            }
        }
        response = match shared.client.send(&request).await {
            Ok(response) => response,
            Err(e) => return Attempt::error(request, ReasonKind::NoAnswer, format!("no answer from the target: {e}")),
        };
        if response.status == 429 {
            // The target broke its own promise: after the wait it asked for, the request must go through.
            let rule = check::check(CheckId::RateLimitConformance);
            let message = format!("still 429 after waiting the {seconds} s that Retry-After asked for");
            failures.push(Failure::new(rule.id, (rule.source)(), message));
            return Attempt { request, outcome: Outcome::Answered(response, ran, failures) };
        }
    }
    let exchange = Exchange { operation, kind, request: &request, response: &response };
    judge(shared, &exchange, None, &mut ran, &mut failures);
    Attempt { request, outcome: Outcome::Answered(response, ran, failures) }
}

/// Runs the registered checks (those `--checks` keeps, and of those only `only` when given).
pub(super) fn judge(
    shared: &Shared,
    exchange: &Exchange<'_>,
    only: Option<&[CheckId]>,
    ran: &mut Vec<RuleId>,
    failures: &mut Vec<Failure>,
) {
    for check in check::registry() {
        let selected = shared.config.checks.as_ref().is_none_or(|keep| keep.contains(&check.id));
        if !selected || only.is_some_and(|only| !only.contains(&check.id)) {
            continue;
        }
        let verdict = check.evaluate(exchange);
        if verdict != Ok(false) && !ran.iter().any(|r| *r == check.id) {
            ran.push(check.id.into());
        }
        if let Err(failure) = verdict {
            failures.push(failure);
        }
    }
}
