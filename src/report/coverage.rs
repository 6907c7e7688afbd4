//! Rule coverage with provenance: every rule the run could judge (each registered check, each suite
//! rule and the snapshot comparison that came up), where it comes from, and how often it was judged,
//! passed, warned and failed, across cases and scenarios: the operation × rule
//! [`matrix`](super::matrix)'s columns summed, so the two never disagree. Reports show it so that a
//! reader can tell "the provider's docs say so" from "this harness chose so" (`contract.md` §1).

use std::collections::BTreeMap;

use super::matrix::{self, Cell};
use crate::check::{self, CheckId, RuleId};
use crate::results::{CaseStatus, RunResult};
use crate::spec::Source;

/// What kind of rule it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleKind {
    /// A registered check, judged on every exchange it applies to.
    Check,
    /// A suite's rule, judged by walking a scenario.
    Suite,
    /// Answers against committed snapshots.
    Snapshot,
}

impl RuleKind {
    pub fn label(self) -> &'static str {
        match self {
            RuleKind::Check => "check",
            RuleKind::Suite => "suite rule",
            RuleKind::Snapshot => "snapshot",
        }
    }
}

/// One rule's line in the coverage table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCoverage {
    pub rule: RuleId,
    pub kind: RuleKind,
    /// What the rule asks, when conform knows it (a check's description).
    pub description: Option<&'static str>,
    /// Where it comes from: a check's default source first, then every other source its
    /// scenarios or failures named, each once, in run order.
    pub sources: Vec<Source>,
    /// The exchanges (of cases) and scenarios it judged, summed over the matrix's rows: passed,
    /// failed the run, or only warned, as the matrix and the counts say it.
    pub counts: Cell,
}

impl RuleCoverage {
    fn new(rule: RuleId) -> Self {
        let (kind, description, sources) = match rule.check() {
            Some(id) => (RuleKind::Check, Some(check::check(id).description), vec![(check::check(id).source)()]),
            None if rule.as_str() == crate::snapshot::RULE => (RuleKind::Snapshot, None, Vec::new()),
            None => (RuleKind::Suite, None, Vec::new()),
        };
        RuleCoverage { rule, kind, description, sources, counts: Cell::default() }
    }

    /// How many exchanges and scenarios it judged.
    pub fn judged(&self) -> usize {
        self.counts.total()
    }

    fn add_source(&mut self, source: &Source) {
        if !self.sources.contains(source) {
            self.sources.push(source.clone());
        }
    }
}

/// Every registered check (judged or not), then the other rules that were judged, sorted by id.
/// The counts are the [`matrix`](super::matrix)'s columns summed.
pub fn coverage(result: &RunResult) -> Vec<RuleCoverage> {
    let mut rules: BTreeMap<RuleId, RuleCoverage> =
        CheckId::ALL.iter().map(|id| (RuleId::from(*id), RuleCoverage::new(RuleId::from(*id)))).collect();
    for row in matrix::rows(result).values() {
        for (rule, cell) in &row.cells {
            let entry = rules.entry(rule.clone()).or_insert_with(|| RuleCoverage::new(rule.clone()));
            entry.counts = entry.counts.plus(*cell);
        }
    }
    let ran = |status: &CaseStatus| matches!(status, CaseStatus::Passed | CaseStatus::Failed);
    let mut add_source = |rule: &RuleId, source: &Source| {
        if let Some(entry) = rules.get_mut(rule) {
            entry.add_source(source);
        }
    };
    for case in result.cases.iter().filter(|c| ran(&c.status)) {
        for failure in case.failures.iter().filter(|f| case.rules.contains(&f.rule)) {
            add_source(&failure.rule, &failure.source);
        }
    }
    for scenario in result.scenarios.iter().filter(|s| ran(&s.status)) {
        add_source(&scenario.rule, &scenario.source);
        for failure in &scenario.failures {
            add_source(&failure.rule, &failure.source);
        }
    }
    let mut out: Vec<RuleCoverage> = rules.into_values().collect();
    out.sort_by_key(|r| (r.rule.check().map_or(usize::MAX, |c| c as usize), r.kind, r.rule.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn every_check_is_listed_and_counted_with_its_sources() {
        let coverage = coverage(&testing::small_result());
        assert_eq!(coverage[0].rule, CheckId::NotAServerError);
        assert_eq!(coverage.len(), CheckId::ALL.len(), "only checks came up");
        let status = coverage.iter().find(|r| r.rule == CheckId::StatusCodeConformance).unwrap();
        assert_eq!((status.judged(), status.counts), (2, Cell { passed: 2, failed: 0, warned: 0 }));
        let negative = coverage.iter().find(|r| r.rule == CheckId::NegativeDataRejection).unwrap();
        assert_eq!((negative.judged(), negative.counts), (1, Cell { passed: 0, failed: 0, warned: 1 }));
        assert_eq!(negative.sources.len(), 2, "the check's default source, then the failure's: {:?}", negative.sources);
        assert_eq!(negative.sources[1].cite, "contract.md §3");
        let auth = coverage.iter().find(|r| r.rule == CheckId::AuthEnforced).unwrap();
        assert_eq!(auth.judged(), 0, "listed though not judged");
    }

    #[test]
    fn strict_counts_a_warning_as_failed() {
        let mut strict = testing::small_result();
        strict.strict = true;
        let coverage = coverage(&strict);
        let negative = coverage.iter().find(|r| r.rule == CheckId::NegativeDataRejection).unwrap();
        assert_eq!(negative.counts, Cell { passed: 0, failed: 1, warned: 0 });
    }

    #[test]
    fn scenario_rules_count_scenarios_that_ran() {
        let coverage = coverage(&testing::rich_result());
        let single_use = coverage.iter().find(|r| r.rule.as_str() == "single-use").unwrap();
        assert_eq!(single_use.kind, RuleKind::Suite);
        assert_eq!((single_use.judged(), single_use.counts.failed), (1, 1));
        assert_eq!(single_use.sources[0].cite, "hypersender docs: validate-code");
        let snapshot = coverage.iter().find(|r| r.kind == RuleKind::Snapshot).unwrap();
        assert_eq!(snapshot.counts.failed, 1);
    }
}
