//! The HTML report as a person sees it: the real binary writes it next to the JSON report, headless
//! Chromium loads it (with its script run), and the numbers the page shows, and the ones its script
//! counts from the items it lists, equal those of the JSON report. The page loads nothing from the
//! network, and a hostile response body stays text.
//!
//! Set `CONFORM_REPORT_SCREENSHOT=/tmp/report.png` to keep a screenshot of the faulted run's page
//! (and the page itself, as `/tmp/report.html`).

#[path = "support/tools.rs"]
mod tools;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use conform::reference::{Fault, Server};
use regex::Regex;
use serde_json::Value;

/// Would run script, or load an image, if the page pasted it in as markup.
const HOSTILE: &str =
    r#"</script><img src=x onerror="document.body.dataset.pwned=1"><script>document.body.dataset.pwned=2</script>"#;

#[path = "support/cli.rs"]
mod cli;
use cli::conform;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conform-report-html-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs chromium headless on the page with `extra` flags, its script given time to run.
fn chromium(page: &Path, profile: &Path, extra: &[String]) -> Output {
    let output = Command::new(tools::require("chromium"))
        .args(tools::chromium_flags(profile))
        .args(extra)
        .arg("--virtual-time-budget=2000")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// The page's DOM after its script ran.
fn dom(page: &Path, dir: &Path) -> String {
    String::from_utf8(chromium(page, &dir.join("profile"), &["--dump-dom".to_owned()]).stdout).unwrap()
}

/// The JSON report's counts, keyed as the page's `data-count` attributes: `cases.failed`, … A
/// failed item "fails the run" when one of its failures has severity error (the runs here are not
/// strict); otherwise it only warned.
fn json_counts(report: &Value) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for kind in ["cases", "scenarios"] {
        for key in ["total", "passed", "failed", "warned", "skipped", "errors"] {
            counts.insert(format!("{kind}.{key}"), 0);
        }
        for item in report[kind].as_array().unwrap() {
            // `{"status": "failed", "detail": …}`
            let status = item["status"]["status"].as_str().or_else(|| item["status"].as_str()).unwrap();
            let key = match status {
                "passed" => "passed",
                "skipped" => "skipped",
                "error" => "errors",
                "failed" if item["failures"].as_array().unwrap().iter().any(|f| f["severity"] == "error") => "failed",
                "failed" => "warned",
                other => panic!("unknown status {other}"),
            };
            *counts.get_mut(&format!("{kind}.{key}")).unwrap() += 1;
            *counts.get_mut(&format!("{kind}.total")).unwrap() += 1;
        }
    }
    counts
}

/// Every `ATTR="KEY">NUMBER<` of the page.
fn numbers(dom: &str, attribute: &str) -> BTreeMap<String, usize> {
    let pattern = Regex::new(&format!(r#"{attribute}="([a-z.]+)">(\d+)<"#)).unwrap();
    pattern.captures_iter(dom).map(|c| (c[1].to_owned(), c[2].parse().unwrap())).collect()
}

/// The page shows the JSON's counts, and its script, counting the items listed, finds them too.
fn assert_numbers_match(dom: &str, report: &Value) {
    let expected = json_counts(report);
    let shown = numbers(dom, "data-count");
    for (key, value) in &expected {
        if key.starts_with("scenarios.") && expected["scenarios.total"] == 0 {
            continue;
        }
        assert_eq!(shown.get(key), Some(value), "data-count {key}: page {shown:?}, json {expected:?}");
    }
    let counted = numbers(dom, "data-js-count");
    for (status, key) in [("passed", "passed"), ("failed", "failed"), ("warned", "warned"), ("skipped", "skipped")] {
        let want = expected[&format!("cases.{key}")] + expected[&format!("scenarios.{key}")];
        assert_eq!(counted.get(status), Some(&want), "the script counted {status}: {counted:?}");
    }
    assert_eq!(counted.get("error"), Some(&(expected["cases.errors"] + expected["scenarios.errors"])));
    let listed = numbers(dom, "data-shown");
    assert_eq!(listed.get("case"), Some(&expected["cases.total"]), "every case is listed and shown: {listed:?}");
    assert!(!dom.contains(r#"id="filters" class="filters" hidden"#), "the script showed the filters");
}

/// No `src=` or `href=` leaves the page, and nothing is imported by CSS.
fn assert_self_contained(html: &str) {
    let external = Regex::new(r#"(?i)(src|href|action)\s*=\s*["']?\s*(https?:|//|ftp:|data:)"#).unwrap();
    assert!(external.find(html).is_none(), "an external reference: {:?}", external.find(html));
    assert!(!html.contains("@import") && !html.contains("url("), "CSS loads nothing");
    assert!(!html.contains("<link") && !html.contains("<iframe"), "no linked resources");
}

/// A target that answers everything with 500 and a body that would be markup.
async fn hostile_server() -> (String, tokio::task::JoinHandle<()>) {
    use axum::http::{StatusCode, header};
    let app = axum::Router::new()
        .fallback(|| async { (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html")], HOSTILE) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (url, tokio::spawn(async move { axum::serve(listener, app).await.unwrap() }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faulted_run_shows_what_the_json_says_and_no_hostile_markup() {
    let server = Server::start(
        ([127, 0, 0, 1], 0).into(),
        [Fault::ZapiLongPhone500, Fault::WawpInfoMissingStatus].into_iter().collect(),
    )
    .await
    .unwrap();
    let (hostile, hostile_task) = hostile_server().await;
    let dir = scratch("faulted");
    let (html, json) = (dir.join("report.html"), dir.join("report.json"));
    let args: Vec<String> = [
        "run",
        "--cases",
        "1",
        "--seed",
        "11",
        &format!("--target=zapi={}", server.url()),
        &format!("--target=wawp={}", server.url()),
        // No sandbox there: its sending operation is held back, its scenarios are skipped.
        &format!("--target=hypersender={hostile}"),
        "--var=hypersender.instance=inst1",
        "--var=hypersender.token=tok1",
        &format!("--report=html={}", html.display()),
        &format!("--report=json={}", json.display()),
    ]
    .map(str::to_owned)
    .into();
    let output = tokio::task::spawn_blocking(move || conform(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .unwrap();
    server.stop().await.unwrap();
    hostile_task.abort();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let expected = json_counts(&report);
    for key in ["cases.failed", "cases.skipped", "scenarios.passed", "scenarios.failed", "scenarios.skipped"] {
        assert!(expected[key] > 0, "the run has {key}: {expected:?}");
    }
    let dom = dom(&html, &dir);
    assert!(!dom.contains("data-pwned"), "the hostile body ran script");
    assert!(!dom.contains("<img"), "the hostile body became an element");
    assert!(dom.contains("&lt;img src=x onerror="), "the hostile body is shown as text");
    let text = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&text);
    assert!(!text.contains("<img"), "the hostile body is not markup in the file");
    assert!(dom.contains(r#"<h1 data-verdict="nonconformant">Not conformant</h1>"#), "the verdict");
    assert_numbers_match(&dom, &report);
    for section in ["matrix", "failures", "scenarios", "cases", "skipped", "send-guard", "coverage"] {
        assert!(dom.contains(&format!(r#"<section id="{section}""#)), "section {section}");
    }
    let first_failure = Regex::new(r##"<td class="cell fail"[^>]*><a href="#(case-\d+)">"##).unwrap();
    let anchor = &first_failure.captures(&dom).expect("a failing matrix cell links to its failure")[1];
    assert!(dom.contains(&format!(r#"<article id="{anchor}""#)), "the link's target exists");

    if let Some(path) = std::env::var_os("CONFORM_REPORT_SCREENSHOT").map(PathBuf::from) {
        let flags = [format!("--screenshot={}", path.display()), "--window-size=1280,2000".to_owned()];
        chromium(&html, &dir.join("profile"), &flags);
        std::fs::copy(&html, path.with_extension("html")).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The page's structure, for a snapshot: its headings, its numbers and its matrix rows.
fn structure(dom: &str) -> String {
    let tags = Regex::new(r"<[^>]+>").unwrap();
    let text = |html: &str| tags.replace_all(html, " ").split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    for heading in Regex::new(r"(?s)<h[12][^>]*>(.*?)</h[12]>").unwrap().captures_iter(dom) {
        out.push(format!("heading: {}", text(&heading[1])));
    }
    for (key, value) in numbers(dom, "data-count") {
        out.push(format!("count {key}: {value}"));
    }
    let matrix = dom.split(r#"<table class="matrix">"#).nth(1).and_then(|t| t.split("</table>").next()).unwrap();
    for row in Regex::new(r"(?s)<tr>(.*?)</tr>").unwrap().captures_iter(matrix) {
        out.push(format!("matrix: {}", text(&row[1])));
    }
    out.join("\n")
}

#[test]
fn the_embedded_server_run_shows_what_the_json_says() {
    let dir = scratch("embedded");
    let (html, json) = (dir.join("report.html"), dir.join("report.json"));
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/hypersender.yaml");
    let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/suites/hypersender.yaml");
    let output = conform(&[
        "run",
        "--spec",
        spec,
        "--suite",
        suite,
        "--cases",
        "1",
        "--seed",
        "5",
        "--report",
        &format!("html={}", html.display()),
        "--report",
        &format!("json={}", json.display()),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_self_contained(&std::fs::read_to_string(&html).unwrap());
    let dom = dom(&html, &dir);
    assert!(dom.contains(r#"<h1 data-verdict="conformant">Conformant</h1>"#));
    assert_numbers_match(&dom, &report);
    insta::assert_snapshot!(structure(&dom));
    std::fs::remove_dir_all(&dir).unwrap();
}
