//! The flow phase's driver in the run (issue 27): each spec's link graph walked
//! ([`crate::flow`]), every step sent through the same call path as cases and scenario steps
//! (a fresh fixture per flow, the send guard, the stateless checks), each flow reported as a
//! scenario (`spec::flows::N-operation`) with its steps. Kept thin: the walk, the probes, the
//! stateful checks and the shrinking are `crate::flow`'s.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use super::exchange::call::{CallOutcome, call};
use super::exchange::record::masked;
use super::shared::{Shared, SpecTarget};
use super::{guard_step_for_flows as guard_step, sandbox};
use crate::case::{self, CaseKind, RequestInput};
use crate::check::RuleId;
use crate::flow::{FlowRun, Graph, Sender, Sent, Walk, drive_shrinking, plan_walks};
use crate::results::{CaseStatus, Phase, Reason, ReasonKind, ScenarioResult, StepResult};
use crate::show::{Shown, to_curl};
use crate::spec::{Level, Source, Spec};

struct RunSender<'a> {
    shared: &'a Shared,
    spec: &'a Spec,
    target: &'a SpecTarget,
    variables: BTreeMap<String, String>,
}

impl Sender for RunSender<'_> {
    type Shown = StepResult;

    fn generate(&self, index: usize, seed: u64) -> Result<RequestInput, String> {
        let operation = &self.spec.operations[index];
        let strategy = self.target.strategies.valid(index, operation).map_err(|e| e.to_string())?;
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
        strategy.new_tree(&mut runner).map(|tree| tree.current()).map_err(|e| e.to_string())
    }

    async fn send(&self, index: usize, input: RequestInput, set: &BTreeSet<String>, label: &str) -> Sent<StepResult> {
        let (shared, target, spec) = (self.shared, self.target, self.spec);
        let operation = &spec.operations[index];
        // On a target without a sandbox, a generated recipient is written onto the allow-list, as
        // for cases (the guard below then checks it and takes a send from the budget).
        let mut input = input;
        if let Some(effect) =
            operation.side_effect.as_ref().filter(|_| !target.sandbox && !shared.guard.allow.is_empty())
        {
            let _ = super::guard::rewrite(&shared.guard, operation, effect, &mut input, index as u64);
        }
        let mut variables = self.variables.clone();
        variables.retain(|name, _| !set.contains(name));
        let context =
            case::Context { base_url: &target.base_url, variables: &variables, headers: &shared.config.headers };
        let request = case::build(operation, &input, context);
        let show = Shown::new(&shared.redactor, shared.config.show_secrets, spec, operation);
        let step = |request: &crate::http::PreparedRequest, response| {
            let request = show.request(request);
            StepResult {
                step: label.to_owned(),
                action: format!("call {}", operation.id),
                curl: Some(to_curl(&request, show.redactor())),
                request: Some(request),
                response,
                expected: None,
            }
        };
        let url = request.url.clone();
        let nothing = |shown: StepResult, stop: Reason| Sent {
            url: url.clone(),
            status: None,
            headers: Vec::new(),
            body: None,
            failures: Vec::new(),
            stop: Some(stop),
            shown,
        };
        // A variable the operation cannot do without has no value: nothing is sent (as for cases).
        if let Some(missing) = target.missing.get(index).filter(|m| !m.is_empty()) {
            let names: Vec<String> = missing.iter().map(|n| format!("{}.{n}", spec.id)).collect();
            let why = format!("{label}: no value for {}", names.join(", "));
            return nothing(step(&request, None), Reason::new(ReasonKind::MissingVariable, why));
        }
        // The same send guard as scenario steps: on a target without a sandbox a message goes
        // only to an allow-listed recipient and takes one of the budget's sends.
        // Flows run after the budget was shared out among cases and scenarios: a flow's send
        // takes one from what is left, counted before the guard's own checks (fail safe).
        let mut sends_left = u32::from(operation.side_effect.is_some() && !target.sandbox && shared.guard.reserve());
        let recipients = match guard_step(shared, target, operation, &input, &mut sends_left) {
            Ok(recipients) => recipients,
            Err(refusal) => {
                let why = Reason::new(ReasonKind::SendGuard, format!("{label}: {refusal}"));
                return nothing(step(&request, None), why);
            }
        };
        let attempt = call(shared, target, operation, &CaseKind::Step, request, &recipients, Phase::Scenario).await;
        match attempt.outcome {
            CallOutcome::Answered(response, _, failures) => {
                let status = response.status;
                let failures = masked(&show, failures, Some(status));
                let body = serde_json::from_slice::<Value>(&response.body).ok();
                Sent {
                    url,
                    status: Some(status),
                    headers: response.headers.clone(),
                    body,
                    failures,
                    stop: None,
                    shown: step(&attempt.request, Some(show.response(&response))),
                }
            }
            CallOutcome::Crashed(_, failures) => Sent {
                failures: masked(&show, failures, None),
                ..nothing(
                    step(&attempt.request, None),
                    Reason::new(ReasonKind::NoAnswer, format!("{label}: the target dropped the connection")),
                )
            },
            CallOutcome::NotSent(reason) | CallOutcome::Error(reason) => {
                nothing(step(&attempt.request, None), reason.map(|message| format!("{label}: {message}")))
            }
        }
    }
}

/// The result of one flow, as a scenario.
fn result(spec: &Spec, name: String, seed: u64, run: FlowRun<StepResult>, shrink_steps: u32) -> ScenarioResult {
    let failures: Vec<_> = run.failures.into_iter().map(|(_, f)| f).collect();
    let status = if !failures.is_empty() {
        CaseStatus::Failed
    } else if run.planned_sent == 0 {
        let reason = run.stopped.clone().unwrap_or_else(|| Reason::new(ReasonKind::NoInput, "nothing was sent"));
        CaseStatus::Skipped(reason)
    } else {
        CaseStatus::Passed
    };
    ScenarioResult {
        id: format!("{}::flows::{name}", spec.id),
        spec: spec.id.clone(),
        suite: "flows".to_owned(),
        scenario: name,
        rule: failures.first().map_or_else(|| RuleId::new("flow"), |f| f.rule.clone()),
        source: Source::new(Level::Doc, "the spec's links (declared, x-conform-links, inferred)"),
        seed,
        status,
        failures,
        steps: run.steps.into_iter().map(|s| s.shown).collect(),
        input: None,
        shrink_steps,
        snapshots: Vec::new(),
        plan_index: usize::MAX,
        duration: std::time::Duration::ZERO,
    }
}

/// One flow to run: its id (`spec::flows::NN-operation`), its spec, its walk and its seed.
#[derive(Debug, Clone)]
pub struct PlannedFlow {
    pub id: String,
    spec: usize,
    name: String,
    graph: Arc<Graph>,
    walk: Walk,
    seed: u64,
    /// Its place among the whole (unsharded) run's scenarios, after the suites' ones.
    plan_index: usize,
}

/// The flows of a run: for each spec whose graph has an edge, its walks (none when the phase is off).
pub(super) fn plan_flows(shared: &Shared, run_seed: u64) -> Vec<PlannedFlow> {
    let options = shared.config.flows;
    let mut out = Vec::new();
    if !options.enabled {
        return out;
    }
    let config = &shared.config;
    let mut plan_index = super::scenario::plan_scenarios(&config.suites, &config.specs, run_seed).len();
    for (index, spec) in shared.config.specs.iter().enumerate() {
        let graph = Arc::new(Graph::of(spec));
        if graph.is_empty() {
            continue;
        }
        let seed = crate::plan::case_seed(run_seed, &format!("{}::flows", spec.id));
        for (n, walk) in plan_walks(&graph, seed, options.walks_per_spec, options.max_steps).into_iter().enumerate() {
            let name = format!("{:02}-{}", n + 1, spec.operations[walk.steps[0].operation].id);
            let id = format!("{}::flows::{name}", spec.id);
            plan_index += 1;
            // `--shard I/N`: a flow goes whole, by its id, as a scenario does.
            if config.plan.shard.is_some_and(|shard| !shard.keeps(&id)) {
                continue;
            }
            out.push(PlannedFlow {
                id,
                spec: index,
                name,
                graph: graph.clone(),
                walk,
                seed: seed.wrapping_add(n as u64),
                plan_index: plan_index - 1,
            });
        }
    }
    out
}

/// Runs one planned flow (shrunk when it fails), timed: a fresh fixture, then its walk.
pub(super) async fn run_flow(shared: &Shared, planned: &PlannedFlow) -> ScenarioResult {
    let started = std::time::Instant::now();
    let (spec, target) = (&shared.config.specs[planned.spec], &shared.targets[planned.spec]);
    let name = planned.name.clone();
    let mut variables = target.given.clone();
    if let Some(fixture) = &target.fixture {
        let made = match sandbox::fixture_values(fixture, planned.seed) {
            Ok(values) => sandbox::create(shared, target, fixture, &values).await.map(|()| values),
            Err(e) => Err(e),
        };
        match made {
            Ok(values) => variables.extend(values),
            Err(e) => {
                let stopped = FlowRun {
                    steps: Vec::new(),
                    failures: Vec::new(),
                    stopped: Some(Reason::new(ReasonKind::Sandbox, e)),
                    planned_sent: 0,
                };
                return ScenarioResult {
                    plan_index: planned.plan_index,
                    ..result(spec, name, planned.seed, stopped, 0)
                };
            }
        }
    }
    let sender = RunSender { shared, spec, target, variables };
    let cleanup = shared.config.flows.cleanup;
    let (run, _, tried) = drive_shrinking(&sender, spec, &planned.graph, &planned.walk, planned.seed, cleanup).await;
    let mut flow = result(spec, name, planned.seed, run, tried);
    flow.duration = started.elapsed();
    flow.plan_index = planned.plan_index;
    flow
}

/// Runs the flow phase: every planned flow, one after another (a flow's steps depend on each
/// other; flows of a spec share its resources).
pub(super) async fn run_flows(shared: &Shared, run_seed: u64) -> Vec<ScenarioResult> {
    let mut out = Vec::new();
    for planned in plan_flows(shared, run_seed) {
        // Each flow not started once --max-failures is reached is counted as such.
        if shared.halt.stops() {
            continue;
        }
        let flow = run_flow(shared, &planned).await;
        if flow.fails_run(shared.config.strict) {
            shared.halt.failed();
        }
        out.push(flow);
    }
    out
}
