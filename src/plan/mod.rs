//! The plan: every case of a run, built from the specs. Positive cases per operation (`--cases N`),
//! one negative case per constraint plus malformed JSON, the protocol probes, and the coverage
//! phase's edge values and hostile bodies; `--phases` ([`Phases`]) chooses among them. Each case gets a
//! seed derived from the run's seed and its id, so `--seed S` reproduces a run and one case can be
//! re-run alone. `--shard I/N` ([`Shard`]) keeps one machine's part of it.

mod build;
mod coverage;
mod phases;
mod seed;
mod shard;

pub use build::{Plan, PlanOptions, plan, plan_phases};
pub use phases::{PHASE_NAMES, Phases, PhasesError};
pub use seed::case_seed;
pub use shard::Shard;
