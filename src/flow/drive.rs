//! Driving one walk: each planned step's input is generated valid, then filled from what the
//! flow has seen (a path parameter of a name seen before, the edge's bindings and request body
//! from the step it follows); each step is sent through a [`Sender`] (the run's own call path:
//! send guard, stateless checks), and probes are added where the stateful checks need them (a
//! read after a create, after a write, after a delete, and the delete again). At the end, what
//! the flow created and did not delete is deleted, unless cleanup is off. The stateful checks
//! then judge the whole flow. A failing flow is shrunk by dropping steps.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use serde_json::Value;

use super::graph::{BindingValue, EdgeOrigin, Graph, Inference};
use super::values::{Record, created_id, link_value};
use super::walk::{PlannedStep, Walk};
use crate::case::{Body, RequestInput};
use crate::check::Failure;
use crate::results::{Reason, ReasonKind};
use crate::spec::{LinkValue, Operation, ParamLocation, Parameter, RuntimeExpression, Spec};

/// What sending one step gave.
#[derive(Debug, Clone)]
pub struct Sent<S> {
    pub url: String,
    /// `None`: no answer (not sent, or the connection dropped).
    pub status: Option<u16>,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// The stateless checks' failures.
    pub failures: Vec<Failure>,
    /// Why the flow cannot go on (the send guard refused, the target did not answer).
    pub stop: Option<Reason>,
    /// How reports show the step.
    pub shown: S,
}

/// Sends a flow's steps: the run's call path, or a test's.
pub trait Sender {
    type Shown: Clone;
    /// A valid input for operation `index` drawn from `seed`, or why there is none.
    fn generate(&self, index: usize, seed: u64) -> Result<RequestInput, String>;
    /// Sends `input` to operation `index`; `set` names the parameters the flow filled (no
    /// variable overrides them); `label` names the step for reports.
    fn send(
        &self,
        index: usize,
        input: RequestInput,
        set: &BTreeSet<String>,
        label: &str,
    ) -> impl Future<Output = Sent<Self::Shown>>;
}

/// A step of a driven flow, as reports show it.
#[derive(Debug, Clone)]
pub struct FlowStep<S> {
    /// `createPet`, `probe getPet`, `cleanup deletePet`.
    pub label: String,
    pub shown: S,
}

/// What one flow did.
#[derive(Debug, Clone)]
pub struct FlowRun<S> {
    pub steps: Vec<FlowStep<S>>,
    /// Each with the index of the step that shows it.
    pub failures: Vec<(usize, Failure)>,
    /// Why the walk ended before its plan did.
    pub stopped: Option<Reason>,
    /// How many of the walk's planned steps were sent.
    pub planned_sent: usize,
}

/// The path with its parameters filled (`/pets/{petId}` → `/pets/3`).
/// An optional header parameter that makes the request conditional (`If-…`).
fn is_optional_precondition(parameter: &Parameter) -> bool {
    parameter.location == ParamLocation::Header
        && !parameter.required
        && parameter.name.get(..3).is_some_and(|prefix| prefix.eq_ignore_ascii_case("if-"))
}

fn resource(operation: &Operation, input: &RequestInput) -> String {
    let mut path = operation.path.clone();
    for (name, value) in &input.path {
        path = path.replace(&format!("{{{name}}}"), &value.as_str().map_or_else(|| value.to_string(), str::to_owned));
    }
    path
}

struct Driver<'a, S: Sender> {
    sender: &'a S,
    spec: &'a Spec,
    graph: &'a Graph,
    seed: u64,
    records: Vec<Record>,
    run: FlowRun<S::Shown>,
    seen: BTreeMap<String, Value>,
    created: Vec<(usize, String)>,
    sent: usize,
}

impl<'a, S: Sender> Driver<'a, S> {
    /// Generates, fills and sends one call; `None` when the flow must stop.
    async fn call(
        &mut self,
        index: usize,
        label: String,
        fill: BTreeMap<(ParamLocation, String), Value>,
        body: Option<Value>,
    ) -> Option<usize> {
        let operation = &self.spec.operations[index];
        self.sent += 1;
        let mut input = match self.sender.generate(index, self.seed.wrapping_add(self.sent as u64)) {
            Ok(input) => input,
            Err(e) => {
                self.run.stopped = Some(Reason::new(ReasonKind::NoInput, format!("{label}: no valid input: {e}")));
                return None;
            }
        };
        // A step is about the resource's life, not its preconditions: an optional conditional
        // header (RFC 9110 §13.1: If-Match, If-None-Match, …) generated at random makes a valid
        // create answer 412 and ends the flow (seen on Kinto, whose every write takes If-Match).
        for parameter in operation.parameters.iter().filter(|p| is_optional_precondition(p)) {
            input.headers.remove(&parameter.name);
        }
        let mut set = BTreeSet::new();
        for parameter in operation.parameters.iter().filter(|p| p.location == ParamLocation::Path) {
            if let Some(value) = self.seen.get(&parameter.name) {
                input.path.insert(parameter.name.clone(), value.clone());
                set.insert(parameter.name.clone());
            }
        }
        for ((location, name), value) in fill {
            if location != ParamLocation::Cookie {
                input.slot_mut(location).insert(name.clone(), value);
                set.insert(name);
            }
        }
        if let Some(body) = body {
            input.body = Body::Json(body);
        }
        let sent = self.sender.send(index, input.clone(), &set, &label).await;
        for (name, value) in &input.path {
            self.seen.insert(name.clone(), value.clone());
        }
        let at = self.records.len();
        self.records.push(Record {
            operation: index,
            method: operation.method.clone(),
            resource: resource(operation, &input),
            url: sent.url,
            input,
            status: sent.status,
            headers: sent.headers,
            body: sent.body,
        });
        self.run.failures.extend(sent.failures.into_iter().map(|f| (at, f)));
        self.run.steps.push(FlowStep { label, shown: sent.shown });
        if let Some(stop) = sent.stop {
            self.run.stopped = Some(stop);
            return None;
        }
        Some(at)
    }

    /// The operations on the same path as `index` with method `method`.
    fn sibling(&self, index: usize, method: &str) -> Option<usize> {
        let path = &self.spec.operations[index].path;
        self.spec.operations.iter().position(|o| &o.path == path && o.method == method)
    }

    /// A probe on the resource of record `at` (same path parameters).
    async fn probe(&mut self, at: usize, method: &str, kind: &str) -> bool {
        let Some(index) = self.sibling(self.records[at].operation, method) else { return true };
        self.probe_path(index, self.records[at].input.path.clone(), kind).await
    }

    async fn probe_path(&mut self, index: usize, path: BTreeMap<String, Value>, kind: &str) -> bool {
        let fill = path.into_iter().map(|(k, v)| ((ParamLocation::Path, k), v)).collect();
        let label = format!("{kind} {}", self.spec.operations[index].id);
        self.call(index, label, fill, None).await.is_some()
    }

    /// After a creating answer: the created resource's path and parameter (from the graph's
    /// created-resource edges), its id remembered, and a read of it right away.
    async fn created(&mut self, at: usize) -> bool {
        let record = &self.records[at];
        if !(record.status == Some(201) || (record.method == "POST" && record.succeeded())) {
            return true;
        }
        let from = record.operation;
        let found = self.graph.from(from).find_map(|edge| {
            let created = matches!(edge.origin, EdgeOrigin::Inferred(Inference::Created));
            edge.bindings.iter().find_map(|b| match &b.value {
                BindingValue::Created { pointer } if created => {
                    Some((edge.to, b.parameter.clone(), created_id(pointer.as_deref(), record)?))
                }
                BindingValue::Link(value) if edge.follows(record.status.unwrap_or_default()) => {
                    let target = &self.spec.operations[edge.to];
                    let item = format!("{}/{{{}}}", self.spec.operations[from].path, b.parameter);
                    (target.path == item)
                        .then(|| Some((edge.to, b.parameter.clone(), link_value(value, record)?)))
                        .flatten()
                }
                _ => None,
            })
        });
        let Some((item, parameter, id)) = found else { return true };
        let mut path = self.records[at].input.path.clone();
        path.insert(parameter.clone(), id.clone());
        self.seen.insert(parameter, id);
        let resource =
            resource(&self.spec.operations[item], &RequestInput { path: path.clone(), ..RequestInput::default() });
        self.created.push((at, resource));
        match self.sibling(item, "GET") {
            Some(get) => self.probe_path(get, path, "probe").await,
            None => true,
        }
    }

    async fn walk(&mut self, walk: &Walk) {
        let mut last: Option<usize> = None;
        for (n, PlannedStep { operation, edge }) in walk.steps.iter().copied().enumerate() {
            let mut fill = BTreeMap::new();
            let mut body = None;
            if let (Some(edge), Some(previous)) = (edge.map(|e| &self.graph.edges[e]), last) {
                let record = &self.records[previous];
                if !edge.follows(record.status.unwrap_or_default()) {
                    let message = format!(
                        "step {}: {} answered {}, which the edge to {} does not follow",
                        n + 1,
                        self.spec.operations[record.operation].id,
                        record.status.map_or_else(|| "nothing".to_owned(), |s| s.to_string()),
                        self.spec.operations[operation].id
                    );
                    self.run.stopped = Some(Reason::new(ReasonKind::NoInput, message));
                    return;
                }
                for binding in &edge.bindings {
                    let value = match &binding.value {
                        BindingValue::Link(value) => link_value(value, record),
                        BindingValue::Created { pointer } => created_id(pointer.as_deref(), record),
                    };
                    // A request value a variable gave (the fixture's instance) is not in the
                    // input: the variable gives it again.
                    let from_variable = matches!(
                        &binding.value,
                        BindingValue::Link(LinkValue::Expression(RuntimeExpression::Request(_)))
                    );
                    if value.is_none() && from_variable {
                        continue;
                    }
                    let Some(value) = value else {
                        let message =
                            format!("step {}: no value for `{}` from the answer before", n + 1, binding.parameter);
                        self.run.stopped = Some(Reason::new(ReasonKind::NoInput, message));
                        return;
                    };
                    fill.insert((binding.location.unwrap_or(ParamLocation::Path), binding.parameter.clone()), value);
                }
                body = edge.request_body.as_ref().and_then(|b| link_value(b, record));
            }
            let label = self.spec.operations[operation].id.clone();
            let Some(at) = self.call(operation, label, fill, body).await else { return };
            self.run.planned_sent = n + 1;
            last = Some(at);
            let method = self.records[at].method.clone();
            let ok = self.records[at].succeeded();
            let go_on = match method.as_str() {
                "DELETE" if ok => self.probe(at, "GET", "probe").await && self.probe(at, "DELETE", "probe").await,
                "PUT" | "PATCH" if ok => self.probe(at, "GET", "probe").await,
                _ => self.created(at).await,
            };
            if !go_on {
                return;
            }
        }
    }

    /// Deletes what the flow created and did not delete, where a DELETE exists on its path.
    async fn clean_up(&mut self) {
        let created = self.created.clone();
        for (at, resource) in created {
            let deleted = self.records.iter().any(|r| r.resource == resource && r.method == "DELETE" && r.succeeded());
            if deleted {
                continue;
            }
            let Some(item) =
                self.records.iter().find(|r| r.resource == resource).map(|r| (r.operation, r.input.path.clone()))
            else {
                continue;
            };
            let _ = at;
            if let Some(delete) = self.sibling(item.0, "DELETE") {
                self.probe_path(delete, item.1, "cleanup").await;
            }
        }
    }
}

/// Runs `walk` over `spec` with `sender`: the steps, the probes, the cleanup (when `cleanup`),
/// and every failure, stateless and stateful.
pub async fn drive<S: Sender>(
    sender: &S,
    spec: &Spec,
    graph: &Graph,
    walk: &Walk,
    seed: u64,
    cleanup: bool,
) -> FlowRun<S::Shown> {
    let mut driver = Driver {
        sender,
        spec,
        graph,
        seed,
        records: Vec::new(),
        run: FlowRun { steps: Vec::new(), failures: Vec::new(), stopped: None, planned_sent: 0 },
        seen: BTreeMap::new(),
        created: Vec::new(),
        sent: 0,
    };
    driver.walk(walk).await;
    let judged = super::stateful::judge(&driver.records, &driver.created);
    driver.run.failures.extend(judged);
    driver.run.failures.sort_by_key(|(i, _)| *i);
    if cleanup && driver.run.stopped.is_none() {
        driver.clean_up().await;
    }
    driver.run
}

/// The shorter walks to try in place of a failing one: each prefix, shortest first, then the
/// walk without one middle step where an edge joins its neighbours.
pub fn smaller(walk: &Walk, graph: &Graph) -> Vec<Walk> {
    let steps = &walk.steps;
    let mut out: Vec<Walk> = (1..steps.len()).map(|n| Walk { steps: steps[..n].to_vec() }).collect();
    for drop in 1..steps.len().saturating_sub(1) {
        let (before, after) = (steps[drop - 1].operation, steps[drop + 1].operation);
        if let Some(edge) = graph.edges.iter().position(|e| e.from == before && e.to == after) {
            let mut shorter = steps.clone();
            shorter.remove(drop);
            shorter[drop].edge = Some(edge);
            out.push(Walk { steps: shorter });
        }
    }
    out
}

/// Runs `walk`, and when it fails, the smaller walks in turn until one fails the same rule
/// (repeated until none does): the smallest failing flow and how many walks were tried.
pub async fn drive_shrinking<S: Sender>(
    sender: &S,
    spec: &Spec,
    graph: &Graph,
    walk: &Walk,
    seed: u64,
    cleanup: bool,
) -> (FlowRun<S::Shown>, Walk, u32) {
    let mut best = drive(sender, spec, graph, walk, seed, cleanup).await;
    let mut current = walk.clone();
    let mut tried = 0;
    let Some(rule) = best.failures.first().map(|(_, f)| f.rule.clone()) else { return (best, current, 0) };
    'outer: loop {
        for candidate in smaller(&current, graph) {
            tried += 1;
            let run = drive(sender, spec, graph, &candidate, seed, cleanup).await;
            if run.failures.iter().any(|(_, f)| f.rule == rule) {
                best = run;
                current = candidate;
                continue 'outer;
            }
        }
        break;
    }
    (best, current, tried)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, required: bool) -> Parameter {
        Parameter {
            name: name.to_owned(),
            location: ParamLocation::Header,
            required,
            schema: serde_json::json!({"type": "string"}),
            example: None,
            collection_format: None,
        }
    }

    #[test]
    fn only_optional_conditional_headers_are_left_out_of_a_step() {
        assert!(is_optional_precondition(&header("If-Match", false)));
        assert!(is_optional_precondition(&header("if-none-match", false)));
        assert!(!is_optional_precondition(&header("If-Match", true)), "a required one is sent");
        assert!(!is_optional_precondition(&header("X-Trace", false)));
        assert!(!is_optional_precondition(&header("I", false)));
    }
}
