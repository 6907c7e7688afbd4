//! The JUnit report as CI reads it: the real binary, run against the embedded reference server and
//! against broken ones, writes a file that the Jenkins xunit plugin's published schema
//! (`tests/schemas/junit-10.xsd`) accepts, with one `<testcase>` per case and scenario and the
//! same failure, error and skip counts as the JSON report of the same run.

#[path = "support/tools.rs"]
#[allow(dead_code)] // chromium_flags serves the HTML report's test
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use conform::reference::{Fault, Reference, Server};
use conform::run::{CaseStatus, RunResult};

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemas/junit-10.xsd");

#[path = "support/cli.rs"]
mod cli;
use cli::conform;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conform-report-junit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs conform with `args` plus a JUnit and a JSON report into `dir`; returns both files' contents.
fn run_with_reports(dir: &Path, args: &[&str]) -> (String, RunResult, Output) {
    let (junit, json) = (dir.join("junit.xml"), dir.join("report.json"));
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    all.push(format!("--report=junit={}", junit.display()));
    all.push(format!("--report=json={}", json.display()));
    let output = conform(&all.iter().map(String::as_str).collect::<Vec<_>>());
    let xml = std::fs::read_to_string(&junit).unwrap_or_else(|e| {
        panic!("{}: {e}\n{}", junit.display(), String::from_utf8_lossy(&output.stderr));
    });
    let result = conform::report::json::read(&json).expect("the JSON report reads back");
    (xml, result, output)
}

/// `xmllint --noout --schema junit-10.xsd FILE` accepts the file.
fn assert_valid(path: &Path) {
    let xmllint = tools::require("xmllint");
    let output = Command::new(xmllint).args(["--noout", "--schema", SCHEMA]).arg(path).output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "xmllint refuses {}:\n{said}", path.display());
    assert!(said.contains("validates"), "{said}");
}

/// What the JUnit file counts, element by element and in its suites' attributes.
#[derive(Debug, PartialEq, Eq, Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

fn elements(xml: &str) -> Counts {
    Counts {
        tests: xml.matches("<testcase ").count(),
        failures: xml.matches("<failure ").count(),
        errors: xml.matches("<error ").count(),
        skipped: xml.matches("<skipped ").count(),
    }
}

fn suite_attributes(xml: &str) -> Counts {
    let suite =
        regex::Regex::new(r#"<testsuite name="[^"]*" tests="(\d+)" skipped="(\d+)" errors="(\d+)" failures="(\d+)""#)
            .unwrap();
    let mut counts = Counts::default();
    for c in suite.captures_iter(xml) {
        let n = |i: usize| c[i].parse::<usize>().unwrap();
        counts.tests += n(1);
        counts.skipped += n(2);
        counts.errors += n(3);
        counts.failures += n(4);
    }
    counts
}

/// The counts the JSON report gives: cases plus scenarios, failing the run, errors, skips.
fn expected(result: &RunResult) -> Counts {
    let statuses = result.cases.iter().map(|c| &c.status).chain(result.scenarios.iter().map(|s| &s.status));
    let statuses: Vec<&CaseStatus> = statuses.collect();
    Counts {
        tests: result.cases.len() + result.scenarios.len(),
        failures: result.cases.iter().filter(|c| c.fails_run(result.strict)).count()
            + result.scenarios.iter().filter(|s| s.fails_run(result.strict)).count(),
        errors: statuses.iter().filter(|s| matches!(s, CaseStatus::Error(_))).count(),
        skipped: statuses.iter().filter(|s| matches!(s, CaseStatus::Skipped(_))).count(),
    }
}

fn assert_counts_match(xml: &str, result: &RunResult) {
    let expected = expected(result);
    assert_eq!(elements(xml), expected, "elements against the JSON report");
    assert_eq!(suite_attributes(xml), expected, "testsuite attributes against the JSON report");
    let root = xml.lines().nth(1).unwrap();
    let head = format!(
        r#"<testsuites name="conform" tests="{}" failures="{}" errors="{}""#,
        expected.tests, expected.failures, expected.errors
    );
    assert!(root.starts_with(&head), "{root}\nexpected {head}");
}

#[test]
fn the_embedded_server_run_is_valid_junit() {
    let dir = scratch("embedded");
    let (xml, result, output) = run_with_reports(&dir, &["run", "--cases", "1", "--seed", "5"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    assert_valid(&dir.join("junit.xml"));
    assert_counts_match(&xml, &result);
    assert!(result.cases.len() > 20 && result.scenarios.len() >= 10, "cases and scenarios ran");
    assert!(xml.contains(r#"<testsuite name="zapi.zapi" "#), "{xml}");
    assert_eq!(elements(&xml).failures + elements(&xml).errors, 0);
    assert!(xml.contains(r#"<testsuite name="wawp" "#) && xml.contains(r#"classname="wawp.request-code""#));
    assert!(xml.contains(r#"<property name="sandbox" value="true"/>"#));
    assert!(xml.contains(r#"<property name="seed" value="5"/>"#));
    std::fs::remove_dir_all(dir).unwrap();
}

/// zapi on a server with a fault (failures), wawp on one without a sandbox (skips), and hypersender
/// with a response cap its answers break (errors).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_errors_and_skips_are_valid_junit_with_the_json_counts() {
    let faulty =
        Server::start(([127, 0, 0, 1], 0).into(), [Fault::ZapiLongPhone500].into_iter().collect()).await.unwrap();
    let bare = Server::start_with(([127, 0, 0, 1], 0).into(), Reference::with_options(Default::default(), false))
        .await
        .unwrap();
    let (faulty_url, bare_url) = (faulty.url(), bare.url());
    let dir = scratch("faulted");
    let dir2 = dir.clone();
    let (xml, result, output) = tokio::task::spawn_blocking(move || {
        let (zapi, wawp, hypersender) =
            (format!("zapi={faulty_url}"), format!("wawp={bare_url}"), format!("hypersender={faulty_url}"));
        run_with_reports(
            &dir2,
            &[
                "run",
                "--target",
                &zapi,
                "--target",
                &wawp,
                "--target",
                &hypersender,
                "--cases",
                "2",
                "--seed",
                "3",
                "--max-response-bytes",
                "300",
            ],
        )
    })
    .await
    .unwrap();
    faulty.stop().await.unwrap();
    bare.stop().await.unwrap();
    assert_eq!(output.status.code(), Some(2), "errors make the run incomplete");
    assert_valid(&dir.join("junit.xml"));
    assert_counts_match(&xml, &result);
    let counts = elements(&xml);
    assert!(counts.failures > 0 && counts.errors > 0 && counts.skipped > 0, "{counts:?}");
    assert!(xml.contains(r#"type="not_a_server_error">--- zapi::"#), "the failure names its rule, the body its case");
    assert!(xml.contains("reproduce: curl "), "the body holds the curl reproduction");
    assert!(xml.contains(r#"type="no-answer""#), "an error names its reason's kind");
    assert!(xml.contains(r#"<property name="sandbox" value="false"/>"#), "wawp's target has no sandbox");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A small run against a faulty zapi, whole: case ids, statuses, reproductions. Only the port and
/// the duration change between runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_run_as_junit() {
    let server =
        Server::start(([127, 0, 0, 1], 0).into(), [Fault::ZapiLongPhone500].into_iter().collect()).await.unwrap();
    let url = server.url();
    let dir = scratch("small");
    let dir2 = dir.clone();
    let (xml, _, _) = tokio::task::spawn_blocking(move || {
        let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/zapi.yaml");
        run_with_reports(&dir2, &["run", "--spec", spec, "--target", &url, "--cases", "1", "--seed", "1"])
    })
    .await
    .unwrap();
    server.stop().await.unwrap();
    assert_valid(&dir.join("junit.xml"));
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    let time = regex::Regex::new(r#" time="[0-9.]+""#).unwrap();
    let xml = time.replace_all(&port.replace_all(&xml, "127.0.0.1:PORT"), r#" time="[time]""#).into_owned();
    insta::assert_snapshot!(xml);
    std::fs::remove_dir_all(dir).unwrap();
}
