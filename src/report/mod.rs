//! Reports: one file per format, each a function of the same [`crate::results::RunResult`]. Reports
//! only read results; they never run anything, and never write files (the CLI does).
//!
//! - [`console`]: the terminal report; [`dry_run`]: `--dry-run`'s, case by case.
//! - [`json`]: the whole result, read back by [`merge`] and [`compare`].
//! - [`junit`], [`html`], [`markdown`]: for CI viewers, people and pull-request comments.
//! - [`compare`]: several runs side by side.
//!
//! What several formats show is computed once, and every format (the console included) only lays
//! it out, so their numbers always agree: [`matrix`] (operation × rule, rows for operations and
//! suites), [`tally`] (counts, verdict words, skips by reason, snapshot counts), [`coverage`]
//! (rules with their provenance, the matrix's columns summed) and [`unique`] (failures grouped
//! into unique findings, each with its smallest case). [`short_body`] puts a body in one line (an
//! HTML page as its title and size), [`md`] holds the Markdown building blocks of the summary and
//! the comparison; `testing` the hand-built runs of their unit tests.

pub mod compare;
pub mod console;
pub mod coverage;
pub mod dry_run;
pub mod format;
pub mod hints;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod md;
pub mod merge;
pub mod short_body;
pub mod tally;
#[cfg(test)]
pub(crate) mod testing;
pub mod unique;

pub use format::{Format, ReportTarget};

use crate::results::RunResult;

/// Why a report could not be rendered or read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{format} report: {message}")]
    Render { format: Format, message: String },
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    /// Shards that do not make one run, for a reason no single file is to blame for.
    #[error("report merge: {0}")]
    Merge(String),
}

/// A run's report in one format.
pub fn render(format: Format, result: &RunResult) -> Result<String, ReportError> {
    match format {
        Format::Json => json::render(result),
        Format::Junit => junit::render(result),
        Format::Html => html::render(result),
        Format::Markdown => markdown::render(result),
    }
}
