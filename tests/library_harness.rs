//! The library harness as a user meets it: a new Cargo project outside this repository, depending
//! on conform by path, whose `tests/api.rs` is the five-line snippet of docs/library-harness.md
//! (read out of the page, so the two cannot drift). `cargo test -- --list` lists its trials, and
//! `cargo test` passes against `conform serve` for each bundled spec in turn.
//!
//! It builds a second project. To stay cheap it shares this repository's `target/` (with the
//! same profile, so compiled dependencies are reused) and runs offline: the outer build has
//! fetched every crate already.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/served.rs"]
mod served;
use served::Served;

const PAGE: &str = include_str!("../docs/library-harness.md");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The harness file of the page: its first `rust` block.
fn snippet() -> String {
    let start = PAGE.find("```rust").expect("the page has a rust block");
    let body = &PAGE[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").expect("the block is closed")].to_owned()
}

/// The profile sections of conform's own manifest, so that the dependencies compiled for this
/// repository are the ones the project finds in the shared target directory.
fn profiles() -> String {
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    let start = manifest.find("[profile.").expect("conform's manifest has its dev profile");
    manifest[start..].to_owned()
}

/// A new project in a temporary directory, with the page's harness as `tests/api.rs`.
fn project() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conform-harness-user-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"harness-user\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dev-dependencies]\nconform = {{ path = {root:?} }}\n\n[[test]]\nname = \"api\"\nharness = false\n\n\
         [workspace]\n\n{profiles}",
        root = ROOT,
        profiles = profiles()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    // The same versions as conform's own build: nothing to fetch, everything compiled already.
    std::fs::copy(Path::new(ROOT).join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(dir.join("tests/api.rs"), snippet()).unwrap();
    dir
}

/// `cargo test --offline --test api -- ARGS` in `dir`, with `API_URL` and no CONFORM_* of ours.
fn cargo_test(dir: &Path, url: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(dir).args(["test", "--offline", "--quiet", "--test", "api", "--"]).args(args);
    command.env("CARGO_TARGET_DIR", Path::new(ROOT).join("target")).env("API_URL", url);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("CONFORM_")) {
        command.env_remove(name);
    }
    command.output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn the_snippet_is_five_lines() {
    let snippet = snippet();
    assert!(snippet.lines().count() <= 5, "the page promises five lines:\n{snippet}");
    assert!(snippet.contains("Harness::new()") && snippet.contains(".run()"), "{snippet}");
}

#[test]
fn a_new_project_lists_and_passes_its_trials_against_conform_serve() {
    let dir = project();
    let served = Served::start();
    let started = std::time::Instant::now();
    for spec in ["zapi", "wawp", "hypersender"] {
        std::fs::copy(Path::new(ROOT).join(format!("specs/{spec}.yaml")), dir.join("openapi.yaml")).unwrap();
        let listed = cargo_test(&dir, &served.url, &["--list"]);
        let listing = text(&listed);
        assert!(listed.status.success(), "{listing}");
        let trials: Vec<&str> = listing.lines().filter_map(|l| l.strip_suffix(": test")).collect();
        assert!(trials.len() > 10, "one trial per case: {listing}");
        assert!(trials.iter().all(|t| t.starts_with("openapi::")), "named by case id, the spec's id first: {listing}");
        assert!(trials.iter().any(|t| t.contains("::negative::")), "negative cases too: {listing}");
        let run = cargo_test(&dir, &served.url, &[]);
        let output = text(&run);
        assert!(run.status.success(), "{spec}: {output}");
        let passed = format!("test result: ok. {} passed; 0 failed", trials.len());
        assert!(output.contains(&passed), "{spec}: every listed trial ran and passed ({passed}): {output}");
        eprintln!("{spec}: {} trials, {:.1} s since the start", trials.len(), started.elapsed().as_secs_f64());
    }
    // Without the URL the harness says which variable to set, and runs nothing.
    let unset = cargo_test(&dir, "", &[]);
    assert!(!unset.status.success());
    assert!(text(&unset).contains("no target to test: set API_URL or CONFORM_TARGET"), "{}", text(&unset));
    std::fs::remove_dir_all(&dir).unwrap();
}
