//! [`Tally`]: counts of cases, per spec and operation. A long run does not keep a [`CaseResult`]
//! for every passed case (see `Keep`); it counts them here instead, so that the totals, the
//! matrix and the verdict stay exact while memory stays flat. [`RunResult::tally`] folds the kept
//! cases in, for a report that wants every count in one place.
//!
//! [`RunResult::tally`]: super::RunResult::tally

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::run::{CaseResult, CaseStatus};
use crate::check::{RuleId, Severity};

/// Counts of cases, one entry per operation that had any, in (spec, operation) order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub operations: Vec<OperationTally>,
}

/// The counts of one operation's cases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationTally {
    pub spec: String,
    pub operation: String,
    /// Per case kind (`positive`, `negative`, `protocol`, `example`): how the cases ended.
    pub kinds: BTreeMap<String, StatusCounts>,
    /// Per rule that ran: in how many cases it passed, failed, or only warned.
    pub rules: BTreeMap<RuleId, RuleCounts>,
    /// Per HTTP status the target answered: how many cases got it (cases that kept no answer
    /// in their result are not counted here).
    pub answers: BTreeMap<u16, usize>,
}

/// How many cases ended each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errors: usize,
}

/// One rule over the cases where it ran: how many it passed, how many broke it with an error,
/// how many broke it with warnings only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCounts {
    pub passed: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl StatusCounts {
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped + self.errors
    }

    fn add(&mut self, other: &StatusCounts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.errors += other.errors;
    }
}

impl RuleCounts {
    fn add(&mut self, other: &RuleCounts) {
        self.passed += other.passed;
        self.errors += other.errors;
        self.warnings += other.warnings;
    }
}

impl OperationTally {
    /// Every case of the operation, whatever its kind.
    pub fn cases(&self) -> StatusCounts {
        let mut all = StatusCounts::default();
        for counts in self.kinds.values() {
            all.add(counts);
        }
        all
    }

    fn add(&mut self, other: &OperationTally) {
        for (kind, counts) in &other.kinds {
            self.kinds.entry(kind.clone()).or_default().add(counts);
        }
        for (rule, counts) in &other.rules {
            self.rules.entry(rule.clone()).or_default().add(counts);
        }
        for (status, n) in &other.answers {
            *self.answers.entry(*status).or_default() += n;
        }
    }
}

impl Tally {
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// Every case counted, whatever its operation and kind.
    pub fn cases(&self) -> StatusCounts {
        let mut all = StatusCounts::default();
        for operation in &self.operations {
            all.add(&operation.cases());
        }
        all
    }

    /// The entry of one operation, made when it has none yet (kept in order).
    fn operation(&mut self, spec: &str, operation: &str) -> &mut OperationTally {
        let at = self.operations.binary_search_by(|o| (o.spec.as_str(), o.operation.as_str()).cmp(&(spec, operation)));
        let index = match at {
            Ok(index) => index,
            Err(index) => {
                let entry =
                    OperationTally { spec: spec.to_owned(), operation: operation.to_owned(), ..Default::default() };
                self.operations.insert(index, entry);
                index
            }
        };
        &mut self.operations[index]
    }

    /// Counts one case: its status under its kind, each rule that ran, and its answer's status.
    pub fn add(&mut self, case: &CaseResult) {
        let entry = self.operation(&case.spec, &case.operation);
        let counts = entry.kinds.entry(case.kind.label().to_owned()).or_default();
        match case.status {
            CaseStatus::Passed => counts.passed += 1,
            CaseStatus::Failed => counts.failed += 1,
            CaseStatus::Skipped(_) => counts.skipped += 1,
            CaseStatus::Error(_) => counts.errors += 1,
        }
        for rule in &case.rules {
            let cell = entry.rules.entry(rule.clone()).or_default();
            let mut broken = case.failures.iter().filter(|f| f.rule == *rule).peekable();
            if broken.peek().is_none() {
                cell.passed += 1;
            } else if broken.any(|f| f.severity == Severity::Error) {
                cell.errors += 1;
            } else {
                cell.warnings += 1;
            }
        }
        if let Some(response) = &case.response {
            *entry.answers.entry(response.status).or_default() += 1;
        }
    }

    /// Adds another tally's counts to this one.
    pub fn merge(&mut self, other: &Tally) {
        for operation in &other.operations {
            self.operation(&operation.spec, &operation.operation).add(operation);
        }
    }
}
