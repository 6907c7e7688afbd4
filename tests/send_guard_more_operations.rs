//! The send guard on the operations that reach a person by email or a magic link (issue 28):
//! Z-API's recovery-pin-code and set account email, whose recipient the request does not name as
//! a phone number (`recipients: none`), and Hypersender's generate-link. The reference server
//! counts every request that reaches one of them, before any check; here it serves no sandbox, as
//! a production deployment would, and its fixtures are made in-process, as in `tests/send_guard.rs`.

use std::time::Duration;

use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::reference::{Faults, Reference, Server};
use conform::run::{AllowEntry, CaseStatus, RunConfig, RunResult, VarFlag, VariableSources, run};
use serde_json::json;

const SENDING: [&str; 3] = ["recovery-pin-code", "set-account-email", "generate-link"];

async fn production_like() -> (Server, Vec<VarFlag>) {
    let reference = Reference::with_options(Faults::none(), false);
    let fixtures = [
        ("zapi", json!({"instanceId": "INST1", "token": "TOKEN1", "clientToken": "CLIENT1"})),
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

/// Z-API and Hypersender with their suites, as `conform run` would.
fn config(target: String, vars: Vec<VarFlag>, allow: &[&str]) -> RunConfig {
    let mut specs = conform::spec::bundled().unwrap();
    specs.retain(|s| s.id != "wawp");
    RunConfig {
        targets: vec![target; specs.len()],
        suites: conform::suite::bundled(&specs).unwrap(),
        specs,
        variables: VariableSources { flags: vars, env: Default::default() },
        plan: PlanOptions { cases: 4, seed: 3, shard: None },
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        allow_recipients: allow.iter().map(|a| a.parse::<AllowEntry>().unwrap()).collect(),
        max_sends: 1000,
        ..RunConfig::default()
    }
}

fn cases_of<'a>(result: &'a RunResult, operation: &'a str) -> impl Iterator<Item = &'a conform::run::CaseResult> {
    result.cases.iter().filter(move |c| c.operation == operation)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_allow_list_no_new_sending_operation_is_called() {
    let (server, vars) = production_like().await;
    let result = run(config(server.url(), vars, &[]), |_| {}).await.unwrap();
    assert!(result.targets.iter().all(|t| !t.sandbox), "the target really has no sandbox");
    assert_eq!(server.reference().sending_calls(), 0, "a sending operation was reached");
    assert_eq!(server.reference().messages_sent(), 0);
    for operation in SENDING {
        let mut cases = cases_of(&result, operation).peekable();
        assert!(cases.peek().is_some(), "{operation} was planned");
        for case in cases {
            assert!(
                matches!(&case.status, CaseStatus::Skipped(reason) if reason.contains("no --allow-recipient was given")),
                "{}: {:?}",
                case.id,
                case.status
            );
        }
    }
    // The scenarios that would call one are skipped too, never passed.
    for name in ["set-email-needs-connection", "link-verified-by-its-text", "recovery-needs-a-registration"] {
        let scenario = result.scenarios.iter().find(|s| s.id.ends_with(&format!("::{name}"))).unwrap();
        assert!(matches!(scenario.status, CaseStatus::Skipped(_)), "{name}: {:?}", scenario.status);
    }
    assert!(result.count(|s| *s == CaseStatus::Passed) > 100, "the rest of the run went ahead");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allow_list_reaches_generate_link_only() {
    // A phone allow-list can match a chat, never an email address.
    let (server, vars) = production_like().await;
    let result = run(config(server.url(), vars, &["20-11452028*"]), |_| {}).await.unwrap();
    let reached: Vec<&str> = SENDING
        .into_iter()
        .filter(|op| cases_of(&result, op).any(|c| !matches!(c.status, CaseStatus::Skipped(_))))
        .collect();
    assert_eq!(reached, ["generate-link"]);
    for operation in ["recovery-pin-code", "set-account-email"] {
        for case in cases_of(&result, operation) {
            assert!(matches!(&case.status, CaseStatus::Skipped(r) if r.contains("names no recipient")), "{}", case.id);
        }
    }
    let sent = cases_of(&result, "generate-link").filter(|c| !matches!(c.status, CaseStatus::Skipped(_))).count();
    // A probe with an undocumented method is answered 405 by the router, before the operation.
    let calls = server.reference().sending_calls();
    assert!(calls > 0 && calls <= sent as u64, "the target saw {calls} calls; conform let {sent} through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_sandbox_they_are_called() {
    // The control: the counter is not stuck at zero.
    let server = Server::start(([127, 0, 0, 1], 0).into(), Faults::none()).await.unwrap();
    let result = run(config(server.url(), Vec::new(), &[]), |_| {}).await.unwrap();
    assert!(server.reference().sending_calls() > 10, "{}", server.reference().sending_calls());
    for operation in SENDING {
        assert!(cases_of(&result, operation).any(|c| c.status == CaseStatus::Passed), "{operation}");
    }
}
