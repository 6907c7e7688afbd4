//! `conform run`'s flags made into a [`RunConfig`]: a pure function of what was parsed and what
//! was loaded, so that every flag's effect on the run is tested here without a server.

use std::time::Duration;

use super::run::RunArgs;
use crate::http::Limits;
use crate::plan::PlanOptions;
use crate::report::Format;
use crate::run::{Keep, RunConfig, VariableSources};
use crate::snapshot;
use crate::spec::Spec;
use crate::suite::Suite;

/// What `conform run` loaded and resolved before the run: everything a [`RunConfig`] holds that
/// is not a flag as it was given.
pub(super) struct Loaded {
    pub specs: Vec<Spec>,
    pub suites: Vec<Suite>,
    /// One per spec: the URL, and whether it is an exact base (`--base-url`).
    pub targets: Vec<(String, bool)>,
    pub variables: VariableSources,
    pub snapshots: snapshot::Settings,
    /// The embedded reference server's URL, when it is the target.
    pub embedded: Option<String>,
    /// The seed when `--seed` is not given (drawn by the caller).
    pub drawn_seed: u64,
}

/// The run that `args` ask for, on what was `loaded`.
pub(super) fn run_config(args: &RunArgs, loaded: Loaded) -> RunConfig {
    let Loaded { specs, suites, targets, variables, snapshots, embedded, drawn_seed } = loaded;
    RunConfig {
        specs,
        exact_bases: targets.iter().map(|(_, exact)| *exact).collect(),
        targets: targets.into_iter().map(|(url, _)| url).collect(),
        variables,
        headers: args.headers.clone(),
        checks: args.checks.clone(),
        plan: PlanOptions { cases: args.cases as usize, seed: args.seed.unwrap_or(drawn_seed), shard: args.shard },
        phases: args.phases,
        strict: args.strict,
        concurrency: args.concurrency as usize,
        allow_recipients: args.allow_recipients.clone(),
        max_sends: args.max_sends,
        max_failures: args.max_failures.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        flows: crate::flow::FlowOptions {
            enabled: args.phases.stateful,
            cleanup: !args.no_cleanup,
            ..Default::default()
        },
        dry_run: args.dry_run,
        known_sandboxes: embedded.iter().cloned().collect(),
        // The embedded server runs no variant.
        references: embedded.into_iter().map(|url| (url, Vec::new())).collect(),
        show_secrets: args.show_secrets,
        suites,
        snapshots,
        // A file report lists every case, and (but for Markdown) its exchange; the console needs
        // the failures only, and counts for the rest. A dry run's console output is printed
        // case by case as the run goes, so without a report it keeps no case at all.
        keep: Keep {
            passed_cases: !args.reports.is_empty(),
            passed_exchanges: args.reports.iter().any(|r| r.format != Format::Markdown),
        },
        limits: Limits {
            timeout: Duration::from_secs_f64(args.timeout),
            max_response_bytes: usize::try_from(args.max_response_bytes).unwrap_or(usize::MAX),
            min_interval: args.rate_limit,
        },
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        args: RunArgs,
    }

    fn args(flags: &[&str]) -> RunArgs {
        Command::try_parse_from(std::iter::once("conform").chain(flags.iter().copied())).unwrap().args
    }

    fn loaded(targets: Vec<(String, bool)>, embedded: Option<&str>) -> Loaded {
        Loaded {
            specs: Vec::new(),
            suites: Vec::new(),
            targets,
            variables: VariableSources::default(),
            snapshots: snapshot::Settings::default(),
            embedded: embedded.map(str::to_owned),
            drawn_seed: 99,
        }
    }

    #[test]
    fn the_defaults_keep_failures_only_and_use_the_drawn_seed() {
        let config = run_config(&args(&[]), loaded(vec![("http://h".to_owned(), false)], None));
        assert_eq!(config.keep, Keep::FAILURES, "no report: the console needs the failures only");
        assert_eq!((config.plan.seed, config.plan.cases, config.concurrency), (99, 10, 8));
        assert_eq!(config.limits.timeout, Duration::from_secs(10));
        assert_eq!(config.max_failures, None);
        assert!(config.known_sandboxes.is_empty() && config.references.is_empty(), "not the embedded server");
    }

    #[test]
    fn each_flag_reaches_the_run() {
        let flags = [
            "--seed",
            "7",
            "--cases",
            "3",
            "--concurrency",
            "2",
            "--timeout",
            "1.5",
            "--max-failures",
            "4",
            "--max-sends",
            "6",
            "--strict",
            "--dry-run",
            "--report",
            "markdown=out.md",
            "--header",
            "X-Key: abc",
            "--max-response-bytes",
            "2048",
        ];
        let config = run_config(&args(&flags), loaded(vec![("http://h".to_owned(), false)], None));
        assert_eq!((config.plan.seed, config.plan.cases, config.concurrency), (7, 3, 2));
        assert_eq!(config.limits.timeout, Duration::from_millis(1500));
        assert_eq!(config.limits.max_response_bytes, 2048);
        assert_eq!((config.max_failures, config.max_sends), (Some(4), 6));
        assert!(config.strict && config.dry_run);
        assert_eq!(config.keep, Keep { passed_cases: true, passed_exchanges: false }, "Markdown shows no exchange");
        assert_eq!(config.headers, vec![("X-Key".to_owned(), "abc".to_owned())]);
    }

    #[test]
    fn an_exact_base_is_a_field_of_its_target_and_the_embedded_server_a_known_sandbox() {
        let targets = vec![("http://a/api/v2".to_owned(), true), ("http://b".to_owned(), false)];
        let config = run_config(&args(&[]), loaded(targets, Some("http://127.0.0.1:1")));
        assert_eq!(config.targets, ["http://a/api/v2", "http://b"]);
        assert_eq!(config.exact_bases, [true, false]);
        assert_eq!(config.known_sandboxes, ["http://127.0.0.1:1"]);
        assert_eq!(config.references.get("http://127.0.0.1:1"), Some(&Vec::new()), "no variant");
    }
}
