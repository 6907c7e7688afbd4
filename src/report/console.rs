//! The console report: the spec problems that did not stop the run, the operation × check
//! matrix, each unique failure once with its count and its smallest reproduction, the skips with
//! their reasons (first, when they are most of the run), and a closing summary line. A pure
//! function of the [`RunResult`]: the matrix and the counts come from its tally (kept cases and
//! counted ones alike), the failures from the kept cases (every case that did not pass is kept),
//! grouped as [`unique`](super::unique) says. Every case's whole exchange is in the JSON and HTML
//! reports; the console shows bodies short ([`short_body`](super::short_body)).

use std::fmt::Write;

use super::matrix::{self, Cell, Row, RowKey, RowKind};
use super::short_body::{self, short_body, short_middle, short_text};
use super::tally::{self, Counts, Outcome};
use super::unique::{UniqueFailure, unique_failures};
use crate::case::CaseKind;
use crate::check::Failure;
use crate::results::{CaseResult, CaseStatus, RunResult, ScenarioResult, SendGuardReport};

/// A cell of the console matrix: `ok N`, `W N`, `FAIL N`, or `-` when the rule never ran there.
fn cell(cell: Cell) -> String {
    match (cell.failed, cell.warned) {
        (0, 0) if cell.passed == 0 => "-".to_owned(),
        (0, 0) => format!("ok {}", cell.passed),
        (0, w) => format!("W {w}"),
        (e, _) => format!("FAIL {e}"),
    }
}

/// The matrix: one row per operation, one column per check, counting exchanges (the shared
/// [`matrix`](super::matrix); scenarios have their own section).
pub fn matrix(result: &RunResult) -> String {
    let rows: Vec<(RowKey, Row)> =
        matrix::rows(result).into_iter().filter(|(k, _)| k.kind == RowKind::Operation).collect();
    let width = rows.iter().map(|(k, _)| k.label().len()).max().unwrap_or(9).max(9);
    let columns = matrix::columns(rows.iter().map(|(_, r)| r));
    let mut out = format!("{:<width$}", "operation");
    for rule in &columns {
        let _ = write!(out, " {:>8}", matrix::column(rule));
    }
    out.push('\n');
    for (key, row) in &rows {
        let _ = write!(out, "{:<width$}", key.label());
        for rule in &columns {
            let _ = write!(out, " {:>8}", cell(row.cell(rule)));
        }
        out.push('\n');
    }
    out
}

/// A failure's severity as this run counts it: `error`, or `warning`.
fn label(failure: &Failure, strict: bool) -> String {
    if failure.severity.fails_run(strict) { failure.severity.to_string() } else { "warning".to_owned() }
}

/// Each failure with its rule, its severity as this run counts it, and its source.
fn failure_lines(failures: &[Failure], strict: bool) -> String {
    let mut out = String::new();
    for failure in failures {
        let _ = writeln!(out, "  {}[{}] {}", label(failure, strict), failure.rule, failure.message);
        let _ = writeln!(out, "    source: {}", failure.source);
    }
    out
}

/// One failing case, with everything needed to reproduce it.
pub fn failure_block(case: &CaseResult, strict: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--- {} (seed {})", case.id, case.seed);
    out.push_str(&failure_lines(&case.failures, strict));
    if let CaseKind::Negative(mutation) = &case.kind {
        let _ = writeln!(out, "  mutation: {} {} ({})", mutation.target, mutation.kind.as_str(), mutation.constraint);
    }
    if case.shrink_steps > 0 {
        let _ = writeln!(out, "  shrunk in {} steps to:", case.shrink_steps);
    }
    if let Some(request) = &case.request {
        let _ = writeln!(out, "  request:  {} {}", request.method, request.url);
        if let Some(body) = request.body_text() {
            let _ = writeln!(out, "            {body}");
        }
    }
    if let Some(response) = &case.response {
        let content_type = response.headers.iter().find(|(n, _)| n == "content-type").map_or("-", |(_, v)| v.as_str());
        let _ = writeln!(out, "  response: {} ({content_type})", response.status);
        if !response.body.is_empty() {
            let ellipsis = if response.truncated { " …" } else { "" };
            let _ = writeln!(out, "            {}{ellipsis}", response.body);
        }
    }
    if let Some(curl) = &case.curl {
        let _ = writeln!(out, "  reproduce: {curl}");
    }
    if let Some(outcome) = &case.snapshot {
        out.push_str(&snapshot_diff(outcome));
    }
    out
}

/// A changed snapshot's unified diff (committed `-`, now `+`), each line after `  │ `.
pub fn snapshot_diff(outcome: &crate::snapshot::Comparison) -> String {
    let mut out = String::new();
    if let Some(diff) = &outcome.diff {
        let _ = writeln!(out, "  snapshot {} ({}):", outcome.id, outcome.path.as_deref().unwrap_or_default());
        for line in diff.lines() {
            let _ = writeln!(out, "  │ {line}");
        }
    }
    out
}

/// The snapshots of the run: how many matched, were recorded, changed or are missing; and the
/// scenario steps whose snapshot failed, with their diffs (cases show theirs in their block).
fn snapshots(result: &RunResult) -> String {
    let Some(counts) = tally::snapshots(result) else { return String::new() };
    let outcomes = tally::snapshot_outcomes(result);
    let mut out = String::new();
    let failing: Vec<&&crate::snapshot::Comparison> = outcomes
        .iter()
        .filter(|o| o.failure().is_some() && result.scenarios.iter().any(|s| s.snapshots.contains(o)))
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(
            out,
            "
scenario steps whose snapshot failed:"
        );
        for outcome in failing {
            if let Some(failure) = outcome.failure() {
                let _ = writeln!(out, "  error[snapshot] {}", failure.message);
            }
            out.push_str(&snapshot_diff(outcome));
        }
    }
    let _ = writeln!(
        out,
        "
snapshots: {} matched, {} recorded, {} changed, {} missing",
        counts.matched, counts.recorded, counts.changed, counts.missing,
    );
    out
}

/// The whole console report.
pub fn render(result: &RunResult) -> String {
    let mut out = String::new();
    for target in &result.targets {
        let sandbox = if target.sandbox { "with sandbox" } else { "no sandbox" };
        let _ = writeln!(out, "target {}: {} ({sandbox})", target.spec, target.base_url);
        let _ = writeln!(out, "  sandbox: {}", target.sandbox_evidence);
    }
    out.push_str(&spec_warnings(result));
    out.push_str(&mostly_skipped(result));
    out.push('\n');
    out.push_str(&matrix(result));
    out.push_str(&failures(result));
    out.push_str(&scenarios(result));
    let skips = tally::skips_by_message(result);
    if !skips.is_empty() {
        let _ = writeln!(out, "\nskipped:");
        for (reason, count) in skips {
            let _ = writeln!(out, "  {count:>4} × {reason}");
        }
    }
    if !result.missing.is_empty() {
        let _ = writeln!(out, "\nmissing variables (the cases that need them were skipped); add:");
        for missing in &result.missing {
            let _ = writeln!(out, "  {}   (or set {})", missing.flag(), missing.env);
        }
    }
    if result.total_cases() == 0 {
        let _ = writeln!(out, "\nno cases: the specs document no operation conform can call (paths are empty)");
    }
    let errors: Vec<&CaseResult> = result.cases.iter().filter(|c| matches!(c.status, CaseStatus::Error(_))).collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "\nerrors (conform could not run these):");
        for case in errors {
            if let CaseStatus::Error(message) = &case.status {
                let _ = writeln!(out, "  {}: {message}", case.id);
            }
        }
    }
    out.push_str(&snapshots(result));
    out.push_str(&send_guard(&result.send_guard));
    for hint in super::hints::base_path(result) {
        let _ = writeln!(out, "\nhint: {hint}");
    }
    out.push('\n');
    out.push_str(&summary(result));
    out
}

/// What `conform lint` finds in specs that loaded all the same, as warnings, each with its place.
fn spec_warnings(result: &RunResult) -> String {
    let mut out = String::new();
    if result.spec_warnings.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nspec warnings ({}; `conform lint` reports them too; the specs loaded and the run went on):",
        result.spec_warnings.len()
    );
    for warning in &result.spec_warnings {
        let _ = writeln!(out, "  warning: {}\n    --> {}", warning.message, warning.location());
    }
    out
}

/// The most skip reasons said before the matrix when most of a run was skipped.
const TOP_SKIP_REASONS: usize = 5;

/// When at least half of the cases and scenarios were skipped, that comes first (before the
/// matrix), with the most frequent reasons: what was not sent was not tested.
fn mostly_skipped(result: &RunResult) -> String {
    let (cases, scenarios) = (Counts::cases(result), Counts::scenarios(result));
    let (skipped, total) = (cases.skipped + scenarios.skipped, cases.total + scenarios.total);
    let mut out = String::new();
    if skipped == 0 || skipped * 2 < total {
        return out;
    }
    let mut reasons: Vec<(&str, usize)> = tally::skips_by_message(result).into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(
        out,
        "\nskipped: {skipped} of {total} cases and scenarios ({}%) were not sent, so not tested. The reasons:",
        skipped * 100 / total.max(1)
    );
    for (reason, count) in reasons.iter().take(TOP_SKIP_REASONS) {
        let _ = writeln!(out, "  {count:>4} × {reason}");
    }
    if reasons.len() > TOP_SKIP_REASONS {
        let _ = writeln!(out, "  … and {} more reasons (all under `skipped:` below)", reasons.len() - TOP_SKIP_REASONS);
    }
    if !result.missing.is_empty() {
        let _ = writeln!(out, "  (the variables to give are under `missing variables` below)");
    }
    out
}

/// Each unique failure once, those that fail the run first.
fn failures(result: &RunResult) -> String {
    let groups = unique_failures(result);
    let mut out = String::new();
    if groups.is_empty() {
        return out;
    }
    let failing = result.cases.iter().filter(|c| !c.failures.is_empty()).count();
    let _ = writeln!(
        out,
        "\nfailures: {} unique in {failing} case(s), each once with its smallest case (every case is in the \
         JSON and HTML reports)",
        groups.len()
    );
    for group in &groups {
        out.push('\n');
        out.push_str(&unique_block(group, result.strict));
    }
    out
}

/// About the most characters of a failure's message that the console shows (its start and its end).
const MAX_MESSAGE_CHARS: usize = 800;

/// One unique failure: rule, operation and count on its first line, then its message and source,
/// and the reproduction of its smallest case with the answer's body short.
pub fn unique_block(group: &UniqueFailure<'_>, strict: bool) -> String {
    let mut out = String::new();
    let (failure, case) = (group.failure, group.smallest);
    let count = match group.count() {
        1 => String::new(),
        n => format!(" × {n} cases ({})", group.kinds()),
    };
    let _ = writeln!(out, "{}[{}] {}::{}{count}", label(failure, strict), failure.rule, group.spec, group.operation);
    let vary = if group.messages_vary { " (values vary from case to case)" } else { "" };
    let _ = writeln!(out, "  {}{vary}", short_middle(&failure.message, MAX_MESSAGE_CHARS));
    let _ = writeln!(out, "  source: {}", failure.source);
    let shrunk = if case.shrink_steps > 0 { format!(", shrunk in {} steps", case.shrink_steps) } else { String::new() };
    let _ = writeln!(out, "  case: {} (seed {}{shrunk})", case.id, case.seed);
    if let CaseKind::Negative(mutation) = &case.kind {
        let _ = writeln!(out, "  mutation: {} {} ({})", mutation.target, mutation.kind.as_str(), mutation.constraint);
    }
    if let Some(request) = &case.request {
        let _ = writeln!(out, "  request:  {} {}", request.method, request.url);
        if let Some(body) = request.body_text() {
            let _ = writeln!(out, "            {}", short_text(&body, short_body::MAX_CHARS));
        }
    }
    if let Some(response) = &case.response {
        let content_type = response.headers.iter().find(|(n, _)| n == "content-type").map_or("-", |(_, v)| v.as_str());
        let body = short_body(response);
        let body = if body.is_empty() { String::new() } else { format!(": {body}") };
        let _ = writeln!(out, "  response: {} ({content_type}){body}", response.status);
    }
    if let Some(curl) = &case.curl {
        let _ = writeln!(out, "  reproduce: {curl}");
    }
    if let Some(outcome) = &case.snapshot {
        out.push_str(&snapshot_diff(outcome));
    }
    out
}

/// What the send guard did, when it had anything to do: the calls made (masked recipients), and
/// the cases it held back for the budget or because they broke their own recipient.
fn send_guard(report: &SendGuardReport) -> String {
    let mut out = String::new();
    if !report.sends.is_empty() {
        let _ = writeln!(
            out,
            "\nmessages sent to targets without a sandbox: {} (--max-sends {})",
            report.sends.len(),
            report.max_sends
        );
        let _ = writeln!(out, "  {}", report.sends.join(", "));
    }
    if !report.budget_skipped.is_empty() {
        let _ = writeln!(
            out,
            "\nheld back by the --max-sends budget ({}): {} case(s)",
            report.max_sends,
            report.budget_skipped.len()
        );
        for id in &report.budget_skipped {
            let _ = writeln!(out, "  {id}");
        }
    }
    if !report.recipient_mutations.is_empty() {
        let _ = writeln!(
            out,
            "\nnot sent because their broken value is the recipient itself: {} case(s)",
            report.recipient_mutations.len()
        );
    }
    out
}

/// The suites' scenarios: one line each (rule, status, source), then a block per failing one
/// with every step of its flow.
fn scenarios(result: &RunResult) -> String {
    let mut out = String::new();
    if result.scenarios.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nscenarios:");
    let width = result.scenarios.iter().map(|s| s.id.len()).max().unwrap_or(0);
    for scenario in &result.scenarios {
        let status = match Outcome::scenario(scenario, result.strict) {
            Outcome::Passed => "ok",
            Outcome::Failed => "FAIL",
            Outcome::Warned => "WARN",
            Outcome::Skipped => "skipped",
            Outcome::Error => "ERROR",
        };
        let _ = writeln!(out, "  {:<width$}  {:<8} {:<20} {}", scenario.id, status, scenario.rule, scenario.source);
    }
    for scenario in result.scenarios.iter().filter(|s| !s.failures.is_empty()) {
        out.push('\n');
        out.push_str(&scenario_block(scenario, result.strict));
    }
    out
}

/// One failing scenario: its failures with their sources, then each step of the flow.
pub fn scenario_block(scenario: &ScenarioResult, strict: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--- {} (seed {})", scenario.id, scenario.seed);
    out.push_str(&failure_lines(&scenario.failures, strict));
    if let Some(input) = &scenario.input {
        let shrunk = if scenario.shrink_steps > 0 {
            format!(" (shrunk in {} steps)", scenario.shrink_steps)
        } else {
            String::new()
        };
        let _ = writeln!(out, "  input{shrunk}: {input}");
    }
    let _ = writeln!(out, "  steps:");
    for (n, step) in scenario.steps.iter().enumerate() {
        let answer = step.response.as_ref().map_or_else(String::new, |r| format!("  {}  {}", r.status, short_body(r)));
        let expected = step.expected.as_ref().map_or_else(String::new, |e| format!("  ← {e}"));
        let _ = writeln!(out, "    {}. {} ({}){answer}{expected}", n + 1, step.step, step.action);
    }
    let curls: Vec<&String> = scenario.steps.iter().filter_map(|s| s.curl.as_ref()).collect();
    if !curls.is_empty() {
        let _ = writeln!(out, "  reproduce (each step):");
        for curl in curls {
            let _ = writeln!(out, "    {curl}");
        }
    }
    out
}

/// The closing line: counts, the verdict and the seed to reproduce the run. Before it, how the
/// run stopped early, if it did, and the HTTP requests it sent, by phase.
pub fn summary(result: &RunResult) -> String {
    let sent = (result.requests.total() > 0).then(|| result.requests.to_string());
    let notes: String = result.stopped.iter().map(ToString::to_string).chain(sent).map(|l| l + "\n").collect();
    let cases = Counts::cases(result);
    let strict = if result.strict { ", strict" } else { "" };
    let shard = result.shard.map(|s| format!(", shard {s}")).unwrap_or_default();
    let scenarios = if result.scenarios.is_empty() {
        String::new()
    } else {
        let s = Counts::scenarios(result);
        format!(
            "{} scenarios: {} passed, {} failed, {} warned, {} skipped, {} errors; ",
            s.total, s.passed, s.failed, s.warned, s.skipped, s.errors
        )
    };
    format!(
        "{notes}{} cases: {} passed, {} failed, {} warned, {} skipped, {} errors; {scenarios}{} (seed {}{strict}{shard}, {:.1}s)\n",
        cases.total,
        cases.passed,
        cases.failed,
        cases.warned,
        cases.skipped,
        cases.errors,
        tally::verdict(result.verdict()),
        result.seed,
        result.duration.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::small_result as result;
    use crate::results::{ReasonKind, Verdict};

    #[test]
    fn renders_matrix_failures_skips_and_summary() {
        insta::assert_snapshot!(render(&result()));
    }

    #[test]
    fn each_unique_failure_once_skips_first_and_spec_warnings() {
        let text = render(&crate::report::testing::grouped_result());
        insta::assert_snapshot!(text);
        assert_eq!(text.matches("is not documented").count(), 1, "30 cases, one block: {text}");
        assert!(text.contains("error[status_code_conformance] pets::create × 30 cases (30 positive)"), "{text}");
        assert!(text.contains("case: pets::create::positive::7 (seed 42, shrunk in 2 steps)"), "the shrunk case");
        assert!(text.contains(r#"an HTML page titled "400 Bad Request""#) && !text.contains("<p>line"), "{text}");
        let skipped = text.find("skipped: 40 of 70").expect("skips said first");
        assert!(skipped < text.find("operation ").unwrap(), "before the matrix");
        let warning = text.find("warning: example does not match its schema").expect("the spec warning");
        assert!(warning < skipped, "in the header");
        assert!(text.lines().count() < 50, "{} lines", text.lines().count());
    }

    #[test]
    fn skips_come_first_only_when_they_are_at_least_half_the_run() {
        let first = "were not sent, so not tested";
        let mut result = crate::report::testing::grouped_result();
        assert!(render(&result).contains(first));
        result.cases.truncate(30 + 30);
        assert!(render(&result).contains(first), "30 of 60 skipped");
        result.cases.truncate(30 + 29);
        assert!(!render(&result).contains(first), "29 of 59 skipped");
        let mut many = crate::report::testing::grouped_result();
        for (n, case) in many.cases.iter_mut().skip(30).enumerate() {
            case.status = CaseStatus::Skipped(crate::results::Reason::new(
                ReasonKind::MissingVariable,
                format!("reason {}", n % 7),
            ));
        }
        let text = render(&many);
        assert!(text.contains("  … and 2 more reasons (all under `skipped:` below)"), "the top five: {text}");
    }

    #[test]
    fn strict_turns_warnings_into_failures() {
        let mut strict = result();
        strict.strict = true;
        assert_eq!(strict.verdict(), Verdict::Nonconformant);
        assert!(summary(&strict).contains("1 failed, 0 warned"), "{}", summary(&strict));
        assert_eq!(result().verdict(), Verdict::Conformant);
        assert!(summary(&result()).contains("0 failed, 1 warned"));
        assert!(matrix(&strict).contains("FAIL 1"), "the matrix agrees with the summary: {}", matrix(&strict));
        assert!(matrix(&result()).contains("W 1"));
    }

    #[test]
    fn a_shard_says_which_it_is() {
        let mut shard = result();
        assert!(summary(&shard).contains("(seed 42, 1.5s)"), "{}", summary(&shard));
        shard.shard = Some(crate::plan::Shard::new(2, 3).unwrap());
        shard.strict = true;
        assert!(summary(&shard).contains("(seed 42, strict, shard 2/3, 1.5s)"), "{}", summary(&shard));
    }

    #[test]
    fn nothing_tested_is_not_conformant() {
        let mut skipped = result();
        skipped.cases.retain(|c| matches!(c.status, CaseStatus::Skipped(_)));
        skipped.missing.push(crate::results::MissingVariable {
            spec: "wawp".into(),
            name: "access_token".into(),
            env: "CONFORM_VAR_WAWP_ACCESS_TOKEN".into(),
        });
        assert_eq!(skipped.verdict(), Verdict::NothingTested);
        let text = render(&skipped);
        assert!(
            text.contains("1 cases: 0 passed, 0 failed, 0 warned, 1 skipped, 0 errors; nothing was tested"),
            "{text}"
        );
        assert!(text.contains("--var wawp.access_token=VALUE   (or set CONFORM_VAR_WAWP_ACCESS_TOKEN)"), "{text}");
        skipped.cases.clear();
        assert_eq!(skipped.verdict(), Verdict::NothingTested);
        assert!(render(&skipped).contains("no cases:"));
    }

    #[test]
    fn counted_passed_cases_render_as_kept_ones() {
        let kept = result();
        let mut counted = kept.clone();
        for case in counted.cases.iter().filter(|c| c.status == CaseStatus::Passed) {
            counted.omitted.add(case);
        }
        counted.cases.retain(|c| c.status != CaseStatus::Passed);
        assert!(!counted.omitted.is_empty());
        assert_eq!(render(&counted), render(&kept));
        assert_eq!(counted.verdict(), kept.verdict());
        assert_eq!(counted.tally(), kept.tally());
    }

    #[test]
    fn counted_skipped_cases_count_as_kept_ones() {
        // A dry run's skipped cases may be counted rather than kept: a skipped case judged no rule.
        let mut kept = result();
        for case in kept.cases.iter_mut().filter(|c| matches!(c.status, CaseStatus::Skipped(_))) {
            case.rules.clear();
        }
        let mut counted = kept.clone();
        for case in counted.cases.iter().filter(|c| matches!(c.status, CaseStatus::Skipped(_))) {
            counted.omitted.add(case);
        }
        counted.cases.retain(|c| !matches!(c.status, CaseStatus::Skipped(_)));
        assert_eq!(counted.omitted.cases().skipped, 1);
        assert_eq!(matrix(&counted), matrix(&kept));
        assert_eq!(crate::report::matrix::rows(&counted), crate::report::matrix::rows(&kept));
        assert_eq!(summary(&counted), summary(&kept));
        assert_eq!(counted.tally(), kept.tally());
        assert_eq!(counted.total_cases(), kept.total_cases());
        assert_eq!(counted.count(|s| matches!(s, CaseStatus::Skipped(_))), 1);
        assert_eq!(counted.verdict(), kept.verdict());
    }
}
