//! One exchange with a target, in stages that generated cases, scenario steps and (coming) generated
//! flows all go through. See `docs/architecture.md` for the drawing.

pub(crate) mod admission;
pub(crate) mod attempt;
pub(crate) mod call;
pub(crate) mod input;
pub(crate) mod record;
pub(crate) mod shrink;
