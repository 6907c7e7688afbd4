//! The console report: the operation × check matrix, every failure with its reproduction, the
//! skips with their reasons, and a closing summary line. A pure function of the [`RunResult`]:
//! the matrix and the counts come from its tally (kept cases and counted ones alike), the blocks
//! from the kept cases (every case that did not pass is kept).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::case::CaseKind;
use crate::check::{CheckId, Failure, RuleId};
use crate::run::{
    CaseResult, CaseStatus, ReasonKind, RuleCounts, RunResult, ScenarioResult, SendGuardReport, Tally, Verdict,
};

/// The column head of a rule: short ones for the checks, the id itself for any other rule.
fn column(rule: &RuleId) -> &str {
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

/// The matrix's columns: every check in registry order, then the other rules that ran, sorted.
fn columns(tally: &Tally) -> Vec<RuleId> {
    let mut columns: Vec<RuleId> = CheckId::ALL.iter().map(|c| RuleId::from(*c)).collect();
    let mut others: Vec<RuleId> = tally
        .operations
        .iter()
        .flat_map(|o| o.rules.keys())
        .filter(|r| r.check().is_none())
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    columns.append(&mut others);
    columns
}

/// One cell: how a rule did over an operation's cases.
fn cell(counts: RuleCounts) -> String {
    match (counts.errors, counts.warnings) {
        (0, 0) if counts.passed == 0 => "-".to_owned(),
        (0, 0) => format!("ok {}", counts.passed),
        (0, w) => format!("W {w}"),
        (e, _) => format!("FAIL {e}"),
    }
}

/// The matrix: one row per operation, one column per check, counting exchanges.
pub fn matrix(result: &RunResult) -> String {
    let tally = result.tally();
    let rows = &tally.operations;
    let width = rows.iter().map(|o| o.spec.len() + o.operation.len() + 2).max().unwrap_or(9).max(9);
    let columns = columns(&tally);
    let mut out = format!("{:<width$}", "operation");
    for rule in &columns {
        let _ = write!(out, " {:>8}", column(rule));
    }
    out.push('\n');
    for row in rows {
        let _ = write!(out, "{:<width$}", format!("{}::{}", row.spec, row.operation));
        for rule in &columns {
            let _ = write!(out, " {:>8}", cell(row.rules.get(rule).copied().unwrap_or_default()));
        }
        out.push('\n');
    }
    out
}

/// Each failure with its rule, its severity as this run counts it, and its source.
fn failure_lines(failures: &[Failure], strict: bool) -> String {
    let mut out = String::new();
    for failure in failures {
        let label =
            if failure.severity.fails_run(strict) { failure.severity.to_string() } else { "warning".to_owned() };
        let _ = writeln!(out, "  {label}[{}] {}", failure.rule, failure.message);
        let _ = writeln!(out, "    source: {}", failure.source);
    }
    out
}

/// One failing case, with everything needed to reproduce it.
pub fn failure_block(case: &CaseResult, strict: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--- {} (seed {})", case.id, case.seed);
    out.push_str(&failure_lines(&case.failures, strict));
    if let CaseKind::Negative(mutation) = &case.kind {
        let _ = writeln!(out, "  mutation: {} {} ({})", mutation.target, mutation.kind.as_str(), mutation.constraint);
    }
    if case.shrink_steps > 0 {
        let _ = writeln!(out, "  shrunk in {} steps to:", case.shrink_steps);
    }
    if let Some(request) = &case.request {
        let _ = writeln!(out, "  request:  {} {}", request.method, request.url);
        if let Some(body) = request.body_text() {
            let _ = writeln!(out, "            {body}");
        }
    }
    if let Some(response) = &case.response {
        let content_type = response.headers.iter().find(|(n, _)| n == "content-type").map_or("-", |(_, v)| v.as_str());
        let _ = writeln!(out, "  response: {} ({content_type})", response.status);
        if !response.body.is_empty() {
            let ellipsis = if response.truncated { " …" } else { "" };
            let _ = writeln!(out, "            {}{ellipsis}", response.body);
        }
    }
    if let Some(curl) = &case.curl {
        let _ = writeln!(out, "  reproduce: {curl}");
    }
    if let Some(outcome) = &case.snapshot {
        out.push_str(&snapshot_diff(outcome));
    }
    out
}

/// A changed snapshot's unified diff (committed `-`, now `+`), each line after `  │ `.
pub fn snapshot_diff(outcome: &crate::snapshot::Outcome) -> String {
    let mut out = String::new();
    if let Some(diff) = &outcome.diff {
        let _ = writeln!(out, "  snapshot {} ({}):", outcome.id, outcome.path.as_deref().unwrap_or_default());
        for line in diff.lines() {
            let _ = writeln!(out, "  │ {line}");
        }
    }
    out
}

/// The snapshots of the run: how many matched, were recorded, changed or are missing; and the
/// scenario steps whose snapshot failed, with their diffs (cases show theirs in their block).
fn snapshots(result: &RunResult) -> String {
    use crate::snapshot::Verdict;
    let outcomes: Vec<&crate::snapshot::Outcome> = result
        .cases
        .iter()
        .filter_map(|c| c.snapshot.as_ref())
        .chain(result.scenarios.iter().flat_map(|s| &s.snapshots))
        .filter(|o| o.verdict != Verdict::NotCompared)
        .collect();
    if outcomes.is_empty() {
        return String::new();
    }
    let count = |pick: fn(&Verdict) -> bool| outcomes.iter().filter(|o| pick(&o.verdict)).count();
    let mut out = String::new();
    let failing: Vec<&&crate::snapshot::Outcome> = outcomes
        .iter()
        .filter(|o| o.failure().is_some() && result.scenarios.iter().any(|s| s.snapshots.contains(o)))
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(
            out,
            "
scenario steps whose snapshot failed:"
        );
        for outcome in failing {
            if let Some(failure) = outcome.failure() {
                let _ = writeln!(out, "  error[snapshot] {}", failure.message);
            }
            out.push_str(&snapshot_diff(outcome));
        }
    }
    let _ = writeln!(
        out,
        "
snapshots: {} matched, {} recorded, {} changed, {} missing",
        count(|v| *v == Verdict::Matched),
        count(|v| *v == Verdict::Recorded),
        count(|v| *v == Verdict::Changed),
        count(|v| *v == Verdict::Missing),
    );
    out
}

/// The whole console report.
pub fn render(result: &RunResult) -> String {
    let mut out = String::new();
    for target in &result.targets {
        let sandbox = if target.sandbox { "with sandbox" } else { "no sandbox" };
        let _ = writeln!(out, "target {}: {} ({sandbox})", target.spec, target.base_url);
        let _ = writeln!(out, "  sandbox: {}", target.sandbox_evidence);
    }
    out.push('\n');
    out.push_str(&matrix(result));
    let failing: Vec<&CaseResult> = result.cases.iter().filter(|c| !c.failures.is_empty()).collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "\nfailures:\n");
        for case in &failing {
            out.push_str(&failure_block(case, result.strict));
            out.push('\n');
        }
    }
    out.push_str(&scenarios(result));
    let mut skips: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &result.cases {
        if let CaseStatus::Skipped(reason) = &case.status {
            *skips.entry(&reason.message).or_default() += 1;
        }
    }
    for scenario in &result.scenarios {
        if let CaseStatus::Skipped(reason) = &scenario.status {
            *skips.entry(&reason.message).or_default() += 1;
        }
    }
    if !skips.is_empty() {
        let _ = writeln!(out, "\nskipped:");
        for (reason, count) in skips {
            let _ = writeln!(out, "  {count:>4} × {reason}");
        }
    }
    if !result.missing.is_empty() {
        let _ = writeln!(out, "\nmissing variables (the cases that need them were skipped); add:");
        for missing in &result.missing {
            let _ = writeln!(out, "  {}   (or set {})", missing.flag(), missing.env);
        }
    }
    if result.total_cases() == 0 {
        let _ = writeln!(out, "\nno cases: the specs document no operation conform can call (paths are empty)");
    }
    let errors: Vec<&CaseResult> = result.cases.iter().filter(|c| matches!(c.status, CaseStatus::Error(_))).collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "\nerrors (conform could not run these):");
        for case in errors {
            if let CaseStatus::Error(message) = &case.status {
                let _ = writeln!(out, "  {}: {message}", case.id);
            }
        }
    }
    out.push_str(&snapshots(result));
    out.push_str(&send_guard(&result.send_guard));
    for hint in super::hints::base_path(result) {
        let _ = writeln!(out, "\nhint: {hint}");
    }
    out.push('\n');
    out.push_str(&summary(result));
    out
}

/// What the send guard did, when it had anything to do: the calls made (masked recipients), and
/// the cases it held back for the budget or because they broke their own recipient.
fn send_guard(report: &SendGuardReport) -> String {
    let mut out = String::new();
    if !report.sends.is_empty() {
        let _ = writeln!(
            out,
            "\nmessages sent to targets without a sandbox: {} (--max-sends {})",
            report.sends.len(),
            report.max_sends
        );
        let _ = writeln!(out, "  {}", report.sends.join(", "));
    }
    if !report.budget_skipped.is_empty() {
        let _ = writeln!(
            out,
            "\nheld back by the --max-sends budget ({}): {} case(s)",
            report.max_sends,
            report.budget_skipped.len()
        );
        for id in &report.budget_skipped {
            let _ = writeln!(out, "  {id}");
        }
    }
    if !report.recipient_mutations.is_empty() {
        let _ = writeln!(
            out,
            "\nnot sent because their broken value is the recipient itself: {} case(s)",
            report.recipient_mutations.len()
        );
    }
    out
}

/// `--dry-run`: every request that would be sent, as a curl line, and why the others would not be.
pub fn dry_run(result: &RunResult) -> String {
    let mut out = String::new();
    let mut planned = 0;
    for case in &result.cases {
        match (&case.status, &case.curl) {
            (CaseStatus::Skipped(reason), Some(curl)) if reason.kind == ReasonKind::DryRun => {
                planned += 1;
                let _ = writeln!(out, "# {}\n{curl}", case.id);
            }
            (CaseStatus::Skipped(reason), _) => {
                let reason = reason.message.strip_prefix("not sent: ").unwrap_or(&reason.message);
                let _ = writeln!(out, "# {} (would not be sent: {reason})", case.id);
            }
            _ => {}
        }
    }
    let _ = writeln!(
        out,
        "\ndry run: {planned} of {} requests would be sent; nothing was sent (seed {})",
        result.cases.len(),
        result.seed
    );
    out
}

/// The suites' scenarios: one line each (rule, status, source), then a block per failing one
/// with every step of its flow.
fn scenarios(result: &RunResult) -> String {
    let mut out = String::new();
    if result.scenarios.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nscenarios:");
    let width = result.scenarios.iter().map(|s| s.id.len()).max().unwrap_or(0);
    for scenario in &result.scenarios {
        let status = match &scenario.status {
            CaseStatus::Passed => "ok".to_owned(),
            CaseStatus::Failed if scenario.fails_run(result.strict) => "FAIL".to_owned(),
            CaseStatus::Failed => "WARN".to_owned(),
            CaseStatus::Skipped(_) => "skipped".to_owned(),
            CaseStatus::Error(_) => "ERROR".to_owned(),
        };
        let _ = writeln!(out, "  {:<width$}  {:<8} {:<20} {}", scenario.id, status, scenario.rule, scenario.source);
    }
    for scenario in result.scenarios.iter().filter(|s| !s.failures.is_empty()) {
        out.push('\n');
        out.push_str(&scenario_block(scenario, result.strict));
    }
    out
}

/// One failing scenario: its failures with their sources, then each step of the flow.
pub fn scenario_block(scenario: &ScenarioResult, strict: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--- {} (seed {})", scenario.id, scenario.seed);
    out.push_str(&failure_lines(&scenario.failures, strict));
    if let Some(input) = &scenario.input {
        let shrunk = if scenario.shrink_steps > 0 {
            format!(" (shrunk in {} steps)", scenario.shrink_steps)
        } else {
            String::new()
        };
        let _ = writeln!(out, "  input{shrunk}: {input}");
    }
    let _ = writeln!(out, "  steps:");
    for (n, step) in scenario.steps.iter().enumerate() {
        let answer = step.response.as_ref().map_or_else(String::new, |r| format!("  {}  {}", r.status, r.body));
        let expected = step.expected.as_ref().map_or_else(String::new, |e| format!("  ← {e}"));
        let _ = writeln!(out, "    {}. {} ({}){answer}{expected}", n + 1, step.step, step.action);
    }
    let curls: Vec<&String> = scenario.steps.iter().filter_map(|s| s.curl.as_ref()).collect();
    if !curls.is_empty() {
        let _ = writeln!(out, "  reproduce (each step):");
        for curl in curls {
            let _ = writeln!(out, "    {curl}");
        }
    }
    out
}

/// The closing line: counts, the verdict and the seed to reproduce the run.
pub fn summary(result: &RunResult) -> String {
    let passed = result.count(|s| *s == CaseStatus::Passed);
    let failed = result.cases.iter().filter(|c| c.fails_run(result.strict)).count();
    let warned = result.cases.iter().filter(|c| !c.failures.is_empty() && !c.fails_run(result.strict)).count();
    let skipped = result.count(|s| matches!(s, CaseStatus::Skipped(_)));
    let errors = result.count(|s| matches!(s, CaseStatus::Error(_)));
    let verdict = match result.verdict() {
        Verdict::Conformant => "conformant",
        Verdict::Nonconformant => "NOT conformant",
        Verdict::Incomplete => "incomplete",
        Verdict::NothingTested => "nothing was tested",
    };
    let strict = if result.strict { ", strict" } else { "" };
    let scenarios = if result.scenarios.is_empty() {
        String::new()
    } else {
        let count = |pick: fn(&ScenarioResult, bool) -> bool| {
            result.scenarios.iter().filter(|s| pick(s, result.strict)).count()
        };
        format!(
            "{} scenarios: {} passed, {} failed, {} warned, {} skipped, {} errors; ",
            result.scenarios.len(),
            count(|s, _| s.status == CaseStatus::Passed),
            count(|s, strict| s.fails_run(strict)),
            count(|s, strict| !s.failures.is_empty() && !s.fails_run(strict)),
            count(|s, _| matches!(s.status, CaseStatus::Skipped(_))),
            count(|s, _| matches!(s.status, CaseStatus::Error(_))),
        )
    };
    format!(
        "{} cases: {passed} passed, {failed} failed, {warned} warned, {skipped} skipped, {errors} errors; {scenarios}{verdict} (seed {}{strict}, {:.1}s)\n",
        result.total_cases(),
        result.seed,
        result.duration.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::case::{CaseId, Mutation, MutationKind, Target};
    use crate::check::Failure;
    use crate::http::PreparedRequest;
    use crate::run::{ResponseSummary, TargetInfo};
    use crate::spec::{Level, Source};

    fn case(id: &[&str], kind: CaseKind, status: CaseStatus) -> CaseResult {
        CaseResult {
            id: CaseId::new(id),
            spec: id[0].to_owned(),
            operation: id[1].to_owned(),
            kind,
            seed: 42,
            status,
            rules: vec![CheckId::NotAServerError.into(), CheckId::StatusCodeConformance.into()],
            failures: Vec::new(),
            request: None,
            curl: None,
            response: None,
            shrink_steps: 0,
            snapshot: None,
        }
    }

    fn result() -> RunResult {
        let passed = case(&["zapi", "registration-available", "positive", "0"], CaseKind::Positive, CaseStatus::Passed);
        let mutation = Mutation {
            kind: MutationKind::PatternMismatch,
            target: Target::Body("/phone".into()),
            constraint: "must match ^[0-9]{8,13}$".into(),
            source: Some(Source::new(Level::Profile, "contract.md §3")),
        };
        let mut failed = case(
            &["zapi", "registration-available", "negative", "phone-pattern"],
            CaseKind::Negative(mutation),
            CaseStatus::Failed,
        );
        failed.rules.push(CheckId::NegativeDataRejection.into());
        failed.failures.push(Failure::new(
            CheckId::NegativeDataRejection,
            Source::new(Level::Profile, "contract.md §3"),
            "invalid input was accepted with 200: body/phone (pattern must match ^[0-9]{8,13}$)",
        ));
        failed.shrink_steps = 3;
        failed.request = Some(
            PreparedRequest::new(
                "POST",
                "http://127.0.0.1:9/instances/[REDACTED]/token/t/mobile/registration-available",
            )
            .body(r#"{"ddi":"0","phone":"!!!!!!!!"}"#),
        );
        failed.response = Some(ResponseSummary {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: r#"{"available":true}"#.into(),
            truncated: false,
        });
        failed.curl = Some("curl -sS -X POST 'http://127.0.0.1:9/…' --data-raw '{}'".into());
        let mut skipped = case(
            &["wawp", "request-code", "positive", "0"],
            CaseKind::Positive,
            CaseStatus::Skipped(crate::run::Reason::new(ReasonKind::MissingVariable, "no value for wawp.access_token")),
        );
        skipped.rules.clear();
        RunResult {
            omitted: Default::default(),
            seed: 42,
            strict: false,
            dry_run: false,
            missing: Vec::new(),
            send_guard: SendGuardReport {
                max_sends: 10,
                sends: vec!["20••••••2826".into()],
                budget_skipped: vec!["wawp::request-code::negative::phone_number-pattern".into()],
                recipient_mutations: vec!["zapi::request-registration-code::negative::phone-pattern".into()],
            },
            targets: vec![TargetInfo {
                spec: "zapi".into(),
                base_url: "http://127.0.0.1:9".into(),
                sandbox: true,
                sandbox_evidence: "GET /__sandbox: a conform sandbox (version 1: zapi)".into(),
            }],
            cases: vec![passed, failed, skipped],
            scenarios: Vec::new(),
            duration: Duration::from_millis(1500),
        }
    }

    #[test]
    fn renders_matrix_failures_skips_and_summary() {
        insta::assert_snapshot!(render(&result()));
    }

    #[test]
    fn strict_turns_warnings_into_failures() {
        let mut strict = result();
        strict.strict = true;
        assert_eq!(strict.verdict(), Verdict::Nonconformant);
        assert!(summary(&strict).contains("1 failed, 0 warned"), "{}", summary(&strict));
        assert_eq!(result().verdict(), Verdict::Conformant);
        assert!(summary(&result()).contains("0 failed, 1 warned"));
    }

    #[test]
    fn nothing_tested_is_not_conformant() {
        let mut skipped = result();
        skipped.cases.retain(|c| matches!(c.status, CaseStatus::Skipped(_)));
        skipped.missing.push(crate::run::MissingVariable {
            spec: "wawp".into(),
            name: "access_token".into(),
            env: "CONFORM_VAR_WAWP_ACCESS_TOKEN".into(),
        });
        assert_eq!(skipped.verdict(), Verdict::NothingTested);
        let text = render(&skipped);
        assert!(
            text.contains("1 cases: 0 passed, 0 failed, 0 warned, 1 skipped, 0 errors; nothing was tested"),
            "{text}"
        );
        assert!(text.contains("--var wawp.access_token=VALUE   (or set CONFORM_VAR_WAWP_ACCESS_TOKEN)"), "{text}");
        skipped.cases.clear();
        assert_eq!(skipped.verdict(), Verdict::NothingTested);
        assert!(render(&skipped).contains("no cases:"));
    }

    #[test]
    fn counted_passed_cases_render_as_kept_ones() {
        let kept = result();
        let mut counted = kept.clone();
        for case in counted.cases.iter().filter(|c| c.status == CaseStatus::Passed) {
            counted.omitted.add(case);
        }
        counted.cases.retain(|c| c.status != CaseStatus::Passed);
        assert!(!counted.omitted.is_empty());
        assert_eq!(render(&counted), render(&kept));
        assert_eq!(counted.verdict(), kept.verdict());
        assert_eq!(counted.tally(), kept.tally());
    }
}
