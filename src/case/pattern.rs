//! Strings from a spec's `pattern`: any regex the validator accepts, anchors and all. The pattern
//! is parsed, its look-arounds (`^`, `$`, `\b`, …) are taken out, and the rest is generated; the
//! validator then has the last word on each value (a `\b` dropped can only cost a rejection).
//! Classes are ASCII where the pattern's shorthand would otherwise reach all of Unicode (`\d`,
//! `\w`, `\s`), as realistic input is.

use proptest::prelude::*;
use proptest::strategy::SBoxedStrategy;
use regex_syntax::hir::{self, Hir, HirKind};

/// A strategy for strings that contain a match of `pattern` (a full match where the pattern is
/// anchored). `Err` says why not, naming the pattern as the spec wrote it.
pub fn strings(pattern: &str) -> Result<SBoxedStrategy<String>, String> {
    let translated = pattern.replace("\\d", "[0-9]").replace("\\w", "[A-Za-z0-9_]").replace("\\s", "[ ]");
    let parsed = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&translated)
        .map_err(|e| format!("cannot generate from the pattern `{pattern}`: {e}"))?;
    let bare = without_looks(&parsed);
    proptest::string::string_regex_parsed(&bare)
        .map(|s| s.sboxed())
        .map_err(|e| format!("cannot generate from the pattern `{pattern}`: {e}"))
}

/// The expression with every look-around replaced by the empty expression.
fn without_looks(expr: &Hir) -> Hir {
    match expr.kind() {
        HirKind::Look(_) => Hir::empty(),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => expr.clone(),
        HirKind::Repetition(rep) => Hir::repetition(hir::Repetition {
            min: rep.min,
            max: rep.max,
            greedy: rep.greedy,
            sub: Box::new(without_looks(&rep.sub)),
        }),
        HirKind::Capture(capture) => Hir::capture(hir::Capture {
            index: capture.index,
            name: capture.name.clone(),
            sub: Box::new(without_looks(&capture.sub)),
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(without_looks).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(without_looks).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    fn draws(pattern: &str, n: usize) -> Vec<String> {
        let strategy = strings(pattern).unwrap();
        let mut runner = TestRunner::deterministic();
        (0..n).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect()
    }

    #[test]
    fn anchored_alternations_and_lazy_quantifiers_are_generated() {
        let pattern = r#"^"([0-9]+?)"$|\*"#;
        let schema = serde_json::json!({"type": "string", "pattern": pattern});
        let values = draws(pattern, 60);
        assert!(values.iter().all(|v| crate::spec::is_valid(&schema, &serde_json::json!(v))), "{values:?}");
        assert!(values.iter().any(|v| v == "*") && values.iter().any(|v| v.starts_with('"')), "{values:?}");
    }

    #[test]
    fn shorthand_classes_are_ascii_and_anchors_anywhere_are_dropped() {
        for value in draws(r"^\d{3}(-\w+)?$", 40) {
            assert!(value.is_ascii() && value[..3].chars().all(|c| c.is_ascii_digit()), "{value}");
        }
        assert!(draws(r"\bword\b", 3).iter().all(|v| v == "word"));
    }

    #[test]
    fn a_bad_pattern_is_named_as_written() {
        let error = strings("^(unclosed").unwrap_err();
        assert!(error.contains("`^(unclosed`"), "{error}");
    }
}
