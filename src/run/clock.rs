//! The target's clock as conform knows it, shared by every spec at the same origin.

use chrono::{DateTime, Utc};

/// The target's clock as conform last saw it: the `now` its sandbox reported when the clock
/// moved, running on from there. Time rules read it, never conform's own clock; until the
/// sandbox reports a time, it is conform's.
#[derive(Debug, Default)]
pub struct TargetClock(std::sync::Mutex<Option<(DateTime<Utc>, std::time::Instant)>>);

impl TargetClock {
    pub fn observe(&self, now: DateTime<Utc>) {
        if let Ok(mut seen) = self.0.lock() {
            *seen = Some((now, std::time::Instant::now()));
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.0.lock().ok().and_then(|seen| *seen) {
            Some((at, since)) => at + chrono::Duration::from_std(since.elapsed()).unwrap_or_default(),
            None => Utc::now(),
        }
    }
}
