//! `conform report merge`: the shards of one run (`--shard i/n`), as one result (not built yet).

use super::ReportError;
use crate::run::RunResult;

pub fn merge(_shards: Vec<RunResult>) -> Result<RunResult, ReportError> {
    Err(ReportError::Render { format: super::Format::Json, message: "merge is not built yet".to_owned() })
}
