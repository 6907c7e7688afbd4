//! Flows: the link graph of a spec (declared OpenAPI links, `x-conform-links`, and links inferred
//! from `Location` headers, created ids and parameter names) and its text rendering for
//! `conform flows`. The flow phase walks this graph.

mod graph;
mod infer;
mod render;

pub use graph::{Binding, BindingValue, Edge, EdgeOrigin, Graph, Inference};
pub use render::render;
