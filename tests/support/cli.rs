//! The real `conform` binary, run as a user runs it (with no `CONFORM_TARGET` from the caller's
//! environment), for the tests that drive the command line.

use std::path::Path;
use std::process::{Command, Output};

use conform::run::RunResult;

/// Runs `conform ARGS` and waits for it.
pub fn conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform")).args(args).env_remove("CONFORM_TARGET").output().unwrap()
}

/// Runs `conform ARGS --report json=REPORT` off the async runtime and reads the JSON report: the
/// exit code, what it printed (stdout, then stderr), and the run's result.
#[allow(dead_code)]
pub async fn conform_with_json(mut args: Vec<String>, report: &Path) -> (Option<i32>, String, RunResult) {
    args.extend(["--report".to_owned(), format!("json={}", report.display())]);
    let output = tokio::task::spawn_blocking(move || conform(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let result = conform::report::json::read(report).unwrap_or_else(|e| panic!("no report ({e}): {printed}"));
    (output.status.code(), printed, result)
}
