//! What a suite says, once read: named steps (calls, outbox reads, clock moves, sandbox
//! states), scenarios that chain them, declarative ordering rules that expand into scenarios,
//! and property scenarios whose inputs are generated. Values stay templates (`{{ name }}`) until
//! a scenario runs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::predicate::Predicate;
use crate::spec::Source;

/// One suite file.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    pub path: PathBuf,
    /// The suite's id: its file stem.
    pub id: String,
    /// The spec it tests, by id.
    pub spec: String,
    /// The source of assertions that name none.
    pub source: Source,
    /// Variable defaults: the lowest precedence, below `--var`, the fixture and captures.
    pub vars: BTreeMap<String, VarDefault>,
    pub steps: BTreeMap<String, Step>,
    pub scenarios: Vec<Scenario>,
}

/// A variable's default: a value (a template), or a fresh value drawn per scenario from a regex.
#[derive(Debug, Clone, PartialEq)]
pub enum VarDefault {
    Value(Value),
    Generate(String),
}

/// One step of a flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: String,
    pub action: Action,
    pub expect: Expect,
    /// Variable name → JSON pointer into the step's answer (a call's body, the outbox's list).
    pub capture: BTreeMap<String, String>,
    /// The JSON pointer of the step in its file, for messages.
    pub pointer: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Calls an operation; `with` maps parameter names and top-level body fields to templates.
    Call { operation: String, with: BTreeMap<String, Value> },
    /// Reads the sandbox outbox for a recipient (a template of its digits).
    Outbox { to: Value },
    /// Moves the target's clock (a template of seconds).
    Advance { seconds: Value },
    /// Puts the scenario's fixture into a named sandbox state.
    State { state: String, params: BTreeMap<String, Value> },
}

/// What a step's answer must show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expect {
    pub outcome: Option<Acceptance>,
    /// Exact statuses (any of them).
    pub status: Vec<u16>,
    /// JSON pointer into the answer → predicate.
    pub body: Vec<(String, Predicate)>,
    /// The source of these assertions when it differs from the suite's.
    pub source: Option<Source>,
}

/// "Must succeed" or "must not succeed" (`contract.md` §1: a status >= 400, or a 2xx whose
/// body says `"success": false`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    Succeeds,
    Refused,
}

/// A flow to run: a scenario written out, or one a rule or property expands into.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    /// The rule it proves: `single-use`, `requires`, …; `scenario` for a plain flow.
    pub rule: String,
    pub source: Source,
    pub steps: Vec<FlowStep>,
    /// A property scenario's input: a JSON Schema its variables are generated from.
    pub given: Option<Value>,
    pub pointer: String,
}

/// One step in a flow: a named step, perhaps with its expectation replaced and variables set.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowStep {
    pub step: String,
    /// Replaces the step's own expectation (a rule's "must not succeed").
    pub expect: Option<Expect>,
    /// Variables set for this step only (`same-subject`'s other data).
    pub vars: BTreeMap<String, Value>,
}

impl FlowStep {
    pub fn plain(step: &str) -> Self {
        FlowStep { step: step.to_owned(), expect: None, vars: BTreeMap::new() }
    }
}

/// The declarative rule kinds. Each expands into a scenario: a flow whose steps must succeed,
/// then the step that must not.
pub const RULE_KINDS: &[&str] = &[
    "requires",
    "same-subject",
    "single-use",
    "expires-after",
    "precondition-status",
    "supersedes",
    "attempt-limit",
    "wait-window",
];
