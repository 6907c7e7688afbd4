//! (issue 25) Two findings Schemathesis makes on any spec, over real loopback HTTP, on a spec with
//! no `x-conform-*` extension but one opt-out:
//! - `positive_data_acceptance`: a server with a rule its schemas do not state (ids of letters and
//!   digits only, names in ASCII) refuses spec-valid requests and the spec's own request example
//!   with 400/422: warnings, citing the spec's schemas; an operation that opts out
//!   (`x-conform-accepts-valid-input: false`) is not judged.
//! - `content_type_conformance` on an undocumented status: an HTML page for a 404 from an
//!   operation that produces only JSON is a warning; the HTML 405 a method probe gets is not the
//!   operation's answer, and is not judged by it.
//!
//! The twin server, which honours the spec, gives no failure at all, even under `--strict`.

#[path = "support/loopback.rs"]
mod loopback;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use conform::check::{CheckId, Severity};
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::run::{CaseStatus, RunConfig, RunResult, Verdict, run};
use serde_json::{Value, json};

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: items, version: "1"}
paths:
  /items/{itemId}:
    get:
      operationId: show-item
      parameters:
        - {name: itemId, in: path, required: true, schema: {type: string, minLength: 1, maxLength: 20}}
      responses:
        '200': {description: The item., content: {application/json: {schema: {type: object}}}}
        '400': {description: Bad id., content: {application/json: {schema: {type: object}}}}
  /items:
    post:
      operationId: create-item
      requestBody:
        required: true
        content: {application/json: {
          schema: {type: object, required: [name], properties: {name: {type: string, minLength: 1, maxLength: 20}}},
          examples: {accented: {value: {name: "Zoë"}}}}}
      responses:
        '200': {description: Created., content: {application/json: {schema: {type: object}}}}
        '422': {description: Refused., content: {application/json: {schema: {type: object}}}}
  /tags/{tag}:
    get:
      operationId: show-tag
      # The server refuses tags outside its own list, a business rule the schema does not state.
      x-conform-accepts-valid-input: false
      parameters:
        - {name: tag, in: path, required: true, schema: {type: string, minLength: 1, maxLength: 20}}
      responses:
        '200': {description: The tag., content: {application/json: {schema: {type: object}}}}
        '400': {description: Unknown tag., content: {application/json: {schema: {type: object}}}}
"#;

fn refusal(status: StatusCode) -> Response {
    (status, axum::Json(json!({"error": "refused"}))).into_response()
}

/// A string of 1 to 20 characters, as the spec's schemas say.
fn fits(text: &str) -> bool {
    (1..=20).contains(&text.chars().count())
}

/// `honest`: the twin that honours the spec. Otherwise ids must be ASCII letters and digits,
/// names ASCII, and a wrong method gets an HTML page.
fn app(honest: bool) -> Router {
    let show = move |Path(id): Path<String>| async move {
        if !fits(&id) || (!honest && !id.chars().all(|c| c.is_ascii_alphanumeric())) {
            return refusal(StatusCode::BAD_REQUEST);
        }
        axum::Json(json!({"id": id})).into_response()
    };
    let create = move |headers: HeaderMap, body: Bytes| async move {
        let json = headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if !json {
            return refusal(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
        let name = match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(body)) => match body.get("name") {
                Some(Value::String(name)) if fits(name) => name.clone(),
                _ => return refusal(StatusCode::UNPROCESSABLE_ENTITY),
            },
            _ => return refusal(StatusCode::UNPROCESSABLE_ENTITY),
        };
        if !honest && !name.is_ascii() {
            return refusal(StatusCode::UNPROCESSABLE_ENTITY);
        }
        axum::Json(json!({"name": name})).into_response()
    };
    let tag = move |Path(tag): Path<String>| async move {
        match (tag == "red", honest) {
            (true, _) => axum::Json(json!({"tag": tag})).into_response(),
            (false, true) => refusal(StatusCode::BAD_REQUEST),
            (false, false) => {
                (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html")], "<h1>404</h1>").into_response()
            }
        }
    };
    let not_allowed = move |allow: &'static str| {
        let body = if honest { json!({"error": "method"}).to_string() } else { "<h1>405</h1>".to_owned() };
        let media = if honest { "application/json" } else { "text/html" };
        (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, allow), (header::CONTENT_TYPE, media)], body).into_response()
    };
    let empty = || async { refusal(StatusCode::BAD_REQUEST) };
    Router::new()
        .route("/items/{itemId}", get(show).fallback(move || async move { not_allowed("GET") }))
        .route("/items", post(create).fallback(move || async move { not_allowed("POST") }))
        .route("/tags/{tag}", get(tag).fallback(move || async move { not_allowed("GET") }))
        .route("/items/", get(empty))
        .route("/tags/", get(empty))
}

async fn run_against(honest: bool) -> RunResult {
    let path = loopback::spec_file("items", SPEC);
    let spec = conform::spec::load_spec(&path).expect("the spec loads");
    let url = loopback::serve(app(honest)).await;
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![url],
        plan: PlanOptions { cases: 20, seed: 3, shard: None },
        strict: true,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    run(config, |_| {}).await.expect("the run starts")
}

fn listed(result: &RunResult) -> String {
    result
        .failures()
        .map(|(c, f)| format!("{} [{}] {} ({})", c.id, f.rule, f.message, f.source))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_valid_refusals_and_undocumented_html_are_warnings() {
    let result = run_against(false).await;
    let all = listed(&result);
    let refused: Vec<_> = result.failures().filter(|(_, f)| f.rule == CheckId::PositiveDataAcceptance).collect();
    let operations: std::collections::BTreeSet<&str> = refused.iter().map(|(c, _)| c.operation.as_str()).collect();
    assert_eq!(operations, ["create-item", "show-item"].into(), "the opted-out show-tag is not judged:\n{all}");
    for (_, failure) in &refused {
        assert_eq!(failure.severity, Severity::Warning, "{all}");
        assert!(failure.source.cite.contains("parameter and body schemas accept"), "{}", failure.source);
    }
    assert!(
        refused.iter().any(|(_, f)| f.message == "the spec's request example `accented` was refused with 422"),
        "the spec's own example:\n{all}"
    );
    assert!(refused.iter().any(|(_, f)| f.message == "valid input was refused with 400"), "{all}");

    // The HTML 404 of show-tag is reported; the HTML 405s its method probes get belong to no
    // operation (unsupported_method judges them, and they carry Allow).
    let html: Vec<_> = result.failures().filter(|(_, f)| f.rule == CheckId::ContentTypeConformance).collect();
    assert!(!html.is_empty(), "the HTML 404 is reported:\n{all}");
    for (case, failure) in &html {
        assert_eq!(case.operation, "show-tag", "{all}");
        assert_ne!(case.kind.label(), "protocol", "{all}");
        assert_eq!(failure.severity, Severity::Warning);
        assert!(failure.message.contains("`text/html` of an undocumented status 404"), "{}", failure.message);
    }
    // Beside the warnings, only the undocumented 404 itself, status_code_conformance's error.
    let errors: Vec<_> = result.failures().filter(|(_, f)| f.severity != Severity::Warning).collect();
    assert!(!errors.is_empty(), "{all}");
    for (case, failure) in errors {
        assert_eq!((case.operation.as_str(), failure.rule.as_str()), ("show-tag", "status_code_conformance"), "{all}");
    }
    assert_eq!(result.verdict(), Verdict::Nonconformant);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_twin_that_honours_the_spec_passes() {
    let result = run_against(true).await;
    let ran = result.count(|s| matches!(s, CaseStatus::Passed | CaseStatus::Failed));
    assert!(ran >= 20, "the cases ran: {ran}");
    assert_eq!(result.failures().count(), 0, "{}", listed(&result));
    assert_eq!(result.verdict(), Verdict::Conformant);
}
