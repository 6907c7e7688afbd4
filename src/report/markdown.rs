//! The markdown report (not built yet).

use super::{Format, ReportError};
use crate::run::RunResult;

pub fn render(_result: &RunResult) -> Result<String, ReportError> {
    Err(ReportError::Render { format: Format::Markdown, message: "not built yet".to_owned() })
}
