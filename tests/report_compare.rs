//! `conform report compare` as a user runs it: the JSON reports of real runs (the clean embedded
//! server, a server with a fault, another spec) compared into Markdown and HTML.

use std::path::{Path, PathBuf};

use conform::reference::{Fault, Server};

const ZAPI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/zapi.yaml");
const WAWP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/wawp.yaml");

#[path = "support/cli.rs"]
mod cli;
use cli::conform;

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conform-report-compare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn json_report(dir: &Path, name: &str, args: &[&str]) -> String {
    let path = dir.join(format!("{name}.json")).display().to_string();
    let mut all = args.to_vec();
    let flag = format!("--report=json={path}");
    all.push(&flag);
    let output = conform(&all);
    assert!(Path::new(&path).is_file(), "{}", String::from_utf8_lossy(&output.stderr));
    path
}

/// The Markdown row of `operation` × `rule`.
fn row<'a>(markdown: &'a str, operation: &str, rule: &str) -> &'a str {
    let (operation, rule) = (format!("`{operation}`"), format!("`{rule}`"));
    markdown
        .lines()
        .find(|l| l.split(" | ").nth(1) == Some(operation.as_str()) && l.split(" | ").nth(2) == Some(rule.as_str()))
        .unwrap_or_else(|| panic!("no row for {operation} × {rule}:\n{markdown}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_shows_as_the_one_differing_rule() {
    let faulty =
        Server::start(([127, 0, 0, 1], 0).into(), [Fault::ZapiLongPhone500].into_iter().collect()).await.unwrap();
    let url = faulty.url();
    let dir = scratch();
    let dir2 = dir.clone();
    let (markdown, html, refused, other) = tokio::task::spawn_blocking(move || {
        let dir = dir2;
        // No snapshots: only the fault should tell the runs apart.
        let common = ["run", "--spec", ZAPI, "--cases", "1", "--seed", "1", "--no-snapshots"];
        let clean = json_report(&dir, "clean", &common);
        let mut args = common.to_vec();
        args.extend(["--target", &url]);
        let faulty = json_report(&dir, "faulty", &args);
        let (md, html) = (dir.join("compare.md"), dir.join("compare.html"));
        let output = conform(&[
            "report",
            "compare",
            &clean,
            &faulty,
            &format!("--report=markdown={}", md.display()),
            &format!("--report=html={}", html.display()),
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let refused =
            conform(&["report", "compare", &clean, &faulty, &format!("--report=junit={}/c.xml", dir.display())]);
        // Another spec: the zapi rows are not run in the wawp run, and the other way round.
        let wawp = json_report(&dir, "wawp", &["run", "--spec", WAWP, "--cases", "1", "--seed", "1"]);
        let other_md = dir.join("other.md");
        let output =
            conform(&["report", "compare", &clean, &wawp, &format!("--report=markdown={}", other_md.display())]);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let read = |p: &Path| std::fs::read_to_string(p).unwrap();
        (read(&md), read(&html), refused, read(&other_md))
    })
    .await
    .unwrap();
    faulty.stop().await.unwrap();

    // The broken rule is marked where the fault shows; identical rows are not.
    let broken = row(&markdown, "zapi::registration-available", "not_a_server_error");
    // (issue 25) The long phone reaches the fault from the negative phase and the coverage phase.
    assert!(broken.starts_with("| ≠ |") && broken.contains("| pass ") && broken.contains("| FAIL "), "{broken}");
    let same = row(&markdown, "zapi::registration-available", "status_code_conformance");
    assert!(same.starts_with("|  |") && same.contains("| pass"), "{same}");
    assert!(markdown.contains("| clean | conformant |") && markdown.contains("| faulty | NOT conformant |"));
    assert!(markdown.len() <= 65_536);
    let differing = markdown.lines().filter(|l| l.starts_with("| ≠ |")).count();
    assert!(differing >= 1 && markdown.contains(&format!("{differing} of ")), "{markdown}");
    let differing_rules: Vec<&str> =
        markdown.lines().filter(|l| l.starts_with("| ≠ |")).map(|l| l.split(" | ").nth(2).unwrap()).collect();
    // The crash page is HTML where the operation produces JSON: content_type_conformance's warning.
    let fault = ["`not_a_server_error`", "`content_type_conformance`"];
    assert!(differing_rules.iter().all(|r| fault.contains(r)), "only the fault's rules: {differing_rules:?}");
    insta::assert_snapshot!(markdown);

    assert!(html.starts_with("<!DOCTYPE html>") && !html.contains("<script") && !html.contains("href=\"http"));
    assert_eq!(html.matches("<tr class=\"differs\">").count(), differing, "the same rows differ in HTML");

    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("junit report") && said.contains("html or markdown"), "{said}");

    // Every row differs and the list is capped: the first operations by name (wawp's, run only in
    // the second report) are listed, and the rest, zapi's among them, are counted.
    let wawp = other.lines().find(|l| l.starts_with("| ≠ | `wawp::") && l.contains("| not run | pass "));
    assert!(wawp.is_some(), "{other}");
    let listed = other.lines().filter(|l| l.starts_with("| ≠ |")).count();
    let counts = other.lines().find(|l| l.contains(" rows differ ")).unwrap_or_default();
    let total: usize = counts.split_whitespace().nth(2).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(total > listed, "capped: {listed} of {total} rows listed:\n{other}");
    assert!(other.contains(&format!("… and {} more", total - listed)), "{other}");
    std::fs::remove_dir_all(dir).unwrap();
}
