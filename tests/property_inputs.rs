//! A property scenario's inputs are independent runs: each draws its own variables (its own phone
//! number, its own fixture), so no input sees the state an earlier one left on the target. Sharing
//! them made every input read an outbox that held all the earlier inputs' messages, and a long run
//! slow in the square of `--cases`.

use std::time::Duration;

use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::reference::Server;
use conform::run::{RunConfig, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_input_of_a_property_reads_only_its_own_messages() {
    let server = Server::start(([127, 0, 0, 1], 0).into(), Default::default()).await.unwrap();
    let specs = conform::spec::bundled().expect("the bundled specs load");
    let config = RunConfig {
        targets: vec![server.url(); specs.len()],
        suites: conform::suite::bundled(&specs).expect("the bundled suites load"),
        specs,
        plan: PlanOptions { cases: 8, seed: 3, shard: None },
        show_secrets: true,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.expect("the run starts");
    server.stop().await.unwrap();

    let scenario = result
        .scenarios
        .iter()
        .find(|s| s.id == "hypersender::hypersender::code-length-and-expiry")
        .expect("the property ran");
    assert!(scenario.failures.is_empty(), "{:?}", scenario.failures);
    // The steps shown are the last of the 8 inputs'.
    let outbox = scenario.steps.iter().find(|s| s.action == "outbox").expect("the flow reads the outbox");
    let body = &outbox.response.as_ref().expect("the sandbox answered").body;
    let messages: Vec<serde_json::Value> = serde_json::from_str(body).expect("shown whole under show_secrets");
    assert_eq!(messages.len(), 1, "the last input's number got only its own code: {body}");
}
