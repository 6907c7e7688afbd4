//! `conform serve` as a user runs it: the real binary, its first line, a real request, Ctrl-C.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn conform() -> Command {
    Command::new(env!("CARGO_BIN_EXE_conform"))
}

#[test]
fn list_faults_prints_the_catalogue() {
    let output = conform().args(["serve", "--list-faults"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert!(lines.len() >= 20, "{} faults listed", lines.len());
    for line in lines {
        let mut words = line.split_whitespace();
        let (name, scope) = (words.next().unwrap(), words.next().unwrap());
        assert!(name.parse::<conform::reference::Fault>().is_ok(), "{line}");
        assert!(["all", "zapi", "wawp", "hypersender"].contains(&scope), "{line}");
        assert!(words.count() >= 3, "a one-line description: {line}");
    }
}

#[test]
fn unknown_fault_is_refused_with_the_valid_names() {
    let output = conform().args(["serve", "--fault", "no-such-fault"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown fault `no-such-fault`"), "{stderr}");
    assert!(stderr.contains("zapi-code-reusable"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn bad_addr_is_a_usage_error() {
    let output = conform().args(["serve", "--addr", "not-an-address"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn serves_on_the_printed_url_and_stops_on_ctrl_c() {
    let mut child = conform()
        .args(["serve", "--addr", "127.0.0.1:0", "--fault", "json-as-text-plain"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "first line is the URL: {first:?}");
    let mut second = String::new();
    stdout.read_line(&mut second).unwrap();
    assert!(second.contains("json-as-text-plain"), "the active fault is announced: {second:?}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let reply = runtime
        .block_on(async { reqwest::get(format!("{url}/__sandbox/outbox?to=0")).await.unwrap().text().await.unwrap() });
    assert_eq!(reply, "[]");

    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "conform serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0), "a clean shutdown");
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(stderr.contains("stopped"), "{stderr}");
}

#[test]
fn list_variants_prints_the_catalogue() {
    let output = conform().args(["serve", "--list-variants"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert!(lines.len() >= 10, "{} variants listed", lines.len());
    for line in lines {
        let (name, description) = line.split_once(": ").unwrap_or_else(|| panic!("NAME: description: {line}"));
        assert!(name.parse::<conform::reference::Variant>().is_ok(), "{line}");
        assert!(description.contains("contract.md §"), "cites the contract line that allows it: {line}");
    }
}

#[test]
fn unknown_variant_is_refused_with_the_valid_names() {
    let output = conform().args(["serve", "--variant", "no-such-variant"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown variant `no-such-variant`"), "{stderr}");
    assert!(stderr.contains("wawp-body-wins"), "{stderr}");
    assert!(stderr.contains("json-pretty"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[cfg(unix)]
#[test]
fn announces_the_variants_it_serves() {
    let mut child = conform()
        .args(["serve", "--variant", "json-pretty", "--variant", "wawp-body-wins"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        lines.push(line);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(lines[0].starts_with("http://127.0.0.1:"), "{lines:?}");
    assert!(lines[1].starts_with("variant on: json-pretty"), "{lines:?}");
    assert!(lines[2].starts_with("variant on: wawp-body-wins"), "{lines:?}");
}
