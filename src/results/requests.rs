//! [`RequestCounts`]: how many HTTP requests a run sent, by phase. A run's cases are not its
//! requests: each case with a sandbox fixture costs a fixture call too, a failing case is shrunk
//! (up to a hundred more), a 429 is retried, a scenario makes several calls. The counts say where
//! the traffic went; [`RequestCounter`] gathers them while the run goes.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseKind};

/// Why a request was sent: the phase of the run it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A request example of the spec, sent as written.
    Example,
    /// A generated case valid by the schemas.
    Positive,
    /// A generated case that breaks one constraint.
    Negative,
    /// (issue 25) A case of the coverage phase: an edge value, hostile bytes (not its protocol
    /// probes, which are [`Phase::Protocol`]'s).
    Coverage,
    /// A protocol probe: an undocumented method, a missing or wrong `Content-Type` or credential.
    Protocol,
    /// A failing case run again, and each smaller input tried, to find a minimal one.
    Shrinking,
    /// A request sent again: after a 429's wait, or after the connection dropped.
    Retry,
    /// A call step of a suite's scenario.
    Scenario,
    /// The sandbox: the handshake (and asking it again of a target that stopped answering),
    /// fixtures, the outbox, the clock, states.
    Sandbox,
}

impl Phase {
    /// The phase of a case's own request.
    pub fn of(case: &Case) -> Phase {
        if case.coverage {
            return Phase::Coverage;
        }
        match &case.kind {
            CaseKind::Positive => Phase::Positive,
            CaseKind::Negative(_) | CaseKind::Hostile { .. } => Phase::Negative,
            CaseKind::Protocol(_) => Phase::Protocol,
            CaseKind::Example { .. } => Phase::Example,
            CaseKind::Step => Phase::Scenario,
        }
    }
}

/// The HTTP requests a run sent, by phase. A dry run sends none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    pub examples: u64,
    pub positive: u64,
    pub negative: u64,
    /// Absent from a report written before the coverage phase had its own count.
    #[serde(default)]
    pub coverage: u64,
    pub protocol: u64,
    pub shrinking: u64,
    pub retries: u64,
    pub scenarios: u64,
    pub sandbox: u64,
}

impl RequestCounts {
    pub fn total(&self) -> u64 {
        self.phases().iter().map(|(n, _)| n).sum()
    }

    /// Adds another run's counts (a shard's) to these.
    pub fn add(&mut self, other: &RequestCounts) {
        self.examples += other.examples;
        self.positive += other.positive;
        self.negative += other.negative;
        self.coverage += other.coverage;
        self.protocol += other.protocol;
        self.shrinking += other.shrinking;
        self.retries += other.retries;
        self.scenarios += other.scenarios;
        self.sandbox += other.sandbox;
    }

    /// Each phase's count with its name as the summary says it.
    fn phases(&self) -> [(u64, &'static str); 9] {
        [
            (self.examples, "examples"),
            (self.positive, "positive"),
            (self.negative, "negative"),
            (self.coverage, "coverage"),
            (self.protocol, "protocol probes"),
            (self.shrinking, "shrinking"),
            (self.retries, "retries"),
            (self.scenarios, "scenario steps"),
            (self.sandbox, "sandbox"),
        ]
    }
}

/// `1812 HTTP requests: 12 examples, 100 positive, …` (phases with none are left out).
impl fmt::Display for RequestCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total();
        write!(f, "{total} HTTP request{}", if total == 1 { "" } else { "s" })?;
        let parts: Vec<String> =
            self.phases().iter().filter(|(n, _)| *n > 0).map(|(n, name)| format!("{n} {name}")).collect();
        if !parts.is_empty() {
            write!(f, ": {}", parts.join(", "))?;
        }
        Ok(())
    }
}

/// [`RequestCounts`] gathered by concurrent tasks.
#[derive(Debug, Default)]
pub(crate) struct RequestCounter {
    counts: [AtomicU64; 9],
}

impl RequestCounter {
    pub(crate) fn count(&self, phase: Phase) {
        let slot = match phase {
            Phase::Example => 0,
            Phase::Positive => 1,
            Phase::Negative => 2,
            Phase::Protocol => 3,
            Phase::Shrinking => 4,
            Phase::Retry => 5,
            Phase::Scenario => 6,
            Phase::Sandbox => 7,
            Phase::Coverage => 8,
        };
        self.counts[slot].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn counts(&self) -> RequestCounts {
        let n = |slot: usize| self.counts[slot].load(Ordering::Relaxed);
        RequestCounts {
            examples: n(0),
            positive: n(1),
            negative: n(2),
            protocol: n(3),
            shrinking: n(4),
            retries: n(5),
            scenarios: n(6),
            sandbox: n(7),
            coverage: n(8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_lands_in_its_own_count() {
        let counter = RequestCounter::default();
        let phases = [
            Phase::Example,
            Phase::Positive,
            Phase::Negative,
            Phase::Protocol,
            Phase::Shrinking,
            Phase::Retry,
            Phase::Scenario,
            Phase::Sandbox,
            Phase::Coverage,
        ];
        for (n, phase) in phases.iter().enumerate() {
            for _ in 0..=n {
                counter.count(*phase);
            }
        }
        let counts = counter.counts();
        assert_eq!(
            [
                counts.examples,
                counts.positive,
                counts.negative,
                counts.protocol,
                counts.shrinking,
                counts.retries,
                counts.scenarios,
                counts.sandbox,
                counts.coverage
            ],
            [1, 2, 3, 4, 5, 6, 7, 8, 9]
        );
        assert_eq!(counts.total(), 45);
        let mut twice = counts;
        twice.add(&counts);
        assert_eq!(twice.total(), 90);
    }

    /// A report written before `coverage` had its own count still reads.
    #[test]
    fn an_older_report_without_coverage_reads() {
        let older = r#"{"examples": 1, "positive": 2, "negative": 3, "protocol": 0, "shrinking": 0, "retries": 0,
            "scenarios": 0, "sandbox": 0}"#;
        let counts: RequestCounts = serde_json::from_str(older).unwrap();
        assert_eq!((counts.negative, counts.coverage), (3, 0));
    }

    #[test]
    fn the_summary_names_the_phases_that_sent_something() {
        let counts = RequestCounts {
            positive: 10,
            negative: 30,
            coverage: 7,
            shrinking: 101,
            sandbox: 41,
            ..Default::default()
        };
        assert_eq!(
            counts.to_string(),
            "189 HTTP requests: 10 positive, 30 negative, 7 coverage, 101 shrinking, 41 sandbox"
        );
        assert_eq!(RequestCounts::default().to_string(), "0 HTTP requests");
        assert_eq!(RequestCounts { retries: 1, ..Default::default() }.to_string(), "1 HTTP request: 1 retries");
    }
}
