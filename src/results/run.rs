//! What a run produced, as plain data that every report reads: a [`CaseResult`] per kept case, with
//! the checks that ran, the failures, and the (redacted) request and answer that show them, and a
//! [`Tally`] of the passed cases a long run did not keep. Secrets are masked before they get
//! here, so no report can leak one.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::reason::{Reason, ReasonKind};
use super::requests::RequestCounts;
use super::rules::RuleInfo;
use super::scenario::ScenarioResult;
use super::stop::EarlyStop;
use super::tally::Tally;
use crate::case::{CaseId, CaseKind};
use crate::check::{Failure, RuleId};
use crate::http::PreparedRequest;
use crate::plan::Shard;

/// The answer as a report shows it (redacted, body cut to a readable size).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseSummary {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub truncated: bool,
}

impl ResponseSummary {
    /// The status alone, for a case that is only counted (its answers are tallied by status).
    pub fn status_only(status: u16) -> ResponseSummary {
        ResponseSummary { status, headers: Vec::new(), body: String::new(), truncated: false }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum CaseStatus {
    Passed,
    /// The target broke the contract (at least one failure, of any severity).
    Failed,
    /// Not sent, for the reason given (never counted as passed).
    Skipped(Reason),
    /// The harness could not run the case: no answer, a sandbox refusal.
    Error(Reason),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: CaseId,
    pub spec: String,
    pub operation: String,
    pub kind: CaseKind,
    pub seed: u64,
    pub status: CaseStatus,
    /// The rules that had something to say, pass or fail.
    pub rules: Vec<RuleId>,
    pub failures: Vec<Failure>,
    /// The (minimal, after shrinking) request, redacted.
    pub request: Option<PreparedRequest>,
    pub curl: Option<String>,
    pub response: Option<ResponseSummary>,
    /// How many smaller inputs were tried while shrinking.
    pub shrink_steps: u32,
    /// A request example's answer against its committed snapshot (other kinds have none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<crate::snapshot::Comparison>,
    /// The case's place in the whole (unsharded) plan: `report merge` puts shards' cases back in
    /// this order.
    pub plan_index: usize,
    /// How long the case took, shrinking included (written in milliseconds).
    #[serde(with = "duration_ms")]
    pub duration: Duration,
    /// A finding met while shrinking another case (its id): a failure of a rule that case did
    /// not break, on one of the smaller inputs tried. Its id is `<that id>::found-while-shrinking::N`
    /// and it follows that case in `cases`, with the same `plan_index`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_while_shrinking: Option<CaseId>,
}

impl CaseResult {
    /// The same result without its exchange (request, curl, and the response's headers and
    /// body): what a long run keeps of a passed case. Id, status, rules, failures, seed, shrink
    /// steps and the answer's status code stay (the answers are counted by status).
    pub fn without_exchange(self) -> CaseResult {
        let response = self.response.map(|r| ResponseSummary::status_only(r.status));
        CaseResult { request: None, curl: None, response, ..self }
    }

    /// Whether the case fails the run.
    pub fn fails_run(&self, strict: bool) -> bool {
        self.failures.iter().any(|f| f.severity.fails_run(strict))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub seed: u64,
    /// When the run started: RFC 3339, UTC (`2026-12-01T18:31:44.123Z`).
    pub started_at: String,
    /// `--shard I/N`: this run is one part of a plan; `None` for a whole run (and a merged one).
    pub shard: Option<Shard>,
    pub strict: bool,
    /// Nothing was sent (`--dry-run`).
    pub dry_run: bool,
    /// Per spec: its id, the base URL tested, and whether the target had a sandbox.
    pub targets: Vec<TargetInfo>,
    /// The kept cases, in plan order: every case that did not pass, every example (its snapshot),
    /// and the passed ones when the run was asked to keep them (`RunConfig::keep`; the library's
    /// default keeps every case, the command line keeps them when a file report is asked for).
    /// In a dry run, where nothing passes, the skipped cases are kept or not as passed ones are.
    pub cases: Vec<CaseResult>,
    /// The passed cases that are not in `cases`, counted (per spec, operation, kind and rule)
    /// rather than kept: only passed cases, and a dry run's skipped ones, are ever left out.
    /// Every case of the run is in exactly one of the two; [`RunResult::tally`] counts both.
    /// Empty (and left out of the JSON) when every case was kept.
    #[serde(default, skip_serializing_if = "Tally::is_empty")]
    pub omitted: Tally,
    /// The suites' scenarios, in suite order.
    pub scenarios: Vec<ScenarioResult>,
    /// What the send guard let through and held back on targets without a sandbox.
    pub send_guard: SendGuardReport,
    /// Every variable that some case needed and that had no value, each once.
    pub missing: Vec<MissingVariable>,
    /// Every rule that ran, with each source it was cited with and that source's severity.
    pub rules: Vec<RuleInfo>,
    /// What `conform lint` finds in specs that loaded all the same (an example that contradicts
    /// its schema): the run goes on, and every report shows these as warnings. Filled by the
    /// caller that loaded the specs; empty (and left out of the JSON) when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spec_warnings: Vec<SpecWarning>,
    /// The HTTP requests sent, by phase (a case is one request, but shrinking, retries, fixtures
    /// and scenario steps are more).
    #[serde(default)]
    pub requests: RequestCounts,
    /// Why the run, or a target's part of it, stopped before its end (`--max-failures`, a target
    /// that stopped answering); empty (and left out of the JSON) when it ran to the end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stopped: Vec<EarlyStop>,
    /// The run's wall time (written in milliseconds).
    #[serde(with = "duration_ms")]
    pub duration: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub spec: String,
    pub base_url: String,
    pub sandbox: bool,
    /// The answer that decided `sandbox` (the handshake, or why there is none).
    pub sandbox_evidence: String,
    /// When the target is a conform reference server that conform started itself (`conform run`
    /// without a target), the variants it runs (none: the plain reference). `None` for any other
    /// target, whose nature conform does not know.
    pub reference: Option<Vec<String>>,
}

/// The send guard's account of a run (`--max-sends`, `--allow-recipient`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendGuardReport {
    pub max_sends: u32,
    /// The masked recipients of every message-sending call made to a target without a sandbox,
    /// one entry per call.
    pub sends: Vec<String>,
    /// The cases the budget held back (ids), because it went to other cases.
    pub budget_skipped: Vec<String>,
    /// The negative cases not sent because their broken value was the recipient itself (ids).
    pub recipient_mutations: Vec<String>,
}

/// A problem in a spec that loaded all the same, where `conform lint` finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecWarning {
    /// The id of the spec it is in.
    pub spec: String,
    pub file: String,
    /// 1-based; 0 when not known (as the column).
    pub line: usize,
    pub column: usize,
    /// The JSON pointer of the value at fault, when there is one.
    pub pointer: Option<String>,
    pub message: String,
}

impl SpecWarning {
    /// `file:line:col`, and ` (pointer)` when there is one.
    pub fn location(&self) -> String {
        let pointer = self.pointer.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
        format!("{}:{}:{}{pointer}", self.file, self.line, self.column)
    }
}

/// A variable with no value: cases that need it are skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingVariable {
    pub spec: String,
    pub name: String,
    /// The environment variable that would give it (`CONFORM_VAR_ZAPI_TOKEN`).
    pub env: String,
}

impl MissingVariable {
    /// The flag to add: `--var zapi.token=VALUE`.
    pub fn flag(&self) -> String {
        format!("--var {}.{}=VALUE", self.spec, self.name)
    }
}

/// A [`Duration`] written as whole milliseconds.
pub(crate) mod duration_ms {
    pub fn serialize<S: serde::Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::time::Duration, D::Error> {
        <u64 as serde::Deserialize>::deserialize(d).map(std::time::Duration::from_millis)
    }
}

/// The verdict of a whole run, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Conformant,
    Nonconformant,
    /// Some cases could not be run.
    Incomplete,
    /// No case was sent and answered: every one was skipped, or there were none. Not a pass.
    NothingTested,
}

impl RunResult {
    /// How many cases (kept or only counted) ended as `pick` says. Only passed cases, and a
    /// dry run's skipped ones, are left out of `cases`: the counted ones are judged as
    /// [`CaseStatus::Passed`], and as a dry run's skip (whose reason, when it is not the dry run
    /// itself, is not kept).
    pub fn count(&self, pick: impl Fn(&CaseStatus) -> bool) -> usize {
        let kept = self.cases.iter().filter(|c| pick(&c.status)).count();
        let counted = self.omitted.cases();
        let dry_run = CaseStatus::Skipped(Reason::new(ReasonKind::DryRun, "dry run: not sent"));
        kept + if pick(&CaseStatus::Passed) { counted.passed } else { 0 }
            + if pick(&dry_run) { counted.skipped } else { 0 }
    }

    /// How many cases the run had, kept or only counted.
    pub fn total_cases(&self) -> usize {
        self.cases.len() + self.omitted.cases().total()
    }

    /// Every case of the run counted, kept or not: per spec, operation, kind and rule.
    pub fn tally(&self) -> Tally {
        let mut tally = self.omitted.clone();
        for case in &self.cases {
            tally.add(case);
        }
        tally
    }

    pub fn verdict(&self) -> Verdict {
        let error = |s: &CaseStatus| matches!(s, CaseStatus::Error(_));
        if self.cases.iter().any(|c| error(&c.status)) || self.scenarios.iter().any(|s| error(&s.status)) {
            Verdict::Incomplete
        } else if self.tested() == 0 {
            Verdict::NothingTested
        } else if self.cases.iter().any(|c| c.fails_run(self.strict))
            || self.scenarios.iter().any(|s| s.fails_run(self.strict))
        {
            Verdict::Nonconformant
        } else {
            Verdict::Conformant
        }
    }

    /// How many cases were sent and answered (passed or failed).
    pub fn tested(&self) -> usize {
        let ran = |s: &CaseStatus| matches!(s, CaseStatus::Passed | CaseStatus::Failed);
        self.count(ran) + self.scenarios.iter().filter(|s| ran(&s.status)).count()
    }

    /// Every failure with its case, in case order.
    pub fn failures(&self) -> impl Iterator<Item = (&CaseResult, &Failure)> {
        self.cases.iter().flat_map(|c| c.failures.iter().map(move |f| (c, f)))
    }
}
