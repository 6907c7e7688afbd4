//! Verdicts on refusals of invalid input. A negative case refused with a 4xx is a rejection:
//! `negative_data_rejection` passes, whether the 4xx is the 422 the spec documents for invalid
//! input or the 404 of a path naming an item that does not exist. A 4xx the operation does not
//! document is `status_code_conformance`'s finding, once. The exact status is asserted only
//! where the spec pins it for invalid input (`x-conform-invalid-input`), and only for the places
//! the pin names.

use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::put;
use conform::case::{CaseKind, Target};
use conform::check::{CheckId, RuleId};
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::run::{CaseResult, RunConfig, RunResult, run};
use serde_json::Value;

#[path = "support/loopback.rs"]
mod loopback;

const SPEC: &str = r#"
openapi: 3.1.0
info: {title: Items, version: "1"}
PIN
paths:
  /items/{id}:
    put:
      operationId: rename-item
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, pattern: '^[0-9]{1,6}$'}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string, maxLength: 8}
      responses:
        '200': {description: Renamed.}
        '404': {description: No such item.}
        '422': {description: Invalid input.}
"#;

/// An item store that answers 404 for an id that is not one, and 409 (undocumented) to a bad body.
async fn rename(Path(id): Path<String>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    if id.is_empty() || id.len() > 6 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return StatusCode::NOT_FOUND;
    }
    let json = headers.get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let valid = body.get("name").and_then(Value::as_str).is_some_and(|n| n.chars().count() <= 8);
    if json && valid { StatusCode::OK } else { StatusCode::CONFLICT }
}

async fn run_with(pin: &str) -> RunResult {
    let spec = conform::spec::load_spec(&loopback::spec_file("items", &SPEC.replace("PIN", pin))).unwrap();
    let url = loopback::serve(Router::new().route("/items/{id}", put(rename))).await;
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![url],
        plan: PlanOptions { cases: 3, seed: 4, shard: None },
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    run(config, |_| {}).await.unwrap()
}

/// The negative cases whose broken value is in the path, and those whose is in the body.
fn negatives(result: &RunResult) -> (Vec<&CaseResult>, Vec<&CaseResult>) {
    let place = |c: &&CaseResult| match &c.kind {
        CaseKind::Negative(m) => Some(matches!(m.target, Target::Path(_))),
        _ => None,
    };
    let path = result.cases.iter().filter(|c| place(c) == Some(true)).collect();
    let body = result.cases.iter().filter(|c| place(c) == Some(false)).collect();
    (path, body)
}

fn rules(case: &CaseResult) -> Vec<RuleId> {
    case.failures.iter().map(|f| f.rule.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_documented_refusal_is_a_rejection_and_an_undocumented_one_is_reported_once() {
    let result = run_with("").await;
    let (path, body) = negatives(&result);
    assert!(!path.is_empty() && !body.is_empty(), "{:#?}", result.cases.iter().map(|c| &c.id).collect::<Vec<_>>());
    for case in path {
        assert_eq!(case.response.as_ref().map(|r| r.status), Some(404), "{}", case.id);
        assert!(case.failures.is_empty(), "a 404 for an id that names nothing is a rejection: {:?}", case.failures);
        assert!(case.rules.contains(&CheckId::NegativeDataRejection.into()), "the rule judged it: {:?}", case.rules);
    }
    for case in body {
        assert_eq!(case.response.as_ref().map(|r| r.status), Some(409), "{}", case.id);
        assert_eq!(rules(case), [RuleId::from(CheckId::StatusCodeConformance)], "{}: {:?}", case.id, case.failures);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_status_is_asserted_where_the_pin_holds() {
    let pin = r#"x-conform-invalid-input: {status: 422, in: [body], x-conform-source: {level: doc, cite: "the API's validation page"}}"#;
    let result = run_with(pin).await;
    let (path, body) = negatives(&result);
    for case in path {
        assert!(case.failures.is_empty(), "the pin is for the body: {}: {:?}", case.id, case.failures);
    }
    for case in body {
        let rejection = case.failures.iter().find(|f| f.rule == CheckId::NegativeDataRejection).unwrap();
        assert!(rejection.message.contains("refused with 409, not the 422 the spec pins"), "{}", rejection.message);
        assert_eq!(rejection.source.cite, "the API's validation page");
        assert!(rules(case).contains(&CheckId::StatusCodeConformance.into()), "409 is undocumented too");
    }
}
