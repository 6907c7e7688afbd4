//! The operation × rule matrix every report shows: one row per operation, one column per rule, and
//! in each cell how many exchanges passed, warned or failed that rule. Computed once here from the
//! [`RunResult`]; each format only lays it out.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::{CheckId, RuleId, Severity};
use crate::run::RunResult;

/// The column head of a rule: short ones for the checks, the id itself for any other rule.
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

/// What one operation did under one rule, counting exchanges.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub passed: usize,
    /// Exchanges with a failure of severity error.
    pub errors: usize,
    /// Exchanges whose failures of this rule are all warnings.
    pub warnings: usize,
}

impl Cell {
    /// Whether the rule had anything to say about this operation.
    pub fn is_empty(self) -> bool {
        self.passed + self.errors + self.warnings == 0
    }
}

/// One operation's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub spec: String,
    pub operation: String,
    pub cells: BTreeMap<RuleId, Cell>,
}

impl Row {
    pub fn cell(&self, rule: &RuleId) -> Cell {
        self.cells.get(rule).copied().unwrap_or_default()
    }
}

/// The whole matrix: every check in registry order, then the other rules that ran, sorted; rows
/// sorted by spec and operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub columns: Vec<RuleId>,
    pub rows: Vec<Row>,
}

pub fn matrix(result: &RunResult) -> Matrix {
    let mut rows: BTreeMap<(String, String), BTreeMap<RuleId, Cell>> = BTreeMap::new();
    for case in &result.cases {
        let row = rows.entry((case.spec.clone(), case.operation.clone())).or_default();
        for rule in &case.rules {
            let cell = row.entry(rule.clone()).or_default();
            let failures: Vec<_> = case.failures.iter().filter(|f| f.rule == *rule).collect();
            if failures.is_empty() {
                cell.passed += 1;
            } else if failures.iter().any(|f| f.severity == Severity::Error) {
                cell.errors += 1;
            } else {
                cell.warnings += 1;
            }
        }
    }
    let mut columns: Vec<RuleId> = CheckId::ALL.iter().map(|c| RuleId::from(*c)).collect();
    let others: BTreeSet<RuleId> =
        result.cases.iter().flat_map(|c| c.rules.iter()).filter(|r| r.check().is_none()).cloned().collect();
    columns.extend(others);
    let rows = rows.into_iter().map(|((spec, operation), cells)| Row { spec, operation, cells }).collect();
    Matrix { columns, rows }
}
