//! The send guard as a user meets it: the binary against `conform serve --no-sandbox`, a
//! production-like server whose message-sending operations would reach real phones.
//! - A recipient rewritten onto an E.164 allow-list entry fits its part's schema (Z-API's
//!   `phone`, 8-13 digits), whatever the seed: `--strict` passes on a conformant server.
//! - A request example of a sending operation takes its turn at the budget.
//! - A refusal inside a scenario is reported as the send guard's, with its reason.
//! - Scenarios have their word before the run, in plan order, from at most half the budget.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use conform::check::CheckId;
use conform::run::{CaseStatus, ReasonKind, RunResult};

#[path = "support/cli.rs"]
mod cli;

/// `conform serve --no-sandbox ARGS`, stopped when dropped.
struct Served {
    child: Child,
    url: String,
    /// Its output, held open: the server prints more lines after its URL.
    _output: std::io::BufReader<std::process::ChildStdout>,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
            .args(["serve", "--no-sandbox"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut output = std::io::BufReader::new(child.stdout.take().unwrap());
        output.read_line(&mut first).unwrap();
        Served { child, url: first.trim().to_owned(), _output: output }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `conform run ARGS --report json=…` and reads the report.
fn run(name: &str, args: &[&str]) -> (Option<i32>, String, RunResult) {
    let report = std::env::temp_dir().join(format!("conform-send-guard-cli-{}-{name}.json", std::process::id()));
    let flag = format!("json={}", report.display());
    let output = cli::conform(&[&["run", "--no-snapshots", "--report", &flag], args].concat());
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let result = conform::report::json::read(&report).unwrap_or_else(|e| panic!("no report ({e}): {printed}"));
    (output.status.code(), printed, result)
}

const ZAPI_VARS: [&str; 6] =
    ["--var", "zapi.instanceId=INST1", "--var", "zapi.token=TOKEN1", "--var", "zapi.clientToken=CLIENT1"];
const HYPERSENDER_VARS: [&str; 4] =
    ["--var", "hypersender.instance=0d7e6b1a-5b8e-4f3c-a1d2-3e4f5a6b7c8d", "--var", "hypersender.token=HSTOKEN"];

#[test]
fn an_e164_rewrite_fits_the_recipient_schema_on_every_seed() {
    // Body checks first: a recipient the schema refuses would get 400, and positive_data_acceptance
    // (Z-API's accepted-input rule) would fail the --strict run on a conformant server.
    let served = Served::start(&["--variant", "body-checks-first"]);
    for seed in ["1", "2", "3", "4", "5", "6"] {
        let mut args = vec!["--spec", "specs/zapi.yaml", "--target", &served.url, "--strict", "--seed", seed];
        args.extend(["--allow-recipient", "5511900000*", "--max-sends", "40"]);
        args.extend(ZAPI_VARS);
        let (code, printed, result) = run(&format!("e164-{seed}"), &args);
        let refused: Vec<_> = result.failures().filter(|(_, f)| f.rule == CheckId::PositiveDataAcceptance).collect();
        assert!(refused.is_empty(), "seed {seed}: a rewritten recipient went out invalid: {refused:#?}");
        assert_eq!(code, Some(0), "seed {seed}: {printed}");
        let sent: Vec<_> = result
            .cases
            .iter()
            .filter(|c| c.operation == "request-registration-code" && c.kind.label() == "positive")
            .filter_map(|c| c.request.as_ref()?.body_text())
            .collect();
        assert!(!sent.is_empty(), "seed {seed}: positive sends were made");
        for body in sent {
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            // Masked, the phone keeps its length: one character per digit.
            let phone = body["phone"].as_str().unwrap().chars().count();
            assert!((8..=13).contains(&phone), "seed {seed}: a phone of {phone} digits: {body}");
            assert_eq!(body["ddi"].as_str().map(|d| d.chars().count()), Some(2), "seed {seed}: {body}");
        }
    }
}

#[test]
fn a_request_example_takes_its_turn_at_the_budget() {
    let served = Served::start(&[]);
    // Two sending operations (request-code, generate-link), eight sends: on each, positive,
    // negative, protocol and example take a turn each.
    let mut args = vec!["--spec", "specs/hypersender.yaml", "--target", &served.url, "--seed", "5"];
    args.extend(["--allow-recipient", "201145202826", "--max-sends", "8"]);
    args.extend(HYPERSENDER_VARS);
    let (_, printed, result) = run("example", &args);
    let example = "hypersender::request-code::example::request";
    assert!(!result.send_guard.budget_skipped.iter().any(|id| id == example), "held back: {printed}");
    let case = result.cases.iter().find(|c| c.id.as_str() == example).unwrap();
    assert!(!matches!(case.status, CaseStatus::Skipped(_)), "{:?}", case.status);
    assert_eq!(result.send_guard.sends.len(), 8, "{:?}", result.send_guard.sends);
}

#[test]
fn a_refusal_inside_a_scenario_is_the_send_guard_s() {
    let served = Served::start(&[]);
    // The code is given, so the flow needs no outbox: only its request step can stop it.
    let mut args = vec!["--spec", "specs/hypersender.yaml", "--suite", "suites/hypersender.yaml"];
    args.extend(["--target", &served.url, "--cases", "1", "--var", "hypersender.code=123456"]);
    args.extend(HYPERSENDER_VARS);
    let (_, printed, result) = run("scenario", &args);
    let scenario = result.scenarios.iter().find(|s| s.id == "hypersender::hypersender::request-then-validate").unwrap();
    let CaseStatus::Skipped(reason) = &scenario.status else { panic!("{:?}: {printed}", scenario.status) };
    assert_eq!(reason.kind, ReasonKind::SendGuard, "{reason:?}");
    assert!(reason.message.contains("no --allow-recipient was given"), "{}", reason.message);
}

#[test]
fn scenarios_have_their_word_before_the_run_from_half_the_budget() {
    let served = Served::start(&[]);
    // Eight concurrent workers and two runs: which scenario gets a send must not depend on timing.
    let mut args = vec!["--spec", "specs/hypersender.yaml", "--suite", "suites/hypersender.yaml"];
    args.extend(["--target", &served.url, "--cases", "1", "--concurrency", "8"]);
    args.extend(["--allow-recipient", "201145202826", "--max-sends", "6"]);
    args.extend(HYPERSENDER_VARS);
    let budget_refusal = "the --max-sends budget (6) went to other cases";
    let mut words = Vec::new();
    for n in 0..2 {
        let (_, printed, result) = run(&format!("scenario-budget-{n}"), &args);
        // Each suite scenario that sends: whether the budget refused it (in report order, which
        // is plan order).
        let word: Vec<(String, bool)> = result
            .scenarios
            .iter()
            .filter(|s| s.suite != "flows")
            .filter_map(|s| match &s.status {
                CaseStatus::Skipped(r) if r.kind == ReasonKind::SendGuard => {
                    Some((s.id.clone(), r.message.contains(budget_refusal)))
                }
                _ => None,
            })
            .collect();
        let refused = word.iter().filter(|(_, refused)| *refused).count();
        assert!(
            refused > 0 && refused < word.len(),
            "some sending scenarios had a send, some not: {word:?}\n{printed}"
        );
        let first_refused = word.iter().position(|(_, refused)| *refused).unwrap();
        assert!(word[first_refused..].iter().all(|(_, refused)| *refused), "granted in plan order: {word:?}");
        // The scenarios took at most half the budget (3 sends); the cases had the rest.
        let granted = u32::try_from(first_refused).unwrap();
        assert!(granted <= 3, "{word:?}");
        assert!(result.send_guard.sends.len() as u32 <= 6 - granted, "{:?}", result.send_guard.sends);
        assert!(!result.send_guard.budget_skipped.is_empty(), "the cases were held to what was left");
        words.push(word);
    }
    assert_eq!(words[0], words[1], "the same word on both runs");
}
