//! The valid-input strategy of each operation of one spec, for one set of variable names, built
//! on first use and then shared by every case of the run. Building a strategy parses the schemas'
//! patterns, which costs more than drawing an input from it. A strategy keeps nothing between
//! draws, so a case draws the same input from the shared one as from one of its own.
//!
//! Only the strategies of the operations asked for most recently are kept ([`KEPT`]): a plan
//! keeps each operation's cases together, so the cases in flight need few of them, and a spec
//! of 27,000 operations would otherwise hold all it built (about 37 KB each) until the run
//! ends. An operation asked for again after its strategy was dropped gets it built again.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use proptest::strategy::SBoxedStrategy;

use super::input::{self, RequestInput};
use super::values::GenerateError;
use crate::spec::Operation;

/// One operation's strategy, with the pointer of the operation it was built for.
type Built = (String, Result<SBoxedStrategy<RequestInput>, GenerateError>);

/// How many operations' strategies a [`Strategies`] keeps at once, at most: more than the cases
/// in flight can need (`--concurrency` is at most 256, and an operation has several cases).
const KEPT: usize = 256;

/// One operation's slot: built by the first case that asks, while the others wait for it.
type Slot = Arc<OnceLock<Built>>;

/// The valid-input strategies of a spec's operations, by index, for the variables in [`names`](Strategies::names).
pub struct Strategies {
    names: BTreeSet<String>,
    operations: usize,
    /// The slots of the operations asked for most recently, by index, the latest last.
    recent: Mutex<VecDeque<(usize, Slot)>>,
    kept: usize,
}

impl Strategies {
    /// Room for `operations` operations; `names` are the variables that have values.
    pub fn new(operations: usize, names: BTreeSet<String>) -> Strategies {
        Strategies::keeping(operations, names, KEPT)
    }

    /// [`Strategies::new`], keeping at most `kept` operations' strategies (at least one).
    pub fn keeping(operations: usize, names: BTreeSet<String>, kept: usize) -> Strategies {
        Strategies { names, operations, recent: Mutex::new(VecDeque::new()), kept: kept.max(1) }
    }

    /// How many operations' strategies are kept now.
    pub fn built(&self) -> usize {
        self.recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(_, slot)| slot.get().is_some())
            .count()
    }

    /// The slot of the operation at `index`, made the most recent (and made, if it has none).
    fn slot(&self, index: usize) -> Slot {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        // Nearly always the latest: a plan keeps an operation's cases together.
        let entry = match recent.iter().rposition(|(at, _)| *at == index) {
            Some(position) => recent.remove(position).expect("the position was just found"),
            None => (index, Slot::default()),
        };
        let slot = entry.1.clone();
        recent.push_back(entry);
        if recent.len() > self.kept {
            recent.pop_front();
        }
        slot
    }

    /// The variables that have values (the parameters they fill are not generated).
    pub fn names(&self) -> &BTreeSet<String> {
        &self.names
    }

    /// The valid-input strategy of `operation`, the spec's operation at `index`. An operation
    /// that is not the one first seen at `index` gets a strategy of its own, built now.
    pub fn valid(&self, index: usize, operation: &Operation) -> Result<SBoxedStrategy<RequestInput>, GenerateError> {
        let build = || input::strategy(operation, &self.names);
        if index >= self.operations {
            return build();
        }
        let slot = self.slot(index);
        let (pointer, strategy) = slot.get_or_init(|| (operation.pointer.clone(), build()));
        if *pointer == operation.pointer { strategy.clone() } else { build() }
    }
}

impl std::fmt::Debug for Strategies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Strategies").field("names", &self.names).field("built", &self.built()).finish()
    }
}
