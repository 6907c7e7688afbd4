//! The documentation's shell blocks are all accounted for. Every ```sh block of the README and of
//! `docs/` says how it is exercised, on the line before it:
//! - `<!-- walkthrough -->`: run line by line against a reference server, output compared (tests/readme.rs);
//! - `<!-- run -->`: run here, as written, in a scratch directory, against a `conform serve` standing in
//!   for `https://staging.example.com`; it must succeed, and every `--report FORMAT=PATH` it names must
//!   be written;
//! - `<!-- tested-by: tests/NAME.rs -->`: that test reads the page (it names it) and runs what the block shows;
//! - `<!-- not-run: reason -->`: said why, for tools CI does not install (a benchmark, cargo-insta).

#[path = "support/served.rs"]
mod served;

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The placeholder host the docs use for "your server".
const STAGING: &str = "https://staging.example.com";

#[derive(Debug, PartialEq)]
enum Marker {
    Walkthrough,
    Run,
    TestedBy(String),
    NotRun(String),
}

#[derive(Debug)]
struct Block {
    /// The page, relative to the repository (`docs/reports.md`).
    page: String,
    /// The line of its opening fence.
    line: usize,
    marker: Option<Marker>,
    body: String,
}

fn pages() -> Vec<PathBuf> {
    let mut pages = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

fn marker(line: &str) -> Option<Marker> {
    let inner = line.trim().strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    match inner.split_once(':') {
        None if inner == "walkthrough" => Some(Marker::Walkthrough),
        None if inner == "run" => Some(Marker::Run),
        Some(("tested-by", test)) => Some(Marker::TestedBy(test.trim().to_owned())),
        Some(("not-run", reason)) => Some(Marker::NotRun(reason.trim().to_owned())),
        _ => None,
    }
}

fn blocks() -> Vec<Block> {
    let mut blocks = Vec::new();
    for path in pages() {
        let page = path.strip_prefix(ROOT).unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut n = 0;
        while n < lines.len() {
            if lines[n].trim_end() != "```sh" {
                n += 1;
                continue;
            }
            let previous = lines[..n].iter().rev().find(|l| !l.trim().is_empty()).copied().unwrap_or("");
            let end = (n + 1..lines.len())
                .find(|&k| lines[k].trim_end() == "```")
                .unwrap_or_else(|| panic!("{page}:{}: the ```sh block is not closed", n + 1));
            blocks.push(Block {
                page: page.clone(),
                line: n + 1,
                marker: marker(previous),
                body: lines[n + 1..end].join("\n"),
            });
            n = end + 1;
        }
    }
    blocks
}

#[test]
fn every_shell_block_says_how_it_is_exercised() {
    let blocks = blocks();
    assert!(blocks.len() >= 20, "found {} shell blocks", blocks.len());
    let mut problems = Vec::new();
    for block in &blocks {
        let at = format!("{}:{}", block.page, block.line);
        match &block.marker {
            None => problems.push(format!("{at}: no <!-- walkthrough | run | tested-by: … | not-run: … --> before it")),
            Some(Marker::TestedBy(test)) => {
                let source = std::fs::read_to_string(Path::new(ROOT).join(test)).unwrap_or_default();
                let named = if block.page == "README.md" { "README" } else { block.page.as_str() };
                if !source.contains(named) {
                    problems.push(format!("{at}: {test} does not exist or never names {named}"));
                }
            }
            Some(Marker::NotRun(reason)) if reason.len() < 10 => problems.push(format!("{at}: say why it is not run")),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(blocks.iter().filter(|b| b.marker == Some(Marker::Run)).count() >= 3);
}

/// The report paths a block names (`--report json=out/x.json`).
fn reports(body: &str) -> Vec<String> {
    let words: Vec<&str> = body.split_whitespace().collect();
    words
        .windows(2)
        .filter(|pair| pair[0] == "--report")
        .filter_map(|pair| pair[1].split_once('=').map(|(_, path)| path.to_owned()))
        .collect()
}

#[test]
fn the_run_blocks_run_as_written() {
    let served = served::Served::start();
    let bin = Path::new(env!("CARGO_BIN_EXE_conform")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut ran = 0;
    for block in blocks().into_iter().filter(|b| b.marker == Some(Marker::Run)) {
        let at = format!("{}:{}", block.page, block.line);
        let scratch = std::env::temp_dir().join(format!("conform-docs-{}-{}", std::process::id(), block.line));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        // "Your own API": one with a spec of its own, served by the reference server.
        std::fs::copy(Path::new(ROOT).join("specs/hypersender.yaml"), scratch.join("openapi.yaml")).unwrap();
        let script = block.body.replace(STAGING, &served.url);
        let output = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &script])
            .current_dir(&scratch)
            .env("PATH", &path)
            .env("API_TOKEN", "docs-test-token-0123456789")
            .env_remove("CI")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{at}: the block failed ({})\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for report in reports(&block.body) {
            let written = std::fs::metadata(scratch.join(&report)).map(|m| m.len()).unwrap_or(0);
            assert!(written > 0, "{at}: the block names --report …={report}, which was not written");
        }
        let _ = std::fs::remove_dir_all(&scratch);
        ran += 1;
    }
    assert!(ran >= 3, "{ran} run blocks");
}
