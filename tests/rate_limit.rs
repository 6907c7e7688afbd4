//! The rate-limit contract against a small target whose 429s are set by each test: a well-formed
//! 429 is waited out (or, on a sandbox, the clock is moved) and the request retried; a 429 that
//! does not say when to come back is a failure; `--rate-limit` paces conform's own requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use conform::check::CheckId;
use conform::http::{HttpClient, Limits, PreparedRequest};
use conform::plan::PlanOptions;
use conform::run::{CaseStatus, RunConfig, RunResult, Verdict, run};
use serde_json::{Value, json};

/// How the target answers `GET /thing` while it is "rate-limited".
#[derive(Clone, Copy)]
enum Limit {
    /// 429 with `Retry-After: N` (and the same wait in the body) for the first call only.
    Once(u64),
    /// 429 without Retry-After, always.
    Flaky,
    /// 429 with `Retry-After: N`, always: the wait it asks for does not help.
    Always(u64),
    /// 429 until the sandbox clock has moved N seconds.
    UntilClock(u64),
}

struct Target {
    limit: Limit,
    calls: AtomicU64,
    clock: AtomicU64,
}

async fn thing(State(target): State<Arc<Target>>) -> (StatusCode, HeaderMap, String) {
    let call = target.calls.fetch_add(1, Ordering::SeqCst);
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    let limited = match target.limit {
        Limit::Once(seconds) if call == 0 => Some(Some(seconds)),
        Limit::Flaky => Some(None),
        Limit::Always(seconds) => Some(Some(seconds)),
        Limit::UntilClock(seconds) if target.clock.load(Ordering::SeqCst) < seconds => Some(Some(seconds)),
        _ => None,
    };
    match limited {
        Some(Some(seconds)) => {
            headers.insert("retry-after", seconds.to_string().parse().unwrap());
            (
                StatusCode::TOO_MANY_REQUESTS,
                headers,
                json!({"message": "Too Many Attempts.", "retryAfter": seconds}).to_string(),
            )
        }
        Some(None) => (StatusCode::TOO_MANY_REQUESTS, headers, json!({"message": "Too Many Attempts."}).to_string()),
        None => (StatusCode::OK, headers, json!({"ok": true}).to_string()),
    }
}

/// The sandbox handshake for this test's spec (its id, `limited`, is its sandbox api).
async fn handshake() -> (HeaderMap, String) {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    (headers, json!({"sandbox": "conform", "version": 1, "apis": ["limited"]}).to_string())
}

async fn clock(State(target): State<Arc<Target>>, body: String) -> (HeaderMap, String) {
    let seconds = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["advance_seconds"].as_u64()).unwrap_or(0);
    target.clock.fetch_add(seconds, Ordering::SeqCst);
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    (headers, json!({"now": "2026-11-24T17:00:00Z"}).to_string())
}

async fn serve(limit: Limit, sandbox: bool) -> (String, Arc<Target>) {
    let target = Arc::new(Target { limit, calls: AtomicU64::new(0), clock: AtomicU64::new(0) });
    let mut app = Router::new().route("/thing", get(thing));
    if sandbox {
        app = app.route("/__sandbox", get(handshake)).route("/__sandbox/clock", post(clock));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = app.with_state(target.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, target)
}

const SPEC: &str = r#"
openapi: 3.1.0
info: {title: limited, version: '1'}
paths:
  /thing:
    get:
      operationId: get-thing
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {type: object, required: [ok], properties: {ok: {const: true}}}}}
        '405': {description: method, headers: {Allow: {required: true, schema: {type: string}}}}
        '429':
          description: slow down
          headers: {Retry-After: {schema: {type: string}}}
          content: {application/json: {schema: {type: object}}}
"#;

async fn run_against(url: String) -> (RunResult, Duration) {
    let spec = conform::spec::spec_from_document(
        std::path::Path::new("limited.yaml"),
        conform::spec::parse_resolved(std::path::Path::new("limited.yaml"), SPEC).unwrap(),
    )
    .unwrap();
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![url],
        checks: Some(vec![
            CheckId::RateLimitConformance,
            CheckId::StatusCodeConformance,
            CheckId::ResponseSchemaConformance,
        ]),
        plan: PlanOptions { cases: 1, seed: 1, shard: None },
        strict: true,
        concurrency: 1,
        ..RunConfig::default()
    };
    let started = Instant::now();
    let result = run(config, |_| {}).await.unwrap();
    (result, started.elapsed())
}

fn positive(result: &RunResult) -> &conform::run::CaseResult {
    result.cases.iter().find(|c| c.id.as_str() == "limited::get-thing::positive::0").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_well_formed_429_is_waited_out_and_retried() {
    let (url, target) = serve(Limit::Once(1), false).await;
    let (result, elapsed) = run_against(url).await;
    let case = positive(&result);
    assert_eq!(case.status, CaseStatus::Passed, "{:?}", case.failures);
    assert!(case.rules.iter().any(|r| *r == CheckId::RateLimitConformance), "the 429 was judged");
    assert_eq!(case.response.as_ref().unwrap().status, 200, "the retry is what counts");
    assert_eq!(target.calls.load(Ordering::SeqCst), 2, "one 429, one retry");
    assert!(elapsed >= Duration::from_secs(1), "conform waited as Retry-After asked ({elapsed:?})");
    assert_eq!(result.verdict(), Verdict::Conformant);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_without_retry_after_is_a_failure() {
    let (url, _) = serve(Limit::Flaky, false).await;
    let (result, _) = run_against(url).await;
    let case = positive(&result);
    assert_eq!(case.failures.len(), 1, "{:?}", case.failures);
    assert_eq!(case.failures[0].rule, CheckId::RateLimitConformance);
    assert!(case.failures[0].message.contains("without a Retry-After"));
    assert_eq!(result.verdict(), Verdict::Nonconformant);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn still_limited_after_the_wait_is_a_failure() {
    let (url, target) = serve(Limit::Always(1), false).await;
    let (result, _) = run_against(url).await;
    let case = positive(&result);
    // Each attempt is one 429 and one retry after the wait; the failing case is run once, then
    // once more in the shrink phase (its input, a bare GET, has nothing to shrink).
    assert_eq!(case.shrink_steps, 0);
    assert_eq!(target.calls.load(Ordering::SeqCst), 2 * 2, "one wait, one retry, no more, per attempt");
    assert_eq!(case.failures.len(), 1, "{:?}", case.failures);
    assert_eq!(case.failures[0].rule, CheckId::RateLimitConformance);
    assert!(case.failures[0].message.contains("still 429 after waiting the 1 s"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_wait_is_skipped_not_waited() {
    let (url, target) = serve(Limit::Once(3600), false).await;
    let (result, elapsed) = run_against(url).await;
    let case = positive(&result);
    assert!(
        matches!(&case.status, CaseStatus::Skipped(r) if r.contains("rate-limited by the target for 3600 s")),
        "{:?}",
        case.status
    );
    assert_eq!(target.calls.load(Ordering::SeqCst), 1);
    // Not waited at all: had conform waited, it would have waited at least its own cap (30 s).
    assert!(matches!(&case.status, CaseStatus::Skipped(r) if r.contains("not waited")), "{:?}", case.status);
    assert!(elapsed < Duration::from_secs(30), "the run took {elapsed:?}: conform waited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_sandbox_the_clock_moves_instead() {
    let (url, target) = serve(Limit::UntilClock(600), true).await;
    let (result, _) = run_against(url).await;
    let case = positive(&result);
    assert_eq!(case.status, CaseStatus::Passed, "{:?}", case.status);
    assert_eq!(target.clock.load(Ordering::SeqCst), 600, "conform moved the clock by Retry-After");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_paces_requests() {
    // A lower bound only: a slow machine makes it longer, never shorter.
    let (url, target) = serve(Limit::Once(0), false).await;
    let limits = Limits { min_interval: Some(Duration::from_millis(50)), ..Limits::default() };
    let client = HttpClient::new(limits).unwrap();
    // Six calls in a row on loopback take milliseconds unpaced; at 20/s they cannot take under 250 ms.
    let started = Instant::now();
    for _ in 0..6 {
        client.send(&PreparedRequest::new("GET", format!("{url}/thing"))).await.unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(250), "6 requests at 20/s took {:?}", started.elapsed());
    assert_eq!(target.calls.load(Ordering::SeqCst), 6);
}
