//! docs/ci.md's recipes, run: the GitHub Actions workflow and the GitLab CI pipeline are read as
//! YAML, and every `conform` command line of them runs, job by job and shard by shard, in a
//! temporary repository holding the page's `conform.toml`, with a local `conform serve` as the
//! staging URL. Artifacts are carried from job to job as each recipe says; CI expressions get
//! values (a shard number, a pipeline id), and an expression the test does not know fails it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

#[path = "support/served.rs"]
mod served;
use served::Served;

const PAGE: &str = include_str!("../docs/ci.md");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The page's blocks of `lang`, in order.
fn blocks(lang: &str) -> Vec<&'static str> {
    let open = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = PAGE;
    while let Some(at) = rest.find(&open) {
        let body = &rest[at + open.len()..];
        let end = body.find("```").expect("the block is closed");
        out.push(&body[..end]);
        rest = &body[end..];
    }
    out
}

/// A job's working copy of the repository: the page's `conform.toml` and an `openapi.yaml`
/// (the bundled Hypersender spec, which `conform serve` implements).
fn checkout(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let config = blocks("toml")[0];
    std::fs::write(dir.join("conform.toml"), config).unwrap();
    std::fs::copy(Path::new(ROOT).join("specs/hypersender.yaml"), dir.join("openapi.yaml")).unwrap();
}

/// Runs one command line of a recipe with `sh` in `dir`, `conform` being this build's, and
/// returns its exit code.
fn sh(dir: &Path, line: &str, env: &[(&str, String)]) -> i32 {
    let bin = Path::new(env!("CARGO_BIN_EXE_conform")).parent().unwrap().to_owned();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new("sh");
    command.current_dir(dir).args(["-c", line]).env("PATH", path);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("CONFORM_") || name == "CI") {
        command.env_remove(name);
    }
    let output = command.envs(env.iter().map(|(k, v)| (*k, v.as_str()))).output().unwrap();
    let code = output.status.code().unwrap_or(-1);
    if code != 0 {
        eprintln!("$ {line}\n{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    }
    code
}

/// The `conform` lines of a script (a GitHub step's `run`, a GitLab `script` entry).
fn conform_lines(script: &str) -> Vec<String> {
    let line = script.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.starts_with("conform ") { vec![line] } else { Vec::new() }
}

/// `${{ name }}` replaced by its value; any other expression left is a failure.
fn github_expressions(line: &str, values: &[(&str, String)]) -> String {
    let mut line = line.to_owned();
    for (name, value) in values {
        line = line.replace(&format!("${{{{ {name} }}}}"), value);
    }
    assert!(!line.contains("${{"), "an expression the test does not know: {line}");
    line
}

/// `<testcase` elements in a JUnit file.
fn testcases(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().matches("<testcase ").count()
}

/// Cases and scenarios in the shards' JSON reports.
fn planned(paths: &[PathBuf]) -> usize {
    paths
        .iter()
        .map(|path| {
            let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            report["cases"].as_array().unwrap().len() + report["scenarios"].as_array().unwrap().len()
        })
        .sum()
}

fn shard_reports(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("shard-"))
        .collect();
    found.sort();
    found
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("conform-ci-{name}-{}", std::process::id()))
}

#[test]
fn the_github_actions_recipe_runs_its_shards_and_merges_them() {
    let served = Served::start();
    let workflow: Value = serde_yaml::from_str(blocks("yaml")[0]).unwrap();
    let jobs = &workflow["jobs"];
    let shards = jobs["conform"]["strategy"]["matrix"]["shard"].as_sequence().unwrap();
    assert_eq!(shards.len(), 3);
    let upload = |job: &Value| -> String {
        let steps = job["steps"].as_sequence().unwrap();
        let step = steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/upload-artifact")));
        step.unwrap()["with"]["path"].as_str().unwrap().to_owned()
    };
    let runs = |job: &Value| -> Vec<String> {
        job["steps"].as_sequence().unwrap().iter().filter_map(|s| s["run"].as_str()).flat_map(conform_lines).collect()
    };
    // The shard jobs, each on its own runner; their uploads are gathered for the report job.
    let root = temp("github");
    let report_job = root.join("report");
    checkout(&report_job);
    let download = jobs["report"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/download-artifact")))
        .unwrap()["with"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let gathered = report_job.join(&download);
    std::fs::create_dir_all(&gathered).unwrap();
    let env = [("STAGING_URL", served.url.clone())];
    for shard in shards {
        let shard = shard.as_u64().unwrap().to_string();
        let runner = root.join(format!("shard-{shard}"));
        checkout(&runner);
        let values = [("matrix.shard", shard.clone()), ("github.run_id", "4242".to_owned())];
        let lines = runs(&jobs["conform"]);
        assert_eq!(lines.len(), 1, "one conform run per shard: {lines:?}");
        for line in lines {
            assert_eq!(sh(&runner, &github_expressions(&line, &values), &env), 0, "shard {shard}");
        }
        for file in std::fs::read_dir(runner.join(upload(&jobs["conform"]))).unwrap() {
            let file = file.unwrap().path();
            std::fs::copy(&file, gathered.join(file.file_name().unwrap())).unwrap();
        }
    }
    let lines = runs(&jobs["report"]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(sh(&report_job, &github_expressions(&lines[0], &[]), &env), 0);
    let out = report_job.join(upload(&jobs["report"]));
    for file in ["junit.xml", "summary.md", "report.html"] {
        assert!(out.join(file).is_file(), "the report job writes {file}");
    }
    let shards = shard_reports(&gathered);
    assert_eq!(shards.len(), 3);
    assert!(planned(&shards) > 20, "the shards ran the spec's cases");
    assert_eq!(testcases(&out.join("junit.xml")), planned(&shards), "the merged JUnit has every shard's cases");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn the_gitlab_recipe_runs_its_parallel_jobs_and_merges_them() {
    let served = Served::start();
    let pipeline: Value = serde_yaml::from_str(blocks("yaml")[1]).unwrap();
    let job = &pipeline["conform"];
    let parallel = job["parallel"].as_u64().unwrap();
    assert!(job["variables"]["STAGING_URL"].is_string(), "the pipeline names the staging URL");
    let scripts = |job: &Value| -> Vec<String> {
        job["script"].as_sequence().unwrap().iter().filter_map(Value::as_str).flat_map(conform_lines).collect()
    };
    // GitLab hands every job's `out/` to the report job: one working copy stands for all of them.
    let dir = temp("gitlab");
    checkout(&dir);
    for index in 1..=parallel {
        let env = [
            ("STAGING_URL", served.url.clone()),
            ("CI_PIPELINE_ID", "4242".to_owned()),
            ("CI_NODE_INDEX", index.to_string()),
            ("CI_NODE_TOTAL", parallel.to_string()),
        ];
        let lines = scripts(job);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(sh(&dir, &lines[0], &env), 0, "job {index}/{parallel}");
    }
    let junit = job["artifacts"]["reports"]["junit"].as_str().unwrap();
    let (prefix, suffix) = junit.split_once('*').unwrap();
    let each: Vec<PathBuf> = (1..=parallel).map(|i| dir.join(format!("{prefix}{i}{suffix}"))).collect();
    assert!(each.iter().all(|p| p.is_file()), "every job's JUnit report: {each:?}");
    let report = &pipeline["conform-report"];
    let lines = scripts(report);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(sh(&dir, &lines[0], &[]), 0);
    for path in report["artifacts"]["paths"].as_sequence().unwrap() {
        assert!(dir.join(path.as_str().unwrap()).is_file(), "the report job's artifact {path:?}");
    }
    let shards = shard_reports(&dir.join("out"));
    assert!(planned(&shards) > 20, "the jobs ran the spec's cases");
    assert_eq!(testcases(&dir.join("junit.xml")), planned(&shards));
    assert_eq!(testcases(&dir.join("junit.xml")), each.iter().map(|p| testcases(p)).sum::<usize>());
    std::fs::remove_dir_all(&dir).unwrap();
}
