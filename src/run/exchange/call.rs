//! One call to a target, shared by generated cases and scenario steps: the request is already
//! built and cleared by the send guard; here it goes through the dry run, the send (counted
//! when it can reach a phone), the rate-limit wait and retry, and the stateless checks, which
//! judge every answer, the retry's included. A request whose connection the target drops before
//! any answer, or whose answer is not valid HTTP, is sent once more; the same again, from a
//! target that answers other requests, it is a crash.

use crate::case::CaseKind;
use crate::check::{self, CheckId, Exchange, Failure, RuleId, answered_at, retry_after_seconds};
use crate::http::{HttpResponse, PreparedRequest, TransportError, still_listening};
use crate::results::Phase;
use crate::results::{Reason, ReasonKind};
use crate::run::shared::{Shared, SpecTarget};
use crate::run::{sandbox, wire};
use crate::show::mask_phone;
use crate::spec::Operation;

/// A target that asks for a longer wait (Retry-After) than this is not waited for: the case is skipped.
pub(crate) const MAX_RATE_LIMIT_WAIT_SECONDS: u64 = 30;

/// One attempt at a case: the request sent and what came of it.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub request: PreparedRequest,
    pub outcome: CallOutcome,
}

#[derive(Debug, Clone)]
pub(crate) enum CallOutcome {
    Answered(HttpResponse, Vec<RuleId>, Vec<Failure>),
    /// The target dropped the connection before any answer, or answered with bytes that are not
    /// valid HTTP, while it answers other requests: the rules that ran (`not_a_server_error`)
    /// and the failure.
    Crashed(Vec<RuleId>, Vec<Failure>),
    /// The harness could not get an answer.
    Error(Reason),
    /// Deliberately not sent: the send guard, or a dry run.
    NotSent(Reason),
}

impl Attempt {
    pub fn failures(&self) -> &[Failure] {
        match &self.outcome {
            CallOutcome::Answered(_, _, failures) | CallOutcome::Crashed(_, failures) => failures,
            _ => &[],
        }
    }

    pub fn error(request: PreparedRequest, kind: ReasonKind, message: String) -> Attempt {
        Attempt { request, outcome: CallOutcome::Error(Reason::new(kind, message)) }
    }
}

/// Sends `request` for `operation` and judges the answer. `recipients` are the numbers a
/// message-sending call to a target without a sandbox reaches (empty otherwise): such a call is
/// recorded, and a retry (after a 429, or a dropped connection) takes another send from the budget.
pub(crate) async fn call(
    shared: &Shared,
    target: &SpecTarget,
    operation: &Operation,
    kind: &CaseKind,
    request: PreparedRequest,
    recipients: &[String],
    phase: Phase,
) -> Attempt {
    if shared.config.dry_run {
        return Attempt {
            request,
            outcome: CallOutcome::NotSent(Reason::new(ReasonKind::DryRun, "dry run: not sent")),
        };
    }
    record_send(shared, recipients);
    let mut response = match answer(shared, target, &request, recipients, phase).await {
        Ok(response) => response,
        Err(outcome) => return Attempt { request, outcome },
    };
    let mut ran = Vec::new();
    let mut failures = Vec::new();
    // Being rate-limited is not a contract failure in itself: a 429 is judged by the rate-limit
    // rule (and as a status), then conform waits as it was told (or moves the sandbox clock) and
    // retries once.
    let limited = [CheckId::RateLimitConformance, CheckId::StatusCodeConformance];
    if response.status == 429 {
        let exchange = Exchange { operation, kind, request: &request, response: &response };
        judge(shared, &exchange, Some(&limited), &mut ran, &mut failures);
        let now = answered_at(&response, target.clock.now());
        let Some(seconds) = response.header("retry-after").and_then(|v| retry_after_seconds(v, now)) else {
            return Attempt { request, outcome: CallOutcome::Answered(response, ran, failures) };
        };
        if target.sandbox {
            if let Err(e) = sandbox::advance(shared, target, seconds).await {
                return Attempt::error(request, ReasonKind::Sandbox, e);
            }
        } else if seconds <= MAX_RATE_LIMIT_WAIT_SECONDS {
            tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
        } else {
            let reason = format!("rate-limited by the target for {seconds} s (Retry-After); not waited");
            return Attempt { request, outcome: CallOutcome::NotSent(Reason::new(ReasonKind::RateLimited, reason)) };
        }
        if !recipients.is_empty() {
            // The retry is another call that can send: it takes from what is left of the budget.
            if !shared.guard.reserve() {
                let reason = format!("rate-limited, and the --max-sends budget ({}) is spent", shared.guard.max_sends);
                return Attempt { request, outcome: CallOutcome::NotSent(Reason::new(ReasonKind::SendGuard, reason)) };
            }
            record_send(shared, recipients);
        }
        response = match answer(shared, target, &request, recipients, Phase::Retry).await {
            Ok(response) => response,
            Err(outcome) => return Attempt { request, outcome },
        };
        if response.status == 429 {
            // The retry's answer is judged as the first was; and the target broke its own
            // promise: after the wait it asked for, the request must go through.
            let exchange = Exchange { operation, kind, request: &request, response: &response };
            let mut again = Vec::new();
            judge(shared, &exchange, Some(&limited), &mut ran, &mut again);
            failures.extend(again.into_iter().filter(|f| !failures.contains(f)).collect::<Vec<_>>());
            let rule = check::check(CheckId::RateLimitConformance);
            let message = format!("still 429 after waiting the {seconds} s that Retry-After asked for");
            failures.push(Failure::new(rule.id, (rule.source)(), message));
            return Attempt { request, outcome: CallOutcome::Answered(response, ran, failures) };
        }
    }
    let exchange = Exchange { operation, kind, request: &request, response: &response };
    judge(shared, &exchange, None, &mut ran, &mut failures);
    Attempt { request, outcome: CallOutcome::Answered(response, ran, failures) }
}

/// Records a message-sending call's (masked) recipients, one entry per call.
fn record_send(shared: &Shared, recipients: &[String]) {
    if recipients.is_empty() {
        return;
    }
    if let Ok(mut sends) = shared.sends.lock() {
        sends.push(recipients.iter().map(|n| mask_phone(n)).collect::<Vec<_>>().join(" / "));
    }
}

/// The target's answer to `request`, or what came instead. A target that has answered before
/// and now gives no valid answer (drops the connection before any, or answers with bytes that
/// are not HTTP) is sent the request once more: a kept-alive connection the target closed just
/// as conform reused it drops too, and stray bytes a previous answer left on it read as a broken
/// head. Either again, and the target failed on this input.
async fn answer(
    shared: &Shared,
    target: &SpecTarget,
    request: &PreparedRequest,
    recipients: &[String],
    phase: Phase,
) -> Result<HttpResponse, CallOutcome> {
    let no_answer = |e: TransportError| {
        CallOutcome::Error(Reason::new(ReasonKind::NoAnswer, format!("no answer from the target: {e}")))
    };
    let error = match wire::send(shared, target, phase, request).await {
        Ok(response) => return Ok(response),
        Err(e) if broke_on_input(&e) && target.health.has_answered() => e,
        Err(e) => return Err(no_answer(e)),
    };
    // A retry that can send a message needs the budget; without it, one broken answer is the finding.
    let retry = recipients.is_empty() || shared.guard.reserve();
    let error = if retry {
        record_send(shared, recipients);
        match wire::send(shared, target, Phase::Retry, request).await {
            Ok(response) => return Ok(response),
            Err(e) if broke_on_input(&e) => e,
            Err(e) => return Err(no_answer(e)),
        }
    } else {
        error
    };
    // Dropped again: a crash on this input only if the target still listens; one that went away
    // (stopped, restarted) drops every request, whatever its input.
    if matches!(error, TransportError::Dropped { .. })
        && !still_listening(&target.origin, shared.client.limits().timeout).await
    {
        return Err(CallOutcome::Error(Reason::new(
            ReasonKind::NoAnswer,
            format!("no answer from the target: {error}, and it no longer accepts connections: it went away"),
        )));
    }
    let selected = shared.config.checks.as_ref().is_none_or(|keep| keep.contains(&CheckId::NotAServerError));
    let failure = match &error {
        TransportError::Dropped { message } if selected => check::crashed(message, retry),
        TransportError::Malformed { message } if selected => check::malformed(message, retry),
        _ => return Err(no_answer(error)),
    };
    Err(CallOutcome::Crashed(vec![CheckId::NotAServerError.into()], vec![failure]))
}

/// Whether `error` is the target's own failure on a request, when the target answers others:
/// the connection dropped before any answer, or an answer that is not valid HTTP.
fn broke_on_input(error: &TransportError) -> bool {
    matches!(error, TransportError::Dropped { .. } | TransportError::Malformed { .. })
}

/// Runs the registered checks (those `--checks` keeps, and of those only `only` when given).
pub(crate) fn judge(
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
