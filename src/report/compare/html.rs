//! A comparison as one self-contained HTML page (inline CSS, no scripts, no external assets),
//! rendered from `templates/compare.html` with minijinja, which escapes every value.

use minijinja::Environment;
use minijinja::value::Serde;

use super::Comparison;
use crate::report::{Format, ReportError};

const TEMPLATE: &str = include_str!("../templates/compare.html");

pub fn render(model: &Comparison) -> Result<String, ReportError> {
    let fail = |e: minijinja::Error| ReportError::Render { format: Format::Html, message: e.to_string() };
    let mut env = Environment::new();
    env.add_template("compare.html", TEMPLATE).map_err(fail)?;
    let context = Serde(ComparisonPage { model, differing: model.differing() });
    env.get_template("compare.html").and_then(|t| t.render(context)).map_err(fail)
}

#[derive(serde::Serialize)]
struct ComparisonPage<'a> {
    #[serde(flatten)]
    model: &'a Comparison,
    differing: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn renders_a_self_contained_page_with_differences_marked() {
        // b: the 5xx is fixed, one warning is gone (still a warning elsewhere), one operation renamed.
        let mut b = testing::result();
        b.cases[1].failures.retain(|f| f.rule != crate::check::CheckId::NotAServerError);
        b.cases[2].failures.clear();
        b.cases[2].status = crate::results::CaseStatus::Passed;
        b.cases[0].operation = "other-op".into();
        let model = Comparison::of(&[("before".into(), testing::result()), ("<after>".into(), b)]);
        let html = render(&model).unwrap();
        insta::assert_snapshot!(html);
        assert_eq!(html.matches("<tr class=\"differs\">").count(), model.differing());
        assert_eq!((model.differing(), model.rows.len()), (3, 4), "{:#?}", model.rows);
        assert!(html.contains("<td class=\"not-run\">not run</td>"));
        assert!(html.contains("&lt;after&gt;") && !html.contains("<after>"), "labels are escaped");
        for external in ["<script", "<link", "src=", "href=\"http", "@import", "url("] {
            assert!(!html.contains(external), "no external asset: {external}");
        }
    }
}
