//! Nothing the target does wrong is dropped while shrinking. The server here answers every item
//! with a body its schema refuses (`id` must be an integer), and crashes (500) on one input only:
//! an empty `name`, which no generated case sends but shrinking goes to. The failing case is
//! shrunk by the schema rule; the crash met on the way is a finding of its own, with its own
//! request, answer and curl line, and every report shows it as a case.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use conform::check::CheckId;
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::run::{CaseStatus, RunConfig, Verdict, run};
use serde_json::{Value, json};

#[path = "support/loopback.rs"]
mod loopback;

const SPEC: &str = r#"
openapi: 3.1.0
info: {title: Items, version: "1"}
paths:
  /items:
    post:
      operationId: create-item
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string, maxLength: 12}
      responses:
        '200':
          description: Created.
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
        '400': {description: Invalid input.}
"#;

async fn create(body: axum::body::Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if body.get("name") == Some(&json!("")) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "index out of range").into_response();
    }
    axum::Json(json!({"id": "item-1"})).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_met_while_shrinking_is_reported_with_its_own_reproduction() {
    let spec = conform::spec::load_spec(&loopback::spec_file("items", SPEC)).unwrap();
    let url = loopback::serve(Router::new().route("/items", post(create))).await;
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![url],
        plan: PlanOptions { cases: 3, seed: 3, shard: None },
        // (issue 25) Not the coverage phase: its empty name would meet the crash without shrinking.
        phases: "examples,fuzzing".parse().unwrap(),
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.unwrap();
    let crashes = |c: &conform::run::CaseResult| c.failures.iter().any(|f| f.rule == CheckId::NotAServerError);
    // No case of the plan sent an empty name: only shrinking met the crash.
    let planned: Vec<_> = result.cases.iter().filter(|c| c.found_while_shrinking.is_none()).collect();
    let crashed: Vec<String> =
        planned.iter().filter(|c| crashes(c)).map(|c| format!("{} {:?}", c.id, c.request)).collect();
    assert!(crashed.is_empty(), "a planned case crashed the server: the test needs another seed: {crashed:#?}");
    let shrunk = planned.iter().find(|c| c.shrink_steps > 0).expect("a failing case was shrunk");
    assert!(shrunk.failures.iter().all(|f| f.rule == CheckId::ResponseSchemaConformance), "{:?}", shrunk.failures);

    let found: Vec<_> = result.cases.iter().filter(|c| c.found_while_shrinking.is_some()).collect();
    assert_eq!(found.len(), 1, "one finding per rule per shrunk case: {found:#?}");
    let finding = found[0];
    assert_eq!(finding.found_while_shrinking.as_ref(), Some(&shrunk.id));
    assert_eq!(finding.id.as_str(), format!("{}::found-while-shrinking::1", shrunk.id));
    assert_eq!((&finding.operation, &finding.kind), (&shrunk.operation, &shrunk.kind));
    assert_eq!(finding.status, CaseStatus::Failed);
    // The crash, and its text/plain page where the operation produces JSON (a warning).
    let rules: Vec<_> = finding.failures.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["not_a_server_error", "content_type_conformance"], "{:?}", finding.failures);
    assert_eq!(finding.response.as_ref().map(|r| r.status), Some(500));
    let body = finding.request.as_ref().unwrap().body_text().unwrap_or_default();
    assert!(body.contains(r#""name":"""#), "its own request, the one that crashed: {body}");
    assert!(finding.curl.as_ref().is_some_and(|c| c.contains(r#""name":"""#)), "{:?}", finding.curl);
    let at = result.cases.iter().position(|c| c.id == shrunk.id).unwrap();
    assert_eq!(result.cases[at + 1].id, finding.id, "the finding follows the case it was met shrinking");
    assert_eq!(result.verdict(), Verdict::Nonconformant);

    // The requests say where the traffic went: each case once, and shrinking's many more.
    let requests = result.requests;
    assert_eq!(requests.positive + requests.negative + requests.coverage + requests.protocol, planned.len() as u64);
    assert!(requests.shrinking > 1, "{requests:?}");
    assert_eq!(requests.sandbox, 1, "the handshake");

    // Every report shows the finding as a case of its own.
    let markdown = conform::report::render(conform::report::Format::Markdown, &result).unwrap();
    assert!(markdown.contains("found-while-shrinking"), "{markdown}");
    let console = conform::report::console::render(&result);
    assert!(console.contains(finding.id.as_str()), "{console}");
}
