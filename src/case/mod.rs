//! Cases: what conform sends. A case has a stable [`CaseId`], a [`CaseKind`] (positive, negative,
//! protocol), a [`Recipe`] and a seed from which its request input is drawn with proptest, so that
//! the same seed sends the same requests and a failing case can be shrunk. This room never prints
//! and never sends.

mod coverage;
mod either;
mod id;
mod input;
mod kind;
mod mutation;
mod pattern;
mod recipe;
mod strategies;
mod values;

pub use coverage::{Edge, body_edges, number_pointers, parameter_edges};
pub use either::{body_json, filled_by_variable, place_schema, remove_at, set_at, value_at};
pub use id::{CaseId, slug};
pub use input::{Body, Context, HOSTILE_DEPTH, Hostile, RequestInput, as_text, build};
pub use kind::{CaseKind, Mutation, MutationKind, Probe, Target};
pub use mutation::{Constraint, constraints};
pub use recipe::{Case, InputTree, Place, Recipe, Shrink, WRONG_CREDENTIAL, apply_probe, replay_steps};
pub use strategies::Strategies;
pub use values::{GenerateError, generator_regex, valid as valid_values};
