//! Building the plan from the loaded specs.

use std::collections::{BTreeSet, HashSet};

use super::seed::case_seed;
use crate::case::{
    Case, CaseId, CaseKind, Constraint, Mutation, MutationKind, Place, Probe, Recipe, Target, constraints,
};
use crate::spec::{Operation, ParamLocation, Spec};

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
                let seed = case_seed(options.seed, id.as_str());
                cases.push(Case { id, spec: s, operation: o, kind, recipe, seed });
            };
            for n in 0..options.cases {
                push(n.to_string(), CaseKind::Positive, Recipe::Valid);
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

/// The constraints a negative case can break: the JSON body's, then each generated parameter's.
fn negative_constraints(operation: &Operation, variables: &BTreeSet<String>) -> Vec<(Place, Constraint)> {
    let mut out = Vec::new();
    if let Some((_, schema)) = operation.body.as_ref().and_then(|b| b.json()) {
        for constraint in constraints(schema) {
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
        // Parameters travel as text: a wrong JSON type cannot be expressed in a query string.
        for constraint in constraints(&param.schema).into_iter().filter(|c| c.kind != MutationKind::WrongType) {
            out.push((place.clone(), constraint));
        }
    }
    out
}
