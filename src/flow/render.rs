//! The text `conform flows` prints: each spec's edges, each marked declared, `x-conform-links`
//! or inferred, with what fills the next call.

use std::fmt::Write;

use super::graph::{BindingValue, EdgeOrigin, Graph};
use crate::spec::Spec;

/// The graph of each spec, as text.
pub fn render(specs: &[(&Spec, &Graph)]) -> String {
    let mut out = String::new();
    for (spec, graph) in specs {
        let count = |origin: fn(&EdgeOrigin) -> bool| graph.edges.iter().filter(|e| origin(&e.origin)).count();
        let _ = writeln!(
            out,
            "{}: {} operation(s), {} edge(s) ({} declared, {} from x-conform-links, {} inferred)",
            spec.id,
            spec.operations.len(),
            graph.edges.len(),
            count(|o| *o == EdgeOrigin::Declared),
            count(|o| *o == EdgeOrigin::Configured),
            count(|o| matches!(o, EdgeOrigin::Inferred(_)))
        );
        for edge in &graph.edges {
            let (from, to) = (&spec.operations[edge.from], &spec.operations[edge.to]);
            let status = edge.status.map_or_else(|| "2XX".to_owned(), |s| s.to_string());
            let _ = writeln!(out, "  {} --{status}--> {}  [{}: {}]", from.id, to.id, edge.origin.label(), edge.name);
            for binding in &edge.bindings {
                let place = binding.location.map_or("", |l| l.as_str());
                let value = match &binding.value {
                    BindingValue::Link(value) => value.to_string(),
                    BindingValue::Created { pointer: Some(pointer) } => {
                        format!("$response.body#{pointer}, else the Location header's last segment")
                    }
                    BindingValue::Created { pointer: None } => "the Location header's last segment".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "      {}{}{} <- {value}",
                    place,
                    if place.is_empty() { "" } else { " " },
                    binding.parameter
                );
            }
            if let Some(body) = &edge.request_body {
                let _ = writeln!(out, "      body <- {body}");
            }
        }
    }
    out
}
