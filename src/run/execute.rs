//! Executing a plan: for each case, a fresh sandbox fixture where there is one, the request built
//! from its generated input, the call, the checks, and for a failing generated case, shrinking to
//! a minimal input. Cases run concurrently within `--concurrency`; results come back in plan order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::admission::{Admission, admissions, guard_input, is_guarded};
use super::call::{Attempt, Outcome, call};
use super::guard::{AllowEntry, Refusal, SendGuard};
use super::halt::Halt;
use super::health::TargetHealth;
use super::pool::{for_each_bounded, for_each_in_order};
use super::reason::{Reason, ReasonKind};
use super::requests::{Phase, RequestCounter};
use super::result::{CaseResult, CaseStatus, MissingVariable, ResponseSummary, RunResult, SendGuardReport, TargetInfo};
use super::sandbox::{self, Handshake, TargetClock};
use super::scenario::{PlannedScenario, ScenarioResult, plan_scenarios, run_scenario};
use super::shown::Shown;
use super::tally::Tally;
use super::variables::VariableSources;
use crate::case::{self, Case, CaseKind, RequestInput};
use crate::check::CheckId;
use crate::http::{HttpClient, Limits, PreparedRequest, Redactor, TransportError, to_curl};
use crate::plan::{Plan, PlanOptions, plan};
use crate::snapshot;
use crate::spec::{Operation, SandboxFixture, Spec};
use crate::suite::Suite;

/// A target that asks for a longer wait (Retry-After) than this is not waited for: the case is skipped.
pub(super) const MAX_RATE_LIMIT_WAIT_SECONDS: u64 = 30;

/// Everything a run needs. [`RunConfig::default`] is a run of nothing with the CLI's defaults:
/// set the fields a caller cares about with struct update syntax.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub specs: Vec<Spec>,
    /// Per spec: the target's URL (origin, and any path prefix), without a trailing slash.
    pub targets: Vec<String>,
    pub variables: VariableSources,
    /// `--header` values, sent on every request.
    pub headers: Vec<(String, String)>,
    /// `--checks`: only these run (all when `None`).
    pub checks: Option<Vec<CheckId>>,
    pub plan: PlanOptions,
    pub strict: bool,
    pub concurrency: usize,
    pub limits: Limits,
    /// `--allow-recipient`: where marked operations may send messages, on targets without a sandbox.
    pub allow_recipients: Vec<AllowEntry>,
    /// `--max-sends`: the most message-sending calls one run makes on targets without a sandbox.
    pub max_sends: u32,
    /// `--dry-run`: build every request, send none (the target is not contacted at all).
    pub dry_run: bool,
    /// Origins known to serve the sandbox without asking: the embedded reference server that
    /// conform started itself. Only a dry run uses this (a real run always asks for the handshake),
    /// so that it shows the requests a real run would send, fixture values included.
    pub known_sandboxes: Vec<String>,
    /// `--show-secrets`: print secrets, numbers and codes as they are (local debugging only).
    pub show_secrets: bool,
    /// The suites whose scenarios run after the generated cases.
    pub suites: Vec<Suite>,
    /// Where the committed snapshots of examples and scenario steps are, and whether to record them.
    pub snapshots: snapshot::Settings,
    /// What the [`RunResult`] keeps of passed cases. Everything by default, for callers that
    /// inspect them; the CLI keeps only what its reports need, so that a long run's memory holds
    /// failures and counts rather than every case.
    pub keep: Keep,
    /// Target URLs that are a conform reference server that conform started itself, each with
    /// the variants it runs (recorded in [`TargetInfo::reference`]).
    pub references: BTreeMap<String, Vec<String>>,
    /// `--max-failures`: once this many cases and scenarios have failed the run, no new one
    /// starts (see [`EarlyStop::MaxFailures`]).
    pub max_failures: Option<usize>,
    /// (flows, issue 27) The flow phase: on by default wherever a spec's link graph has an edge.
    pub flows: crate::flow::FlowOptions,
}

/// What a run keeps of its passed cases. A case that did not pass, and an example (it carries
/// its snapshot's outcome; there are as many as the specs have, whatever `--cases`), is always
/// kept whole. A passed case that is not kept is counted in [`RunResult::omitted`].
///
/// A dry run sends nothing, so nothing in it passes: every case is skipped, because it would be
/// sent (its curl line) or would not (and why), and its skipped cases are to it what passed cases
/// are to a real run: kept as this says, or only counted. What a dry run shows of each case is
/// reported as it finishes ([`Event::DryRunCase`]), so a dry run that keeps none stays small
/// however many cases it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    /// Keep a [`CaseResult`] for every passed case in [`RunResult::cases`].
    pub passed_cases: bool,
    /// Keep the request, curl and response of the passed cases that are kept.
    pub passed_exchanges: bool,
}

impl Keep {
    /// Every case, whole.
    pub const ALL: Keep = Keep { passed_cases: true, passed_exchanges: true };
    /// Only the cases that did not pass (and the examples): the rest are counted.
    pub const FAILURES: Keep = Keep { passed_cases: false, passed_exchanges: false };

    /// Whether the finished `result` keeps its request, curl and response (see [`keep_result`]):
    /// a case that did not pass always does; a passed one (in a dry run, a skipped one) when it
    /// is kept, with its exchange.
    pub(super) fn shows_exchange(&self, result: &CaseResult, dry_run: bool) -> bool {
        !settled(result, dry_run) || (self.passed_exchanges && (self.passed_cases || result.snapshot.is_some()))
    }
}

/// Whether a finished case is one that [`Keep`] decides about (the others are always kept whole):
/// a passed case, or in a dry run, a skipped one.
fn settled(result: &CaseResult, dry_run: bool) -> bool {
    match result.status {
        CaseStatus::Passed => true,
        CaseStatus::Skipped(_) => dry_run,
        CaseStatus::Failed | CaseStatus::Error(_) => false,
    }
}

impl Default for Keep {
    fn default() -> Self {
        Keep::ALL
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            specs: Vec::new(),
            targets: Vec::new(),
            variables: VariableSources::default(),
            headers: Vec::new(),
            checks: None,
            plan: PlanOptions::default(),
            strict: false,
            concurrency: 8,
            limits: Limits::default(),
            allow_recipients: Vec::new(),
            max_sends: 10,
            dry_run: false,
            known_sandboxes: Vec::new(),
            show_secrets: false,
            suites: Vec::new(),
            snapshots: snapshot::Settings::default(),
            keep: Keep::ALL,
            references: BTreeMap::new(),
            max_failures: None,
            flows: Default::default(),
        }
    }
}

/// What the runner reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Planned {
        cases: usize,
    },
    /// A generated case or a scenario finished (in the order they finish).
    CaseDone {
        done: usize,
        total: usize,
        id: String,
        status: CaseStatus,
    },
    /// A dry run's generated case, in plan order (after every case before it in the plan): what
    /// it shows, whether or not the result keeps it. `curl` is the request it would send
    /// (redacted), when one was built; `status` says whether it would be sent
    /// ([`ReasonKind::DryRun`]) or why not.
    DryRunCase {
        id: String,
        status: CaseStatus,
        curl: Option<String>,
    },
}

/// Why the run could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    #[error("the target {url} is unreachable: {}", match error {
        TransportError::Connect { message, .. } => message.clone(),
        other => other.to_string(),
    })]
    Unreachable { url: String, error: TransportError },
    #[error("cannot build the HTTP client: {0}")]
    Client(TransportError),
    #[error("{0}")]
    Config(String),
}

/// How one spec is reached during the run.
#[derive(Debug)]
pub(super) struct SpecTarget {
    /// Origin (the target URL) for the sandbox.
    pub(super) origin: String,
    /// Target URL joined with the spec's server path: where operation paths start.
    pub(super) base_url: String,
    /// The fixture conform creates per case, when the target has a sandbox and the user gave none of its variables.
    pub(super) fixture: Option<SandboxFixture>,
    /// Values given by the user.
    pub(super) given: BTreeMap<String, String>,
    /// The valid-input strategy of each of the spec's operations, built once, and the names
    /// that will have a value in every case (given or from the fixture): `strategies.names()`.
    pub(super) strategies: case::Strategies,
    /// By operation, the variables it cannot do without that have no value (see
    /// [`missing_variables`]): worked out once, not for every case.
    pub(super) missing: Vec<Vec<String>>,
    /// Whether the target has the sandbox (then nothing it "sends" leaves it).
    pub(super) sandbox: bool,
    /// The target's time, shared by every spec at the same origin.
    pub(super) clock: Arc<TargetClock>,
    /// Whether the target still answers, shared by every spec at the same origin.
    pub(super) health: Arc<TargetHealth>,
}

#[derive(Debug)]
pub(super) struct Shared {
    pub(super) config: RunConfig,
    pub(super) client: HttpClient,
    pub(super) targets: Vec<SpecTarget>,
    pub(super) redactor: Redactor,
    pub(super) guard: SendGuard,
    /// The (masked) recipients of every message-sending call made, one entry per call.
    pub(super) sends: std::sync::Mutex<Vec<String>>,
    /// Per guarded case (by plan index): what the send guard decided; every other case is
    /// [`Admission::Free`]. Decided before the run, in plan order, so that which calls are made
    /// does not depend on timing.
    admissions: BTreeMap<usize, Admission>,
    /// Scenarios that move a sandbox's clock hold this exclusively; the others share it, so that
    /// one scenario's time travel never expires another's code. The clock is the target's, for
    /// every API on it.
    pub(super) time: tokio::sync::RwLock<()>,
    /// The requests sent, by phase.
    pub(super) requests: RequestCounter,
    /// `--max-failures`.
    pub(super) halt: Halt,
}

impl Shared {
    /// The send guard's word on the case at `index` of the plan.
    fn admission(&self, index: usize) -> &Admission {
        static FREE: Admission = Admission::Free;
        self.admissions.get(&index).unwrap_or(&FREE)
    }
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

/// A prepared run: the client, the targets (sandbox detected, fixtures chosen), the redactor and
/// the plan. Any case can then be run alone, which is what the libtest harness does per trial.
#[derive(Debug)]
pub struct Session {
    shared: Arc<Shared>,
    plan: Arc<Plan>,
    scenarios: Vec<PlannedScenario>,
    seed: u64,
    targets: Vec<TargetInfo>,
    missing: Vec<MissingVariable>,
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
            rules: super::rules::catalogue(&cases, &omitted, &scenarios),
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
            stopped: super::halt::early_stops(&shared),
            duration: started.elapsed(),
        })
    }
}

/// The cases a run keeps, by plan index, and the count of those it does not.
type Kept = (BTreeMap<usize, CaseResult>, Tally);

/// Runs every generated case, at most `--concurrency` at once (see [`for_each_bounded`]), each
/// made from the plan only when its turn comes, reporting each as it finishes; what is kept of
/// each is as [`keep_result`] says, the rest is counted. A dry run's cases are also reported in
/// plan order ([`Event::DryRunCase`], see [`for_each_in_order`]).
async fn run_cases<F: Fn(Event) + Send + Sync + 'static>(
    shared: Arc<Shared>,
    plan: Arc<Plan>,
    semaphore: Arc<Semaphore>,
    on_event: Arc<F>,
    done: Arc<std::sync::atomic::AtomicUsize>,
    total: usize,
) -> Result<Kept, tokio::task::JoinError> {
    let (mut kept, mut omitted) = (BTreeMap::new(), Tally::default());
    let job = |index: usize| {
        let (shared, plan, semaphore, on_event, done) =
            (shared.clone(), plan.clone(), semaphore.clone(), on_event.clone(), done.clone());
        async move {
            let _permit = semaphore.acquire_owned().await.expect("the semaphore is never closed");
            // `--max-failures` reached: no new case starts.
            if shared.halt.stops() {
                return None;
            }
            let (result, _) = run_case(&shared, &plan, index, Pass::First).await;
            if result.fails_run(shared.config.strict) {
                shared.halt.failed();
            }
            let finished = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            on_event(Event::CaseDone {
                done: finished,
                total,
                id: result.id.to_string(),
                status: result.status.clone(),
            });
            Some(result)
        }
    };
    let (keep, dry_run, concurrency) = (shared.config.keep, shared.config.dry_run, shared.config.concurrency);
    let sink = |index: usize, result: Option<CaseResult>| {
        let Some(result) = result else { return };
        if dry_run {
            let (id, status, curl) = (result.id.to_string(), result.status.clone(), result.curl.clone());
            on_event(Event::DryRunCase { id, status, curl });
        }
        if let Some(result) = keep_result(result, keep, dry_run, &mut omitted) {
            kept.insert(index, result);
        }
    };
    if dry_run {
        for_each_in_order(plan.len(), concurrency, job, sink).await?;
    } else {
        for_each_bounded(plan.len(), concurrency, job, sink).await?;
    }
    Ok((kept, omitted))
}

/// What the run keeps of a finished case (see [`Keep`]): the case, without its request, curl and
/// response when it passed (or is a dry run's skipped case) and exchanges are not kept; or
/// nothing, when it is such a case and is only counted in `omitted`.
fn keep_result(result: CaseResult, keep: Keep, dry_run: bool, omitted: &mut Tally) -> Option<CaseResult> {
    if settled(&result, dry_run) && !keep.passed_cases && result.snapshot.is_none() {
        omitted.add(&result);
        None
    } else if !keep.shows_exchange(&result, dry_run) {
        Some(result.without_exchange())
    } else {
        Some(result)
    }
}

/// Prepares and runs the whole plan against the targets.
pub async fn run(config: RunConfig, on_event: impl Fn(Event) + Send + Sync + 'static) -> Result<RunResult, RunError> {
    Session::prepare(config).await?.run_all(on_event).await
}

/// Which pass of the run runs a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The run's pass over the plan: each case once, not shrunk.
    First,
    /// One case alone (a libtest trial): run, and shrunk when it fails.
    Alone,
    /// A failing case run again to be shrunk: every request of it is shrinking's.
    Shrinking,
}

/// Runs the case at `index` of the plan; a failing generated case is then shrunk to a minimal
/// input, except in the first pass. Timed, shrinking included. With it, the findings met while
/// shrinking, each a case of its own.
async fn run_case(shared: &Shared, plan: &Plan, index: usize, pass: Pass) -> (CaseResult, Vec<CaseResult>) {
    let started = Instant::now();
    let (mut result, mut findings) = run_untimed(shared, &plan.case(index), index, pass).await;
    result.duration = started.elapsed();
    result.plan_index = plan.position(index);
    for finding in &mut findings {
        finding.plan_index = result.plan_index;
    }
    (result, findings)
}

async fn run_untimed(shared: &Shared, case: &Case, index: usize, pass: Pass) -> (CaseResult, Vec<CaseResult>) {
    let spec = &shared.config.specs[case.spec];
    let operation = &spec.operations[case.operation];
    let target = &shared.targets[case.spec];
    let mut result = CaseResult {
        id: case.id.clone(),
        spec: spec.id.clone(),
        operation: operation.id.clone(),
        kind: case.kind.clone(),
        seed: case.seed,
        status: CaseStatus::Passed,
        rules: Vec::new(),
        failures: Vec::new(),
        request: None,
        curl: None,
        response: None,
        shrink_steps: 0,
        snapshot: None,
        plan_index: index,
        duration: std::time::Duration::ZERO,
        found_while_shrinking: None,
    };
    let first = match first_input(shared, case) {
        Ok(input) => input,
        Err(reason) => {
            result.status = CaseStatus::Skipped(reason);
            return (result, Vec::new());
        }
    };
    let admission = shared.admission(index);
    if let Some(why) = target.health.not_sent().filter(|_| !matches!(admission, Admission::Refused(_))) {
        target.health.skip();
        let show = Shown::new(&shared.redactor, shared.config.show_secrets, spec, operation);
        result.status = CaseStatus::Error(Reason::new(ReasonKind::NoAnswer, show.message(&why, None)));
        return (result, Vec::new());
    }
    let phase = if pass == Pass::Shrinking { Phase::Shrinking } else { Phase::of(&case.kind) };
    let mut best = attempt(shared, case, operation, target, &first, admission, phase).await;
    let mut found = Vec::new();
    // Shrinking sends the case again; a message-sending call to a real target is not repeated.
    let shrinkable = matches!(case.kind, CaseKind::Positive | CaseKind::Negative(_)) && !is_guarded(shared, case);
    if pass != Pass::First && shrinkable {
        let shrunk = super::shrink::shrink(shared, case, operation, target, best).await;
        (best, found, result.shrink_steps) = (shrunk.best, shrunk.findings, shrunk.steps);
    }
    // Shown (redacted, masked) only when needed: a message of a case that did not pass, and the
    // exchange of a case that is kept with it. Masking is most of a passed case's own work.
    let shown = std::cell::OnceCell::new();
    let show = || shown.get_or_init(|| Shown::new(&shared.redactor, shared.config.show_secrets, spec, operation));
    let response = match best.outcome {
        Outcome::Error(reason) => {
            result.status = CaseStatus::Error(reason.map(|m| show().message(&m, None)));
            None
        }
        Outcome::NotSent(reason) => {
            result.status = CaseStatus::Skipped(reason.map(|m| show().message(&m, None)));
            None
        }
        Outcome::Crashed(rules, failures) => {
            (result.rules, result.failures) = (rules, masked(show(), failures, None));
            result.status = CaseStatus::Failed;
            None
        }
        Outcome::Answered(response, checks, failures) => {
            result.rules = checks;
            result.status = if failures.is_empty() { CaseStatus::Passed } else { CaseStatus::Failed };
            result.failures = masked(show(), failures, Some(response.status));
            if matches!(case.kind, CaseKind::Example { .. }) {
                snapshot_case(shared, case, &response, &mut result);
            }
            Some(response)
        }
    };
    // A shrinking run (one case alone, or a failed case run again) is kept whole, whatever it
    // gives; a dry run shows every case's request as it finishes (kept or not).
    let shows = pass != Pass::First || shared.config.dry_run;
    if shows || shared.config.keep.shows_exchange(&result, shared.config.dry_run) {
        let show = show();
        let request = show.request(&best.request);
        result.curl = Some(to_curl(&request, show.redactor()));
        result.request = Some(request);
        result.response = response.map(|r| show.response(&r));
    } else {
        // Only counted (see [`keep_result`]): the answer's status is all that is read of it.
        result.response = response.map(|r| ResponseSummary::status_only(r.status));
    }
    let findings = found
        .into_iter()
        .enumerate()
        .map(|(n, (attempt, failures))| super::shrink::finding(&result, n + 1, attempt, failures, show()))
        .collect();
    (result, findings)
}

/// Failures with their messages masked as the answer they quote (of `status`) is.
pub(super) fn masked(
    show: &Shown,
    failures: Vec<crate::check::Failure>,
    status: Option<u16>,
) -> Vec<crate::check::Failure> {
    failures.into_iter().map(|f| crate::check::Failure { message: show.message(&f.message, status), ..f }).collect()
}

/// Normalizes an example's answer and compares it with its snapshot (see [`snapshot`]).
fn snapshot_case(shared: &Shared, case: &Case, response: &crate::http::HttpResponse, result: &mut CaseResult) {
    let spec = &shared.config.specs[case.spec];
    let operation = &spec.operations[case.operation];
    let target = &shared.targets[case.spec];
    let known = target.fixture.as_ref().map(|f| generated_values(f, case.seed)).unwrap_or_default();
    let show = Shown::new(&shared.redactor, false, spec, operation);
    let content = show.snapshot(response, &known);
    let outcome = show.snapshot_outcome(snapshot::compare(&shared.config.snapshots, case.id.as_str(), &content));
    record_snapshot(&outcome, &mut result.rules, &mut result.failures, &mut result.status);
    result.snapshot = Some(outcome);
}

/// The values a fixture draws for a seed: the same thing in every run, not the same text, so a
/// snapshot shows them by name (`[instance_id]`). Fixed values are shown as they are.
pub(super) fn generated_values(fixture: &SandboxFixture, seed: u64) -> Vec<snapshot::KnownValue> {
    let values = sandbox::fixture_values(fixture, seed).unwrap_or_default();
    fixture
        .params
        .iter()
        .filter(|(_, value)| matches!(value, crate::spec::FixtureValue::Generate(_)))
        .filter_map(|(name, _)| Some(snapshot::KnownValue { name: name.clone(), value: values.get(name)?.clone() }))
        .collect()
}

/// What a snapshot outcome adds to a case's or a scenario's result: the rule, when compared; a
/// failure, when it changed or is missing; an error, when a file could not be read or written.
pub(super) fn record_snapshot(
    outcome: &snapshot::Outcome,
    rules: &mut Vec<crate::check::RuleId>,
    failures: &mut Vec<crate::check::Failure>,
    status: &mut CaseStatus,
) {
    if outcome.verdict != snapshot::Verdict::NotCompared && !rules.iter().any(|r| r.as_str() == snapshot::RULE) {
        rules.push(crate::check::RuleId::new(snapshot::RULE));
    }
    if let Some(failure) = outcome.failure() {
        failures.push(failure);
        if *status == CaseStatus::Passed {
            *status = CaseStatus::Failed;
        }
    }
    if let snapshot::Verdict::Error(message) = &outcome.verdict {
        *status = CaseStatus::Error(Reason::new(ReasonKind::Harness, message.clone()));
    }
}

/// The case's first input, or why it cannot be sent: a variable it needs has no value, or no
/// input could be generated for it. Known before anything is sent.
pub(super) fn first_input(shared: &Shared, case: &Case) -> Result<RequestInput, Reason> {
    let spec = &shared.config.specs[case.spec];
    let operation = &spec.operations[case.operation];
    let target = &shared.targets[case.spec];
    let missing = &target.missing[case.operation];
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|n| format!("{}.{n}", spec.id)).collect();
        return Err(Reason::new(ReasonKind::MissingVariable, format!("no value for {}", names.join(", "))));
    }
    case.replay_in(operation, &target.strategies, &[])
        .map(|(input, _)| input)
        .map_err(|e| Reason::new(ReasonKind::NoInput, e.to_string()))
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

/// One attempt at `case` with `input`: a fresh fixture, the request built, guarded and sent.
pub(super) async fn attempt(
    shared: &Shared,
    case: &Case,
    operation: &Operation,
    target: &SpecTarget,
    input: &RequestInput,
    admission: &Admission,
    phase: Phase,
) -> Attempt {
    let mut variables = target.given.clone();
    if let Some(fixture) = &target.fixture {
        let values = match sandbox::fixture_values(fixture, case.seed) {
            Ok(values) => values,
            Err(e) => return Attempt::error(PreparedRequest::new("POST", "about:fixture"), ReasonKind::Harness, e),
        };
        // A dry run shows the fixture's values but makes nothing on the target.
        if !shared.config.dry_run
            && let Err(e) = sandbox::create(shared, target, fixture, &values).await
        {
            let request = PreparedRequest::new("POST", format!("{}/__sandbox/state", target.origin));
            return Attempt::error(request, ReasonKind::Sandbox, e);
        }
        variables.extend(values);
    }
    let mut input = input.clone();
    // Fail safe: a guarded call is only made with an admission, whatever the caller passed.
    let checked = is_guarded(shared, case).then(|| guard_input(shared, case, &mut input));
    let context = case::Context { base_url: &target.base_url, variables: &variables, headers: &shared.config.headers };
    let mut request = case::build(operation, &input, context);
    if let CaseKind::Protocol(probe) = &case.kind {
        case::apply_probe(probe, operation, &mut request);
    }
    let refusal = match (admission, &checked) {
        (_, Some(Err(refusal))) | (Admission::Refused(refusal), _) => Some(refusal.to_string()),
        (Admission::Free, Some(_)) => Some("not sent: the send guard did not admit this call".to_owned()),
        _ => None,
    };
    if let Some(reason) = refusal {
        return Attempt { request, outcome: Outcome::NotSent(Reason::new(ReasonKind::SendGuard, reason)) };
    }
    let recipients = match checked {
        Some(Ok(numbers)) => numbers,
        _ => Vec::new(),
    };
    call(shared, target, operation, &case.kind, request, &recipients, phase).await
}
