//! The exit codes, as documented in docs/running.md ("Exit codes"). Scripts depend on them: never renumber.

/// The target honours its contract (or the command succeeded).
pub const CONFORMANT: u8 = 0;
/// The target broke its contract: at least one failure of a failing severity.
pub const NONCONFORMANT: u8 = 1;
/// conform could not do its job: a bad flag, spec or suite, or an unreachable target.
pub const HARNESS_ERROR: u8 = 2;
