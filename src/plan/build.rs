//! Building the plan from the loaded specs.

use std::cell::Cell;
use std::collections::{BTreeSet, HashSet};

use super::coverage::coverage_cases;
use super::phases::Phases;
use super::seed::case_seed;
use super::shard::Shard;
use crate::case::{
    Case, CaseId, CaseKind, Constraint, Mutation, MutationKind, Place, Probe, Recipe, Target, constraints,
    filled_by_variable,
};
use crate::spec::{BodyEncoding, Operation, ParamLocation, RecipientPart, Spec};

/// Methods probed for 405 on every path that does not document them.
const PROBED_METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "PATCH"];
/// The media type sent in place of JSON by the wrong-Content-Type probe.
const WRONG_MEDIA_TYPE: &str = "text/plain";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Positive cases per operation.
    pub cases: usize,
    pub seed: u64,
    /// `--shard I/N`: keep only this part of the plan.
    pub shard: Option<Shard>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self { cases: 10, seed: 0, shard: None }
    }
}

/// Every case of a run, in a stable order. The plan does not hold a [`Case`] per case: a
/// positive case (`--cases N` per operation, nearly all of a long run) is a small entry, and
/// [`Plan::case`] makes the case again when the runner is ready to send it, with the id and seed
/// [`plan`] gave it. The other cases (examples, negatives, probes) are as many as the specs say,
/// whatever `--cases`, and are kept whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub seed: u64,
    entries: Vec<Entry>,
    /// The cases that are not positive, in plan order.
    stored: Vec<Case>,
    /// Every operation of the plan: where it is, and its names for the ids of its positive cases.
    operations: Vec<PlannedOperation>,
    /// `--shard I/N`: the part of the whole plan this plan keeps.
    shard: Option<Shard>,
    /// Under a shard, each kept case's place in the whole plan (empty otherwise: the same as its
    /// index).
    positions: Vec<usize>,
    /// How many cases the whole plan had so far, kept or not.
    whole: usize,
}

/// One case of the plan, as little as it takes to make it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// The `n`th positive case of `operations[operation]`.
    Positive { operation: u32, n: u32 },
    /// `stored[index]`.
    Stored(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct PlannedOperation {
    spec: usize,
    operation: usize,
    spec_id: String,
    operation_id: String,
}

impl Plan {
    /// How many cases the plan has.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The case's place in the whole plan: its index, unless `--shard` cut the plan.
    pub fn position(&self, index: usize) -> usize {
        self.positions.get(index).copied().unwrap_or(index)
    }

    /// The case at `index` (the same id and seed every time it is asked for).
    pub fn case(&self, index: usize) -> Case {
        match self.entries[index] {
            Entry::Stored(at) => self.stored[at as usize].clone(),
            Entry::Positive { operation, n } => {
                let planned = &self.operations[operation as usize];
                let (spec, operation) = (planned.spec, planned.operation);
                let id = [planned.spec_id.as_str(), planned.operation_id.as_str()];
                make_case(id, (spec, operation), &n.to_string(), CaseKind::Positive, Recipe::Valid, self.seed)
            }
        }
    }

    /// The spec and operation (indices) of the case at `index`, without making the case.
    pub fn site(&self, index: usize) -> (usize, usize) {
        match self.entries[index] {
            Entry::Stored(at) => {
                let case = &self.stored[at as usize];
                (case.spec, case.operation)
            }
            Entry::Positive { operation, .. } => {
                let planned = &self.operations[operation as usize];
                (planned.spec, planned.operation)
            }
        }
    }

    /// Every case, in plan order, each made as it is reached.
    pub fn cases(&self) -> impl Iterator<Item = Case> + '_ {
        (0..self.len()).map(|index| self.case(index))
    }

    /// Adds a case at the end of the plan. Every planned case comes through here, in plan order:
    /// this is the one place where a run's cases can be chosen by id. `positive` is the number of
    /// a positive case of `operations[operation]`, which the plan makes again rather than keeps.
    fn add(&mut self, case: Case, operation: usize, positive: Option<u32>) {
        // `--shard I/N`, the one place a plan is cut: a case keeps its id and seed (so the same
        // request as in the whole run) and its place in the whole plan.
        let position = self.whole;
        self.whole += 1;
        if let Some(shard) = self.shard {
            if !shard.keeps(case.id.as_str()) {
                return;
            }
            self.positions.push(position);
        }
        let entry = match positive {
            Some(n) => Entry::Positive { operation: operation as u32, n },
            None => {
                self.stored.push(case);
                Entry::Stored((self.stored.len() - 1) as u32)
            }
        };
        self.entries.push(entry);
    }
}

/// A case as the plan makes it: its id from the spec's and operation's ids, the kind and the
/// detail; its seed from the run's seed and that id.
fn make_case(ids: [&str; 2], at: (usize, usize), detail: &str, kind: CaseKind, recipe: Recipe, run_seed: u64) -> Case {
    let id = CaseId::new(&[ids[0], ids[1], kind.label(), detail]);
    // An example's seed does not follow the run's, so that its fixture and anything generated
    // around it are the same in every run: its answer is snapshotted.
    let run_seed = if matches!(kind, CaseKind::Example { .. }) { 0 } else { run_seed };
    let seed = case_seed(run_seed, id.as_str());
    Case { id, spec: at.0, operation: at.1, kind, recipe, seed, coverage: false }
}

/// Builds the plan with every phase. `variables[i]` are the variable names that have values for
/// `specs[i]`: the parameters they fill are neither generated nor mutated.
pub fn plan(specs: &[Spec], variables: &[BTreeSet<String>], options: &PlanOptions) -> Plan {
    plan_phases(specs, variables, options, Phases::ALL)
}

/// Builds the plan with the `phases` chosen (`--phases`).
pub fn plan_phases(specs: &[Spec], variables: &[BTreeSet<String>], options: &PlanOptions, phases: Phases) -> Plan {
    let mut plan = Plan {
        seed: options.seed,
        entries: Vec::new(),
        stored: Vec::new(),
        operations: Vec::new(),
        shard: options.shard,
        positions: Vec::new(),
        whole: 0,
    };
    for (s, spec) in specs.iter().enumerate() {
        let empty = BTreeSet::new();
        let names = variables.get(s).unwrap_or(&empty);
        let mut probed_paths = HashSet::new();
        for (o, operation) in spec.operations.iter().enumerate() {
            let planned = plan.operations.len();
            plan.operations.push(PlannedOperation {
                spec: s,
                operation: o,
                spec_id: spec.id.clone(),
                operation_id: operation.id.clone(),
            });
            let ids = [spec.id.as_str(), operation.id.as_str()];
            let positives = if phases.fuzzing { options.cases } else { 0 };
            for n in 0..positives {
                let n = u32::try_from(n).expect("fewer than 2^32 cases per operation");
                let case = make_case(ids, (s, o), &n.to_string(), CaseKind::Positive, Recipe::Valid, options.seed);
                plan.add(case, planned, Some(n));
            }
            // Whether the cases pushed now are the coverage phase's (its cases come last).
            let coverage = Cell::new(false);
            let mut push = |detail: String, kind: CaseKind, recipe: Recipe| {
                let case =
                    Case { coverage: coverage.get(), ..make_case(ids, (s, o), &detail, kind, recipe, options.seed) };
                plan.add(case, planned, None);
            };
            // The examples phase: each request example once.
            let examples = operation.body.iter().flat_map(|b| &b.examples).filter(|_| phases.examples);
            for (index, (name, _)) in examples.enumerate() {
                push(name.clone(), CaseKind::Example { name: name.clone() }, Recipe::Example(Some(index)));
            }
            // (issue 25) Parameters' examples travel with the body's; an operation without body
            // examples sends its parameters' examples once, with a generated body.
            let body_examples = operation.body.as_ref().is_some_and(|b| !b.examples.is_empty());
            // A parameter a sandbox fixture fills is not the operation's example to send.
            let fixture = |name: &str| spec.sandbox.as_ref().is_some_and(|f| f.variables().any(|v| v == name));
            let parameter_examples = operation.parameters.iter().any(|p| {
                p.example.is_some()
                    && !names.contains(&p.name)
                    && !fixture(&p.name)
                    && p.location != ParamLocation::Cookie
            });
            if phases.examples && !body_examples && parameter_examples {
                let name = "parameters".to_owned();
                push(name.clone(), CaseKind::Example { name }, Recipe::Example(None));
            }
            let negatives = negative_constraints(operation, names);
            for (place, constraint) in negatives.iter().filter(|_| phases.fuzzing).cloned() {
                let target = match &place {
                    Place::Body => Target::Body(constraint.pointer.clone()),
                    Place::Parameter(ParamLocation::Query, name) => Target::Query(name.clone()),
                    Place::Parameter(ParamLocation::Path, name) => Target::Path(name.clone()),
                    Place::Parameter(_, name) => Target::Header(name.clone()),
                };
                let detail = match &place {
                    Place::Body => constraint.slug(),
                    Place::Parameter(location, name) => {
                        let inner = constraint.slug();
                        let inner = inner.strip_prefix("body").unwrap_or(&inner);
                        format!("{}.{name}{inner}", location.as_str())
                    }
                };
                let mutation = Mutation {
                    kind: constraint.kind,
                    target,
                    constraint: constraint.description.clone(),
                    source: constraint.source.clone(),
                };
                push(detail, CaseKind::Negative(mutation), Recipe::Mutated { place, constraint });
            }
            for (index, either) in operation.either.iter().enumerate() {
                let fixed = either.places.iter().any(|p| filled_by_variable(operation, p, names));
                if !either.required || fixed || !phases.fuzzing {
                    continue;
                }
                let places: Vec<String> = either.places.iter().map(RecipientPart::to_string).collect();
                let mutation = Mutation {
                    kind: MutationKind::MissingRequired,
                    target: target_of(&either.places[0]),
                    constraint: format!("`{}` is required in one of: {}", either.name, places.join(", ")),
                    source: either.source.clone(),
                };
                let detail = format!("{}-missing-everywhere", either.name);
                push(detail, CaseKind::Negative(mutation), Recipe::MissingEverywhere(index));
            }
            let takes_json = operation.body.as_ref().and_then(|b| b.json()).is_some();
            if takes_json && phases.fuzzing {
                let mutation = Mutation {
                    kind: MutationKind::MalformedJson,
                    target: Target::Body(String::new()),
                    constraint: "must be JSON".to_owned(),
                    source: None,
                };
                push("malformed-json".to_owned(), CaseKind::Negative(mutation), Recipe::Malformed);
            }
            let mut probes = Vec::new();
            if probed_paths.insert(operation.path.clone()) {
                for method in PROBED_METHODS.iter().filter(|m| !operation.path_methods.iter().any(|d| d == *m)) {
                    probes.push(Probe::UndocumentedMethod { method: (*method).to_owned() });
                }
            }
            if takes_json {
                probes.push(Probe::MissingContentType);
                probes.push(Probe::WrongContentType { content_type: WRONG_MEDIA_TYPE.to_owned() });
            }
            for credential in &operation.credentials {
                probes.push(Probe::MissingCredential { scheme: credential.scheme.clone() });
                probes.push(Probe::WrongCredential { scheme: credential.scheme.clone() });
            }
            for probe in probes.into_iter().filter(|_| phases.coverage) {
                push(probe.slug(), CaseKind::Protocol(probe), Recipe::Valid);
            }
            // (issue 25) The coverage phase: edge values, header bytes and hostile bodies.
            if phases.coverage {
                coverage.set(true);
                let repeated = repeated_pointers(operation, names);
                let within =
                    |pointer: &str| repeated.iter().any(|r| pointer == r || pointer.starts_with(&format!("{r}/")));
                for (detail, kind, recipe) in coverage_cases(operation, names, &negatives, &within) {
                    push(detail, kind, recipe);
                }
            }
        }
    }
    plan
}

/// Where a place is, as a mutation's target.
fn target_of(place: &RecipientPart) -> Target {
    match place {
        RecipientPart::Body(pointer) => Target::Body(pointer.clone()),
        RecipientPart::Parameter(ParamLocation::Query, name) => Target::Query(name.clone()),
        RecipientPart::Parameter(ParamLocation::Path, name) => Target::Path(name.clone()),
        RecipientPart::Parameter(_, name) => Target::Header(name.clone()),
    }
}

/// The body pointers that only repeat a value a variable fills elsewhere
/// (`x-conform-either-place`): not generated, so neither broken nor edged.
fn repeated_pointers(operation: &Operation, variables: &BTreeSet<String>) -> Vec<String> {
    operation
        .either
        .iter()
        .filter(|e| e.places.iter().any(|p| filled_by_variable(operation, p, variables)))
        .flat_map(|e| e.places.iter())
        .filter_map(|p| match p {
            RecipientPart::Body(pointer) => Some(pointer.clone()),
            RecipientPart::Parameter(..) => None,
        })
        .collect()
}

/// The constraints a negative case can break: the JSON body's, then each generated parameter's.
/// A body field that only repeats a value a variable fills elsewhere (`x-conform-either-place`)
/// is not generated, so it is not broken either.
fn negative_constraints(operation: &Operation, variables: &BTreeSet<String>) -> Vec<(Place, Constraint)> {
    let mut out = Vec::new();
    let repeated = repeated_pointers(operation, variables);
    let within = |pointer: &str| repeated.iter().any(|r| pointer == r || pointer.starts_with(&format!("{r}/")));
    if let Some((_, schema, encoding)) = operation.body.as_ref().and_then(|b| b.generated()) {
        for constraint in constraints(schema).into_iter().filter(|c| !within(&c.pointer)) {
            // A form field travels as text: `12345` in place of a string is still a string.
            let textual = encoding != BodyEncoding::Json;
            if textual && constraint.kind == MutationKind::WrongType && !wrong_type_survives_text(schema, &constraint) {
                continue;
            }
            out.push((Place::Body, constraint));
        }
    }
    for param in &operation.parameters {
        if variables.contains(&param.name) || param.location == ParamLocation::Cookie {
            continue;
        }
        let place = Place::Parameter(param.location, param.name.clone());
        if param.required && param.location != ParamLocation::Path {
            out.push((place.clone(), Constraint::missing_parameter(None)));
        }
        // Parameters travel as text: a wrong type is expressible only where the value cannot be a
        // string (`limit=conform`). In a path it would change the route, so it is not tried there.
        let in_path = param.location == ParamLocation::Path;
        for constraint in constraints(&param.schema) {
            if constraint.kind == MutationKind::WrongType
                && (in_path || !wrong_type_survives_text(&param.schema, &constraint))
            {
                continue;
            }
            out.push((place.clone(), constraint));
        }
        if in_path {
            continue;
        }
        // An object sent as its pairs has no empty value to send: no pairs is no object.
        if !param.is_exploded_object() && !crate::spec::is_valid(&param.schema, &serde_json::json!("")) {
            out.push((place.clone(), Constraint::empty_value()));
        }
        let expanded = crate::spec::expand(&param.schema);
        let schema = expanded.as_object();
        let integer = schema.and_then(|s| s.get("type")).is_some_and(|t| t == "integer");
        let format = schema.and_then(|s| s.get("format")).and_then(serde_json::Value::as_str).unwrap_or_default();
        let has = |keyword: &str| schema.is_some_and(|s| s.contains_key(keyword));
        for above in [true, false] {
            let bounded = if above {
                has("maximum") || has("exclusiveMaximum")
            } else {
                has("minimum") || has("exclusiveMinimum")
            };
            if integer
                && !bounded
                && let Some(constraint) = Constraint::outside_format_range(format, above)
            {
                out.push((place.clone(), constraint));
            }
        }
    }
    out
}

/// Whether a wrong-type edit of a value sent as text (a parameter, a form field) is still of the
/// wrong type once it is text: only where the schema at the edit allows nothing but scalars.
pub(super) fn wrong_type_survives_text(schema: &serde_json::Value, constraint: &Constraint) -> bool {
    let mut at = crate::spec::expand(schema);
    for segment in constraint.pointer.split('/').skip(1) {
        let name = segment.replace("~1", "/").replace("~0", "~");
        match at.get("properties").and_then(|p| p.get(&name)) {
            Some(next) => at = std::borrow::Cow::Owned(crate::spec::expand(next).into_owned()),
            None => return false,
        }
    }
    let types: Vec<&str> = match at.get("type") {
        Some(serde_json::Value::String(t)) => vec![t.as_str()],
        Some(serde_json::Value::Array(ts)) => ts.iter().filter_map(serde_json::Value::as_str).collect(),
        _ => Vec::new(),
    };
    // Text can read as a string, a one-item array or an object's JSON: only scalars are unambiguous.
    !types.is_empty() && types.iter().all(|t| matches!(*t, "integer" | "number" | "boolean" | "null"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_positive_case_is_made_again_as_it_was_planned() {
        let specs = crate::spec::bundled().unwrap();
        let names = vec![BTreeSet::new(); specs.len()];
        let plan = plan(&specs, &names, &PlanOptions { cases: 3, seed: 9, shard: None });
        let random = |c: &Case| c.kind == CaseKind::Positive && c.recipe == Recipe::Valid;
        let positives: Vec<Case> = plan.cases().filter(random).collect();
        assert_eq!(positives.len(), 3 * specs.iter().map(|s| s.operations.len()).sum::<usize>());
        for (index, case) in plan.cases().enumerate() {
            assert_eq!(plan.site(index), (case.spec, case.operation));
            let spec = &specs[case.spec];
            let expected = if random(&case) {
                let n = case.id.as_str().rsplit("::").next().unwrap().to_owned();
                make_case(
                    [spec.id.as_str(), spec.operations[case.operation].id.as_str()],
                    plan.site(index),
                    &n,
                    CaseKind::Positive,
                    Recipe::Valid,
                    9,
                )
            } else {
                case.clone()
            };
            assert_eq!(case, expected);
            assert_eq!(
                case.seed,
                if matches!(case.kind, CaseKind::Example { .. }) {
                    case_seed(0, case.id.as_str())
                } else {
                    case_seed(9, case.id.as_str())
                }
            );
        }
        let ids: HashSet<String> = plan.cases().map(|c| c.id.to_string()).collect();
        assert_eq!(ids.len(), plan.len(), "ids are unique");
    }
}
