//! The send guard against targets that lie: a server that answers 200 to every path it does not
//! know (so it "has" `/__sandbox`, `/__sandbox/outbox` and `/__sandbox/state`, as mock servers,
//! SPA fallbacks and permissive gateways do) and that accepts anything on the three
//! message-sending operations. It records every call that reaches those operations, with the
//! raw query and body, so that the tests can read the recipient of each, whatever the case kind.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use conform::plan::PlanOptions;
use conform::run::{AllowEntry, CaseStatus, ReasonKind, RunConfig, RunResult, VarFlag, VariableSources, run};
use serde_json::{Value, json};

/// One call that reached a sending operation's business logic.
#[derive(Debug, Clone)]
struct Call {
    api: &'static str,
    method: String,
    query: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Call {
    /// Every number the call names, in every place the API reads one from.
    fn recipients(&self) -> Vec<String> {
        // A malformed-JSON case is a valid body cut short by its last byte.
        let body: Option<Value> = serde_json::from_slice(&self.body)
            .ok()
            .or_else(|| serde_json::from_slice(&[self.body.as_slice(), b"}"].concat()).ok());
        let field = |name: &str| {
            body.as_ref().and_then(|b| b.get(name)).map(|v| v.as_str().map_or(v.to_string(), str::to_owned))
        };
        let digits = |text: String| text.chars().filter(char::is_ascii_digit).collect::<String>();
        let mut out = Vec::new();
        match self.api {
            "zapi" => {
                if let (Some(ddi), Some(phone)) = (field("ddi"), field("phone")) {
                    out.push(digits(ddi + &phone));
                }
            }
            "wawp" => {
                out.extend(self.query.iter().filter(|(k, _)| k == "phone_number").map(|(_, v)| digits(v.clone())));
                out.extend(field("phone_number").map(digits));
            }
            _ => out.extend(field("chatId").map(digits)),
        }
        out
    }
}

#[derive(Default)]
struct Lenient {
    calls: Mutex<Vec<Call>>,
}

/// Which sending operation a path is, if any.
fn sending_api(path: &str) -> Option<&'static str> {
    if path.ends_with("/mobile/request-registration-code") {
        Some("zapi")
    } else if path == "/v2/auth/request-code" {
        Some("wawp")
    } else if path.starts_with("/api/otp/v2/") && (path.ends_with("/request-code") || path.ends_with("/generate-link"))
    {
        Some("hypersender")
    } else {
        None
    }
}

async fn anything(
    State(lenient): State<Arc<Lenient>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> impl IntoResponse {
    if let Some(api) = sending_api(uri.path()) {
        let query = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).into_owned().collect();
        let call = Call { api, method: method.to_string(), query, body: body.to_vec() };
        lenient.calls.lock().unwrap().push(call);
    }
    // The same cheerful answer everywhere, the sandbox's paths included.
    (StatusCode::OK, [("content-type", "application/json")], json!({"ok": true, "success": true}).to_string())
}

async fn serve() -> (String, Arc<Lenient>) {
    let lenient = Arc::new(Lenient::default());
    let app = Router::new().fallback(anything).with_state(lenient.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, lenient)
}

/// Credentials for every bundled spec, as a user would give them to a real provider.
fn credentials() -> Vec<VarFlag> {
    [
        "zapi.instanceId=INST1",
        "zapi.token=TOKEN1",
        "zapi.clientToken=CLIENT1",
        "wawp.instance_id=WAWPINSTANCE",
        "wawp.access_token=WAWPTOKEN",
        "hypersender.instance=0d7e6b1a-5b8e-4f3c-a1d2-3e4f5a6b7c8d",
        "hypersender.token=HSTOKEN",
    ]
    .iter()
    .map(|v| v.parse().unwrap())
    .collect()
}

async fn run_lenient(allow: &[&str], max_sends: u32, cases: usize) -> (RunResult, Vec<Call>) {
    let (url, lenient) = serve().await;
    let specs = conform::spec::bundled().unwrap();
    let config = RunConfig {
        targets: vec![url; specs.len()],
        specs,
        variables: VariableSources { flags: credentials(), env: Default::default() },
        plan: PlanOptions { cases, seed: 5, shard: None },
        concurrency: 4,
        allow_recipients: allow.iter().map(|a| a.parse::<AllowEntry>().unwrap()).collect(),
        max_sends,
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.unwrap();
    let calls = lenient.calls.lock().unwrap().clone();
    (result, calls)
}

fn allowed(allow: &[&str], number: &str) -> bool {
    allow.iter().any(|a| a.parse::<AllowEntry>().unwrap().matches(number))
}

/// The ids of the cases of sending operations that were sent.
fn sent_cases(result: &RunResult) -> Vec<&conform::run::CaseResult> {
    let sending = ["request-registration-code", "request-code", "generate-link"];
    result
        .cases
        .iter()
        .filter(|c| sending.contains(&c.operation.as_str()) && !matches!(c.status, CaseStatus::Skipped(_)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faked_probe_does_not_switch_the_guard_off() {
    let (result, calls) = run_lenient(&[], 10, 10).await;
    for target in &result.targets {
        assert!(!target.sandbox, "{}: a 200 to every path is not a sandbox", target.spec);
        assert!(target.sandbox_evidence.contains("no sandbox"), "{}", target.sandbox_evidence);
    }
    assert_eq!(calls.len(), 0, "no allow-list, yet calls reached a sending operation: {calls:?}");
    assert!(sent_cases(&result).is_empty());
    // The control: the same target did get the rest of the run.
    assert!(result.cases.iter().filter(|c| !matches!(c.status, CaseStatus::Skipped(_))).count() > 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_allow_list_every_kind_of_call_is_counted_and_allowed() {
    const ALLOW: [&str; 2] = ["5511900000*", "20100000000*"];
    for max_sends in [1, 3, 7] {
        let (result, calls) = run_lenient(&ALLOW, max_sends, 10).await;
        assert!(!calls.is_empty(), "max-sends {max_sends}: nothing was sent at all");
        assert!(calls.len() <= max_sends as usize, "max-sends {max_sends}: {} calls reached the target", calls.len());
        assert_eq!(calls.len(), result.send_guard.sends.len(), "conform counted every call it made");
        for call in &calls {
            let numbers = call.recipients();
            assert!(!numbers.is_empty(), "a call to no one: {call:?}");
            for number in numbers {
                assert!(allowed(&ALLOW, &number), "max-sends {max_sends}: {number} is not allowed: {call:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_is_shared_fairly_across_operations_and_kinds() {
    const ALLOW: [&str; 1] = ["201100000000*"];
    let (result, calls) = run_lenient(&ALLOW, 3, 10).await;
    let mut apis: Vec<&str> = calls.iter().map(|c| c.api).collect();
    apis.sort_unstable();
    assert_eq!(apis, ["hypersender", "wawp", "zapi"], "every sending operation got one call first");

    // Four operations whose recipient a request names (generate-link too): three turns each.
    let (result9, calls9) = run_lenient(&ALLOW, 12, 10).await;
    assert_eq!(calls9.len(), 12);
    for operation in ["request-registration-code", "request-code", "generate-link"] {
        for spec in ["zapi", "wawp", "hypersender"] {
            let kinds: Vec<&str> = sent_cases(&result9)
                .iter()
                .filter(|c| c.spec == spec && c.operation == operation)
                .map(|c| c.kind.label())
                .collect();
            if !kinds.is_empty() {
                assert_eq!(kinds.len(), 3, "{spec}: {kinds:?}");
                for kind in ["positive", "negative", "protocol"] {
                    assert!(kinds.contains(&kind), "{spec}: the kinds take turns: {kinds:?}");
                }
            }
        }
    }
    // The report names the cases the budget held back, and they really were not sent.
    let held = &result.send_guard.budget_skipped;
    assert!(!held.is_empty());
    for id in held {
        let case = result.cases.iter().find(|c| &c.id.to_string() == id).unwrap();
        assert!(
            matches!(&case.status, CaseStatus::Skipped(r) if r.kind == ReasonKind::SendGuard && r.contains("--max-sends budget (3)")),
            "{id}"
        );
    }
    // Cases that break the recipient itself are skipped, and counted.
    assert!(!result.send_guard.recipient_mutations.is_empty());
    for id in &result.send_guard.recipient_mutations {
        let case = result.cases.iter().find(|c| &c.id.to_string() == id).unwrap();
        assert!(matches!(&case.status, CaseStatus::Skipped(r) if r.contains("recipient itself")), "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_e164_allow_list_reaches_zapi() {
    const ALLOW: [&str; 1] = ["5511900000*"];
    let (result, calls) = run_lenient(&ALLOW, 30, 10).await;
    let zapi: Vec<&Call> = calls.iter().filter(|c| c.api == "zapi").collect();
    assert!(zapi.len() >= 3, "Z-API's ddi + phone took the E.164 entry: {} calls", zapi.len());
    for call in zapi {
        let body: Value = serde_json::from_slice(&call.body)
            .or_else(|_| serde_json::from_slice(&[call.body.as_slice(), b"}"].concat()))
            .unwrap();
        assert_eq!(body["ddi"], "55", "split where Brazil's country code ends: {body}");
        let phone = body["phone"].as_str().unwrap();
        assert!(phone.starts_with("11900000") && (8..=13).contains(&phone.len()), "{phone}");
    }
    let zapi_sent = sent_cases(&result).iter().filter(|c| c.spec == "zapi").count();
    assert!(zapi_sent >= 3, "not every Z-API case was skipped");
    assert!(calls.iter().all(|c| c.method != "TRACE"), "sanity");
}
