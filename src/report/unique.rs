//! Unique failures: the failures of a run's cases grouped by what they are rather than by the
//! case that met them, so that the same finding met by thirty cases is read once.
//!
//! Two failures are the same finding when they have the same spec, operation, rule, source (so
//! the same severity), answer status and message once its values are set aside ([`pattern`]:
//! numbers, quoted values, uuids, ids and HTTP methods). Each group keeps every case it came from
//! and picks its smallest reproduction: a shrunk case when there is one, else the case with the
//! shortest request. Groups that fail the run come first, then the warnings, each in plan order.
//!
//! The console and the Markdown summary show one entry per group; every case stays in the JSON,
//! JUnit and HTML reports. Scenarios are not grouped: each is its own rule already.

use std::collections::HashMap;

use crate::check::Failure;
use crate::results::{CaseResult, RunResult};

/// One finding, and the cases that met it.
#[derive(Debug, Clone)]
pub struct UniqueFailure<'a> {
    pub spec: &'a str,
    pub operation: &'a str,
    /// The failure as the smallest case met it (its message shown as it is).
    pub failure: &'a Failure,
    /// The status of the answers that broke the rule, when there was an answer.
    pub status: Option<u16>,
    /// Every case that met it, in plan order (each once).
    pub cases: Vec<&'a CaseResult>,
    /// The case that reproduces it most simply.
    pub smallest: &'a CaseResult,
    /// Whether the cases' messages differ in their values.
    pub messages_vary: bool,
}

impl UniqueFailure<'_> {
    /// How many cases met it.
    pub fn count(&self) -> usize {
        self.cases.len()
    }

    /// Whether it fails the run, as this run counts it.
    pub fn fails_run(&self, strict: bool) -> bool {
        self.failure.severity.fails_run(strict)
    }

    /// How many of its cases are of each kind, in first-met order: `30 positive, 13 negative`.
    pub fn kinds(&self) -> String {
        let mut kinds: Vec<(&str, usize)> = Vec::new();
        for case in &self.cases {
            let label = case.kind.label();
            match kinds.iter_mut().find(|(k, _)| *k == label) {
                Some((_, n)) => *n += 1,
                None => kinds.push((label, 1)),
            }
        }
        kinds.iter().map(|(kind, n)| format!("{n} {kind}")).collect::<Vec<_>>().join(", ")
    }
}

/// What makes two failures the same finding, but for their source and severity: the groups of
/// one key are told apart by those (compared, not hashed: a source's cite can be long).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key<'a> {
    spec: &'a str,
    operation: &'a str,
    rule: &'a str,
    status: Option<u16>,
    pattern: String,
}

/// The run's cases' failures as unique findings: those that fail the run first, then the
/// warnings, each in the order their first case comes in the plan.
pub fn unique_failures(result: &RunResult) -> Vec<UniqueFailure<'_>> {
    let mut index: HashMap<Key<'_>, Vec<usize>> = HashMap::new();
    let mut groups: Vec<UniqueFailure<'_>> = Vec::new();
    for case in &result.cases {
        let status = case.response.as_ref().map(|r| r.status);
        for failure in &case.failures {
            let key = Key {
                spec: &case.spec,
                operation: &case.operation,
                rule: failure.rule.as_str(),
                status,
                pattern: pattern(&failure.message),
            };
            let same =
                |g: &UniqueFailure<'_>| g.failure.source == failure.source && g.failure.severity == failure.severity;
            let candidates = index.entry(key).or_default();
            match candidates.iter().copied().find(|&at| same(&groups[at])) {
                Some(at) => {
                    let group = &mut groups[at];
                    if !group.cases.last().is_some_and(|c| std::ptr::eq(*c, case)) {
                        group.cases.push(case);
                    }
                    group.messages_vary |= group.failure.message != failure.message;
                    if smaller(case, group.smallest) {
                        group.smallest = case;
                        group.failure = failure;
                    }
                }
                None => {
                    candidates.push(groups.len());
                    groups.push(UniqueFailure {
                        spec: &case.spec,
                        operation: &case.operation,
                        failure,
                        status,
                        cases: vec![case],
                        smallest: case,
                        messages_vary: false,
                    });
                }
            }
        }
    }
    // A stable sort: plan order within each severity.
    groups.sort_by_key(|g| !g.fails_run(result.strict));
    groups
}

/// Whether `case` reproduces a finding more simply than `than`: shrunk before not shrunk, then
/// the shorter request (method, URL and body), then the earlier in the plan.
fn smaller(case: &CaseResult, than: &CaseResult) -> bool {
    let size = |c: &CaseResult| {
        c.request.as_ref().map_or(usize::MAX, |r| r.method.len() + r.url.len() + r.body.as_ref().map_or(0, Vec::len))
    };
    let rank = |c: &CaseResult| (c.shrink_steps == 0, size(c), c.plan_index);
    rank(case) < rank(than)
}

/// The most bytes of a pattern: what follows is not compared (a long message is told apart by
/// its start), which keeps grouping fast however long the messages.
const MAX_PATTERN: usize = 500;

/// HTTP methods, set aside as `METHOD` (the operation says which it was).
const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "QUERY"];

/// A message with its values set aside, so that the same finding about different values reads the
/// same: quoted text (`"…"`, `` `…` ``, `'…'`) becomes `"…"`, uuids `<uuid>`, numbers `N`, ids
/// (8 or more letters and digits, both present) `<id>`, and HTTP methods `METHOD`. One pass, and
/// quoted text is skipped whole, however long; at most [`MAX_PATTERN`] bytes are made.
pub fn pattern(message: &str) -> String {
    let bytes = message.as_bytes();
    // A word character: ASCII letters, digits and `_`, and any byte of a non-ASCII character.
    let wordy = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut out = String::new();
    let (mut at, mut plain) = (0, 0);
    while at < bytes.len() && out.len() + (at - plain) < MAX_PATTERN {
        let byte = bytes[at];
        if at > 0 && wordy(bytes[at - 1]) || !matches!(byte, b'"' | b'`' | b'\'' | b'-') && !wordy(byte) || byte >= 0x80
        {
            at += 1;
            continue;
        }
        let rest = &message[at..];
        let (taken, shown) = match byte {
            b'"' | b'`' | b'\'' => quoted(rest, byte as char).map_or((1, None), |n| (n, Some("\"…\""))),
            b'-' => number(&rest[1..]).map_or((1, None), |n| (n + 1, Some("N"))),
            _ => token(rest),
        };
        if let Some(shown) = shown {
            out.push_str(&message[plain..at]);
            out.push_str(shown);
            plain = at + taken;
        }
        at += taken;
    }
    let mut end = at.min(bytes.len());
    while !message.is_char_boundary(end) {
        end += 1;
    }
    out.push_str(&message[plain..end]);
    out
}

/// The length of the quoted text at the start of `text` (opened by `quote`), closing quote
/// included; `None` when it is not closed. A `"` string may escape its quote; a `'` closes only
/// before a character that is not part of a word (`it's` is not a close).
fn quoted(text: &str, quote: char) -> Option<usize> {
    let mut at = 1;
    loop {
        let close = at + text[at..].find(quote)?;
        let escaped = quote == '"' && text[..close].bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1;
        let inside_word = quote == '\'' && text[close + 1..].chars().next().is_some_and(|c| c.is_alphanumeric());
        if !escaped && !inside_word {
            return Some(close + 1);
        }
        at = close + 1;
    }
}

/// The length of the number at the start of `text` (`12`, `12.5`, `1e-3`) when what follows it
/// is not part of a word.
fn number(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let digits = |from: usize| bytes[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut end = digits(0);
    if end == 0 {
        return None;
    }
    if bytes.get(end) == Some(&b'.') && digits(end + 1) > 0 {
        end += 1 + digits(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        if digits(end + 1 + sign) > 0 {
            end += 1 + sign + digits(end + 1 + sign);
        }
    }
    let next = text[end..].chars().next();
    (!next.is_some_and(|c| c.is_alphanumeric() || c == '_')).then_some(end)
}

/// The word at the start of `text` (letters, digits, `_`; a uuid's `-` too), and what it shows as.
fn token(text: &str) -> (usize, Option<&'static str>) {
    if is_uuid(text) {
        return (36, Some("<uuid>"));
    }
    if let Some(length) = number(text) {
        return (length, Some("N"));
    }
    let length = text.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    let word = &text[..length];
    let digits = word.bytes().any(|b| b.is_ascii_digit());
    let letters = word.bytes().any(|b| b.is_ascii_alphabetic());
    if length >= 8 && digits && letters {
        (length, Some("<id>"))
    } else if METHODS.contains(&word) {
        (length, Some("METHOD"))
    } else {
        (length, None)
    }
}

/// Whether `text` starts with a uuid (8-4-4-4-12 hex digits) that no word character follows.
fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 36
        && bytes[..36].iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
        && !text[36..].chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseKind;
    use crate::check::CheckId;
    use crate::http::PreparedRequest;
    use crate::report::testing;
    use crate::results::{CaseStatus, ResponseSummary};
    use crate::spec::{Level, Source};

    #[test]
    fn values_are_set_aside_and_words_kept() {
        for (message, expected) in [
            (
                "status 400 is not documented for pets::create (documented: 200, 201)",
                "status N is not documented for pets::create (documented: N, N)",
            ),
            (r#""abc\"d" is longer than 3 characters"#, r#""…" is longer than N characters"#),
            ("-12.5e3 is less than the minimum of 0", "N is less than the minimum of N"),
            ("a `bearer` credential was refused", "a \"…\" credential was refused"),
            ("the operation's 'x y' value isn't it", "the operation's \"…\" value isn't it"),
            ("no pet 3f2b8c1e-0d4a-4b7e-9c1a-2b3c4d5e6f70 at /pets/397", "no pet <uuid> at /pets/N"),
            ("token ab12cd34ef56 and word abcdefghij and int32", "token <id> and word abcdefghij and int32"),
            ("PATCH is not documented on /pets", "METHOD is not documented on /pets"),
            ("1e-3 and 5s and x2 and 7_000 then 0x1f", "N and 5s and x2 and 7_000 then 0x1f"),
            ("\"unclosed and 'also", "\"unclosed and 'also"),
            ("Ünïcode 12 ünd 'ö' 3 ü1", "Ünïcode N ünd \"…\" N ü1"),
        ] {
            assert_eq!(pattern(message), expected, "{message}");
        }
        let long = format!("\"{}\" is longer than 20 characters", "x".repeat(100_000));
        assert_eq!(pattern(&long), "\"…\" is longer than N characters", "a long quoted value is skipped whole");
        assert!(pattern(&"word ".repeat(100_000)).len() <= MAX_PATTERN + 8, "the pattern is bounded");
        assert!(pattern(&"ü".repeat(1_000)).len() <= MAX_PATTERN + 8, "and cut where a character ends");
    }

    fn failing(name: &str, message: &str, status: u16, url: &str, shrink_steps: u32) -> CaseResult {
        let source = Source::new(Level::Doc, "the operation's documented responses");
        let failure = Failure::new(CheckId::StatusCodeConformance, source, message);
        let mut case = testing::case(&["pets", "create", "positive", name], CaseKind::Positive, CaseStatus::Failed);
        case.failures = vec![failure];
        case.request = Some(PreparedRequest::new("POST", url));
        case.response = Some(ResponseSummary::status_only(status));
        case.shrink_steps = shrink_steps;
        case
    }

    #[test]
    fn thirty_cases_of_one_finding_are_one_group_with_the_smallest_case() {
        let mut result = testing::small_result();
        result.cases = (0..30)
            .map(|n| {
                let url = format!("http://x/pets?name={}", "a".repeat(30 - n));
                let mut case = failing(&n.to_string(), &format!("status 400 is not documented ({n})"), 400, &url, 0);
                case.plan_index = n;
                case
            })
            .collect();
        result.cases.push(failing("404", "status 404 is not documented (0)", 404, "http://x/pets", 0));
        let groups = unique_failures(&result);
        assert_eq!(groups.len(), 2, "another status is another finding");
        assert_eq!((groups[0].count(), groups[0].status), (30, Some(400)));
        assert_eq!(groups[0].smallest.id.as_str(), "pets::create::positive::29", "the shortest request");
        assert_eq!(groups[0].failure.message, "status 400 is not documented (29)", "the smallest case's own");
        assert!(groups[0].messages_vary);
        assert_eq!(groups[0].kinds(), "30 positive");
        assert_eq!(groups[1].count(), 1);

        // A shrunk case is the smallest, whatever its request's size.
        result.cases[3].shrink_steps = 4;
        assert_eq!(unique_failures(&result)[0].smallest.id.as_str(), "pets::create::positive::3");
    }

    #[test]
    fn other_rules_operations_and_sources_stay_apart_and_errors_come_first() {
        let mut result = testing::small_result();
        let mut warning = failing("w", "odd", 400, "http://x", 0);
        warning.failures[0] = Failure::new(CheckId::StatusCodeConformance, Source::new(Level::Profile, "p"), "odd");
        let mut other_operation = failing("o", "odd", 400, "http://x", 0);
        other_operation.operation = "delete".into();
        let error = failing("e", "odd", 400, "http://x", 0);
        result.cases = vec![warning, other_operation, error];
        let groups = unique_failures(&result);
        assert_eq!(groups.len(), 3);
        assert!(groups[0].fails_run(false) && groups[1].fails_run(false) && !groups[2].fails_run(false));
        assert_eq!((groups[0].operation, groups[1].operation), ("delete", "create"), "plan order within errors");
        let mut strict = result.clone();
        strict.strict = true;
        assert_eq!(unique_failures(&strict)[0].failure.source.level, Level::Profile, "all fail: plan order");
    }
}
