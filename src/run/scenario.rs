//! Running a suite's scenario: one fresh fixture, then each step in order — a call (through the
//! same call path as generated cases: send guard, rate limits, stateless checks), an outbox
//! read, a clock move or a sandbox state — with captures feeding later steps and every
//! expectation checked. A step that needs the sandbox on a target without one, or a value
//! nobody can give, skips the scenario with the reason; it never passes. A failing property
//! scenario is shrunk to a smaller generated input.

use std::collections::BTreeMap;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use serde_json::{Value, json};

use super::exchange::call::{Outcome as CallOutcome, call};
use super::exchange::record::{masked, record_snapshot};
use super::guard::{self, Refusal};
use super::shared::{Shared, SpecTarget};
use super::{sandbox, wire};
use crate::case::{self, Body, CaseKind, RequestInput, Shrink};
use crate::check::{Failure, RuleId};
use crate::http::PreparedRequest;
use crate::results::Phase;
use crate::results::{CaseStatus, ScenarioResult, StepResult};
use crate::results::{Reason, ReasonKind};
use crate::show::Shown;
use crate::show::to_curl;
use crate::spec::{Operation, ParamLocation, Spec};
use crate::suite::{Action, Expect, Outcome, Scenario, Suite, VarDefault, Vars, render, render_text};

/// At most this many smaller inputs are tried when shrinking a failing property.
const MAX_SHRINK_STEPS: u32 = 40;

/// One scenario to run: which suite, which scenario in it, and its seed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedScenario {
    /// `spec::suite::scenario`.
    pub id: String,
    pub suite: usize,
    pub scenario: usize,
    /// Index of the suite's spec in the run.
    pub spec: usize,
    pub seed: u64,
    /// Its place among the run's scenarios before any `--shard` kept some.
    pub plan_index: usize,
}

/// The scenarios of `suites`, each with its seed and its spec's index.
pub fn plan_scenarios(suites: &[Suite], specs: &[Spec], run_seed: u64) -> Vec<PlannedScenario> {
    let mut out = Vec::new();
    for (s, suite) in suites.iter().enumerate() {
        let Some(spec) = specs.iter().position(|spec| spec.id == suite.spec) else { continue };
        for (n, scenario) in suite.scenarios.iter().enumerate() {
            let id = format!("{}::{}::{}", suite.spec, suite.id, scenario.name);
            let seed = crate::plan::case_seed(run_seed, &id);
            let plan_index = out.len();
            out.push(PlannedScenario { id, suite: s, scenario: n, spec, seed, plan_index });
        }
    }
    out
}

/// Why a scenario will be skipped on this target, when that is known before it runs: it moves
/// the clock or sets a state and the target has no sandbox, it reads the outbox for a value no
/// variable gives, or the fixture's variables are missing.
pub(super) fn skip_reason(suite: &Suite, scenario: &Scenario, spec: &Spec, target: &SpecTarget) -> Option<Reason> {
    if target.sandbox {
        return None;
    }
    if let Some(missing) = spec.sandbox.iter().flat_map(|f| f.variables()).find(|n| !target.given.contains_key(*n)) {
        return Some(Reason::new(
            ReasonKind::MissingVariable,
            format!(
                "no value for variable `{missing}`: give --var {}.{missing}=VALUE (the target has no sandbox to make one)",
                spec.id
            ),
        ));
    }
    scenario.steps.iter().filter_map(|s| suite.steps.get(&s.step)).find_map(|step| match &step.action {
        Action::Advance { .. } | Action::State { .. } => Some(Reason::new(
            ReasonKind::NeedsSandbox,
            format!("step `{}` needs the target's sandbox, which it has not", step.name),
        )),
        Action::Outbox { .. } if !step.capture.keys().all(|k| target.given.contains_key(k)) => {
            let wanted: Vec<String> = step.capture.keys().map(|k| format!("--var {}.{k}=VALUE", spec.id)).collect();
            Some(Reason::new(
                ReasonKind::NeedsSandbox,
                format!(
                    "step `{}` reads the sandbox outbox, which the target has not; give {}",
                    step.name,
                    wanted.join(" ")
                ),
            ))
        }
        _ => None,
    })
}

/// The deterministic runner for a seed.
fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&seed.rotate_left(29).to_le_bytes());
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// A property's input drawn from `given` with `seed`, after replaying `steps` of shrinking, and
/// whether the last step moved.
fn property_input(given: &Value, pointer: &str, seed: u64, steps: &[Shrink]) -> Result<(Value, bool), String> {
    let strategy = crate::case::valid_values(given, pointer).map_err(|e| e.to_string())?;
    let mut tree =
        strategy.new_tree(&mut runner(seed)).map_err(|e| format!("no input could be generated from `given`: {e}"))?;
    let moved = case::replay_steps(&mut tree, steps);
    Ok((tree.current(), moved))
}

/// Why a scenario stopped before its end.
enum Stop {
    Skip(Reason),
    Error(Reason),
}

/// Runs one planned scenario (and shrinks it, when it is a failing property), timed. With it,
/// the findings met while shrinking: failures of rules the scenario did not break, on a smaller
/// input, each a scenario result of its own (`<id>::found-while-shrinking::N`).
pub(super) async fn run_scenario(
    shared: &Shared,
    suites: &[Suite],
    planned: &PlannedScenario,
) -> (ScenarioResult, Vec<ScenarioResult>) {
    let started = std::time::Instant::now();
    let (mut result, findings) = run_untimed(shared, suites, planned).await;
    result.duration = started.elapsed();
    (result, findings)
}

async fn run_untimed(
    shared: &Shared,
    suites: &[Suite],
    planned: &PlannedScenario,
) -> (ScenarioResult, Vec<ScenarioResult>) {
    let suite = &suites[planned.suite];
    let scenario = &suite.scenarios[planned.scenario];
    let spec = &shared.config.specs[planned.spec];
    let target = &shared.targets[planned.spec];
    let show = Shown::for_spec(&shared.redactor, shared.config.show_secrets, spec);
    let moves_clock = scenario
        .steps
        .iter()
        .any(|s| matches!(suite.steps.get(&s.step).map(|s| &s.action), Some(Action::Advance { .. })));
    let _time = if moves_clock { Err(shared.time.write().await) } else { Ok(shared.time.read().await) };
    let mut result = ScenarioResult {
        id: planned.id.clone(),
        spec: spec.id.clone(),
        suite: suite.id.clone(),
        scenario: scenario.name.clone(),
        rule: RuleId::new(scenario.rule.clone()),
        source: scenario.source.clone(),
        seed: planned.seed,
        status: CaseStatus::Passed,
        failures: Vec::new(),
        steps: Vec::new(),
        input: None,
        shrink_steps: 0,
        snapshots: Vec::new(),
        plan_index: planned.plan_index,
        duration: std::time::Duration::ZERO,
    };
    if shared.config.dry_run {
        let reason = "dry run: a scenario's steps depend on the answers, so none is shown";
        result.status = CaseStatus::Skipped(Reason::new(ReasonKind::DryRun, reason));
        return (result, Vec::new());
    }
    if let Some(reason) = skip_reason(suite, scenario, spec, target) {
        result.status = CaseStatus::Skipped(reason.map(|m| show.message(&m, None)));
        return (result, Vec::new());
    }
    if let Some(why) = target.health.not_sent() {
        target.health.skip();
        result.status = CaseStatus::Error(Reason::new(ReasonKind::NoAnswer, show.message(&why, None)));
        return (result, Vec::new());
    }
    // A property runs its flow for `--cases` inputs drawn from `given`, up to the first that
    // fails, and shrinks that one. Shrinking replays the tree from the input's seed, so that no
    // value tree lives across an `.await`.
    let (mut outcome, mut input_seed) = (None, planned.seed);
    let inputs = if scenario.given.is_some() { shared.config.plan.cases.max(1) } else { 1 };
    for n in 0..inputs {
        input_seed = planned.seed.wrapping_add(n as u64);
        let input = match &scenario.given {
            Some(given) => match property_input(given, &scenario.pointer, input_seed, &[]) {
                Ok((input, _)) => Some(input),
                Err(e) => {
                    result.status = CaseStatus::Error(Reason::new(ReasonKind::NoInput, e));
                    return (result, Vec::new());
                }
            },
            None => None,
        };
        // Each input gets its own variables (a new phone number, a new fixture), so that inputs
        // do not share the target's state: the first input's are those of a scenario without
        // `given`.
        let run = attempt(shared, suite, scenario, spec, target, input_seed, input.as_ref()).await;
        let stop = !matches!(&run, Ok(run) if run.failures.is_empty());
        outcome = Some(run);
        if stop {
            break;
        }
    }
    let Some(mut outcome) = outcome else { return (result, Vec::new()) };
    // Shrinking keeps the smallest input that still breaks the first rule broken; an input that
    // breaks another rule, one the scenario did not break, is a finding of its own.
    let mut found: Vec<FlowRun> = Vec::new();
    let first_broken = outcome.as_ref().ok().and_then(|o| o.failures.first()).map(|f| f.rule.clone());
    if let (Some(given), Some(broken)) = (&scenario.given, first_broken) {
        let mut known: Vec<RuleId> =
            outcome.as_ref().map(|o| o.failures.iter().map(|f| f.rule.clone()).collect()).unwrap_or_default();
        let mut steps = vec![Shrink::Simplify];
        let mut tries = 0;
        while tries < MAX_SHRINK_STEPS {
            let Ok((candidate, true)) = property_input(given, &scenario.pointer, input_seed, &steps) else { break };
            tries += 1;
            let vars_seed = input_seed ^ (u64::from(tries) << 40);
            let Ok(run) = attempt(shared, suite, scenario, spec, target, vars_seed, Some(&candidate)).await else {
                steps.push(Shrink::Complicate);
                continue;
            };
            let new: Vec<Failure> = run.failures.iter().filter(|f| !known.contains(&f.rule)).cloned().collect();
            if !new.is_empty() {
                known.extend(new.iter().map(|f| f.rule.clone()));
                found.push(FlowRun { failures: new, ..run.clone() });
            }
            if run.failures.iter().any(|f| f.rule == broken) {
                outcome = Ok(run);
                steps.push(Shrink::Simplify);
            } else {
                steps.push(Shrink::Complicate);
            }
        }
        result.shrink_steps = tries;
    }
    let run = match outcome {
        Ok(run) => run,
        Err((stop, steps)) => {
            result.steps = steps;
            result.status = match stop {
                Stop::Skip(reason) => CaseStatus::Skipped(reason.map(|m| show.message(&m, None))),
                Stop::Error(reason) => CaseStatus::Error(reason.map(|m| show.message(&m, None))),
            };
            return (result, Vec::new());
        }
    };
    let findings: Vec<ScenarioResult> = found
        .into_iter()
        .enumerate()
        .map(|(n, found)| ScenarioResult {
            id: format!("{}::found-while-shrinking::{}", result.id, n + 1),
            status: CaseStatus::Failed,
            input: found.input.map(|i| show.message(&i.to_string(), None)),
            steps: found.steps,
            failures: found.failures,
            shrink_steps: 0,
            ..result.clone()
        })
        .collect();
    result.input = run.input.map(|i| show.message(&i.to_string(), None));
    result.steps = run.steps;
    // Failures were masked when they were made, with the rules of their step's operation.
    result.failures = run.failures;
    result.status = if result.failures.is_empty() { CaseStatus::Passed } else { CaseStatus::Failed };
    let mut rules = Vec::new();
    // A property's steps carry its generated input (an expiry of `expires` seconds): like
    // generated cases, they are not snapshotted.
    let snapshotted = if scenario.given.is_some() { Vec::new() } else { run.snapshots };
    for (step, content) in snapshotted {
        let outcome = crate::snapshot::compare(&shared.config.snapshots, &format!("{}::{step}", result.id), &content);
        let outcome = Shown::for_spec(&shared.redactor, false, spec).snapshot_outcome(outcome);
        record_snapshot(&outcome, &mut rules, &mut result.failures, &mut result.status);
        result.snapshots.push(outcome);
    }
    (result, findings)
}

/// One run of a scenario's flow.
#[derive(Clone)]
struct FlowRun {
    /// Shown as reports show them: redacted and masked.
    steps: Vec<StepResult>,
    failures: Vec<Failure>,
    input: Option<Value>,
    /// Per call step: `NN-step` (its place among the steps) and its normalized answer.
    snapshots: Vec<(String, String)>,
    /// A call step got no answer because the target crashed (a failure): the flow ends there.
    crashed: bool,
    /// The variables earlier steps captured, by name (shown by name in later snapshots).
    captured: Vec<String>,
}

/// Runs the flow once, with `input` as a property's generated variables.
async fn attempt(
    shared: &Shared,
    suite: &Suite,
    scenario: &Scenario,
    spec: &Spec,
    target: &SpecTarget,
    seed: u64,
    input: Option<&Value>,
) -> Result<FlowRun, (Stop, Vec<StepResult>)> {
    let mut run = FlowRun {
        steps: Vec::new(),
        failures: Vec::new(),
        input: input.cloned(),
        snapshots: Vec::new(),
        crashed: false,
        captured: Vec::new(),
    };
    let vars = match variables(shared, suite, spec, target, seed, input).await {
        Ok(vars) => vars,
        Err(stop) => return Err((stop, run.steps)),
    };
    let mut vars = vars;
    for flow_step in &scenario.steps {
        let Some(step) = suite.steps.get(&flow_step.step) else {
            return Err((
                Stop::Error(Reason::new(ReasonKind::Harness, format!("no step `{}`", flow_step.step))),
                run.steps,
            ));
        };
        let mut step_vars = vars.clone();
        for (name, value) in &flow_step.vars {
            match render(value, &vars) {
                Ok(value) => step_vars.insert(name.clone(), value),
                Err(e) => {
                    return Err((
                        Stop::Skip(Reason::new(ReasonKind::NoInput, format!("step `{}`: {e}", step.name))),
                        run.steps,
                    ));
                }
            };
        }
        let (expect, rule, source) = match &flow_step.expect {
            Some(expect) => (expect, RuleId::new(scenario.rule.clone()), scenario.source.clone()),
            // A property's assertions are the property: its rule and its source.
            None if scenario.given.is_some() => (&step.expect, RuleId::new("property"), scenario.source.clone()),
            None => (&step.expect, RuleId::new("scenario"), step.expect.source.clone().unwrap_or(suite.source.clone())),
        };
        let source = expect.source.clone().unwrap_or(source);
        let answer =
            match perform(shared, spec, target, &step.name, &step.action, &step.capture, &step_vars, &mut run).await {
                Ok(answer) => answer,
                Err(stop) => return Err((stop, run.steps)),
            };
        if let Some(last) = run.steps.last_mut() {
            last.expected = describe(expect);
        }
        if run.crashed {
            // Later steps build on this one.
            return Ok(run);
        }
        let Some(answer) = answer else { continue };
        let show = match answer.operation {
            Some(index) => Shown::new(&shared.redactor, shared.config.show_secrets, spec, &spec.operations[index]),
            None => Shown::for_spec(&shared.redactor, shared.config.show_secrets, spec),
        };
        // Captures first: an expectation may relate two values of the same answer.
        let mut missing = Vec::new();
        for (variable, pointer) in &step.capture {
            match answer.body.pointer(pointer) {
                Some(value) => {
                    vars.insert(variable.clone(), value.clone());
                    step_vars.insert(variable.clone(), value.clone());
                    run.captured.push(variable.clone());
                }
                None => missing.push(format!("nothing at {pointer} to capture as `{variable}`")),
            }
        }
        let mut broken = judge_expect(expect, &answer, &step_vars);
        // A predicate's message quotes the value it judged: show it as the answer is shown.
        let shown: Option<Value> =
            run.steps.last().and_then(|s| s.response.as_ref()).and_then(|r| serde_json::from_str(&r.body).ok());
        for (pointer, message) in broken.iter_mut() {
            let Some(pointer) = pointer else { continue };
            let (Some(raw), Some(masked)) =
                (answer.body.pointer(pointer), shown.as_ref().and_then(|s| s.pointer(pointer)))
            else {
                continue;
            };
            if raw != masked {
                *message = message.replace(&as_text(raw), &as_text(masked));
            }
        }
        let mut broken: Vec<String> = broken.into_iter().map(|(_, message)| message).collect();
        if broken.is_empty() && expect.outcome != Some(Outcome::Refused) {
            // A refusal has nothing to capture; anything else must have what later steps need.
            broken = missing;
        }
        if !broken.is_empty() {
            for message in broken {
                let message = show.message(&format!("step `{}`: {message}", step.name), Some(answer.status));
                run.failures.push(Failure::new(rule.clone(), source.clone(), message));
            }
            // Later steps build on this one.
            return Ok(run);
        }
    }
    Ok(run)
}

/// What a step answered, for expectations and captures.
struct Answer {
    status: u16,
    body: Value,
    /// The operation called (its index in the spec), or `None` for the sandbox.
    operation: Option<usize>,
}

/// The scenario's variables: the suite's defaults, then `--var`/env, then the fixture, then the
/// property's generated input. Captures come later, step by step.
async fn variables(
    shared: &Shared,
    suite: &Suite,
    spec: &Spec,
    target: &SpecTarget,
    seed: u64,
    input: Option<&Value>,
) -> Result<Vars, Stop> {
    let mut vars = Vars::new();
    let mut rng = runner(seed ^ 0x5eed);
    // Generated defaults first, then the others in as many passes as their references need.
    for (name, default) in &suite.vars {
        if let VarDefault::Generate(regex) = default {
            let strategy = proptest::string::string_regex(&case::generator_regex(regex)).map_err(|e| {
                Stop::Error(Reason::new(ReasonKind::Harness, format!("vars.{name}: bad regex `{regex}`: {e}")))
            })?;
            let value = strategy
                .new_tree(&mut rng)
                .map_err(|e| Stop::Error(Reason::new(ReasonKind::NoInput, e.to_string())))?
                .current();
            vars.insert(name.clone(), Value::String(value));
        }
    }
    let mut pending: Vec<(&String, &Value)> = suite
        .vars
        .iter()
        .filter_map(|(name, default)| match default {
            VarDefault::Value(value) => Some((name, value)),
            VarDefault::Generate(_) => None,
        })
        .collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut last_error = String::new();
        pending.retain(|(name, value)| match render(value, &vars) {
            Ok(rendered) => {
                vars.insert((*name).clone(), rendered);
                false
            }
            Err(e) => {
                last_error = format!("vars.{name}: {e}");
                true
            }
        });
        if pending.len() == before {
            return Err(Stop::Skip(Reason::new(ReasonKind::NoInput, last_error)));
        }
    }
    for (name, value) in &target.given {
        vars.insert(name.clone(), Value::String(value.clone()));
    }
    if let Some(fixture) = &target.fixture {
        let values =
            sandbox::fixture_values(fixture, seed).map_err(|e| Stop::Error(Reason::new(ReasonKind::Harness, e)))?;
        sandbox::create(shared, target, fixture, &values)
            .await
            .map_err(|e| Stop::Error(Reason::new(ReasonKind::Sandbox, e)))?;
        vars.extend(values.into_iter().map(|(k, v)| (k, Value::String(v))));
    } else if let Some(fixture) = &spec.sandbox
        && let Some(missing) = fixture.variables().find(|n| !vars.contains_key(*n))
    {
        return Err(Stop::Skip(Reason::new(
            ReasonKind::MissingVariable,
            format!(
                "no value for variable `{missing}`: give --var {}.{missing}=VALUE (the target has no sandbox to make one)",
                spec.id
            ),
        )));
    }
    if let Some(Value::Object(input)) = input {
        vars.extend(input.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Ok(vars)
}

fn needs_sandbox(target: &SpecTarget, what: &str) -> Result<(), Stop> {
    if target.sandbox {
        Ok(())
    } else {
        Err(Stop::Skip(Reason::new(
            ReasonKind::NeedsSandbox,
            format!("{what} needs the target's sandbox, which it has not"),
        )))
    }
}

/// Performs one step's action; `Ok(None)` when there is nothing to judge (a value given as a variable).
#[allow(clippy::too_many_arguments)]
async fn perform(
    shared: &Shared,
    spec: &Spec,
    target: &SpecTarget,
    name: &str,
    action: &Action,
    capture: &BTreeMap<String, String>,
    vars: &Vars,
    run: &mut FlowRun,
) -> Result<Option<Answer>, Stop> {
    let skip = |e: String| Stop::Skip(Reason::new(ReasonKind::NoInput, format!("step `{name}`: {e}")));
    match action {
        Action::Call { operation, with } => {
            let index =
                spec.operations.iter().position(|o| &o.id == operation).ok_or_else(|| {
                    Stop::Error(Reason::new(ReasonKind::Harness, format!("no operation `{operation}`")))
                })?;
            let operation = &spec.operations[index];
            let input = step_input(operation, with, vars).map_err(skip)?;
            let mut variables: BTreeMap<String, String> = vars
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect();
            // A parameter the step sets with `with` takes that value, not the variable of its name
            // (a session the flow created, instead of the fixture's).
            variables
                .retain(|name, _| !(with.contains_key(name) && operation.parameters.iter().any(|p| &p.name == name)));
            let context =
                case::Context { base_url: &target.base_url, variables: &variables, headers: &shared.config.headers };
            let request = case::build(operation, &input, context);
            let recipients = guard_step(shared, target, operation, &input).map_err(|refusal| {
                let message = format!("step `{name}`: {refusal}");
                Stop::Skip(Reason::new(ReasonKind::SendGuard, show_spec(shared, spec).message(&message, None)))
            })?;
            let attempt = call(shared, target, operation, &CaseKind::Step, request, &recipients, Phase::Scenario).await;
            let action = format!("call {}", operation.id);
            match attempt.outcome {
                CallOutcome::Crashed(_, failures) => {
                    let show = Shown::new(&shared.redactor, shared.config.show_secrets, spec, operation);
                    run.failures.extend(masked(&show, failures, None));
                    let request = show.request(&attempt.request);
                    run.steps.push(StepResult {
                        step: name.to_owned(),
                        action,
                        curl: Some(to_curl(&request, show.redactor())),
                        request: Some(request),
                        response: None,
                        expected: None,
                    });
                    run.crashed = true;
                    Ok(None)
                }
                CallOutcome::Answered(response, _, failures) => {
                    let show = Shown::new(&shared.redactor, shared.config.show_secrets, spec, operation);
                    let status = response.status;
                    run.failures.extend(failures.into_iter().map(|mut f| {
                        f.message = show.message(&f.message, Some(status));
                        f
                    }));
                    let body = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
                    let request = show.request(&attempt.request);
                    run.steps.push(StepResult {
                        step: name.to_owned(),
                        action,
                        curl: Some(to_curl(&request, show.redactor())),
                        request: Some(request),
                        response: Some(show.response(&response)),
                        expected: None,
                    });
                    let snapshot = snapshot_step(shared, spec, target, operation, &response, vars, &run.captured);
                    run.snapshots.push((format!("{:02}-{}", run.steps.len(), crate::case::slug(name)), snapshot));
                    Ok(Some(Answer { status, body, operation: Some(index) }))
                }
                CallOutcome::NotSent(reason) => Err(Stop::Skip(reason)),
                CallOutcome::Error(reason) => Err(Stop::Error(reason.map(|m| format!("step `{name}`: {m}")))),
            }
        }
        Action::Outbox { to } => {
            if !target.sandbox && capture.keys().all(|k| vars.contains_key(k)) {
                // A staging target's fixed code, given as a variable: nothing to read.
                return Ok(None);
            }
            if !target.sandbox {
                let wanted: Vec<String> = capture.keys().map(|k| format!("--var {}.{k}=VALUE", spec.id)).collect();
                return Err(Stop::Skip(Reason::new(
                    ReasonKind::NeedsSandbox,
                    format!(
                        "step `{name}` reads the sandbox outbox, which the target has not; give {}",
                        wanted.join(" ")
                    ),
                )));
            }
            let digits: String =
                render_text(&as_text(to), vars).map_err(skip)?.chars().filter(char::is_ascii_digit).collect();
            let request = PreparedRequest::new("GET", format!("{}/__sandbox/outbox?to={digits}", target.origin));
            sandbox_call(shared, spec, target, name, "outbox", request, run).await.map(Some)
        }
        Action::Advance { seconds } => {
            needs_sandbox(target, &format!("step `{name}` (moving the clock)"))?;
            let seconds = render_text(&as_text(seconds), vars).map_err(skip)?;
            let seconds: u64 = seconds
                .trim()
                .trim_end_matches('s')
                .parse()
                .map_err(|_| skip(format!("`{seconds}` is not a number of seconds")))?;
            sandbox::advance(shared, target, seconds)
                .await
                .map_err(|e| Stop::Error(Reason::new(ReasonKind::Sandbox, e)))?;
            run.steps.push(StepResult {
                step: name.to_owned(),
                action: format!("advance {seconds}s"),
                request: None,
                response: None,
                curl: None,
                expected: None,
            });
            Ok(None)
        }
        Action::State { state, params } => {
            needs_sandbox(target, &format!("step `{name}` (a sandbox state)"))?;
            let api = spec.sandbox.as_ref().map_or(spec.id.as_str(), |f| f.api.as_str());
            let params: serde_json::Map<String, Value> = params
                .iter()
                .map(|(k, v)| Ok((k.clone(), render(v, vars)?)))
                .collect::<Result<_, String>>()
                .map_err(skip)?;
            let body = json!({"api": api, "state": state, "params": params});
            let request = PreparedRequest::new("POST", format!("{}/__sandbox/state", target.origin))
                .header("Content-Type", "application/json")
                .body(body.to_string());
            let answer = sandbox_call(shared, spec, target, name, &format!("state {state}"), request, run).await?;
            // A sandbox that lacks a state answers 400 (contract.md §6.1): what needs it is skipped.
            if answer.status == 400 {
                return Err(Stop::Skip(Reason::new(
                    ReasonKind::NeedsSandbox,
                    format!("step `{name}`: the sandbox does not offer state `{state}`: 400 {}", answer.body),
                )));
            }
            if answer.status != 200 {
                return Err(Stop::Error(Reason::new(
                    ReasonKind::Sandbox,
                    format!("the sandbox refused state `{state}`: {} {}", answer.status, answer.body),
                )));
            }
            Ok(None)
        }
    }
}

/// A step's answer normalized for its snapshot; the scenario's variables (fixture values,
/// generated and captured values) are shown by name.
fn snapshot_step(
    shared: &Shared,
    spec: &Spec,
    target: &SpecTarget,
    operation: &Operation,
    response: &crate::http::HttpResponse,
    vars: &Vars,
    captured: &[String],
) -> String {
    // An identifier an earlier step captured (a session the flow created), by name: a string of
    // 8 or more letters, digits, `-` or `_` (times, codes and texts have their own normalizing).
    let identifier = |v: &str| v.len() >= 8 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let captured = captured.iter().filter_map(|name| {
        let value = vars.get(name)?.as_str().filter(|v| identifier(v))?;
        Some(crate::snapshot::KnownValue { name: name.clone(), value: value.to_owned() })
    });
    // A fixture's generated values, by name, as the scenario holds them.
    let known: Vec<crate::snapshot::KnownValue> = target
        .fixture
        .iter()
        .flat_map(|fixture| fixture.params.iter())
        .filter(|(_, value)| matches!(value, crate::spec::FixtureValue::Generate(_)))
        .filter_map(|(name, _)| {
            Some(crate::snapshot::KnownValue { name: name.clone(), value: vars.get(name)?.as_str()?.to_owned() })
        })
        .chain(captured)
        .collect();
    Shown::new(&shared.redactor, false, spec, operation).snapshot(response, &known)
}

/// A call to the sandbox itself (not judged by the checks). What it answers (codes, the texts
/// that carry them) is not kept in the results unless `--show-secrets`: only its size.
async fn sandbox_call(
    shared: &Shared,
    spec: &Spec,
    target: &SpecTarget,
    name: &str,
    action: &str,
    request: PreparedRequest,
    run: &mut FlowRun,
) -> Result<Answer, Stop> {
    let response = wire::send(shared, target, Phase::Sandbox, &request)
        .await
        .map_err(|e| Stop::Error(Reason::new(ReasonKind::Sandbox, format!("the sandbox did not answer: {e}"))))?;
    let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    let show = Shown::for_spec(&shared.redactor, shared.config.show_secrets, spec);
    // An outbox answer holds codes: it is summarised, and not masked first for nothing.
    let shown = match (shared.config.show_secrets, &body) {
        (false, Value::Array(items)) => {
            show.response_showing(&response, format!("[{} message(s), not shown: they hold codes]", items.len()))
        }
        _ => show.response(&response),
    };
    let request = show.request(&request);
    run.steps.push(StepResult {
        step: name.to_owned(),
        action: action.to_owned(),
        curl: Some(to_curl(&request, show.redactor())),
        request: Some(request),
        response: Some(shown),
        expected: None,
    });
    Ok(Answer { status: response.status, body, operation: None })
}

fn as_text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

/// The request input of a call step: each `with` value goes to the parameter of that name, else
/// to the body field of that name.
fn step_input(operation: &Operation, with: &BTreeMap<String, Value>, vars: &Vars) -> Result<RequestInput, String> {
    let mut input = RequestInput::default();
    let mut body = serde_json::Map::new();
    for (name, template) in with {
        let value = render(template, vars)?;
        match operation.parameters.iter().find(|p| &p.name == name) {
            Some(param) if param.location != ParamLocation::Cookie => {
                input.slot_mut(param.location).insert(name.clone(), value);
            }
            _ => {
                body.insert(name.clone(), value);
            }
        }
    }
    let takes_body = operation.body.as_ref().is_some_and(|b| b.json().is_some());
    if takes_body && (!body.is_empty() || operation.body.as_ref().is_some_and(|b| b.required)) {
        input.body = Body::Json(Value::Object(body));
    }
    Ok(input)
}

/// On a target without a sandbox, a step that can send a message goes only to allow-listed
/// recipients as written (a flow's later steps depend on them: they are not rewritten), and
/// takes one of the `--max-sends` budget's sends. `Err` is the send guard's refusal.
pub(super) fn guard_step(
    shared: &Shared,
    target: &SpecTarget,
    operation: &Operation,
    input: &RequestInput,
) -> Result<Vec<String>, Refusal> {
    let Some(effect) = &operation.side_effect else { return Ok(Vec::new()) };
    if target.sandbox {
        return Ok(Vec::new());
    }
    let numbers = guard::recipients(effect, input);
    if shared.guard.allow.is_empty() {
        return Err(Refusal::NoAllowList);
    }
    if numbers.is_empty() {
        let why = format!("the step's request to `{}` names no recipient", operation.id);
        return Err(Refusal::NoAllowedRecipient(why));
    }
    if let Some(number) = numbers.iter().find(|n| !shared.guard.allows(n)) {
        return Err(Refusal::NotAllowListed(crate::show::mask_phone(number)));
    }
    if !shared.guard.reserve() {
        return Err(Refusal::BudgetSpent(shared.guard.max_sends));
    }
    Ok(numbers)
}

/// A scenario's messages masked as its spec says.
fn show_spec<'a>(shared: &'a Shared, spec: &'a Spec) -> Shown<'a> {
    Shown::for_spec(&shared.redactor, shared.config.show_secrets, spec)
}

/// `must not succeed`, `status 200`, … for reports.
fn describe(expect: &Expect) -> Option<String> {
    let mut parts = Vec::new();
    match expect.outcome {
        Some(Outcome::Refused) => parts.push("must not succeed".to_owned()),
        Some(Outcome::Succeeds) => parts.push("must succeed".to_owned()),
        None => {}
    }
    if !expect.status.is_empty() {
        parts.push(format!("status {}", expect.status.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ")));
    }
    if !expect.body.is_empty() {
        parts.push(format!("{} body assertion(s)", expect.body.len()));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Whether the answer is a refusal (`contract.md` §1): a status >= 400, or a 2xx whose body says
/// `"success": false`.
fn refused(answer: &Answer) -> bool {
    answer.status >= 400
        || ((200..300).contains(&answer.status) && answer.body.get("success") == Some(&Value::Bool(false)))
}

/// Every way the answer breaks the expectation, with the pointer of the value a message quotes.
fn judge_expect<'a>(expect: &'a Expect, answer: &Answer, vars: &Vars) -> Vec<(Option<&'a str>, String)> {
    let mut broken = Vec::new();
    match expect.outcome {
        Some(Outcome::Refused) if !refused(answer) => {
            broken.push((None, format!("must not succeed, but answered {} {}", answer.status, short(&answer.body))));
        }
        Some(Outcome::Succeeds) if refused(answer) || answer.status >= 300 => {
            broken.push((None, format!("must succeed, but answered {} {}", answer.status, short(&answer.body))));
        }
        _ => {}
    }
    if !expect.status.is_empty() && !expect.status.contains(&answer.status) {
        let wanted: Vec<String> = expect.status.iter().map(u16::to_string).collect();
        broken.push((None, format!("answered {}, expected {}", answer.status, wanted.join(" or "))));
    }
    for (pointer, predicate) in &expect.body {
        if let Err(message) = predicate.check(answer.body.pointer(pointer), vars) {
            broken.push((Some(pointer.as_str()), format!("{pointer} {message}")));
        }
    }
    broken
}

fn short(body: &Value) -> String {
    let text = body.to_string();
    if text.chars().count() > 200 { format!("{}…", text.chars().take(200).collect::<String>()) } else { text }
}
