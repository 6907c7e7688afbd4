//! `not_a_server_error`: no input the harness sends may produce a 5xx. A connection the target
//! drops before any answer, on one input, while it answers other requests, is the same finding
//! (it crashed on that input), made by the runner through [`crashed`]: there is no answer for a
//! check to look at. So is an answer whose head is not valid HTTP, through [`malformed`].

use super::{Check, CheckId, Exchange, Failure, Judgement};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::NotAServerError,
    description: "the target never answers 5xx, whatever it is sent",
    source: || Source::new(Level::Doc, "RFC 9110 §15.6: a 5xx says the server failed, whatever it was sent"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Judgement {
    let status = exchange.response.status;
    if status >= 500 {
        Judgement::fail(format!("the target answered {status}, a server error"))
    } else {
        Judgement::Pass
    }
}

/// The failure of a request whose connection the target closed or reset before any status line
/// (`detail` says how), though it answers other requests: it crashed on this input. `retried`
/// when the request was sent once more and dropped again.
pub fn crashed(detail: &str, retried: bool) -> Failure {
    let source = Source::new(
        Level::Doc,
        "RFC 9110 §15.6: a server that fails to fulfil a request answers 5xx; closing the connection \
         without any answer is the same failure, unreported",
    );
    Failure::new(
        CheckId::NotAServerError,
        source,
        format!(
            "the target closed the connection before any answer ({detail}){}, while it answers other requests: \
             it crashed on this input",
            if retried { ", and again when the request was sent once more" } else { "" }
        ),
    )
}

/// The failure of a request whose answer is not valid HTTP (`detail` says what the parser found
/// wrong: a status code that is not three digits, a field value holding NUL, CR or LF...), from
/// a target that answers other requests properly. `retried` when the request was sent once more
/// and the answer was broken again.
pub fn malformed(detail: &str, retried: bool) -> Failure {
    let source = Source::new(
        Level::Doc,
        "RFC 9112 §4 and §5: a status code is three digits and a field value holds no NUL, CR or LF; \
         an answer that breaks this is a failure no client can read",
    );
    Failure::new(
        CheckId::NotAServerError,
        source,
        format!(
            "the target's answer is not valid HTTP: {detail}{}",
            if retried { " (the same when the request was sent once more)" } else { "" }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;
    use crate::case::CaseKind;
    use crate::check::Severity;

    #[test]
    fn fails_on_5xx_only() {
        let op = operation(serde_json::json!({}));
        assert!(matches!(judge(run, &op, &CaseKind::Positive, &response(500, None, "")), Judgement::Fail { .. }));
        assert!(matches!(judge(run, &op, &CaseKind::Positive, &response(503, None, "")), Judgement::Fail { .. }));
        assert_eq!(judge(run, &op, &CaseKind::Positive, &response(499, None, "")), Judgement::Pass);
    }

    #[test]
    fn a_dropped_connection_fails_the_run_like_a_5xx() {
        let failure = crashed("connection reset by peer", true);
        assert_eq!(failure.rule, CheckId::NotAServerError);
        assert_eq!(failure.severity, Severity::Error);
        assert!(failure.message.contains("(connection reset by peer), and again"), "{}", failure.message);
        assert!(!crashed("eof", false).message.contains("again"));
    }

    #[test]
    fn an_answer_that_is_not_http_fails_the_run_like_a_5xx() {
        let failure = malformed("invalid HTTP status-code parsed", true);
        assert_eq!(failure.rule, CheckId::NotAServerError);
        assert_eq!(failure.severity, Severity::Error);
        assert_eq!(
            failure.message,
            "the target's answer is not valid HTTP: invalid HTTP status-code parsed (the same when the request \
             was sent once more)"
        );
        assert!(!malformed("invalid HTTP header parsed", false).message.contains("again"));
    }
}
