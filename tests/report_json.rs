//! The JSON report as a user gets it: the real binary writes it, against the embedded reference
//! server and against broken ones, and every file validates against the committed schema
//! (`schemas/conform-report.v1.schema.json`), which is strict enough to refuse a mutated report.
//! Secrets given as variables or headers never reach it, and `report merge` refuses what is not
//! a report with the path, line and column.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use conform::reference::{Fault, Reference, Server};
use serde_json::{Value, json};

const SCHEMA: &str = include_str!("../schemas/conform-report.v1.schema.json");

fn conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CONFORM_TARGET")
        .env_remove("CONFORM_ALLOW_RECIPIENTS")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A fresh directory for one test's files, removed when the test passes.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("conform-report-json-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// Every way `report` breaks the schema, one line each (empty when it validates).
fn schema_errors(report: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let validator =
        jsonschema::draft202012::options().should_validate_formats(true).build(&schema).expect("the schema compiles");
    validator.iter_errors(report).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

/// Runs `conform run ARGS --report json=PATH` and returns the report, checked against the schema.
fn run_report(dir: &Path, name: &str, args: &[&str], exit: i32) -> (Value, String) {
    let path = dir.join(format!("{name}.json"));
    let report = format!("json={}", path.display());
    let mut args = args.to_vec();
    args.extend(["--report", &report]);
    let output = conform(&args);
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(exit), "{name}: {printed}");
    let written = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: no report: {e}\n{printed}"));
    let report: Value = serde_json::from_str(&written).unwrap();
    let errors = schema_errors(&report);
    assert!(errors.is_empty(), "{name}: the report breaks the schema:\n{}", errors.join("\n"));
    (report, written)
}

fn statuses(report: &Value) -> Vec<String> {
    let cases = report["cases"].as_array().unwrap().iter();
    let scenarios = report["scenarios"].as_array().unwrap().iter();
    cases.chain(scenarios).map(|c| c["status"]["status"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn the_embedded_servers_report_is_complete_and_valid() {
    let tmp = scratch("embedded");
    let dir = tmp.0.clone();
    let (report, _) = run_report(&dir, "embedded", &["run", "--cases", "1", "--seed", "3", "--strict"], 0);
    assert_eq!(report["report_version"], 1);
    assert_eq!(report["seed"], 3);
    assert_eq!(report["shard"], Value::Null);
    let started = report["started_at"].as_str().unwrap();
    assert!(started.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(started).is_ok(), "{started}");
    for target in report["targets"].as_array().unwrap() {
        assert_eq!(target["reference"], json!([]), "the embedded server is the plain reference: {target}");
    }
    let cases = report["cases"].as_array().unwrap();
    assert!(cases.len() > 30, "every case is in the report: {}", cases.len());
    let places: Vec<u64> = cases.iter().map(|c| c["plan_index"].as_u64().unwrap()).collect();
    assert_eq!(places, (0..cases.len() as u64).collect::<Vec<_>>(), "a whole run's cases are in plan order");
    let passed = cases.iter().find(|c| c["status"]["status"] == "passed").unwrap();
    assert!(passed["request"]["url"].is_string() && passed["response"]["status"].is_u64(), "{passed}");
    assert!(cases.iter().any(|c| c["snapshot"]["verdict"]["verdict"] == "matched"), "examples carry their snapshot");
    let scenarios = report["scenarios"].as_array().unwrap();
    assert!(scenarios.len() >= 10 && scenarios.iter().all(|s| !s["steps"].as_array().unwrap().is_empty()));
    // The rule catalogue: the checks with their generic source, the suite rules with theirs.
    let rules = report["rules"].as_array().unwrap();
    let cited = |rule: &str| rules.iter().filter(|r| r["rule"] == rule).collect::<Vec<_>>();
    let server_error = cited("not_a_server_error");
    assert_eq!(server_error.len(), 1, "{server_error:?}");
    assert_eq!(server_error[0]["source"]["level"], "doc");
    assert_eq!(server_error[0]["severity"], "error");
    assert!(cited("single-use").iter().any(|r| r["severity"] == "warning"), "a profile rule warns");
    assert!(!cited("snapshot").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_skips_errors_and_scenarios_validate() {
    let tmp = scratch("faulted");
    let dir = tmp.0.clone();
    let faults = [Fault::JsonAsTextPlain, Fault::HypersenderCodeReusable].into_iter().collect();
    let server = Server::start(([127, 0, 0, 1], 0).into(), faults).await.unwrap();
    let lean = Server::start_with(([127, 0, 0, 1], 0).into(), Reference::with_options(Default::default(), false))
        .await
        .unwrap();
    let (url, lean_url) = (server.url(), lean.url());
    let dir2 = dir.clone();
    let (faulted, capped, guarded) = tokio::task::spawn_blocking(move || {
        let dir = dir2;
        let faulted = run_report(&dir, "faulted", &["run", "--target", &url, "--cases", "1", "--seed", "4"], 1);
        // Answers over 150 bytes (the sandbox handshake is shorter) are a harness error, not the
        // target's fault.
        let args = ["run", "--target", &url, "--cases", "1", "--seed", "4", "--max-response-bytes", "150"];
        let capped = run_report(&dir, "capped", &args, 2);
        // No sandbox: missing variables and the send guard skip cases; scenarios need the sandbox.
        let args = [
            "run",
            "--target",
            &lean_url,
            "--cases",
            "1",
            "--var",
            "hypersender.instance=9f1c7c52-2c1b-4a8e-9d1e-0c5d2b7a1e11",
            "--var",
            "hypersender.token=hs-token-SECRET-77",
            "--allow-recipient",
            "20*",
            "--max-sends",
            "1",
        ];
        // The one send goes to the first sending scenario (scenarios have their word first),
        // whose request the lean server refuses (an unknown instance): that fails the run.
        let guarded = run_report(&dir, "guarded", &args, 1);
        (faulted.0, capped.0, guarded.0)
    })
    .await
    .unwrap();
    server.stop().await.unwrap();
    lean.stop().await.unwrap();
    let all: Vec<String> = [&faulted, &capped, &guarded].iter().flat_map(|r| statuses(r)).collect();
    for status in ["passed", "failed", "skipped", "error"] {
        assert!(all.iter().any(|s| s == status), "no {status} case or scenario to validate: {all:?}");
    }
    assert_eq!(faulted["targets"][0]["reference"], Value::Null, "a --target is not known to be a reference");
    let failure = faulted["cases"].as_array().unwrap().iter().flat_map(|c| c["failures"].as_array().unwrap()).next();
    assert!(failure.is_some_and(|f| f["rule"] == "content_type_conformance"), "{failure:?}");
    let scenario_failed = faulted["scenarios"].as_array().unwrap().iter().any(|s| s["status"]["status"] == "failed");
    assert!(scenario_failed, "the reusable code fails a scenario");
    let kinds: Vec<&str> =
        guarded["cases"].as_array().unwrap().iter().filter_map(|c| c["status"]["detail"]["kind"].as_str()).collect();
    assert!(kinds.contains(&"missing-variable") && kinds.contains(&"send-guard"), "{kinds:?}");
    assert!(!guarded["missing"].as_array().unwrap().is_empty());
    let guard = &guarded["send_guard"];
    assert_eq!(guard["max_sends"], 1);
    assert!(!guard["budget_skipped"].as_array().unwrap().is_empty(), "{guard}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_report() {
    let tmp = scratch("secrets");
    let dir = tmp.0.clone();
    let server =
        Server::start(([127, 0, 0, 1], 0).into(), [Fault::ZapiLongPhone500].into_iter().collect()).await.unwrap();
    let url = server.url();
    // Fixtures made by hand, so that the credentials are the user's own variables, sent and accepted.
    let (instance, token, client) = ("SECRETINSTANCE77", "SECRETTOKEN5511", "SECRETCLIENT9988");
    let state = json!({"api": "zapi", "state": "instance", "params": {"instanceId": instance, "token": token, "clientToken": client}});
    let reply = reqwest::Client::new().post(format!("{url}/__sandbox/state")).json(&state).send().await.unwrap();
    assert_eq!(reply.status(), 200);
    let (report, written) = tokio::task::spawn_blocking(move || {
        let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/zapi.yaml");
        let vars = [
            format!("zapi.instanceId={instance}"),
            format!("zapi.token={token}"),
            format!("zapi.clientToken={client}"),
        ];
        let mut args =
            vec!["run", "--spec", spec, "--target", &url, "--cases", "2", "--header", "X-Api-Key: SECRETHEADER3141"];
        for var in &vars {
            args.extend(["--var", var]);
        }
        run_report(&dir, "secrets", &args, 1)
    })
    .await
    .unwrap();
    server.stop().await.unwrap();
    let sent = report["cases"].as_array().unwrap().iter().filter(|c| c["response"].is_object()).count();
    assert!(sent > 10, "the cases were sent with the secrets and answered: {sent}");
    assert!(written.contains("[REDACTED]"), "the secrets are there, masked");
    for secret in ["SECRETINSTANCE77", "SECRETTOKEN5511", "SECRETCLIENT9988", "SECRETHEADER3141"] {
        assert!(!written.contains(secret), "{secret} leaked into the JSON report");
    }
}

#[test]
fn a_dry_run_writes_its_report() {
    let tmp = scratch("dry");
    let dir = tmp.0.clone();
    let (report, _) = run_report(&dir, "dry", &["run", "--dry-run", "--cases", "1", "--seed", "2"], 0);
    assert_eq!(report["dry_run"], true);
    let cases = report["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    assert!(cases.iter().all(|c| c["status"]["detail"]["kind"] == "dry-run" && c["curl"].is_string()));
}

#[test]
fn the_schema_refuses_a_mutated_report() {
    let tmp = scratch("mutated");
    let dir = tmp.0.clone();
    let (report, _) = run_report(&dir, "clean", &["run", "--dry-run", "--cases", "1", "--seed", "2"], 0);
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 6] = [
        ("a seed that is a string", |r| r["cases"][0]["seed"] = json!("42")),
        ("an unknown status", |r| r["cases"][0]["status"] = json!({"status": "fine"})),
        ("a skip without its reason", |r| r["cases"][0]["status"] = json!({"status": "skipped"})),
        ("an unknown top-level field", |r| r["extra"] = json!(1)),
        ("a missing duration", |r| {
            r.as_object_mut().unwrap().remove("duration");
        }),
        ("a severity out of its enum", |r| {
            r["rules"] = json!([{"rule": "x", "source": {"level": "doc", "cite": ""}, "severity": "fatal"}])
        }),
    ];
    for (what, mutate) in mutations {
        let mut mutated = report.clone();
        mutate(&mut mutated);
        assert!(!schema_errors(&mutated).is_empty(), "the schema accepts {what}");
    }
}

#[test]
fn report_merge_refuses_what_is_not_a_report_with_path_line_and_column() {
    let tmp = scratch("unreadable");
    let dir = tmp.0.clone();
    let (_, written) = run_report(&dir, "good", &["run", "--dry-run", "--cases", "1", "--seed", "2"], 0);
    let files = [
        ("other.json", "{\"hello\": 1}\n".to_owned(), "no `report_version`: not a conform JSON report"),
        (
            "v2.json",
            written.replacen("\"report_version\": 1", "\"report_version\": 2", 1),
            "report_version 2: this conform reads version 1",
        ),
        ("cut.json", written[..written.len() / 2].to_owned(), "not a JSON report: EOF while parsing"),
        (
            "typed.json",
            written.replacen("\"seed\": 2", "\"seed\": \"two\"", 1),
            "invalid type: string \"two\", expected u64 at line 4 column",
        ),
    ];
    for (name, content, expected) in files {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let out = dir.join("merged.json");
        let output =
            conform(&["report", "merge", path.to_str().unwrap(), "--report", &format!("json={}", out.display())]);
        let printed = text(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {printed}");
        assert!(printed.contains(&format!("{}: ", path.display())), "{name}: the path is named: {printed}");
        assert!(printed.contains(expected), "{name}: expected `{expected}` in: {printed}");
        if name == "cut.json" {
            assert!(printed.contains(" line ") && printed.contains(" column "), "{printed}");
        }
        assert!(!out.exists(), "{name}: nothing is written");
    }
}

/// A library caller that keeps only failures gets its passed cases counted in `omitted`; that
/// report validates too, and reads back with the same counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_of_counted_cases_validates() {
    use conform::run::{Keep, RunConfig};
    let server = Server::start(([127, 0, 0, 1], 0).into(), Default::default()).await.unwrap();
    let specs = conform::spec::bundled().unwrap();
    let config = RunConfig {
        targets: vec![server.url(); specs.len()],
        specs,
        plan: conform::plan::PlanOptions { cases: 2, seed: 3, shard: None },
        keep: Keep::FAILURES,
        ..RunConfig::default()
    };
    let result = conform::run::run(config, |_| {}).await.unwrap();
    server.stop().await.unwrap();
    assert!(!result.omitted.is_empty(), "passed cases were only counted");
    let text = conform::report::render(conform::report::Format::Json, &result).unwrap();
    let report: Value = serde_json::from_str(&text).unwrap();
    assert!(report["omitted"]["operations"].as_array().is_some_and(|o| !o.is_empty()));
    assert_eq!(schema_errors(&report), Vec::<String>::new());
}
