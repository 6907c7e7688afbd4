//! Snapshots: an answer normalized into a readable, stable text ([`normalize()`]), kept in a
//! committed `.snap` file in insta's format ([`file`]), and compared with it ([`compare()`]).
//! A change is a [`Failure`](crate::check::Failure) with the rule id `snapshot` and a unified
//! diff. Only request examples and scenario steps are snapshotted, never generated cases.

mod compare;
pub mod file;
mod normalize;

pub use compare::{Comparison, Match, RULE, Settings, compare};
pub use normalize::{KnownValue, normalize};
