//! Why a scenario stops before its end, and the reasons it is skipped, each written once: known
//! before it runs ([`skip_reason`]) or met while it runs.

use crate::results::{Reason, ReasonKind};
use crate::run::shared::SpecTarget;
use crate::spec::Spec;
use crate::suite::{Action, Scenario, Suite};

/// Why a scenario stopped before its end.
pub(super) enum Stop {
    Skip(Reason),
    Error(Reason),
}

/// Why a scenario will be skipped on this target, when that is known before it runs: it moves
/// the clock or sets a state and the target has no sandbox, it reads the outbox for a value no
/// variable gives, or the fixture's variables are missing.
pub(crate) fn skip_reason(suite: &Suite, scenario: &Scenario, spec: &Spec, target: &SpecTarget) -> Option<Reason> {
    if target.sandbox {
        return None;
    }
    if let Some(missing) = spec.sandbox.iter().flat_map(|f| f.variables()).find(|n| !target.given.contains_key(*n)) {
        return Some(missing_fixture_variable(spec, missing));
    }
    scenario.steps.iter().filter_map(|s| suite.steps.get(&s.step)).find_map(|step| match &step.action {
        Action::Advance { .. } | Action::State { .. } => Some(no_sandbox(&format!("step `{}`", step.name))),
        Action::Outbox { .. } if !step.capture.keys().all(|k| target.given.contains_key(k)) => {
            Some(no_outbox(spec, &step.name, step.capture.keys()))
        }
        _ => None,
    })
}

/// A variable of the spec's sandbox fixture that nobody gives, on a target with no sandbox to
/// make one.
pub(super) fn missing_fixture_variable(spec: &Spec, name: &str) -> Reason {
    Reason::new(
        ReasonKind::MissingVariable,
        format!(
            "no value for variable `{name}`: give --var {}.{name}=VALUE (the target has no sandbox to make one)",
            spec.id
        ),
    )
}

/// `what` (a step, and what it does) needs the sandbox, which the target has not.
fn no_sandbox(what: &str) -> Reason {
    Reason::new(ReasonKind::NeedsSandbox, format!("{what} needs the target's sandbox, which it has not"))
}

/// A step reads the outbox of a target without one, for `captured` values that no variable gives.
pub(super) fn no_outbox<'a>(spec: &Spec, step: &str, captured: impl Iterator<Item = &'a String>) -> Reason {
    let wanted: Vec<String> = captured.map(|k| format!("--var {}.{k}=VALUE", spec.id)).collect();
    Reason::new(
        ReasonKind::NeedsSandbox,
        format!("step `{step}` reads the sandbox outbox, which the target has not; give {}", wanted.join(" ")),
    )
}

/// Stops the scenario, skipped, unless the target has the sandbox that `what` needs.
pub(super) fn needs_sandbox(target: &SpecTarget, what: &str) -> Result<(), Stop> {
    if target.sandbox { Ok(()) } else { Err(Stop::Skip(no_sandbox(what))) }
}
