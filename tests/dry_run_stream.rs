//! `--dry-run` streams: each case is reported (and printed) as it finishes, in plan order, and a
//! dry run that keeps only failures keeps no case at all, so its memory does not grow with the
//! plan (a dry run has no failures: every case is skipped, would be sent or would not).

use std::sync::{Arc, Mutex};

use conform::plan::PlanOptions;
use conform::run::{CaseStatus, Event, Keep, ReasonKind, RunConfig, Session, VariableSources, run};

#[path = "support/cli.rs"]
mod cli;
use cli::conform;

/// Z-API's variables: given to a target without the sandbox, its cases can be built (but for
/// the message-sending ones, which the send guard holds back); the other specs' cannot.
const ZAPI_VARS: [&str; 3] = ["zapi.instanceId=INST1", "zapi.token=TOKEN1", "zapi.clientToken=CLIENT1"];

/// A dry run of the bundled specs at `target`; `sandbox`: the target counts as serving the
/// sandbox (as the embedded reference server does), so every case has its fixture's values;
/// without it, Z-API's variables are given.
fn config(target: &str, sandbox: bool, cases: usize, keep: Keep) -> RunConfig {
    let specs = conform::spec::bundled().unwrap();
    let flags = if sandbox { Vec::new() } else { ZAPI_VARS.iter().map(|v| v.parse().unwrap()).collect() };
    RunConfig {
        targets: vec![target.to_owned(); specs.len()],
        specs,
        variables: VariableSources { flags, env: Default::default() },
        plan: PlanOptions { cases, seed: 11, shard: None },
        concurrency: 16,
        dry_run: true,
        known_sandboxes: if sandbox { vec![target.to_owned()] } else { Vec::new() },
        keep,
        ..RunConfig::default()
    }
}

/// The ids of the plan's cases, in plan order.
async fn planned_ids(config: RunConfig) -> Vec<String> {
    let session = Session::prepare(config).await.unwrap();
    session.plan().cases().map(|case| case.id.to_string()).collect()
}

/// A printed case: its id, and its curl line when it would be sent.
type Printed = (String, Option<String>);

/// What the printed dry run says: each case in the order printed, and the closing line's counts
/// (would be sent, of all).
fn parse(stdout: &str) -> (Vec<Printed>, (usize, usize)) {
    let mut cases: Vec<Printed> = Vec::new();
    let mut lines = stdout.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(header) = line.strip_prefix("# ") {
            match header.split_once(" (would not be sent: ") {
                Some((id, _)) => cases.push((id.to_owned(), None)),
                None => {
                    let curl = lines.next().unwrap_or_else(|| panic!("no curl line after {line}"));
                    assert!(curl.starts_with("curl "), "{line} is followed by {curl}");
                    cases.push((header.to_owned(), Some(curl.to_owned())));
                }
            }
        } else if line.is_empty() {
            let last = lines.next().expect("the closing line");
            assert!(lines.next().is_none(), "the closing line is the last");
            let counts = last
                .strip_prefix("dry run: ")
                .and_then(|rest| rest.split_once(" requests would be sent; nothing was sent (seed 11)"))
                .and_then(|(counts, _)| counts.split_once(" of "))
                .map(|(a, b)| (a.parse().unwrap(), b.parse().unwrap()))
                .unwrap_or_else(|| panic!("not the closing line: {last}"));
            return (cases, counts);
        } else {
            panic!("a line that is neither a case nor the closing line: {line}");
        }
    }
    panic!("no closing line:\n{stdout}");
}

/// The binary's dry run prints every planned case once, in plan order (under a concurrency that
/// finishes them out of order), with a closing line that counts what it printed: with the
/// embedded server (every request shown) and with a target where many cases lack a variable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_dry_run_has_every_planned_case_once_in_plan_order() {
    let vars: Vec<&str> = ZAPI_VARS.iter().flat_map(|v| ["--var", v]).collect();
    let target = [&["--target", "http://127.0.0.1:9"][..], &vars].concat();
    let runs: [(&[&str], RunConfig); 2] = [
        (&[], config("http://127.0.0.1:1", true, 30, Keep::FAILURES)),
        (&target, config("http://127.0.0.1:9", false, 30, Keep::FAILURES)),
    ];
    for (target, config) in runs {
        let expected = planned_ids(config).await;
        let mut args = vec!["run", "--dry-run", "--seed", "11", "--cases", "30", "--concurrency", "16"];
        args.extend_from_slice(target);
        let output = tokio::task::spawn_blocking(move || conform(&args)).await.unwrap();
        let (stdout, stderr) =
            (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr));
        assert_eq!(output.status.code(), Some(0), "{target:?}: {stderr}");
        let (printed, (would_send, of)) = parse(&stdout);
        let ids: Vec<&str> = printed.iter().map(|(id, _)| id.as_str()).collect();
        assert!(expected.len() > 500, "{target:?}: {} cases", expected.len());
        assert_eq!(ids, expected, "{target:?}: every planned case once, in plan order");
        assert_eq!(of, expected.len(), "{target:?}: the closing line counts every case");
        assert_eq!(would_send, printed.iter().filter(|(_, curl)| curl.is_some()).count(), "{target:?}");
        if target.is_empty() {
            assert_eq!(would_send, of, "the embedded server's fixtures give every case its values");
        } else {
            assert!(0 < would_send && would_send < of, "some cases lack a variable: {would_send} of {of}");
        }
    }
}

/// The dry-run events: each generated case once, in plan order, with what the result keeps of it
/// when it keeps everything; and with `Keep::FAILURES` (the command line's without a report),
/// the result keeps no case (no curl, no request), only counts, whatever the plan's size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_reports_each_case_in_plan_order_and_keeps_none_of_them() {
    for (target, sandbox) in [("http://127.0.0.1:1", true), ("http://127.0.0.1:9", false)] {
        let expected = planned_ids(config(target, sandbox, 20, Keep::ALL)).await;
        let events = Arc::new(Mutex::new(Vec::new()));
        let seen = events.clone();
        let on_event = move |event| {
            if let Event::DryRunCase { id, status, curl } = event {
                seen.lock().unwrap().push((id, status, curl));
            }
        };
        let all = run(config(target, sandbox, 20, Keep::ALL), on_event.clone()).await.unwrap();
        let streamed = std::mem::take(&mut *events.lock().unwrap());
        let ids: Vec<&str> = streamed.iter().map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(ids, expected, "{target}: every case once, in plan order");
        let kept: Vec<(String, CaseStatus, Option<String>)> =
            all.cases.iter().map(|c| (c.id.to_string(), c.status.clone(), c.curl.clone())).collect();
        assert_eq!(streamed, kept, "{target}: the events show what a result that keeps every case has");
        let would_send = |status: &CaseStatus| matches!(status, CaseStatus::Skipped(r) if r.kind == ReasonKind::DryRun);
        let sent = streamed.iter().filter(|(_, status, curl)| would_send(status) && curl.is_some()).count();
        if sandbox {
            assert_eq!(sent, expected.len(), "{target}: every request is shown");
        } else {
            assert!(sent > 0 && sent < expected.len(), "{target}: {sent} of {}", expected.len());
        }

        let counted = run(config(target, sandbox, 20, Keep::FAILURES), on_event).await.unwrap();
        let again = std::mem::take(&mut *events.lock().unwrap());
        assert_eq!(again, streamed, "{target}: the events do not depend on what is kept");
        assert!(
            counted.cases.is_empty(),
            "{target}: a dry run keeping failures only kept {} cases (the first: {:?})",
            counted.cases.len(),
            counted.cases.first().map(|c| (&c.id, &c.curl))
        );
        assert_eq!(counted.omitted.cases().skipped, expected.len(), "{target}: every case is counted");
        assert_eq!(counted.total_cases(), all.total_cases());
        assert_eq!(counted.count(|s| matches!(s, CaseStatus::Skipped(_))), expected.len());
        assert_eq!(counted.tally(), all.tally(), "{target}: the same counts, per operation and kind");
        assert_eq!(counted.verdict(), all.verdict());
    }
}
