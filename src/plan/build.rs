//! Building the plan from the loaded specs.

use std::collections::{BTreeSet, HashSet};

use super::seed::case_seed;
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
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self { cases: 10, seed: 0 }
    }
}

/// Every case of a run, in a stable order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub seed: u64,
    pub cases: Vec<Case>,
}

/// Builds the plan. `variables[i]` are the variable names that have values for `specs[i]`: the
/// parameters they fill are neither generated nor mutated.
pub fn plan(specs: &[Spec], variables: &[BTreeSet<String>], options: &PlanOptions) -> Plan {
    let mut cases = Vec::new();
    for (s, spec) in specs.iter().enumerate() {
        let empty = BTreeSet::new();
        let names = variables.get(s).unwrap_or(&empty);
        let mut probed_paths = HashSet::new();
        for (o, operation) in spec.operations.iter().enumerate() {
            let mut push = |detail: String, kind: CaseKind, recipe: Recipe| {
                let id = CaseId::new(&[&spec.id, &operation.id, kind.label(), &detail]);
                // An example's seed does not follow the run's, so that its fixture and anything
                // generated around it are the same in every run: its answer is snapshotted.
                let run_seed = if matches!(kind, CaseKind::Example { .. }) { 0 } else { options.seed };
                let seed = case_seed(run_seed, id.as_str());
                cases.push(Case { id, spec: s, operation: o, kind, recipe, seed });
            };
            for n in 0..options.cases {
                push(n.to_string(), CaseKind::Positive, Recipe::Valid);
            }
            // The examples phase: each request example once.
            for (index, (name, _)) in operation.body.iter().flat_map(|b| &b.examples).enumerate() {
                push(name.clone(), CaseKind::Example { name: name.clone() }, Recipe::Example(index));
            }
            for (place, constraint) in negative_constraints(operation, names) {
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
                if !either.required || fixed {
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
            if takes_json {
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
            for probe in probes {
                push(probe.slug(), CaseKind::Protocol(probe), Recipe::Valid);
            }
        }
    }
    Plan { seed: options.seed, cases }
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

/// The constraints a negative case can break: the JSON body's, then each generated parameter's.
/// A body field that only repeats a value a variable fills elsewhere (`x-conform-either-place`)
/// is not generated, so it is not broken either.
fn negative_constraints(operation: &Operation, variables: &BTreeSet<String>) -> Vec<(Place, Constraint)> {
    let mut out = Vec::new();
    let repeated: Vec<&str> = operation
        .either
        .iter()
        .filter(|e| e.places.iter().any(|p| filled_by_variable(operation, p, variables)))
        .flat_map(|e| e.places.iter())
        .filter_map(|p| match p {
            RecipientPart::Body(pointer) => Some(pointer.as_str()),
            RecipientPart::Parameter(..) => None,
        })
        .collect();
    let within = |pointer: &str| repeated.iter().any(|r| pointer == *r || pointer.starts_with(&format!("{r}/")));
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
        if !crate::spec::is_valid(&param.schema, &serde_json::json!("")) {
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
fn wrong_type_survives_text(schema: &serde_json::Value, constraint: &Constraint) -> bool {
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
