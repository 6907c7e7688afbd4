//! Stopping a run early, and saying so. `--max-failures N`: once N cases or scenarios have failed
//! the run, no new one starts (those in flight finish, and everything that ran is reported). A
//! target that stopped answering (see `health.rs`): its cases not yet sent are errors. Each stop
//! is an [`EarlyStop`] in the result, which the summary prints.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::results::EarlyStop;

/// `--max-failures`, counted while the run goes.
#[derive(Debug, Default)]
pub(super) struct Halt {
    limit: Option<usize>,
    failing: AtomicUsize,
    halted: AtomicBool,
    not_started: AtomicUsize,
}

impl Halt {
    pub(super) fn new(limit: Option<usize>) -> Self {
        Halt { limit, ..Halt::default() }
    }

    /// Counts a finished case or scenario that fails the run.
    pub(super) fn failed(&self) {
        let failing = self.failing.fetch_add(1, Ordering::SeqCst) + 1;
        if self.limit.is_some_and(|limit| failing >= limit) {
            self.halted.store(true, Ordering::SeqCst);
        }
    }

    /// Whether a case or scenario about to start must not: `--max-failures` was reached. It is
    /// then counted as not started.
    pub(super) fn stops(&self) -> bool {
        let halted = self.halted.load(Ordering::SeqCst);
        if halted {
            self.not_started.fetch_add(1, Ordering::SeqCst);
        }
        halted
    }

    /// The stop to report, when the limit was reached.
    pub(super) fn report(&self) -> Option<EarlyStop> {
        let limit = self.limit?;
        self.halted
            .load(Ordering::SeqCst)
            .then(|| EarlyStop::MaxFailures { limit, not_started: self.not_started.load(Ordering::SeqCst) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_stops_what_has_not_started() {
        let halt = Halt::new(Some(2));
        halt.failed();
        assert!(!halt.stops());
        assert_eq!(halt.report(), None);
        halt.failed();
        assert!(halt.stops() && halt.stops());
        let stop = halt.report().unwrap();
        assert_eq!(stop, EarlyStop::MaxFailures { limit: 2, not_started: 2 });
        assert!(stop.to_string().contains("--max-failures 2 reached; 2 planned"), "{stop}");
        let unlimited = Halt::new(None);
        (0..100).for_each(|_| unlimited.failed());
        assert!(!unlimited.stops() && unlimited.report().is_none());
    }
}
