//! The operation × rule tally that every report draws its matrix from: for each row (a spec's
//! operation, or a suite's scenarios) and each rule, how many exchanges passed, failed the run or
//! only warned; and how many of the row's cases were skipped or could not run. Also the run's
//! counts (cases and scenarios by outcome) and the words for its verdict.
//!
//! Reports only present these numbers; they never count on their own, so the console, the
//! Markdown summary and the comparison always agree.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::{CheckId, Failure, RuleId};
use crate::run::{CaseStatus, RunResult, Verdict};

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

    pub fn total(self) -> usize {
        self.passed + self.failed + self.warned
    }
}

/// What a row is: a spec's operation, or a suite's scenarios.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
        match self.kind {
            RowKind::Operation => format!("{}::{}", self.spec, self.name),
            RowKind::Suite => format!("{}::suite {}", self.spec, self.name),
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

/// The tally of a run, rows in order (operations, then suites, each sorted by spec and name).
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
        // A scenario proves its own rule, and may also break the checks its calls ran.
        let mut rules: BTreeSet<&RuleId> = scenario.failures.iter().map(|f| &f.rule).collect();
        rules.insert(&scenario.rule);
        count(key, &scenario.status, &mut rules.into_iter(), &scenario.failures);
    }
    rows
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
        None => rule.as_str(),
    }
}

/// How many cases (or scenarios) ended which way. `failed` fails the run; `warned` broke only
/// rules that are warnings in this run (not `--strict`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub warned: usize,
    pub skipped: usize,
    pub errors: usize,
}

impl Counts {
    fn add(&mut self, status: &CaseStatus, fails_run: bool, failures: usize) {
        self.total += 1;
        match status {
            CaseStatus::Passed => self.passed += 1,
            CaseStatus::Skipped(_) => self.skipped += 1,
            CaseStatus::Error(_) => self.errors += 1,
            CaseStatus::Failed => {}
        }
        if fails_run {
            self.failed += 1;
        } else if failures > 0 {
            self.warned += 1;
        }
    }

    /// The run's generated cases.
    pub fn cases(result: &RunResult) -> Counts {
        let mut counts = Counts::default();
        for case in &result.cases {
            counts.add(&case.status, case.fails_run(result.strict), case.failures.len());
        }
        counts
    }

    /// The run's suite scenarios.
    pub fn scenarios(result: &RunResult) -> Counts {
        let mut counts = Counts::default();
        for scenario in &result.scenarios {
            counts.add(&scenario.status, scenario.fails_run(result.strict), scenario.failures.len());
        }
        counts
    }
}

/// The verdict in words, as every report says it.
pub fn verdict(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Conformant => "conformant",
        Verdict::Nonconformant => "NOT conformant",
        Verdict::Incomplete => "incomplete",
        Verdict::NothingTested => "nothing was tested",
    }
}
