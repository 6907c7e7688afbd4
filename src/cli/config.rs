//! `conform.toml` on the command line: the settings of `conform run`, each from a flag (or the
//! environment variable clap reads for it), else the config file (`--config PATH`, or
//! `./conform.toml`), else the flag's default; and `conform config`, which prints them with where
//! each came from, secrets masked.

use std::collections::BTreeMap;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory};

use super::exit::{CONFORMANT, HARNESS_ERROR};
use super::run::RunArgs;
use crate::config::{self, ConfigError, Header, Origin, Setting, Settings, Snapshots, Targets};

/// `conform config`: the flags of `conform run`, whose settings it prints.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub run: RunArgs,
}

/// Where the value of the argument `id` (spelled `--flag` on the command line) came from.
fn origin(matches: Option<&ArgMatches>, id: &str, flag: &str) -> Origin {
    match matches.and_then(|m| m.value_source(id)) {
        Some(ValueSource::CommandLine) => Origin::Flag(flag.to_owned()),
        Some(ValueSource::EnvVariable) => {
            let command = <super::Cli as CommandFactory>::command();
            let run = command.find_subcommand("run");
            let arg = run.and_then(|c| c.get_arguments().find(|a| a.get_id() == id));
            let name = arg.and_then(|a| a.get_env()).map(|e| e.to_string_lossy().into_owned());
            Origin::Environment(name.unwrap_or_else(|| flag.to_owned()))
        }
        _ => Origin::Default,
    }
}

/// The settings the arguments give, each with its origin (the file not read yet).
fn from_args(args: &RunArgs, matches: Option<&ArgMatches>) -> Settings {
    let at = |id: &str, flag: &str| origin(matches, id, flag);
    let targets = Targets { target: args.targets.clone(), base_url: args.base_urls.clone() };
    let targets_origin = match (at("targets", "--target"), at("base_urls", "--base-url")) {
        (Origin::Default, other) | (other, _) => other,
    };
    let snapshots = match (&args.snapshots, args.no_snapshots) {
        (_, true) => Setting::new(Snapshots::Off, at("no_snapshots", "--no-snapshots")),
        (Some(dir), false) => Setting::new(Snapshots::Dir(dir.clone()), at("snapshots", "--snapshots")),
        (None, false) => Setting::default_value(Snapshots::Default),
    };
    Settings {
        file: None,
        specs: Setting::new(args.specs.clone(), at("specs", "--spec")),
        suites: Setting::new(args.suites.clone(), at("suites", "--suite")),
        targets: Setting::new(targets, targets_origin),
        variables: args.vars.iter().map(|v| Setting::new(v.clone(), Origin::Flag("--var".into()))).collect(),
        headers: args
            .headers
            .iter()
            .map(|(name, value)| {
                Setting::new(Header { name: name.clone(), value: value.clone() }, Origin::Flag("--header".into()))
            })
            .collect(),
        strict: Setting::new(args.strict, at("strict", "--strict")),
        checks: Setting::new(args.checks.clone(), at("checks", "--checks")),
        cases: Setting::new(args.cases, at("cases", "--cases")),
        phases: Setting::new(args.phases, at("phases", "--phases")),
        seed: Setting::new(args.seed, at("seed", "--seed")),
        concurrency: Setting::new(args.concurrency, at("concurrency", "--concurrency")),
        timeout: Setting::new(args.timeout, at("timeout", "--timeout")),
        max_response_bytes: Setting::new(args.max_response_bytes, at("max_response_bytes", "--max-response-bytes")),
        rate_limit: Setting::new(args.rate_limit, at("rate_limit", "--rate-limit")),
        allow_recipients: Setting::new(args.allow_recipients.clone(), at("allow_recipients", "--allow-recipient")),
        max_sends: Setting::new(args.max_sends, at("max_sends", "--max-sends")),
        snapshots,
        reports: Setting::new(args.reports.clone(), at("reports", "--report")),
    }
}

/// Writes the settings in effect back into the arguments `conform run` reads.
fn into_args(settings: &Settings, args: &mut RunArgs) {
    args.specs = settings.specs.value.clone();
    args.suites = settings.suites.value.clone();
    args.targets = settings.targets.value.target.clone();
    args.base_urls = settings.targets.value.base_url.clone();
    args.vars = settings.var_flags();
    args.headers = settings.header_pairs();
    args.strict = settings.strict.value;
    args.checks = settings.checks.value.clone();
    args.cases = settings.cases.value;
    args.phases = settings.phases.value;
    args.seed = settings.seed.value;
    args.concurrency = settings.concurrency.value;
    args.timeout = settings.timeout.value;
    args.max_response_bytes = settings.max_response_bytes.value;
    args.rate_limit = settings.rate_limit.value;
    args.allow_recipients = settings.allow_recipients.value.clone();
    args.max_sends = settings.max_sends.value;
    match &settings.snapshots.value {
        Snapshots::Default => {}
        Snapshots::Dir(dir) => (args.snapshots, args.no_snapshots) = (Some(dir.clone()), false),
        Snapshots::Off => (args.snapshots, args.no_snapshots) = (None, true),
    }
    args.reports = settings.reports.value.clone();
}

/// A config file's problems as `conform lint` shows a spec's, but for a secret's key (its line
/// may hold a value), which is shown by its place only.
fn report(error: &ConfigError) {
    match error {
        ConfigError::Read { .. } => eprintln!("error: {error}"),
        ConfigError::Invalid(diagnostics) => {
            for diagnostic in diagnostics {
                let shown = if config::about_a_secret(diagnostic) {
                    diagnostic.to_string()
                } else {
                    super::lint::render(diagnostic)
                };
                eprintln!("{shown}\n");
            }
            let path = diagnostics.first().map(|d| d.path.display().to_string()).unwrap_or_default();
            eprintln!("error: {} problem(s) in {path}; nothing was run", diagnostics.len());
        }
    }
}

/// The settings of `conform run ARGS` (`matches` being the `run` subcommand's), the config file
/// applied; on a bad file, its problems are printed and the exit code returned.
pub(super) fn settings(args: &RunArgs, matches: Option<&ArgMatches>) -> Result<Settings, u8> {
    let mut settings = from_args(args, matches);
    if let Some(path) = config::locate(args.config.as_deref(), Path::new(".")) {
        match config::load(&path) {
            Ok(file) => settings.apply_file(&file),
            Err(e) => {
                report(&e);
                return Err(HARNESS_ERROR);
            }
        }
    }
    Ok(settings)
}

/// Applies the config file to `conform run`'s arguments.
pub(super) fn apply(args: &mut RunArgs, matches: Option<&ArgMatches>) -> Result<(), u8> {
    let settings = settings(args, matches)?;
    into_args(&settings, args);
    Ok(())
}

/// `conform config`: prints the settings in effect and where each came from.
pub(super) fn run(args: ConfigArgs, matches: Option<&ArgMatches>) -> u8 {
    match settings(&args.run, matches) {
        Ok(settings) => {
            let env: BTreeMap<String, String> =
                std::env::vars().filter(|(name, _)| name.starts_with("CONFORM_VAR_")).collect();
            print!("{}", config::render(&settings, &env));
            CONFORMANT
        }
        Err(code) => code,
    }
}
