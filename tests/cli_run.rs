//! `conform run` as a user runs it: the real binary against real servers on loopback.

use std::process::{Command, Output};

use conform::reference::{Fault, Server};
use serde_json::json;

#[path = "support/cli.rs"]
mod cli;
use cli::conform;

fn text(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn the_embedded_server_is_conformant() {
    let output = conform(&["run", "--cases", "3", "--seed", "5", "--strict"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("testing the embedded reference server"), "{stderr}");
    let summary = stdout.lines().last().unwrap();
    assert!(summary.contains("0 failed") && summary.contains("conformant (seed 5, strict"), "{summary}");
    for operation in ["zapi::request-registration-code", "wawp::request-code", "hypersender::validate-code"] {
        assert!(stdout.contains(operation), "the matrix has a row for {operation}");
    }
}

#[test]
fn a_dry_run_of_the_embedded_default_shows_what_a_real_run_sends() {
    let output = conform(&["run", "--dry-run", "--cases", "2", "--seed", "5"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let last = stdout.lines().last().unwrap();
    let (planned, total) = last
        .strip_prefix("dry run: ")
        .and_then(|rest| rest.split_once(" requests would be sent"))
        .and_then(|(counts, _)| counts.split_once(" of "))
        .map(|(a, b)| (a.parse::<usize>().unwrap(), b.parse::<usize>().unwrap()))
        .unwrap_or_else(|| panic!("{last}"));
    assert!(total > 200 && planned == total, "{last}");
    // The fixture values a real run would create, drawn from the same seed.
    assert!(stdout.contains("/instances/") && !stdout.contains("no value for"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faulty_target_exits_1_and_names_the_check() {
    let server =
        Server::start(([127, 0, 0, 1], 0).into(), [Fault::ZapiLongPhone500].into_iter().collect()).await.unwrap();
    let url = server.url();
    let output = tokio::task::spawn_blocking(move || {
        conform(&[
            "run",
            "--spec",
            concat!(env!("CARGO_MANIFEST_DIR"), "/specs/zapi.yaml"),
            "--target",
            &url,
            "--cases",
            "2",
        ])
    })
    .await
    .unwrap();
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error[not_a_server_error] zapi::request-registration-code"), "{stdout}");
    assert!(stdout.contains("  the target answered 500, a server error"), "{stdout}");
    assert!(stdout.contains("reproduce: curl -sS -g --path-as-is -X POST"), "{stdout}");
    assert!(stdout.contains("(seed "), "the failure names its seed");
    assert!(stdout.lines().last().unwrap().contains("NOT conformant"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_given_as_variables_never_appear() {
    // Fixtures made by hand, so that the credentials are the user's own variables.
    let server =
        Server::start(([127, 0, 0, 1], 0).into(), [Fault::ZapiLongPhone500].into_iter().collect()).await.unwrap();
    let url = server.url();
    let (instance, token, client) = ("SECRETINSTANCE77", "SECRETTOKEN5511", "SECRETCLIENT9988");
    let state = json!({"api": "zapi", "state": "instance", "params": {"instanceId": instance, "token": token, "clientToken": client}});
    let reply = reqwest::Client::new().post(format!("{url}/__sandbox/state")).json(&state).send().await.unwrap();
    assert_eq!(reply.status(), 200);
    let vars =
        [format!("zapi.instanceId={instance}"), format!("zapi.token={token}"), format!("zapi.clientToken={client}")];
    let output = tokio::task::spawn_blocking(move || {
        let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/zapi.yaml");
        let mut args =
            vec!["run", "--spec", spec, "--target", &url, "--cases", "2", "--header", "X-Api-Key: SECRETHEADER3141"];
        for var in &vars {
            args.extend(["--var", var]);
        }
        conform(&args)
    })
    .await
    .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "the fault makes failures to print: {stdout}\n{stderr}");
    assert!(stdout.contains("[REDACTED]"), "{stdout}");
    for secret in ["SECRETINSTANCE77", "SECRETTOKEN5511", "SECRETCLIENT9988", "SECRETHEADER3141"] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} leaked:\n{stdout}\n{stderr}");
    }
}

#[test]
fn bad_input_is_exit_2_with_a_clear_message() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--checks", "nope"], "unknown check `nope`"),
        (&["run", "--cases=-1"], "invalid value '-1' for '--cases <CASES>'"),
        (&["run", "--timeout", "0"], "between 0.001 and 3600"),
        (&["run", "--var", "novalue"], "expected [SPEC.]NAME=VALUE"),
        (&["run", "--header", "no colon"], "expected 'Name: value'"),
        (&["run", "--target", "ftp://example.com"], "only http and https"),
        (&["run", "--target", "nosuch=http://127.0.0.1:1"], "no spec has the id `nosuch`"),
        (&["run", "--var", "nosuch.token=x"], "no spec has the id `nosuch`"),
        (&["run", "--spec", "/nonexistent/spec.yaml"], "/nonexistent/spec.yaml"),
    ];
    for (args, needle) in cases {
        let output = conform(args);
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_bad_tokio_variable_in_the_environment_is_not_a_panic() {
    // tokio reads TOKIO_WORKER_THREADS unless told the count, and panics on a bad value.
    for value in ["", "many", "0"] {
        let output = Command::new(env!("CARGO_BIN_EXE_conform"))
            .args(["run", "--dry-run", "--cases", "1", "--seed", "5"])
            .env_remove("CONFORM_TARGET")
            .env("TOKIO_WORKER_THREADS", value)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(0), "TOKIO_WORKER_THREADS={value:?}: {stdout}\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn an_unreachable_target_is_exit_2() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let output = conform(&["run", "--target", &url, "--timeout", "2"]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains(&format!("the target {url} is unreachable")), "{stderr}");
    // A spec of the user's own, which asks for no sandbox: the same clear refusal, from a plain
    // connection attempt.
    let dir = std::env::temp_dir().join(format!("conform-unreachable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("mine.yaml");
    let text_of_spec = "openapi: 3.0.3\ninfo: {title: Mine, version: '1'}\npaths:\n  /items:\n    get:\n      \
                        responses:\n        '200': {description: ok}\n";
    std::fs::write(&spec, text_of_spec).unwrap();
    let output = conform(&["run", "--spec", spec.to_str().unwrap(), "--target", &url, "--timeout", "2"]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("the target {url} is unreachable")), "{stderr}");
    assert!(stderr.to_lowercase().contains("connection refused"), "{stderr}");
    assert!(!stderr.contains("__sandbox"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_broken_spec_names_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("conform-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.yaml");
    std::fs::write(
        &broken,
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    post:\n      responses: [oops\n",
    )
    .unwrap();
    let output = conform(&["run", "--spec", broken.to_str().unwrap()]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains(&format!("{}:", broken.display())), "{stderr}");
    assert!(stderr.contains("invalid YAML") || stderr.contains("while parsing"), "{stderr}");

    let dangling = dir.join("dangling.yaml");
    std::fs::write(&dangling, "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    $ref: '#/nowhere'\n")
        .unwrap();
    let output = conform(&["run", "--spec", dangling.to_str().unwrap()]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains(&format!("--> {}:4:3 (#/paths/~1x)", dangling.display())), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_tested_is_exit_2_with_every_missing_variable() {
    // No sandbox and no variables: every case is skipped, which is not a pass.
    let reference = conform::reference::Reference::with_options(conform::reference::Faults::none(), false);
    let server = Server::start_with(([127, 0, 0, 1], 0).into(), reference).await.unwrap();
    let url = server.url();
    let output =
        tokio::task::spawn_blocking(move || conform(&["run", "--target", &url, "--cases", "1"])).await.unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("0 passed") && stdout.contains("skipped, 0 errors; nothing was tested"), "{stdout}");
    for name in ["zapi.clientToken", "zapi.instanceId", "zapi.token", "wawp.access_token", "hypersender.token"] {
        assert!(stdout.contains(&format!("--var {name}=VALUE")), "{name} is listed: {stdout}");
    }
    assert!(stderr.contains("nothing was tested"), "{stderr}");

    // A spec with no operation at all (webhooks only) tests nothing either.
    let dir = std::env::temp_dir().join(format!("conform-hooks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hooks = dir.join("hooks.yaml");
    std::fs::write(
        &hooks,
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  pet:\n    post:\n      responses: {'200': {description: ok}}\n",
    )
    .unwrap();
    let (spec, url) = (hooks.to_str().unwrap().to_owned(), server.url());
    let output =
        tokio::task::spawn_blocking(move || conform(&["run", "--spec", &spec, "--target", &url])).await.unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(stderr.contains("nothing to test") && stderr.contains("webhooks"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
    server.stop().await.unwrap();
}

#[test]
fn help_never_prints_the_allowed_recipients() {
    let output = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--help"])
        .env("CONFORM_ALLOW_RECIPIENTS", "5511999990000,201145202826")
        .output()
        .unwrap();
    let (stdout, _) = text(&output);
    assert!(stdout.contains("CONFORM_ALLOW_RECIPIENTS"), "the variable is named: {stdout}");
    assert!(!stdout.contains("5511999990000") && !stdout.contains("201145202826"), "{stdout}");
}

/// Output that is not a terminal (a CI log): no colour and no progress bar, only plain lines.
#[test]
fn piped_output_has_no_colour_and_no_bar() {
    let output = conform(&["run", "--spec", "specs/hypersender.yaml", "--cases", "2", "--seed", "3"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    for (name, printed) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(!printed.contains('\u{1b}'), "{name} has an escape sequence: {printed:?}");
        assert!(!printed.contains('\r'), "{name} redraws a line: {printed:?}");
    }
    assert!(stderr.lines().any(|l| l.starts_with("conform: running ") && l.ends_with(" cases")), "{stderr}");
}
