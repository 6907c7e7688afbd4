//! The JSON report: the whole [`RunResult`], with a version, as conform writes and reads it back.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Format, ReportError};
use crate::results::RunResult;

/// The version of the report's shape; a reader refuses others.
pub const REPORT_VERSION: u32 = 1;

/// What a JSON report holds: the run, and which conform wrote it in which shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonReport {
    pub report_version: u32,
    pub conform_version: String,
    #[serde(flatten)]
    pub run: RunResult,
}

pub fn render(result: &RunResult) -> Result<String, ReportError> {
    let report = JsonReport {
        report_version: REPORT_VERSION,
        conform_version: env!("CARGO_PKG_VERSION").to_owned(),
        run: result.clone(),
    };
    serde_json::to_string_pretty(&report)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| ReportError::Render { format: Format::Json, message: e.to_string() })
}

/// Reads a JSON report back, naming the file, line and column of what is wrong.
pub fn read(path: &Path) -> Result<RunResult, ReportError> {
    let fail = |message: String| ReportError::Read { path: path.display().to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let version: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| fail(format!("not a JSON report: {e}")))?;
    match version.get("report_version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(REPORT_VERSION) => {}
        Some(v) => return Err(fail(format!("report_version {v}: this conform reads version {REPORT_VERSION}"))),
        None => return Err(fail("no `report_version`: not a conform JSON report (--report json=PATH)".to_owned())),
    }
    // The run is read by itself (the version was checked above): through `JsonReport`'s flatten,
    // serde_json would place every error at the end of the file instead of at its line and column.
    serde_json::from_str::<RunResult>(&text).map_err(|e| fail(e.to_string()))
}
