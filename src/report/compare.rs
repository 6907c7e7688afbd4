//! `conform report compare`: several runs side by side (not built yet).

use super::{Format, ReportError};
use crate::run::RunResult;

/// Renders the runs, each with its label, side by side.
pub fn render(format: Format, _runs: &[(String, RunResult)]) -> Result<String, ReportError> {
    Err(ReportError::Render { format, message: "compare is not built yet".to_owned() })
}
