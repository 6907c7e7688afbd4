//! The flow phase against a CRUD server of our own (real HTTP on loopback): each planted stateful
//! bug is caught by the check meant for it, and the correct twin passes with no failure.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/crud.rs"]
mod crud;
#[path = "support/loopback.rs"]
mod loopback;

use crud::Bug;
use serde_json::Value;

/// Runs `conform run` on tests/flows/pets.yaml against a server with `bug`; the JSON report.
async fn run(bug: Bug, extra: &[&str]) -> (Option<i32>, Value) {
    let url = loopback::serve(crud::app(bug)).await;
    let report = std::env::temp_dir().join(format!("conform-flow-phase-{}-{bug:?}.json", std::process::id()));
    let report_arg = format!("json={}", report.display());
    let mut args: Vec<String> = [
        "run",
        "--spec",
        "tests/flows/pets.yaml",
        "--target",
        &url,
        "--cases",
        "5",
        "--seed",
        "11",
        "--report",
        &report_arg,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let output = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cli::conform(&args)
    })
    .await
    .unwrap();
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|_| panic!("no report: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code(), serde_json::from_str(&text).unwrap())
}

/// The rules the flows broke.
fn flow_rules(report: &Value) -> Vec<String> {
    let mut rules: Vec<String> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["suite"] == "flows")
        .flat_map(|s| s["failures"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()))
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

fn flows(report: &Value) -> usize {
    report["scenarios"].as_array().unwrap().iter().filter(|s| s["suite"] == "flows").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_correct_crud_server_passes_with_no_failure() {
    let (code, report) = run(Bug::None, &["--strict"]).await;
    assert!(flows(&report) > 0, "flows ran");
    assert_eq!(flow_rules(&report), Vec::<String>::new());
    let failed: Vec<&Value> =
        report["cases"].as_array().unwrap().iter().filter(|c| c["status"]["status"] == "failed").collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(code, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_planted_stateful_bug_is_caught() {
    for (bug, rule) in [
        (Bug::DeleteKeeps, "use_after_free"),
        (Bug::CreatedNotFound, "ensure_resource_availability"),
        (Bug::UpdateLost, "read_after_write"),
        (Bug::SecondDelete500, "not_a_server_error"),
    ] {
        let (code, report) = run(bug, &["--strict"]).await;
        let rules = flow_rules(&report);
        assert!(rules.iter().any(|r| r == rule), "{bug:?}: {rules:?}");
        assert_eq!(code, Some(1), "{bug:?}");
    }
}

/// A reference server without the sandbox (as a production deployment), with fixtures made
/// in-process and given to conform as variables.
async fn production_like() -> (conform::reference::Server, Vec<conform::run::VarFlag>) {
    use conform::reference::{Faults, Reference, Server};
    let reference = Reference::with_options(Faults::none(), false);
    let params = serde_json::json!({"instance": "0d7e6b1a-5b8e-4f3c-a1d2-3e4f5a6b7c8d", "token": "HSTOKEN"});
    reference.apply_state("hypersender", "instance", &params).unwrap();
    let vars = params
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| format!("hypersender.{name}={}", value.as_str().unwrap()).parse().unwrap())
        .collect();
    (Server::start_with(([127, 0, 0, 1], 0).into(), reference).await.unwrap(), vars)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sending_step_takes_the_same_send_budget() {
    use conform::plan::PlanOptions;
    use conform::run::{AllowEntry, RunConfig, VariableSources, run};
    let (server, vars) = production_like().await;
    let specs: Vec<conform::spec::Spec> =
        conform::spec::bundled().unwrap().into_iter().filter(|s| s.id == "hypersender").collect();
    let max_sends = 3;
    let config = RunConfig {
        targets: vec![format!("{}/api/otp/v2", server.url())],
        specs,
        variables: VariableSources { flags: vars, env: Default::default() },
        plan: PlanOptions { cases: 2, seed: 5, shard: None },
        allow_recipients: vec!["201000000000".parse::<AllowEntry>().unwrap()],
        max_sends,
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.unwrap();
    let sent = server.reference().messages_sent();
    assert!(sent <= u64::from(max_sends), "the target sent {sent} messages, over the budget of {max_sends}");
    let counted = result.send_guard.sends.len() as u64;
    assert!(sent <= counted && counted <= u64::from(max_sends), "sent {sent}, counted {counted}");
    let flows: Vec<_> = result.scenarios.iter().filter(|s| s.suite == "flows").collect();
    assert_eq!(flows.len(), 4);
    let refused = flows
        .iter()
        .filter(|f| matches!(&f.status, conform::run::CaseStatus::Skipped(r) if r.contains("--max-sends")))
        .count();
    assert!(refused > 0, "the budget spent by the cases refuses the flows' sends: {flows:#?}");
}

/// A benchmark, not a test (no timed assertion): the flow phase of about 1,000 steps on the
/// embedded default. Run it with
/// `cargo test --release --test flow_phase -- --ignored --nocapture flow_phase_benchmark`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it by hand in a release build"]
async fn flow_phase_benchmark() {
    use conform::flow::FlowOptions;
    use conform::plan::PlanOptions;
    use conform::reference::{Faults, Server};
    use conform::run::{RunConfig, run};
    let server = Server::start(([127, 0, 0, 1], 0).into(), Faults::none()).await.unwrap();
    let specs = conform::spec::bundled().unwrap();
    let config = RunConfig {
        targets: vec![server.url(); specs.len()],
        specs,
        plan: PlanOptions { cases: 1, seed: 3, shard: None },
        flows: FlowOptions { walks_per_spec: 200, ..FlowOptions::default() },
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.unwrap();
    let flows: Vec<_> = result.scenarios.iter().filter(|s| s.suite == "flows").collect();
    let steps: usize = flows.iter().map(|f| f.steps.len()).sum();
    let time: std::time::Duration = flows.iter().map(|f| f.duration).sum();
    let failed = flows.iter().filter(|f| !f.failures.is_empty()).count();
    println!("flow phase: {} flows, {steps} steps, {failed} failed, {:.3} s", flows.len(), time.as_secs_f64());
    assert_eq!(failed, 0);
}
