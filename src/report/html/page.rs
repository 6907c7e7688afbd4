//! The page's shape, as the report template reads it: plain, already-masked strings and numbers,
//! one struct per part of the page. [`super::build`] fills it from a run's result.

use serde::Serialize;

use crate::report::tally::{Counts, SnapshotCounts};

#[derive(Serialize)]
pub(super) struct Page {
    pub(super) verdict: VerdictView,
    pub(super) cases: Counts,
    pub(super) scenarios: Counts,
    pub(super) seed: u64,
    pub(super) strict: bool,
    pub(super) dry_run: bool,
    pub(super) duration: String,
    pub(super) version: &'static str,
    pub(super) reproduce: String,
    pub(super) specs: Vec<String>,
    pub(super) targets: Vec<TargetView>,
    pub(super) hints: Vec<String>,
    /// What `conform lint` finds in specs that loaded all the same.
    pub(super) spec_warnings: Vec<SpecWarningView>,
    pub(super) missing: Vec<MissingView>,
    pub(super) matrix: MatrixView,
    pub(super) coverage: Vec<CoverageView>,
    pub(super) levels: Vec<LevelView>,
    /// Each unique failure once, with a link to its smallest case ([`crate::report::unique`]).
    pub(super) unique: Vec<UniqueView>,
    /// The failing cases, grouped by operation in matrix order.
    pub(super) failures: Vec<FailureGroup>,
    pub(super) failure_count: usize,
    pub(super) cases_table: Vec<CaseRow>,
    pub(super) scenario_list: Vec<ScenarioView>,
    pub(super) skips: Vec<SkipView>,
    pub(super) errors: Vec<ErrorView>,
    pub(super) send_guard: SendGuardView,
    pub(super) snapshots: Option<SnapshotCounts>,
}

#[derive(Serialize)]
pub(super) struct VerdictView {
    /// `conformant`, `nonconformant`, `incomplete` or `nothing`: the colour.
    pub(super) key: &'static str,
    pub(super) words: &'static str,
    pub(super) explanation: String,
}

#[derive(Serialize)]
pub(super) struct TargetView {
    pub(super) spec: String,
    pub(super) base_url: String,
    pub(super) sandbox: bool,
    pub(super) evidence: String,
}

#[derive(Serialize)]
pub(super) struct SpecWarningView {
    /// `file:line:col (pointer)`.
    pub(super) location: String,
    pub(super) message: String,
}

/// One unique failure: the finding, how many cases met it, and where its smallest case is.
#[derive(Serialize)]
pub(super) struct UniqueView {
    pub(super) rule: String,
    pub(super) fails_run: bool,
    pub(super) spec: String,
    pub(super) operation: String,
    pub(super) message: String,
    pub(super) count: usize,
    /// `30 positive, 13 negative`.
    pub(super) kinds: String,
    /// The smallest case's anchor in the failures below.
    pub(super) href: Option<String>,
}

#[derive(Serialize)]
pub(super) struct MissingView {
    pub(super) flag: String,
    pub(super) env: String,
}

#[derive(Serialize)]
pub(super) struct MatrixView {
    pub(super) columns: Vec<ColumnView>,
    pub(super) rows: Vec<MatrixRowView>,
}

#[derive(Serialize)]
pub(super) struct ColumnView {
    pub(super) label: String,
    pub(super) rule: String,
}

/// One row of the matrix: an operation, or a suite (its scenarios).
#[derive(Serialize)]
pub(super) struct MatrixRowView {
    pub(super) spec: String,
    /// The operation id, or `suite ID`.
    pub(super) place: String,
    pub(super) cells: Vec<CellView>,
    /// Its cases (or scenarios) that were skipped or could not run: no rule judged them.
    pub(super) not_run: usize,
    /// Where they are listed: `#skipped`, or `#errors` when none was skipped.
    pub(super) not_run_href: &'static str,
}

/// The failing cases of one operation.
#[derive(Serialize)]
pub(super) struct FailureGroup {
    pub(super) spec: String,
    pub(super) operation: String,
    pub(super) cases: Vec<CaseView>,
}

#[derive(Serialize)]
pub(super) struct CellView {
    /// `pass`, `warn`, `fail` or `none`.
    pub(super) class: &'static str,
    pub(super) text: String,
    /// How many exchanges it judged, shown beside a failure count.
    pub(super) of: Option<usize>,
    pub(super) title: String,
    /// The first failing case (or scenario) of this row under this rule.
    pub(super) href: Option<String>,
}

#[derive(Serialize)]
pub(super) struct SourceView {
    pub(super) level: &'static str,
    pub(super) level_label: &'static str,
    pub(super) cite: String,
    /// Whether a failure from this source fails the run (as this run counts it).
    pub(super) fails_run: bool,
}

#[derive(Serialize)]
pub(super) struct LevelView {
    pub(super) level: &'static str,
    pub(super) label: &'static str,
    pub(super) meaning: &'static str,
    pub(super) effect: &'static str,
}

#[derive(Serialize)]
pub(super) struct CoverageView {
    pub(super) rule: String,
    pub(super) kind: &'static str,
    pub(super) description: Option<&'static str>,
    pub(super) sources: Vec<SourceView>,
    pub(super) judged: usize,
    pub(super) passed: usize,
    pub(super) warned: usize,
    pub(super) failed: usize,
    pub(super) class: &'static str,
}

#[derive(Serialize)]
pub(super) struct FailureView {
    pub(super) rule: String,
    pub(super) fails_run: bool,
    pub(super) source: SourceView,
    pub(super) message: String,
}

#[derive(Serialize)]
pub(super) struct RequestView {
    pub(super) method: String,
    pub(super) url: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Option<String>,
}

#[derive(Serialize)]
pub(super) struct ResponseView {
    pub(super) status: u16,
    /// `ok` (2xx/3xx), `client` (4xx) or `server` (5xx).
    pub(super) class: &'static str,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: String,
    pub(super) truncated: bool,
}

#[derive(Serialize)]
pub(super) struct DiffLine {
    /// `add`, `del`, `hunk` or `ctx`.
    pub(super) class: &'static str,
    pub(super) text: String,
}

#[derive(Serialize)]
pub(super) struct DiffView {
    pub(super) id: String,
    pub(super) path: Option<String>,
    pub(super) lines: Vec<DiffLine>,
}

/// A failing case, with everything needed to see and reproduce it.
#[derive(Serialize)]
pub(super) struct CaseView {
    pub(super) anchor: String,
    pub(super) id: String,
    pub(super) spec: String,
    pub(super) operation: String,
    pub(super) status: &'static str,
    pub(super) seed: u64,
    pub(super) kind: &'static str,
    pub(super) what: String,
    pub(super) shrink_steps: u32,
    pub(super) failures: Vec<FailureView>,
    pub(super) request: Option<RequestView>,
    pub(super) response: Option<ResponseView>,
    pub(super) curl: Option<String>,
    pub(super) diff: Option<DiffView>,
}

/// One line of the table of every case.
#[derive(Serialize)]
pub(super) struct CaseRow {
    pub(super) id: String,
    pub(super) status: &'static str,
    pub(super) kind: &'static str,
    pub(super) what: String,
    pub(super) response_status: Option<u16>,
    /// Where its failure block or its skip reason is.
    pub(super) link: Option<String>,
    pub(super) note: Option<String>,
}

#[derive(Serialize)]
pub(super) struct StepView {
    pub(super) number: usize,
    pub(super) step: String,
    pub(super) action: String,
    pub(super) expected: Option<String>,
    pub(super) request: Option<RequestView>,
    pub(super) response: Option<ResponseView>,
    pub(super) curl: Option<String>,
}

#[derive(Serialize)]
pub(super) struct ScenarioView {
    pub(super) anchor: String,
    pub(super) id: String,
    pub(super) rule: String,
    pub(super) source: SourceView,
    pub(super) status: &'static str,
    pub(super) seed: u64,
    pub(super) reason: Option<String>,
    pub(super) failures: Vec<FailureView>,
    pub(super) input: Option<String>,
    pub(super) shrink_steps: u32,
    pub(super) steps: Vec<StepView>,
    pub(super) diffs: Vec<DiffView>,
}

#[derive(Serialize)]
pub(super) struct SkipView {
    pub(super) kind: &'static str,
    pub(super) message: String,
    pub(super) ids: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct ErrorView {
    pub(super) id: String,
    pub(super) kind: &'static str,
    pub(super) message: String,
}

#[derive(Serialize)]
pub(super) struct SendGuardView {
    /// Whether the guard had anything to do: a message-sending call made or held back on a target
    /// without a sandbox. A run that sent no message (a spec with no such operation, or every
    /// target a sandbox) has no send-guard section.
    pub(super) active: bool,
    pub(super) max_sends: u32,
    /// Cases and scenarios the guard kept from being sent (skipped with its reason).
    pub(super) held: usize,
    pub(super) sends: Vec<String>,
    pub(super) budget_skipped: Vec<String>,
    pub(super) recipient_mutations: Vec<String>,
}
