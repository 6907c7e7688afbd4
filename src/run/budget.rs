//! The `--max-sends` budget shared out before anything is sent: the kinds of case that take turns
//! at it ([`BudgetKind`]), the guarded cases that ask for a send ([`Candidate`]), who gets one
//! ([`admit`]), and the send guard's word on one case or scenario ([`Admission`]).

use std::collections::BTreeMap;

use super::guard::Refusal;
use crate::case::CaseKind;

/// The kinds of case that take turns at the `--max-sends` budget, in the order of their turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BudgetKind {
    Positive,
    Negative,
    Protocol,
    /// A request example of the spec (the provider's own request, snapshotted).
    Example,
}

impl BudgetKind {
    /// Every kind, in the order they take turns.
    pub const TURNS: [BudgetKind; 4] =
        [BudgetKind::Positive, BudgetKind::Negative, BudgetKind::Protocol, BudgetKind::Example];

    /// The budget kind of a case. A scenario's step, written out as an example is, is none of
    /// the plan's cases; it counts as an example.
    pub fn of(kind: &CaseKind) -> BudgetKind {
        match kind {
            CaseKind::Positive => BudgetKind::Positive,
            CaseKind::Negative(_) | CaseKind::Hostile { .. } => BudgetKind::Negative,
            CaseKind::Protocol(_) => BudgetKind::Protocol,
            CaseKind::Example { .. } | CaseKind::Step => BudgetKind::Example,
        }
    }
}

/// One case the guard may let through: where it is in the plan, its operation and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub index: usize,
    /// (spec, operation) indexes.
    pub operation: (usize, usize),
    pub kind: BudgetKind,
}

/// Hands out the `--max-sends` budget fairly: every message-sending operation gets a call before
/// any gets a second, and within an operation the kinds take turns (positive, negative,
/// protocol, example, positive, …), each in plan order. Returns the plan indexes granted a send.
pub fn admit(candidates: &[Candidate], budget: u32) -> Vec<usize> {
    // Per operation, its candidates in the order kinds take turns.
    let mut per_operation: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    let mut by_kind: BTreeMap<((usize, usize), BudgetKind), Vec<usize>> = BTreeMap::new();
    for candidate in candidates {
        by_kind.entry((candidate.operation, candidate.kind)).or_default().push(candidate.index);
        per_operation.entry(candidate.operation).or_default();
    }
    for (operation, queue) in &mut per_operation {
        let kinds: Vec<&Vec<usize>> = BudgetKind::TURNS.iter().filter_map(|k| by_kind.get(&(*operation, *k))).collect();
        let longest = kinds.iter().map(|k| k.len()).max().unwrap_or(0);
        for turn in 0..longest {
            queue.extend(kinds.iter().filter_map(|k| k.get(turn)));
        }
    }
    let mut granted = Vec::new();
    let longest = per_operation.values().map(Vec::len).max().unwrap_or(0);
    'rounds: for round in 0..longest {
        for queue in per_operation.values() {
            if granted.len() as u64 >= u64::from(budget) {
                break 'rounds;
            }
            if let Some(index) = queue.get(round) {
                granted.push(*index);
            }
        }
    }
    granted.sort_unstable();
    granted
}

/// The send guard's word on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Not a message-sending call to a target without a sandbox: nothing to guard.
    Free,
    /// A guarded call that holds one of the `--max-sends` budget's sends.
    Send,
    /// A guarded call that must not be made.
    Refused(Refusal),
    /// A guarded case whose request cannot even be generated: it is skipped for that reason
    /// (its [`ReasonKind::NoInput`](crate::results::ReasonKind::NoInput)) and sends nothing.
    Ungenerated,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_gets_a_share_and_the_kinds_take_turns() {
        let mut candidates = Vec::new();
        for op in 0..3 {
            let kinds = [(BudgetKind::Positive, 10), (BudgetKind::Negative, 4), (BudgetKind::Protocol, 2)];
            for (kind, count) in kinds {
                for _ in 0..count {
                    candidates.push(Candidate { index: candidates.len(), operation: (0, op), kind });
                }
            }
        }
        let kind_of = |i: &usize| candidates[*i].kind;
        let op_of = |i: &usize| candidates[*i].operation.1;
        let three = admit(&candidates, 3);
        assert_eq!(three.iter().map(op_of).collect::<Vec<_>>(), [0, 1, 2], "one call per operation first");
        assert!(three.iter().all(|i| kind_of(i) == BudgetKind::Positive));
        let nine = admit(&candidates, 9);
        for op in 0..3 {
            let kinds: Vec<BudgetKind> = nine.iter().filter(|i| op_of(i) == op).map(kind_of).collect();
            assert_eq!(kinds, [BudgetKind::Positive, BudgetKind::Negative, BudgetKind::Protocol], "operation {op}");
        }
        assert_eq!(admit(&candidates, 1000).len(), candidates.len());
        assert!(admit(&candidates, 0).is_empty());
        // An example takes its turn after the other kinds, not never.
        let example = Candidate { index: candidates.len(), operation: (0, 0), kind: BudgetKind::Example };
        candidates.push(example);
        let twelve = admit(&candidates, 12);
        assert!(twelve.contains(&(candidates.len() - 1)), "the example's turn is the fourth of its operation");
        assert!(!admit(&candidates, 9).contains(&(candidates.len() - 1)));
    }
}
