//! (issue 25) The coverage phase's cases of one operation: each parameter's and the JSON body's
//! edges ([`crate::case::body_edges`]), header bytes outside ASCII, and hostile bodies. A
//! negative edge that the negative phase already sends (the same value at the same place) is
//! left out: identical requests are sent once.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::case::{
    CaseKind, Constraint, Edge, Hostile, Mutation, MutationKind, Place, Recipe, Target, as_text, body_edges,
    parameter_edges,
};
use crate::spec::{BodyEncoding, Operation, ParamLocation};

/// A case to add: its id's detail, its kind and its recipe.
pub(super) type Planned = (String, CaseKind, Recipe);

/// A header value with bytes outside ASCII.
const NON_ASCII_HEADER: &str = "conform-é-ü";

/// Where a place's value is, as a mutation's target.
fn target(place: &Place, pointer: &str) -> Target {
    match place {
        Place::Body => Target::Body(pointer.to_owned()),
        Place::Parameter(ParamLocation::Query, name) => Target::Query(name.clone()),
        Place::Parameter(ParamLocation::Path, name) => Target::Path(name.clone()),
        Place::Parameter(_, name) => Target::Header(name.clone()),
    }
}

/// The coverage cases of `operation`. `negatives` are the (place, constraint) pairs the negative
/// phase sends; `variables` the names whose parameters are not generated; `repeated` tells a
/// body pointer that only repeats a variable's value (not generated, so not edged either).
pub(super) fn coverage_cases(
    operation: &Operation,
    variables: &BTreeSet<String>,
    negatives: &[(Place, Constraint)],
    repeated: &dyn Fn(&str) -> bool,
) -> Vec<Planned> {
    let sent_already = |place: &Place, edge: &Edge| {
        let text = |v: &Value| if matches!(place, Place::Body) { v.to_string() } else { as_text(v) };
        let Some(value) = edge.constraint.replacement() else { return false };
        negatives.iter().any(|(p, c)| {
            p == place
                && c.pointer == edge.constraint.pointer
                && c.replacement().is_some_and(|v| text(v) == text(value))
        })
    };
    let mut out = Vec::new();
    let planned = |place: Place, detail: String, edge: Edge| -> Option<Planned> {
        if !edge.positive && sent_already(&place, &edge) {
            return None;
        }
        let detail = format!("coverage.{detail}");
        if !edge.judged {
            let kind = CaseKind::Hostile { name: detail.clone() };
            let recipe = if edge.positive {
                Recipe::Edge { place, constraint: edge.constraint }
            } else {
                Recipe::Mutated { place, constraint: edge.constraint }
            };
            return Some((detail, kind, recipe));
        }
        if edge.positive {
            Some((detail, CaseKind::Positive, Recipe::Edge { place, constraint: edge.constraint }))
        } else {
            let mutation = Mutation {
                kind: edge.constraint.kind,
                target: target(&place, &edge.constraint.pointer),
                constraint: edge.constraint.description.clone(),
                source: edge.constraint.source.clone(),
            };
            Some((detail, CaseKind::Negative(mutation), Recipe::Mutated { place, constraint: edge.constraint }))
        }
    };
    for param in &operation.parameters {
        if variables.contains(&param.name) || param.location == ParamLocation::Cookie {
            continue;
        }
        let place = Place::Parameter(param.location, param.name.clone());
        for edge in parameter_edges(param) {
            out.extend(planned(place.clone(), format!("{}.{}", param.location.as_str(), edge.label), edge));
        }
        if param.location == ParamLocation::Header {
            // Header bytes outside ASCII: watched for crashes whatever the schema says of them
            // (an HTTP layer may refuse them before the schema is read, or pass them on).
            let value = json!(NON_ASCII_HEADER);
            let accepted = crate::spec::is_valid(&param.schema, &value);
            let constraint = Constraint::replace_with(
                MutationKind::PatternMismatch,
                "",
                "header bytes outside ASCII".to_owned(),
                None,
                value,
            );
            let detail = format!("coverage.header.{}-non-ascii", param.name);
            let recipe =
                if accepted { Recipe::Edge { place, constraint } } else { Recipe::Mutated { place, constraint } };
            out.push((detail.clone(), CaseKind::Hostile { name: detail }, recipe));
        }
    }
    let Some((_, schema, encoding)) = operation.body.as_ref().and_then(|b| b.generated()) else { return out };
    // A form field travels as text: `12345` in place of a string is still a string.
    let textual = encoding != BodyEncoding::Json;
    let survives = |edge: &Edge| {
        !textual
            || edge.constraint.kind != MutationKind::WrongType
            || super::build::wrong_type_survives_text(schema, &edge.constraint)
    };
    for edge in body_edges(schema).into_iter().filter(|e| !repeated(&e.constraint.pointer) && survives(e)) {
        let label = edge.label.clone();
        out.extend(planned(Place::Body, label, edge));
    }
    if encoding == BodyEncoding::Json {
        out.extend(hostile_bodies(operation, schema));
    }
    out
}

/// The hostile bodies of a JSON body: refused where the bytes cannot be the body the schema
/// asks for, otherwise only watched for crashes.
fn hostile_bodies(operation: &Operation, schema: &Value) -> Vec<Planned> {
    let required = operation.body.as_ref().is_some_and(|b| b.required);
    let root = crate::spec::expand(schema);
    let types: Vec<&str> = match root.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let never_an_array = !types.is_empty() && !types.contains(&"array");
    let mut hostile = vec![
        (Hostile::InvalidUtf8, Some((MutationKind::MalformedJson, "must be JSON, in UTF-8"))),
        (Hostile::ByteOrderMark, None),
        (Hostile::DeepNesting, never_an_array.then_some((MutationKind::WrongType, "must not be an array"))),
        (Hostile::DuplicateKeys, None),
        (Hostile::Empty, required.then_some((MutationKind::MissingRequired, "the body is required"))),
    ];
    hostile
        .extend(crate::case::number_pointers(schema).into_iter().map(|pointer| (Hostile::HugeNumber(pointer), None)));
    hostile
        .into_iter()
        .map(|(body, refused)| {
            let detail = format!("coverage.{}", body.slug());
            let kind = match refused {
                Some((kind, constraint)) => CaseKind::Negative(Mutation {
                    kind,
                    target: Target::Body(String::new()),
                    constraint: constraint.to_owned(),
                    source: None,
                }),
                None => CaseKind::Hostile { name: detail.clone() },
            };
            (detail, kind, Recipe::Hostile(body))
        })
        .collect()
}
