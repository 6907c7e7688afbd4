//! The documentation is executable: every block of the README or of `docs/reference-server.md`
//! marked `<!-- walkthrough -->` runs against a fresh reference server, and what each command prints must match the `# ...` lines under it
//! (`...` stands for a random part). Also: the README's two commands are the ones CI runs.

use std::process::Command;

const README: &str = include_str!("../README.md");
/// The pages that hold walkthroughs: the README's front page and the reference server's page.
const PAGES: [&str; 2] = [README, include_str!("../docs/reference-server.md")];
const MARKER: &str = "<!-- walkthrough -->";
const STEP: &str = "@@conform-step@@";

/// One command (possibly several lines) and the output it must print.
#[derive(Debug)]
struct Step {
    command: String,
    expected: String,
}

fn walkthroughs() -> Vec<Vec<Step>> {
    let mut blocks = Vec::new();
    for page in PAGES {
        let mut rest = page;
        while let Some(at) = rest.find(MARKER) {
            rest = &rest[at + MARKER.len()..];
            let body = rest.trim_start().strip_prefix("```sh\n").expect("a ```sh block follows the marker");
            let end = body.find("\n```").expect("the block is closed");
            blocks.push(steps(&body[..end]));
            rest = &body[end..];
        }
    }
    blocks
}

fn steps(block: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_output = false;
    for line in block.lines() {
        if let Some(output) = line.strip_prefix("# ") {
            let step = steps.last_mut().expect("output follows a command");
            if !step.expected.is_empty() {
                step.expected.push('\n');
            }
            step.expected.push_str(output);
            in_output = true;
        } else if let Some(step) = steps.last_mut().filter(|s| !in_output && s.command.ends_with('\\')) {
            step.command.push('\n');
            step.command.push_str(line);
        } else {
            steps.push(Step { command: line.to_owned(), expected: String::new() });
            in_output = false;
        }
    }
    steps
}

/// `expected` with every `...` standing for any text (possibly empty, never a newline).
fn matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("...").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    let Some(mut rest) = actual.strip_prefix(first) else { return false };
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) if !rest[..at].contains('\n') => rest = &rest[at + part.len()..],
            _ => return false,
        }
    }
    rest.ends_with(last) && !rest[..rest.len() - last.len()].contains('\n')
}

#[test]
fn wildcard_matching() {
    assert!(matches("a...c", "abbbc"));
    assert!(matches("{\"code\":\"...-...\"}", "{\"code\":\"AB12-CD34\"}"));
    assert!(!matches("{\"code\":\"...-...\"}", "{\"code\":\"AB12CD34\"}"));
    assert!(!matches("a...c", "ab\nc"));
    assert!(!matches("exact", "exact "));
}

#[test]
fn every_walkthrough_runs_as_written() {
    let blocks = walkthroughs();
    assert!(blocks.len() >= 6, "found {} walkthrough blocks", blocks.len());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(conform::reference::Server::start("127.0.0.1:0".parse().unwrap(), Default::default()))
        .unwrap();
    let mut checked = 0;
    for (n, block) in blocks.iter().enumerate() {
        let script: String = block.iter().map(|s| format!("{}\nprintf '\\n{STEP}\\n'\n", s.command)).collect();
        let output = Command::new("bash").args(["-uc", &script]).env("BASE", server.url()).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "walkthrough {n} failed: {}", String::from_utf8_lossy(&output.stderr));
        let printed: Vec<&str> = stdout.split(&format!("\n{STEP}\n")).collect();
        assert_eq!(printed.len(), block.len() + 1, "walkthrough {n}: {stdout}");
        for (step, actual) in block.iter().zip(printed) {
            let actual = actual.trim_end_matches('\n');
            assert!(
                matches(&step.expected, actual),
                "walkthrough {n}, command:\n{}\nexpected:\n{}\nprinted:\n{actual}",
                step.command,
                step.expected
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} commands checked");
    runtime.block_on(server.stop()).unwrap();
}

#[test]
fn the_two_commands_are_the_ones_ci_runs() {
    let first_block = README.split("## Two commands").nth(1).unwrap().split("```").nth(1).unwrap();
    let commands: Vec<&str> =
        first_block.lines().skip(1).map(|l| l.split('#').next().unwrap().trim()).filter(|l| !l.is_empty()).collect();
    assert_eq!(commands, ["cargo run --release -- run", "cargo test"]);
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(ci.lines().any(|l| l.trim() == "cargo test"), ".ci/run runs the README's test command");
}
