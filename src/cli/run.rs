//! `conform run`: load the specs, start the embedded reference server when no target is given,
//! run every case, print the report, and exit 0 (conformant), 1 (nonconformant) or 2 (error).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::ci::in_ci;
use super::dry_run::DryRunPrinter;
use super::exit::{CONFORMANT, HARNESS_ERROR, NONCONFORMANT};
use super::output::{self, errln};
use super::progress::{PROGRESS_EVERY, Progress};
use super::run_config::{Loaded, run_config};
use crate::check::CheckId;
use crate::reference::{self, Faults};
use crate::report::console;
use crate::results::{RunResult, SpecWarning, Verdict};
use crate::run::{self, AllowEntry, Event, VarFlag, VariableSources};
use crate::snapshot;
use crate::spec::{self, Spec};
use crate::suite::{self, Suite};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The config file (default: ./conform.toml, when there is one). Flags override it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// An OpenAPI spec (repeatable). Default: the three bundled specs (zapi, wawp, hypersender).
    #[arg(long = "spec", value_name = "PATH")]
    pub specs: Vec<PathBuf>,

    /// A suite file or a directory of them (repeatable). Default: with the bundled specs, their
    /// bundled suites; with your own specs, none.
    #[arg(long = "suite", value_name = "PATH")]
    pub suites: Vec<PathBuf>,

    /// The URL to test, for every spec (URL), or for one spec (SPEC=URL); each spec's server path
    /// is joined onto it. Repeatable. Default (bundled specs only): the embedded reference server.
    #[arg(long = "target", value_name = "URL|SPEC=URL")]
    pub targets: Vec<String>,

    /// The exact base URL operation paths start from, for every spec (URL) or one (SPEC=URL):
    /// nothing is joined. Repeatable.
    #[arg(long = "base-url", value_name = "URL|SPEC=URL")]
    pub base_urls: Vec<String>,

    /// A variable: [SPEC.]NAME=VALUE (repeatable). Also CONFORM_VAR_SPEC_NAME / CONFORM_VAR_NAME.
    #[arg(long = "var", value_name = "[SPEC.]NAME=VALUE")]
    pub vars: Vec<VarFlag>,

    /// A header sent on every request: 'Name: value' (repeatable). Its value is treated as a secret.
    #[arg(long = "header", value_name = "'NAME: VALUE'", value_parser = run::header_parser())]
    pub headers: Vec<(String, String)>,

    /// Warnings (rules whose source is `field` or `profile`) fail the run too.
    #[arg(long)]
    pub strict: bool,

    /// Only these checks (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub checks: Option<Vec<CheckId>>,

    /// Positive cases per operation.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub cases: u32,

    /// The phases that make cases, comma-separated: examples (the spec's request and parameter
    /// examples), coverage (edge values, hostile bodies, protocol probes), fuzzing (random valid
    /// cases and one negative case per constraint). Default: all.
    #[arg(long, value_name = "PHASE,...", default_value_t = crate::plan::Phases::ALL)]
    pub phases: crate::plan::Phases,

    /// The seed; the same seed sends the same requests. Default: random, printed in the summary.
    #[arg(long)]
    pub seed: Option<u64>,

    /// Requests in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,

    /// Per-request timeout, in seconds.
    #[arg(long, default_value_t = 10.0, value_parser = parse_timeout)]
    pub timeout: f64,

    /// A recipient that message-sending operations may reach on a target without a sandbox:
    /// digits, `-` between parts (55-11999990000 for Z-API's ddi and phone), `*` at the end for a
    /// range (repeatable; also CONFORM_ALLOW_RECIPIENTS, comma-separated).
    /// The environment's value is never printed (`--help` included): recipients are phone numbers.
    #[arg(
        long = "allow-recipient",
        value_name = "NUMBER",
        env = "CONFORM_ALLOW_RECIPIENTS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub allow_recipients: Vec<AllowEntry>,

    /// The most message-sending calls one run makes on targets without a sandbox.
    #[arg(long, default_value_t = 10)]
    pub max_sends: u32,

    /// Plan and print every request as a curl line (redacted), sending nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Stop after N cases and scenarios have failed the run: none starts after that (those
    /// running finish); what ran is reported, and the summary says the run stopped early.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_failures: Option<u64>,

    /// (flows, issue 27) Keep what the flow phase creates: no flow deletes its resources at its end.
    #[arg(long)]
    pub no_cleanup: bool,

    /// Print secrets, phone numbers and codes as they are, for local debugging. Never on by
    /// default; refused when CI is set.
    #[arg(long)]
    pub show_secrets: bool,

    /// A cap on conform's own request rate, e.g. 5/s or 30/m (every request, sandbox calls included).
    #[arg(long, value_name = "N/s", value_parser = crate::http::parse_rate)]
    pub rate_limit: Option<Duration>,

    /// Responses larger than this many bytes are an error.
    #[arg(long, default_value_t = 1024 * 1024, value_parser = clap::value_parser!(u64).range(1..=1024 * 1024 * 1024))]
    pub max_response_bytes: u64,

    /// The directory of the committed snapshots that request examples and scenario steps are
    /// compared with (insta's .snap files). Default: ./snapshots against the embedded reference
    /// server, when it exists; nothing against a --target.
    #[arg(long, value_name = "DIR", conflicts_with = "no_snapshots")]
    pub snapshots: Option<PathBuf>,

    /// Compare no snapshots.
    #[arg(long)]
    pub no_snapshots: bool,

    /// A report file to write: FORMAT=PATH, with FORMAT json, junit, html or markdown (repeatable).
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<crate::report::ReportTarget>,

    /// Record the snapshots (write DIR/NAME.snap) instead of comparing them. Refused when CI is set.
    #[arg(long, conflicts_with = "no_snapshots")]
    pub update_snapshots: bool,

    /// Run only shard I of N (1-based) of the cases and scenarios, split by a stable hash of their
    /// ids; merge the shards' JSON reports with `conform report merge`. --max-sends applies per shard.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::plan::Shard>,
}

/// The snapshot settings of a run, and a note to print once after the run when nothing was
/// compared that could have been (see [`compared_nothing`]).
fn snapshot_settings(args: &RunArgs, embedded: bool) -> (snapshot::Settings, Option<String>) {
    let ci = in_ci();
    let default = PathBuf::from("snapshots");
    let dir = match (&args.snapshots, args.no_snapshots) {
        (_, true) => None,
        (Some(dir), false) => Some(dir.clone()),
        (None, false) if embedded && (args.update_snapshots || default.is_dir()) => Some(default),
        (None, false) => None,
    };
    let note = match (&dir, args.no_snapshots, embedded) {
        (Some(_), _, _) | (None, true, _) => None,
        (None, false, true) => Some(
            "conform: no ./snapshots directory here: snapshots are not compared (record them with --update-snapshots)"
                .to_owned(),
        ),
        (None, false, false) => Some(
            "conform: snapshots are not compared against a --target or --base-url without --snapshots DIR".to_owned(),
        ),
    };
    (snapshot::Settings { dir, update: args.update_snapshots, ci }, note)
}

fn parse_timeout(text: &str) -> Result<f64, String> {
    let seconds: f64 = text.parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if seconds.is_finite() && (0.001..=3600.0).contains(&seconds) {
        Ok(seconds)
    } else {
        Err("the timeout must be between 0.001 and 3600 seconds".to_owned())
    }
}

/// Whether every spec given with `--spec` is one of the bundled specs, unchanged (the embedded
/// reference server implements those and nothing else).
fn only_bundled(paths: &[PathBuf]) -> Result<(), String> {
    for path in paths {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if !spec::BUNDLED.iter().any(|(_, bundled)| *bundled == text) {
            return Err(format!(
                "{}: no target: the embedded reference server serves only the bundled specs (zapi, wawp, \
                 hypersender); pass --target URL (or --base-url URL) to test your API",
                path.display()
            ));
        }
    }
    Ok(())
}

/// A `--target`/`--base-url` value checked as an http(s) URL, with a suggestion for the usual slips.
fn parse_url(flag: &str, url: &str) -> Result<String, String> {
    let suggest = |url: &str| {
        let with_scheme = format!("http://{url}");
        url::Url::parse(&with_scheme)
            .ok()
            .filter(|u| u.host_str().is_some() && !url.contains("://"))
            .map(|_| format!(" (did you mean `{with_scheme}`?)"))
            .unwrap_or_default()
    };
    let parsed = url::Url::parse(url).map_err(|e| format!("--{flag} `{url}`: {e}{}", suggest(url)))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        // `localhost:4010` parses as the scheme `localhost`.
        let hint = if parsed.cannot_be_a_base() { suggest(url) } else { String::new() };
        return Err(format!("--{flag} `{url}`: only http and https URLs can be tested{hint}"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// One target URL per spec, from `--target [SPEC=]URL` and `--base-url [SPEC=]URL` (`true`: exact,
/// nothing is joined).
fn resolve_targets(
    specs: &[Spec],
    flags: &[(&str, &String)],
    default: Option<&str>,
) -> Result<Vec<(String, bool)>, String> {
    let mut global = default.map(|url| (url.to_owned(), false));
    let mut per_spec = std::collections::BTreeMap::new();
    for (flag, value) in flags {
        let (spec, url) = match value.split_once('=') {
            Some((spec, url)) if !spec.contains("://") => (Some(spec), url),
            _ => (None, value.as_str()),
        };
        let target = (parse_url(flag, url)?, *flag == "base-url");
        match spec {
            Some(spec) if !specs.iter().any(|s| s.id == spec) => {
                let known: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
                return Err(format!("--{flag} {spec}=…: no spec has the id `{spec}` (loaded: {})", known.join(", ")));
            }
            Some(spec) => {
                per_spec.insert(spec.to_owned(), target);
            }
            None => global = Some(target),
        }
    }
    specs
        .iter()
        .map(|s| {
            per_spec
                .get(&s.id)
                .or(global.as_ref())
                .cloned()
                .ok_or_else(|| format!("no target for spec `{}`: give --target URL or --target {}=URL", s.id, s.id))
        })
        .collect()
}

/// The fewest instances (and outbox messages) per API that the embedded reference server keeps
/// (`--concurrency` × 64 when that is more).
const EMBEDDED_INSTANCES: usize = 1024;

pub fn run(args: RunArgs) -> u8 {
    if args.show_secrets && in_ci() {
        errln!("error: --show-secrets is refused when CI is set: CI logs are kept and shared");
        return HARNESS_ERROR;
    }
    if args.update_snapshots && in_ci() {
        errln!("error: --update-snapshots is refused when CI is set: CI never writes snapshots");
        return HARNESS_ERROR;
    }
    // The embedded server is the target only when neither --target nor --base-url names one.
    let embedded = args.targets.is_empty() && args.base_urls.is_empty();
    let (snapshots, snapshot_note) = snapshot_settings(&args, embedded);
    let Some((specs, spec_warnings, suites)) = load(&args) else { return HARNESS_ERROR };
    let runtime = match super::runtime::runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            errln!("{e}");
            return HARNESS_ERROR;
        }
    };
    let no_target = args.targets.is_empty() && args.base_urls.is_empty();
    if no_target && let Err(e) = only_bundled(&args.specs) {
        errln!("error: {e}");
        return HARNESS_ERROR;
    }
    runtime.block_on(async move {
        let embedded = if no_target {
            // Each case makes its own fixture and is done with it when it ends: the embedded
            // server keeps room for the cases in flight, many times over, rather than the
            // stand-alone server's 10,000 instances per API, which a long run would fill.
            let capacity = (args.concurrency as usize).saturating_mul(64).max(EMBEDDED_INSTANCES);
            let server = reference::Reference::new(Faults::none()).with_capacity(capacity);
            match reference::Server::start_with(([127, 0, 0, 1], 0).into(), server).await {
                Ok(server) => Some(server),
                Err(e) => {
                    errln!("error: cannot start the embedded reference server: {e}");
                    return HARNESS_ERROR;
                }
            }
        } else {
            None
        };
        let default = embedded.as_ref().map(reference::Server::url);
        let flags: Vec<(&str, &String)> =
            args.targets.iter().map(|t| ("target", t)).chain(args.base_urls.iter().map(|b| ("base-url", b))).collect();
        let targets = match resolve_targets(&specs, &flags, default.as_deref()) {
            Ok(targets) => targets,
            Err(e) => {
                errln!("error: {e}");
                return HARNESS_ERROR;
            }
        };
        if let Some(url) = &default {
            errln!("conform: testing the embedded reference server at {url}");
        }
        let variables = VariableSources::from_env(args.vars.clone());
        let known: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
        if let Some(flag) = variables.unknown_specs(&known).next() {
            errln!(
                "error: --var {}.{}: no spec has the id `{}` (loaded: {})",
                flag.spec.as_deref().unwrap_or_default(),
                flag.name,
                flag.spec.as_deref().unwrap_or_default(),
                known.join(", ")
            );
            return HARNESS_ERROR;
        }
        let loaded = Loaded {
            specs,
            suites,
            targets,
            variables,
            snapshots,
            embedded: default.clone(),
            drawn_seed: rand::random(),
        };
        let config = run_config(&args, loaded);
        // A secret too short to mask safely is named (never shown) before anything is sent.
        for warning in run::short_secret_warnings(&config) {
            errln!("conform: warning: {warning}");
        }
        let redactor = run::secrets_redactor(&config);
        // A bar would be drawn among the lines of a dry run printed to the same terminal.
        let progress = Progress::new(PROGRESS_EVERY, !(args.dry_run && std::io::stdout().is_terminal()));
        // A dry run prints each case as it comes, in plan order, rather than from the result.
        let printer = args.dry_run.then(|| std::sync::Arc::new(DryRunPrinter::default()));
        let on_case = printer.clone();
        let result = run::run(config, move |event| {
            progress.show(&event);
            if let (Some(printer), Event::DryRunCase { id, status, curl }) = (&on_case, &event) {
                printer.case(id, status, curl.as_deref());
            }
        })
        .await;
        if let Some(server) = embedded {
            let _ = server.stop().await;
        }
        match result {
            Ok(mut result) => {
                result.spec_warnings = spec_warnings;
                finish(&args.reports, &result, printer.as_deref(), snapshot_note.as_deref())
            }
            Err(e) => {
                // An unreachable target's error quotes its URL, which may hold a secret.
                errln!("error: {}", redactor.redact(&e.to_string()));
                HARNESS_ERROR
            }
        }
    })
}

/// The specs (with the warnings lint has for them) and the suites, or `None` once the reason
/// they cannot be run is printed. A dry run, which prints no report on the console, says the
/// specs' warnings on stderr before it starts.
fn load(args: &RunArgs) -> Option<(Vec<Spec>, Vec<SpecWarning>, Vec<Suite>)> {
    let (specs, warnings) = match super::specs::load_specs(&args.specs) {
        Ok(loaded) => loaded,
        Err(e) => {
            errln!("{}", if e.starts_with("error:") { e } else { format!("error: {e}") });
            return None;
        }
    };
    if args.dry_run {
        for warning in &warnings {
            errln!("warning: {}\n  --> {}", warning.message, warning.location());
        }
    }
    let suites = if !args.suites.is_empty() {
        suite::load(&args.suites, &specs)
    } else if args.specs.is_empty() {
        suite::bundled(&specs)
    } else {
        Ok(Vec::new())
    };
    match suites {
        Ok(suites) => Some((specs, warnings, suites)),
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                errln!("{}\n", super::lint::render(diagnostic));
            }
            errln!("error: {} problem(s) in the suites; nothing was run", diagnostics.len());
            None
        }
    }
}

/// After the run: the reports written, then the console report (or the dry run's closing line),
/// the snapshot note when there was something to compare, and the exit code of the verdict.
fn finish(
    reports: &[crate::report::ReportTarget],
    result: &RunResult,
    printer: Option<&DryRunPrinter>,
    snapshot_note: Option<&str>,
) -> u8 {
    // A dry run writes its reports too: they list every request it would send.
    if let Err(e) = super::report::write_reports(reports, |format| crate::report::render(format, result)) {
        errln!("error: {e}");
        return HARNESS_ERROR;
    }
    if let Some(printer) = printer {
        return match printer.finish(result.seed) {
            Ok(()) => CONFORMANT,
            Err(e) => {
                errln!("error: cannot print the dry run: {e}");
                HARNESS_ERROR
            }
        };
    }
    let rendered = console::render(result);
    let rendered = if std::io::stdout().is_terminal() { colour_diffs(&rendered) } else { rendered };
    if let Err(e) = output::out(&rendered) {
        errln!("error: cannot print the report: {e}");
        return HARNESS_ERROR;
    }
    if let Some(note) = snapshot_note.filter(|_| compared_nothing(result)) {
        errln!("{note}");
    }
    match result.verdict() {
        Verdict::Conformant => CONFORMANT,
        Verdict::Nonconformant => NONCONFORMANT,
        Verdict::Incomplete => HARNESS_ERROR,
        Verdict::NothingTested => {
            errln!("error: nothing was tested: no case was sent (the reasons are listed above)");
            HARNESS_ERROR
        }
    }
}

/// Whether the run had answers whose snapshot would have been compared had there been snapshots
/// to compare with (request examples, scenario steps with a snapshot): only then is the note that
/// none were compared worth printing.
fn compared_nothing(result: &RunResult) -> bool {
    let cases = result.cases.iter().filter_map(|c| c.snapshot.as_ref());
    let steps = result.scenarios.iter().flat_map(|s| &s.snapshots);
    cases.chain(steps).any(|o| o.verdict == snapshot::Match::NotCompared)
}

/// Snapshot diff lines coloured for a terminal: removed red, added green.
fn colour_diffs(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix("  │ ") {
            Some(diff) if diff.starts_with('-') && !diff.starts_with("---") => format!("  │ \x1b[31m{diff}\x1b[0m\n"),
            Some(diff) if diff.starts_with('+') && !diff.starts_with("+++") => format!("  │ \x1b[32m{diff}\x1b[0m\n"),
            _ => format!("{line}\n"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("NaN").is_err());
        assert_eq!(parse_timeout("2.5"), Ok(2.5));
    }

    #[test]
    fn snapshot_diffs_are_coloured_line_by_line() {
        let text = "x\n  │ --- a.snap\n  │ -  message: old\n  │ +  message: new\n  │    same\n";
        assert_eq!(
            colour_diffs(text),
            "x\n  │ --- a.snap\n  │ \x1b[31m-  message: old\x1b[0m\n  │ \x1b[32m+  message: new\x1b[0m\n  │    same\n"
        );
    }
}
