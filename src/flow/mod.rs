//! Flows: the link graph of a spec (declared OpenAPI links, `x-conform-links`, and links inferred
//! from `Location` headers, created ids and parameter names) and its text rendering for
//! `conform flows`. The flow phase walks this graph.

mod drive;
mod graph;
mod infer;
mod options;
mod render;
mod stateful;
mod values;
mod walk;

pub use drive::{FlowRun, FlowStep, Sender, Sent, drive, drive_shrinking, smaller};
pub use graph::{Binding, BindingValue, Edge, EdgeOrigin, Graph, Inference};
pub use options::FlowOptions;
pub use render::render;
pub use stateful::{READ_AFTER_WRITE, RESOURCE_AVAILABILITY, USE_AFTER_FREE, judge, sources};
pub use values::{Record, created_id, evaluate, link_value};
pub use walk::{PlannedStep, Walk, plan_walks};
