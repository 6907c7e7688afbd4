//! One attempt at a generated case, through every stage of the exchange: variables and a fresh
//! fixture, the request built, the send guard's word, the send and the checks.

use super::admission::{guard_input, is_guarded};
use super::call::{Attempt, CallOutcome, call};
use crate::case::{self, Case, CaseKind, RequestInput};
use crate::http::PreparedRequest;
use crate::results::{Phase, Reason, ReasonKind};
use crate::run::budget::Admission;
use crate::run::sandbox;
use crate::run::shared::{Shared, SpecTarget};
use crate::spec::Operation;

/// One attempt at `case` with `input`: a fresh fixture, the request built, guarded and sent.
pub(crate) async fn attempt(
    shared: &Shared,
    case: &Case,
    operation: &Operation,
    target: &SpecTarget,
    input: &RequestInput,
    admission: &Admission,
    phase: Phase,
) -> Attempt {
    let mut variables = target.given.clone();
    if let Some(fixture) = &target.fixture {
        let values = match sandbox::fixture_values(fixture, case.seed) {
            Ok(values) => values,
            Err(e) => return Attempt::error(PreparedRequest::new("POST", "about:fixture"), ReasonKind::Harness, e),
        };
        // A dry run shows the fixture's values but makes nothing on the target.
        if !shared.config.dry_run
            && let Err(e) = sandbox::create(shared, target, fixture, &values).await
        {
            let request = PreparedRequest::new("POST", format!("{}/__sandbox/state", target.origin));
            return Attempt::error(request, ReasonKind::Sandbox, e);
        }
        variables.extend(values);
    }
    let mut input = input.clone();
    // Fail safe: a guarded call is only made with an admission, whatever the caller passed.
    let checked = is_guarded(shared, case).then(|| guard_input(shared, case, &mut input));
    let context = case::Context { base_url: &target.base_url, variables: &variables, headers: &shared.config.headers };
    let mut request = case::build(operation, &input, context);
    if let CaseKind::Protocol(probe) = &case.kind {
        case::apply_probe(probe, operation, &mut request);
    }
    let refusal = match (admission, &checked) {
        (_, Some(Err(refusal))) | (Admission::Refused(refusal), _) => Some(refusal.to_string()),
        (Admission::Free | Admission::Ungenerated, Some(_)) => {
            Some("not sent: the send guard did not admit this call".to_owned())
        }
        _ => None,
    };
    if let Some(reason) = refusal {
        return Attempt { request, outcome: CallOutcome::NotSent(Reason::new(ReasonKind::SendGuard, reason)) };
    }
    let recipients = match checked {
        Some(Ok(numbers)) => numbers,
        _ => Vec::new(),
    };
    call(shared, target, operation, &case.kind, request, &recipients, phase).await
}
