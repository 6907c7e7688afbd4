//! `conform report merge`: the shards of one run (`--shard I/N`, each read from its JSON report)
//! as the one result the whole run would have given, which every format then renders.
//!
//! The shards must belong together: the same seed, `--strict`, `--dry-run`, `--max-sends` and
//! targets (specs in order, sandbox, and the URL unless the target is a reference server that each
//! machine started itself on its own port), the same count `N`, every index `1..=N` exactly once,
//! and no case or scenario in two shards. Then:
//! - cases and scenarios are put back in the whole run's order by their `plan_index` (the place
//!   each had in the whole plan before the shard was cut);
//! - the send guard's calls are joined in shard order, its held-back cases in plan order (the
//!   budget, `--max-sends`, applied to each shard on its own);
//! - missing variables, the rule catalogue and the specs' warnings are joined, each entry once;
//! - the request counts are added up, and every shard's early stops are kept;
//! - a finding met while shrinking a case follows that case (it shares its `plan_index`);
//! - `started_at` is the earliest shard's, and `duration` the longest shard's wall time: shards run
//!   side by side on a CI matrix, so the run took as long as its slowest machine;
//! - the targets are the first shard's, and `shard` is `None`: the result is whole again.
//!
//! What a merge cannot make equal to the whole run: the send guard's budget and the choice of the
//! case to shrink per operation and check are each shard's own, so a merged result can hold more
//! shrunk cases (and, on a target without a sandbox, more sends) than one whole run would.

use std::collections::{BTreeMap, BTreeSet};

use super::ReportError;
use crate::results::{MissingVariable, RunResult, TargetInfo};

/// The shards' results, each with the file it was read from (for messages), as one result.
pub fn merge(mut shards: Vec<(String, RunResult)>) -> Result<RunResult, ReportError> {
    let fail = |path: &str, message: String| ReportError::Read { path: path.to_owned(), message };
    if shards.is_empty() {
        return Err(ReportError::Merge("no shard to merge".to_owned()));
    }
    for (path, run) in &shards {
        if run.shard.is_none() {
            return Err(fail(path, "not a shard: this run was not made with --shard I/N".to_owned()));
        }
    }
    shards.sort_by_key(|(_, run)| run.shard.map(|s| s.index));
    let (first_path, first) = (&shards[0].0, &shards[0].1);
    let count = first.shard.map_or(0, |s| s.count);
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for (path, run) in &shards {
        let shard = run.shard.expect("checked above");
        crate::plan::Shard::new(shard.index, shard.count).map_err(|e| fail(path, format!("shard {e}")))?;
        if shard.count != count {
            return Err(fail(path, format!("shard {shard} of {}, but {first_path} is of {count}", shard.count)));
        }
        if let Some(other) = seen.insert(shard.index, path) {
            return Err(fail(path, format!("shard {shard} again: {other} is shard {shard} too")));
        }
        let differs = |what: &str, mine: String, theirs: String| {
            fail(path, format!("{what} {mine}, but {first_path} has {theirs}: not shards of one run"))
        };
        if run.seed != first.seed {
            return Err(differs("seed", run.seed.to_string(), first.seed.to_string()));
        }
        if run.strict != first.strict {
            return Err(differs("strict", run.strict.to_string(), first.strict.to_string()));
        }
        if run.dry_run != first.dry_run {
            return Err(differs("dry_run", run.dry_run.to_string(), first.dry_run.to_string()));
        }
        if run.send_guard.max_sends != first.send_guard.max_sends {
            let (mine, theirs) = (run.send_guard.max_sends, first.send_guard.max_sends);
            return Err(differs("max_sends", mine.to_string(), theirs.to_string()));
        }
        if targets(&run.targets) != targets(&first.targets) {
            return Err(differs("targets", targets(&run.targets).join(", "), targets(&first.targets).join(", ")));
        }
    }
    let absent: Vec<String> = (1..=count).filter(|i| !seen.contains_key(i)).map(|i| format!("{i}/{count}")).collect();
    if !absent.is_empty() {
        return Err(ReportError::Merge(format!(
            "shard {} missing: every shard 1/{count} to {count}/{count} is needed once",
            absent.join(", ")
        )));
    }
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    for (path, run) in &shards {
        let ids = run.cases.iter().map(|c| c.id.to_string()).chain(run.scenarios.iter().map(|s| s.id.clone()));
        for id in ids {
            if let Some(other) = owner.insert(id.clone(), path) {
                return Err(fail(path, format!("`{id}` is in {other} too: a case belongs to one shard")));
            }
        }
    }
    let mut merged = shards[0].1.clone();
    merged.shard = None;
    merged.started_at = shards.iter().map(|(_, r)| r.started_at.clone()).min().unwrap_or_default();
    merged.duration = shards.iter().map(|(_, r)| r.duration).max().unwrap_or_default();
    merged.cases = shards.iter().flat_map(|(_, r)| r.cases.iter().cloned()).collect();
    merged.cases.sort_by_key(|c| c.plan_index);
    merged.scenarios = shards.iter().flat_map(|(_, r)| r.scenarios.iter().cloned()).collect();
    merged.scenarios.sort_by_key(|s| s.plan_index);
    for (_, shard) in &shards[1..] {
        merged.omitted.merge(&shard.omitted);
        merged.requests.add(&shard.requests);
        merged.stopped.extend(shard.stopped.iter().cloned());
    }
    let place: BTreeMap<String, usize> = merged.cases.iter().map(|c| (c.id.to_string(), c.plan_index)).collect();
    let in_plan_order = |pick: fn(&RunResult) -> &Vec<String>| {
        let mut ids: Vec<String> = shards.iter().flat_map(|(_, r)| pick(r).iter().cloned()).collect();
        ids.sort_by_key(|id| place.get(id).copied().unwrap_or(usize::MAX));
        ids
    };
    merged.send_guard.sends = shards.iter().flat_map(|(_, r)| r.send_guard.sends.iter().cloned()).collect();
    merged.send_guard.budget_skipped = in_plan_order(|r| &r.send_guard.budget_skipped);
    merged.send_guard.recipient_mutations = in_plan_order(|r| &r.send_guard.recipient_mutations);
    let mut missing: Vec<MissingVariable> = Vec::new();
    for variable in shards.iter().flat_map(|(_, r)| &r.missing) {
        if !missing.iter().any(|m| m.spec == variable.spec && m.name == variable.name) {
            missing.push(variable.clone());
        }
    }
    merged.missing = missing;
    let mut spec_warnings = Vec::new();
    for warning in shards.iter().flat_map(|(_, r)| &r.spec_warnings) {
        if !spec_warnings.contains(warning) {
            spec_warnings.push(warning.clone());
        }
    }
    merged.spec_warnings = spec_warnings;
    merged.rules = crate::results::sorted_rules(shards.iter().flat_map(|(_, r)| r.rules.iter().cloned()).collect());
    // A finding met while shrinking shares its case's place.
    let planned = merged.cases.iter().filter(|c| c.found_while_shrinking.is_none());
    let places: BTreeSet<usize> = planned.clone().map(|c| c.plan_index).collect();
    if places.len() != planned.count() {
        return Err(ReportError::Merge("two cases have the same plan_index: not shards of one plan".to_owned()));
    }
    Ok(merged)
}

/// What must agree between shards about the targets: the specs in order, whether each had a
/// sandbox, what it was, and its URL unless it was a reference server each shard started itself.
fn targets(targets: &[TargetInfo]) -> Vec<String> {
    targets
        .iter()
        .map(|t| match &t.reference {
            Some(variants) => format!("{} (embedded reference server [{}])", t.spec, variants.join(", ")),
            None => format!("{} at {} (sandbox: {})", t.spec, t.base_url, t.sandbox),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Shard `index` of `count` holding these (case id, plan index) and taking `ms` milliseconds.
    fn shard(index: u32, count: u32, cases: &[(&str, usize)], ms: u64) -> (String, RunResult) {
        let cases: Vec<_> = cases
            .iter()
            .map(|(id, place)| {
                json!({"id": id, "spec": "s", "operation": "o", "kind": {"kind": "positive"}, "seed": 1,
                       "status": {"status": "passed"}, "rules": [], "failures": [], "request": null, "curl": null,
                       "response": null, "shrink_steps": 0, "plan_index": place, "duration": 1})
            })
            .collect();
        let run = json!({
            "seed": 7, "started_at": format!("2026-12-01T00:00:0{index}.000Z"),
            "shard": {"index": index, "count": count}, "strict": false, "dry_run": false,
            "targets": [{"spec": "s", "base_url": "http://h", "sandbox": true, "sandbox_evidence": "", "reference": null}],
            "cases": cases, "scenarios": [],
            "send_guard": {"max_sends": 10, "sends": [], "budget_skipped": cases.iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), "recipient_mutations": []},
            "missing": [{"spec": "s", "name": "token", "env": "CONFORM_VAR_S_TOKEN"}],
            "rules": [], "duration": ms,
            "spec_warnings": [{"spec": "s", "file": "s.yaml", "line": 3, "column": 7, "pointer": "#/x",
                               "message": "example does not match its schema"}]
        });
        (format!("shard-{index}.json"), serde_json::from_value(run).unwrap())
    }

    #[test]
    fn shards_come_back_in_plan_order() {
        let merged =
            merge(vec![shard(2, 2, &[("b", 1), ("d", 3)], 900), shard(1, 2, &[("a", 0), ("c", 2)], 400)]).unwrap();
        let ids: Vec<String> = merged.cases.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(merged.send_guard.budget_skipped, ["a", "b", "c", "d"]);
        assert_eq!(merged.missing.len(), 1, "each missing variable once");
        assert_eq!(merged.spec_warnings.len(), 1, "each spec warning once");
        assert_eq!(merged.spec_warnings[0].location(), "s.yaml:3:7 (#/x)");
        assert_eq!(merged.duration, std::time::Duration::from_millis(900), "the slowest shard");
        assert_eq!(merged.started_at, "2026-12-01T00:00:01.000Z", "the earliest start");
        assert_eq!(merged.shard, None);
    }

    #[test]
    fn requests_add_up_and_findings_share_their_case_s_place() {
        let (first, mut one) = shard(1, 2, &[("a", 0), ("c", 2)], 1);
        let (second, mut two) = shard(2, 2, &[("b", 1)], 1);
        one.requests.positive = 3;
        two.requests = crate::results::RequestCounts { negative: 4, shrinking: 10, ..Default::default() };
        two.stopped.push(crate::results::EarlyStop::MaxFailures { limit: 1, not_started: 0 });
        let mut found = two.cases[0].clone();
        found.id = crate::case::CaseId::new(&["b", "found-while-shrinking", "1"]);
        found.found_while_shrinking = Some(two.cases[0].id.clone());
        two.cases.push(found);
        let merged = merge(vec![(second, two), (first, one)]).unwrap();
        assert_eq!(merged.requests.total(), 17);
        assert_eq!(merged.stopped.len(), 1, "a shard's early stop is kept");
        let ids: Vec<String> = merged.cases.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids, ["a", "b", "b::found-while-shrinking::1", "c"], "the finding follows its case");
    }

    #[test]
    fn shards_of_different_runs_are_refused_naming_the_file() {
        let error = |shards| merge(shards).unwrap_err().to_string();
        let message = error(vec![shard(1, 2, &[("a", 0)], 1), shard(2, 3, &[("b", 1)], 1)]);
        assert!(message.starts_with("shard-2.json: shard 2/3 of 3, but shard-1.json is of 2"), "{message}");
        let message = error(vec![shard(1, 2, &[("a", 0)], 1), shard(2, 2, &[("a", 0)], 1)]);
        assert!(message.contains("shard-2.json: `a` is in shard-1.json too"), "{message}");
        let (path, mut other) = shard(2, 2, &[("b", 1)], 1);
        other.targets[0].base_url = "http://elsewhere".to_owned();
        let message = error(vec![shard(1, 2, &[("a", 0)], 1), (path, other)]);
        assert!(message.contains("shard-2.json: targets s at http://elsewhere"), "{message}");
        assert!(error(Vec::new()).contains("no shard"));
        let message = error(vec![shard(1, 2, &[("a", 0)], 1), shard(3, 2, &[("b", 1)], 1)]);
        assert!(message.contains("shard-3.json: shard 3/2: the shard index is 1-based"), "{message}");
    }
}
