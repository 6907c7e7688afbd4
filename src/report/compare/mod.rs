//! `conform report compare`: several runs side by side. This module owns the comparison model:
//! one column per run, one row per (spec, operation or suite, rule), each cell what that run
//! made of the rule there (pass, fail, warn, skipped, not run) with its counts, and rows where
//! the runs differ marked; plus a summary per run. [`markdown`] and [`html`] render it.

pub mod html;
pub mod markdown;

use std::collections::BTreeSet;

use serde::Serialize;

use super::matrix::{self, RowKey};
use super::tally::{self, Counts};
use super::{Format, ReportError};
use crate::check::RuleId;
use crate::results::RunResult;

/// Renders the runs, each with its label, side by side.
pub fn render(format: Format, runs: &[(String, RunResult)]) -> Result<String, ReportError> {
    let model = Comparison::of(runs);
    match format {
        Format::Markdown => Ok(markdown::render(&model)),
        Format::Html => html::render(&model),
        Format::Json | Format::Junit => Err(ReportError::Render {
            format,
            message: "a comparison is written as html or markdown (--report html=PATH or --report markdown=PATH); \
                      json and junit describe a single run"
                .to_owned(),
        }),
    }
}

/// What one run made of one rule in one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    /// The row's cases were skipped or could not run, so the rule never judged an answer.
    Skipped,
    /// The run has no such row: another spec, another suite, a rule it did not run.
    NotRun,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::Warn => "warn",
            Status::Skipped => "skipped",
            Status::NotRun => "not run",
        }
    }
}

/// One cell: the status and the number of exchanges (or skipped cases) behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub status: Status,
    pub count: usize,
    /// `pass 3`, `FAIL 1`, `not run`.
    pub text: String,
}

impl Cell {
    fn new(status: Status, count: usize) -> Cell {
        let text =
            if status == Status::NotRun { status.word().to_owned() } else { format!("{} {count}", status.word()) };
        Cell { status, count, text }
    }
}

/// One row: a rule in a spec's operation (or suite), and each run's cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub spec: String,
    /// `zapi::request-code`, `zapi::suite zapi`.
    pub place: String,
    pub rule: String,
    pub cells: Vec<Cell>,
    /// Whether the runs' statuses differ (counts alone do not make a difference).
    pub differs: bool,
}

/// One run's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub label: String,
    pub verdict: &'static str,
    pub seed: u64,
    pub cases: Counts,
    pub scenarios: Counts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub runs: Vec<RunSummary>,
    /// The rows where the runs differ first, then the others; each group by spec, row and rule.
    pub rows: Vec<Row>,
}

impl Comparison {
    pub fn of(runs: &[(String, RunResult)]) -> Comparison {
        let tallies: Vec<_> = runs.iter().map(|(_, r)| matrix::rows(r)).collect();
        let keys: BTreeSet<(&RowKey, &RuleId)> = tallies
            .iter()
            .flat_map(|t| {
                t.iter()
                    .flat_map(|(key, row)| row.cells.iter().filter(|(_, c)| c.total() > 0).map(move |(r, _)| (key, r)))
            })
            .collect();
        let mut rows: Vec<Row> = keys
            .into_iter()
            .map(|(key, rule)| {
                let cells: Vec<Cell> = tallies
                    .iter()
                    .map(|t| match t.get(key) {
                        Some(row) => match row.cells.get(rule).filter(|c| c.total() > 0) {
                            Some(c) if c.failed > 0 => Cell::new(Status::Fail, c.failed),
                            Some(c) if c.warned > 0 => Cell::new(Status::Warn, c.warned),
                            Some(c) => Cell::new(Status::Pass, c.passed),
                            None if row.not_run() > 0 => Cell::new(Status::Skipped, row.not_run()),
                            None => Cell::new(Status::NotRun, 0),
                        },
                        None => Cell::new(Status::NotRun, 0),
                    })
                    .collect();
                let differs = cells.iter().any(|c| c.status != cells[0].status);
                Row { spec: key.spec.clone(), place: key.label(), rule: rule.to_string(), cells, differs }
            })
            .collect();
        // What differs comes first, for every rendering; the rest stays in (spec, row, rule) order.
        rows.sort_by_key(|r| !r.differs);
        let runs = runs
            .iter()
            .map(|(label, r)| RunSummary {
                label: label.clone(),
                verdict: tally::verdict(r.verdict()),
                seed: r.seed,
                cases: Counts::cases(r),
                scenarios: Counts::scenarios(r),
            })
            .collect();
        Comparison { runs, rows }
    }

    pub fn differing(&self) -> usize {
        self.rows.iter().filter(|r| r.differs).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn rows_differ_where_statuses_do_and_missing_rows_are_not_run() {
        let a = testing::result();
        let mut b = testing::result();
        b.cases.retain(|c| c.failures.is_empty()); // no failing cases: request-code passes
        b.cases[0].operation = "other-op".into();
        let model = Comparison::of(&[("a".into(), a), ("b".into(), b)]);
        let row = |place: &str, rule: &str| model.rows.iter().find(|r| r.place == place && r.rule == rule).unwrap();
        let status =
            |place: &str, rule: &str| row(place, rule).cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        assert_eq!(status("zapi::request-code", "not_a_server_error"), ["FAIL 1", "not run"]);
        assert!(row("zapi::request-code", "not_a_server_error").differs);
        assert_eq!(status("zapi::other-op", "not_a_server_error"), ["not run", "pass 1"]);
        assert_eq!(model.runs[0].verdict, "incomplete");
        let same = Comparison::of(&[("a".into(), testing::result()), ("b".into(), testing::result())]);
        assert_eq!(same.differing(), 0);
        assert!(!same.rows.is_empty());
    }

    #[test]
    fn json_and_junit_are_refused_with_the_formats_that_work() {
        let runs = [("a".to_owned(), testing::result()), ("b".to_owned(), testing::result())];
        for format in [Format::Json, Format::Junit] {
            let message = render(format, &runs).unwrap_err().to_string();
            assert!(message.contains("html or markdown"), "{message}");
        }
    }
}
