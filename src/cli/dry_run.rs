//! `--dry-run` on stdout: each case's lines as the run reports it (in plan order), buffered, and
//! the closing line at the end. The first failure to write stops the printing and is kept for
//! the end, where a closed pipe (the reader had all it wanted) is not a failure.

use std::io::Write;
use std::sync::Mutex;

use super::output::quiet_when_closed;
use crate::report::dry_run::DryRun;
use crate::results::CaseStatus;

#[derive(Default)]
pub struct DryRunPrinter {
    state: Mutex<DryRunState>,
}

struct DryRunState {
    render: DryRun,
    out: std::io::BufWriter<std::io::Stdout>,
    failed: Option<std::io::Error>,
}

impl Default for DryRunState {
    fn default() -> Self {
        DryRunState { render: DryRun::default(), out: std::io::BufWriter::new(std::io::stdout()), failed: None }
    }
}

impl DryRunPrinter {
    pub fn case(&self, id: &str, status: &CaseStatus, curl: Option<&str>) {
        let Ok(mut state) = self.state.lock() else { return };
        let text = state.render.case(id, status, curl);
        if state.failed.is_none()
            && let Err(e) = state.out.write_all(text.as_bytes())
        {
            state.failed = Some(e);
        }
    }

    /// Prints the closing line and flushes. `Ok` when stdout was closed on the way.
    pub fn finish(&self, seed: u64) -> std::io::Result<()> {
        let mut state = self.state.lock().map_err(|_| std::io::Error::other("a printer panicked"))?;
        if let Some(e) = state.failed.take() {
            return quiet_when_closed(Err(e));
        }
        let summary = state.render.summary(seed);
        let written = state.out.write_all(summary.as_bytes()).and_then(|()| state.out.flush());
        quiet_when_closed(written)
    }
}
