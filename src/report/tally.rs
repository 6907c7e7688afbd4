//! The numbers every report states, computed once from a [`RunResult`]: how each case and scenario
//! ended ([`Outcome`]) and how many ended each way ([`Counts`]); the verdict in words; the skips
//! grouped by reason; the snapshot comparisons and their counts. "Failed" is what fails the run
//! (under `--strict` warnings too, [`Severity::fails_run`](crate::check::Severity::fails_run));
//! "warned" what broke only rules that are warnings in this run. The operation × rule matrix,
//! which counts the same way, is [`matrix`](super::matrix).
//!
//! Reports only present these numbers; they never count on their own, so the console, the
//! Markdown summary, the JUnit and HTML reports and the comparison always agree.

use std::collections::BTreeMap;

use crate::check::Failure;
use crate::results::{CaseResult, CaseStatus, ReasonKind, RunResult, ScenarioResult, Verdict};
use crate::snapshot::Comparison;

/// How one case or scenario ended, as every report names it: exactly one of these each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Passed,
    /// Broke a rule that fails the run.
    Failed,
    /// Broke only rules that are warnings in this run.
    Warned,
    Skipped,
    /// conform could not run it.
    Error,
}

impl Outcome {
    pub fn of(status: &CaseStatus, failures: &[Failure], strict: bool) -> Outcome {
        match status {
            CaseStatus::Passed => Outcome::Passed,
            CaseStatus::Skipped(_) => Outcome::Skipped,
            CaseStatus::Error(_) => Outcome::Error,
            CaseStatus::Failed if failures.iter().any(|f| f.severity.fails_run(strict)) => Outcome::Failed,
            CaseStatus::Failed => Outcome::Warned,
        }
    }

    pub fn case(case: &CaseResult, strict: bool) -> Outcome {
        Outcome::of(&case.status, &case.failures, strict)
    }

    pub fn scenario(scenario: &ScenarioResult, strict: bool) -> Outcome {
        Outcome::of(&scenario.status, &scenario.failures, strict)
    }

    /// `passed`, `failed`, `warned`, `skipped` or `error`.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Warned => "warned",
            Outcome::Skipped => "skipped",
            Outcome::Error => "error",
        }
    }
}

/// How many cases (or scenarios) ended which way; the five outcomes add up to `total`.
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
    fn add(&mut self, outcome: Outcome) {
        self.total += 1;
        *match outcome {
            Outcome::Passed => &mut self.passed,
            Outcome::Failed => &mut self.failed,
            Outcome::Warned => &mut self.warned,
            Outcome::Skipped => &mut self.skipped,
            Outcome::Error => &mut self.errors,
        } += 1;
    }

    /// The run's generated cases: the kept ones, and the passed ones a long run only counted
    /// (and the skipped ones a dry run only counted).
    pub fn cases(result: &RunResult) -> Counts {
        let mut counts = Counts::default();
        for case in &result.cases {
            counts.add(Outcome::case(case, result.strict));
        }
        let counted = result.omitted.cases();
        counts.total += counted.passed + counted.skipped;
        counts.passed += counted.passed;
        counts.skipped += counted.skipped;
        counts
    }

    /// The run's suite scenarios.
    pub fn scenarios(result: &RunResult) -> Counts {
        let mut counts = Counts::default();
        for scenario in &result.scenarios {
            counts.add(Outcome::scenario(scenario, result.strict));
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

/// One reason cases and scenarios were skipped, and which were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipGroup<'a> {
    pub kind: ReasonKind,
    pub message: &'a str,
    /// The ids of the skipped cases and scenarios, in run order (cases first).
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

/// How many were skipped for each reason's message, ordered by message (whatever the kind).
pub fn skips_by_message(result: &RunResult) -> BTreeMap<&str, usize> {
    let mut messages: BTreeMap<&str, usize> = BTreeMap::new();
    for group in skips(result) {
        *messages.entry(group.message).or_default() += group.ids.len();
    }
    messages
}

/// How many were skipped for each kind of reason, with one of its messages (the first in message
/// order) as an example, ordered by kind.
pub fn skips_by_kind(result: &RunResult) -> BTreeMap<ReasonKind, (usize, &str)> {
    let mut kinds: BTreeMap<ReasonKind, (usize, &str)> = BTreeMap::new();
    for group in skips(result) {
        kinds.entry(group.kind).or_insert((0, group.message)).0 += group.ids.len();
    }
    kinds
}

/// Every snapshot comparison of the run (cases, then scenario steps), leaving out those not compared.
pub fn snapshot_outcomes(result: &RunResult) -> Vec<&Comparison> {
    result
        .cases
        .iter()
        .filter_map(|c| c.snapshot.as_ref())
        .chain(result.scenarios.iter().flat_map(|s| &s.snapshots))
        .filter(|o| o.verdict != crate::snapshot::Match::NotCompared)
        .collect()
}

/// How the snapshot comparisons ended.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SnapshotCounts {
    pub matched: usize,
    pub recorded: usize,
    pub changed: usize,
    pub missing: usize,
}

/// The snapshot counts, when any snapshot was compared.
pub fn snapshots(result: &RunResult) -> Option<SnapshotCounts> {
    use crate::snapshot::Match;
    let outcomes = snapshot_outcomes(result);
    let count = |want: Match| outcomes.iter().filter(|o| o.verdict == want).count();
    (!outcomes.is_empty()).then(|| SnapshotCounts {
        matched: count(Match::Matched),
        recorded: count(Match::Recorded),
        changed: count(Match::Changed),
        missing: count(Match::Missing),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn every_item_has_one_outcome_and_the_counts_add_up() {
        let result = testing::rich_result();
        let cases = Counts::cases(&result);
        assert_eq!(cases, Counts { total: 6, passed: 1, failed: 2, warned: 1, skipped: 1, errors: 1 });
        let scenarios = Counts::scenarios(&result);
        assert_eq!(scenarios, Counts { total: 2, passed: 1, failed: 1, warned: 0, skipped: 0, errors: 0 });
        let mut strict = result.clone();
        strict.strict = true;
        assert_eq!((Counts::cases(&strict).failed, Counts::cases(&strict).warned), (3, 0), "warnings fail");
    }

    /// A case whose snapshot could not be written after it failed is an error, and only that: the
    /// five outcomes always add up to the total.
    #[test]
    fn an_error_with_failures_is_counted_once() {
        let mut result = testing::rich_result();
        let example = result.cases.iter_mut().find(|c| c.snapshot.is_some()).unwrap();
        example.status = CaseStatus::Error(crate::results::Reason::new(ReasonKind::Harness, "disk full"));
        let c = Counts::cases(&result);
        assert_eq!(c.passed + c.failed + c.warned + c.skipped + c.errors, c.total);
        assert_eq!((c.failed, c.errors), (1, 2));
    }

    #[test]
    fn skips_group_by_reason_and_snapshots_count_by_verdict() {
        let result = testing::rich_result();
        let groups = skips(&result);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].ids, ["wawp::request-code::positive::0"]);
        assert_eq!(skips_by_kind(&result)[&ReasonKind::MissingVariable], (1, "no value for wawp.access_token"));
        assert_eq!(skips_by_message(&result)["no value for wawp.access_token"], 1);
        let counts = snapshots(&result).unwrap();
        assert_eq!((counts.matched, counts.changed), (0, 1));
        assert_eq!(snapshots(&testing::small_result()), None, "no snapshot compared");
    }
}
