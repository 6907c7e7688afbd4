//! A run's result is plain data that a report can read back: serialized to JSON and read again, it
//! is the same value, cases, scenarios (with their steps and snapshots), failures and skips included.

use conform::plan::PlanOptions;
use conform::reference::{Fault, Server};
use conform::run::{CaseStatus, RunConfig, RunResult, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_result_reads_back_as_itself() {
    let faults = [Fault::JsonAsTextPlain, Fault::HypersenderCodeReusable].into_iter().collect();
    let server = Server::start(([127, 0, 0, 1], 0).into(), faults).await.unwrap();
    let specs = conform::spec::bundled().unwrap();
    let config = RunConfig {
        targets: vec![server.url(); specs.len()],
        suites: conform::suite::bundled(&specs).unwrap(),
        specs,
        plan: PlanOptions { cases: 2, seed: 4 },
        ..RunConfig::default()
    };
    let mut result = run(config, |_| {}).await.unwrap();
    // The duration is written in whole milliseconds.
    result.duration = std::time::Duration::from_millis(result.duration.as_millis() as u64);
    assert!(result.cases.iter().any(|c| !c.failures.is_empty()), "the faults make failures to carry");
    assert!(result.scenarios.iter().any(|s| s.status == CaseStatus::Failed && !s.steps.is_empty()));
    let json = serde_json::to_string(&result).unwrap();
    let back: RunResult = serde_json::from_str(&json).unwrap();
    assert!(back == result, "the result read back differs from the one written");
    server.stop().await.unwrap();
}
