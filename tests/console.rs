//! What a user sees of a run on the console, with the real binary against servers on loopback:
//! each unique failure once (not a block per case), an HTML error page as its title, lint's
//! findings as spec warnings in every report, the snapshot note only when there was something
//! to compare, and a closed stdout that ends output quietly rather than in a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

#[path = "support/cli.rs"]
mod cli;
use cli::conform;

/// One operation; its 200 example contradicts its own schema (`id` is an integer).
const SPEC: &str = r#"openapi: 3.0.3
info: {title: Items, version: '1'}
paths:
  /items/{id}:
    get:
      operationId: get-item
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: integer}}
              example: {id: not a number}
"#;

/// A directory of its own for one test, with the spec written in it.
fn workdir(name: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("conform-console-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("items.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    (dir, spec.display().to_string())
}

/// A 100-line HTML error page, as web frameworks answer.
fn error_page() -> String {
    let lines: Vec<String> = (0..97).map(|n| format!("<p>line {n} of the error page</p>")).collect();
    format!(
        "<!DOCTYPE html>\n<html><head><title>400 Bad Request</title></head><body>\n{}\n</body></html>",
        lines.join("\n")
    )
}

/// A server that answers everything with `answer`.
async fn serve(answer: fn() -> axum::response::Response) -> String {
    let app = Router::new().fallback(move || async move { answer() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn html_400() -> axum::response::Response {
    (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], error_page()).into_response()
}

fn item() -> axum::response::Response {
    axum::Json(serde_json::json!({"id": 1})).into_response()
}

fn text(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || conform(&args.iter().map(String::as_str).collect::<Vec<_>>())).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_cases_of_an_undocumented_400_are_one_finding_with_the_pages_title() {
    let url = serve(html_400).await;
    let (dir, spec) = workdir("html");
    let json = dir.join("run.json");
    let args = ["run", "--spec", &spec, "--target", &url, "--cases", "30", "--seed", "4", "--no-snapshots"];
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    args.extend(["--report".into(), format!("json={}", json.display())]);
    let output = run(args).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert_eq!(stdout.matches("status 400 is not documented").count(), 1, "one block, not one per case:\n{stdout}");
    let headline = stdout
        .lines()
        .find(|l| l.starts_with("error[status_code_conformance] items::get-item × "))
        .unwrap_or_else(|| panic!("{stdout}"));
    let count: usize = headline.split(" × ").nth(1).and_then(|r| r.split(' ').next()?.parse().ok()).unwrap();
    assert!(count >= 30, "every positive case at least: {headline}");
    assert!(stdout.contains(r#": an HTML page titled "400 Bad Request" ("#), "{stdout}");
    assert!(!stdout.contains("<p>line"), "the page is not printed");
    assert!(stdout.lines().count() < 60, "{} lines:\n{stdout}", stdout.lines().count());
    // The whole exchange of every case stays in the JSON report.
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let bodies = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["response"]["body"].as_str().is_some_and(|b| b.contains("<p>line 5 of the error page</p>")));
    assert!(bodies.count() >= count, "{report}");
    // Progress says each operation's first failure only; nothing was to be compared to a snapshot.
    assert_eq!(stderr.matches("] FAIL ").count(), 1, "{stderr}");
    assert!(!stderr.contains("snapshots are not compared"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_warns_of_what_lint_finds_in_every_report() {
    let url = serve(item).await;
    let (dir, spec) = workdir("warn");
    let lint = conform(&["lint", &spec]);
    let (_, lint_err) = text(&lint);
    assert_eq!(lint.status.code(), Some(2), "{lint_err}");
    let place = format!("{spec}:18:15");
    assert!(lint_err.contains(&place), "{lint_err}");

    let mut args: Vec<String> = ["run", "--spec", &spec, "--target", &url, "--cases", "2", "--seed", "4"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    for (format, file) in [("json", "run.json"), ("junit", "run.xml"), ("html", "run.html"), ("markdown", "run.md")] {
        args.extend(["--report".into(), format!("{format}={}", dir.join(file).display())]);
    }
    let output = run(args).await;
    let (stdout, stderr) = text(&output);
    assert_ne!(output.status.code(), Some(2), "a warning does not refuse the run: {stdout}\n{stderr}");
    let header = &stdout[..stdout.find("operation ").unwrap()];
    assert!(header.contains("spec warnings (1;"), "{stdout}");
    assert!(header.contains("  warning: example does not match its schema"), "{header}");
    assert!(header.contains(&format!("    --> {place} (#/paths/~1items~1{{id}}/get/responses/200/")), "{header}");
    let json: serde_json::Value = serde_json::from_str(&read(&dir, "run.json")).unwrap();
    assert_eq!(json["spec_warnings"][0]["line"], 18, "{}", json["spec_warnings"]);
    assert_eq!(json["spec_warnings"][0]["spec"], "items");
    assert!(read(&dir, "run.xml").contains(&format!("--&gt; {place}")), "JUnit");
    assert!(read(&dir, "run.html").contains("id=\"spec-warnings\""), "HTML");
    assert!(read(&dir, "run.md").contains("### Spec warnings"), "Markdown");
    std::fs::remove_dir_all(dir).unwrap();
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// Runs conform with its stdout (and, with `both`, its stderr) a pipe whose reader is already
/// gone, as `conform … 2>&1 | head` leaves it once `head` has its lines. The pipe is the stdin of
/// a process that has exited (`true`): its read end is closed before conform starts.
#[cfg(unix)]
fn with_closed_stdout(args: &[&str], both: bool) -> Output {
    use std::os::fd::OwnedFd;
    let mut reader = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
    let writer = OwnedFd::from(reader.stdin.take().unwrap());
    reader.wait().unwrap();
    let stderr = if both { Stdio::from(writer.try_clone().unwrap()) } else { Stdio::piped() };
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .env_remove("CONFORM_TARGET")
        .stdout(Stdio::from(writer))
        .stderr(stderr)
        .output()
        .unwrap()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_ends_output_quietly() {
    let url = serve(html_400).await;
    let (dir, spec) = workdir("pipe");
    let spec = spec.clone();
    let outcomes = tokio::task::spawn_blocking(move || {
        let cases: Vec<(Vec<&str>, i32)> = vec![
            (vec!["lint"], 0),
            (vec!["lint", &spec], 2),
            (vec!["serve", "--list-faults"], 0),
            (vec!["serve", "--list-variants"], 0),
            (vec!["run", "--spec", &spec, "--target", &url, "--cases", "5"], 1),
            (vec!["run", "--spec", &spec, "--target", &url, "--cases", "5", "--dry-run"], 0),
        ];
        cases
            .into_iter()
            .map(|(args, code)| {
                let alone = with_closed_stdout(&args, false);
                let both = with_closed_stdout(&args, true);
                (args.join(" "), code, alone, both)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for (args, code, alone, both) in outcomes {
        let (_, stderr) = text(&alone);
        assert!(!stderr.contains("panicked"), "conform {args}: {stderr}");
        assert!(!stderr.contains("cannot print"), "a closed pipe is not an error: conform {args}: {stderr}");
        assert_eq!(alone.status.code(), Some(code), "conform {args}: the work decides the exit code: {stderr}");
        assert_eq!(both.status.code(), Some(code), "conform {args} 2>&1, stderr closed too");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
