//! The run's rule catalogue: every rule that ran (a check, a suite rule, the snapshot
//! comparison), with each source it was cited with and the severity that source gives. A check
//! that passed is cited with its generic source; a failure adds the more specific source the
//! spec gave it; a scenario cites its suite rule's source.

use serde::{Deserialize, Serialize};

use super::run::CaseResult;
use super::scenario::ScenarioResult;
use crate::check::{self, Failure, RuleId, Severity};
use crate::spec::{Level, Source};

/// One rule of the catalogue with one of its sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub rule: RuleId,
    pub source: Source,
    /// What a failure with this source is: `error` fails the run, `warning` only under `--strict`.
    pub severity: Severity,
}

impl RuleInfo {
    fn of(failure: &Failure) -> RuleInfo {
        RuleInfo { rule: failure.rule.clone(), source: failure.source.clone(), severity: failure.severity }
    }

    /// The source a rule is cited with when nothing more specific is known: a check's generic
    /// one; for the snapshot comparison, the committed snapshots (an error, whatever their level).
    fn generic(rule: &RuleId) -> Option<RuleInfo> {
        if let Some(id) = rule.check() {
            let source = (check::check(id).source)();
            return Some(RuleInfo { rule: rule.clone(), severity: Severity::of(source.level), source });
        }
        (rule.as_str() == crate::snapshot::RULE).then(|| RuleInfo {
            rule: rule.clone(),
            source: Source::new(Level::Profile, "the committed snapshots"),
            severity: Severity::Error,
        })
    }

    fn key(&self) -> (&RuleId, Level, &str, Severity) {
        (&self.rule, self.source.level, &self.source.cite, self.severity)
    }
}

/// The catalogue of the rules that ran in these cases (kept, or passed and only counted in
/// `counted`) and scenarios, sorted by rule, then source.
pub fn catalogue(cases: &[CaseResult], counted: &super::tally::Tally, scenarios: &[ScenarioResult]) -> Vec<RuleInfo> {
    let mut out = Vec::new();
    out.extend(counted.operations.iter().flat_map(|o| o.rules.keys()).filter_map(RuleInfo::generic));
    for case in cases {
        out.extend(case.rules.iter().filter_map(RuleInfo::generic));
        out.extend(case.failures.iter().map(RuleInfo::of));
    }
    for scenario in scenarios {
        let source = scenario.source.clone();
        out.push(RuleInfo { rule: scenario.rule.clone(), severity: Severity::of(source.level), source });
        out.extend(scenario.failures.iter().map(RuleInfo::of));
    }
    sorted(out)
}

/// Sorted by rule, then source, each entry once (also how `report merge` joins catalogues).
pub fn sorted(mut rules: Vec<RuleInfo>) -> Vec<RuleInfo> {
    rules.sort_by(|a, b| a.key().cmp(&b.key()));
    rules.dedup();
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckId;

    #[test]
    fn a_check_is_cited_with_its_generic_source_and_each_specific_one() {
        let failure = Failure::new(CheckId::ResponseSchemaConformance, Source::new(Level::Field, "issue 12"), "m");
        let rules = [RuleId::from(CheckId::ResponseSchemaConformance), RuleId::new("snapshot")];
        let generic = RuleInfo::generic(&rules[0]).unwrap();
        let snapshot = RuleInfo::generic(&rules[1]).unwrap();
        assert_eq!(snapshot.severity, Severity::Error, "a changed snapshot fails the run");
        assert_eq!(RuleInfo::generic(&RuleId::new("single-use")), None, "a suite rule's source is its scenario's");
        let mut all = vec![RuleInfo::of(&failure), generic.clone(), snapshot.clone(), RuleInfo::of(&failure)];
        all = sorted(all);
        assert_eq!(all.len(), 3, "each (rule, source) once: {all:?}");
        assert_eq!(all[0].rule, CheckId::ResponseSchemaConformance);
        assert_eq!(all.iter().filter(|r| r.source.level == Level::Field).count(), 1);
        assert_eq!(all[2], snapshot);
    }
}
