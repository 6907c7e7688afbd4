//! Edges no link declares, inferred from the operations alone (as Schemathesis infers links from
//! `Location` headers and RESTler matches producers to consumers by name):
//! - a creating operation (one that documents 201, or a POST) on a collection path feeds the
//!   parameter of the operations on that path extended by one `{param}` segment, with the id in
//!   its body (a property named like the parameter, or `id`), else its `Location` header;
//! - a response property whose name matches a path parameter (`petId`, `pet_id` or `pet-id` for
//!   `{petId}`; `id` for a `{…Id}` parameter of the same resource) feeds that parameter.

use serde_json::Value;

use super::graph::{Binding, BindingValue, Edge, EdgeOrigin, Inference, path_parameters};
use crate::spec::{
    ExchangePart, LinkValue, Operation, ParamLocation, RuntimeExpression, StatusKey, expand, is_json_media,
};

/// A name as matched: lower case, letters and digits only (`pet_id`, `petId` → `petid`).
fn folded(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The status whose answer creates: 201 when documented, else the first documented 2xx.
fn success(operation: &Operation) -> Option<StatusKey> {
    let documented = |s: &StatusKey| matches!(s, StatusKey::Code(c) if (200..300).contains(c));
    let codes = || operation.responses.iter().map(|r| r.status);
    codes().find(|s| *s == StatusKey::Code(201)).or_else(|| codes().find(documented))
}

/// The top-level property names of the JSON body of the `status` answer.
fn properties(operation: &Operation, status: StatusKey) -> Vec<String> {
    let Some(response) = operation.responses.iter().find(|r| r.status == status) else { return Vec::new() };
    let Some(schema) = response.content.iter().find(|(m, _)| is_json_media(m)).and_then(|(_, s)| s.as_ref()) else {
        return Vec::new();
    };
    let schema = expand(schema);
    schema.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

/// The properties of the objects one level down the `status` answer's JSON body, with the
/// property holding each: an envelope such as Kinto's `{"data": {"id": …}}`.
fn enveloped(operation: &Operation, status: StatusKey) -> Vec<(String, Vec<String>)> {
    let Some(response) = operation.responses.iter().find(|r| r.status == status) else { return Vec::new() };
    let Some(schema) = response.content.iter().find(|(m, _)| is_json_media(m)).and_then(|(_, s)| s.as_ref()) else {
        return Vec::new();
    };
    let schema = expand(schema);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return Vec::new() };
    properties
        .iter()
        .filter_map(|(name, inner)| {
            let inner = inner.get("properties").and_then(Value::as_object)?;
            Some((name.clone(), inner.keys().cloned().collect()))
        })
        .collect()
}

/// The literal segment naming the resource a `{param}` segment picks (`/pets/{petId}` → `pets`).
fn resource_of(path: &str, parameter: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let at = segments.iter().position(|s| *s == format!("{{{parameter}}}"))?;
    segments[..at].iter().rev().find(|s| !s.starts_with('{') && !s.is_empty()).map(|s| (*s).to_owned())
}

/// The resource an operation answers about: its path's last literal segment.
fn answered_resource(path: &str) -> Option<&str> {
    path.split('/').rev().find(|s| !s.starts_with('{') && !s.is_empty())
}

/// The property of `names` that holds the id `parameter` wants: named like it, else `id` when
/// the parameter is the id of the resource `resource` (`{petId}` of `pets`, or `{id}`).
fn id_property(names: &[String], parameter: &str, resource: Option<&str>) -> Option<String> {
    let wanted = folded(parameter);
    if let Some(name) = names.iter().find(|n| folded(n) == wanted) {
        return Some(name.clone());
    }
    let stem = wanted.strip_suffix("id")?;
    let same_resource = stem.is_empty()
        || resource.is_some_and(|r| {
            let r = folded(r);
            r == stem || r.strip_suffix('s') == Some(stem) || r.strip_suffix("es") == Some(stem)
        });
    (same_resource && names.iter().any(|n| n == "id")).then(|| "id".to_owned())
}

fn created(from: usize, operations: &[Operation], out: &mut Vec<Edge>) {
    let creator = &operations[from];
    let Some(status) = success(creator) else { return };
    if creator.method != "POST" && status != StatusKey::Code(201) {
        return;
    }
    let names = properties(creator, status);
    let location =
        creator.responses.iter().any(|r| r.status == status && r.required_headers.iter().any(|h| h == "location"));
    for (to, target) in operations.iter().enumerate() {
        let Some(parameter) = target.path.strip_prefix(&creator.path).and_then(|rest| rest.strip_prefix("/{")) else {
            continue;
        };
        let Some(parameter) = parameter.strip_suffix('}').filter(|p| !p.contains(['/', '{', '}'])) else { continue };
        let resource = answered_resource(&creator.path);
        let pointer = id_property(&names, parameter, resource).map(|n| format!("/{n}")).or_else(|| {
            enveloped(creator, status).into_iter().find_map(|(envelope, inner)| {
                id_property(&inner, parameter, resource).map(|n| format!("/{envelope}/{n}"))
            })
        });
        if pointer.is_none() && !location && status != StatusKey::Code(201) {
            continue;
        }
        out.push(Edge {
            from,
            to,
            status: Some(status),
            origin: EdgeOrigin::Inferred(Inference::Created),
            name: "created resource".to_owned(),
            bindings: vec![Binding {
                parameter: parameter.to_owned(),
                location: Some(ParamLocation::Path),
                value: BindingValue::Created { pointer },
            }],
            request_body: None,
        });
    }
}

fn named(from: usize, operations: &[Operation], out: &mut Vec<Edge>) {
    let source = &operations[from];
    let Some(status) = success(source) else { return };
    let names = properties(source, status);
    if names.is_empty() {
        return;
    }
    for (to, target) in operations.iter().enumerate() {
        if to == from || out.iter().any(|e| e.from == from && e.to == to) {
            continue;
        }
        let bindings: Vec<Binding> = path_parameters(target)
            .filter_map(|parameter| {
                let resource = resource_of(&target.path, parameter);
                let own = answered_resource(&source.path).map(folded) == resource.as_deref().map(folded);
                let property = id_property(&names, parameter, resource.as_deref()).filter(|p| p != "id" || own)?;
                let expression = RuntimeExpression::Response(ExchangePart::Body(format!("/{property}")));
                Some(Binding {
                    parameter: parameter.to_owned(),
                    location: Some(ParamLocation::Path),
                    value: BindingValue::Link(LinkValue::Expression(expression)),
                })
            })
            .collect();
        if !bindings.is_empty() {
            out.push(Edge {
                from,
                to,
                status: Some(status),
                origin: EdgeOrigin::Inferred(Inference::Name),
                name: "matching name".to_owned(),
                bindings,
                request_body: None,
            });
        }
    }
}

/// The edges inferred between `operations` (one spec's), created-resource edges first.
pub fn inferred(operations: &[Operation]) -> Vec<Edge> {
    let mut out = Vec::new();
    for from in 0..operations.len() {
        created(from, operations, &mut out);
    }
    for from in 0..operations.len() {
        named(from, operations, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_matched_by_name_and_resource() {
        let names = vec!["id".to_owned(), "owner_id".to_owned()];
        assert_eq!(id_property(&names, "petId", Some("pets")), Some("id".to_owned()));
        assert_eq!(id_property(&names, "id", None), Some("id".to_owned()));
        assert_eq!(id_property(&names, "ownerId", Some("pets")), Some("owner_id".to_owned()));
        assert_eq!(id_property(&names, "userId", Some("pets")), None);
        assert_eq!(id_property(&names, "name", Some("pets")), None);
        assert_eq!(id_property(&["box_id".to_owned()], "boxId", Some("boxes")), Some("box_id".to_owned()));
        assert_eq!(resource_of("/stores/{storeId}/pets/{petId}", "petId").as_deref(), Some("pets"));
        assert_eq!(resource_of("/{instance}/x", "instance"), None);
    }
}
