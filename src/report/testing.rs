//! Run results built by hand for the reports' unit tests, every one with placeholders where real
//! runs have ports:
//!
//! - [`result`]: every outcome once (a pass, a failure with a warning beside it, a warning-only
//!   case, a skip, a scenario that could not run): the JUnit, Markdown and comparison tests.
//! - [`small_result`]: the console's run (a pass, a warning with its reproduction, a skip,
//!   send-guard activity): the console and HTML snapshots, the coverage and matrix tests.
//! - [`rich_result`]: [`small_result`] plus a failing scenario with its steps, a changed snapshot,
//!   a harness error, a missing variable and a hostile response body.
//! - [`grouped_result`]: 30 cases of one undocumented 400 answered with an HTML page, most of the
//!   run skipped, a spec warning ([`spec_warning`]): the console's unique failures.

use std::time::Duration;

use crate::case::{CaseId, CaseKind, Mutation, MutationKind, Probe, Target};
use crate::check::{CheckId, Failure, RuleId};
use crate::http::PreparedRequest;
use crate::results::{
    CaseResult, CaseStatus, MissingVariable, Reason, ReasonKind, ResponseSummary, RunResult, ScenarioResult,
    SendGuardReport, StepResult, TargetInfo,
};
use crate::snapshot::{Comparison, Match};
use crate::spec::{Level, Source};

/// A body that would run script if a report pasted it into a page unescaped.
pub const HOSTILE_BODY: &str =
    r#"</script><img src=x onerror="document.body.dataset.pwned=1"><script>alert(1)</script>"#;

pub fn case(id: &[&str], kind: CaseKind, status: CaseStatus) -> CaseResult {
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
        duration: Duration::from_millis(12),
        plan_index: 0,
        found_while_shrinking: None,
    }
}

fn json_response(status: u16, body: &str) -> ResponseSummary {
    ResponseSummary {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
        truncated: false,
    }
}

/// One of [`result`]'s `zapi` cases: a positive case of `operation` with its masked exchange (a
/// 500 whose body needs escaping) and curl line.
pub fn exchange(operation: &str, name: &str, status: CaseStatus, failures: Vec<Failure>) -> CaseResult {
    let mut case = case(&["zapi", operation, "positive", name], CaseKind::Positive, status);
    case.failures = failures;
    case.request = Some(
        PreparedRequest::new("POST", "http://127.0.0.1:PORT/instances/[REDACTED]/code")
            .body(r#"{"phone":"55••••••2826"}"#),
    );
    case.curl = Some("curl -sS -X POST 'http://127.0.0.1:PORT/instances/[REDACTED]/code' --data-raw '{}'".into());
    case.response = Some(json_response(500, r#"{"error":"boom & <bang>"}"#));
    case
}

/// Every outcome once: a pass, a failure with a warning beside it, a warning-only case, a skip, a
/// scenario that could not run.
pub fn result() -> RunResult {
    let doc = Failure::new(CheckId::NotAServerError, Source::new(Level::Doc, "contract.md §2"), "answered 500");
    let warning =
        Failure::new(CheckId::StatusCodeConformance, Source::new(Level::Profile, "contract.md §3"), "odd status");
    let skip = Reason::new(ReasonKind::MissingVariable, "no value for zapi.token");
    let scenario = ScenarioResult {
        id: "zapi::registration::code-is-single-use".into(),
        spec: "zapi".into(),
        suite: "registration".into(),
        scenario: "code-is-single-use".into(),
        rule: RuleId::new("single-use"),
        source: Source::new(Level::Doc, "contract.md §4"),
        seed: 9,
        status: CaseStatus::Error(Reason::new(ReasonKind::NoAnswer, "no answer from the target: timed out")),
        failures: Vec::new(),
        steps: Vec::new(),
        input: None,
        shrink_steps: 0,
        snapshots: Vec::new(),
        duration: Duration::from_millis(30),
        plan_index: 4,
    };
    RunResult {
        requests: Default::default(),
        stopped: Vec::new(),
        omitted: Default::default(),
        seed: 42,
        strict: false,
        dry_run: false,
        targets: vec![TargetInfo {
            spec: "zapi".into(),
            base_url: "http://127.0.0.1:PORT".into(),
            sandbox: true,
            sandbox_evidence: "GET /__sandbox: a conform sandbox".into(),
            reference: None,
        }],
        cases: vec![
            exchange("request-code", "0", CaseStatus::Passed, Vec::new()),
            exchange("request-code", "1", CaseStatus::Failed, vec![doc, warning.clone()]),
            exchange("request-code", "2", CaseStatus::Failed, vec![warning]),
            exchange("confirm-code", "0", CaseStatus::Skipped(skip), Vec::new()),
        ],
        scenarios: vec![scenario],
        send_guard: SendGuardReport::default(),
        missing: Vec::new(),
        spec_warnings: Vec::new(),
        duration: Duration::from_millis(1250),
        started_at: "2026-12-01T00:00:00.000Z".into(),
        shard: None,
        rules: Vec::new(),
    }
}

/// The console's run: a pass, a warning (profile source) with request, response and curl, a
/// skipped case, and send-guard activity.
pub fn small_result() -> RunResult {
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
        PreparedRequest::new("POST", "http://127.0.0.1:9/instances/[REDACTED]/token/t/mobile/registration-available")
            .body(r#"{"ddi":"0","phone":"!!!!!!!!"}"#),
    );
    failed.response = Some(json_response(200, r#"{"available":true}"#));
    failed.curl = Some("curl -sS -X POST 'http://127.0.0.1:9/…' --data-raw '{}'".into());
    let mut skipped = case(
        &["wawp", "request-code", "positive", "0"],
        CaseKind::Positive,
        CaseStatus::Skipped(Reason::new(ReasonKind::MissingVariable, "no value for wawp.access_token")),
    );
    skipped.rules.clear();
    RunResult {
        requests: Default::default(),
        stopped: Vec::new(),
        omitted: Default::default(),
        seed: 42,
        strict: false,
        dry_run: false,
        missing: Vec::new(),
        spec_warnings: Vec::new(),
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
            reference: None,
        }],
        cases: vec![passed, failed, skipped],
        scenarios: Vec::new(),
        duration: Duration::from_millis(1500),
        started_at: "2026-12-01T00:00:00.000Z".into(),
        shard: None,
        rules: Vec::new(),
    }
}

/// [`small_result`] plus an error-level failure with a hostile body, a changed snapshot, a harness
/// error, a missing variable, a failing and a passing scenario.
pub fn rich_result() -> RunResult {
    let mut result = small_result();
    let mut crashed = case(
        &["hypersender", "request-code", "protocol", "method-put"],
        CaseKind::Protocol(Probe::UndocumentedMethod { method: "PUT".into() }),
        CaseStatus::Failed,
    );
    crashed.rules.push(CheckId::UnsupportedMethod.into());
    crashed.failures.push(Failure::new(
        CheckId::NotAServerError,
        Source::new(Level::Doc, "RFC 9110 §15.6"),
        "the target answered 500, a server error",
    ));
    crashed.request = Some(
        PreparedRequest::new("PUT", "http://127.0.0.1:9/api/otp/v2/[REDACTED]/request-code")
            .header("Authorization", "Bearer •••")
            .header("Content-Type", "application/json")
            .body(r#"{"chatId":"55•••••0000"}"#),
    );
    crashed.response = Some(ResponseSummary {
        status: 500,
        headers: vec![("content-type".into(), "text/html".into())],
        body: HOSTILE_BODY.into(),
        truncated: true,
    });
    crashed.curl =
        Some("curl -sS -g --path-as-is -X PUT 'http://127.0.0.1:9/api/otp/v2/[REDACTED]/request-code'".into());
    let mut example = case(
        &["zapi", "confirm-pin-code", "example", "pin"],
        CaseKind::Example { name: "pin".into() },
        CaseStatus::Failed,
    );
    example.rules.push(RuleId::new(crate::snapshot::RULE));
    let outcome = Comparison {
        id: "zapi::confirm-pin-code::example::pin".into(),
        content: "status: 200\n".into(),
        path: Some("snapshots/zapi__confirm-pin-code__example__pin.snap".into()),
        verdict: Match::Changed,
        diff: Some("@@ -1,2 +1,2 @@\n status: 200\n-success: true\n+success: false\n".into()),
        pending: None,
    };
    example.failures.extend(outcome.failure());
    example.snapshot = Some(outcome);
    let errored = case(
        &["wawp", "session-info", "positive", "0"],
        CaseKind::Positive,
        CaseStatus::Error(Reason::new(ReasonKind::NoAnswer, "no complete answer within 10000 ms (--timeout)")),
    );
    result.cases.extend([crashed, example, errored]);
    result.missing.push(MissingVariable {
        spec: "wawp".into(),
        name: "access_token".into(),
        env: "CONFORM_VAR_WAWP_ACCESS_TOKEN".into(),
    });
    let source = Source::new(Level::Doc, "hypersender docs: validate-code");
    let step = |name: &str, status: u16, body: &str, expected: Option<&str>| StepResult {
        step: name.into(),
        action: format!("call {name}"),
        request: Some(PreparedRequest::new("POST", format!("http://127.0.0.1:9/api/otp/v2/[REDACTED]/{name}"))),
        response: Some(json_response(status, body)),
        curl: Some(format!("curl -sS -X POST 'http://127.0.0.1:9/api/otp/v2/[REDACTED]/{name}'")),
        expected: expected.map(str::to_owned),
    };
    let reused = ScenarioResult {
        id: "hypersender::otp::single-use".into(),
        spec: "hypersender".into(),
        suite: "otp".into(),
        scenario: "single-use".into(),
        rule: RuleId::new("single-use"),
        source: source.clone(),
        seed: 7,
        status: CaseStatus::Failed,
        failures: vec![Failure::new(
            RuleId::new("single-use"),
            source.clone(),
            "step `validate-again` succeeded (200): it must not",
        )],
        steps: vec![
            step("request-code", 200, r#"{"success":true}"#, None),
            step("validate-code", 200, r#"{"success":true}"#, Some("status 200")),
            step("validate-again", 200, r#"{"success":true}"#, Some("must not succeed")),
        ],
        input: None,
        shrink_steps: 0,
        snapshots: Vec::new(),
        duration: Duration::from_millis(40),
        plan_index: 8,
    };
    let supersedes = ScenarioResult {
        id: "hypersender::otp::supersedes".into(),
        scenario: "supersedes".into(),
        rule: RuleId::new("supersedes"),
        source: Source::new(Level::Profile, "contract.md §5"),
        status: CaseStatus::Passed,
        failures: Vec::new(),
        ..reused.clone()
    };
    result.scenarios = vec![reused, supersedes];
    result
}

/// A warning `conform lint` would give about an example of `spec`, which loaded all the same.
pub fn spec_warning(spec: &str) -> crate::results::SpecWarning {
    crate::results::SpecWarning {
        spec: spec.into(),
        file: format!("specs/{spec}.yaml"),
        line: 12,
        column: 24,
        pointer: Some("#/paths/~1x/get/responses/200/content/application~1json/example".into()),
        message: "example does not match its schema: 1 is not of type \"string\"".into(),
    }
}

/// 30 cases that met one undocumented 400, answered with a 100-line HTML page; 40 cases
/// skipped for two reasons; a spec warning.
pub fn grouped_result() -> RunResult {
    let lines: Vec<String> = (0..97).map(|n| format!("<p>line {n} of the error page</p>")).collect();
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>400 Bad Request</title></head><body>\n{}\n</body></html>",
        lines.join("\n")
    );
    let mut result = small_result();
    result.send_guard = SendGuardReport::default();
    result.targets[0].spec = "pets".into();
    result.spec_warnings = vec![spec_warning("pets")];
    let source = Source::new(Level::Doc, "the operation's documented responses");
    result.cases = (0..30)
        .map(|n| {
            let id = n.to_string();
            let status = CaseStatus::Failed;
            let mut case = case(&["pets", "create", "positive", &id], CaseKind::Positive, status);
            case.failures = vec![Failure::new(
                CheckId::StatusCodeConformance,
                source.clone(),
                "status 400 is not documented for pets::create (documented: 201)",
            )];
            let body = format!("{{\"name\":\"{}\"}}", "n".repeat(40 - n));
            case.request = Some(PreparedRequest::new("POST", "http://127.0.0.1:9/pets").body(body.clone()));
            case.curl = Some(format!("curl -sS -X POST 'http://127.0.0.1:9/pets' --data-binary '{body}'"));
            case.response = Some(ResponseSummary {
                status: 400,
                headers: vec![("content-type".into(), "text/html".into())],
                body: page.clone(),
                truncated: false,
            });
            case.shrink_steps = if n == 7 { 2 } else { 0 };
            case.plan_index = n;
            case
        })
        .collect();
    for n in 0..40 {
        let reason = if n < 35 {
            Reason::new(ReasonKind::MissingVariable, "no value for pets.token")
        } else {
            Reason::new(ReasonKind::SendGuard, "not sent: no --allow-recipient")
        };
        let id = n.to_string();
        let mut case = case(&["pets", "list", "positive", &id], CaseKind::Positive, CaseStatus::Skipped(reason));
        case.rules.clear();
        result.cases.push(case);
    }
    result
}
