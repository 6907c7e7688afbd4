//! Hints computed from a run's result for the console: things the user probably got wrong, said
//! plainly. For now one: when most answers from a target are 404, its base path is likely wrong.

use crate::results::RunResult;

/// A target whose answers are 404 more often than this (and at least [`MIN_NOT_FOUND`] times)
/// gets the hint.
const NOT_FOUND_SHARE: f64 = 0.8;
const MIN_NOT_FOUND: usize = 5;

/// One line per spec whose answers were mostly 404.
pub fn base_path(result: &RunResult) -> Vec<String> {
    let mut out = Vec::new();
    let tally = result.tally();
    for target in &result.targets {
        let (mut answers, mut not_found) = (0, 0);
        for operation in tally.operations.iter().filter(|o| o.spec == target.spec) {
            answers += operation.answers.values().sum::<usize>();
            not_found += operation.answers.get(&404).copied().unwrap_or_default();
        }
        if not_found >= MIN_NOT_FOUND && not_found as f64 > NOT_FOUND_SHARE * answers as f64 {
            out.push(format!(
                "{not_found} of {} answers for `{}` were 404: the base path may be wrong (operation paths were \
                 joined onto {}). `--target` joins the spec's server path onto the URL; `--base-url` takes the \
                 exact base.",
                answers, target.spec, target.base_url
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{CaseId, CaseKind};
    use crate::results::{CaseResult, CaseStatus, ResponseSummary, TargetInfo};

    fn result(statuses: &[u16]) -> RunResult {
        let case = |status: u16| CaseResult {
            id: CaseId::new(&["api", "op", "positive", "0"]),
            spec: "api".into(),
            operation: "op".into(),
            kind: CaseKind::Positive,
            seed: 1,
            status: CaseStatus::Passed,
            rules: Vec::new(),
            failures: Vec::new(),
            request: None,
            curl: None,
            response: Some(ResponseSummary { status, headers: Vec::new(), body: String::new(), truncated: false }),
            shrink_steps: 0,
            snapshot: None,
            plan_index: 0,
            duration: std::time::Duration::ZERO,
            found_while_shrinking: None,
        };
        RunResult {
            requests: Default::default(),
            stopped: Vec::new(),
            seed: 1,
            started_at: "2026-12-01T00:00:00.000Z".into(),
            shard: None,
            rules: Vec::new(),
            strict: false,
            dry_run: false,
            targets: vec![TargetInfo {
                spec: "api".into(),
                base_url: "http://h/v1".into(),
                sandbox: false,
                sandbox_evidence: "GET /__sandbox answered 404: no sandbox".into(),
                reference: None,
            }],
            cases: statuses.iter().map(|s| case(*s)).collect(),
            omitted: Default::default(),
            send_guard: Default::default(),
            missing: Vec::new(),
            spec_warnings: Vec::new(),
            scenarios: Vec::new(),
            duration: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn mostly_404_means_a_wrong_base_path() {
        let hints = base_path(&result(&[404, 404, 404, 404, 404, 200]));
        assert_eq!(hints.len(), 1);
        assert!(hints[0].starts_with("5 of 6 answers for `api` were 404"), "{hints:?}");
        assert!(hints[0].contains("http://h/v1") && hints[0].contains("--base-url"));
        assert!(base_path(&result(&[404, 404, 404, 404])).is_empty(), "too few to say");
        assert!(base_path(&result(&[404, 404, 404, 404, 404, 200, 200])).is_empty(), "not most");
    }
}
