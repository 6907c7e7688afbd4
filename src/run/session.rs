//! A prepared run ([`Session`]): targets probed for a sandbox, variables and fixtures chosen, the
//! redactor, the plan and its admissions, the scenarios kept by `--shard`. Any case or scenario
//! can then be run alone, which is what the libtest harness does per trial.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::clock::TargetClock;
use super::config::{Event, RunConfig, RunError};
use super::exchange::admission::admissions;
use super::exchange::input::first_input;
use super::execute::{Pass, run_case, run_cases};
use super::guard::Admission;
use super::guard::{Refusal, SendGuard};
use super::halt::Halt;
use super::health::TargetHealth;
use super::sandbox::{self, Handshake};
use super::scenario::{PlannedScenario, plan_scenarios, run_scenario};
use super::shared::{Shared, SpecTarget};
use crate::case;
use crate::http::HttpClient;
use crate::plan::{Plan, plan};
use crate::results::{
    CaseResult, MissingVariable, Phase, Reason, ReasonKind, RequestCounter, RunResult, ScenarioResult, SendGuardReport,
    TargetInfo,
};
use crate::spec::{Operation, Spec};
use crate::suite::Suite;

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

/// A prepared run: the client, the targets (sandbox detected, fixtures chosen), the redactor and
/// the plan. Any case can then be run alone, which is what the libtest harness does per trial.
#[derive(Debug)]
pub struct Session {
    pub(super) shared: Arc<Shared>,
    pub(super) plan: Arc<Plan>,
    pub(super) scenarios: Vec<PlannedScenario>,
    pub(super) seed: u64,
    pub(super) targets: Vec<TargetInfo>,
    pub(super) missing: Vec<MissingVariable>,
}

impl Session {
    /// Detects each target's sandbox and builds the plan.
    pub async fn prepare(config: RunConfig) -> Result<Session, RunError> {
        if config.targets.len() != config.specs.len() {
            return Err(RunError::Config("one target per spec is needed".to_owned()));
        }
        let client = HttpClient::new(config.limits).map_err(RunError::Client)?;
        let mut handshakes: BTreeMap<String, Handshake> = BTreeMap::new();
        let mut clocks: BTreeMap<String, Arc<TargetClock>> = BTreeMap::new();
        let mut healths: BTreeMap<String, Arc<TargetHealth>> = BTreeMap::new();
        let mut handshakes_sent = 0;
        let mut targets = Vec::new();
        let mut evidence = Vec::new();
        let mut references = Vec::new();
        for (spec, url) in config.specs.iter().zip(&config.targets) {
            let url = url.trim_end_matches('/').to_owned();
            // The sandbox sits beside the API (`URL/__sandbox`) or at the server's root: an exact
            // base (`--base-url http://host/api/v2`) has the API's path in it. Only a valid
            // handshake counts, wherever it is asked.
            let mut origins = vec![url.clone()];
            if let Ok(parsed) = url::Url::parse(&url)
                && parsed.path() != "/"
            {
                origins.push(parsed.origin().ascii_serialization());
            }
            let (mut origin, mut handshake) = (url.clone(), None);
            for candidate in origins {
                let found = match handshakes.get(&candidate) {
                    Some(known) => known.clone(),
                    None if config.dry_run && config.known_sandboxes.contains(&candidate) => Handshake {
                        apis: Some(
                            config.specs.iter().map(|s| s.sandbox.as_ref().map_or(&s.id, |f| &f.api).clone()).collect(),
                        ),
                        evidence: "the embedded reference server's sandbox (dry run: not contacted)".to_owned(),
                        answered: false,
                    },
                    None if config.dry_run => Handshake {
                        apis: None,
                        evidence: "dry run: the target is not contacted, so it counts as having no sandbox".to_owned(),
                        answered: false,
                    },
                    None => {
                        handshakes_sent += 1;
                        let found = sandbox::detect(&client, &candidate)
                            .await
                            .map_err(|error| RunError::Unreachable { url: candidate.clone(), error })?;
                        handshakes.insert(candidate.clone(), found.clone());
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
            references.push(config.references.get(&url).cloned());
            let base = url.clone();
            // A spec's sandbox api is the one its fixture names, or else its id.
            let api = spec.sandbox.as_ref().map_or(spec.id.as_str(), |f| f.api.as_str());
            let has_sandbox = handshake.serves(api);
            evidence.push(match (&handshake.apis, has_sandbox) {
                (Some(_), false) => format!("{}, but not for `{api}`: no sandbox", handshake.evidence),
                _ => handshake.evidence.clone(),
            });
            let given: BTreeMap<String, String> = used_names(spec, &config.suites)
                .into_iter()
                .filter_map(|n| config.variables.resolve(&spec.id, &n).map(|v| (n, v)))
                .collect();
            let fixture =
                spec.sandbox.clone().filter(|f| has_sandbox && !f.variables().any(|name| given.contains_key(name)));
            let mut names: BTreeSet<String> = given.keys().cloned().collect();
            if let Some(fixture) = &fixture {
                names.extend(fixture.variables().map(str::to_owned));
            }
            let base_url = format!("{base}{}", spec.base_path.trim_end_matches('/'));
            let clock = clocks.entry(origin.clone()).or_default().clone();
            let health = healths
                .entry(origin.clone())
                .or_insert_with(|| Arc::new(TargetHealth::new(&origin, handshake.answered)));
            let health = health.clone();
            // A credential given as a header stands for its scheme's variable (the header is sent as given).
            let carried: BTreeSet<String> =
                names.iter().cloned().chain(super::variables::header_credentials(spec, &config.headers)).collect();
            let missing =
                spec.operations.iter().map(|operation| missing_variables(spec, operation, &carried)).collect();
            let strategies = case::Strategies::new(spec.operations.len(), names);
            targets.push(SpecTarget {
                origin,
                base_url,
                fixture,
                given,
                strategies,
                missing,
                sandbox: has_sandbox,
                clock,
                health,
            });
        }
        let redactor = super::secrets::redactor(&config);
        let names: Vec<BTreeSet<String>> = targets.iter().map(|t| t.strategies.names().clone()).collect();
        let missing = all_missing(&config.specs, &targets);
        let plan = plan(&config.specs, &names, &config.plan);
        let seed = plan.seed;
        let info = config
            .specs
            .iter()
            .zip(&targets)
            .zip(evidence.into_iter().zip(references))
            .map(|((spec, t), (evidence, reference))| TargetInfo {
                spec: spec.id.clone(),
                base_url: redactor.redact(&t.base_url),
                sandbox: t.sandbox,
                // The handshake's answer is the target's text: it could quote anything.
                sandbox_evidence: redactor.redact(&evidence),
                reference,
            })
            .collect();
        let guard = SendGuard::new(config.allow_recipients.clone(), config.max_sends);
        let mut shared = Shared {
            config,
            client,
            targets,
            redactor,
            guard,
            sends: Default::default(),
            admissions: BTreeMap::new(),
            time: Default::default(),
            requests: RequestCounter::default(),
            halt: Halt::default(),
        };
        shared.halt = Halt::new(shared.config.max_failures);
        for _ in 0..handshakes_sent {
            shared.requests.count(Phase::Sandbox);
        }
        shared.admissions = admissions(&shared, &plan);
        // `--shard I/N` cuts the cases as the plan is made; a scenario goes whole, by its id.
        let keeps = |id: &str| shared.config.plan.shard.is_none_or(|shard| shard.keeps(id));
        let scenarios: Vec<PlannedScenario> = plan_scenarios(&shared.config.suites, &shared.config.specs, seed)
            .into_iter()
            .filter(|s| keeps(&s.id))
            .collect();
        Ok(Session { shared: Arc::new(shared), plan: Arc::new(plan), scenarios, seed, targets: info, missing })
    }

    /// The plan: every generated case, made when asked for.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The suites' scenarios, in suite order.
    pub fn scenarios(&self) -> &[PlannedScenario] {
        &self.scenarios
    }

    /// Why the scenario at `index` will be skipped, if that is known before it runs.
    pub fn scenario_skip_reason(&self, index: usize) -> Option<Reason> {
        let planned = &self.scenarios[index];
        let suite = &self.shared.config.suites[planned.suite];
        let spec = &self.shared.config.specs[planned.spec];
        super::scenario::skip_reason(
            suite,
            &suite.scenarios[planned.scenario],
            spec,
            &self.shared.targets[planned.spec],
        )
    }

    /// Runs the scenario at `index` of [`Session::scenarios`].
    pub async fn run_scenario(&self, index: usize) -> ScenarioResult {
        self.run_scenario_with_findings(index).await.0
    }

    /// [`Session::run_scenario`], with the findings met while shrinking it (a property's other
    /// failures), each a scenario result of its own.
    pub async fn run_scenario_with_findings(&self, index: usize) -> (ScenarioResult, Vec<ScenarioResult>) {
        run_scenario(&self.shared, &self.shared.config.suites, &self.scenarios[index]).await
    }

    /// (flows, issue 27) The flow phase's flows, planned from the specs' link graphs.
    pub fn flows(&self) -> Vec<super::flows::PlannedFlow> {
        super::flows::plan_flows(&self.shared, self.seed)
    }

    /// (flows, issue 27) Runs one flow of [`Session::flows`].
    pub async fn run_flow(&self, flow: &super::flows::PlannedFlow) -> ScenarioResult {
        super::flows::run_flow(&self.shared, flow).await
    }

    /// Why the case at `index` will be skipped, if it will (decided without sending anything).
    pub fn skip_reason(&self, index: usize) -> Option<Reason> {
        match (first_input(&self.shared, &self.plan.case(index)), self.shared.admission(index)) {
            (Err(reason), _) => Some(reason),
            (Ok(_), Admission::Refused(refusal)) => Some(Reason::new(ReasonKind::SendGuard, refusal.to_string())),
            (Ok(_), _) => None,
        }
    }

    pub fn strict(&self) -> bool {
        self.shared.config.strict
    }

    /// Runs the case at `index` of [`Session::plan`] (and shrinks it when it fails).
    pub async fn run_case(&self, index: usize) -> CaseResult {
        self.run_case_with_findings(index).await.0
    }

    /// [`Session::run_case`], with the findings met while shrinking it: failures of other rules,
    /// each a case of its own (`…::found-while-shrinking::N`).
    pub async fn run_case_with_findings(&self, index: usize) -> (CaseResult, Vec<CaseResult>) {
        run_case(&self.shared, &self.plan, index, Pass::Alone).await
    }
}

impl Session {
    /// Runs every case within the concurrency limit, reporting progress, and collects the result.
    pub async fn run_all(self, on_event: impl Fn(Event) + Send + Sync + 'static) -> Result<RunResult, RunError> {
        let started = Instant::now();
        let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let Session { shared, plan, scenarios, seed, targets, missing } = self;
        let total = plan.len() + scenarios.len();
        on_event(Event::Planned { cases: total });
        let semaphore = Arc::new(Semaphore::new(shared.config.concurrency.max(1)));
        let on_event = Arc::new(on_event);
        let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let pool = tokio::spawn(run_cases(
            shared.clone(),
            plan.clone(),
            semaphore.clone(),
            on_event.clone(),
            done.clone(),
            total,
        ));
        let mut scenario_tasks = JoinSet::new();
        let planned = Arc::new(scenarios);
        for index in 0..planned.len() {
            let (shared, planned, semaphore, on_event, done) =
                (shared.clone(), planned.clone(), semaphore.clone(), on_event.clone(), done.clone());
            scenario_tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await.expect("the semaphore is never closed");
                if shared.halt.stops() {
                    return (index, Vec::new());
                }
                let (result, findings) = run_scenario(&shared, &shared.config.suites, &planned[index]).await;
                if result.fails_run(shared.config.strict) {
                    shared.halt.failed();
                }
                let finished = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                on_event(Event::CaseDone {
                    done: finished,
                    total,
                    id: result.id.clone(),
                    status: result.status.clone(),
                });
                (index, std::iter::once(result).chain(findings).collect::<Vec<_>>())
            });
        }
        let (mut kept, omitted) = match pool.await {
            Ok(Ok(results)) => results,
            Ok(Err(e)) | Err(e) => return Err(RunError::Config(format!("a case task failed: {e}"))),
        };
        let mut scenario_results: Vec<Vec<ScenarioResult>> = vec![Vec::new(); planned.len()];
        while let Some(joined) = scenario_tasks.join_next().await {
            match joined {
                Ok((index, results)) => scenario_results[index] = results,
                Err(e) => return Err(RunError::Config(format!("a scenario task failed: {e}"))),
            }
        }
        let mut scenarios: Vec<ScenarioResult> = scenario_results.into_iter().flatten().collect();
        // (flows, issue 27) The flow phase, after the cases and suites; each flow is a scenario.
        if !shared.config.dry_run {
            scenarios.extend(super::flows::run_flows(&shared, seed).await);
        }
        // One minimal example per (operation, check) is enough: the first failing case in plan
        // order is run again and shrunk. A target broken everywhere would otherwise cost up to
        // a hundred calls per case, and which case got shrunk would depend on timing. A failing
        // case is always kept, so the kept cases are where to look. A target given up is not.
        let mut chosen = BTreeSet::new();
        let to_shrink: Vec<usize> = kept
            .iter()
            .filter(|(index, _)| *shared.admission(**index) == Admission::Free)
            .filter(|(index, _)| shared.targets[plan.site(**index).0].health.stopped().is_none())
            .filter_map(|(index, result)| {
                let check = result.failures.first()?.rule.clone();
                chosen.insert((result.operation.clone(), result.spec.clone(), check)).then_some(*index)
            })
            .collect();
        let mut tasks = JoinSet::new();
        for index in to_shrink {
            let (shared, plan, semaphore) = (shared.clone(), plan.clone(), semaphore.clone());
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await.expect("the semaphore is never closed");
                (index, run_case(&shared, &plan, index, Pass::Shrinking).await)
            });
        }
        let mut findings: BTreeMap<usize, Vec<CaseResult>> = BTreeMap::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, (result, found))) => {
                    kept.insert(index, result);
                    findings.insert(index, found);
                }
                Err(e) => return Err(RunError::Config(format!("a case task failed: {e}"))),
            }
        }
        let sends = shared.sends.lock().map(|s| s.clone()).unwrap_or_default();
        let refused = |pick: fn(&Refusal) -> bool| -> Vec<String> {
            shared
                .admissions
                .iter()
                .filter(|(_, admission)| matches!(admission, Admission::Refused(r) if pick(r)))
                .map(|(index, _)| plan.case(*index).id.to_string())
                .collect()
        };
        let send_guard = SendGuardReport {
            max_sends: shared.config.max_sends,
            sends,
            budget_skipped: refused(|r| matches!(r, Refusal::BudgetSpent(_))),
            recipient_mutations: refused(|r| matches!(r, Refusal::RecipientMutated(_))),
        };
        // Each finding met while shrinking a case comes right after it.
        let cases: Vec<CaseResult> = kept
            .into_iter()
            .flat_map(|(index, case)| std::iter::once(case).chain(findings.remove(&index).unwrap_or_default()))
            .collect();
        let (strict, dry_run) = (shared.config.strict, shared.config.dry_run);
        Ok(RunResult {
            seed,
            started_at,
            shard: shared.config.plan.shard,
            rules: crate::results::catalogue(&cases, &omitted, &scenarios),
            strict,
            dry_run,
            targets,
            cases,
            omitted,
            scenarios,
            send_guard,
            missing,
            spec_warnings: Vec::new(),
            requests: shared.requests.counts(),
            stopped: shared.early_stops(),
            duration: started.elapsed(),
        })
    }
}

/// Prepares and runs the whole plan against the targets.
pub async fn run(config: RunConfig, on_event: impl Fn(Event) + Send + Sync + 'static) -> Result<RunResult, RunError> {
    Session::prepare(config).await?.run_all(on_event).await
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
