//! Rule coverage with provenance: every rule the run could judge (each registered check, each suite
//! rule and the snapshot comparison that came up), where it comes from, and how often it was judged,
//! passed, warned and failed, across cases and scenarios. Reports show it so that a reader can tell
//! "the provider's docs say so" from "this harness chose so" (`contract.md` §1).

use std::collections::BTreeMap;

use crate::check::{self, CheckId, Failure, RuleId, Severity};
use crate::run::{CaseStatus, RunResult};
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
    /// scenarios or failures named, each once.
    pub sources: Vec<Source>,
    /// Exchanges (cases) and scenarios it judged.
    pub judged: usize,
    pub passed: usize,
    /// Judged items whose failures of this rule were all warnings.
    pub warned: usize,
    /// Judged items with a failure of this rule of severity error.
    pub failed: usize,
}

impl RuleCoverage {
    fn new(rule: RuleId) -> Self {
        let (kind, description, sources) = match rule.check() {
            Some(id) => (RuleKind::Check, Some(check::check(id).description), vec![(check::check(id).source)()]),
            None if rule.as_str() == crate::snapshot::RULE => (RuleKind::Snapshot, None, Vec::new()),
            None => (RuleKind::Suite, None, Vec::new()),
        };
        RuleCoverage { rule, kind, description, sources, judged: 0, passed: 0, warned: 0, failed: 0 }
    }

    fn add_source(&mut self, source: &Source) {
        if !self.sources.contains(source) {
            self.sources.push(source.clone());
        }
    }

    /// One judged item and its failures of this rule.
    fn judge<'a>(&mut self, failures: impl Iterator<Item = &'a Failure>) {
        self.judged += 1;
        let mut worst = None;
        for failure in failures {
            self.add_source(&failure.source);
            worst = worst.max(Some(failure.severity));
        }
        match worst {
            None => self.passed += 1,
            Some(Severity::Warning) => self.warned += 1,
            Some(Severity::Error) => self.failed += 1,
        }
    }
}

/// Every registered check (judged or not), then the other rules that came up, sorted by id.
pub fn coverage(result: &RunResult) -> Vec<RuleCoverage> {
    let mut rules: BTreeMap<RuleId, RuleCoverage> = BTreeMap::new();
    fn entry<'a>(rules: &'a mut BTreeMap<RuleId, RuleCoverage>, rule: &RuleId) -> &'a mut RuleCoverage {
        rules.entry(rule.clone()).or_insert_with(|| RuleCoverage::new(rule.clone()))
    }
    for id in CheckId::ALL {
        entry(&mut rules, &RuleId::from(*id));
    }
    for case in &result.cases {
        for rule in &case.rules {
            entry(&mut rules, rule).judge(case.failures.iter().filter(|f| f.rule == *rule));
        }
    }
    for scenario in &result.scenarios {
        if !matches!(scenario.status, CaseStatus::Passed | CaseStatus::Failed) {
            continue;
        }
        let own = entry(&mut rules, &scenario.rule);
        own.add_source(&scenario.source);
        own.judge(scenario.failures.iter().filter(|f| f.rule == scenario.rule));
        let mut others: Vec<&RuleId> =
            scenario.failures.iter().map(|f| &f.rule).filter(|r| **r != scenario.rule).collect();
        others.dedup();
        for rule in others {
            entry(&mut rules, rule).judge(scenario.failures.iter().filter(|f| f.rule == *rule));
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
        let coverage = coverage(&testing::result());
        assert_eq!(coverage[0].rule, CheckId::NotAServerError);
        assert_eq!(coverage.len(), CheckId::ALL.len(), "only checks came up");
        let status = coverage.iter().find(|r| r.rule == CheckId::StatusCodeConformance).unwrap();
        assert_eq!((status.judged, status.passed, status.warned, status.failed), (2, 2, 0, 0));
        let negative = coverage.iter().find(|r| r.rule == CheckId::NegativeDataRejection).unwrap();
        assert_eq!((negative.judged, negative.passed, negative.warned, negative.failed), (1, 0, 1, 0));
        assert_eq!(negative.sources.len(), 2, "the check's default source, then the failure's: {:?}", negative.sources);
        assert_eq!(negative.sources[1].cite, "contract.md §3");
        let auth = coverage.iter().find(|r| r.rule == CheckId::AuthEnforced).unwrap();
        assert_eq!(auth.judged, 0, "listed though not judged");
    }

    #[test]
    fn scenario_rules_count_scenarios_that_ran() {
        let coverage = coverage(&testing::rich_result());
        let single_use = coverage.iter().find(|r| r.rule.as_str() == "single-use").unwrap();
        assert_eq!(single_use.kind, RuleKind::Suite);
        assert_eq!((single_use.judged, single_use.failed), (1, 1));
        assert_eq!(single_use.sources[0].cite, "hypersender docs: validate-code");
        let snapshot = coverage.iter().find(|r| r.kind == RuleKind::Snapshot).unwrap();
        assert_eq!(snapshot.failed, 1);
    }
}
