//! A step's expectation: judged against the answer, and described for reports.

use serde_json::Value;

use super::step::Answer;
use crate::suite::{Acceptance, Expect, Vars};

/// `must not succeed`, `status 200`, … for reports.
pub(super) fn describe(expect: &Expect) -> Option<String> {
    let mut parts = Vec::new();
    match expect.outcome {
        Some(Acceptance::Refused) => parts.push("must not succeed".to_owned()),
        Some(Acceptance::Succeeds) => parts.push("must succeed".to_owned()),
        None => {}
    }
    if !expect.status.is_empty() {
        parts.push(format!("status {}", expect.status.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ")));
    }
    if !expect.body.is_empty() {
        parts.push(format!("{} body assertion(s)", expect.body.len()));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Whether the answer is a refusal (`contract.md` §1): a status >= 400, or a 2xx whose body says
/// `"success": false`.
pub(super) fn refused(answer: &Answer) -> bool {
    answer.status >= 400
        || ((200..300).contains(&answer.status) && answer.body.get("success") == Some(&Value::Bool(false)))
}

/// Every way the answer breaks the expectation, with the pointer of the value a message quotes.
pub(super) fn judge_expect<'a>(expect: &'a Expect, answer: &Answer, vars: &Vars) -> Vec<(Option<&'a str>, String)> {
    let mut broken = Vec::new();
    match expect.outcome {
        Some(Acceptance::Refused) if !refused(answer) => {
            broken.push((None, format!("must not succeed, but answered {} {}", answer.status, short(&answer.body))));
        }
        Some(Acceptance::Succeeds) if refused(answer) || answer.status >= 300 => {
            broken.push((None, format!("must succeed, but answered {} {}", answer.status, short(&answer.body))));
        }
        _ => {}
    }
    if !expect.status.is_empty() && !expect.status.contains(&answer.status) {
        let wanted: Vec<String> = expect.status.iter().map(u16::to_string).collect();
        broken.push((None, format!("answered {}, expected {}", answer.status, wanted.join(" or "))));
    }
    for (pointer, predicate) in &expect.body {
        if let Err(message) = predicate.check(answer.body.pointer(pointer), vars) {
            broken.push((Some(pointer.as_str()), format!("{pointer} {message}")));
        }
    }
    broken
}

pub(super) fn short(body: &Value) -> String {
    let text = body.to_string();
    if text.chars().count() > 200 { format!("{}…", text.chars().take(200).collect::<String>()) } else { text }
}
