//! The command line: clap definitions, exit codes and the wiring from a subcommand to the library.
//! This is the only layer that prints.

mod ci;
mod config;
mod dry_run;
mod exit;
mod flows;
mod lint;
mod output;
mod progress;
mod report;
mod run;
mod run_config;
mod runtime;
mod serve;
mod specs;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use ci::in_ci;
pub use exit::{CONFORMANT, HARNESS_ERROR, NONCONFORMANT};

/// conform: contract-testing and conformance harness for OpenAPI services.
#[derive(Debug, Parser)]
#[command(name = "conform", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate cases from the specs and check a target (default: the embedded reference server).
    Run(Box<run::RunArgs>),
    /// Check specs: $refs, versions, and every example against its own schema (exit 2 on problems).
    Lint(lint::LintArgs),
    /// Print the link graph the flow phase walks: each edge declared (OpenAPI links),
    /// from x-conform-links, or inferred.
    Flows(flows::FlowsArgs),
    /// Merge shards' reports, or compare several runs side by side.
    Report(report::ReportArgs),
    /// Run the reference server for the Z-API, Wawp and Hypersender APIs, with its /__sandbox.
    Serve(serve::ServeArgs),
    /// Print the settings `conform run` would use (same flags), and where each came from: a flag,
    /// the environment, conform.toml, or a default. Secrets are masked.
    Config(Box<config::ConfigArgs>),
}

/// Parses the process arguments and runs the subcommand.
pub fn main() -> ExitCode {
    // The matches are kept: conform.toml fills only what no flag gave (`config::apply`).
    let parsed = Cli::command().try_get_matches().and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { HARNESS_ERROR } else { CONFORMANT });
        }
    };
    let subcommand = matches.subcommand().map(|(_, matches)| matches);
    let code = match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Run(mut args) => match config::apply(&mut args, subcommand) {
            Ok(()) => run::run(*args),
            Err(code) => code,
        },
        Command::Flows(args) => flows::run(args),
        Command::Config(args) => config::run(*args, subcommand),
        Command::Report(args) => report::run(args),
        Command::Serve(args) => serve::run(args),
    };
    ExitCode::from(code)
}
