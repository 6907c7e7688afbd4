//! One step of a scenario: a call through the exchange's stages, an outbox read, a clock move
//! or a sandbox state, recorded as reports show it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::flow_run::FlowRun;
use super::skip::{Stop, needs_sandbox, no_outbox};
use crate::case::{self, Body, CaseKind, RequestInput};
use crate::http::PreparedRequest;
use crate::results::{Phase, Reason, ReasonKind, StepResult};
use crate::run::exchange::call::{CallOutcome, call};
use crate::run::exchange::record::masked;
use crate::run::guard::{self, Refusal};
use crate::run::shared::{Shared, SpecTarget};
use crate::run::{sandbox, wire};
use crate::show::{Shown, to_curl};
use crate::spec::{Operation, ParamLocation, Spec};
use crate::suite::{Action, Vars, render, render_text};

/// What a step answered, for expectations and captures.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) body: Value,
    /// The operation called (its index in the spec), or `None` for the sandbox.
    pub(super) operation: Option<usize>,
}

/// Performs one step's action; `Ok(None)` when there is nothing to judge (a value given as a variable).
#[allow(clippy::too_many_arguments)]
pub(super) async fn perform(
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
            let recipients = guard_step(shared, target, operation, &input, &mut run.sends_left).map_err(|refusal| {
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
                return Err(Stop::Skip(no_outbox(spec, name, capture.keys())));
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
pub(super) fn snapshot_step(
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
pub(super) async fn sandbox_call(
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

pub(super) fn as_text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

/// The request input of a call step: each `with` value goes to the parameter of that name, else
/// to the body field of that name.
pub(super) fn step_input(
    operation: &Operation,
    with: &BTreeMap<String, Value>,
    vars: &Vars,
) -> Result<RequestInput, String> {
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
/// takes one of the sends granted to the flow before the run (`sends_left`). `Err` is the send
/// guard's refusal.
pub(in crate::run) fn guard_step(
    shared: &Shared,
    target: &SpecTarget,
    operation: &Operation,
    input: &RequestInput,
    sends_left: &mut u32,
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
    if *sends_left == 0 {
        return Err(Refusal::BudgetSpent(shared.guard.max_sends));
    }
    *sends_left -= 1;
    Ok(numbers)
}

/// A scenario's messages masked as its spec says.
pub(super) fn show_spec<'a>(shared: &'a Shared, spec: &'a Spec) -> Shown<'a> {
    Shown::for_spec(&shared.redactor, shared.config.show_secrets, spec)
}
