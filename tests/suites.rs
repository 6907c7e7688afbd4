//! Suites as a user writes them: a bad suite is refused before anything is sent, with exit 2,
//! the file, line and column, and a caret under the fault (conform lint and conform run alike);
//! a scenario that needs a sandbox the target has not is skipped with the reason, never passed.

use std::path::PathBuf;
use std::process::Command;

fn conform(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_conform")).args(args).env_remove("CI").output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn suite(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/suites").join(name).display().to_string()
}

#[test]
fn bad_suites_are_refused_with_their_place() {
    let cases = [
        ("bad-operation.yaml", "unknown operationId `request-otp`", ":4:5", "call: request-otp"),
        ("bad-variable.yaml", "unknown variable `nobody_sets_this`", ":5:5", "with:"),
        ("bad-predicate.yaml", "`matches`", ":7:7", "/data/status"),
        ("misspelt-predicate.yaml", "unknown predicate `matchs` (did you mean `matches`?)", ":7:7", "/data/status"),
        ("bad-capture.yaml", "`/data/otp_code` matches nothing in the answer's schema", ":6:5", "capture"),
    ];
    for (file, message, place, line) in cases {
        for command in [vec!["lint", &suite(file)[..]], vec!["run", "--suite", &suite(file)[..], "--dry-run"]] {
            let (code, stdout, stderr) = conform(&command);
            assert_eq!(code, Some(2), "{command:?}: {stdout}{stderr}");
            assert!(stderr.contains(message), "{command:?}: {stderr}");
            assert!(stderr.contains(&format!("{file}{place}")), "{command:?} names {file}{place}: {stderr}");
            assert!(stderr.contains(line) && stderr.contains("╰── here"), "a caret under the fault: {stderr}");
            assert!(!stdout.contains("curl"), "nothing was planned or sent: {stdout}");
        }
    }
    let (code, stdout, stderr) = conform(&["lint"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("3 spec(s) and 3 suite(s) checked: no problems"), "{stdout}");
}

#[test]
fn without_a_sandbox_scenarios_are_skipped_with_the_reason() {
    // `--no-sandbox` serves the APIs like a production deployment.
    let mut server = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["serve", "--no-sandbox"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(server.stdout.take().unwrap()), &mut first).unwrap();
    let url = first.trim().to_owned();
    let (code, stdout, stderr) = conform(&[
        "run",
        "--target",
        &url,
        "--spec",
        "specs/hypersender.yaml",
        "--suite",
        "suites/hypersender.yaml",
        "--var",
        "hypersender.instance=0d7e6b1a-5b8e-4f3c-a1d2-3e4f5a6b7c8d",
        "--var",
        "hypersender.token=HSTOKEN",
        "--cases",
        "1",
    ]);
    let _ = server.kill();
    let _ = server.wait();
    assert!(stdout.contains("scenarios:"), "{stdout}{stderr}");
    let scenario_lines: Vec<&str> = stdout.lines().filter(|l| l.contains("hypersender::hypersender::")).collect();
    assert!(!scenario_lines.is_empty());
    // What needs the outbox or the clock is skipped; a flow of plain calls may run, and one that
    // would send a message is held back by the send guard (no --allow-recipient).
    for name in [
        "request-then-validate",
        "code-single-use",
        "code-expires",
        "code-charset",
        "wrong-code-refused",
        "link-verified-by-its-text",
        "link-expires",
        "link-expires-at",
    ] {
        let line = scenario_lines.iter().find(|l| l.contains(&format!("::{name} "))).unwrap();
        assert!(line.contains("skipped"), "never passed without a sandbox: {line}");
    }
    assert!(stdout.contains("no --allow-recipient was given"), "{stdout}");
    assert!(
        stdout.contains("reads the sandbox outbox, which the target has not; give --var hypersender.code=VALUE"),
        "{stdout}"
    );
    // The summary counts them as skipped, not passed. (The instance given does not exist on this
    // server, so the generated cases get 404s: what is asserted here is the scenarios alone.)
    let summary = stdout.lines().last().unwrap_or_default();
    // (flows, issue 27) The 4 flows of the flow phase start at request-code, which sends a
    // message: with no --allow-recipient they are skipped too, never passed.
    assert!(summary.contains("19 scenarios: 1 passed, 0 failed, 0 warned, 18 skipped"), "{summary}");
    assert!(code.is_some(), "{stderr}");
}

#[test]
fn a_state_the_sandbox_lacks_skips_the_scenario_with_the_reason() {
    // contract.md §6.1: a sandbox without the newer states answers 400 to them; what needs one is
    // skipped, never failed or passed. The reference has no `zapi` state `account-locked`.
    let (code, stdout, stderr) = conform(&[
        "run",
        "--spec",
        "specs/zapi.yaml",
        "--suite",
        &suite("unknown-state.yaml"),
        "--cases",
        "1",
        "--no-snapshots",
    ]);
    let line = stdout.lines().find(|l| l.contains("zapi::unknown-state::locked ")).unwrap_or_default();
    assert!(line.contains("skipped"), "{stdout}{stderr}");
    assert!(stdout.contains("the sandbox does not offer state `account-locked`: 400"), "{stdout}");
    assert_eq!(code, Some(0), "the other scenario ran and passed: {stdout}{stderr}");
}

/// docs/suites.md's coverage table: every rule and property of the bundled suites, with its source
/// and the scenario that checks it. Run with `--nocapture` to print it; the test fails when the
/// page's copy is stale.
#[test]
fn the_readme_coverage_table_is_current() {
    let specs = conform::spec::bundled().unwrap();
    let suites = conform::suite::bundled(&specs).unwrap();
    let mut rows = Vec::new();
    for suite in &suites {
        for scenario in &suite.scenarios {
            rows.push(format!(
                "| `{}` | {} | `{}::{}::{}` |",
                scenario.rule,
                scenario.source.to_string().replace('|', "\\|"),
                suite.spec,
                suite.id,
                scenario.name
            ));
        }
    }
    let table = format!("| rule | source | scenario |\n|---|---|---|\n{}\n", rows.join("\n"));
    println!("{table}");
    assert!(rows.len() >= 10, "{} scenarios", rows.len());
    let readme = include_str!("../docs/suites.md");
    assert!(readme.contains(&table), "docs/suites.md's coverage table is out of date; it should read:\n{table}");
}
