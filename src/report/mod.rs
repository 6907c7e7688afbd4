//! Reports: one file per format, each a function of the same [`crate::run::RunResult`]. Reports
//! only read results; they never run anything.

pub mod console;
pub mod hints;
