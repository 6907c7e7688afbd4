//! The external programs some tests drive (xmllint, chromium, curl), installed by
//! `scripts/install-test-tools` when they are missing, so that `cargo test` works on a fresh machine.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The path of `program`, installing it first when it is not on PATH. Panics (fails the test) when
/// it cannot be had: a test that needs a browser does not pass without one.
pub fn require(program: &str) -> PathBuf {
    if let Some(path) = find(program) {
        return path;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-test-tools");
    let status = Command::new("bash").arg(&script).status().expect("run scripts/install-test-tools");
    assert!(status.success(), "scripts/install-test-tools failed ({status}); {program} is needed by this test");
    find(program).unwrap_or_else(|| panic!("{program} is still not on PATH after scripts/install-test-tools"))
}

fn find(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(program)).find(|path| path.is_file())
}

/// Chromium's flags for a closed network: headless, no sandbox (CI runs as root), no background
/// traffic, and a fresh profile in `profile`.
pub fn chromium_flags(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]
    .iter()
    .map(|f| (*f).to_owned())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}
