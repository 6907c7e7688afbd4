//! `cargo test --test conformance`: every conform case is one libtest trial, named by its case id
//! (`zapi::request-registration-code::negative::phone-pattern`), and every scenario of the bundled
//! suites one more (`hypersender::hypersender::code-single-use`), so name filters, `--list`,
//! `--exact` and nextest sharding work.
//!
//! The target is `CONFORM_TARGET` (one URL for every bundled spec), or else the embedded reference
//! server. Variables come from `CONFORM_VAR_*`; `CONFORM_SEED` fixes the seed (default 0, so that
//! trial names and inputs are stable); `CONFORM_CASES` sets the positive cases per operation;
//! warnings fail a trial unless `CONFORM_STRICT=0`. A failing trial prints the same reproduction
//! as `conform run`. A case that cannot be sent (a missing variable), or a scenario that needs a
//! sandbox the target has not, is an ignored trial.
//!
//! The bundled suites' scenarios are trials too (`spec::suite::scenario`). A request example's
//! answer and each scenario step's are compared by insta with their `.snap` files: in `snapshots/`
//! against the embedded server, in `CONFORM_SNAPSHOTS` (a directory) against a `CONFORM_TARGET`,
//! where nothing is compared without it. `INSTA_UPDATE` and `CI` work as they do with insta:
//! `INSTA_UPDATE=always` records, a mismatch outside CI leaves a `.snap.new` for `cargo insta review`.

use std::sync::Arc;
use std::time::Duration;

use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::reference::{Faults, Server};
use conform::report::console;
use conform::run::{CaseStatus, RunConfig, Session, VariableSources};
use conform::snapshot::{Outcome, file};
use libtest_mimic::{Arguments, Failed, Trial};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Compares a normalized answer with its snapshot through insta, in `dir`.
fn assert_snapshot(dir: &Option<String>, outcome: &Outcome) -> Result<(), Failed> {
    let Some(dir) = dir else { return Ok(()) };
    let name = file::file_name(&outcome.id).trim_end_matches(".snap").to_owned();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name.as_str(), outcome.content.as_str(), outcome.id.as_str()))
    }));
    checked.map_err(|panic| {
        let message =
            panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
        Failed::from(format!("snapshot {}: {}", outcome.id, message.unwrap_or_default()))
    })
}

fn main() {
    let args = Arguments::from_args();
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("a tokio runtime"));
    let specs = conform::spec::bundled().expect("the bundled specs load");
    let snapshots = match (std::env::var("CONFORM_SNAPSHOTS"), std::env::var("CONFORM_TARGET")) {
        (Ok(dir), _) if !dir.is_empty() => Some(dir),
        (_, Ok(url)) if !url.is_empty() => None,
        _ => Some(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots").to_owned()),
    };
    let (target, server) = match std::env::var("CONFORM_TARGET") {
        Ok(url) if !url.is_empty() => (url.trim_end_matches('/').to_owned(), None),
        _ => {
            let server = runtime
                .block_on(Server::start(([127, 0, 0, 1], 0).into(), Faults::none()))
                .expect("the embedded reference server starts");
            (server.url(), Some(server))
        }
    };
    let strict = std::env::var("CONFORM_STRICT").map_or(true, |v| v != "0" && v != "false");
    let suites = conform::suite::bundled(&specs).expect("the bundled suites load");
    let config = RunConfig {
        targets: vec![target; specs.len()],
        specs,
        suites,
        variables: VariableSources::from_env(Vec::new()),
        plan: PlanOptions {
            cases: env_number("CONFORM_CASES", 5) as usize,
            seed: env_number("CONFORM_SEED", 0),
            shard: None,
        },
        strict,
        concurrency: 1,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    let session = match runtime.block_on(Session::prepare(config)) {
        Ok(session) => Arc::new(session),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut trials: Vec<Trial> = (0..session.plan().len())
        .map(|index| {
            let name = session.plan().case(index).id.to_string();
            let skip = session.skip_reason(index);
            let (session, runtime, snapshots) = (session.clone(), runtime.clone(), snapshots.clone());
            Trial::test(name, move || {
                // What shrinking met besides (another rule broken on a smaller input) is shown too.
                let (result, findings) = runtime.block_on(session.run_case_with_findings(index));
                match &result.status {
                    CaseStatus::Error(message) => {
                        Err(Failed::from(format!("conform could not run this case: {message}")))
                    }
                    CaseStatus::Skipped(reason) => Err(Failed::from(format!("skipped while running: {reason}"))),
                    _ if result.fails_run(session.strict()) => {
                        let blocks = std::iter::once(&result).chain(&findings);
                        Err(Failed::from(
                            blocks.map(|c| console::failure_block(c, session.strict())).collect::<String>(),
                        ))
                    }
                    _ => result.snapshot.as_ref().map_or(Ok(()), |outcome| assert_snapshot(&snapshots, outcome)),
                }
            })
            .with_ignored_flag(skip.is_some())
            .with_kind(if skip.is_some() { "skipped" } else { "" })
        })
        .collect();
    for index in 0..session.scenarios().len() {
        let name = session.scenarios()[index].id.clone();
        let skip = session.scenario_skip_reason(index);
        let (session, runtime, snapshots) = (session.clone(), runtime.clone(), snapshots.clone());
        let trial = Trial::test(name, move || {
            let (result, findings) = runtime.block_on(session.run_scenario_with_findings(index));
            match &result.status {
                CaseStatus::Error(message) => {
                    Err(Failed::from(format!("conform could not run this scenario: {message}")))
                }
                CaseStatus::Skipped(reason) => Err(Failed::from(format!("skipped while running: {reason}"))),
                _ if result.fails_run(session.strict()) => {
                    let blocks = std::iter::once(&result).chain(&findings);
                    Err(Failed::from(blocks.map(|s| console::scenario_block(s, session.strict())).collect::<String>()))
                }
                _ => result.snapshots.iter().try_for_each(|outcome| assert_snapshot(&snapshots, outcome)),
            }
        });
        trials.push(trial.with_ignored_flag(skip.is_some()).with_kind(if skip.is_some() { "skipped" } else { "" }));
    }
    let conclusion = libtest_mimic::run(&args, trials);
    drop(server);
    conclusion.exit();
}
