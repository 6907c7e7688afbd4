//! A free-form object query parameter (OpenAPI 3 `style: form`, `explode: true`, its default) is
//! sent as its `key=value` pairs, with generated keys, in a Swagger 2.0 spec that writes it as
//! OpenAPI 3 does (httpbin 0.10.4's `GET /response-headers`) and in an OpenAPI 3 spec. The
//! coverage phase gives its values the ordinary texts, a newline among them: a server of this
//! test's own that copies each pair into a response header crashes on it, as httpbin did, and is
//! reported; its twin, which leaves out what cannot be a header, passes with no failure.

#[path = "support/loopback.rs"]
mod loopback;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::run::{RunConfig, RunResult, run};

/// httpbin's parameter, as its flasgger spec writes it.
const SWAGGER: &str = r#"
swagger: "2.0"
info: {title: headers, version: "1"}
produces: [application/json]
paths:
  /response-headers:
    get:
      operationId: response-headers
      parameters:
        - in: query
          name: freeform
          explode: true
          allowEmptyValue: true
          style: form
          schema: {type: object, additionalProperties: {type: string}}
      responses:
        '200': {description: Response headers, schema: {type: object}}
"#;

/// The same in OpenAPI 3, stating no serialisation (an exploded form is the default).
const OPENAPI: &str = r#"
openapi: 3.0.3
info: {title: headers, version: "1"}
paths:
  /response-headers:
    get:
      operationId: response-headers
      parameters: [{in: query, name: freeform, schema: {type: object, additionalProperties: {type: string}}}]
      responses: {'200': {description: Response headers, content: {application/json: {schema: {type: object}}}}}
"#;

/// The query strings the server was sent.
type Log = Arc<Mutex<Vec<String>>>;

#[derive(Clone)]
struct Server {
    /// Whether a pair that cannot be a header crashes the server (httpbin) or is left out.
    crashes: bool,
    log: Log,
}

/// Copies every query pair into a response header, as httpbin's `/response-headers` does.
async fn response_headers(State(server): State<Server>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    server.log.lock().unwrap().push(query.clone());
    let mut response = (StatusCode::OK, [("content-type", "application/json")], "{}").into_response();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let header = (HeaderName::from_bytes(key.as_bytes()), HeaderValue::from_str(&value));
        match header {
            (Ok(name), Ok(value)) => {
                response.headers_mut().append(name, value);
            }
            (Ok(_), Err(_)) if server.crashes => {
                return (StatusCode::INTERNAL_SERVER_ERROR, "header values must not hold a newline").into_response();
            }
            _ => {}
        }
    }
    response
}

async fn run_against(spec: &str, crashes: bool) -> (RunResult, Vec<String>) {
    let log = Log::default();
    let app = Router::new()
        .route("/response-headers", get(response_headers))
        .with_state(Server { crashes, log: log.clone() });
    let path = loopback::spec_file("freeform", spec);
    let spec = conform::spec::load_spec(&path).expect("the spec loads");
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![loopback::serve(app).await],
        plan: PlanOptions { cases: 10, seed: 5, shard: None },
        strict: true,
        concurrency: 2,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.expect("the run starts");
    let queries = log.lock().unwrap().clone();
    (result, queries)
}

fn failures(result: &RunResult) -> Vec<(String, String)> {
    result.failures().map(|(case, failure)| (case.id.to_string(), failure.rule.as_str().to_owned())).collect()
}

async fn the_crash_is_found_and_the_twin_passes(spec: &str) {
    let (twin, queries) = run_against(spec, false).await;
    assert!(failures(&twin).is_empty(), "the twin has no failure: {:#?}", failures(&twin));
    let names: Vec<String> = queries
        .iter()
        .flat_map(|q| url::form_urlencoded::parse(q.as_bytes()).map(|(k, _)| k.into_owned()).collect::<Vec<_>>())
        .collect();
    assert!(!names.iter().any(|n| n == "freeform"), "the object's pairs are sent, not its name: {queries:?}");
    assert!(names.iter().any(|n| n == "conform"), "the coverage pairs: {queries:?}");
    assert!(names.iter().any(|n| n != "conform"), "generated keys: {queries:?}");
    assert!(queries.iter().any(|q| q.contains("conform=a%0Ab")), "a newline in a value: {queries:?}");

    let (buggy, _) = run_against(spec, true).await;
    let found = failures(&buggy);
    assert!(
        found
            .iter()
            .any(|(id, rule)| id.ends_with("coverage.query.freeform.conform-newline") && rule == "not_a_server_error"),
        "the newline's crash: {found:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swagger_free_form_query_object_is_sent_as_pairs() {
    the_crash_is_found_and_the_twin_passes(SWAGGER).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openapi_query_object_is_sent_as_pairs_by_default() {
    the_crash_is_found_and_the_twin_passes(OPENAPI).await;
}
