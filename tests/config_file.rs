//! `conform.toml` through the real binary: `conform run` with no flag, in a directory holding
//! one, does what the file says (against `conform serve`); a flag beats the file; a bad file is
//! refused with located errors; `conform config` prints every setting with where it came from,
//! secrets masked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "support/served.rs"]
mod served;
use served::Served;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const TRACE: &str = "tr4ce-s3cret-from-env";

/// A fresh directory holding `conform.toml` with `text`, and a copy of the bundled Hypersender spec.
fn dir_with(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conform-config-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    std::fs::copy(Path::new(ROOT).join("specs/hypersender.yaml"), dir.join("specs/hypersender.yaml")).unwrap();
    std::fs::write(dir.join("conform.toml"), text).unwrap();
    dir
}

/// `conform ARGS` in `dir`, with `env` and none of the caller's CONFORM_* or CI variables.
fn conform(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_conform"));
    command.current_dir(dir).args(args).envs(env.iter().copied());
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("CONFORM_")) {
        command.env_remove(name);
    }
    command.env_remove("CI").output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

const FILE: &str = r#"specs = ["specs/hypersender.yaml"]
target = "${SERVE_URL}"
strict = true
cases = 2
seed = 7
concurrency = 2
reports = { json = "out/report.json", junit = "out/junit.xml" }

[headers]
X-Trace = "${TRACE_TOKEN}"
"#;

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).unwrap()).unwrap()
}

#[test]
fn run_with_no_flag_does_what_the_file_says() {
    let served = Served::start();
    let dir = dir_with("run", FILE);
    let env = [("SERVE_URL", served.url.as_str()), ("TRACE_TOKEN", TRACE)];
    let output = conform(&dir, &["run"], &env);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = report(&dir);
    assert_eq!(report["seed"], 7);
    assert_eq!(report["strict"], true);
    let targets = report["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 1, "only the file's spec: {targets:?}");
    assert_eq!(targets[0]["spec"], "hypersender");
    assert_eq!(
        targets[0]["base_url"],
        format!("{}/api/otp/v2", served.url),
        "the file's target, its server path joined"
    );
    let ids: Vec<&str> = report["cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    // The random positives (`--cases`), not the coverage phase's (`positive::coverage.…`).
    let random = |id: &&&str| id.starts_with("hypersender::request-code::positive::") && !id.contains("::coverage.");
    let positive = ids.iter().filter(random).count();
    assert_eq!(positive, 2, "cases = 2: {ids:?}");
    assert!(dir.join("out/junit.xml").is_file(), "both reports of the file are written");
    let json = std::fs::read_to_string(dir.join("out/report.json")).unwrap();
    assert!(json.contains("X-Trace") && !json.contains(TRACE), "the header from the environment is sent, and masked");
    assert!(!text(&output).contains(TRACE));

    // A flag beats the file; the rest of the file still holds.
    let output = conform(&dir, &["run", "--seed", "9", "--cases", "1"], &env);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = crate::report(&dir);
    assert_eq!((report["seed"].as_u64(), report["strict"].as_bool()), (Some(9), Some(true)));
    let ids: Vec<&str> = report["cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.iter().filter(random).count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_config_given_elsewhere_has_its_paths_from_its_own_directory() {
    let served = Served::start();
    let dir = dir_with("given", FILE);
    let elsewhere = std::env::temp_dir();
    let file = dir.join("conform.toml");
    let env = [("SERVE_URL", served.url.as_str()), ("TRACE_TOKEN", TRACE)];
    let output = conform(&elsewhere, &["run", "--config", file.to_str().unwrap(), "--cases", "0"], &env);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(report(&dir)["targets"][0]["spec"], "hypersender", "specs and reports relative to the file");
    let missing = conform(&dir, &["run", "--config", "nowhere.toml"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("cannot read the config file nowhere.toml"), "{}", text(&missing));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_file_is_refused_with_each_mistake_located() {
    let dir = dir_with("bad", "cases = 2\nconcurency = 3\ntimeout = \"slow\"\n\n[headers]\nX-Key = \"${UNSET_KEY}\"\n");
    let output = conform(&dir, &["run"], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("conform.toml:2:1")
            && stderr.contains("unknown key `concurency` (did you mean `concurrency`?)")
    );
    assert!(stderr.contains("conform.toml:3:11") && stderr.contains("`timeout` must be a number of seconds"));
    assert!(stderr.contains("--> conform.toml:6:10 (headers.X-Key)") && stderr.contains("UNSET_KEY is not set"));
    assert!(stderr.contains("error: 3 problem(s) in conform.toml; nothing was run"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing was run");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn conform_config_shows_each_setting_and_its_origin_with_secrets_masked() {
    let file = r#"specs = ["specs/hypersender.yaml"]
target = "https://staging.example.com"
strict = true
cases = 20
allow-recipients = ["5511900000*"]
snapshots = false
reports = { junit = "out/junit.xml" }

[variables]
hypersender.instance = "${STAGING_INSTANCE}"

[headers]
Authorization = "Bearer ${STAGING_TOKEN}"
"#;
    let dir = dir_with("show", file);
    let env = [
        ("STAGING_INSTANCE", "inst4nce-s3cret"),
        ("STAGING_TOKEN", "t0ken-s3cret-value"),
        ("CONFORM_VAR_HYPERSENDER_TOKEN", "env-t0ken-s3cret"),
        ("CONFORM_ALLOW_RECIPIENTS", "20123456789"),
    ];
    let output = conform(&dir, &["config", "--cases", "3", "--var", "hypersender.token=flag-s3cret-value"], &env);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let shown = String::from_utf8(output.stdout).unwrap();
    assert!(!shown.contains("s3cret") && !shown.contains("20123456789"), "no secret, no number: {shown}");
    insta::assert_snapshot!(shown);
}

/// The first block of `lang` in `page` after `from`.
fn block<'a>(page: &'a str, lang: &str, from: usize) -> (&'a str, usize) {
    let open = format!("```{lang}\n");
    let start = page[from..].find(&open).map(|at| from + at + open.len()).expect("the block is there");
    let end = start + page[start..].find("```").expect("the block is closed");
    (&page[start..end], end)
}

fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_config_page_is_what_conform_reads_and_prints() {
    let page = include_str!("../docs/config.md");
    let (file, end) = block(page, "toml", 0);
    let (command, end) = block(page, "sh", end);
    let (printed, _) = block(page, "text", end);
    let dir = dir_with("page", file);
    let env = [("STAGING_URL", "https://staging.example.com"), ("STAGING_TOKEN", "st4ging-t0ken")];
    let args: Vec<&str> = command.split_whitespace().skip_while(|w| *w != "config").collect();
    assert_eq!(args, ["config", "--cases", "3"], "the page's command: {command}");
    let output = conform(&dir, &args, &env);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let shown: Vec<String> = String::from_utf8_lossy(&output.stdout).lines().map(squeeze).collect();
    for line in printed.lines().filter(|l| !l.trim().is_empty() && l.trim() != "…") {
        assert!(
            shown.contains(&squeeze(line)),
            "the page shows `{line}`; conform config printed:\n{}",
            shown.join("\n")
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
