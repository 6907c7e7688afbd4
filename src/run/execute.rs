//! Executing a plan: for each case, a fresh sandbox fixture where there is one, the request built
//! from its generated input, the call, the checks, and for a failing generated case, shrinking to
//! a minimal input. Cases run concurrently within `--concurrency`; results come back in plan order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::guard::{self, AllowEntry, SendGuard};
use super::result::{CaseResult, CaseStatus, MissingVariable, RunResult, TargetInfo};
use super::sandbox;
use super::shown::Shown;
use super::variables::VariableSources;
use crate::case::{self, Case, CaseKind, RequestInput, Shrink, Target};
use crate::check::{self, CheckId, Exchange, Failure, retry_after_seconds};
use crate::http::{HttpClient, HttpResponse, Limits, PreparedRequest, Redactor, TransportError, mask_phone, to_curl};
use crate::plan::{Plan, PlanOptions, plan};
use crate::spec::{Operation, ParamLocation, RecipientPart, SandboxFixture, SideEffect, Spec};

/// A target that asks for a longer wait (Retry-After) than this is not waited for: the case is skipped.
const MAX_RATE_LIMIT_WAIT_SECONDS: u64 = 30;
/// At most this many smaller inputs are tried when shrinking one failing case.
const MAX_SHRINK_STEPS: u32 = 100;

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
    /// `--show-secrets`: print secrets, numbers and codes as they are (local debugging only).
    pub show_secrets: bool,
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
            show_secrets: false,
        }
    }
}

/// What the runner reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Planned { cases: usize },
    CaseDone { done: usize, total: usize, id: String, status: CaseStatus },
}

/// Why the run could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    #[error("the target {url} is unreachable: {error}")]
    Unreachable { url: String, error: TransportError },
    #[error("cannot build the HTTP client: {0}")]
    Client(TransportError),
    #[error("{0}")]
    Config(String),
}

/// How one spec is reached during the run.
#[derive(Debug)]
struct SpecTarget {
    /// Origin (the target URL) for the sandbox.
    origin: String,
    /// Target URL joined with the spec's server path: where operation paths start.
    base_url: String,
    /// The fixture conform creates per case, when the target has a sandbox and the user gave none of its variables.
    fixture: Option<SandboxFixture>,
    /// Values given by the user.
    given: BTreeMap<String, String>,
    /// Names that will have a value in every case (given or from the fixture).
    names: BTreeSet<String>,
    /// Whether the target has the sandbox (then nothing it "sends" leaves it).
    sandbox: bool,
}

#[derive(Debug)]
struct Shared {
    config: RunConfig,
    client: HttpClient,
    targets: Vec<SpecTarget>,
    redactor: Redactor,
    guard: SendGuard,
    /// The (masked) recipients of every message-sending call made, one entry per call.
    sends: std::sync::Mutex<Vec<String>>,
    /// Per case: whether it holds one of the `--max-sends` budget's sends. Granted before the run,
    /// in plan order, so that which calls are made does not depend on timing.
    tickets: Vec<bool>,
}

/// The variable names a spec uses: its parameters, its credentials and its fixture's params.
fn used_names(spec: &Spec) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
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
    cases: Vec<Case>,
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
        let mut sandboxes: BTreeMap<String, bool> = BTreeMap::new();
        let mut targets = Vec::new();
        for (spec, url) in config.specs.iter().zip(&config.targets) {
            let origin = url.trim_end_matches('/').to_owned();
            let has_sandbox = match sandboxes.get(&origin) {
                Some(known) => *known,
                None if config.dry_run => {
                    sandboxes.insert(origin.clone(), false);
                    false
                }
                None => {
                    let found = sandbox::detect(&client, &origin)
                        .await
                        .map_err(|error| RunError::Unreachable { url: origin.clone(), error })?;
                    sandboxes.insert(origin.clone(), found);
                    found
                }
            };
            let given: BTreeMap<String, String> = used_names(spec)
                .into_iter()
                .filter_map(|n| config.variables.resolve(&spec.id, &n).map(|v| (n, v)))
                .collect();
            let fixture =
                spec.sandbox.clone().filter(|f| has_sandbox && !f.variables().any(|name| given.contains_key(name)));
            let mut names: BTreeSet<String> = given.keys().cloned().collect();
            if let Some(fixture) = &fixture {
                names.extend(fixture.variables().map(str::to_owned));
            }
            let base_url = format!("{origin}{}", spec.base_path.trim_end_matches('/'));
            targets.push(SpecTarget { origin, base_url, fixture, given, names, sandbox: has_sandbox });
        }
        let mut redactor = Redactor::new(config.variables.values().map(str::to_owned));
        for (_, value) in &config.headers {
            redactor.add(value.clone());
        }
        let names: Vec<BTreeSet<String>> = targets.iter().map(|t| t.names.clone()).collect();
        let missing = all_missing(&config.specs, &targets);
        let Plan { seed, cases } = plan(&config.specs, &names, &config.plan);
        let info = config
            .specs
            .iter()
            .zip(&targets)
            .map(|(spec, t)| TargetInfo {
                spec: spec.id.clone(),
                base_url: t.base_url.clone(),
                sandbox: sandboxes[&t.origin],
            })
            .collect();
        let guard = SendGuard::new(config.allow_recipients.clone(), config.max_sends);
        let mut shared =
            Shared { config, client, targets, redactor, guard, sends: Default::default(), tickets: Vec::new() };
        shared.tickets = cases.iter().map(|case| grant_ticket(&shared, case)).collect();
        Ok(Session { shared: Arc::new(shared), cases, seed, targets: info, missing })
    }

    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    /// Why the case at `index` will be skipped, if it will (decided without sending anything).
    pub fn skip_reason(&self, index: usize) -> Option<String> {
        first_input(&self.shared, &self.cases[index]).err()
    }

    pub fn strict(&self) -> bool {
        self.shared.config.strict
    }

    /// Runs the case at `index` of [`Session::cases`].
    pub async fn run_case(&self, index: usize) -> CaseResult {
        run_case(&self.shared, &self.cases[index], self.shared.tickets[index], true).await
    }

    /// Runs every case within the concurrency limit, reporting progress, and collects the result.
    pub async fn run_all(self, on_event: impl Fn(Event) + Send + Sync + 'static) -> Result<RunResult, RunError> {
        let started = Instant::now();
        let Session { shared, cases, seed, targets, missing } = self;
        let total = cases.len();
        on_event(Event::Planned { cases: total });
        let semaphore = Arc::new(Semaphore::new(shared.config.concurrency.max(1)));
        let on_event = Arc::new(on_event);
        let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let cases = Arc::new(cases);
        let mut tasks = JoinSet::new();
        for index in 0..total {
            let (shared, cases, semaphore, on_event, done) =
                (shared.clone(), cases.clone(), semaphore.clone(), on_event.clone(), done.clone());
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await.expect("the semaphore is never closed");
                let result = run_case(&shared, &cases[index], shared.tickets[index], false).await;
                let finished = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                on_event(Event::CaseDone {
                    done: finished,
                    total,
                    id: result.id.to_string(),
                    status: result.status.clone(),
                });
                (index, result)
            });
        }
        let mut results: Vec<Option<CaseResult>> = vec![None; total];
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, result)) => results[index] = Some(result),
                Err(e) => return Err(RunError::Config(format!("a case task failed: {e}"))),
            }
        }
        // One minimal example per (operation, check) is enough: the first failing case in plan
        // order is run again and shrunk. A target broken everywhere would otherwise cost up to
        // MAX_SHRINK_STEPS calls per case, and which case got shrunk would depend on timing.
        let mut chosen = BTreeSet::new();
        let to_shrink: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(index, _)| !is_guarded(&shared, &cases[*index]))
            .filter_map(|(index, result)| {
                let result = result.as_ref()?;
                let check = result.failures.first()?.check;
                chosen.insert((result.operation.clone(), result.spec.clone(), check)).then_some(index)
            })
            .collect();
        let mut tasks = JoinSet::new();
        for index in to_shrink {
            let (shared, cases, semaphore) = (shared.clone(), cases.clone(), semaphore.clone());
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await.expect("the semaphore is never closed");
                (index, run_case(&shared, &cases[index], shared.tickets[index], true).await)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, result)) => results[index] = Some(result),
                Err(e) => return Err(RunError::Config(format!("a case task failed: {e}"))),
            }
        }
        let cases = results.into_iter().flatten().collect();
        let sends = shared.sends.lock().map(|s| s.clone()).unwrap_or_default();
        let (strict, dry_run) = (shared.config.strict, shared.config.dry_run);
        Ok(RunResult { seed, strict, dry_run, targets, cases, sends, missing, duration: started.elapsed() })
    }
}

/// Prepares and runs the whole plan against the targets.
pub async fn run(config: RunConfig, on_event: impl Fn(Event) + Send + Sync + 'static) -> Result<RunResult, RunError> {
    Session::prepare(config).await?.run_all(on_event).await
}

/// One attempt at a case: the request sent and what came of it.
struct Attempt {
    request: PreparedRequest,
    outcome: Outcome,
}

enum Outcome {
    Answered(HttpResponse, Vec<CheckId>, Vec<Failure>),
    /// The harness could not get an answer.
    Error(String),
    /// Deliberately not sent: the send guard, or a dry run.
    NotSent(String),
}

impl Attempt {
    fn failures(&self) -> &[Failure] {
        match &self.outcome {
            Outcome::Answered(_, _, failures) => failures,
            _ => &[],
        }
    }

    fn error(request: PreparedRequest, message: String) -> Attempt {
        Attempt { request, outcome: Outcome::Error(message) }
    }
}

/// Whether the case calls a message-sending operation on a target without a sandbox: such a call
/// is made at most once (no shrinking, no re-run) and needs a ticket from the budget.
fn is_guarded(shared: &Shared, case: &Case) -> bool {
    let operation = &shared.config.specs[case.spec].operations[case.operation];
    operation.side_effect.is_some() && !shared.targets[case.spec].sandbox
}

/// Takes a send from the budget for a guarded case whose request would reach a recipient.
fn grant_ticket(shared: &Shared, case: &Case) -> bool {
    let operation = &shared.config.specs[case.spec].operations[case.operation];
    let (Some(effect), false, false) = (&operation.side_effect, shared.config.dry_run, !is_guarded(shared, case))
    else {
        return false;
    };
    let Ok(mut input) = first_input(shared, case) else { return false };
    matches!(guard_recipients(shared, case, effect, &mut input), Ok(numbers) if !numbers.is_empty())
        && shared.guard.reserve()
}

/// Runs one case; with `shrink`, a failing generated case is then shrunk to a minimal input.
/// `ticket` says whether it may make a message-sending call (see [`grant_ticket`]).
async fn run_case(shared: &Shared, case: &Case, ticket: bool, shrink: bool) -> CaseResult {
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
        checks: Vec::new(),
        failures: Vec::new(),
        request: None,
        curl: None,
        response: None,
        shrink_steps: 0,
    };
    let first = match first_input(shared, case) {
        Ok(input) => input,
        Err(reason) => {
            result.status = CaseStatus::Skipped(reason);
            return result;
        }
    };
    let mut best = attempt(shared, case, operation, target, &first, ticket).await;
    // Shrinking sends the case again; a message-sending call to a real target is not repeated.
    let shrinkable = matches!(case.kind, CaseKind::Positive | CaseKind::Negative(_)) && !is_guarded(shared, case);
    if let Some(broken) = best.failures().first().map(|f| f.check).filter(|_| shrink && shrinkable) {
        let still_fails = |a: &Attempt| a.failures().iter().any(|f| f.check == broken);
        let mut steps = vec![Shrink::Simplify];
        let mut tries = 0;
        while tries < MAX_SHRINK_STEPS {
            let Ok((input, moved)) = case.replay(operation, &target.names, &steps) else { break };
            if !moved {
                break;
            }
            tries += 1;
            let candidate = attempt(shared, case, operation, target, &input, false).await;
            if still_fails(&candidate) {
                best = candidate;
                steps.push(Shrink::Simplify);
            } else {
                steps.push(Shrink::Complicate);
            }
        }
        result.shrink_steps = tries;
    }
    let show = Shown::new(&shared.redactor, shared.config.show_secrets, spec, operation);
    let request = show.request(&best.request);
    result.curl = Some(to_curl(&request, show.redactor()));
    result.request = Some(request);
    match best.outcome {
        Outcome::Error(error) => result.status = CaseStatus::Error(show.message(&error, None)),
        Outcome::NotSent(reason) => result.status = CaseStatus::Skipped(show.message(&reason, None)),
        Outcome::Answered(response, checks, failures) => {
            result.response = Some(show.response(&response));
            let status = Some(response.status);
            result.checks = checks;
            result.status = if failures.is_empty() { CaseStatus::Passed } else { CaseStatus::Failed };
            result.failures = failures
                .into_iter()
                .map(|mut f| {
                    f.message = show.message(&f.message, status);
                    f
                })
                .collect();
        }
    }
    result
}

/// The case's first input, or why it cannot be sent: a variable it needs has no value, or no
/// input could be generated for it. Known before anything is sent.
fn first_input(shared: &Shared, case: &Case) -> Result<RequestInput, String> {
    let spec = &shared.config.specs[case.spec];
    let operation = &spec.operations[case.operation];
    let target = &shared.targets[case.spec];
    let missing = missing_variables(spec, operation, target);
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|n| format!("{}.{n}", spec.id)).collect();
        return Err(format!("no value for {}", names.join(", ")));
    }
    case.replay(operation, &target.names, &[]).map(|(input, _)| input).map_err(|e| e.to_string())
}

/// The variables the operation cannot do without that have no value: credentials, and parameters
/// that the spec's sandbox fixture provides (an instance id means nothing when made up).
fn missing_variables(spec: &Spec, operation: &Operation, target: &SpecTarget) -> Vec<String> {
    let fixture_names: BTreeSet<&str> = spec.sandbox.iter().flat_map(|f| f.variables()).collect();
    let credentials = operation.credentials.iter().map(|c| c.variable.as_str());
    let fixture_params = operation.parameters.iter().map(|p| p.name.as_str()).filter(|n| fixture_names.contains(n));
    let mut missing: Vec<String> = Vec::new();
    for name in credentials.chain(fixture_params).filter(|n| !target.names.contains(*n)) {
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
        for operation in &spec.operations {
            for name in missing_variables(spec, operation, target) {
                if !out.iter().any(|m| m.spec == spec.id && m.name == name) {
                    let env = super::variables::env_name(&[&spec.id, &name]);
                    out.push(MissingVariable { spec: spec.id.clone(), name, env });
                }
            }
        }
    }
    out
}

async fn attempt(
    shared: &Shared,
    case: &Case,
    operation: &Operation,
    target: &SpecTarget,
    input: &RequestInput,
    ticket: bool,
) -> Attempt {
    let mut variables = target.given.clone();
    if let Some(fixture) = &target.fixture {
        let values = match sandbox::fixture_values(fixture, case.seed) {
            Ok(values) => values,
            Err(e) => return Attempt::error(PreparedRequest::new("POST", "about:fixture"), e),
        };
        if let Err(e) = sandbox::create(&shared.client, &target.origin, fixture, &values).await {
            return Attempt::error(PreparedRequest::new("POST", format!("{}/__sandbox/state", target.origin)), e);
        }
        variables.extend(values);
    }
    let mut input = input.clone();
    let guarded = match (&operation.side_effect, target.sandbox) {
        (Some(effect), false) => match guard_recipients(shared, case, effect, &mut input) {
            Ok(numbers) => numbers,
            Err(reason) => {
                let context = case::Context {
                    base_url: &target.base_url,
                    variables: &variables,
                    headers: &shared.config.headers,
                };
                return Attempt { request: case::build(operation, &input, context), outcome: Outcome::NotSent(reason) };
            }
        },
        _ => Vec::new(),
    };
    let context = case::Context { base_url: &target.base_url, variables: &variables, headers: &shared.config.headers };
    let mut request = case::build(operation, &input, context);
    if let CaseKind::Protocol(probe) = &case.kind {
        case::apply_probe(probe, operation, &mut request);
    }
    if shared.config.dry_run {
        return Attempt { request, outcome: Outcome::NotSent("dry run: not sent".to_owned()) };
    }
    if !guarded.is_empty() {
        if !ticket {
            let reason = format!("the --max-sends budget ({}) is spent", shared.guard.max_sends);
            return Attempt { request, outcome: Outcome::NotSent(reason) };
        }
        if let Ok(mut sends) = shared.sends.lock() {
            sends.push(guarded.iter().map(|n| mask_phone(n)).collect::<Vec<_>>().join(" / "));
        }
    }
    let mut response = match shared.client.send(&request).await {
        Ok(response) => response,
        Err(e) => return Attempt::error(request, format!("no answer from the target: {e}")),
    };
    let mut ran = Vec::new();
    let mut failures = Vec::new();
    if response.status == 429 {
        // Being rate-limited is not a contract failure in itself: the 429 is judged by the
        // rate-limit rule, then conform waits as it was told (or moves the sandbox clock) and retries once.
        let exchange = Exchange { operation, kind: &case.kind, request: &request, response: &response };
        judge(
            shared,
            &exchange,
            Some(&[CheckId::RateLimitConformance, CheckId::StatusCodeConformance]),
            &mut ran,
            &mut failures,
        );
        let Some(seconds) = response.header("retry-after").and_then(|v| retry_after_seconds(v, chrono::Utc::now()))
        else {
            return Attempt { request, outcome: Outcome::Answered(response, ran, failures) };
        };
        if target.sandbox {
            if let Err(e) = sandbox::advance(&shared.client, &target.origin, seconds).await {
                return Attempt::error(request, e);
            }
        } else if seconds <= MAX_RATE_LIMIT_WAIT_SECONDS {
            tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
        } else {
            let reason = format!("rate-limited by the target for {seconds} s (Retry-After); not waited");
            return Attempt { request, outcome: Outcome::NotSent(reason) };
        }
        if !guarded.is_empty() {
            // The retry is another call that can send: it takes from what is left of the budget.
            if !shared.guard.reserve() {
                let reason = format!("rate-limited, and the --max-sends budget ({}) is spent", shared.guard.max_sends);
                return Attempt { request, outcome: Outcome::NotSent(reason) };
            }
            if let Ok(mut sends) = shared.sends.lock() {
                sends.push(guarded.iter().map(|n| mask_phone(n)).collect::<Vec<_>>().join(" / "));
            }
        }
        response = match shared.client.send(&request).await {
            Ok(response) => response,
            Err(e) => return Attempt::error(request, format!("no answer from the target: {e}")),
        };
        if response.status == 429 {
            // The target broke its own promise: after the wait it asked for, the request must go through.
            let rule = check::check(CheckId::RateLimitConformance);
            let message = format!("still 429 after waiting the {seconds} s that Retry-After asked for");
            failures.push(Failure::new(rule.id, (rule.source)(), message));
            return Attempt { request, outcome: Outcome::Answered(response, ran, failures) };
        }
    }
    let exchange = Exchange { operation, kind: &case.kind, request: &request, response: &response };
    judge(shared, &exchange, None, &mut ran, &mut failures);
    Attempt { request, outcome: Outcome::Answered(response, ran, failures) }
}

/// Runs the registered checks (those `--checks` keeps, and of those only `only` when given).
fn judge(
    shared: &Shared,
    exchange: &Exchange<'_>,
    only: Option<&[CheckId]>,
    ran: &mut Vec<CheckId>,
    failures: &mut Vec<Failure>,
) {
    for check in check::registry() {
        let selected = shared.config.checks.as_ref().is_none_or(|keep| keep.contains(&check.id));
        if !selected || only.is_some_and(|only| !only.contains(&check.id)) {
            continue;
        }
        let verdict = check.evaluate(exchange);
        if verdict != Ok(false) && !ran.contains(&check.id) {
            ran.push(check.id);
        }
        if let Err(failure) = verdict {
            failures.push(failure);
        }
    }
}

/// Rewrites the recipients of a message-sending call onto the allow-list (except the field a
/// negative case broke on purpose) and returns the numbers it would reach; `Err` says why it must
/// not be sent.
fn guard_recipients(
    shared: &Shared,
    case: &Case,
    effect: &SideEffect,
    input: &mut RequestInput,
) -> Result<Vec<String>, String> {
    let broken = match &case.kind {
        CaseKind::Negative(mutation) => Some(&mutation.target),
        _ => None,
    };
    let frozen = |part: &RecipientPart| match (part, broken) {
        (RecipientPart::Body(pointer), Some(Target::Body(target))) => target.starts_with(pointer.as_str()),
        (RecipientPart::Parameter(ParamLocation::Query, name), Some(Target::Query(target))) => name == target,
        (RecipientPart::Parameter(ParamLocation::Header, name), Some(Target::Header(target))) => name == target,
        (RecipientPart::Parameter(ParamLocation::Path, name), Some(Target::Path(target))) => name == target,
        _ => false,
    };
    guard::rewrite(&shared.guard, effect, input, case.seed, &frozen)
        .map_err(|reason| format!("not sent: {reason} (the target has no sandbox)"))?;
    let numbers = guard::recipients(effect, input);
    if let Some(number) = numbers.iter().find(|n| !shared.guard.allows(n)) {
        return Err(format!(
            "not sent: the recipient {} is not allow-listed (the target has no sandbox)",
            mask_phone(number)
        ));
    }
    Ok(numbers)
}
