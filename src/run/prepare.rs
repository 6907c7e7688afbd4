//! `Session::prepare`, in named steps: the sandbox probe of each target, each spec's target
//! (variables, fixture, what is missing), the redactor, the plan, the send guard's word on every
//! case and scenario, and the scenarios this `--shard` keeps.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::clock::TargetClock;
use super::config::{RunConfig, RunError};
use super::exchange::admission::admissions;
use super::guard::SendGuard;
use super::halt::Halt;
use super::health::TargetHealth;
use super::sandbox::{self, Handshake};
use super::scenario::{PlannedScenario, plan_scenarios, scenario_admissions};
use super::session::Session;
use super::shared::{Shared, SpecTarget};
use crate::case;
use crate::http::HttpClient;
use crate::plan::plan_phases;
use crate::results::{MissingVariable, Phase, RequestCounter, TargetInfo};
use crate::show::Redactor;
use crate::spec::{Operation, Spec};
use crate::suite::Suite;

/// What the probes found out along the way, shared by the specs at one origin.
#[derive(Default)]
struct Probes {
    handshakes: BTreeMap<String, Handshake>,
    clocks: BTreeMap<String, Arc<TargetClock>>,
    healths: BTreeMap<String, Arc<TargetHealth>>,
    /// Handshakes sent (counted as the sandbox's requests).
    sent: usize,
}

/// One spec's target as probed: where its sandbox answered, and what it said.
struct Probed {
    url: String,
    origin: String,
    handshake: Handshake,
}

impl Session {
    /// Detects each target's sandbox and builds the plan.
    pub async fn prepare(config: RunConfig) -> Result<Session, RunError> {
        if config.targets.len() != config.specs.len() {
            return Err(RunError::Config("one target per spec is needed".to_owned()));
        }
        let client = HttpClient::new(config.limits).map_err(RunError::Client)?;
        let mut probes = Probes::default();
        let (mut targets, mut evidence, mut references) = (Vec::new(), Vec::new(), Vec::new());
        for (index, (spec, url)) in config.specs.iter().zip(&config.targets).enumerate() {
            let probed = probe(&config, &client, url, &mut probes).await?;
            references.push(config.references.get(&probed.url).cloned());
            let (target, said) = spec_target(&config, index, spec, probed, &mut probes);
            targets.push(target);
            evidence.push(said);
        }
        let redactor = super::secrets::redactor(&config);
        let names: Vec<BTreeSet<String>> = targets.iter().map(|t| t.strategies.names().clone()).collect();
        let missing = all_missing(&config.specs, &targets);
        let plan = plan_phases(&config.specs, &names, &config.plan, config.phases);
        let seed = plan.seed;
        let info = target_info(&config.specs, &targets, evidence, references, &redactor);
        let guard = SendGuard::new(config.allow_recipients.clone(), config.max_sends);
        let halt = Halt::new(config.max_failures);
        let mut shared = Shared {
            config,
            client,
            targets,
            redactor,
            guard,
            sends: Default::default(),
            admissions: BTreeMap::new(),
            scenario_admissions: BTreeMap::new(),
            time: Default::default(),
            requests: RequestCounter::default(),
            halt,
        };
        for _ in 0..probes.sent {
            shared.requests.count(Phase::Sandbox);
        }
        // Scenarios first (they prove the ordering rules, and are few), from at most half the
        // budget; the cases share what is left.
        let scenarios = sharded_scenarios(&shared, seed);
        shared.scenario_admissions = scenario_admissions(&shared, &scenarios);
        shared.admissions = admissions(&shared, &plan);
        Ok(Session { shared: Arc::new(shared), plan: Arc::new(plan), scenarios, seed, targets: info, missing })
    }
}

/// Step 1: where `url`'s sandbox is, if anywhere. It sits beside the API (`URL/__sandbox`) or at
/// the server's root; a dry run does not ask (the embedded server's is known).
async fn probe(config: &RunConfig, client: &HttpClient, url: &str, probes: &mut Probes) -> Result<Probed, RunError> {
    let url = url.trim_end_matches('/').to_owned();
    // The sandbox sits beside the API (`URL/__sandbox`) or at the server's root: an exact
    // base (`--base-url http://host/api/v2`) has the API's path in it. Only a valid
    // handshake counts, wherever it is asked.
    let url = url.trim_end_matches('/').to_owned();
    let mut origins = vec![url.clone()];
    if let Ok(parsed) = url::Url::parse(&url)
        && parsed.path() != "/"
    {
        origins.push(parsed.origin().ascii_serialization());
    }
    let (mut origin, mut handshake) = (url.clone(), None);
    for candidate in origins {
        let found = match probes.handshakes.get(&candidate) {
            Some(known) => known.clone(),
            None if config.dry_run && config.known_sandboxes.contains(&candidate) => Handshake {
                apis: Some(config.specs.iter().map(|s| s.sandbox.as_ref().map_or(&s.id, |f| &f.api).clone()).collect()),
                evidence: "the embedded reference server's sandbox (dry run: not contacted)".to_owned(),
                answered: false,
            },
            None if config.dry_run => Handshake {
                apis: None,
                evidence: "dry run: the target is not contacted, so it counts as having no sandbox".to_owned(),
                answered: false,
            },
            None => {
                probes.sent += 1;
                let found = sandbox::detect(client, &candidate)
                    .await
                    .map_err(|error| RunError::Unreachable { url: candidate.clone(), error })?;
                probes.handshakes.insert(candidate.clone(), found.clone());
                found
            }
        };
        let serves = found.apis.is_some();
        if handshake.is_none() || serves {
            (origin, handshake) = (candidate, Some(found));
        }
        if serves {
            break;
        }
    }
    let handshake = handshake.expect("at least the URL itself was asked");
    Ok(Probed { url, origin, handshake })
}

/// Step 2: one spec's target: its variables (given), its fixture (when the sandbox makes one),
/// its strategies, and what its operations miss; with the sandbox evidence to report.
fn spec_target(
    config: &RunConfig,
    index: usize,
    spec: &Spec,
    probed: Probed,
    probes: &mut Probes,
) -> (SpecTarget, String) {
    let Probed { url, origin, handshake } = probed;
    let base = url.clone();
    // A spec's sandbox api is the one its fixture names, or else its id.
    let api = spec.sandbox.as_ref().map_or(spec.id.as_str(), |f| f.api.as_str());
    let has_sandbox = handshake.serves(api);
    let evidence = match (&handshake.apis, has_sandbox) {
        (Some(_), false) => format!("{}, but not for `{api}`: no sandbox", handshake.evidence),
        _ => handshake.evidence.clone(),
    };
    let given: BTreeMap<String, String> = used_names(spec, &config.suites)
        .into_iter()
        .filter_map(|n| config.variables.resolve(&spec.id, &n).map(|v| (n, v)))
        .collect();
    let fixture = spec.sandbox.clone().filter(|f| has_sandbox && !f.variables().any(|name| given.contains_key(name)));
    let mut names: BTreeSet<String> = given.keys().cloned().collect();
    if let Some(fixture) = &fixture {
        names.extend(fixture.variables().map(str::to_owned));
    }
    // An exact base (`--base-url`) is where operation paths start; else the spec's server
    // path is joined onto the target.
    let exact = config.exact_bases.get(index).copied().unwrap_or(false);
    let base_url = if exact { base } else { format!("{base}{}", spec.base_path.trim_end_matches('/')) };
    let clock = probes.clocks.entry(origin.clone()).or_default().clone();
    let health = probes
        .healths
        .entry(origin.clone())
        .or_insert_with(|| Arc::new(TargetHealth::new(&origin, handshake.answered)));
    let health = health.clone();
    // A credential given as a header stands for its scheme's variable (the header is sent as given).
    let carried: BTreeSet<String> =
        names.iter().cloned().chain(super::variables::header_credentials(spec, &config.headers)).collect();
    let missing = spec.operations.iter().map(|operation| missing_variables(spec, operation, &carried)).collect();
    let strategies = case::Strategies::new(spec.operations.len(), names);
    let target =
        SpecTarget { origin, base_url, fixture, given, strategies, missing, sandbox: has_sandbox, clock, health };
    (target, evidence)
}

/// Step 3: what the result says of each target, secrets redacted.
fn target_info(
    specs: &[Spec],
    targets: &[SpecTarget],
    evidence: Vec<String>,
    references: Vec<Option<Vec<String>>>,
    redactor: &Redactor,
) -> Vec<TargetInfo> {
    specs
        .iter()
        .zip(targets)
        .zip(evidence.into_iter().zip(references))
        .map(|((spec, t), (evidence, reference))| TargetInfo {
            spec: spec.id.clone(),
            base_url: redactor.redact(&t.base_url),
            sandbox: t.sandbox,
            // The handshake's answer is the target's text: it could quote anything.
            sandbox_evidence: redactor.redact(&evidence),
            reference,
        })
        .collect()
}

/// Step 4: the suites' scenarios that this `--shard` keeps (a scenario goes whole, by its id).
fn sharded_scenarios(shared: &Shared, seed: u64) -> Vec<PlannedScenario> {
    // `--shard I/N` cuts the cases as the plan is made; a scenario goes whole, by its id.
    let keeps = |id: &str| shared.config.plan.shard.is_none_or(|shard| shard.keeps(id));
    plan_scenarios(&shared.config.suites, &shared.config.specs, seed).into_iter().filter(|s| keeps(&s.id)).collect()
}

/// The variable names a spec uses: its parameters, its credentials and its fixture's params; and
/// those its suites use: their variables and what their steps capture (a staging target's fixed
/// code, given as `--var`, stands for the outbox).
fn used_names(spec: &Spec, suites: &[Suite]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for suite in suites.iter().filter(|s| s.spec == spec.id) {
        names.extend(suite.vars.keys().cloned());
        names.extend(suite.steps.values().flat_map(|step| step.capture.keys().cloned()));
    }
    for operation in &spec.operations {
        names.extend(operation.parameters.iter().map(|p| p.name.clone()));
        names.extend(operation.credentials.iter().map(|c| c.variable.clone()));
    }
    if let Some(fixture) = &spec.sandbox {
        names.extend(fixture.variables().map(str::to_owned));
    }
    names
}

/// The variables the operation cannot do without that have no value: credentials, and parameters
/// that the spec's sandbox fixture provides (an instance id means nothing when made up).
fn missing_variables(spec: &Spec, operation: &Operation, names: &BTreeSet<String>) -> Vec<String> {
    let fixture_names: BTreeSet<&str> = spec.sandbox.iter().flat_map(|f| f.variables()).collect();
    let credentials = operation.credentials.iter().map(|c| c.variable.as_str());
    let fixture_params = operation.parameters.iter().map(|p| p.name.as_str()).filter(|n| fixture_names.contains(n));
    let mut missing: Vec<String> = Vec::new();
    for name in credentials.chain(fixture_params).filter(|n| !names.contains(*n)) {
        if !missing.iter().any(|m| m == name) {
            missing.push(name.to_owned());
        }
    }
    missing
}

/// Every variable some operation needs and none has, over all specs, each once.
fn all_missing(specs: &[Spec], targets: &[SpecTarget]) -> Vec<MissingVariable> {
    let mut out: Vec<MissingVariable> = Vec::new();
    for (spec, target) in specs.iter().zip(targets) {
        for name in target.missing.iter().flatten() {
            if !out.iter().any(|m| m.spec == spec.id && &m.name == name) {
                let env = super::variables::env_name(&[&spec.id, name]);
                out.push(MissingVariable { spec: spec.id.clone(), name: name.clone(), env });
            }
        }
    }
    out
}
