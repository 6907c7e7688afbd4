//! OpenAPI 3.2 (issue 24): a spec using the QUERY method, an additional operation (COPY), an
//! `in: querystring` parameter, `$self`, a `dataValue` example and a response `itemSchema` runs
//! against a loopback server that keeps it, every valid request read as valid, every answer
//! checked; a server that breaks the item schema of its sequence is caught; and what conform does
//! not use (an event stream's `itemSchema`) is named in a warning.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use conform::case::CaseKind;
use conform::check::CheckId;
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::run::{RunConfig, RunResult, Verdict, run};
use conform::spec::load_spec;
use serde_json::{Value, json};

#[path = "support/cli.rs"]
mod cli;

fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/openapi32/search.yaml")
}

/// (method, path and query) of every request the server was sent.
type Log = Arc<Mutex<Vec<(String, String)>>>;

fn problem(status: StatusCode, detail: &str) -> Response {
    (status, axum::Json(json!({"detail": detail}))).into_response()
}

fn products() -> Value {
    json!([{"name": "kite", "category": "toys"}])
}

/// The search API as its 3.2 spec says (`broken_feed`: the feed's second item has no category).
fn answer(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8], broken_feed: bool) -> Response {
    let allow = |methods: &str| (StatusCode::METHOD_NOT_ALLOWED, [("allow", methods.to_owned())]).into_response();
    match (uri.path(), method.as_str()) {
        ("/v1/products", "QUERY") => {
            let json = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("application/json"));
            if !json {
                return problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send the filter as application/json");
            }
            let Ok(Value::Object(filter)) = serde_json::from_slice::<Value>(body) else {
                return problem(StatusCode::BAD_REQUEST, "a JSON object");
            };
            let category =
                filter.get("category").and_then(Value::as_str).is_some_and(|c| ["toys", "books"].contains(&c));
            let price = filter.get("maxPrice").is_none_or(|p| p.as_f64().is_some_and(|p| p >= 0.0));
            if category && price {
                axum::Json(products()).into_response()
            } else {
                problem(StatusCode::BAD_REQUEST, "category, maxPrice")
            }
        }
        ("/v1/products", "GET") => {
            let pairs: Vec<(String, String)> =
                url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).into_owned().collect();
            let term = pairs.iter().find(|(n, _)| n == "term").map(|(_, v)| v.as_str());
            let term_ok =
                term.is_some_and(|t| (1..=12).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_lowercase()));
            let limit_ok = pairs
                .iter()
                .find(|(n, _)| n == "limit")
                .is_none_or(|(_, l)| l.parse::<i64>().is_ok_and(|l| (1..=10).contains(&l)));
            if term_ok && limit_ok {
                axum::Json(products()).into_response()
            } else {
                problem(StatusCode::BAD_REQUEST, "term, limit")
            }
        }
        ("/v1/products", "COPY") => StatusCode::NO_CONTENT.into_response(),
        ("/v1/products", _) => allow("GET, QUERY, COPY"),
        ("/v1/feed", "GET") => {
            let second =
                if broken_feed { json!({"name": "book"}) } else { json!({"name": "book", "category": "books"}) };
            let lines = format!("{}\n{}\n", json!({"name": "kite", "category": "toys"}), second);
            ([("content-type", "application/jsonl")], lines).into_response()
        }
        ("/v1/feed", _) => allow("GET"),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve(broken_feed: bool) -> (String, Log) {
    let log = Log::default();
    let record = log.clone();
    let app = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let record = record.clone();
        async move {
            record.lock().unwrap().push((method.to_string(), uri.to_string()));
            answer(&method, &uri, &headers, &body, broken_feed)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, log)
}

async fn run_search(broken_feed: bool) -> (RunResult, Log) {
    let spec = load_spec(&spec_path()).expect("the 3.2 spec loads");
    let (url, log) = serve(broken_feed).await;
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![url],
        plan: PlanOptions { cases: 8, seed: 5, shard: None },
        strict: true,
        concurrency: 4,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    (run(config, |_| {}).await.expect("the run starts"), log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_querystring_and_additional_operations_run() {
    let (result, log) = run_search(false).await;
    let failures: Vec<String> = result.failures().map(|(c, f)| format!("{}: {}", c.id, f.message)).collect();
    assert_eq!(result.verdict(), Verdict::Conformant, "{failures:#?}");
    assert!(failures.is_empty(), "{failures:#?}");
    for case in result.cases.iter().filter(|c| matches!(c.kind, CaseKind::Positive | CaseKind::Example { .. })) {
        let status = case.response.as_ref().map(|r| r.status);
        assert!(status.is_some_and(|s| s < 300), "{} was answered {status:?}", case.id);
    }
    let seen = log.lock().unwrap().clone();
    assert!(seen.iter().any(|(m, _)| m == "QUERY"), "{seen:?}");
    assert!(seen.iter().any(|(m, _)| m == "COPY"), "{seen:?}");
    assert!(
        seen.iter().any(|(m, u)| m == "GET" && u.starts_with("/v1/products?term=")),
        "the querystring's fields: {seen:?}"
    );
    // The request example given as 3.2's `dataValue` is sent.
    let example = result.cases.iter().find(|c| matches!(&c.kind, CaseKind::Example { name } if name == "toys"));
    let example = example.expect("the dataValue example is a case");
    assert!(example.request.as_ref().and_then(|r| r.body_text()).is_some_and(|b| b.contains("\"maxPrice\":20")));
    // The feed's items were checked against `itemSchema`.
    let feed: Vec<_> = result.cases.iter().filter(|c| c.operation == "feed" && c.kind == CaseKind::Positive).collect();
    assert!(!feed.is_empty() && feed.iter().all(|c| c.rules.iter().any(|r| *r == CheckId::ResponseSchemaConformance)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sequence_item_that_breaks_its_item_schema_is_caught() {
    let (result, _) = run_search(true).await;
    assert_eq!(result.verdict(), Verdict::Nonconformant);
    let caught: Vec<String> = result
        .failures()
        .filter(|(c, f)| c.operation == "feed" && f.rule == CheckId::ResponseSchemaConformance)
        .map(|(_, f)| f.message.clone())
        .collect();
    assert!(!caught.is_empty() && caught.iter().all(|m| m.contains("/1: ")), "{caught:#?}");
}

#[test]
fn lint_names_what_conform_does_not_use() {
    let output = cli::conform(&["lint", spec_path().to_str().unwrap()]);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("no problems (1 warning(s))"), "{stdout}");
    assert!(stderr.contains("the `itemSchema` of `text/event-stream` is not used"), "{stderr}");
    let spec = load_spec(&spec_path()).unwrap();
    let methods: BTreeMap<&str, &str> = spec.operations.iter().map(|o| (o.id.as_str(), o.method.as_str())).collect();
    assert_eq!(methods["search-products"], "QUERY");
    assert_eq!(methods["copy-products"], "COPY");
    assert_eq!(spec.version, "3.2.0");
}
