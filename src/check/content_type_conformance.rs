//! `content_type_conformance`: when the documented response has content, the answer's
//! `Content-Type` is one of the documented media types.

use super::{Check, CheckId, Exchange, Verdict, essence};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::ContentTypeConformance,
    description: "the Content-Type is a documented media type for the status",
    source: || Source::new(Level::Doc, "the operation's documented response content"),
    run,
};

/// `application/json` matches `application/json`, `application/*` and `*/*`.
fn media_matches(documented: &str, actual: &str) -> bool {
    let documented = essence(documented);
    documented == actual
        || documented == "*/*"
        || documented.strip_suffix("/*").is_some_and(|kind| actual.split('/').next() == Some(kind))
}

fn run(exchange: &Exchange<'_>) -> Verdict {
    let Some(documented) = exchange.operation.response_for(exchange.response.status) else {
        return Verdict::NotApplicable;
    };
    if documented.content.is_empty() {
        return Verdict::NotApplicable;
    }
    let expected: Vec<&str> = documented.content.iter().map(|(media, _)| media.as_str()).collect();
    match exchange.response.header("content-type") {
        None if exchange.response.body.is_empty() => Verdict::fail(format!(
            "status {} has no body and no Content-Type; documented: {}",
            exchange.response.status,
            expected.join(", ")
        )),
        None => Verdict::fail(format!("the answer has no Content-Type; documented: {}", expected.join(", "))),
        Some(actual) if expected.iter().any(|e| media_matches(e, &essence(actual))) => Verdict::Pass,
        Some(actual) => Verdict::fail(format!(
            "Content-Type `{actual}` is not documented for status {}; documented: {}",
            exchange.response.status,
            expected.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, response, verdict};
    use super::*;
    use crate::case::CaseKind;

    #[test]
    fn wrong_or_missing_content_type_fails() {
        let op = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        assert_eq!(verdict(run, &op, &k, &response(200, Some("application/json; charset=utf-8"), "{}")), Verdict::Pass);
        assert!(matches!(verdict(run, &op, &k, &response(200, Some("text/plain"), "{}")), Verdict::Fail { .. }));
        assert!(matches!(verdict(run, &op, &k, &response(200, None, "{}")), Verdict::Fail { .. }));
        assert_eq!(verdict(run, &op, &k, &response(405, None, "")), Verdict::NotApplicable, "405 documents no content");
        assert_eq!(verdict(run, &op, &k, &response(418, None, "")), Verdict::NotApplicable, "undocumented status");
    }

    #[test]
    fn wildcards() {
        assert!(media_matches("application/*", "application/json"));
        assert!(media_matches("*/*", "text/html"));
        assert!(!media_matches("application/*", "text/json"));
    }
}
