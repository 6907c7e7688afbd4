//! Whether a target still answers. A target that accepts connections and never answers would
//! make every case wait out its own `--timeout`; one that went away would refuse every case one
//! by one. After [`GIVE_UP_AFTER`] transport failures in a row (timeouts, refusals, connections
//! dropped), conform asks the target once more for something harmless (`GET /__sandbox`, the
//! handshake it already answered or refused at the start): an answer of any status means the
//! target is alive and the failures were the requests' own (a crash on an input is a finding,
//! not a dead target); no answer means conform gives the target up. Its cases not yet sent are
//! then errors, and the run ends with exit 2, naming the URL and what happened.
//!
//! The health also tells a dropped connection that is a crash from one that is not: a target
//! that has answered something (the handshake counts) and then drops one request's connection,
//! or answers it with bytes that are not HTTP, crashed on that request.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::http::TransportError;

/// Transport failures in a row on one target before conform checks whether it still answers.
pub(super) const GIVE_UP_AFTER: usize = 5;

/// One target's record (shared by every spec tested at the same origin).
#[derive(Debug)]
pub(super) struct TargetHealth {
    /// The target, as the stop message names it.
    url: String,
    /// Whether the target ever answered with an HTTP status (the handshake included).
    answered: AtomicBool,
    /// Transport failures since the last answer, and the last of them.
    streak: Mutex<(usize, String)>,
    /// Held while the target is being asked whether it still answers: one asks at a time.
    pub(super) asking: tokio::sync::Mutex<()>,
    /// Why conform gave the target up (what it did), once it has.
    stopped: OnceLock<String>,
    /// Cases and scenarios not sent because the target was given up.
    given_up: AtomicUsize,
}

impl TargetHealth {
    /// A target's record; `answered` when its handshake got an HTTP answer.
    pub(super) fn new(url: &str, answered: bool) -> Self {
        TargetHealth {
            url: url.to_owned(),
            answered: AtomicBool::new(answered),
            streak: Mutex::new((0, String::new())),
            asking: tokio::sync::Mutex::new(()),
            stopped: OnceLock::new(),
            given_up: AtomicUsize::new(0),
        }
    }

    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// Whether the target has answered any request with an HTTP status.
    pub(super) fn has_answered(&self) -> bool {
        self.answered.load(Ordering::SeqCst)
    }

    /// What the target did that made conform give it up, if it has.
    pub(super) fn stopped(&self) -> Option<&str> {
        self.stopped.get().map(String::as_str)
    }

    /// Why a case or scenario is not sent: the target was given up.
    pub(super) fn not_sent(&self) -> Option<String> {
        self.stopped().map(|why| format!("not sent: {} stopped answering: {why}", self.url))
    }

    /// The target answered: the streak of failures is over.
    pub(super) fn answer(&self) {
        self.answered.store(true, Ordering::SeqCst);
        if let Ok(mut streak) = self.streak.lock() {
            streak.0 = 0;
        }
    }

    /// Records a request that got no answer. `true` when the failures in a row have reached
    /// [`GIVE_UP_AFTER`]: the caller then asks the target whether it still answers. An answer
    /// too large, or a request conform could not build, says nothing about the target's health.
    pub(super) fn fail(&self, error: &TransportError) -> bool {
        if matches!(error, TransportError::TooLarge { .. } | TransportError::InvalidRequest(_)) {
            return false;
        }
        let Ok(mut streak) = self.streak.lock() else { return false };
        streak.0 += 1;
        streak.1 = error.to_string();
        streak.0 >= GIVE_UP_AFTER && self.stopped.get().is_none()
    }

    /// The target did not answer the check either: conform gives it up.
    pub(super) fn give_up(&self, check: &TransportError) {
        let (count, last) = self.streak.lock().map(|s| s.clone()).unwrap_or_default();
        let _ = self.stopped.set(format!(
            "{count} requests in a row got no answer (the last: {last}), and GET /__sandbox asked again got \
             none either ({check})"
        ));
    }

    /// Counts a case or scenario not sent because the target was given up.
    pub(super) fn skip(&self) {
        self.given_up.fetch_add(1, Ordering::SeqCst);
    }

    /// How many cases and scenarios were not sent because the target was given up.
    pub(super) fn skipped(&self) -> usize {
        self.given_up.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout() -> TransportError {
        TransportError::Timeout { millis: 500 }
    }

    #[test]
    fn only_failures_in_a_row_call_for_the_check() {
        let health = TargetHealth::new("http://127.0.0.1:9", false);
        for _ in 1..GIVE_UP_AFTER {
            assert!(!health.fail(&timeout()));
        }
        health.answer();
        assert!(health.has_answered());
        for _ in 1..GIVE_UP_AFTER {
            assert!(!health.fail(&timeout()), "an answer started the count again");
        }
        assert!(!health.fail(&TransportError::TooLarge { limit: 10 }), "a large answer is an answer");
        assert!(health.fail(&TransportError::Dropped { message: "reset".into() }));
        assert_eq!(health.stopped(), None, "the check decides, not the count");
        health.give_up(&TransportError::Connect { url: "u".into(), message: "refused".into() });
        let why = health.stopped().unwrap();
        assert!(why.starts_with("5 requests in a row"), "{why}");
        assert!(health.not_sent().unwrap().starts_with("not sent: http://127.0.0.1:9 stopped answering: 5 requests"));
        assert!(why.contains("connection was closed before any answer (reset)") && why.contains("refused"), "{why}");
        assert!(!health.fail(&timeout()), "a target given up is not checked again");
    }
}
