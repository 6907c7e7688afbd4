//! A small run for the reports' unit tests: every outcome once (a pass, a failure with a warning
//! beside it, a warning-only case, a skip, a scenario that could not run), with placeholders where
//! real runs have ports.

use std::time::Duration;

use crate::case::{CaseId, CaseKind};
use crate::check::{CheckId, Failure, RuleId};
use crate::run::{CaseResult, CaseStatus, Reason, ReasonKind, RunResult, ScenarioResult, SendGuardReport, TargetInfo};
use crate::spec::{Level, Source};

pub fn case(operation: &str, name: &str, status: CaseStatus, failures: Vec<Failure>) -> CaseResult {
    CaseResult {
        id: CaseId::new(&["zapi", operation, "positive", name]),
        spec: "zapi".into(),
        operation: operation.into(),
        kind: CaseKind::Positive,
        seed: 42,
        status,
        rules: vec![CheckId::NotAServerError.into(), CheckId::StatusCodeConformance.into()],
        failures,
        request: Some(
            crate::http::PreparedRequest::new("POST", "http://127.0.0.1:PORT/instances/[REDACTED]/code")
                .body(r#"{"phone":"55••••••2826"}"#),
        ),
        curl: Some("curl -sS -X POST 'http://127.0.0.1:PORT/instances/[REDACTED]/code' --data-raw '{}'".into()),
        response: Some(crate::run::ResponseSummary {
            status: 500,
            headers: vec![("content-type".into(), "application/json".into())],
            body: r#"{"error":"boom & <bang>"}"#.into(),
            truncated: false,
        }),
        shrink_steps: 0,
        snapshot: None,
        duration: Duration::from_millis(12),
        plan_index: 0,
    }
}

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
            case("request-code", "0", CaseStatus::Passed, Vec::new()),
            case("request-code", "1", CaseStatus::Failed, vec![doc, warning.clone()]),
            case("request-code", "2", CaseStatus::Failed, vec![warning]),
            case("confirm-code", "0", CaseStatus::Skipped(skip), Vec::new()),
        ],
        scenarios: vec![scenario],
        send_guard: SendGuardReport::default(),
        missing: Vec::new(),
        duration: Duration::from_millis(1250),
        started_at: "2026-12-01T00:00:00.000Z".into(),
        shard: None,
        rules: Vec::new(),
    }
}
