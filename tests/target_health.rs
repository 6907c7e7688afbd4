//! Targets that fail below HTTP. One that drops a single request's connection, on a well-formed
//! value, while it answers every other request, crashed on that input: a finding with its
//! reproduction, like a 5xx, not a harness error. One that stops answering altogether (it
//! accepts connections and says nothing, or goes away in the middle of the run) is given up
//! after a few failures in a row: its remaining cases are errors, and the run ends with exit 2,
//! naming the URL and what happened, instead of every case waiting out its own timeout.

use std::time::Duration;

use conform::check::CheckId;
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::run::{CaseStatus, EarlyStop, RunConfig, RunResult, run};
use loopback::{Reply, Request};

#[path = "support/cli.rs"]
mod cli;
#[path = "support/loopback.rs"]
mod loopback;

const SPEC: &str = r#"
openapi: 3.1.0
info: {title: Things, version: "1"}
paths:
  /things:
    post:
      operationId: create-thing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [kind]
              properties:
                kind: {type: string, enum: [plain, boom]}
            examples:
              boom: {value: {kind: boom}}
      responses:
        '200':
          description: Created.
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {type: boolean}}}
        '400': {description: Invalid input.}
        '405': {description: Not allowed.}
        '415': {description: Not JSON.}
"#;

/// A correct server for the spec, except that `{"kind": "boom"}` kills the connection.
fn things(request: &Request) -> Reply {
    let json = |status: u16, body: &str| Reply::Json(status, Vec::new(), body.to_owned());
    if request.path != "/things" {
        return json(404, "{}");
    }
    if request.method != "POST" {
        return Reply::Json(405, vec![("Allow", "POST")], "{}".to_owned());
    }
    if request.header("content-type") != Some("application/json") {
        return json(415, "{}");
    }
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
    match body.get("kind").and_then(|k| k.as_str()) {
        Some("boom") if body.as_object().is_some_and(|o| o.len() == 1) => Reply::Drop,
        Some("plain" | "boom") => json(200, r#"{"ok": true}"#),
        _ => json(400, "{}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_on_one_input_is_a_crash_with_its_reproduction() {
    let spec = conform::spec::load_spec(&loopback::spec_file("things", SPEC)).unwrap();
    let server = loopback::raw_server(things, None).await;
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![server.url.clone()],
        plan: PlanOptions { cases: 4, seed: 2, shard: None },
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.unwrap();
    let crash = result.cases.iter().find(|c| c.id.as_str() == "things::create-thing::example::boom").unwrap();
    assert_eq!(crash.status, CaseStatus::Failed, "a finding, not a harness error: {:?}", crash.status);
    assert_eq!(crash.failures.len(), 1, "{:?}", crash.failures);
    let failure = &crash.failures[0];
    assert_eq!(failure.rule, CheckId::NotAServerError);
    assert!(failure.severity.fails_run(false));
    assert!(failure.message.contains("closed the connection before any answer"), "{}", failure.message);
    assert!(failure.message.contains("again when the request was sent once more"), "{}", failure.message);
    assert!(
        crash.curl.as_ref().is_some_and(|c| c.contains(r#"{"kind":"boom"}"#)),
        "its reproduction: {:?}",
        crash.curl
    );
    assert_eq!(crash.response, None, "there was no answer");
    // Every other request was answered: nothing is an error, the target was not given up.
    let errors: Vec<_> = result.cases.iter().filter(|c| matches!(c.status, CaseStatus::Error(_))).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(result.stopped.is_empty(), "{:?}", result.stopped);
    assert!(result.requests.retries >= 1, "the dropped request was sent once more: {:?}", result.requests);
    let others: Vec<_> = result.cases.iter().filter(|c| c.status == CaseStatus::Failed).collect();
    assert!(
        others.iter().all(|c| c.failures.iter().all(|f| f.rule == CheckId::NotAServerError)),
        "only the crashes fail: {others:#?}"
    );
}

/// Runs the binary on the spec against `url`, with a short timeout and `cases` positive cases,
/// and reads its JSON report.
async fn run_binary(url: &str, name: &str, cases: &str) -> (Option<i32>, String, RunResult) {
    let spec = loopback::spec_file(name, SPEC);
    let report = spec.with_extension("json");
    let args = ["run", "--spec", spec.to_str().unwrap(), "--target", url, "--timeout", "0.3", "--cases", cases]
        .into_iter()
        .chain(["--concurrency", "2", "--seed", "1"])
        .map(str::to_owned)
        .collect();
    cli::conform_with_json(args, &report).await
}

/// What a given-up target's run must show: exit 2, the stop naming the URL, errors and no
/// failures, and far fewer requests than cases.
fn assert_given_up(code: Option<i32>, printed: &str, result: &RunResult, url: &str) {
    assert_eq!(code, Some(2), "{printed}");
    assert!(printed.contains(&format!("stopped testing {url}: it stopped answering: ")), "{printed}");
    let [EarlyStop::TargetStopped { url: named, message, cases }] = result.stopped.as_slice() else {
        panic!("one target stopped: {:?}", result.stopped)
    };
    assert_eq!(named, url);
    assert!(message.contains("requests in a row got no answer"), "{message}");
    assert!(*cases > 0, "its remaining cases were not sent");
    let total = result.total_cases();
    assert_eq!(result.count(|s| *s == CaseStatus::Failed), 0, "its cases are errors, not failures");
    assert!(result.count(|s| matches!(s, CaseStatus::Error(_))) >= *cases);
    assert!(result.requests.total() < total as u64, "{} requests for {total} cases", result.requests.total());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_never_answers_is_given_up() {
    let server = loopback::raw_server(|_| Reply::Silent, None).await;
    let (code, printed, result) = run_binary(&server.url, "silent", "10").await;
    assert_given_up(code, &printed, &result, &server.url);
    assert!(printed.contains("no complete answer within 300 ms"), "what happened: {printed}");
    assert_eq!(server.answered.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_goes_away_mid_run_is_given_up() {
    let server = loopback::raw_server(things_without_crash, Some(12)).await;
    // Enough cases that those after it went away outnumber the requests it took to give it up.
    let (code, printed, result) = run_binary(&server.url, "vanishing", "40").await;
    assert_given_up(code, &printed, &result, &server.url);
    let passed = result.count(|s| *s == CaseStatus::Passed);
    assert!(passed >= 5, "the cases before it went away ran and passed: {passed}\n{printed}");
}

/// [`things`], without the crash.
fn things_without_crash(request: &Request) -> Reply {
    match things(request) {
        Reply::Drop => Reply::Json(200, Vec::new(), r#"{"ok": true}"#.to_owned()),
        reply => reply,
    }
}
