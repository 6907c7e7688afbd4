//! The reference server's clock: wall time plus an offset that `POST /__sandbox/clock` moves forward,
//! so that expiry and waits can be tested without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// Wall-clock time shifted by the seconds the sandbox has advanced.
#[derive(Debug, Default)]
pub struct Clock {
    offset_seconds: AtomicI64,
}

impl Clock {
    /// The target's "now".
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_seconds.load(Ordering::SeqCst))
    }

    /// Moves the clock forward and returns the new "now".
    pub fn advance(&self, seconds: i64) -> DateTime<Utc> {
        self.offset_seconds.fetch_add(seconds, Ordering::SeqCst);
        self.now()
    }
}

/// Seconds from `now` until `until`, rounded up, never negative.
pub fn seconds_until(now: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
    let millis = (until - now).num_milliseconds();
    if millis <= 0 { 0 } else { (millis + 999) / 1000 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now_forward() {
        let clock = Clock::default();
        let before = clock.now();
        let after = clock.advance(3600);
        assert!(after - before >= Duration::seconds(3600));
        assert!(clock.now() >= after);
    }

    #[test]
    fn seconds_until_rounds_up_and_floors_at_zero() {
        let now = Utc::now();
        assert_eq!(seconds_until(now, now - Duration::seconds(5)), 0);
        assert_eq!(seconds_until(now, now), 0);
        assert_eq!(seconds_until(now, now + Duration::milliseconds(1)), 1);
        assert_eq!(seconds_until(now, now + Duration::seconds(120)), 120);
    }
}
