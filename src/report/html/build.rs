//! From a run's result to the page's view ([`super::page`]): the verdict in words, the matrix
//! with each failing cell's link, failures grouped by operation, rules with their sources, skips
//! by reason. Only reads the result; every value was masked by the run.

use std::collections::BTreeMap;

use super::page::{
    CaseRow, CaseView, CellView, ColumnView, CoverageView, DiffLine, DiffView, ErrorView, FailureGroup, FailureView,
    LevelView, MatrixRowView, MatrixView, MissingView, Page, RequestView, ResponseView, ScenarioView, SendGuardView,
    SkipView, SourceView, SpecWarningView, StepView, TargetView, UniqueView, VerdictView,
};
use crate::case::{CaseKind, Probe};
use crate::check::{Failure, RuleId};
use crate::http::PreparedRequest;
use crate::report::coverage::{RuleCoverage, coverage};
use crate::report::hints;
use crate::report::matrix::{self, Cell, RowKey, RowKind};
use crate::report::tally::{self, Counts, Outcome, SkipGroup};
use crate::report::unique::unique_failures;
use crate::results::{CaseResult, CaseStatus, ReasonKind, ResponseSummary, RunResult, ScenarioResult, Verdict};
use crate::spec::{Level, Source};

pub(super) fn page(result: &RunResult) -> Page {
    let failing: Vec<&CaseResult> = result.cases.iter().filter(|c| !c.failures.is_empty()).collect();
    let anchors: BTreeMap<&str, String> =
        failing.iter().enumerate().map(|(n, c)| (c.id.as_str(), format!("case-{}", n + 1))).collect();
    let mut specs: Vec<String> = result.targets.iter().map(|t| t.spec.clone()).collect();
    specs.dedup();
    Page {
        verdict: verdict(result),
        cases: Counts::cases(result),
        scenarios: Counts::scenarios(result),
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
        spec_warnings: result
            .spec_warnings
            .iter()
            .map(|w| SpecWarningView { location: w.location(), message: w.message.clone() })
            .collect(),
        missing: result.missing.iter().map(|m| MissingView { flag: m.flag(), env: m.env.clone() }).collect(),
        matrix: matrix_view(result, &anchors),
        coverage: coverage(result).iter().map(|r| coverage_view(r, result.strict)).collect(),
        levels: [Level::Doc, Level::Seed, Level::Field, Level::Profile].into_iter().map(level_view).collect(),
        unique: unique(result, &anchors),
        failures: failure_groups(&failing, &anchors, result.strict),
        failure_count: failing.len(),
        cases_table: result.cases.iter().map(|c| case_row(c, &anchors, result.strict)).collect(),
        scenario_list: result.scenarios.iter().enumerate().map(|(n, s)| scenario_view(n, s, result.strict)).collect(),
        skips: tally::skips(result).into_iter().map(skip_view).collect(),
        errors: errors(result),
        send_guard: send_guard(result),
        snapshots: tally::snapshots(result),
    }
}

/// Each unique failure once, linked to its smallest case's block.
fn unique(result: &RunResult, anchors: &BTreeMap<&str, String>) -> Vec<UniqueView> {
    unique_failures(result)
        .iter()
        .map(|group| UniqueView {
            rule: group.failure.rule.to_string(),
            fails_run: group.fails_run(result.strict),
            spec: group.spec.to_owned(),
            operation: group.operation.to_owned(),
            message: crate::report::short_body::short_middle(&group.failure.message, 400),
            count: group.count(),
            kinds: group.kinds(),
            href: anchors.get(group.smallest.id.as_str()).map(|a| format!("#{a}")),
        })
        .collect()
}

/// What the send guard did, and whether it did anything.
fn send_guard(result: &RunResult) -> SendGuardView {
    let guard = &result.send_guard;
    let held = tally::skips_by_kind(result).get(&ReasonKind::SendGuard).map_or(0, |(count, _)| *count);
    SendGuardView {
        active: held > 0
            || !guard.sends.is_empty()
            || !guard.budget_skipped.is_empty()
            || !guard.recipient_mutations.is_empty(),
        max_sends: guard.max_sends,
        held,
        sends: guard.sends.clone(),
        budget_skipped: guard.budget_skipped.clone(),
        recipient_mutations: guard.recipient_mutations.clone(),
    }
}

fn verdict(result: &RunResult) -> VerdictView {
    let cases = Counts::cases(result);
    let scenarios = Counts::scenarios(result);
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

/// The matrix with the operations' and the suites' rows, every check's column (judged or not) and
/// the other rules that were judged; a failing cell links to its row's first failure of that rule.
fn matrix_view(result: &RunResult, anchors: &BTreeMap<&str, String>) -> MatrixView {
    let rows = matrix::rows(result);
    let columns = matrix::columns(rows.values());
    let first_failure = |key: &RowKey, rule: &RuleId| -> Option<String> {
        let broke = |failures: &[Failure]| failures.iter().any(|f| f.rule == *rule);
        match key.kind {
            RowKind::Operation => result
                .cases
                .iter()
                .filter(|c| c.spec == key.spec && c.operation == key.name)
                .find(|c| broke(&c.failures))
                .and_then(|c| anchors.get(c.id.as_str()))
                .map(|a| format!("#{a}")),
            RowKind::Suite => result
                .scenarios
                .iter()
                .position(|s| s.spec == key.spec && s.suite == key.name && broke(&s.failures))
                .map(scenario_anchor)
                .map(|a| format!("#{a}")),
        }
    };
    let cell_view = |cell: Cell, key: &RowKey, rule: &RuleId| {
        let title =
            format!("{} × {rule}: {} passed, {} failed, {} warned", key.label(), cell.passed, cell.failed, cell.warned);
        let (class, text) = if cell.total() == 0 {
            ("none", "·".to_owned())
        } else if cell.failed > 0 {
            ("fail", format!("✗ {}", cell.failed))
        } else if cell.warned > 0 {
            ("warn", format!("! {}", cell.warned))
        } else {
            ("pass", format!("✓ {}", cell.passed))
        };
        let broken = cell.failed + cell.warned > 0;
        let href = if broken { first_failure(key, rule) } else { None };
        CellView { class, text, of: broken.then_some(cell.total()), title, href }
    };
    MatrixView {
        columns: columns
            .iter()
            .map(|rule| ColumnView { label: matrix::column(rule).to_owned(), rule: rule.to_string() })
            .collect(),
        rows: rows
            .iter()
            .map(|(key, row)| MatrixRowView {
                spec: key.spec.clone(),
                place: key.place(),
                cells: columns.iter().map(|rule| cell_view(row.cell(rule), key, rule)).collect(),
                not_run: row.not_run(),
                not_run_href: if row.skipped > 0 { "#skipped" } else { "#errors" },
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
    let class = if rule.counts.failed > 0 {
        "fail"
    } else if rule.counts.warned > 0 {
        "warn"
    } else if rule.judged() > 0 {
        "pass"
    } else {
        "none"
    };
    CoverageView {
        rule: rule.rule.to_string(),
        kind: rule.kind.label(),
        description: rule.description,
        sources: rule.sources.iter().map(|s| source_view(s, strict)).collect(),
        judged: rule.judged(),
        passed: rule.counts.passed,
        warned: rule.counts.warned,
        failed: rule.counts.failed,
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

fn diff_view(outcome: &crate::snapshot::Comparison) -> Option<DiffView> {
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
        CaseKind::Hostile { name } => format!("hostile input `{name}` (judged only for what holds for any answer)"),
    }
}

fn case_view(case: &CaseResult, anchors: &BTreeMap<&str, String>, strict: bool) -> CaseView {
    CaseView {
        anchor: anchors.get(case.id.as_str()).cloned().unwrap_or_default(),
        id: case.id.to_string(),
        spec: case.spec.clone(),
        operation: case.operation.clone(),
        status: Outcome::case(case, strict).key(),
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
    let status = Outcome::case(case, strict).key();
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

/// The anchor of the `n`th scenario (from 0) in the page's list.
fn scenario_anchor(n: usize) -> String {
    format!("scenario-{}", n + 1)
}

fn scenario_view(n: usize, scenario: &ScenarioResult, strict: bool) -> ScenarioView {
    let reason = match &scenario.status {
        CaseStatus::Skipped(reason) | CaseStatus::Error(reason) => Some(reason.message.clone()),
        _ => None,
    };
    ScenarioView {
        anchor: scenario_anchor(n),
        id: scenario.id.clone(),
        rule: scenario.rule.to_string(),
        source: source_view(&scenario.source, strict),
        status: Outcome::scenario(scenario, strict).key(),
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
