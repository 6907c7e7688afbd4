//! The first stage of an exchange for a generated case: its input, or why it cannot be sent.

use crate::case::{Case, RequestInput};
use crate::results::{Reason, ReasonKind};
use crate::run::shared::Shared;

/// The case's first input, or why it cannot be sent: a variable it needs has no value, or no
/// input could be generated for it. Known before anything is sent.
pub(crate) fn first_input(shared: &Shared, case: &Case) -> Result<RequestInput, Reason> {
    let spec = &shared.config.specs[case.spec];
    let operation = &spec.operations[case.operation];
    let target = &shared.targets[case.spec];
    let missing = &target.missing[case.operation];
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|n| format!("{}.{n}", spec.id)).collect();
        return Err(Reason::new(ReasonKind::MissingVariable, format!("no value for {}", names.join(", "))));
    }
    case.replay_in(operation, &target.strategies, &[])
        .map(|(input, _)| input)
        .map_err(|e| Reason::new(ReasonKind::NoInput, e.to_string()))
}
