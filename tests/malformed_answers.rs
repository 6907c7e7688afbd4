//! A target that answers with bytes that are not valid HTTP (RFC 9112): a field value holding a
//! NUL byte (httpbin copies a query value into a response header), a status line whose code is
//! not three digits (httpbin's `/status/-1`). The target answered, and broke HTTP: each such
//! request fails `not_a_server_error` with its reproduction, as a crash does, and is not a
//! harness error (exit 1, not 2). The same target answering properly fails nothing.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/loopback.rs"]
mod loopback;

use conform::check::CheckId;
use conform::run::{CaseStatus, RunResult};
use loopback::{Reply, Request};

/// Three operations: `/echo` (its value must be three characters or more), `/status` and `/fine`.
const SPEC: &str = r#"
openapi: 3.1.0
info: {title: Echo, version: "1"}
paths:
  /echo:
    get:
      operationId: echo-header
      parameters:
        - {name: value, in: query, required: true, schema: {type: string, minLength: 3}}
      responses:
        '200': &ok
          description: The value, echoed in a header.
          content:
            application/json:
              schema: {type: object, required: [ok], properties: {ok: {type: boolean}}}
        '400': {description: No value of three characters or more.}
        '405': {description: Not allowed.}
  /status:
    get:
      operationId: odd-status
      responses:
        '200': *ok
        '405': {description: Not allowed.}
  /fine:
    get:
      operationId: fine
      responses:
        '200': *ok
        '405': {description: Not allowed.}
"#;

/// The paths the spec has, each answering GET with `{"ok": true}` and any other method with 405.
fn proper(request: &Request) -> Reply {
    let path = request.path.split('?').next().unwrap_or_default();
    if !["/echo", "/status", "/fine"].contains(&path) {
        return Reply::Json(404, Vec::new(), "{}".to_owned());
    }
    if request.method != "GET" {
        return Reply::Json(405, vec![("Allow", "GET")], "{}".to_owned());
    }
    if path == "/echo" && !long_enough(request) {
        return Reply::Json(400, Vec::new(), "{}".to_owned());
    }
    Reply::Json(200, Vec::new(), r#"{"ok": true}"#.to_owned())
}

/// Whether the query holds a `value` of three characters or more.
fn long_enough(request: &Request) -> bool {
    let query = request.path.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let Some(raw) = query.split('&').find_map(|pair| pair.strip_prefix("value=")) else { return false };
    let (mut bytes, raw) = (Vec::new(), raw.as_bytes());
    let mut at = 0;
    while at < raw.len() {
        let hex = raw.get(at + 1..at + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (raw[at], hex) {
            (b'%', Some(byte)) => (bytes.push(byte), at += 3),
            (byte, _) => (bytes.push(byte), at += 1),
        };
    }
    String::from_utf8_lossy(&bytes).chars().count() >= 3
}

/// [`proper`], except that a GET of `/echo` with a value answers with a NUL byte in a header
/// value, and a GET of `/status` with the status code `-1`.
fn broken(request: &Request) -> Reply {
    let head = |status_line: &str, header: &[u8]| {
        let mut bytes = format!("{status_line}\r\nContent-Type: application/json\r\n").into_bytes();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(b"Content-Length: 12\r\n\r\n{\"ok\": true}");
        Reply::Raw(bytes)
    };
    match (request.method.as_str(), request.path.split('?').next().unwrap_or_default()) {
        ("GET", "/echo") if long_enough(request) => head("HTTP/1.1 200 OK", b"X-Echo: a\0b\r\n"),
        ("GET", "/status") => head("HTTP/1.1 -1 UNKNOWN", b""),
        _ => proper(request),
    }
}

/// Runs the binary on [`SPEC`] against a server that answers as `reply` says (with `extra`
/// arguments) and reads its JSON report; with the server's URL.
async fn run_binary(
    reply: fn(&Request) -> Reply,
    name: &str,
    extra: &[&str],
) -> (String, Option<i32>, String, RunResult) {
    let url = loopback::raw_server(reply, None).await.url;
    let spec = loopback::spec_file(name, SPEC);
    let report = spec.with_extension("json");
    let args = ["run", "--spec", spec.to_str().unwrap(), "--target", &url, "--cases", "3", "--seed", "1"]
        .iter()
        .chain(extra)
        .map(|a| (*a).to_owned())
        .collect();
    let (code, printed, result) = cli::conform_with_json(args, &report).await;
    (url, code, printed, result)
}

fn errors(result: &RunResult) -> usize {
    result.count(|s| matches!(s, CaseStatus::Error(_)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_is_not_http_is_the_targets_failure_not_a_harness_error() {
    let (url, code, printed, result) = run_binary(broken, "malformed", &[]).await;
    assert_eq!(code, Some(1), "a finding, not an incomplete run: {printed}");
    assert_eq!(errors(&result), 0, "{:#?}", result.cases);
    assert!(result.tally().operations.iter().all(|o| o.cases().errors == 0), "the report counts no error");
    for (operation, path, words) in [
        ("echo-header", "/echo", "invalid HTTP header parsed"),
        ("odd-status", "/status", "invalid HTTP status-code parsed"),
    ] {
        let failed: Vec<_> = result
            .cases
            .iter()
            .filter(|c| c.id.as_str().contains(&format!("::{operation}::")) && c.status == CaseStatus::Failed)
            .collect();
        assert!(!failed.is_empty(), "{operation} failed: {:#?}", result.cases);
        for case in failed {
            let [failure] = case.failures.as_slice() else { panic!("one failure: {:?}", case.failures) };
            assert_eq!(failure.rule, CheckId::NotAServerError, "{}", case.id.as_str());
            assert_eq!(
                failure.message,
                format!(
                    "the target's answer is not valid HTTP: {words} (the same when the request was sent once more)"
                ),
                "{}",
                case.id.as_str()
            );
            assert_eq!(case.response, None, "no answer conform could read");
            let curl = case.curl.as_deref().unwrap_or_default();
            assert!(curl.contains(&format!("'{}{path}", url)), "its reproduction: {curl}");
        }
        let shrunk = result.cases.iter().filter(|c| c.id.as_str().contains(&format!("::{operation}::")));
        assert!(path == "/status" || shrunk.clone().any(|c| c.shrink_steps > 0), "{operation} was shrunk");
        assert!(printed.contains(words), "the console says what was wrong: {printed}");
    }
    let fine = result.cases.iter().filter(|c| c.id.as_str().contains("::fine::"));
    assert!(fine.clone().count() > 0 && fine.clone().all(|c| c.status == CaseStatus::Passed), "{:#?}", result.cases);
    assert!(result.requests.retries >= 2, "each broken answer was asked for once more: {:?}", result.requests);
    assert!(result.stopped.is_empty(), "the target was not given up: {:?}", result.stopped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_not_a_server_error_selected_a_broken_answer_stays_an_error() {
    let (_, code, printed, result) =
        run_binary(broken, "malformed-unchecked", &["--checks", "status_code_conformance"]).await;
    assert_eq!(code, Some(2), "{printed}");
    assert_eq!(result.count(|s| *s == CaseStatus::Failed), 0, "{:#?}", result.cases);
    let reasons: Vec<_> = result
        .cases
        .iter()
        .filter_map(|c| match &c.status {
            CaseStatus::Error(reason) => Some(reason.message.clone()),
            _ => None,
        })
        .collect();
    assert!(!reasons.is_empty(), "{:#?}", result.cases);
    assert!(
        reasons.iter().all(|r| r.starts_with("no answer from the target: the answer is not valid HTTP")),
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_target_answering_properly_fails_nothing() {
    let (_, code, printed, result) = run_binary(proper, "malformed-twin", &[]).await;
    assert_eq!(code, Some(0), "{printed}");
    let failures: Vec<_> = result.cases.iter().flat_map(|c| &c.failures).collect();
    assert!(failures.is_empty() && errors(&result) == 0, "{failures:#?}");
    assert!(result.cases.iter().any(|c| c.id.as_str().contains("::echo-header::") && c.status == CaseStatus::Passed));
}
