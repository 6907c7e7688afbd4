//! The state every part of a run reads: the configuration, the client, each spec's target (its
//! sandbox, fixture, variables, clock and health), the redactor, the send guard with its
//! admissions, the request counter and `--max-failures`. Made once by `Session::prepare`.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::budget::Admission;
use super::clock::TargetClock;
use super::config::RunConfig;
use super::guard::SendGuard;
use super::halt::Halt;
use super::health::TargetHealth;
use crate::case;
use crate::http::HttpClient;
use crate::results::{EarlyStop, RequestCounter};
use crate::show::Redactor;
use crate::spec::SandboxFixture;

/// How one spec is reached during the run.
#[derive(Debug)]
pub(super) struct SpecTarget {
    /// Origin (the target URL) for the sandbox.
    pub(super) origin: String,
    /// Target URL joined with the spec's server path: where operation paths start.
    pub(super) base_url: String,
    /// The fixture conform creates per case, when the target has a sandbox and the user gave none of its variables.
    pub(super) fixture: Option<SandboxFixture>,
    /// Values given by the user.
    pub(super) given: BTreeMap<String, String>,
    /// The valid-input strategy of each of the spec's operations, built once, and the names
    /// that will have a value in every case (given or from the fixture): `strategies.names()`.
    pub(super) strategies: case::Strategies,
    /// By operation, the variables it cannot do without that have no value (see
    /// [`missing_variables`]): worked out once, not for every case.
    pub(super) missing: Vec<Vec<String>>,
    /// Whether the target has the sandbox (then nothing it "sends" leaves it).
    pub(super) sandbox: bool,
    /// The target's time, shared by every spec at the same origin.
    pub(super) clock: Arc<TargetClock>,
    /// Whether the target still answers, shared by every spec at the same origin.
    pub(super) health: Arc<TargetHealth>,
}

#[derive(Debug)]
pub(super) struct Shared {
    pub(super) config: RunConfig,
    pub(super) client: HttpClient,
    pub(super) targets: Vec<SpecTarget>,
    pub(super) redactor: Redactor,
    pub(super) guard: SendGuard,
    /// The (masked) recipients of every message-sending call made, one entry per call.
    pub(super) sends: std::sync::Mutex<Vec<String>>,
    /// Per guarded case (by plan index): what the send guard decided; every other case is
    /// [`Admission::Free`]. Decided before the run, in plan order, so that which calls are made
    /// does not depend on timing.
    pub(super) admissions: BTreeMap<usize, Admission>,
    /// Per scenario that sends on a target without a sandbox (by `plan_index`): the send
    /// guard's word, decided before the run too, after the cases'.
    pub(super) scenario_admissions: BTreeMap<usize, Admission>,
    /// Scenarios that move a sandbox's clock hold this exclusively; the others share it, so that
    /// one scenario's time travel never expires another's code. The clock is the target's, for
    /// every API on it.
    pub(super) time: tokio::sync::RwLock<()>,
    /// The requests sent, by phase.
    pub(super) requests: RequestCounter,
    /// `--max-failures`.
    pub(super) halt: Halt,
}

impl Shared {
    /// The send guard's word on the case at `index` of the plan.
    pub(super) fn admission(&self, index: usize) -> &Admission {
        static FREE: Admission = Admission::Free;
        self.admissions.get(&index).unwrap_or(&FREE)
    }

    /// Every way the run stopped early: `--max-failures`, and each target given up (once per origin).
    pub(super) fn early_stops(&self) -> Vec<EarlyStop> {
        let mut stops: Vec<EarlyStop> = self.halt.report().into_iter().collect();
        let mut named = std::collections::BTreeSet::new();
        for health in self.targets.iter().map(|t| &t.health) {
            if let Some(message) = health.stopped()
                && named.insert(health.url())
            {
                let (url, message, cases) = (health.url().to_owned(), message.to_owned(), health.skipped());
                stops.push(EarlyStop::TargetStopped { url, message, cases });
            }
        }
        stops
    }
}
