//! A comparison as Markdown: each run's summary, then the rows, those where the runs differ
//! first and marked `≠`. Within [`md::MAX_CHARS`], rows cut with a count.

use std::fmt::Write;

use super::Comparison;
use crate::report::md::{self, cell, code};

/// At most this many rows of the comparison.
const MAX_ROWS: usize = 150;

pub fn render(model: &Comparison) -> String {
    let mut out = String::new();
    let labels: Vec<String> = model.runs.iter().map(|r| cell(&r.label)).collect();
    let _ = writeln!(out, "## conform: {} runs compared\n", model.runs.len());
    let summaries = model.runs.iter().map(|r| {
        let counts = |c: crate::report::tally::Counts| {
            format!(
                "{} passed, {} failed, {} warned, {} skipped, {} errors",
                c.passed, c.failed, c.warned, c.skipped, c.errors
            )
        };
        vec![cell(&r.label), r.verdict.to_owned(), format!("`{}`", r.seed), counts(r.cases), counts(r.scenarios)]
    });
    md::table(
        &mut out,
        &["run", "verdict", "seed", "cases", "scenarios"],
        summaries.collect::<Vec<_>>().into_iter(),
        50,
    );
    let _ = writeln!(
        out,
        "\n### Rules × runs\n\n{} of {} rows differ (marked ≠, listed first).\n",
        model.differing(),
        model.rows.len()
    );
    let mut head = vec!["", "operation", "rule"];
    head.extend(labels.iter().map(String::as_str));
    let lines = model.rows.iter().map(|row| {
        let mut line =
            vec![if row.differs { "≠".to_owned() } else { String::new() }, code(&row.place), code(&row.rule)];
        line.extend(row.cells.iter().map(|c| cell(&c.text)));
        line
    });
    md::table(&mut out, &head, lines.collect::<Vec<_>>().into_iter(), MAX_ROWS);
    let _ = writeln!(
        out,
        "\nCells count exchanges (pass, FAIL, warn) or cases not run (skipped); \"not run\": the run has no such row."
    );
    md::fit(out)
}
