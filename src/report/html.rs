//! The HTML report: one self-contained page (inline CSS and a little inline JS, no external asset,
//! no network) for a person who has never seen conform. This module turns the [`RunResult`] into a
//! plain view (every string already masked by the run) and renders it with minijinja, whose
//! autoescape for `.html` templates escapes every value: a hostile body stays text. The page works
//! without JS (everything shown); with it, filters and copy buttons appear.
//!
//! The template is `templates/report.html`; its partials are the `templates/report_*` files.

use std::collections::BTreeMap;

use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;

use super::coverage::{RuleCoverage, coverage};
use super::matrix::{Cell, column, matrix};
use super::tally::{Counts, SkipGroup};
use super::{Format, ReportError, hints, tally};
use crate::case::{CaseKind, Probe};
use crate::check::{Failure, RuleId};
use crate::http::PreparedRequest;
use crate::run::{CaseResult, CaseStatus, ReasonKind, ResponseSummary, RunResult, ScenarioResult, Verdict};
use crate::spec::{Level, Source};

const TEMPLATES: &[(&str, &str)] = &[
    ("report.html", include_str!("templates/report.html")),
    ("report_macros.html", include_str!("templates/report_macros.html")),
    ("report_style.css", include_str!("templates/report_style.css")),
    ("report_script.js", include_str!("templates/report_script.js")),
];

pub fn render(result: &RunResult) -> Result<String, ReportError> {
    let fail = |e: minijinja::Error| ReportError::Render { format: Format::Html, message: format!("{e:#}") };
    let mut env = Environment::new();
    for (name, text) in TEMPLATES {
        env.add_template(name, text).map_err(fail)?;
    }
    let page = Value::from(Serde(page(result)));
    env.get_template("report.html").and_then(|t| t.render(minijinja::context! { page })).map_err(fail)
}

#[derive(Serialize)]
struct Page {
    verdict: VerdictView,
    cases: CountsView,
    scenarios: CountsView,
    seed: u64,
    strict: bool,
    dry_run: bool,
    duration: String,
    version: &'static str,
    reproduce: String,
    specs: Vec<String>,
    targets: Vec<TargetView>,
    hints: Vec<String>,
    missing: Vec<MissingView>,
    matrix: MatrixView,
    coverage: Vec<CoverageView>,
    levels: Vec<LevelView>,
    /// The failing cases, grouped by operation in matrix order.
    failures: Vec<FailureGroup>,
    failure_count: usize,
    cases_table: Vec<CaseRow>,
    scenario_list: Vec<ScenarioView>,
    skips: Vec<SkipView>,
    errors: Vec<ErrorView>,
    send_guard: SendGuardView,
    snapshots: Option<SnapshotView>,
}

#[derive(Serialize)]
struct VerdictView {
    /// `conformant`, `nonconformant`, `incomplete` or `nothing`: the colour.
    key: &'static str,
    words: &'static str,
    explanation: String,
}

#[derive(Serialize)]
struct CountsView {
    total: usize,
    passed: usize,
    failed: usize,
    warned: usize,
    skipped: usize,
    errors: usize,
}

impl From<Counts> for CountsView {
    fn from(c: Counts) -> Self {
        CountsView {
            total: c.total,
            passed: c.passed,
            failed: c.failed,
            warned: c.warned,
            skipped: c.skipped,
            errors: c.errors,
        }
    }
}

#[derive(Serialize)]
struct TargetView {
    spec: String,
    base_url: String,
    sandbox: bool,
    evidence: String,
}

#[derive(Serialize)]
struct MissingView {
    flag: String,
    env: String,
}

#[derive(Serialize)]
struct MatrixView {
    columns: Vec<ColumnView>,
    rows: Vec<MatrixRowView>,
}

#[derive(Serialize)]
struct ColumnView {
    label: String,
    rule: String,
}

#[derive(Serialize)]
struct MatrixRowView {
    spec: String,
    operation: String,
    cells: Vec<CellView>,
    /// Its cases that were skipped or could not run: no rule judged them.
    not_run: usize,
}

/// The failing cases of one operation.
#[derive(Serialize)]
struct FailureGroup {
    spec: String,
    operation: String,
    cases: Vec<CaseView>,
}

#[derive(Serialize)]
struct CellView {
    /// `pass`, `warn`, `fail` or `none`.
    class: &'static str,
    text: String,
    /// How many exchanges it judged, shown beside a failure count.
    of: Option<usize>,
    title: String,
    /// The first failing case of this operation under this rule.
    href: Option<String>,
}

#[derive(Serialize)]
struct SourceView {
    level: &'static str,
    level_label: &'static str,
    cite: String,
    /// Whether a failure from this source fails the run (as this run counts it).
    fails_run: bool,
}

#[derive(Serialize)]
struct LevelView {
    level: &'static str,
    label: &'static str,
    meaning: &'static str,
    effect: &'static str,
}

#[derive(Serialize)]
struct CoverageView {
    rule: String,
    kind: &'static str,
    description: Option<&'static str>,
    sources: Vec<SourceView>,
    judged: usize,
    passed: usize,
    warned: usize,
    failed: usize,
    class: &'static str,
}

#[derive(Serialize)]
struct FailureView {
    rule: String,
    fails_run: bool,
    source: SourceView,
    message: String,
}

#[derive(Serialize)]
struct RequestView {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

#[derive(Serialize)]
struct ResponseView {
    status: u16,
    /// `ok` (2xx/3xx), `client` (4xx) or `server` (5xx).
    class: &'static str,
    headers: Vec<(String, String)>,
    body: String,
    truncated: bool,
}

#[derive(Serialize)]
struct DiffLine {
    /// `add`, `del`, `hunk` or `ctx`.
    class: &'static str,
    text: String,
}

#[derive(Serialize)]
struct DiffView {
    id: String,
    path: Option<String>,
    lines: Vec<DiffLine>,
}

/// A failing case, with everything needed to see and reproduce it.
#[derive(Serialize)]
struct CaseView {
    anchor: String,
    id: String,
    spec: String,
    operation: String,
    status: &'static str,
    seed: u64,
    kind: &'static str,
    what: String,
    shrink_steps: u32,
    failures: Vec<FailureView>,
    request: Option<RequestView>,
    response: Option<ResponseView>,
    curl: Option<String>,
    diff: Option<DiffView>,
}

/// One line of the table of every case.
#[derive(Serialize)]
struct CaseRow {
    id: String,
    status: &'static str,
    kind: &'static str,
    what: String,
    response_status: Option<u16>,
    /// Where its failure block or its skip reason is.
    link: Option<String>,
    note: Option<String>,
}

#[derive(Serialize)]
struct StepView {
    number: usize,
    step: String,
    action: String,
    expected: Option<String>,
    request: Option<RequestView>,
    response: Option<ResponseView>,
    curl: Option<String>,
}

#[derive(Serialize)]
struct ScenarioView {
    anchor: String,
    id: String,
    rule: String,
    source: SourceView,
    status: &'static str,
    seed: u64,
    reason: Option<String>,
    failures: Vec<FailureView>,
    input: Option<String>,
    shrink_steps: u32,
    steps: Vec<StepView>,
    diffs: Vec<DiffView>,
}

#[derive(Serialize)]
struct SkipView {
    kind: &'static str,
    message: String,
    ids: Vec<String>,
}

#[derive(Serialize)]
struct ErrorView {
    id: String,
    kind: &'static str,
    message: String,
}

#[derive(Serialize)]
struct SendGuardView {
    max_sends: u32,
    /// Cases and scenarios the guard kept from being sent (skipped with its reason).
    held: usize,
    sends: Vec<String>,
    budget_skipped: Vec<String>,
    recipient_mutations: Vec<String>,
}

#[derive(Serialize)]
struct SnapshotView {
    matched: usize,
    recorded: usize,
    changed: usize,
    missing: usize,
}

fn page(result: &RunResult) -> Page {
    let failing: Vec<&CaseResult> = result.cases.iter().filter(|c| !c.failures.is_empty()).collect();
    let anchors: BTreeMap<&str, String> =
        failing.iter().enumerate().map(|(n, c)| (c.id.as_str(), format!("case-{}", n + 1))).collect();
    let mut specs: Vec<String> = result.targets.iter().map(|t| t.spec.clone()).collect();
    specs.dedup();
    Page {
        verdict: verdict(result),
        cases: tally::cases(result).into(),
        scenarios: tally::scenarios(result).into(),
        seed: result.seed,
        strict: result.strict,
        dry_run: result.dry_run,
        duration: format!("{:.1} s", result.duration.as_secs_f64()),
        version: env!("CARGO_PKG_VERSION"),
        reproduce: format!("conform run --seed {}{}", result.seed, if result.strict { " --strict" } else { "" }),
        specs,
        targets: result
            .targets
            .iter()
            .map(|t| TargetView {
                spec: t.spec.clone(),
                base_url: t.base_url.clone(),
                sandbox: t.sandbox,
                evidence: t.sandbox_evidence.clone(),
            })
            .collect(),
        hints: hints::base_path(result),
        missing: result.missing.iter().map(|m| MissingView { flag: m.flag(), env: m.env.clone() }).collect(),
        matrix: matrix_view(result, &anchors),
        coverage: coverage(result).iter().map(|r| coverage_view(r, result.strict)).collect(),
        levels: [Level::Doc, Level::Seed, Level::Field, Level::Profile].into_iter().map(level_view).collect(),
        failures: failure_groups(&failing, &anchors, result.strict),
        failure_count: failing.len(),
        cases_table: result.cases.iter().map(|c| case_row(c, &anchors, result.strict)).collect(),
        scenario_list: result.scenarios.iter().enumerate().map(|(n, s)| scenario_view(n, s, result.strict)).collect(),
        skips: tally::skips(result).into_iter().map(skip_view).collect(),
        errors: errors(result),
        send_guard: SendGuardView {
            max_sends: result.send_guard.max_sends,
            held: tally::skips(result).iter().filter(|g| g.kind == ReasonKind::SendGuard).map(|g| g.ids.len()).sum(),
            sends: result.send_guard.sends.clone(),
            budget_skipped: result.send_guard.budget_skipped.clone(),
            recipient_mutations: result.send_guard.recipient_mutations.clone(),
        },
        snapshots: tally::snapshots(result).map(|c| SnapshotView {
            matched: c.matched,
            recorded: c.recorded,
            changed: c.changed,
            missing: c.missing,
        }),
    }
}

fn verdict(result: &RunResult) -> VerdictView {
    let cases = tally::cases(result);
    let scenarios = tally::scenarios(result);
    let failed = cases.failed + scenarios.failed;
    let warned = cases.warned + scenarios.warned;
    let warnings = if warned > 0 {
        format!(" {warned} case(s) or scenario(s) broke only warning-level rules (they fail the run with --strict).")
    } else {
        String::new()
    };
    let (key, words, explanation) = match result.verdict() {
        Verdict::Conformant => (
            "conformant",
            "Conformant",
            format!("Every case and scenario that ran kept the rules that fail a run.{warnings}"),
        ),
        Verdict::Nonconformant => (
            "nonconformant",
            "Not conformant",
            format!("{failed} case(s) or scenario(s) broke a rule that fails the run.{warnings}"),
        ),
        Verdict::Incomplete => (
            "incomplete",
            "Incomplete",
            format!(
                "conform could not run {} case(s) or scenario(s) (see Errors), so the run proves nothing either way.",
                cases.errors + scenarios.errors
            ),
        ),
        Verdict::NothingTested => (
            "nothing",
            "Nothing was tested",
            "No case was sent and answered: every one was skipped (see Skipped), or there were none.".to_owned(),
        ),
    };
    VerdictView { key, words, explanation }
}

/// Which page section status a case or scenario has: `passed`, `failed` (fails the run),
/// `warned` (broke only warnings), `skipped` or `error`.
fn status_key(status: &CaseStatus, failures: &[Failure], strict: bool) -> &'static str {
    match status {
        CaseStatus::Passed => "passed",
        CaseStatus::Skipped(_) => "skipped",
        CaseStatus::Error(_) => "error",
        CaseStatus::Failed if failures.iter().any(|f| f.severity.fails_run(strict)) => "failed",
        CaseStatus::Failed => "warned",
    }
}

fn matrix_view(result: &RunResult, anchors: &BTreeMap<&str, String>) -> MatrixView {
    let matrix = matrix(result);
    let first_failure = |spec: &str, operation: &str, rule: &RuleId| {
        result
            .cases
            .iter()
            .filter(|c| c.spec == spec && c.operation == operation)
            .find(|c| c.failures.iter().any(|f| f.rule == *rule))
            .and_then(|c| anchors.get(c.id.as_str()))
            .map(|a| format!("#{a}"))
    };
    let cell_view = |cell: Cell, spec: &str, operation: &str, rule: &RuleId| {
        let title = format!(
            "{spec}::{operation} × {rule}: {} passed, {} failed, {} warned",
            cell.passed, cell.errors, cell.warnings
        );
        let (class, text) = if cell.is_empty() {
            ("none", "·".to_owned())
        } else if cell.errors > 0 {
            ("fail", format!("✗ {}", cell.errors))
        } else if cell.warnings > 0 {
            ("warn", format!("! {}", cell.warnings))
        } else {
            ("pass", format!("✓ {}", cell.passed))
        };
        let href = if cell.errors + cell.warnings > 0 { first_failure(spec, operation, rule) } else { None };
        let judged = cell.passed + cell.errors + cell.warnings;
        let of = (cell.errors + cell.warnings > 0).then_some(judged);
        CellView { class, text, of, title, href }
    };
    MatrixView {
        columns: matrix
            .columns
            .iter()
            .map(|rule| ColumnView { label: column(rule).to_owned(), rule: rule.to_string() })
            .collect(),
        rows: matrix
            .rows
            .iter()
            .map(|row| MatrixRowView {
                spec: row.spec.clone(),
                operation: row.operation.clone(),
                cells: matrix
                    .columns
                    .iter()
                    .map(|rule| cell_view(row.cell(rule), &row.spec, &row.operation, rule))
                    .collect(),
                not_run: result
                    .cases
                    .iter()
                    .filter(|c| c.spec == row.spec && c.operation == row.operation)
                    .filter(|c| matches!(c.status, CaseStatus::Skipped(_) | CaseStatus::Error(_)))
                    .count(),
            })
            .collect(),
    }
}

fn level_view(level: Level) -> LevelView {
    let (label, meaning) = match level {
        Level::Doc => ("provider docs", "the provider's documentation says it"),
        Level::Seed => ("seed document", "one of the seed documents says it"),
        Level::Field => ("field reports", "third-party integrations report it"),
        Level::Profile => ("conform profile", "decided by this harness where the docs are silent"),
    };
    let effect = match level {
        Level::Doc | Level::Seed => "a failure fails the run",
        Level::Field | Level::Profile => "a failure is a warning; it fails the run with --strict",
    };
    LevelView { level: level.as_str(), label, meaning, effect }
}

fn source_view(source: &Source, strict: bool) -> SourceView {
    SourceView {
        level: source.level.as_str(),
        level_label: level_view(source.level).label,
        cite: source.cite.clone(),
        fails_run: crate::check::Severity::of(source.level).fails_run(strict),
    }
}

fn coverage_view(rule: &RuleCoverage, strict: bool) -> CoverageView {
    let class = if rule.failed > 0 {
        "fail"
    } else if rule.warned > 0 {
        "warn"
    } else if rule.judged > 0 {
        "pass"
    } else {
        "none"
    };
    CoverageView {
        rule: rule.rule.to_string(),
        kind: rule.kind.label(),
        description: rule.description,
        sources: rule.sources.iter().map(|s| source_view(s, strict)).collect(),
        judged: rule.judged,
        passed: rule.passed,
        warned: rule.warned,
        failed: rule.failed,
        class,
    }
}

fn failure_views(failures: &[Failure], strict: bool) -> Vec<FailureView> {
    failures
        .iter()
        .map(|f| FailureView {
            rule: f.rule.to_string(),
            fails_run: f.severity.fails_run(strict),
            source: source_view(&f.source, strict),
            message: f.message.clone(),
        })
        .collect()
}

/// A JSON body pretty-printed; anything else as it is.
fn pretty(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(value) if value.is_object() || value.is_array() => serde_json::to_string_pretty(&value).unwrap_or_default(),
        _ => body.to_owned(),
    }
}

fn request_view(request: &PreparedRequest) -> RequestView {
    RequestView {
        method: request.method.clone(),
        url: request.url.clone(),
        headers: request.headers.clone(),
        body: request.body_text().map(|b| pretty(&b)),
    }
}

fn response_view(response: &ResponseSummary) -> ResponseView {
    let class = match response.status {
        500.. => "server",
        400..=499 => "client",
        _ => "ok",
    };
    ResponseView {
        status: response.status,
        class,
        headers: response.headers.clone(),
        body: pretty(&response.body),
        truncated: response.truncated,
    }
}

fn diff_view(outcome: &crate::snapshot::Outcome) -> Option<DiffView> {
    let diff = outcome.diff.as_ref()?;
    let lines = diff
        .lines()
        .map(|line| {
            let class = if line.starts_with("@@") {
                "hunk"
            } else if line.starts_with('+') {
                "add"
            } else if line.starts_with('-') {
                "del"
            } else {
                "ctx"
            };
            DiffLine { class, text: line.to_owned() }
        })
        .collect();
    Some(DiffView { id: outcome.id.clone(), path: outcome.path.clone(), lines })
}

/// What a case tried, in words.
fn what(kind: &CaseKind) -> String {
    match kind {
        CaseKind::Positive => "a valid request".to_owned(),
        CaseKind::Negative(m) => format!("breaks {}: {} ({})", m.target, m.kind.as_str(), m.constraint),
        CaseKind::Protocol(Probe::UndocumentedMethod { method }) => format!("an undocumented method, {method}"),
        CaseKind::Protocol(Probe::MissingContentType) => "a body without Content-Type".to_owned(),
        CaseKind::Protocol(Probe::WrongContentType { content_type }) => format!("a body labelled {content_type}"),
        CaseKind::Protocol(Probe::MissingCredential { scheme }) => format!("no {scheme} credential"),
        CaseKind::Protocol(Probe::WrongCredential { scheme }) => format!("a wrong {scheme} credential"),
        CaseKind::Step => "a scenario step".to_owned(),
        CaseKind::Example { name } => format!("the spec's request example `{name}`"),
    }
}

fn case_view(case: &CaseResult, anchors: &BTreeMap<&str, String>, strict: bool) -> CaseView {
    CaseView {
        anchor: anchors.get(case.id.as_str()).cloned().unwrap_or_default(),
        id: case.id.to_string(),
        spec: case.spec.clone(),
        operation: case.operation.clone(),
        status: status_key(&case.status, &case.failures, strict),
        seed: case.seed,
        kind: case.kind.label(),
        what: what(&case.kind),
        shrink_steps: case.shrink_steps,
        failures: failure_views(&case.failures, strict),
        request: case.request.as_ref().map(request_view),
        response: case.response.as_ref().map(response_view),
        curl: case.curl.clone(),
        diff: case.snapshot.as_ref().and_then(diff_view),
    }
}

/// The failing cases by operation, operations sorted like the matrix rows, cases in run order.
fn failure_groups(failing: &[&CaseResult], anchors: &BTreeMap<&str, String>, strict: bool) -> Vec<FailureGroup> {
    let mut groups: BTreeMap<(&str, &str), Vec<CaseView>> = BTreeMap::new();
    for case in failing {
        groups.entry((&case.spec, &case.operation)).or_default().push(case_view(case, anchors, strict));
    }
    groups
        .into_iter()
        .map(|((spec, operation), cases)| FailureGroup {
            spec: spec.to_owned(),
            operation: operation.to_owned(),
            cases,
        })
        .collect()
}

fn case_row(case: &CaseResult, anchors: &BTreeMap<&str, String>, strict: bool) -> CaseRow {
    let status = status_key(&case.status, &case.failures, strict);
    let note = match &case.status {
        CaseStatus::Skipped(reason) | CaseStatus::Error(reason) => Some(reason.message.clone()),
        CaseStatus::Failed => Some(case.failures.iter().map(|f| f.rule.to_string()).collect::<Vec<_>>().join(", ")),
        CaseStatus::Passed => None,
    };
    let link = match &case.status {
        CaseStatus::Failed => anchors.get(case.id.as_str()).map(|a| format!("#{a}")),
        CaseStatus::Skipped(_) => Some("#skipped".to_owned()),
        CaseStatus::Error(_) => Some("#errors".to_owned()),
        CaseStatus::Passed => None,
    };
    CaseRow {
        id: case.id.to_string(),
        status,
        kind: case.kind.label(),
        what: what(&case.kind),
        response_status: case.response.as_ref().map(|r| r.status),
        link,
        note,
    }
}

fn scenario_view(n: usize, scenario: &ScenarioResult, strict: bool) -> ScenarioView {
    let reason = match &scenario.status {
        CaseStatus::Skipped(reason) | CaseStatus::Error(reason) => Some(reason.message.clone()),
        _ => None,
    };
    ScenarioView {
        anchor: format!("scenario-{}", n + 1),
        id: scenario.id.clone(),
        rule: scenario.rule.to_string(),
        source: source_view(&scenario.source, strict),
        status: status_key(&scenario.status, &scenario.failures, strict),
        seed: scenario.seed,
        reason,
        failures: failure_views(&scenario.failures, strict),
        input: scenario.input.clone(),
        shrink_steps: scenario.shrink_steps,
        steps: scenario
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepView {
                number: i + 1,
                step: s.step.clone(),
                action: s.action.clone(),
                expected: s.expected.clone(),
                request: s.request.as_ref().map(request_view),
                response: s.response.as_ref().map(response_view),
                curl: s.curl.clone(),
            })
            .collect(),
        diffs: scenario.snapshots.iter().filter_map(diff_view).collect(),
    }
}

fn reason_label(kind: ReasonKind) -> &'static str {
    match kind {
        ReasonKind::DryRun => "dry run",
        ReasonKind::SendGuard => "send guard",
        ReasonKind::MissingVariable => "missing variable",
        ReasonKind::NeedsSandbox => "needs the sandbox",
        ReasonKind::RateLimited => "rate limited",
        ReasonKind::NoInput => "no input",
        ReasonKind::NoAnswer => "no answer",
        ReasonKind::Sandbox => "sandbox refused",
        ReasonKind::Harness => "harness",
    }
}

fn skip_view(group: SkipGroup<'_>) -> SkipView {
    SkipView {
        kind: reason_label(group.kind),
        message: group.message.to_owned(),
        ids: group.ids.iter().map(|id| (*id).to_owned()).collect(),
    }
}

fn errors(result: &RunResult) -> Vec<ErrorView> {
    let cases = result.cases.iter().map(|c| (c.id.as_str(), &c.status));
    let scenarios = result.scenarios.iter().map(|s| (s.id.as_str(), &s.status));
    cases
        .chain(scenarios)
        .filter_map(|(id, status)| match status {
            CaseStatus::Error(reason) => {
                Some(ErrorView { id: id.to_owned(), kind: reason_label(reason.kind), message: reason.message.clone() })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{self, HOSTILE_BODY};

    /// The page without its inline style and script, which are static.
    fn body_of(page: &str) -> String {
        let cut = |text: &str, open: &str, close: &str| -> String {
            match (text.find(open), text.find(close)) {
                (Some(a), Some(b)) => format!("{}{open}…{}", &text[..a], &text[b..]),
                _ => text.to_owned(),
            }
        };
        cut(&cut(page, "<style>", "</style>"), "<script>", "</script>")
    }

    #[test]
    fn renders_a_small_run() {
        let page = render(&testing::result()).unwrap();
        insta::assert_snapshot!(body_of(&page));
    }

    #[test]
    fn a_hostile_body_stays_text() {
        let page = render(&testing::rich_result()).unwrap();
        assert!(!page.contains(HOSTILE_BODY), "the body went into the page unescaped");
        assert!(!page.contains("<img"), "no markup from the body");
        assert!(page.contains("&lt;&#x2f;script&gt;&lt;img src=x onerror="), "the body is shown, escaped");
        assert_eq!(page.matches("<script>").count(), 1, "only the page's own script");
        assert_eq!(page.matches("</script>").count(), 1);
    }

    #[test]
    fn shows_every_part_of_a_rich_run() {
        let result = testing::rich_result();
        let page = render(&result).unwrap();
        assert!(page.contains(r#"<h1 data-verdict="incomplete">Incomplete</h1>"#), "an error makes the run incomplete");
        for (count, value) in [("cases.total", 6), ("cases.passed", 1), ("cases.failed", 2), ("cases.warned", 1)] {
            assert!(page.contains(&format!(r#"data-count="{count}">{value}<"#)), "{count} = {value}");
        }
        assert!(page.contains(r#"data-count="scenarios.failed">1<"#));
        assert!(page.contains(r#"<span class="del">-success: true</span>"#), "the snapshot diff, coloured");
        assert!(page.contains(r#"<span class="add">+success: false</span>"#));
        assert!(page.contains("--var wawp.access_token=VALUE"), "missing variables");
        assert!(page.contains("validate-again"), "scenario steps");
        assert!(page.contains("no complete answer within 10000 ms"), "errors");
        assert!(page.contains(r#"<td class="cell fail" title="hypersender::request-code × not_a_server_error"#));
        assert!(page.contains(r##"<a href="#case-2">✗ 1</a>"##), "a failing cell links to its failure");
        assert!(page.contains(r#"id="case-2""#));
        assert!(
            page.contains(r##"<td class="cell skip"><a href="#skipped">1</a></td>"##),
            "cases not run, per operation"
        );
        assert!(page.contains("hypersender</span> request-code <small class=\"muted\">1 failing case(s)"), "grouped");
    }

    #[test]
    fn an_empty_run_still_renders() {
        let mut result = testing::result();
        result.cases.clear();
        result.targets.clear();
        let page = render(&result).unwrap();
        assert!(page.contains("Nothing was tested") && page.contains("No cases:"), "{page}");
    }
}
