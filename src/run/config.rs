//! What a run is asked to do ([`RunConfig`], [`Keep`]), what it says while it works ([`Event`]) and
//! why it could not start ([`RunError`]).

use std::collections::BTreeMap;

use super::guard::AllowEntry;
use super::variables::VariableSources;
use crate::check::CheckId;
use crate::http::{Limits, TransportError};
use crate::plan::{Phases, PlanOptions};
use crate::results::{CaseResult, CaseStatus};
use crate::snapshot;
use crate::spec::Spec;
use crate::suite::Suite;

/// Everything a run needs. [`RunConfig::default`] is a run of nothing with the CLI's defaults:
/// set the fields a caller cares about with struct update syntax.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub specs: Vec<Spec>,
    /// Per spec: the target's URL (origin, and any path prefix), without a trailing slash.
    pub targets: Vec<String>,
    pub variables: VariableSources,
    /// `--header` values, sent on every request.
    pub headers: Vec<(String, String)>,
    /// `--checks`: only these run (all when `None`).
    pub checks: Option<Vec<CheckId>>,
    pub plan: PlanOptions,
    /// (issue 25) `--phases`: which phases make cases.
    pub phases: Phases,
    pub strict: bool,
    pub concurrency: usize,
    pub limits: Limits,
    /// `--allow-recipient`: where marked operations may send messages, on targets without a sandbox.
    pub allow_recipients: Vec<AllowEntry>,
    /// `--max-sends`: the most message-sending calls one run makes on targets without a sandbox.
    pub max_sends: u32,
    /// `--dry-run`: build every request, send none (the target is not contacted at all).
    pub dry_run: bool,
    /// Origins known to serve the sandbox without asking: the embedded reference server that
    /// conform started itself. Only a dry run uses this (a real run always asks for the handshake),
    /// so that it shows the requests a real run would send, fixture values included.
    pub known_sandboxes: Vec<String>,
    /// `--show-secrets`: print secrets, numbers and codes as they are (local debugging only).
    pub show_secrets: bool,
    /// The suites whose scenarios run after the generated cases.
    pub suites: Vec<Suite>,
    /// Where the committed snapshots of examples and scenario steps are, and whether to record them.
    pub snapshots: snapshot::Settings,
    /// What the [`RunResult`] keeps of passed cases. Everything by default, for callers that
    /// inspect them; the CLI keeps only what its reports need, so that a long run's memory holds
    /// failures and counts rather than every case.
    pub keep: Keep,
    /// Target URLs that are a conform reference server that conform started itself, each with
    /// the variants it runs (recorded in [`TargetInfo::reference`]).
    pub references: BTreeMap<String, Vec<String>>,
    /// `--max-failures`: once this many cases and scenarios have failed the run, no new one
    /// starts (see [`EarlyStop::MaxFailures`]).
    pub max_failures: Option<usize>,
    /// (flows, issue 27) The flow phase: on by default wherever a spec's link graph has an edge.
    pub flows: crate::flow::FlowOptions,
    /// Per target (same order as `targets`), whether it is an exact base (`--base-url`): operation
    /// paths start right at it, and the spec's server path is not joined onto it. A missing entry
    /// is `false` (`--target`: the server path is joined).
    pub exact_bases: Vec<bool>,
}

/// What a run keeps of its passed cases. A case that did not pass, and an example (it carries
/// its snapshot's outcome; there are as many as the specs have, whatever `--cases`), is always
/// kept whole. A passed case that is not kept is counted in [`RunResult::omitted`](crate::results::RunResult::omitted).
///
/// A dry run sends nothing, so nothing in it passes: every case is skipped, because it would be
/// sent (its curl line) or would not (and why), and its skipped cases are to it what passed cases
/// are to a real run: kept as this says, or only counted. What a dry run shows of each case is
/// reported as it finishes ([`Event::DryRunCase`]), so a dry run that keeps none stays small
/// however many cases it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    /// Keep a [`CaseResult`] for every passed case in [`RunResult::cases`].
    pub passed_cases: bool,
    /// Keep the request, curl and response of the passed cases that are kept.
    pub passed_exchanges: bool,
}

impl Keep {
    /// Every case, whole.
    pub const ALL: Keep = Keep { passed_cases: true, passed_exchanges: true };
    /// Only the cases that did not pass (and the examples): the rest are counted.
    pub const FAILURES: Keep = Keep { passed_cases: false, passed_exchanges: false };

    /// Whether the finished `result` keeps its request, curl and response (see [`keep_result`]):
    /// a case that did not pass always does; a passed one (in a dry run, a skipped one) when it
    /// is kept, with its exchange.
    pub(super) fn shows_exchange(&self, result: &CaseResult, dry_run: bool) -> bool {
        !settled(result, dry_run) || (self.passed_exchanges && (self.passed_cases || result.snapshot.is_some()))
    }
}

/// Whether a finished case is one that [`Keep`] decides about (the others are always kept whole):
/// a passed case, or in a dry run, a skipped one.
pub(super) fn settled(result: &CaseResult, dry_run: bool) -> bool {
    match result.status {
        CaseStatus::Passed => true,
        CaseStatus::Skipped(_) => dry_run,
        CaseStatus::Failed | CaseStatus::Error(_) => false,
    }
}

impl Default for Keep {
    fn default() -> Self {
        Keep::ALL
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            specs: Vec::new(),
            targets: Vec::new(),
            variables: VariableSources::default(),
            headers: Vec::new(),
            checks: None,
            plan: PlanOptions::default(),
            phases: Phases::ALL,
            strict: false,
            concurrency: 8,
            limits: Limits::default(),
            allow_recipients: Vec::new(),
            max_sends: 10,
            dry_run: false,
            known_sandboxes: Vec::new(),
            show_secrets: false,
            suites: Vec::new(),
            snapshots: snapshot::Settings::default(),
            keep: Keep::ALL,
            references: BTreeMap::new(),
            max_failures: None,
            flows: Default::default(),
            exact_bases: Vec::new(),
        }
    }
}

/// What the runner reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Planned {
        cases: usize,
    },
    /// A generated case or a scenario finished (in the order they finish).
    CaseDone {
        done: usize,
        total: usize,
        id: String,
        status: CaseStatus,
    },
    /// A dry run's generated case, in plan order (after every case before it in the plan): what
    /// it shows, whether or not the result keeps it. `curl` is the request it would send
    /// (redacted), when one was built; `status` says whether it would be sent
    /// ([`ReasonKind::DryRun`]) or why not.
    DryRunCase {
        id: String,
        status: CaseStatus,
        curl: Option<String>,
    },
}

/// Why the run could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    #[error("the target {url} is unreachable: {}", match error {
        TransportError::Connect { message, .. } => message.clone(),
        other => other.to_string(),
    })]
    Unreachable { url: String, error: TransportError },
    #[error("cannot build the HTTP client: {0}")]
    Client(TransportError),
    #[error("{0}")]
    Config(String),
}
