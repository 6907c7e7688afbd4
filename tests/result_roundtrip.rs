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
        plan: PlanOptions { cases: 2, seed: 4, shard: None },
        ..RunConfig::default()
    };
    let mut result = run(config, |_| {}).await.unwrap();
    // Durations are written in whole milliseconds.
    let ms = |d: std::time::Duration| std::time::Duration::from_millis(d.as_millis() as u64);
    result.duration = ms(result.duration);
    result.cases.iter_mut().for_each(|c| c.duration = ms(c.duration));
    result.scenarios.iter_mut().for_each(|s| s.duration = ms(s.duration));
    assert!(result.cases.iter().any(|c| !c.failures.is_empty()), "the faults make failures to carry");
    assert!(result.scenarios.iter().any(|s| s.status == CaseStatus::Failed && !s.steps.is_empty()));
    // What the JSON report adds to the console's: timings, the rule catalogue, the start.
    assert!(chrono::DateTime::parse_from_rfc3339(&result.started_at).is_ok(), "{}", result.started_at);
    assert!(result.cases.iter().any(|c| !c.duration.is_zero()));
    assert!(result.scenarios.iter().any(|s| !s.duration.is_zero()));
    assert_eq!(result.targets[0].reference, None, "a server the caller started is not known to be a reference");
    let cited = |rule: &str| result.rules.iter().filter(|r| r.rule.as_str() == rule).count();
    assert!(cited("content_type_conformance") >= 1 && cited("single-use") >= 1, "{:?}", result.rules);
    let plan: Vec<usize> = result.cases.iter().map(|c| c.plan_index).collect();
    assert_eq!(plan, (0..result.cases.len()).collect::<Vec<_>>());
    let json = serde_json::to_string(&result).unwrap();
    let back: RunResult = serde_json::from_str(&json).unwrap();
    assert!(back == result, "the result read back differs from the one written");
    server.stop().await.unwrap();
}

/// A shard's result reads back too, with its shard, and holds only its part of the plan, each
/// case at its place in the whole plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shards_result_reads_back_as_itself() {
    let server = Server::start(([127, 0, 0, 1], 0).into(), Default::default()).await.unwrap();
    let specs = conform::spec::bundled().unwrap();
    let shard = conform::plan::Shard::new(2, 3).unwrap();
    let config = RunConfig {
        targets: vec![server.url(); specs.len()],
        specs,
        plan: PlanOptions { cases: 1, seed: 4, shard: Some(shard) },
        dry_run: true,
        ..RunConfig::default()
    };
    let mut result = run(config, |_| {}).await.unwrap();
    server.stop().await.unwrap();
    result.duration = std::time::Duration::ZERO;
    result.cases.iter_mut().for_each(|c| c.duration = std::time::Duration::ZERO);
    assert_eq!(result.shard, Some(shard));
    assert!(!result.cases.is_empty() && result.cases.iter().all(|c| shard.keeps(c.id.as_str())));
    assert!(result.cases.windows(2).all(|w| w[0].plan_index < w[1].plan_index), "in plan order");
    assert!(result.cases.iter().enumerate().any(|(i, c)| c.plan_index != i), "places in the whole plan");
    let back: RunResult = serde_json::from_str(&serde_json::to_string(&result).unwrap()).unwrap();
    assert!(back == result, "the shard's result read back differs");
    assert!(serde_json::to_string(&result).unwrap().contains(r#""shard":{"index":2,"count":3}"#));
}
