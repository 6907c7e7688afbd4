//! The html report (not built yet).

use super::{Format, ReportError};
use crate::run::RunResult;

pub fn render(_result: &RunResult) -> Result<String, ReportError> {
    Err(ReportError::Render { format: Format::Html, message: "not built yet".to_owned() })
}
