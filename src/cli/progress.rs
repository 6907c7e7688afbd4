//! Progress on stderr while a run goes: a bar on a terminal (unless a dry run prints to it too);
//! otherwise plain lines: one when the run starts; one for the first case of each operation (or
//! suite) that fails, and the first that cannot run, so that a CI log shows problems as they
//! happen without repeating one operation's problem for every case (the report groups them); and
//! a count of the cases done at most every [`PROGRESS_EVERY`], so that a long run shows it is
//! moving.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::output::errln;
use crate::results::CaseStatus;
use crate::run::Event;

pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    /// When the run started and when the last count was printed (plain lines only).
    lines: Mutex<(Instant, Instant)>,
    /// How often a count is printed, at most ([`PROGRESS_EVERY`]).
    every: Duration,
    /// `FAIL spec::operation` and `ERROR spec::operation` (or `spec::suite`), once printed.
    told: Mutex<HashSet<String>>,
}

/// How often a plain-line progress count is printed, at most.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    /// With `bar`, a bar when stderr is a terminal; plain lines otherwise.
    pub fn new(every: Duration, bar: bool) -> Self {
        let bar = (bar && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} cases {msg}") {
                bar.set_style(style);
            }
            bar
        });
        let now = Instant::now();
        Self { bar, lines: Mutex::new((now, now)), every, told: Mutex::new(HashSet::new()) }
    }

    /// `conform: 1200/15207 cases done (240/s)`, when `every` has passed since the last one (and
    /// the run is not over: the summary says the rest).
    fn count(&self, done: usize, total: usize) -> Option<String> {
        let mut lines = self.lines.lock().ok()?;
        let (started, last) = &mut *lines;
        if last.elapsed() < self.every || done == total {
            return None;
        }
        *last = Instant::now();
        let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
        Some(format!("conform: {done}/{total} cases done ({rate:.0}/s)"))
    }

    /// The line for a case that failed or could not run, when it is its operation's first to.
    fn problem(&self, done: usize, total: usize, id: &str, status: &CaseStatus) -> Option<String> {
        let (what, why) = match status {
            CaseStatus::Failed => ("FAIL", String::new()),
            CaseStatus::Error(reason) => ("ERROR", format!(": {reason}")),
            _ => return None,
        };
        let operation = id.splitn(3, "::").take(2).collect::<Vec<_>>().join("::");
        let first = self.told.lock().ok()?.insert(format!("{what} {operation}"));
        first.then(|| format!("[{done}/{total}] {what} {id}{why} (the first of {operation}; the report has them all)"))
    }

    pub fn show(&self, event: &Event) {
        let Some(bar) = &self.bar else {
            match event {
                Event::Planned { cases } => errln!("conform: running {cases} cases"),
                Event::CaseDone { done, total, id, status } => {
                    if let Some(line) = self.problem(*done, *total, id, status) {
                        errln!("{line}");
                    }
                    if let Some(line) = self.count(*done, *total) {
                        errln!("{line}");
                    }
                }
                Event::DryRunCase { .. } => {}
            }
            return;
        };
        match event {
            Event::Planned { cases } => bar.set_length(*cases as u64),
            Event::CaseDone { done, total, .. } => {
                bar.set_position(*done as u64);
                if done == total {
                    bar.finish_and_clear();
                }
            }
            Event::DryRunCase { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Reason, ReasonKind};

    #[test]
    fn a_count_line_comes_at_most_every_interval_and_not_at_the_end() {
        let often = Progress::new(Duration::ZERO, false);
        let line = often.count(120, 400).expect("a count once the interval has passed");
        assert!(line.starts_with("conform: 120/400 cases done ("), "{line}");
        assert_eq!(often.count(400, 400), None, "the summary reports the end");
        let rarely = Progress::new(Duration::from_secs(3600), false);
        assert_eq!(rarely.count(120, 400), None);
    }

    #[test]
    fn only_the_first_failure_and_error_of_each_operation_are_lines() {
        let progress = Progress::new(PROGRESS_EVERY, false);
        let error = CaseStatus::Error(Reason::new(ReasonKind::NoAnswer, "timed out"));
        let lines = [
            progress.problem(1, 9, "pets::create::positive::0", &CaseStatus::Passed),
            progress.problem(2, 9, "pets::create::positive::1", &CaseStatus::Failed),
            progress.problem(3, 9, "pets::create::negative::name-missing", &CaseStatus::Failed),
            progress.problem(4, 9, "pets::create::positive::2", &error),
            progress.problem(5, 9, "pets::show::positive::0", &error),
            progress.problem(6, 9, "pets::show::positive::1", &error),
        ];
        let first = "the report has them all";
        assert_eq!(
            lines,
            [
                None,
                Some(format!("[2/9] FAIL pets::create::positive::1 (the first of pets::create; {first})")),
                None,
                Some(format!("[4/9] ERROR pets::create::positive::2: timed out (the first of pets::create; {first})")),
                Some(format!("[5/9] ERROR pets::show::positive::0: timed out (the first of pets::show; {first})")),
                None,
            ]
        );
    }
}
