//! What a run says about itself: `--max-failures N` stops it early (no case or scenario starts
//! once N have failed; what ran is reported, and the summary says why it stopped), and the
//! summary and the JSON report count the HTTP requests, by phase, beside the cases.

use conform::reference::{Fault, Server};
use conform::run::{CaseStatus, EarlyStop, RunResult};

#[path = "support/cli.rs"]
mod cli;

/// Runs the binary against `url` with `extra` flags and reads its JSON report.
async fn run_binary(url: &str, name: &str, extra: &[&str]) -> (Option<i32>, String, RunResult) {
    let dir = std::env::temp_dir().join(format!("conform-max-failures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join(format!("{name}.json"));
    let mut args: Vec<String> = ["run", "--target", url, "--cases", "2", "--seed", "9", "--concurrency", "1"]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args.push(format!("--report=json={}", report.display()));
    let output =
        tokio::task::spawn_blocking(move || cli::conform(&args.iter().map(String::as_str).collect::<Vec<_>>()))
            .await
            .unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let result = conform::report::json::read(&report).unwrap_or_else(|e| panic!("no report ({e}): {printed}"));
    (output.status.code(), printed, result)
}

/// Cases and scenarios that failed the run (a finding met while shrinking is not one the run started).
fn failing(result: &RunResult) -> usize {
    let cases = result.cases.iter().filter(|c| c.found_while_shrinking.is_none() && c.fails_run(result.strict));
    cases.count() + result.scenarios.iter().filter(|s| s.fails_run(result.strict)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_failures_stops_the_run_early_and_says_why() {
    let faults = [Fault::JsonAsTextPlain].into_iter().collect();
    let server = Server::start(([127, 0, 0, 1], 0).into(), faults).await.unwrap();
    let (whole_code, _, whole) = run_binary(&server.url(), "whole", &[]).await;
    let (code, printed, stopped) = run_binary(&server.url(), "stopped", &["--max-failures", "2"]).await;
    server.stop().await.unwrap();

    assert_eq!(whole_code, Some(1));
    assert!(failing(&whole) > 2, "the fault fails many cases: {}", failing(&whole));
    assert!(whole.stopped.is_empty(), "{:?}", whole.stopped);

    assert_eq!(code, Some(1), "{printed}");
    // One at a time (--concurrency 1): exactly two failed, and nothing started after them.
    assert_eq!(failing(&stopped), 2, "{printed}");
    let ran = stopped.total_cases() + stopped.scenarios.len();
    let planned = whole.total_cases() + whole.scenarios.len();
    let [EarlyStop::MaxFailures { limit: 2, not_started }] = stopped.stopped.as_slice() else {
        panic!("{:?}", stopped.stopped)
    };
    assert!(*not_started > 0 && ran < planned, "{ran} of {planned} ran");
    let findings = stopped.cases.iter().filter(|c| c.found_while_shrinking.is_some()).count();
    assert_eq!(ran - findings + not_started, planned, "every planned case ran or is counted as not started");
    assert!(printed.contains(&format!("stopped early: --max-failures 2 reached; {not_started} planned")), "{printed}");
    assert!(stopped.requests.total() < whole.requests.total());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_and_the_report_count_requests_by_phase() {
    let faults = [Fault::ZapiLongPhone500].into_iter().collect();
    let server = Server::start(([127, 0, 0, 1], 0).into(), faults).await.unwrap();
    let (code, printed, result) = run_binary(&server.url(), "requests", &[]).await;
    server.stop().await.unwrap();
    assert_eq!(code, Some(1), "{printed}");
    let requests = result.requests;
    let cases = result.total_cases() as u64;
    // Each case is one request of its kind; the sandbox made a fixture for each, and the failing
    // case was shrunk. The total is more than the cases, and the summary says how much more.
    assert_eq!(
        requests.examples + requests.positive + requests.negative + requests.coverage + requests.protocol,
        cases
    );
    assert!(requests.coverage > 0, "the coverage phase's cases count on their own: {requests:?}");
    assert!(requests.shrinking > 0 && requests.scenarios > 0 && requests.sandbox > cases, "{requests:?}");
    let line =
        format!("{} HTTP requests: {} examples, {} positive", requests.total(), requests.examples, requests.positive);
    assert!(printed.contains(&line), "expected `{line}` in:\n{printed}");
    let passed = result.count(|s| *s == CaseStatus::Passed);
    assert!(passed > 0);
}
