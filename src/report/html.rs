//! The HTML report: one self-contained page (inline CSS and a little inline JS, no external asset,
//! no network) for a person who has never seen conform. [`build`] turns the [`RunResult`] into a
//! plain view ([`page`]; every string already masked by the run), and this module renders it with
//! minijinja, whose autoescape for `.html` templates escapes every value: a hostile body stays
//! text. The page works without JS (everything shown); with it, filters and copy buttons appear.
//! A rendering problem is a [`ReportError`], never a panic.
//!
//! The template is `templates/report.html`; its partials are the `templates/report_*` files.

mod build;
mod page;

use minijinja::value::Serde;
use minijinja::{Environment, Value};

use super::{Format, ReportError};
use crate::results::RunResult;

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
    let page = Value::from(Serde(build::page(result)));
    env.get_template("report.html").and_then(|t| t.render(minijinja::context! { page })).map_err(fail)
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
    fn the_send_guard_section_is_there_only_when_the_guard_had_something_to_do() {
        let guarded = render(&testing::small_result()).unwrap();
        assert!(guarded.contains("id=\"send-guard\"") && guarded.contains("href=\"#send-guard\""));
        let mut quiet = testing::small_result();
        quiet.send_guard = crate::results::SendGuardReport::default();
        quiet.cases.retain(
            |c| !matches!(&c.status, crate::results::CaseStatus::Skipped(r) if r.kind == crate::results::ReasonKind::SendGuard),
        );
        let page = render(&quiet).unwrap();
        assert!(!page.contains("send-guard") && !page.contains("Send guard"), "a run that sent no message");
    }

    #[test]
    fn renders_a_small_run() {
        let page = render(&testing::small_result()).unwrap();
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
        assert!(page.contains(r#"<span class="spec">hypersender</span> suite otp</th>"#), "a suite's row");
        assert!(page.contains(r##"<a href="#scenario-1">✗ 1</a>"##), "a failing suite cell links to its scenario");
        assert!(page.contains(r##"<td class="cell skip"><a href="#errors">1</a></td>"##), "an error is not run");
        assert!(
            page.contains(r##"<td class="cell skip"><a href="#skipped">1</a></td>"##),
            "cases not run, per operation"
        );
        assert!(page.contains("hypersender</span> request-code <small class=\"muted\">1 failing case(s)"), "grouped");
    }

    /// Under `--strict` a warning fails the run: the counts and the matrix both say so.
    #[test]
    fn strict_counts_and_matrix_agree() {
        let mut result = testing::small_result();
        result.strict = true;
        let page = render(&result).unwrap();
        assert!(page.contains(r#"data-count="cases.failed">1<"#) && page.contains(r#"data-count="cases.warned">0<"#));
        assert!(page.contains(r##"<a href="#case-1">✗ 1</a>"##), "the warning's cell is a failure");
        assert!(!page.contains(r#"<td class="cell warn""#));
    }

    #[test]
    fn spec_warnings_and_unique_failures_are_shown() {
        let mut result = testing::result();
        result.spec_warnings = vec![testing::spec_warning("zapi")];
        let page = render(&result).unwrap();
        assert!(page.contains(r#"<div class="notice" id="spec-warnings">"#), "the spec warnings");
        let warnings = &page[page.find(r#"id="spec-warnings""#).unwrap()..];
        let item = &warnings[warnings.find("<li>").unwrap()..warnings.find("</li>").unwrap()];
        assert!(item.starts_with("<li><code>specs&#x2f;zapi.yaml:12:24 ("), "{item}");
        assert!(
            item.ends_with("</code>: example does not match its schema: 1 is not of type &quot;string&quot;"),
            "{item}"
        );
        // Two cases met the same warning: one row, counting both, linking to the first.
        let table = &page[page.find(r#"id="unique-failures""#).unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert_eq!(table.matches("<tr><td>").count(), 2, "{table}");
        assert!(table.contains(r##"<td title="2 positive">2</td><td><a href="#case-1">show</a>"##), "{table}");
        assert!(page.contains("2 unique failure(s) in 2 failing case(s)"));
    }

    #[test]
    fn an_empty_run_still_renders() {
        let mut result = testing::small_result();
        result.cases.clear();
        result.targets.clear();
        let page = render(&result).unwrap();
        assert!(page.contains("Nothing was tested") && page.contains("No cases:"), "{page}");
    }
}
