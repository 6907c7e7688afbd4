//! The last stage of an exchange: what is shown of it. Failures masked as the answer they quote,
//! an example's answer normalized and compared with its snapshot, and what a snapshot outcome adds
//! to a result.

use crate::case::Case;
use crate::results::{CaseResult, CaseStatus, Reason, ReasonKind};
use crate::run::sandbox;
use crate::run::shared::Shared;
use crate::show::Shown;
use crate::snapshot;
use crate::spec::SandboxFixture;

/// Failures with their messages masked as the answer they quote (of `status`) is.
pub(crate) fn masked(
    show: &Shown,
    failures: Vec<crate::check::Failure>,
    status: Option<u16>,
) -> Vec<crate::check::Failure> {
    failures.into_iter().map(|f| crate::check::Failure { message: show.message(&f.message, status), ..f }).collect()
}

/// Normalizes an example's answer and compares it with its snapshot (see [`snapshot`]).
pub(crate) fn snapshot_case(
    shared: &Shared,
    case: &Case,
    response: &crate::http::HttpResponse,
    result: &mut CaseResult,
) {
    let spec = &shared.config.specs[case.spec];
    let operation = &spec.operations[case.operation];
    let target = &shared.targets[case.spec];
    let known = target.fixture.as_ref().map(|f| generated_values(f, case.seed)).unwrap_or_default();
    let show = Shown::new(&shared.redactor, false, spec, operation);
    let content = show.snapshot(response, &known);
    let outcome = show.snapshot_outcome(snapshot::compare(&shared.config.snapshots, case.id.as_str(), &content));
    record_snapshot(&outcome, &mut result.rules, &mut result.failures, &mut result.status);
    result.snapshot = Some(outcome);
}

/// The values a fixture draws for a seed: the same thing in every run, not the same text, so a
/// snapshot shows them by name (`[instance_id]`). Fixed values are shown as they are.
pub(crate) fn generated_values(fixture: &SandboxFixture, seed: u64) -> Vec<snapshot::KnownValue> {
    let values = sandbox::fixture_values(fixture, seed).unwrap_or_default();
    fixture
        .params
        .iter()
        .filter(|(_, value)| matches!(value, crate::spec::FixtureValue::Generate(_)))
        .filter_map(|(name, _)| Some(snapshot::KnownValue { name: name.clone(), value: values.get(name)?.clone() }))
        .collect()
}

/// What a snapshot outcome adds to a case's or a scenario's result: the rule, when compared; a
/// failure, when it changed or is missing; an error, when a file could not be read or written.
pub(crate) fn record_snapshot(
    outcome: &snapshot::Comparison,
    rules: &mut Vec<crate::check::RuleId>,
    failures: &mut Vec<crate::check::Failure>,
    status: &mut CaseStatus,
) {
    if outcome.verdict != snapshot::Match::NotCompared && !rules.iter().any(|r| r.as_str() == snapshot::RULE) {
        rules.push(crate::check::RuleId::new(snapshot::RULE));
    }
    if let Some(failure) = outcome.failure() {
        failures.push(failure);
        if *status == CaseStatus::Passed {
            *status = CaseStatus::Failed;
        }
    }
    if let snapshot::Match::Error(message) = &outcome.verdict {
        *status = CaseStatus::Error(Reason::new(ReasonKind::Harness, message.clone()));
    }
}
