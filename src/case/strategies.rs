//! The valid-input strategy of each operation of one spec, for one set of variable names, built
//! on first use and then shared by every case of the run. Building a strategy parses the schemas'
//! patterns, which costs more than drawing an input from it. A strategy keeps nothing between
//! draws, so a case draws the same input from the shared one as from one of its own.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use proptest::strategy::SBoxedStrategy;

use super::input::{self, RequestInput};
use super::values::GenerateError;
use crate::spec::Operation;

/// One operation's strategy, with the pointer of the operation it was built for.
type Built = (String, Result<SBoxedStrategy<RequestInput>, GenerateError>);

/// The valid-input strategies of a spec's operations, by index, for the variables in [`names`](Strategies::names).
pub struct Strategies {
    names: BTreeSet<String>,
    built: Vec<OnceLock<Built>>,
}

impl Strategies {
    /// Room for `operations` operations; `names` are the variables that have values.
    pub fn new(operations: usize, names: BTreeSet<String>) -> Strategies {
        Strategies { names, built: (0..operations).map(|_| OnceLock::new()).collect() }
    }

    /// The variables that have values (the parameters they fill are not generated).
    pub fn names(&self) -> &BTreeSet<String> {
        &self.names
    }

    /// The valid-input strategy of `operation`, the spec's operation at `index`. An operation
    /// that is not the one first seen at `index` gets a strategy of its own, built now.
    pub fn valid(&self, index: usize, operation: &Operation) -> Result<SBoxedStrategy<RequestInput>, GenerateError> {
        let build = || input::strategy(operation, &self.names);
        let Some(slot) = self.built.get(index) else { return build() };
        let (pointer, strategy) = slot.get_or_init(|| (operation.pointer.clone(), build()));
        if *pointer == operation.pointer { strategy.clone() } else { build() }
    }
}

impl std::fmt::Debug for Strategies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let built = self.built.iter().filter(|slot| slot.get().is_some()).count();
        f.debug_struct("Strategies").field("names", &self.names).field("built", &built).finish()
    }
}
