//! The Markdown summary, for CI step summaries and pull-request comments: the verdict, the counts,
//! the specs' warnings (what `conform lint` finds in specs that loaded all the same), the
//! operation × rule matrix, the unique failures (rule, source, operation, message, how many
//! cases met each and the smallest of them, as [`unique`](super::unique) groups them), the skips
//! grouped by the kind of their reason, the send guard's account and the missing variables with
//! the `--var` that gives each. Never more than [`md::MAX_CHARS`]: every list is cut with a count
//! of what was left out. The whole reproduction of each failure is in the JUnit, HTML and console
//! reports; this one stays short.

use std::fmt::Write;

use super::matrix::{self, Cell};
use super::md::{self, cell, code};
use super::tally::{self, Counts};
use super::unique::unique_failures;
use super::{Format, ReportError};
use crate::check::Failure;
use crate::results::{CaseStatus, Reason, RunResult};

/// At most this many rows of the matrix, failures, errors and missing variables.
const MAX_ROWS: usize = 50;
const MAX_FAILURES: usize = 40;
const MAX_ERRORS: usize = 20;
const MAX_MISSING: usize = 30;
const MAX_SPEC_WARNINGS: usize = 20;
/// At most this many rule columns in the matrix (the others are counted under it).
const MAX_COLUMNS: usize = 16;

pub fn render(result: &RunResult) -> Result<String, ReportError> {
    let mut out = String::new();
    head(&mut out, result);
    spec_warnings(&mut out, result);
    matrix(&mut out, result);
    failures(&mut out, result);
    errors(&mut out, result);
    skipped(&mut out, result);
    send_guard(&mut out, result);
    missing(&mut out, result);
    let out = md::fit(out);
    if out.len() > md::MAX_CHARS {
        return Err(ReportError::Render { format: Format::Markdown, message: "over its size limit".to_owned() });
    }
    Ok(out)
}

/// The verdict line and the counts table.
fn head(out: &mut String, result: &RunResult) {
    let mark = match result.verdict() {
        crate::results::Verdict::Conformant => "✅",
        crate::results::Verdict::Nonconformant => "❌",
        _ => "⚠️",
    };
    let _ = writeln!(out, "## {mark} conform: {}\n", tally::verdict(result.verdict()));
    let targets: Vec<String> = result
        .targets
        .iter()
        .map(|t| format!("{} {}{}", t.spec, code(&t.base_url), if t.sandbox { "" } else { " (no sandbox)" }))
        .collect();
    let strict = if result.strict { ", `--strict`" } else { "" };
    let _ = writeln!(out, "Seed `{}`{strict}, {:.1}s. Targets: {}.\n", result.seed, result.duration.as_secs_f64(), {
        let mut shown: Vec<String> = targets.iter().take(10).cloned().collect();
        if targets.len() > 10 {
            shown.push(format!("… and {} more", targets.len() - 10));
        }
        if shown.is_empty() { "none".to_owned() } else { shown.join(", ") }
    });
    let row = |name: &str, c: Counts| {
        vec![
            name.to_owned(),
            c.total.to_string(),
            c.passed.to_string(),
            c.failed.to_string(),
            c.warned.to_string(),
            c.skipped.to_string(),
            c.errors.to_string(),
        ]
    };
    let rows = vec![row("cases", Counts::cases(result)), row("scenarios", Counts::scenarios(result))];
    md::table(out, &["", "total", "passed", "failed", "warned", "skipped", "errors"], rows.into_iter(), 2);
}

/// A matrix cell: `✅ 3`, `❌ 1`, `⚠️ 2`, or empty where the rule did not run.
fn mark(cell: Cell) -> String {
    match (cell.failed, cell.warned) {
        (0, 0) if cell.passed == 0 => String::new(),
        (0, 0) => format!("✅ {}", cell.passed),
        (0, w) => format!("⚠️ {w}"),
        (f, _) => format!("❌ {f}"),
    }
}

/// One row per operation or suite, one column per rule that ran, exchanges counted.
fn matrix(out: &mut String, result: &RunResult) {
    let rows = matrix::rows(result);
    if rows.is_empty() {
        return;
    }
    let used: Vec<_> = matrix::columns(rows.values())
        .into_iter()
        .filter(|rule| rows.values().any(|r| r.cell(rule).total() > 0))
        .collect();
    let columns: Vec<_> = used.iter().take(MAX_COLUMNS).collect();
    let _ = writeln!(out, "\n### Operations × rules\n");
    let mut head: Vec<String> = vec!["operation".to_owned()];
    head.extend(columns.iter().map(|r| cell(matrix::column(r))));
    head.push("not run".to_owned());
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    let lines = rows.iter().map(|(key, row)| {
        let mut line = vec![code(&key.label())];
        line.extend(columns.iter().map(|r| mark(row.cell(r))));
        line.push(if row.not_run() == 0 { String::new() } else { row.not_run().to_string() });
        line
    });
    md::table(out, &head, lines.collect::<Vec<_>>().into_iter(), MAX_ROWS);
    if used.len() > columns.len() {
        let _ = writeln!(out, "\n… and {} more rules, not shown as columns", used.len() - columns.len());
    }
}

/// What `conform lint` finds in specs that loaded all the same, each with its place.
fn spec_warnings(out: &mut String, result: &RunResult) {
    if result.spec_warnings.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n### Spec warnings\n\nThe specs loaded and the run went on; `conform lint` reports these too.\n"
    );
    let items = result.spec_warnings.iter().map(|w| format!("{}: {}", code(&w.location()), cell(&w.message)));
    md::list(out, items.collect::<Vec<_>>().into_iter(), MAX_SPEC_WARNINGS);
}

/// Each unique failure once (then each failing scenario), those that fail the run first: rule,
/// severity, source, where, message, how many cases met it, and its smallest case.
fn failures(out: &mut String, result: &RunResult) {
    let cases = unique_failures(result).into_iter().map(|group| {
        let place = format!("{}::{}", group.spec, group.operation);
        (group.failure, place, group.count(), group.smallest.id.as_str().to_owned())
    });
    let scenarios = result
        .scenarios
        .iter()
        .flat_map(|s| s.failures.iter().map(move |f| (f, format!("{}::suite {}", s.spec, s.suite), 1, s.id.clone())));
    let mut all: Vec<(&Failure, String, usize, String)> = cases.chain(scenarios).collect();
    if all.is_empty() {
        return;
    }
    all.sort_by_key(|(f, _, _, _)| !f.severity.fails_run(result.strict));
    let _ = writeln!(out, "\n### Failures\n");
    let rows = all.into_iter().map(|(failure, place, count, id)| {
        let level = if failure.severity.fails_run(result.strict) { "error" } else { "warning" };
        vec![
            code(failure.rule.as_str()),
            level.to_owned(),
            cell(&failure.source.to_string()),
            code(&place),
            cell(&failure.message),
            count.to_string(),
            code(&id),
        ]
    });
    md::table(
        out,
        &["rule", "severity", "source", "operation", "message", "cases", "smallest case"],
        rows.collect::<Vec<_>>().into_iter(),
        MAX_FAILURES,
    );
}

/// The cases and scenarios conform could not run, with why.
fn errors(out: &mut String, result: &RunResult) {
    let errors: Vec<(String, &Reason)> = result
        .cases
        .iter()
        .filter_map(|c| if let CaseStatus::Error(r) = &c.status { Some((c.id.as_str().to_owned(), r)) } else { None })
        .chain(
            result
                .scenarios
                .iter()
                .filter_map(|s| if let CaseStatus::Error(r) = &s.status { Some((s.id.clone(), r)) } else { None }),
        )
        .collect();
    if errors.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### Errors (conform could not run these)\n");
    let items: Vec<String> = errors.iter().map(|(id, r)| format!("{}: {}", code(id), cell(&r.message))).collect();
    md::list(out, items.into_iter(), MAX_ERRORS);
}

/// The skips grouped by their reason's kind: how many, and one reason as an example.
fn skipped(out: &mut String, result: &RunResult) {
    let kinds = tally::skips_by_kind(result);
    if kinds.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### Skipped\n");
    let rows = kinds.iter().map(|(kind, (count, example))| {
        let kind = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        vec![code(&kind), count.to_string(), cell(example)]
    });
    md::table(out, &["reason", "count", "for example"], rows.collect::<Vec<_>>().into_iter(), MAX_ROWS);
}

/// What the send guard let through and held back, when it had anything to do.
fn send_guard(out: &mut String, result: &RunResult) {
    let guard = &result.send_guard;
    if guard.sends.is_empty() && guard.budget_skipped.is_empty() && guard.recipient_mutations.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### Send guard\n");
    let _ = writeln!(
        out,
        "- messages sent to targets without a sandbox: {} (`--max-sends {}`)",
        guard.sends.len(),
        guard.max_sends
    );
    let _ = writeln!(out, "- held back by the budget: {} case(s)", guard.budget_skipped.len());
    let _ = writeln!(
        out,
        "- not sent because their broken value is the recipient itself: {} case(s)",
        guard.recipient_mutations.len()
    );
}

/// The variables some cases needed and had no value for, each with the flag that gives it.
fn missing(out: &mut String, result: &RunResult) {
    if result.missing.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### Missing variables\n\nThe cases that need them were skipped. Add:\n");
    let items: Vec<String> =
        result.missing.iter().map(|m| format!("{} (or set {})", code(&m.flag()), code(&m.env))).collect();
    md::list(out, items.into_iter(), MAX_MISSING);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckId, RuleId};
    use crate::report::testing;
    use crate::results::{MissingVariable, ReasonKind};
    use crate::spec::{Level, Source};

    fn result() -> RunResult {
        let mut result = testing::result();
        result.missing.push(MissingVariable {
            spec: "zapi".into(),
            name: "token".into(),
            env: "CONFORM_VAR_ZAPI_TOKEN".into(),
        });
        result.send_guard.max_sends = 10;
        result.send_guard.sends.push("55••••••2826".into());
        let mut scenario = result.scenarios[0].clone();
        scenario.id = "zapi::zapi::code-is-single-use".into();
        scenario.status = CaseStatus::Failed;
        scenario.failures.push(Failure::new(
            RuleId::new("single-use"),
            Source::new(Level::Doc, "contract.md §4"),
            "a used code was accepted | again\nwith `ticks`",
        ));
        result.scenarios.push(scenario);
        result
    }

    #[test]
    fn renders_verdict_counts_matrix_failures_skips_and_variables() {
        let text = render(&result()).unwrap();
        insta::assert_snapshot!(text);
        assert!(text.starts_with("## ⚠️ conform: incomplete"), "an error makes the run incomplete");
        assert!(text.contains("a used code was accepted \\| again with `ticks`"), "pipes escaped, one line");
        assert!(text.contains("`--var zapi.token=VALUE`"));
    }

    /// 100,000 failures with long messages, and as many skips and errors: the summary stays within
    /// the limit and says how much it left out.
    #[test]
    fn a_huge_run_stays_within_the_limit() {
        let mut result = testing::result();
        let template = result.cases[1].clone();
        result.scenarios.clear();
        let long = "x|`\n".repeat(2_000);
        result.cases = (0..100_000)
            .map(|n| {
                let mut case = template.clone();
                case.operation = format!("operation-{}", n % 500);
                case.status = match n % 3 {
                    0 => CaseStatus::Failed,
                    1 => CaseStatus::Skipped(Reason::new(ReasonKind::SendGuard, long.clone())),
                    _ => CaseStatus::Error(Reason::new(ReasonKind::NoAnswer, long.clone())),
                };
                case.failures = vec![Failure::new(
                    RuleId::new(format!("rule-{}", n % 40)),
                    Source::new(Level::Doc, long.clone()),
                    format!("{n}: {long}"),
                )];
                case.rules = vec![CheckId::NotAServerError.into(), RuleId::new(format!("rule-{}", n % 40))];
                case
            })
            .collect();
        result.missing = (0..1_000)
            .map(|n| MissingVariable { spec: "zapi".into(), name: format!("v{n}{long}"), env: long.clone() })
            .collect();
        let text = render(&result).unwrap();
        assert!(text.chars().count() <= md::MAX_CHARS, "{} characters", text.chars().count());
        // 100,000 failures are 1,000 unique ones: each operation (500) with its rules (40 in all).
        assert!(text.contains(&format!("… and {} more", 1_000 - MAX_FAILURES)), "failures cut with a count");
        assert!(text.contains("… and 450 more"), "matrix rows cut with a count");
        assert!(text.contains(&format!("… and {} more", 1_000 - MAX_MISSING)), "variables cut with a count");
    }
}
