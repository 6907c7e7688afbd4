//! The send guard, measured: the reference server counts every message it sends, and here it
//! serves no sandbox, as a production deployment would. Its fixtures are made in-process with
//! known credentials, which conform receives as variables, exactly as against a real provider.

use std::time::Duration;

use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::reference::{Faults, Reference, Server};
use conform::run::{AllowEntry, CaseStatus, RunConfig, RunResult, VarFlag, VariableSources, run};
use serde_json::json;

/// A server without the sandbox, with one fixture per API and the variables that reach them.
async fn production_like() -> (Server, Vec<VarFlag>) {
    let reference = Reference::with_options(Faults::none(), false);
    let fixtures = [
        ("zapi", json!({"instanceId": "INST1", "token": "TOKEN1", "clientToken": "CLIENT1"})),
        ("wawp", json!({"instance_id": "WAWPINSTANCE", "access_token": "WAWPTOKEN", "status": "SCAN_QR_CODE"})),
        ("hypersender", json!({"instance": "0d7e6b1a-5b8e-4f3c-a1d2-3e4f5a6b7c8d", "token": "HSTOKEN"})),
    ];
    let mut vars = Vec::new();
    for (api, params) in fixtures {
        reference.apply_state(api, "instance", &params).unwrap();
        for (name, value) in params.as_object().unwrap() {
            vars.push(format!("{api}.{name}={}", value.as_str().unwrap()).parse().unwrap());
        }
    }
    let server = Server::start_with(([127, 0, 0, 1], 0).into(), reference).await.unwrap();
    (server, vars)
}

fn config(target: String, vars: Vec<VarFlag>, allow: &[&str], max_sends: u32, dry_run: bool) -> RunConfig {
    let specs = conform::spec::bundled().unwrap();
    RunConfig {
        targets: vec![target; specs.len()],
        specs,
        variables: VariableSources { flags: vars, env: Default::default() },
        plan: PlanOptions { cases: 8, seed: 11, shard: None },
        concurrency: 4,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        allow_recipients: allow.iter().map(|a| a.parse::<AllowEntry>().unwrap()).collect(),
        max_sends,
        dry_run,
        ..RunConfig::default()
    }
}

fn skipped_because(result: &RunResult, needle: &str) -> usize {
    result.cases.iter().filter(|c| matches!(&c.status, CaseStatus::Skipped(r) if r.contains(needle))).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_allow_list_nothing_is_sent() {
    let (server, vars) = production_like().await;
    let result = run(config(server.url(), vars, &[], 10, false), |_| {}).await.unwrap();
    assert!(result.targets.iter().all(|t| !t.sandbox), "the target really has no sandbox");
    assert_eq!(server.reference().messages_sent(), 0, "the target counted a message");
    assert!(result.send_guard.sends.is_empty());
    let guarded = skipped_because(&result, "no --allow-recipient was given");
    assert!(guarded >= 8 * 2, "the positive cases of the marked operations were skipped: {guarded}");
    // The rest of the run went ahead: the guard skips only what sends.
    assert!(result.count(|s| *s == CaseStatus::Passed) > 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_run_with_a_sandbox_does_send() {
    // The control for the test above: the count is not stuck at zero.
    let server = Server::start(([127, 0, 0, 1], 0).into(), Faults::none()).await.unwrap();
    let result = run(config(server.url(), Vec::new(), &[], 10, false), |_| {}).await.unwrap();
    assert!(server.reference().messages_sent() > 10, "sent {}", server.reference().messages_sent());
    assert!(result.send_guard.sends.is_empty(), "sandbox sends stay in the sandbox and are not budgeted");
}

const ALLOW: [&str; 2] = ["20-11452028*", "201145202826"];

fn allowed(recipient: &str) -> bool {
    ALLOW.iter().any(|a| a.parse::<AllowEntry>().unwrap().matches(recipient))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_allow_list_every_message_reaches_an_allowed_recipient() {
    let (server, vars) = production_like().await;
    let result = run(config(server.url(), vars, &ALLOW, 1000, false), |_| {}).await.unwrap();
    let recipients = server.reference().message_recipients();
    assert!(recipients.len() >= 4, "allowed sends went through: {recipients:?}");
    for recipient in &recipients {
        assert!(allowed(recipient), "{recipient} is not allow-listed");
    }
    assert!(recipients.len() <= result.send_guard.sends.len(), "the target saw no more than conform counted");
    assert!(
        result.send_guard.sends.iter().all(|s| s.contains('•')),
        "sends are reported masked: {:?}",
        result.send_guard.sends
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_caps_the_calls_that_can_send_and_is_granted_in_plan_order() {
    let mut granted = Vec::new();
    for _ in 0..2 {
        let (server, vars) = production_like().await;
        let result = run(config(server.url(), vars, &ALLOW, 5, false), |_| {}).await.unwrap();
        assert_eq!(
            result.send_guard.sends.len(),
            5,
            "the budget was used to the last send: {:?}",
            result.send_guard.sends
        );
        assert!(server.reference().messages_sent() <= 5);
        assert!(skipped_because(&result, "--max-sends budget (5) went to other cases") > 0, "the rest were skipped");
        assert!(server.reference().message_recipients().iter().all(|r| allowed(r)));
        // Which calls got the budget does not depend on timing: the first five in plan order.
        let spent: Vec<String> = result
            .cases
            .iter()
            .filter(|c| c.operation.ends_with("request-code") || c.operation == "request-registration-code")
            .filter(|c| !matches!(&c.status, CaseStatus::Skipped(_)))
            .map(|c| c.id.to_string())
            .collect();
        granted.push(spent);
    }
    assert_eq!(granted[0], granted[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_contacts_nobody() {
    // A listener that counts every connection from before the run starts until after it ends:
    // the dry run must not open one.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let counter = tokio::spawn(async move {
        let mut connections = 0;
        tokio::pin!(stopped);
        loop {
            tokio::select! {
                _ = &mut stopped => return connections,
                accepted = listener.accept() => connections += usize::from(accepted.is_ok()),
            }
        }
    });
    let (_server, vars) = production_like().await;
    let result = run(config(url, vars, &["201145202826"], 10, true), |_| {}).await.unwrap();
    stop.send(()).expect("the counter is still counting");
    assert_eq!(counter.await.unwrap(), 0, "a dry run opened a connection");
    let planned = skipped_because(&result, "dry run");
    assert!(planned > 200, "{planned} requests planned");
    assert!(result.cases.iter().all(|c| c.curl.is_some()), "every case is shown as curl");
    assert!(result.dry_run);
}
