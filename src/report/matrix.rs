//! The operation × rule matrix that every report draws from: for each row (a spec's operation, or
//! a suite's scenarios) and each rule, how many exchanges passed, failed the run or only warned;
//! and how many of the row's cases (or scenarios) were skipped or could not run. "Failed" and
//! "warned" follow [`Severity::fails_run`](crate::check::Severity::fails_run): under `--strict` a
//! warning fails, as it does in the [`tally`](super::tally)'s counts and the run's verdict.
//!
//! Reports only lay these numbers out; they never count on their own, so the console, the
//! Markdown summary, the HTML page, the rule coverage and the comparison always agree.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::{CheckId, Failure, RuleId};
use crate::results::{CaseStatus, RunResult};

/// One rule in one row: exchanges that passed it, failed the run on it, or only warned.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub passed: usize,
    pub failed: usize,
    pub warned: usize,
}

impl Cell {
    /// Counts one exchange judged by `rule`, given the failures of its case or scenario.
    fn add(&mut self, rule: &RuleId, failures: &[Failure], strict: bool) {
        let broken: Vec<&Failure> = failures.iter().filter(|f| f.rule == *rule).collect();
        if broken.is_empty() {
            self.passed += 1;
        } else if broken.iter().any(|f| f.severity.fails_run(strict)) {
            self.failed += 1;
        } else {
            self.warned += 1;
        }
    }

    /// How many exchanges the rule judged here.
    pub fn total(self) -> usize {
        self.passed + self.failed + self.warned
    }

    /// Each count added to `other`'s.
    pub fn plus(self, other: Cell) -> Cell {
        Cell {
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
            warned: self.warned + other.warned,
        }
    }
}

/// What a row is: a spec's operation, or a suite's scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowKind {
    Operation,
    Suite,
}

/// A row's key: its spec, then the operation id or the suite id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowKey {
    pub spec: String,
    pub kind: RowKind,
    /// The operation id, or the suite id.
    pub name: String,
}

impl RowKey {
    /// `zapi::request-code` for an operation, `zapi::suite registration` for a suite.
    pub fn label(&self) -> String {
        format!("{}::{}", self.spec, self.place())
    }

    /// The row without its spec: `request-code` for an operation, `suite registration` for a suite.
    pub fn place(&self) -> String {
        match self.kind {
            RowKind::Operation => self.name.clone(),
            RowKind::Suite => format!("suite {}", self.name),
        }
    }
}

/// One row: its rules' cells, and its cases (or scenarios) that were skipped or could not run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: BTreeMap<RuleId, Cell>,
    pub skipped: usize,
    pub errors: usize,
}

impl Row {
    /// The cell of `rule`, empty where the rule never judged this row.
    pub fn cell(&self, rule: &RuleId) -> Cell {
        self.cells.get(rule).copied().unwrap_or_default()
    }

    /// Its cases (or scenarios) that no rule judged: skipped, or could not run.
    pub fn not_run(&self) -> usize {
        self.skipped + self.errors
    }
}

/// The matrix of a run, rows in order (by spec, operations before suites, then by name). Only
/// cases and scenarios that ran (passed or failed) fill cells; the others count as not run.
pub fn rows(result: &RunResult) -> BTreeMap<RowKey, Row> {
    let mut rows: BTreeMap<RowKey, Row> = BTreeMap::new();
    let mut count = |key: RowKey, status: &CaseStatus, rules: &mut dyn Iterator<Item = &RuleId>, failures| {
        let row = rows.entry(key).or_default();
        match status {
            CaseStatus::Skipped(_) => row.skipped += 1,
            CaseStatus::Error(_) => row.errors += 1,
            CaseStatus::Passed | CaseStatus::Failed => {
                for rule in rules {
                    row.cells.entry(rule.clone()).or_default().add(rule, failures, result.strict);
                }
            }
        }
    };
    for case in &result.cases {
        let key = RowKey { spec: case.spec.clone(), kind: RowKind::Operation, name: case.operation.clone() };
        count(key, &case.status, &mut case.rules.iter(), &case.failures);
    }
    for scenario in &result.scenarios {
        let key = RowKey { spec: scenario.spec.clone(), kind: RowKind::Suite, name: scenario.suite.clone() };
        count(key, &scenario.status, &mut scenario_rules(scenario).into_iter(), &scenario.failures);
    }
    // The passed cases a long run only counted: every rule they met, passed; and the skipped
    // ones a dry run only counted.
    for counted in &result.omitted.operations {
        let key = RowKey { spec: counted.spec.clone(), kind: RowKind::Operation, name: counted.operation.clone() };
        let row = rows.entry(key).or_default();
        for (rule, counts) in &counted.rules {
            row.cells.entry(rule.clone()).or_default().passed += counts.passed;
        }
        row.skipped += counted.cases().skipped;
    }
    rows
}

/// The rules a scenario that ran judged: its own, and any other its calls broke.
fn scenario_rules(scenario: &crate::results::ScenarioResult) -> BTreeSet<&RuleId> {
    let mut rules: BTreeSet<&RuleId> = scenario.failures.iter().map(|f| &f.rule).collect();
    rules.insert(&scenario.rule);
    rules
}

/// The rules of a set of rows as columns: every check in registry order, then the other rules
/// that appear, sorted.
pub fn columns<'a>(rows: impl IntoIterator<Item = &'a Row>) -> Vec<RuleId> {
    let mut columns: Vec<RuleId> = CheckId::ALL.iter().map(|c| RuleId::from(*c)).collect();
    let others: BTreeSet<RuleId> =
        rows.into_iter().flat_map(|r| r.cells.keys()).filter(|r| r.check().is_none()).cloned().collect();
    columns.extend(others);
    columns
}

/// The short head of a rule's column: short ones for the checks, the id itself for any other rule.
pub fn column(rule: &RuleId) -> &str {
    match rule.check() {
        Some(CheckId::NotAServerError) => "5xx",
        Some(CheckId::StatusCodeConformance) => "status",
        Some(CheckId::ResponseSchemaConformance) => "schema",
        Some(CheckId::ContentTypeConformance) => "ctype",
        Some(CheckId::NegativeDataRejection) => "neg",
        Some(CheckId::PositiveDataAcceptance) => "pos",
        Some(CheckId::UnsupportedMethod) => "405",
        Some(CheckId::UnsupportedMediaType) => "415",
        Some(CheckId::AuthEnforced) => "auth",
        Some(CheckId::RateLimitConformance) => "429",
        Some(CheckId::ResponseHeadersConformance) => "rhdr",
        Some(CheckId::MissingRequiredHeader) => "hdr",
        None => rule.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{tally, testing};

    fn key(spec: &str, kind: RowKind, name: &str) -> RowKey {
        RowKey { spec: spec.into(), kind, name: name.into() }
    }

    #[test]
    fn operations_and_suites_count_exchanges_and_what_did_not_run() {
        let rows = rows(&testing::rich_result());
        let request = &rows[&key("hypersender", RowKind::Operation, "request-code")];
        assert_eq!(request.cell(&CheckId::NotAServerError.into()), Cell { passed: 0, failed: 1, warned: 0 });
        assert_eq!(request.cell(&CheckId::UnsupportedMethod.into()), Cell { passed: 1, failed: 0, warned: 0 });
        let suite = &rows[&key("hypersender", RowKind::Suite, "otp")];
        assert_eq!(suite.cell(&RuleId::new("single-use")), Cell { passed: 0, failed: 1, warned: 0 });
        assert_eq!(suite.cell(&RuleId::new("supersedes")), Cell { passed: 1, failed: 0, warned: 0 });
        assert_eq!(rows[&key("wawp", RowKind::Operation, "session-info")].not_run(), 1, "an error is not run");
        assert_eq!(rows[&key("wawp", RowKind::Operation, "request-code")].not_run(), 1, "a skip is not run");
        assert_eq!(suite_label(&rows), ["hypersender::suite otp"]);
    }

    fn suite_label(rows: &BTreeMap<RowKey, Row>) -> Vec<String> {
        rows.keys().filter(|k| k.kind == RowKind::Suite).map(RowKey::label).collect()
    }

    /// A warning cell becomes a failed one under `--strict`, as the counts do: the matrix and the
    /// summary never disagree.
    #[test]
    fn strict_moves_warnings_to_failed_as_the_counts_do() {
        for strict in [false, true] {
            let mut result = testing::small_result();
            result.strict = strict;
            let rows = rows(&result);
            let negative = rows[&key("zapi", RowKind::Operation, "registration-available")]
                .cell(&CheckId::NegativeDataRejection.into());
            let counts = tally::Counts::cases(&result);
            assert_eq!((negative.failed, negative.warned), (counts.failed, counts.warned), "strict: {strict}");
        }
    }
}
