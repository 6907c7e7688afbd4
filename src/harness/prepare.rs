//! From a harness's settings to a prepared run: the specs and suites loaded, the target chosen
//! (the embedded reference server for the bundled specs when none is given), the snapshot
//! settings read as insta reads them, and the [`Session`] made (the target asked for its
//! sandbox, the plan built).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::trials::Trials;
use crate::config::{ConfigError, Settings, Snapshots};
use crate::http::Limits;
use crate::plan::PlanOptions;
use crate::reference::{Faults, Server};
use crate::run::{RunConfig, Session, VariableSources};
use crate::spec::{self, Spec};

/// Why the harness could not start. Nothing in it is a secret (a run error is redacted).
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The config file could not be read, or holds mistakes (each located).
    #[error("{0}")]
    Config(ConfigError),
    /// An environment variable does not hold what it should.
    #[error("{0}")]
    Env(String),
    /// A spec or a suite could not be loaded.
    #[error("{0}")]
    Load(String),
    /// No target, or a target that is not one.
    #[error("{0}")]
    Target(String),
    /// The run could not start (the target unreachable, the runtime or the server not started).
    #[error("{0}")]
    Run(String),
}

/// A spec file, with its problems located as `conform lint` locates them.
fn load_spec(path: &Path) -> Result<Spec, HarnessError> {
    spec::load_spec(path).map_err(|error| {
        let diagnostics = std::fs::read_to_string(path).map(|text| spec::lint_spec(path, &text)).unwrap_or_default();
        let shown: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        HarnessError::Load(if shown.is_empty() { error.to_string() } else { shown.join("\n") })
    })
}

fn load_specs(paths: &[PathBuf]) -> Result<Vec<Spec>, HarnessError> {
    if paths.is_empty() {
        return spec::bundled().map_err(|e| HarnessError::Load(e.to_string()));
    }
    let mut specs: Vec<Spec> = Vec::new();
    for path in paths {
        let spec = load_spec(path)?;
        if specs.iter().any(|s| s.id == spec.id) {
            return Err(HarnessError::Load(format!(
                "two specs have the id `{}` (a spec's id is its file stem)",
                spec.id
            )));
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// The snapshot settings: `INSTA_UPDATE=always` records, `INSTA_UPDATE=no` and CI write nothing;
/// by default `./snapshots` against the embedded server when it exists, nothing against a target.
fn snapshots(settings: &Settings, embedded: bool) -> crate::snapshot::Settings {
    let insta = std::env::var("INSTA_UPDATE").unwrap_or_default();
    let default = PathBuf::from("snapshots");
    let dir = match &settings.snapshots.value {
        Snapshots::Dir(dir) => Some(dir.clone()),
        Snapshots::Off => None,
        Snapshots::Default => (embedded && default.is_dir()).then_some(default),
    };
    crate::snapshot::Settings { dir, update: insta == "always", ci: crate::cli::in_ci() || insta == "no" }
}

/// Prepares the run the settings describe. `target_env` names the variable the builder reads a
/// target from, for the message when there is none.
pub(super) fn prepare(settings: Settings, target_env: Option<&str>) -> Result<Trials, HarnessError> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| HarnessError::Run(format!("cannot start the async runtime: {e}")))?;
    let runtime = Arc::new(runtime);
    let bundled = settings.specs.value.is_empty();
    let specs = load_specs(&settings.specs.value)?;
    let suites = if !settings.suites.value.is_empty() {
        crate::suite::load(&settings.suites.value, &specs)
    } else if bundled {
        crate::suite::bundled(&specs)
    } else {
        Ok(Vec::new())
    };
    let suites = suites.map_err(|diagnostics| {
        HarnessError::Load(diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
    })?;
    let ids: Vec<String> = specs.iter().map(|s| s.id.clone()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (server, targets) = if settings.targets.value.is_empty() {
        if !bundled {
            let variable = target_env.map(|name| format!("{name} or ")).unwrap_or_default();
            return Err(HarnessError::Target(format!(
                "no target to test: set {variable}CONFORM_TARGET to its URL (the embedded reference server \
                 serves conform's bundled specs only)"
            )));
        }
        let server = runtime
            .block_on(Server::start(([127, 0, 0, 1], 0).into(), Faults::none()))
            .map_err(|e| HarnessError::Run(format!("cannot start the embedded reference server: {e}")))?;
        let url = server.url();
        (Some(server), vec![(url, false); specs.len()])
    } else {
        (None, settings.targets.value.resolve(&ids).map_err(HarnessError::Target)?)
    };
    let variables = VariableSources::from_env(settings.var_flags());
    if let Some(flag) = variables.unknown_specs(&ids).next() {
        let spec = flag.spec.clone().unwrap_or_default();
        return Err(HarnessError::Load(format!(
            "variable {spec}.{}: no spec has the id `{spec}` (loaded: {})",
            flag.name,
            ids.join(", ")
        )));
    }
    let config = RunConfig {
        specs,
        exact_bases: targets.iter().map(|(_, exact)| *exact).collect(),
        targets: targets.into_iter().map(|(url, _)| url).collect(),
        variables,
        headers: settings.header_pairs(),
        checks: settings.checks.value.clone(),
        plan: PlanOptions {
            cases: settings.cases.value as usize,
            seed: settings.seed.value.unwrap_or_else(rand::random),
            shard: None,
        },
        phases: settings.phases.value,
        strict: settings.strict.value,
        concurrency: 1,
        limits: Limits {
            timeout: Duration::from_secs_f64(settings.timeout.value),
            max_response_bytes: usize::try_from(settings.max_response_bytes.value).unwrap_or(usize::MAX),
            min_interval: settings.rate_limit.value,
        },
        allow_recipients: settings.allow_recipients.value.clone(),
        max_sends: settings.max_sends.value,
        suites,
        snapshots: snapshots(&settings, server.is_some()),
        ..RunConfig::default()
    };
    let warnings = crate::run::short_secret_warnings(&config);
    let redactor = crate::run::secrets_redactor(&config);
    let session =
        runtime.block_on(Session::prepare(config)).map_err(|e| HarnessError::Run(redactor.redact(&e.to_string())))?;
    Ok(Trials::new(session, runtime, server, warnings))
}
