//! Snapshot diffs as a user meets them: `conform run` records snapshots, a clean rerun matches
//! them, a changed value fails with a diff naming it, CI writes nothing and fails on a missing
//! snapshot, a mismatch outside CI leaves a `.snap.new` for `cargo insta review`, and a fault that
//! only rewords a message is caught by snapshots alone. Every run sets or removes `CI` for its
//! own child process, so the tests pass whether or not CI is set around them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use conform::reference::{Fault, Server};

const HS_REQUEST: &str = "hypersender__request-code__example__request.snap";

/// `conform run` on the Hypersender spec (fewest cases), with or without CI.
fn conform(ci: bool, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_conform"));
    command.args(["run", "--spec", "specs/hypersender.yaml", "--cases", "1"]).args(args).env_remove("CONFORM_TARGET");
    if ci {
        command.env("CI", "true");
    } else {
        command.env_remove("CI");
    }
    command.output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conform-snapshots-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Records into a fresh directory and returns it.
fn recorded(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let output = conform(false, &["--snapshots", dir.to_str().unwrap(), "--update-snapshots"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(text(&output).contains("snapshots: 0 matched, 3 recorded"), "{}", text(&output));
    dir
}

#[test]
fn recorded_snapshots_match_on_a_clean_rerun_in_ci() {
    let dir = recorded("record");
    assert_eq!(
        files(&dir),
        [
            "hypersender__generate-link__example__request.snap",
            HS_REQUEST,
            "hypersender__validate-code__example__request.snap"
        ]
    );
    let snap = std::fs::read_to_string(dir.join(HS_REQUEST)).unwrap();
    assert!(
        snap.starts_with("---\nsource: conform run\nexpression: hypersender::request-code::example::request\n---\n")
    );
    assert!(snap.contains("    expires_at: '[timestamp+1800s]'\n"), "{snap}");
    let output = conform(true, &["--snapshots", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(text(&output).contains("snapshots: 3 matched, 0 recorded, 0 changed, 0 missing"), "{}", text(&output));
    assert_eq!(files(&dir).len(), 3, "nothing written in CI");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_changed_value_fails_with_a_diff_and_a_pending_snapshot_outside_ci() {
    let dir = recorded("changed");
    let path = dir.join(HS_REQUEST);
    let committed = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, committed.replace("queued successfully", "sent")).unwrap();
    // In CI: a failure with the diff, and nothing written.
    let output = conform(true, &["--snapshots", dir.to_str().unwrap()]);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("error[snapshot] hypersender::request-code\n"), "{out}");
    assert!(out.contains("  hypersender::request-code::example::request: the answer differs"), "{out}");
    assert!(out.contains(&format!("{}", path.display())), "the snapshot path is named: {out}");
    assert!(out.contains("│ -  message: OTP code generated and message sent"), "{out}");
    assert!(out.contains("│ +  message: OTP code generated and message queued successfully"), "{out}");
    assert!(!dir.join(format!("{HS_REQUEST}.new")).exists());
    // Outside CI: the same failure, and the new snapshot beside the committed one for review.
    let output = conform(false, &["--snapshots", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let pending = std::fs::read_to_string(dir.join(format!("{HS_REQUEST}.new"))).unwrap();
    assert!(pending.contains("message: OTP code generated and message queued successfully"), "{pending}");
    assert!(text(&output).contains("cargo insta review"), "{}", text(&output));
    // Accepting it (what `cargo insta accept` does: rename) makes the run pass again.
    std::fs::rename(dir.join(format!("{HS_REQUEST}.new")), &path).unwrap();
    let output = conform(true, &["--snapshots", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ci_writes_nothing_and_fails_on_a_missing_snapshot() {
    let dir = temp_dir("empty");
    let output = conform(true, &["--snapshots", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("no committed snapshot"), "{}", text(&output));
    assert!(files(&dir).is_empty(), "CI writes nothing");
    let refused = conform(true, &["--snapshots", dir.to_str().unwrap(), "--update-snapshots"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(files(&dir).is_empty());
    // Outside CI, a missing snapshot fails too, and is left pending for review.
    let output = conform(false, &["--snapshots", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(files(&dir).iter().all(|f| f.ends_with(".snap.new")) && files(&dir).len() == 3, "{:?}", files(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reworded_message_is_caught_by_the_committed_snapshots_only() {
    let clean = Server::start(([127, 0, 0, 1], 0).into(), Default::default()).await.unwrap();
    let faulty = Server::start(([127, 0, 0, 1], 0).into(), [Fault::HypersenderRewordedMessage].into_iter().collect())
        .await
        .unwrap();
    let (clean_url, faulty_url) = (clean.url(), faulty.url());
    let (good, bad, unseen) = tokio::task::spawn_blocking(move || {
        let committed = ["--snapshots", "snapshots", "--strict", "--target"];
        let good = conform(true, &[&committed[..], &[clean_url.as_str()]].concat());
        let bad = conform(true, &[&committed[..], &[faulty_url.as_str()]].concat());
        let unseen = conform(true, &["--strict", "--target", faulty_url.as_str()]);
        (good, bad, unseen)
    })
    .await
    .unwrap();
    assert_eq!(good.status.code(), Some(0), "the clean server matches the committed snapshots: {}", text(&good));
    let out = text(&bad);
    assert_eq!(bad.status.code(), Some(1), "{out}");
    let failures: Vec<&str> = out.lines().filter(|l| l.trim_start().starts_with("error[")).collect();
    assert!(!failures.is_empty() && failures.iter().all(|l| l.contains("error[snapshot]")), "{failures:#?}");
    assert!(out.contains("+  message: OTP code generated and queued"), "{out}");
    // Without snapshots nothing sees it, and the run says once that nothing was compared.
    let out = text(&unseen);
    assert_eq!(unseen.status.code(), Some(0), "{out}");
    assert_eq!(out.matches("snapshots are not compared").count(), 1, "{out}");
    clean.stop().await.unwrap();
    faulty.stop().await.unwrap();
}

/// A small Hypersender suite: request a code, read it, use it twice.
const SUITE: &str = r#"
spec: hypersender
vars:
  chat: {generate: "201[0-9]{8}@c[.]us"}
steps:
  request:
    call: request-code
    with: {chatId: "{{ chat }}", expires: 600}
  read:
    outbox: "{{ chat }}"
    capture: {code: /0/code}
  validate:
    call: validate-code
    with: {chatId: "{{ chat }}", code: "{{ code }}"}
scenarios:
  twice:
    steps: [request, read, validate, validate]
"#;

async fn scenario_run(url: &str, seed: u64, settings: conform::snapshot::Settings) -> conform::run::ScenarioResult {
    let specs: Vec<_> = conform::spec::bundled().unwrap().into_iter().filter(|s| s.id == "hypersender").collect();
    let suite = conform::suite::parse_suite(Path::new("suites/snap-test.yaml"), SUITE, &specs).unwrap();
    let config = conform::run::RunConfig {
        targets: vec![url.to_owned()],
        specs,
        suites: vec![suite],
        snapshots: settings,
        plan: conform::plan::PlanOptions { cases: 0, seed, shard: None },
        ..conform::run::RunConfig::default()
    };
    let session = conform::run::Session::prepare(config).await.unwrap();
    assert_eq!(session.scenarios().len(), 1);
    session.run_scenario(0).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_steps_are_snapshotted_by_step_and_stable_across_seeds() {
    use conform::snapshot::{Match, Settings};
    let server = Server::start(([127, 0, 0, 1], 0).into(), Default::default()).await.unwrap();
    let dir = temp_dir("steps");
    let record = Settings { dir: Some(dir.clone()), update: true, ci: true };
    // CI never writes, even when asked to record.
    let result = scenario_run(&server.url(), 1, record.clone()).await;
    assert!(result.snapshots.iter().all(|o| o.verdict == Match::Missing), "{:#?}", result.snapshots);
    assert!(files(&dir).is_empty());
    let result = scenario_run(&server.url(), 1, Settings { ci: false, ..record }).await;
    assert_eq!(result.status, conform::run::CaseStatus::Passed, "{:#?}", result.failures);
    let ids: Vec<&str> = result.snapshots.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "hypersender::snap-test::twice::01-request",
            "hypersender::snap-test::twice::03-validate",
            "hypersender::snap-test::twice::04-validate"
        ]
    );
    assert_eq!(
        files(&dir),
        [
            "hypersender__snap-test__twice__01-request.snap",
            "hypersender__snap-test__twice__03-validate.snap",
            "hypersender__snap-test__twice__04-validate.snap"
        ]
    );
    let reused = std::fs::read_to_string(dir.join("hypersender__snap-test__twice__04-validate.snap")).unwrap();
    assert!(reused.contains("message: The OTP code was already used."), "{reused}");
    // Another seed: other numbers, instance and code, the same snapshots.
    let compare = Settings { dir: Some(dir.clone()), update: false, ci: true };
    let again = scenario_run(&server.url(), 2, compare).await;
    assert!(again.snapshots.iter().all(|o| o.verdict == Match::Matched), "{:#?}", again.snapshots);
    assert_eq!(again.status, conform::run::CaseStatus::Passed);
    server.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_request_example_is_one_case_with_a_seed_of_its_own() {
    use conform::case::CaseKind;
    use conform::plan::{PlanOptions, plan};
    let specs = conform::spec::bundled().unwrap();
    let names = vec![Default::default(); specs.len()];
    let examples = |seed| -> Vec<(String, u64)> {
        plan(&specs, &names, &PlanOptions { cases: 1, seed, shard: None })
            .cases()
            .filter(|c| matches!(c.kind, CaseKind::Example { .. }))
            .map(|c| (c.id.to_string(), c.seed))
            .collect()
    };
    let (a, b) = (examples(1), examples(2));
    assert_eq!(a, b, "an example's seed does not follow the run's");
    let ids: Vec<&str> = a.iter().map(|(id, _)| id.as_str()).collect();
    assert!(ids.contains(&"zapi::request-registration-code::example::sms"), "{ids:?}");
    assert!(ids.contains(&"hypersender::validate-code::example::request"), "{ids:?}");
    for spec in ["zapi", "wawp", "hypersender"] {
        assert!(ids.iter().any(|id| id.starts_with(&format!("{spec}::"))), "{spec} has an example case");
        // Each one has its committed snapshot.
        for id in ids.iter().filter(|id| id.starts_with(&format!("{spec}::"))) {
            let path = Path::new("snapshots").join(conform::snapshot::file::file_name(id));
            assert!(path.is_file(), "{} is committed", path.display());
        }
    }
}
