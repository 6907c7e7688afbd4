//! The console report: the operation × check matrix, every failure with its reproduction, the
//! skips with their reasons, and a closing summary line. A pure function of the [`RunResult`].

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::case::CaseKind;
use crate::check::{CheckId, Severity};
use crate::run::{CaseResult, CaseStatus, RunResult, Verdict};

/// Short column heads for the matrix, in registry order.
fn column(check: CheckId) -> &'static str {
    match check {
        CheckId::NotAServerError => "5xx",
        CheckId::StatusCodeConformance => "status",
        CheckId::ResponseSchemaConformance => "schema",
        CheckId::ContentTypeConformance => "ctype",
        CheckId::NegativeDataRejection => "neg",
        CheckId::PositiveDataAcceptance => "pos",
        CheckId::UnsupportedMethod => "405",
        CheckId::UnsupportedMediaType => "415",
        CheckId::AuthEnforced => "auth",
        CheckId::RateLimitConformance => "429",
    }
}

#[derive(Default, Clone, Copy)]
struct Cell {
    passed: usize,
    errors: usize,
    warnings: usize,
}

impl Cell {
    fn render(self) -> String {
        match (self.errors, self.warnings) {
            (0, 0) if self.passed == 0 => "-".to_owned(),
            (0, 0) => format!("ok {}", self.passed),
            (0, w) => format!("W {w}"),
            (e, _) => format!("FAIL {e}"),
        }
    }
}

/// The matrix: one row per operation, one column per check, counting exchanges.
pub fn matrix(result: &RunResult) -> String {
    let mut rows: BTreeMap<(String, String), BTreeMap<CheckId, Cell>> = BTreeMap::new();
    for case in &result.cases {
        let row = rows.entry((case.spec.clone(), case.operation.clone())).or_default();
        for check in &case.checks {
            let cell = row.entry(*check).or_default();
            let failures: Vec<_> = case.failures.iter().filter(|f| f.check == *check).collect();
            if failures.is_empty() {
                cell.passed += 1;
            } else if failures.iter().any(|f| f.severity == Severity::Error) {
                cell.errors += 1;
            } else {
                cell.warnings += 1;
            }
        }
    }
    let width = rows.keys().map(|(s, o)| s.len() + o.len() + 2).max().unwrap_or(9).max(9);
    let mut out = format!("{:<width$}", "operation");
    for check in CheckId::ALL {
        let _ = write!(out, " {:>8}", column(*check));
    }
    out.push('\n');
    for ((spec, operation), cells) in &rows {
        let _ = write!(out, "{:<width$}", format!("{spec}::{operation}"));
        for check in CheckId::ALL {
            let _ = write!(out, " {:>8}", cells.get(check).copied().unwrap_or_default().render());
        }
        out.push('\n');
    }
    out
}

/// One failing case, with everything needed to reproduce it.
pub fn failure_block(case: &CaseResult, strict: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--- {} (seed {})", case.id, case.seed);
    for failure in &case.failures {
        let label =
            if failure.severity.fails_run(strict) { failure.severity.to_string() } else { "warning".to_owned() };
        let _ = writeln!(out, "  {label}[{}] {}", failure.check, failure.message);
        let _ = writeln!(out, "    source: {}", failure.source);
    }
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
    out
}

/// The whole console report.
pub fn render(result: &RunResult) -> String {
    let mut out = String::new();
    for target in &result.targets {
        let sandbox = if target.sandbox { "with sandbox" } else { "no sandbox" };
        let _ = writeln!(out, "target {}: {} ({sandbox})", target.spec, target.base_url);
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
    let mut skips: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &result.cases {
        if let CaseStatus::Skipped(reason) = &case.status {
            *skips.entry(reason.as_str()).or_default() += 1;
        }
    }
    if !skips.is_empty() {
        let _ = writeln!(out, "\nskipped:");
        for (reason, count) in skips {
            let _ = writeln!(out, "  {count:>4} × {reason}");
        }
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
    if !result.sends.is_empty() {
        let _ = writeln!(out, "\nmessages sent to targets without a sandbox: {}", result.sends.len());
        let _ = writeln!(out, "  {}", result.sends.join(", "));
    }
    for hint in super::hints::base_path(result) {
        let _ = writeln!(out, "\nhint: {hint}");
    }
    out.push('\n');
    out.push_str(&summary(result));
    out
}

/// `--dry-run`: every request that would be sent, as a curl line, and why the others would not be.
pub fn dry_run(result: &RunResult) -> String {
    let mut out = String::new();
    let mut planned = 0;
    for case in &result.cases {
        match (&case.status, &case.curl) {
            (CaseStatus::Skipped(reason), Some(curl)) if reason.starts_with("dry run") => {
                planned += 1;
                let _ = writeln!(out, "# {}\n{curl}", case.id);
            }
            (CaseStatus::Skipped(reason), _) => {
                let reason = reason.strip_prefix("not sent: ").unwrap_or(reason);
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
    };
    let strict = if result.strict { ", strict" } else { "" };
    format!(
        "{} cases: {passed} passed, {failed} failed, {warned} warned, {skipped} skipped, {errors} errors; {verdict} (seed {}{strict}, {:.1}s)\n",
        result.cases.len(),
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
            checks: vec![CheckId::NotAServerError, CheckId::StatusCodeConformance],
            failures: Vec::new(),
            request: None,
            curl: None,
            response: None,
            shrink_steps: 0,
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
        failed.checks.push(CheckId::NegativeDataRejection);
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
            CaseStatus::Skipped("no value for variable `access_token`".into()),
        );
        skipped.checks.clear();
        RunResult {
            seed: 42,
            strict: false,
            dry_run: false,
            sends: Vec::new(),
            targets: vec![TargetInfo { spec: "zapi".into(), base_url: "http://127.0.0.1:9".into(), sandbox: true }],
            cases: vec![passed, failed, skipped],
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
}
