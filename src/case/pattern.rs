//! Strings from a spec's `pattern`: any regex the validator accepts, anchors and all. The pattern
//! is parsed, its look-arounds (`^`, `$`, `\b`, …) are taken out, and the rest is generated; the
//! validator then has the last word on each value (a `\b` dropped can only cost a rejection).
//! Classes are ASCII where the pattern's shorthand would otherwise reach all of Unicode (`\d`,
//! `\w`, `\s`), as realistic input is.
//!
//! A `pattern` is searched for, not matched whole (JSON Schema follows ECMA-262's `test`): a
//! value holds a match anywhere unless the pattern anchors it. So each top-level alternative
//! that is not anchored at its start may get text before its match, and one not anchored at its
//! end text after it (`^"([0-9]+?)"$|\*` accepts `abc*` and `*x`): [`strings`] adds such text
//! now and then, and [`samples`] gives one value of each alternative with text before and one
//! with text after, where the alternative allows them.

use proptest::prelude::*;
use proptest::strategy::{SBoxedStrategy, Union};
use regex_syntax::hir::{self, Class, Hir, HirKind, Look};

/// The text [`samples`] puts before or after a match where the pattern allows it.
const AROUND: &str = "conform";

/// The pattern parsed for generation (`\d`, `\w` and `\s` made ASCII), or why not, naming the
/// pattern as the spec wrote it.
fn parse(pattern: &str) -> Result<Hir, String> {
    let translated = pattern.replace("\\d", "[0-9]").replace("\\w", "[A-Za-z0-9_]").replace("\\s", "[ ]");
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(&translated)
        .map_err(|e| format!("cannot generate from the pattern `{pattern}`: {e}"))
}

/// A strategy for strings that contain a match of `pattern`: a full match where an alternative is
/// anchored at both ends, with text before or after it now and then where it is not. `Err` says
/// why not, naming the pattern as the spec wrote it.
pub fn strings(pattern: &str) -> Result<SBoxedStrategy<String>, String> {
    let parsed = parse(pattern)?;
    let mut strategies = Vec::new();
    for alternative in alternatives(&parsed) {
        let core = proptest::string::string_regex_parsed(&without_looks(alternative))
            .map_err(|e| format!("cannot generate from the pattern `{pattern}`: {e}"))?;
        let before = extra(!anchored(alternative, Side::Start));
        let after = extra(!anchored(alternative, Side::End));
        strategies.push((before, core, after).prop_map(|(a, b, c)| format!("{a}{b}{c}")).sboxed());
    }
    Ok(Union::new(strategies).sboxed())
}

/// Text around a match: mostly none, sometimes a few realistic characters, where `allowed`.
fn extra(allowed: bool) -> SBoxedStrategy<String> {
    if !allowed {
        return Just(String::new()).sboxed();
    }
    let some = proptest::string::string_regex("[A-Za-z0-9._~-]{1,8}").expect("a fixed regex");
    prop_oneof![3 => Just(String::new()), 1 => some].sboxed()
}

/// (issue 25) Deterministic values for the coverage phase, each with the last part of its label:
/// per top-level alternative (`pattern`, or `pattern-N` when there are several) its simplest
/// match, and where the alternative is not anchored, that match with text before it
/// (`…-prefix`) and after it (`…-suffix`). Only values the pattern accepts are given; a length
/// bound may still refuse one.
pub fn samples(pattern: &str) -> Result<Vec<(String, String)>, String> {
    let parsed = parse(pattern)?;
    let alternatives = alternatives(&parsed);
    let mut out = Vec::new();
    for (i, alternative) in alternatives.iter().enumerate() {
        let Some(simplest) = simplest(alternative) else { continue };
        let label = if alternatives.len() > 1 { format!("pattern-{i}") } else { "pattern".to_owned() };
        if !anchored(alternative, Side::Start) {
            out.push((format!("{label}-prefix"), format!("{AROUND}{simplest}")));
        }
        if !anchored(alternative, Side::End) {
            out.push((format!("{label}-suffix"), format!("{simplest}{AROUND}")));
        }
        out.push((label, simplest));
    }
    // Anchors inside a group (`(^a|b)c`) can refuse text around a match: the validator judges.
    let schema = serde_json::json!({"type": "string", "pattern": pattern});
    let valid = crate::spec::validity_of(&schema);
    out.retain(|(_, value)| valid(&serde_json::Value::String(value.clone())));
    Ok(out)
}

/// The top-level alternatives of an expression (through enclosing groups): each is searched for
/// on its own, with its own anchors.
fn alternatives(expr: &Hir) -> Vec<&Hir> {
    match expr.kind() {
        HirKind::Alternation(subs) => subs.iter().flat_map(alternatives).collect(),
        HirKind::Capture(capture) => alternatives(&capture.sub),
        _ => vec![expr],
    }
}

/// An end of an alternative.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Start,
    End,
}

/// Whether a match of `expr` may be pinned to that end of the text (or of a line, under `(?m)`):
/// where only some branches of an inner group are (`(^a|b)c`), no text is put there.
fn anchored(expr: &Hir, side: Side) -> bool {
    match expr.kind() {
        HirKind::Look(look) => match side {
            Side::Start => matches!(look, Look::Start | Look::StartLF | Look::StartCRLF),
            Side::End => matches!(look, Look::End | Look::EndLF | Look::EndCRLF),
        },
        HirKind::Concat(subs) => {
            let edge = if side == Side::Start { subs.first() } else { subs.last() };
            edge.is_some_and(|sub| anchored(sub, side))
        }
        HirKind::Capture(capture) => anchored(&capture.sub, side),
        HirKind::Alternation(subs) => subs.iter().any(|sub| anchored(sub, side)),
        HirKind::Repetition(rep) => anchored(&rep.sub, side),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => false,
    }
}

/// The simplest text `expr` matches, look-arounds dropped: each repetition its fewest times, each
/// alternation its first branch that has one, each class a letter or digit where it holds one.
/// `None` where a class holds nothing.
fn simplest(expr: &Hir) -> Option<String> {
    match expr.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(String::new()),
        HirKind::Literal(hir::Literal(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
        HirKind::Class(class) => one_of(class).map(String::from),
        HirKind::Repetition(rep) => Some(simplest(&rep.sub)?.repeat(rep.min as usize)),
        HirKind::Capture(capture) => simplest(&capture.sub),
        HirKind::Concat(subs) => subs.iter().map(simplest).collect(),
        HirKind::Alternation(subs) => subs.iter().find_map(simplest),
    }
}

/// A character of the class: a letter or a digit where it holds one, else visible ASCII, else
/// its first character.
fn one_of(class: &Class) -> Option<char> {
    let holds = |c: char| match class {
        Class::Unicode(u) => u.ranges().iter().any(|r| r.start() <= c && c <= r.end()),
        Class::Bytes(b) => c.is_ascii() && b.ranges().iter().any(|r| r.start() <= c as u8 && c as u8 <= r.end()),
    };
    let preferred = ('a'..='z').chain('0'..='9').chain('A'..='Z').chain('!'..='~');
    preferred.into_iter().find(|c| holds(*c)).or_else(|| match class {
        Class::Unicode(u) => u.ranges().first().map(|r| r.start()),
        Class::Bytes(b) => b.ranges().first().map(|r| char::from(r.start())),
    })
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

    const KINTO: &str = r#"^"([0-9]+?)"$|\*"#;

    fn draws(pattern: &str, n: usize) -> Vec<String> {
        let strategy = strings(pattern).unwrap();
        let mut runner = TestRunner::deterministic();
        (0..n).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect()
    }

    fn valid(pattern: &str, value: &str) -> bool {
        let schema = serde_json::json!({"type": "string", "pattern": pattern});
        crate::spec::is_valid(&schema, &serde_json::json!(value))
    }

    #[test]
    fn anchored_alternations_and_lazy_quantifiers_are_generated() {
        let values = draws(KINTO, 80);
        assert!(values.iter().all(|v| valid(KINTO, v)), "{values:?}");
        assert!(values.iter().any(|v| v == "*") && values.iter().any(|v| v.starts_with('"')), "{values:?}");
        // The anchored alternative is matched whole: a quoted number and nothing around it.
        for quoted in values.iter().filter(|v| v.starts_with('"') && v.ends_with('"') && v.len() > 1) {
            assert!(quoted[1..quoted.len() - 1].chars().all(|c| c.is_ascii_digit()), "{quoted}");
        }
    }

    /// Seen on Kinto: `\*` is not anchored, so `abc*`, `*x` and `"1"*` are all valid, and
    /// Kinto's `int()` of such an `If-Match` crashed where only `*` itself had been sent.
    #[test]
    fn an_unanchored_alternative_gets_text_around_it_now_and_then() {
        let values = draws(KINTO, 200);
        let around = |v: &&String| v.contains('*') && v.as_str() != "*";
        assert!(values.iter().any(|v| around(&v) && !v.starts_with('*')), "text before: {values:?}");
        assert!(values.iter().any(|v| around(&v) && !v.ends_with('*')), "text after: {values:?}");
        let (bare, star) = (values.iter().filter(|v| v.as_str() == "*").count(), values.iter().filter(around).count());
        assert!(bare > star, "mostly nothing around: {values:?}");
        let half = draws("^[0-9]{3}", 200);
        assert!(half.iter().all(|v| v[..3].chars().all(|c| c.is_ascii_digit())), "anchored at its start");
        assert!(half.iter().any(|v| v.len() > 3), "text after an open end: {half:?}");
        assert!(draws("^[0-9]{3}$", 100).iter().all(|v| v.len() == 3), "anchored at both ends: nothing around");
    }

    #[test]
    fn samples_are_each_alternatives_simplest_match_and_text_around_it() {
        let samples = samples(KINTO).unwrap();
        let expected = [("pattern-0", r#""0""#), ("pattern-1-prefix", "conform*"), ("pattern-1-suffix", "*conform")];
        for (label, value) in expected {
            assert!(samples.contains(&(label.to_owned(), value.to_owned())), "{label}={value} in {samples:?}");
        }
        assert!(!samples.iter().any(|(l, _)| l.starts_with("pattern-0-")), "the anchored one has nothing around");
        assert!(samples.iter().all(|(_, v)| valid(KINTO, v)), "{samples:?}");
        let labels: Vec<String> = super::samples("^[a-z]+").unwrap().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["pattern-suffix", "pattern"]);
        assert_eq!(super::samples("[^@ ]+@x").unwrap()[2], ("pattern".to_owned(), "a@x".to_owned()));
    }

    #[test]
    fn shorthand_classes_are_ascii_and_anchors_anywhere_are_dropped() {
        for value in draws(r"^\d{3}(-\w+)?$", 40) {
            assert!(value.is_ascii() && value[..3].chars().all(|c| c.is_ascii_digit()), "{value}");
        }
        assert!(draws(r"\bword\b", 20).iter().all(|v| v.contains("word")));
    }

    #[test]
    fn a_bad_pattern_is_named_as_written() {
        let error = strings("^(unclosed").unwrap_err();
        assert!(error.contains("`^(unclosed`"), "{error}");
        assert!(samples("^(unclosed").unwrap_err().contains("`^(unclosed`"));
    }

    proptest! {
        /// Every generated value holds a match of its pattern, searched for as JSON Schema does.
        #[test]
        fn every_value_matches_its_pattern_searched_for(
            (pattern, value) in proptest::sample::select(vec![
                KINTO, "^[a-z]+$", "[a-z]+", "^[0-9]{2,4}", "x|^y$|z$", "(^a|b)c", r"^\d+@c\.us$", "[^@ ]+@[^@ ]+",
            ]).prop_flat_map(|pattern| strings(pattern).unwrap().prop_map(move |value| (pattern, value))),
        ) {
            let regex = regex::Regex::new(pattern).unwrap();
            prop_assert!(regex.is_match(&value), "{} does not match {}", value, pattern);
            prop_assert!(valid(pattern, &value), "{} is refused by the validator for {}", value, pattern);
            for (_, sample) in samples(pattern).unwrap() {
                prop_assert!(regex.is_match(&sample), "sample {} of {}", sample, pattern);
            }
        }
    }
}
