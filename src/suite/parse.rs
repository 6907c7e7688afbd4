//! Reading a suite file and checking it against its spec. Every fault is a [`Diagnostic`] with
//! the file, line, column and JSON pointer: an unknown operationId, step or variable, a bad
//! predicate, a capture that matches nothing in the spec's response schema. A suite with any
//! fault is refused whole.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::model::{Acceptance, Action, Expect, FlowStep, RULE_KINDS, Scenario, Step, Suite, VarDefault};
use super::predicate::Predicate;
use super::template;
use crate::spec::{Diagnostic, Level, Operation, Source, Spec, locate};

/// The fields of an outbox message (`contract.md` §6), which an outbox capture may read.
const OUTBOX_FIELDS: &[&str] = &["to", "channel", "code", "text", "sent_at"];

/// Collects faults with their places.
struct Faults<'a> {
    path: &'a Path,
    text: &'a str,
    found: Vec<Diagnostic>,
}

impl Faults<'_> {
    fn add(&mut self, pointer: &str, message: impl Into<String>) {
        let (line, column) = locate(self.text, pointer).unwrap_or((1, 1));
        self.found.push(Diagnostic {
            path: self.path.to_owned(),
            line,
            column,
            pointer: Some(pointer.to_owned()),
            message: message.into(),
            level: Default::default(),
        });
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Reads and checks the suite at `path` (its text `text`) against `specs`.
pub fn parse_suite(path: &Path, text: &str, specs: &[Spec]) -> Result<Suite, Vec<Diagnostic>> {
    let mut faults = Faults { path, text, found: Vec::new() };
    let document: Value = match serde_yaml::from_str(text) {
        Ok(document) => document,
        Err(e) => {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = format!("invalid YAML: {e}");
            return Err(vec![Diagnostic {
                path: path.to_owned(),
                line,
                column,
                pointer: None,
                message,
                level: Default::default(),
            }]);
        }
    };
    let Some(root) = document.as_object() else {
        faults.add("#", "a suite is a mapping with `spec`, `steps` and `scenarios`, `rules` or `properties`");
        return Err(faults.found);
    };
    for key in root.keys() {
        if !["spec", "source", "vars", "steps", "scenarios", "rules", "properties"].contains(&key.as_str()) {
            faults.add(&format!("#/{}", escape(key)), format!("unknown key `{key}`"));
        }
    }
    let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let spec_id = root.get("spec").and_then(Value::as_str).unwrap_or_default().to_owned();
    let Some(spec) = specs.iter().find(|s| s.id == spec_id) else {
        let known: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
        faults.add("#/spec", format!("`spec: {spec_id}` names no loaded spec (loaded: {})", known.join(", ")));
        return Err(faults.found);
    };
    let source = match root.get("source") {
        Some(value) => read_source(value, "#/source", &mut faults),
        None => None,
    }
    .unwrap_or_else(|| Source::new(Level::Profile, format!("suite {}", path.display())));

    let mut vars = BTreeMap::new();
    for (name, value) in root.get("vars").and_then(Value::as_object).into_iter().flatten() {
        let default = match value.get("generate").and_then(Value::as_str) {
            Some(regex) => VarDefault::Generate(regex.to_owned()),
            None => VarDefault::Value(value.clone()),
        };
        vars.insert(name.clone(), default);
    }

    let mut steps = BTreeMap::new();
    for (name, value) in root.get("steps").and_then(Value::as_object).into_iter().flatten() {
        let pointer = format!("#/steps/{}", escape(name));
        if let Some(step) = step(name, value, &pointer, spec, &mut faults) {
            steps.insert(name.clone(), step);
        }
    }

    let mut scenarios = Vec::new();
    for (name, value) in root.get("scenarios").and_then(Value::as_object).into_iter().flatten() {
        let pointer = format!("#/scenarios/{}", escape(name));
        let flow = flow(value.get("steps"), &format!("{pointer}/steps"), &steps, &mut faults);
        let own = value.get("source").and_then(|s| read_source(s, &format!("{pointer}/source"), &mut faults));
        scenarios.push(Scenario {
            name: name.clone(),
            rule: "scenario".to_owned(),
            source: own.unwrap_or_else(|| source.clone()),
            steps: flow,
            given: None,
            pointer,
        });
    }
    for (name, value) in root.get("rules").and_then(Value::as_object).into_iter().flatten() {
        let pointer = format!("#/rules/{}", escape(name));
        if let Some(scenario) = rule(name, value, &pointer, &mut steps, &mut faults) {
            scenarios.push(scenario);
        }
    }
    for (name, value) in root.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let pointer = format!("#/properties/{}", escape(name));
        let given = value.get("given").cloned();
        match &given {
            Some(Value::Object(_)) => {
                if let Err(e) = jsonschema::draft202012::options().build(given.as_ref().expect("matched")) {
                    faults.add(&format!("{pointer}/given"), format!("`given` is not a valid JSON Schema: {e}"));
                }
            }
            _ => {
                faults.add(&format!("{pointer}/given"), "`given` is required: a JSON Schema of the generated variables")
            }
        }
        let own = value.get("source").and_then(|s| read_source(s, &format!("{pointer}/source"), &mut faults));
        scenarios.push(Scenario {
            name: name.clone(),
            rule: "property".to_owned(),
            source: own.unwrap_or_else(|| source.clone()),
            steps: flow(value.get("flow"), &format!("{pointer}/flow"), &steps, &mut faults),
            given,
            pointer,
        });
    }
    if scenarios.is_empty() && faults.found.is_empty() {
        faults.add("#", "the suite has no scenarios, rules or properties");
    }
    let suite = Suite { path: path.to_owned(), id, spec: spec_id, source, vars, steps, scenarios };
    check_variables(&suite, spec, &mut faults);
    if faults.found.is_empty() { Ok(suite) } else { Err(faults.found) }
}

fn read_source(value: &Value, pointer: &str, faults: &mut Faults<'_>) -> Option<Source> {
    let level = value.get("level").and_then(Value::as_str).and_then(Level::parse);
    let cite = value.get("cite").and_then(Value::as_str).filter(|c| !c.trim().is_empty());
    match (level, cite) {
        (Some(level), Some(cite)) => Some(Source::new(level, cite)),
        _ => {
            faults.add(pointer, "a source is {level: doc|seed|field|profile, cite: \"where it is written\"}");
            None
        }
    }
}

fn step(name: &str, value: &Value, pointer: &str, spec: &Spec, faults: &mut Faults<'_>) -> Option<Step> {
    let Some(object) = value.as_object() else {
        faults.add(pointer, "a step is a mapping with `call`, `outbox`, `advance` or `state`");
        return None;
    };
    let actions: Vec<&str> =
        ["call", "outbox", "advance", "state"].into_iter().filter(|k| object.contains_key(*k)).collect();
    if actions.len() != 1 {
        faults.add(pointer, "a step has exactly one of `call`, `outbox`, `advance` or `state`");
        return None;
    }
    for key in object.keys() {
        if !["call", "outbox", "advance", "state", "with", "params", "expect", "capture"].contains(&key.as_str()) {
            faults.add(&format!("{pointer}/{}", escape(key)), format!("unknown key `{key}` in a step"));
        }
    }
    let mut operation = None;
    let action = match actions[0] {
        "call" => {
            let id = object["call"].as_str().unwrap_or_default();
            let Some(found) = spec.operations.iter().find(|o| o.id == id) else {
                let known: Vec<&str> = spec.operations.iter().map(|o| o.id.as_str()).collect();
                faults.add(
                    &format!("{pointer}/call"),
                    format!("unknown operationId `{id}` in spec `{}`; it has: {}", spec.id, known.join(", ")),
                );
                return None;
            };
            operation = Some(found);
            let with: BTreeMap<String, Value> = object
                .get("with")
                .and_then(Value::as_object)
                .map(|m| m.clone().into_iter().collect())
                .unwrap_or_default();
            for key in with.keys() {
                if !takes(found, key) {
                    faults.add(
                        &format!("{pointer}/with/{}", escape(key)),
                        format!("`{key}` is neither a parameter nor a body field of `{id}`"),
                    );
                }
            }
            Action::Call { operation: id.to_owned(), with }
        }
        "outbox" => Action::Outbox { to: object["outbox"].clone() },
        "advance" => Action::Advance { seconds: object["advance"].clone() },
        _ => {
            let state = object["state"].as_str().unwrap_or_default().to_owned();
            if spec.sandbox.is_none() {
                faults.add(&format!("{pointer}/state"), format!("spec `{}` has no x-conform-sandbox", spec.id));
            }
            let params = object
                .get("params")
                .and_then(Value::as_object)
                .map(|m| m.clone().into_iter().collect())
                .unwrap_or_default();
            Action::State { state, params }
        }
    };
    let expect = match object.get("expect") {
        Some(value) => expect(value, &format!("{pointer}/expect"), faults),
        None => Expect::default(),
    };
    let mut capture = BTreeMap::new();
    for (variable, at) in object.get("capture").and_then(Value::as_object).into_iter().flatten() {
        let here = format!("{pointer}/capture/{}", escape(variable));
        let Some(at) = at.as_str().filter(|p| p.is_empty() || p.starts_with('/')) else {
            faults.add(&here, "a capture is a JSON pointer such as /data/code");
            continue;
        };
        let known = match (&action, operation) {
            (Action::Call { .. }, Some(operation)) => captures_something(operation, at),
            (Action::Outbox { .. }, _) => {
                let parts: Vec<&str> = at.split('/').skip(1).collect();
                parts.len() == 2 && parts[0].parse::<usize>().is_ok() && OUTBOX_FIELDS.contains(&parts[1])
            }
            _ => false,
        };
        if !known {
            faults.add(&here, format!("`{at}` matches nothing in the answer's schema"));
        }
        capture.insert(variable.clone(), at.to_owned());
    }
    Some(Step { name: name.to_owned(), action, expect, capture, pointer: pointer.to_owned() })
}

/// Whether an operation takes `name` as a parameter or a top-level body field.
fn takes(operation: &Operation, name: &str) -> bool {
    operation.parameters.iter().any(|p| p.name == name)
        || operation.body.as_ref().and_then(|b| b.json()).is_some_and(|(_, schema)| schema_has(schema, &[name]))
}

/// Whether the documented answers of `operation` have something at `pointer`.
fn captures_something(operation: &Operation, pointer: &str) -> bool {
    let segments: Vec<String> = pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    operation
        .responses
        .iter()
        .flat_map(|r| r.content.iter())
        .filter_map(|(_, s)| s.as_ref())
        .any(|s| schema_has(s, &segments))
}

/// Whether a schema describes something at the path `segments` (through properties, items and
/// the combinators). A schema that does not close its properties accepts any name.
fn schema_has(schema: &Value, segments: &[&str]) -> bool {
    let Some((first, rest)) = segments.split_first() else { return true };
    let expanded = crate::spec::expand(schema);
    let Some(object) = expanded.as_object() else { return schema == &Value::Bool(true) };
    let combined = ["allOf", "anyOf", "oneOf"]
        .iter()
        .filter_map(|k| object.get(*k).and_then(Value::as_array))
        .flatten()
        .any(|branch| schema_has(branch, segments));
    if combined {
        return true;
    }
    if let Some(property) = object.get("properties").and_then(|p| p.get(*first)) {
        return schema_has(property, rest);
    }
    if first.parse::<usize>().is_ok()
        && let Some(items) = object.get("items")
    {
        return schema_has(items, rest);
    }
    false
}

fn expect(value: &Value, pointer: &str, faults: &mut Faults<'_>) -> Expect {
    let mut out = Expect::default();
    let Some(object) = value.as_object() else {
        faults.add(pointer, "`expect` is a mapping: outcome, status, source, and JSON pointers to predicates");
        return out;
    };
    for (key, operand) in object {
        let here = format!("{pointer}/{}", escape(key));
        match key.as_str() {
            "outcome" => match operand.as_str() {
                Some("succeeds") => out.outcome = Some(Acceptance::Succeeds),
                Some("refused") => out.outcome = Some(Acceptance::Refused),
                _ => faults.add(&here, "`outcome` is `succeeds` or `refused`"),
            },
            "status" => {
                let statuses: Option<Vec<u16>> = match operand {
                    Value::Array(items) => items.iter().map(status_code).collect(),
                    single => status_code(single).map(|s| vec![s]),
                };
                match statuses {
                    Some(statuses) => out.status = statuses,
                    None => faults.add(&here, "`status` is a status code from 100 to 599, or a list of them"),
                }
            }
            "source" => out.source = read_source(operand, &here, faults),
            // `""` is the whole answer (an outbox's list, for `includes`).
            pointer if pointer.is_empty() || pointer.starts_with('/') => match Predicate::parse(operand) {
                Ok(predicate) => out.body.push((pointer.to_owned(), predicate)),
                Err(message) => faults.add(&here, message),
            },
            other => faults.add(&here, format!("`{other}` is not an expectation; body assertions start with `/`")),
        }
    }
    out
}

fn status_code(value: &Value) -> Option<u16> {
    value.as_u64().and_then(|s| u16::try_from(s).ok()).filter(|s| (100..=599).contains(s))
}

/// A list of step names.
fn flow(
    value: Option<&Value>,
    pointer: &str,
    steps: &BTreeMap<String, Step>,
    faults: &mut Faults<'_>,
) -> Vec<FlowStep> {
    let Some(items) = value.and_then(Value::as_array) else {
        faults.add(pointer, "a flow is a list of step names");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(name) if steps.contains_key(name) => out.push(FlowStep::plain(name)),
            _ => {
                let known: Vec<&str> = steps.keys().map(String::as_str).collect();
                faults.add(
                    &format!("{pointer}/{i}"),
                    format!("unknown step {item}; the steps are: {}", known.join(", ")),
                );
            }
        }
    }
    out
}

/// Expands a declarative rule into its scenario: the flow must succeed, then (after moving the
/// clock, or after repeated wrong attempts) the `then` step must not.
fn rule(
    name: &str,
    value: &Value,
    pointer: &str,
    steps: &mut BTreeMap<String, Step>,
    faults: &mut Faults<'_>,
) -> Option<Scenario> {
    let object = value.as_object().cloned().unwrap_or_default();
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or_default().to_owned();
    if !RULE_KINDS.contains(&kind.as_str()) {
        faults.add(
            &format!("{pointer}/kind"),
            format!("unknown rule kind `{kind}`; the kinds are: {}", RULE_KINDS.join(", ")),
        );
        return None;
    }
    for key in object.keys() {
        if !["kind", "source", "flow", "then", "advance", "repeat", "times", "vars", "expect"].contains(&key.as_str()) {
            faults.add(&format!("{pointer}/{}", escape(key)), format!("unknown key `{key}` in a rule"));
        }
    }
    let Some(source) = object.get("source").and_then(|s| read_source(s, &format!("{pointer}/source"), faults)) else {
        if !object.contains_key("source") {
            faults.add(pointer, "a rule names its source: {level: doc|seed|field|profile, cite: ...}");
        }
        return None;
    };
    let mut flow_steps = match object.get("flow") {
        Some(value) => flow(Some(value), &format!("{pointer}/flow"), steps, faults),
        None => Vec::new(),
    };
    let needs = |key: &str| match kind.as_str() {
        "expires-after" => key == "advance",
        "attempt-limit" => key == "repeat" || key == "times",
        "same-subject" => key == "vars",
        _ => false,
    };
    for key in ["advance", "repeat", "times", "vars"] {
        if needs(key) && !object.contains_key(key) {
            faults.add(pointer, format!("a `{kind}` rule needs `{key}`"));
        }
    }
    let refused = |extra: Option<&Value>, faults: &mut Faults<'_>| {
        let mut expect = match extra {
            Some(value) => expect(value, &format!("{pointer}/expect"), faults),
            None => Expect::default(),
        };
        expect.outcome = Some(Acceptance::Refused);
        expect
    };
    if let Some(seconds) = object.get("advance") {
        let step_name = format!("advance {}", seconds.as_str().map_or_else(|| seconds.to_string(), str::to_owned));
        steps.entry(step_name.clone()).or_insert_with(|| Step {
            name: step_name.clone(),
            action: Action::Advance { seconds: seconds.clone() },
            expect: Expect::default(),
            capture: BTreeMap::new(),
            pointer: format!("{pointer}/advance"),
        });
        flow_steps.push(FlowStep::plain(&step_name));
    }
    if let Some(repeat) = object.get("repeat") {
        let times = object.get("times").and_then(Value::as_u64).filter(|t| (1..=100).contains(t));
        match (repeat.as_str().filter(|r| steps.contains_key(*r)), times) {
            (Some(repeat), Some(times)) => {
                for _ in 0..times {
                    flow_steps.push(FlowStep { expect: Some(refused(None, faults)), ..FlowStep::plain(repeat) });
                }
            }
            (None, _) => faults.add(&format!("{pointer}/repeat"), "`repeat` names a step of this suite"),
            (_, None) => faults.add(&format!("{pointer}/times"), "`times` is a number from 1 to 100"),
        }
    }
    let then = object.get("then").and_then(Value::as_str).filter(|t| steps.contains_key(*t));
    let Some(then) = then else {
        faults.add(&format!("{pointer}/then"), "`then` names the step that must not succeed");
        return None;
    };
    let vars: BTreeMap<String, Value> =
        object.get("vars").and_then(Value::as_object).map(|m| m.clone().into_iter().collect()).unwrap_or_default();
    flow_steps.push(FlowStep { step: then.to_owned(), expect: Some(refused(object.get("expect"), faults)), vars });
    Some(Scenario {
        name: name.to_owned(),
        rule: kind,
        source,
        steps: flow_steps,
        given: None,
        pointer: pointer.to_owned(),
    })
}

/// Every template names a variable that can have a value: a suite default, a variable of the
/// spec (parameters, credentials, fixture params), a property's generated input, or a capture.
fn check_variables(suite: &Suite, spec: &Spec, faults: &mut Faults<'_>) {
    let mut known: BTreeSet<String> = suite.vars.keys().cloned().collect();
    for operation in &spec.operations {
        known.extend(operation.parameters.iter().map(|p| p.name.clone()));
        known.extend(operation.credentials.iter().map(|c| c.variable.clone()));
    }
    if let Some(fixture) = &spec.sandbox {
        known.extend(fixture.variables().map(str::to_owned));
    }
    for step in suite.steps.values() {
        known.extend(step.capture.keys().cloned());
    }
    for scenario in &suite.scenarios {
        if let Some(properties) = scenario.given.as_ref().and_then(|g| g.get("properties")).and_then(Value::as_object) {
            known.extend(properties.keys().cloned());
        }
    }
    let mut check = |value: &Value, pointer: &str| {
        for name in template::names_in(value) {
            if !known.contains(&name) {
                faults.add(pointer, format!("unknown variable `{name}`"));
            }
        }
        for problem in template::bad_filters(value) {
            faults.add(pointer, problem);
        }
    };
    for (name, default) in &suite.vars {
        if let VarDefault::Value(value) = default {
            check(value, &format!("#/vars/{}", escape(name)));
        }
    }
    for step in suite.steps.values() {
        match &step.action {
            Action::Call { with, .. } => {
                for (key, value) in with {
                    check(value, &format!("{}/with/{}", step.pointer, escape(key)));
                }
            }
            Action::Outbox { to } => check(to, &format!("{}/outbox", step.pointer)),
            Action::Advance { seconds } => check(seconds, &step.pointer),
            Action::State { params, .. } => {
                for (key, value) in params {
                    check(value, &format!("{}/params/{}", step.pointer, escape(key)));
                }
            }
        }
        for (at, predicate) in &step.expect.body {
            let operands = predicate_operands(predicate);
            check(&operands, &format!("{}/expect/{}", step.pointer, escape(at)));
        }
    }
}

fn predicate_operands(predicate: &Predicate) -> Value {
    let all =
        |checks: &[(String, Predicate)]| Value::Array(checks.iter().map(|(_, p)| predicate_operands(p)).collect());
    match predicate {
        Predicate::Equals(v)
        | Predicate::Differs(v)
        | Predicate::Length(v)
        | Predicate::Less(v)
        | Predicate::Greater(v) => v.clone(),
        Predicate::Matches(text) | Predicate::Time(text) | Predicate::Contains(text) => Value::String(text.clone()),
        Predicate::AnyOf(options) | Predicate::AllOf(options) => {
            Value::Array(options.iter().map(predicate_operands).collect())
        }
        Predicate::Base64Json(checks) | Predicate::UrlQuery(checks) => all(checks),
        Predicate::Includes(patterns) => Value::Array(patterns.iter().map(|p| all(p)).collect()),
        Predicate::OneOf(options) => Value::Array(options.clone()),
        Predicate::Exists(_) | Predicate::Type(_) => Value::Null,
        Predicate::Charset { letters, digits, upper } => {
            Value::Array(vec![letters.clone(), digits.clone(), upper.clone()])
        }
    }
}
