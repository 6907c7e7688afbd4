//! The link graph of one spec: an edge from an operation to another that can use what the first
//! one answered. Declared edges come from the spec's links; inferred ones from
//! [`super::infer`]; `x-conform-links` add edges or disable any edge between two operations.

use crate::spec::{LinkOrigin, LinkValue, Operation, ParamLocation, Spec, StatusKey};

/// Why an inferred edge was inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Inference {
    /// The first operation creates a resource on the collection path the second one's path
    /// extends by one parameter: the id in its body, else its `Location` header, fills it.
    Created,
    /// A response property's name matches the second operation's path parameter (`id` on the
    /// parent collection, `petId` or `pet_id` for `{petId}` anywhere).
    Name,
}

/// Where an edge comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeOrigin {
    /// An OpenAPI `links` entry.
    Declared,
    /// An `x-conform-links` entry.
    Configured,
    Inferred(Inference),
}

impl EdgeOrigin {
    /// `declared`, `x-conform-links` or `inferred`.
    pub fn label(self) -> &'static str {
        match self {
            EdgeOrigin::Declared => "declared",
            EdgeOrigin::Configured => "x-conform-links",
            EdgeOrigin::Inferred(_) => "inferred",
        }
    }
}

/// How a bound parameter gets its value.
#[derive(Debug, Clone, PartialEq)]
pub enum BindingValue {
    /// A link's value: a runtime expression or a constant.
    Link(LinkValue),
    /// The id of what was created: the body property at this pointer, else the last segment of
    /// the answer's `Location` header.
    Created { pointer: Option<String> },
}

/// One parameter of the edge's target filled from the exchange of its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub parameter: String,
    pub location: Option<ParamLocation>,
    pub value: BindingValue,
}

/// One edge: `from` answered (with `status`, when it matters), then `to` may be called with the
/// bindings filled.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Indexes into the spec's operations.
    pub from: usize,
    pub to: usize,
    /// The answer the edge follows (`None`: any success).
    pub status: Option<StatusKey>,
    pub origin: EdgeOrigin,
    /// The link's name, or what inferred it.
    pub name: String,
    pub bindings: Vec<Binding>,
    pub request_body: Option<LinkValue>,
}

impl Edge {
    /// Whether an answer with `status` lets the edge be followed.
    pub fn follows(&self, status: u16) -> bool {
        match self.status {
            Some(key) => key.matches(status),
            None => (200..300).contains(&status),
        }
    }
}

/// The link graph of one spec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Graph {
    pub edges: Vec<Edge>,
}

impl Graph {
    /// The graph of `spec`: its declared and configured links, then the inferred edges between
    /// operations that no link joins already; `x-conform-links` `disable` entries last.
    pub fn of(spec: &Spec) -> Graph {
        let operations = &spec.operations;
        let index = |id: &str| operations.iter().position(|o| o.id == id);
        let mut edges = Vec::new();
        for link in spec.links.iter().filter(|l| !l.disabled) {
            let (Some(from), Some(to)) = (index(&link.from), link.target_id(operations).and_then(index)) else {
                continue;
            };
            let place = |name: &str| operations[to].parameters.iter().find(|p| p.name == name).map(|p| p.location);
            let bindings = link
                .parameters
                .iter()
                .map(|p| Binding {
                    parameter: p.name.clone(),
                    location: p.location.or_else(|| place(&p.name)),
                    value: BindingValue::Link(p.value.clone()),
                })
                .collect();
            let origin = match link.origin {
                LinkOrigin::Declared => EdgeOrigin::Declared,
                LinkOrigin::Extension => EdgeOrigin::Configured,
            };
            edges.push(Edge {
                from,
                to,
                status: link.status,
                origin,
                name: link.name.clone(),
                bindings,
                request_body: link.request_body.clone(),
            });
        }
        for edge in super::infer::inferred(operations) {
            if !edges.iter().any(|e| e.from == edge.from && e.to == edge.to) {
                edges.push(edge);
            }
        }
        for link in spec.links.iter().filter(|l| l.disabled) {
            let (Some(from), Some(to)) = (index(&link.from), link.target_id(operations).and_then(index)) else {
                continue;
            };
            edges.retain(|e| !(e.from == from && e.to == to && link.status.is_none_or(|s| e.status == Some(s))));
        }
        Graph { edges }
    }

    /// The edges leaving operation `from`.
    pub fn from(&self, from: usize) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.from == from)
    }

    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }
}

/// `operation`'s path parameters, by name.
pub(super) fn path_parameters(operation: &Operation) -> impl Iterator<Item = &str> {
    operation.parameters.iter().filter(|p| p.location == ParamLocation::Path).map(|p| p.name.as_str())
}
