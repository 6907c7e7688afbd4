//! `--shard I/N` and `report merge` as a CI matrix uses them: the real binary runs shards 1/3,
//! 2/3 and 3/3 and the whole plan with one seed against one reference server (as CI machines
//! test one staging URL), and the merged shards equal the whole run: the same cases and
//! scenarios in the same order, with the same statuses, requests and failures. Shards that do not
//! belong together are refused, naming the file.

use std::path::{Path, PathBuf};
use std::process::Output;

use conform::reference::{Fault, Server};
use conform::run::RunResult;
use serde_json::Value;

const SEED: &str = "11";

#[path = "support/cli.rs"]
mod cli;
use cli::conform;

fn text(output: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// One run of the plan (`shard` is `None` for the whole) against `url`, written to
/// `DIR/NAME.json` and `DIR/NAME.xml` (JUnit).
async fn run(url: &str, dir: &Path, name: &str, shard: Option<&str>) -> PathBuf {
    let path = dir.join(format!("{name}.json"));
    let (report, target) = (format!("json={}", path.display()), url.to_owned());
    let junit = format!("junit={}", dir.join(format!("{name}.xml")).display());
    let shard = shard.map(str::to_owned);
    let output = tokio::task::spawn_blocking(move || {
        let mut args =
            vec!["run", "--target", &target, "--cases", "2", "--seed", SEED, "--report", &report, "--report", &junit];
        if let Some(shard) = &shard {
            args.extend(["--shard", shard]);
        }
        conform(&args)
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(1), "{name}: the faults fail the run: {}", text(&output));
    path
}

fn read(path: &Path) -> RunResult {
    conform::report::json::read(path).unwrap_or_else(|e| panic!("{e}"))
}

/// What must be the same in the merged shards and the whole run: everything but timings and
/// the answers, which carry the server's clock and its random ids (a failure that quotes an
/// answer shows them too: they are written as `[uuid]` and `[time]`, even where a masked secret
/// happened to fall inside one).
fn comparable(result: &RunResult) -> Value {
    let text = serde_json::to_string(result).unwrap();
    // A secret (a code, a phone's digits) is masked wherever it appears, a random uuid included.
    let uuid = regex::Regex::new("[0-9a-f•]{8}-[0-9a-f•]{4}-[0-9a-f•]{4}-[0-9a-f•]{4}-[0-9a-f•]{12}").unwrap();
    let time = regex::Regex::new(r"[0-9•]{4}-[0-9•]{2}-[0-9•]{2}T[0-9:.•]+(Z|[+-][0-9:]+)?").unwrap();
    let text = time.replace_all(&uuid.replace_all(&text, "[uuid]"), "[time]").into_owned();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    let object = value.as_object_mut().unwrap();
    for timing in ["started_at", "duration"] {
        object.remove(timing);
    }
    // Each shard shrinks its own failing cases and asks for its own handshake: the requests of
    // those phases are each shard's (compared on their own below).
    object.remove("requests");
    for list in ["cases", "scenarios"] {
        for item in object[list].as_array_mut().unwrap() {
            let item = item.as_object_mut().unwrap();
            item.remove("duration");
            // The answers carry the server's clock (`date`, `expires_at`): not the plan's to decide.
            item.remove("response");
            for step in item.get_mut("steps").and_then(Value::as_array_mut).into_iter().flatten() {
                step.as_object_mut().unwrap().remove("response");
            }
        }
    }
    value
}

/// Merges `shards` into `DIR/merged.json` and `DIR/merged.xml` (JUnit).
fn merge(dir: &Path, shards: &[&Path]) -> (Output, PathBuf) {
    let out = dir.join("merged.json");
    let _ = std::fs::remove_file(&out);
    let report = format!("json={}", out.display());
    let junit = format!("junit={}", dir.join("merged.xml").display());
    let mut args = vec!["report", "merge"];
    args.extend(shards.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--report", &report, "--report", &junit]);
    (conform(&args), out)
}

/// A JUnit file's test cases, in order: name, classname and outcome (`failure`, `error`,
/// `skipped` or `passed`).
fn junit_cases(path: &Path) -> Vec<(String, String, &'static str)> {
    let xml = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let open = regex::Regex::new(r#"<testcase name="([^"]*)" classname="([^"]*)"[^>]*?(/?)>"#).unwrap();
    let starts: Vec<_> = open.captures_iter(&xml).map(|c| (c.get(0).unwrap().end(), c)).collect();
    starts
        .iter()
        .map(|(end, c)| {
            let body = if &c[3] == "/" { "" } else { &xml[*end..xml[*end..].find("</testcase>").unwrap() + end] };
            let outcome = ["failure", "error", "skipped"]
                .into_iter()
                .find(|tag| body.contains(&format!("<{tag}")))
                .unwrap_or("passed");
            (c[1].to_owned(), c[2].to_owned(), outcome)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_shards_merged_equal_the_whole_run() {
    let dir = std::env::temp_dir().join(format!("conform-report-shard-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let faults = [Fault::MissingAllowHeader, Fault::HypersenderCodeReusable].into_iter().collect();
    let server = Server::start(([127, 0, 0, 1], 0).into(), faults).await.unwrap();
    let url = server.url();
    let whole = run(&url, &dir, "whole", None).await;
    let mut shards = Vec::new();
    for i in 1..=3 {
        shards.push(run(&url, &dir, &format!("shard-{i}"), Some(&format!("{i}/3"))).await);
    }
    server.stop().await.unwrap();
    let whole = read(&whole);
    let parts: Vec<RunResult> = shards.iter().map(|p| read(p)).collect();
    for (i, part) in parts.iter().enumerate() {
        let shard = part.shard.expect("a shard records itself");
        assert_eq!((shard.index, shard.count), (i as u32 + 1, 3));
        assert!(!part.cases.is_empty() && part.cases.len() < whole.cases.len(), "shard {shard}: {}", part.cases.len());
        // Each case keeps its identity: the same seed and request as in the whole run.
        for case in &part.cases {
            let same = &whole.cases[case.plan_index];
            assert_eq!(same.id, case.id);
            assert_eq!(same.seed, case.seed);
            assert_eq!(same.request, case.request, "{}", case.id);
        }
    }
    assert_eq!(parts.iter().map(|p| p.cases.len()).sum::<usize>(), whole.cases.len());
    assert_eq!(parts.iter().map(|p| p.scenarios.len()).sum::<usize>(), whole.scenarios.len());
    assert!(whole.cases.iter().any(|c| !c.failures.is_empty()), "failures to compare");
    assert!(whole.scenarios.iter().any(|s| !s.failures.is_empty()), "a failed scenario to compare");

    // Shards in any order on the command line.
    let paths: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    let (output, out) = merge(&dir, &[paths[2], paths[0], paths[1]]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let merged = read(&out);
    assert_eq!(merged.shard, None, "merged, the run is whole again");
    assert_eq!(merged.duration, parts.iter().map(|p| p.duration).max().unwrap(), "the slowest shard's wall time");
    // The JUnit of the merged shards lists the same test cases, with the same outcomes.
    let junit = junit_cases(&dir.join("whole.xml"));
    assert!(junit.len() == whole.cases.len() + whole.scenarios.len(), "{} test cases", junit.len());
    assert!(junit.iter().any(|c| c.2 == "failure"), "failures to compare");
    assert_eq!(junit_cases(&dir.join("merged.xml")), junit);
    // A case is one request, in whichever shard it runs.
    let planned = |r: &RunResult| {
        let n = r.requests;
        (n.examples, n.positive, n.negative, n.coverage, n.protocol, n.scenarios)
    };
    assert_eq!(planned(&merged), planned(&whole), "the requests of the cases and scenarios add up");
    assert!(merged.requests.sandbox > whole.requests.sandbox, "each shard asked for the handshake");
    let (expected, actual) = (comparable(&whole), comparable(&merged));
    for (field, value) in expected.as_object().unwrap() {
        let merged = &actual[field];
        if let (Some(whole), Some(merged)) = (value.as_array(), merged.as_array()) {
            // A list names its first differing item, not the whole list.
            assert_eq!(whole.len(), merged.len(), "`{field}` has another length");
            for (w, m) in whole.iter().zip(merged) {
                assert!(w == m, "`{field}` differs at {}:\nwhole:  {w}\nmerged: {m}", w["id"]);
            }
        }
        assert!(value == merged, "`{field}` differs:\nwhole:  {value}\nmerged: {merged}");
    }

    // Shards that do not make one run.
    let refused = |shards: &[&Path], expected: &str| {
        let (output, out) = merge(&dir, shards);
        let printed = text(&output);
        assert_eq!(output.status.code(), Some(2), "{printed}");
        assert!(printed.contains(expected), "expected `{expected}` in: {printed}");
        assert!(!out.exists(), "nothing is written");
    };
    refused(&[paths[0], paths[1]], "shard 3/3 missing");
    refused(&[paths[0], paths[1], paths[2], paths[0]], "shard 1/3 again");
    let whole_path = dir.join("whole.json");
    refused(&[&whole_path, paths[1]], "whole.json: not a shard");
    let other = dir.join("other-seed.json");
    let text_of = std::fs::read_to_string(paths[2]).unwrap();
    std::fs::write(&other, text_of.replacen(&format!("\"seed\": {SEED},"), "\"seed\": 12,", 1)).unwrap();
    refused(&[paths[0], paths[1], &other], "other-seed.json: seed 12, but");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_shard_is_refused_by_the_command_line() {
    for (shard, expected) in [
        ("0/3", "the shard index is 1-based, from 1 to 3"),
        ("4/3", "the shard index is 1-based, from 1 to 3"),
        ("1/0", "the shard count must be at least 1"),
        ("x", "expected I/N"),
    ] {
        let output = conform(&["run", "--dry-run", "--shard", shard]);
        let printed = text(&output);
        assert_eq!(output.status.code(), Some(2), "{shard}: {printed}");
        assert!(printed.contains("--shard") && printed.contains(expected), "{shard}: {printed}");
    }
}
