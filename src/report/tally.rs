//! The numbers every report states, computed once from a [`RunResult`]: how many cases and
//! scenarios passed, failed, warned, were skipped or could not run; the verdict in words; and the
//! skips grouped by reason. "Failed" counts what fails the run (under `--strict` warnings too);
//! "warned" what broke only a warning-level rule.

use std::collections::BTreeMap;

use crate::run::{CaseStatus, ReasonKind, RunResult, Verdict};

/// How many of a kind of item ended each way.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub warned: usize,
    pub skipped: usize,
    pub errors: usize,
}

impl Counts {
    fn add(&mut self, status: &CaseStatus, fails_run: bool, has_failures: bool) {
        self.total += 1;
        match status {
            CaseStatus::Passed => self.passed += 1,
            CaseStatus::Skipped(_) => self.skipped += 1,
            CaseStatus::Error(_) => self.errors += 1,
            CaseStatus::Failed => {}
        }
        if fails_run {
            self.failed += 1;
        } else if has_failures {
            self.warned += 1;
        }
    }
}

/// The cases' counts.
pub fn cases(result: &RunResult) -> Counts {
    let mut counts = Counts::default();
    for case in &result.cases {
        counts.add(&case.status, case.fails_run(result.strict), !case.failures.is_empty());
    }
    counts
}

/// The scenarios' counts.
pub fn scenarios(result: &RunResult) -> Counts {
    let mut counts = Counts::default();
    for scenario in &result.scenarios {
        counts.add(&scenario.status, scenario.fails_run(result.strict), !scenario.failures.is_empty());
    }
    counts
}

/// The verdict as the summary line says it.
pub fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Conformant => "conformant",
        Verdict::Nonconformant => "NOT conformant",
        Verdict::Incomplete => "incomplete",
        Verdict::NothingTested => "nothing was tested",
    }
}

/// One reason cases and scenarios were skipped, and how many were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipGroup<'a> {
    pub kind: ReasonKind,
    pub message: &'a str,
    /// The ids of the skipped cases and scenarios, in run order.
    pub ids: Vec<&'a str>,
}

/// The skipped cases and scenarios grouped by reason, ordered by kind then message.
pub fn skips(result: &RunResult) -> Vec<SkipGroup<'_>> {
    let mut groups: BTreeMap<(ReasonKind, &str), Vec<&str>> = BTreeMap::new();
    let cases = result.cases.iter().map(|c| (c.id.as_str(), &c.status));
    let scenarios = result.scenarios.iter().map(|s| (s.id.as_str(), &s.status));
    for (id, status) in cases.chain(scenarios) {
        if let CaseStatus::Skipped(reason) = status {
            groups.entry((reason.kind, reason.message.as_str())).or_default().push(id);
        }
    }
    groups.into_iter().map(|((kind, message), ids)| SkipGroup { kind, message, ids }).collect()
}

/// Every snapshot comparison of the run (cases, then scenario steps), leaving out those not compared.
pub fn snapshot_outcomes(result: &RunResult) -> Vec<&crate::snapshot::Outcome> {
    result
        .cases
        .iter()
        .filter_map(|c| c.snapshot.as_ref())
        .chain(result.scenarios.iter().flat_map(|s| &s.snapshots))
        .filter(|o| o.verdict != crate::snapshot::Verdict::NotCompared)
        .collect()
}

/// How the snapshot comparisons ended.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotCounts {
    pub matched: usize,
    pub recorded: usize,
    pub changed: usize,
    pub missing: usize,
}

/// The snapshot counts, when any snapshot was compared.
pub fn snapshots(result: &RunResult) -> Option<SnapshotCounts> {
    use crate::snapshot::Verdict;
    let outcomes = snapshot_outcomes(result);
    let count = |want: Verdict| outcomes.iter().filter(|o| o.verdict == want).count();
    (!outcomes.is_empty()).then(|| SnapshotCounts {
        matched: count(Verdict::Matched),
        recorded: count(Verdict::Recorded),
        changed: count(Verdict::Changed),
        missing: count(Verdict::Missing),
    })
}
