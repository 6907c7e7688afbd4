//! Running a suite's scenario: one fresh fixture, then each step in order — a call (through the
//! same call path as generated cases: send guard, rate limits, stateless checks), an outbox
//! read, a clock move or a sandbox state — with captures feeding later steps and every
//! expectation checked. A step that needs the sandbox on a target without one, or a value
//! nobody can give, skips the scenario with the reason; it never passes. A failing property
//! scenario is shrunk to a smaller generated input.

use serde_json::Value;

use super::budget::Admission;
use super::exchange::record::record_snapshot;
use super::exchange::shrink::shrink_by;
use super::shared::{Shared, SpecTarget};
use crate::check::{Failure, RuleId};
use crate::results::{CaseStatus, ScenarioResult, StepResult};
use crate::results::{Reason, ReasonKind};
use crate::show::Shown;
use crate::spec::Spec;
use crate::suite::{Acceptance, Action, Scenario, Suite, render};

mod expect;
mod flow_run;
mod plan;
mod skip;
mod step;
mod vars;

use expect::{describe, judge_expect};
use flow_run::FlowRun;
pub(super) use plan::scenario_admissions;
use plan::sending_steps;
pub use plan::{PlannedScenario, plan_scenarios};
use skip::Stop;
pub(super) use skip::skip_reason;
pub(super) use step::guard_step;
use step::{as_text, perform};
use vars::{property_input, variables};

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
    // The send guard's word was given before the run (see `plan.rs`); a sending scenario without
    // it is not run (fail safe).
    let sending = if target.sandbox { Vec::new() } else { sending_steps(suite, scenario, spec) };
    if let Some(first) = sending.first() {
        let refusal = match shared.scenario_admissions.get(&planned.plan_index) {
            Some(Admission::Send) => None,
            Some(Admission::Refused(refusal)) => Some(refusal.to_string()),
            _ => Some("not sent: the send guard did not admit this scenario".to_owned()),
        };
        if let Some(refusal) = refusal {
            let message = format!("step `{first}`: {refusal}");
            result.status = CaseStatus::Skipped(Reason::new(ReasonKind::SendGuard, show.message(&message, None)));
            return (result, Vec::new());
        }
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
    let first_broken = outcome.as_ref().ok().is_some_and(|o| !o.failures.is_empty());
    // A property whose flow sends messages on a real target is not shrunk: its sends were granted
    // for its inputs only.
    if let (Some(given), true, true, Ok(first)) = (&scenario.given, first_broken, sending.is_empty(), &outcome) {
        let shrunk = shrink_by(first.clone(), |steps, tries| {
            Box::pin(async move {
                let Ok((candidate, true)) = property_input(given, &scenario.pointer, input_seed, &steps) else {
                    return None;
                };
                let vars_seed = input_seed ^ (u64::from(tries) << 40);
                Some(attempt(shared, suite, scenario, spec, target, vars_seed, Some(&candidate)).await.ok())
            })
        })
        .await;
        outcome = Ok(shrunk.best);
        result.shrink_steps = shrunk.steps;
        found = shrunk.findings.into_iter().map(|(run, failures)| FlowRun { failures, ..run }).collect();
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
        // Granted before the run (see `plan.rs`): one per sending step, for each run of the flow.
        sends_left: if target.sandbox {
            0
        } else {
            u32::try_from(sending_steps(suite, scenario, spec).len()).unwrap_or(0)
        },
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
        if broken.is_empty() && expect.outcome != Some(Acceptance::Refused) {
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
