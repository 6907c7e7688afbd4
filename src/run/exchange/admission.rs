//! The send guard's word on each case of the plan, decided before anything is sent: a case that
//! calls a message-sending operation on a target without a sandbox is guarded; the guarded cases
//! whose request can be made safe share the `--max-sends` budget ([`budget::admit`]), in plan
//! order, so that which calls are made does not depend on timing.

use std::collections::BTreeMap;

use super::input::first_input;
use crate::case::{Case, RequestInput};
use crate::plan::Plan;
use crate::run::budget::{self, Admission, BudgetKind, Candidate};
use crate::run::guard::{self, Refusal};
use crate::run::shared::Shared;

/// Whether the case calls a message-sending operation on a target without a sandbox: every such
/// call, whatever the case's kind, needs one of the budget's sends, goes only to allow-listed
/// recipients, and is made at most once (no shrinking, no re-run).
pub(crate) fn is_guarded(shared: &Shared, case: &Case) -> bool {
    is_guarded_at(shared, case.spec, case.operation)
}

/// [`is_guarded`], by the indices of the spec and the operation.
pub(crate) fn is_guarded_at(shared: &Shared, spec: usize, operation: usize) -> bool {
    shared.config.specs[spec].operations[operation].side_effect.is_some() && !shared.targets[spec].sandbox
}

/// The send guard's word on every guarded case of the plan (by index; the others are free): the
/// guarded cases whose request can be made safe share the `--max-sends` budget fairly
/// ([`budget::admit`]); the others are refused. Only guarded cases are made from the plan here.
pub(crate) fn admissions(shared: &Shared, plan: &Plan) -> BTreeMap<usize, Admission> {
    let mut admissions = BTreeMap::new();
    let mut candidates = Vec::new();
    for index in 0..plan.len() {
        let (spec, operation) = plan.site(index);
        if !is_guarded_at(shared, spec, operation) {
            continue;
        }
        let case = plan.case(index);
        // A case that cannot even be generated is skipped for that reason, and sends nothing.
        let Ok(mut input) = first_input(shared, &case) else {
            admissions.insert(index, Admission::Ungenerated);
            continue;
        };
        match guard_input(shared, &case, &mut input) {
            Ok(_) => candidates.push(Candidate {
                index,
                operation: (case.spec, case.operation),
                kind: BudgetKind::of(&case.kind),
            }),
            Err(refusal) => {
                admissions.insert(index, Admission::Refused(refusal));
            }
        }
    }
    // What the scenarios did not take (they were given their word first).
    let left = shared.config.max_sends.saturating_sub(shared.guard.sent());
    let granted = budget::admit(&candidates, left);
    for candidate in &candidates {
        let admission = if granted.binary_search(&candidate.index).is_ok() {
            // Taken from the budget now, so that a 429's retry only gets what is left.
            shared.guard.reserve();
            Admission::Send
        } else {
            Admission::Refused(Refusal::BudgetSpent(shared.config.max_sends))
        };
        admissions.insert(candidate.index, admission);
    }
    admissions
}

/// Makes a message-sending call's input safe for a target without a sandbox (see
/// [`guard::guard_request`]); returns the numbers it reaches.
pub(crate) fn guard_input(shared: &Shared, case: &Case, input: &mut RequestInput) -> Result<Vec<String>, Refusal> {
    let operation = &shared.config.specs[case.spec].operations[case.operation];
    let Some(effect) = &operation.side_effect else { return Ok(Vec::new()) };
    guard::guard_request(&shared.guard, operation, effect, &case.kind, input, case.seed)
}
