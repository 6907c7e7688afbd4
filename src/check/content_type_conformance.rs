//! `content_type_conformance`: when the documented response has content, the answer's
//! `Content-Type` is one of the documented media types. The rule's source is the body's: the
//! `x-conform-source` at the root of a documented schema (a body shape `contract.md` settles is
//! `profile` even under a documented status), else the response's.

use super::{Check, CheckId, Exchange, Judgement, essence};
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

fn run(exchange: &Exchange<'_>) -> Judgement {
    let Some(documented) = exchange.operation.response_for(exchange.response.status) else {
        return Judgement::NotApplicable;
    };
    if documented.content.is_empty() {
        return Judgement::NotApplicable;
    }
    let expected: Vec<&str> = documented.content.iter().map(|(media, _)| media.as_str()).collect();
    let source = documented
        .content
        .iter()
        .find_map(|(_, schema)| schema.as_ref()?.as_object().and_then(Source::from_extension))
        .or_else(|| documented.source.clone());
    let fail = |message: String| Judgement::fail_with(message, source.clone());
    match exchange.response.header("content-type") {
        None if exchange.response.body.is_empty() => fail(format!(
            "status {} has no body and no Content-Type; documented: {}",
            exchange.response.status,
            expected.join(", ")
        )),
        None => fail(format!("the answer has no Content-Type; documented: {}", expected.join(", "))),
        Some(actual) if expected.iter().any(|e| media_matches(e, &essence(actual))) => Judgement::Pass,
        Some(actual) => fail(format!(
            "Content-Type `{actual}` is not documented for status {}; documented: {}",
            exchange.response.status,
            expected.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;
    use crate::case::CaseKind;

    #[test]
    fn wrong_or_missing_content_type_fails() {
        let op = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        assert_eq!(judge(run, &op, &k, &response(200, Some("application/json; charset=utf-8"), "{}")), Judgement::Pass);
        assert!(matches!(judge(run, &op, &k, &response(200, Some("text/plain"), "{}")), Judgement::Fail { .. }));
        assert!(matches!(judge(run, &op, &k, &response(200, None, "{}")), Judgement::Fail { .. }));
        assert_eq!(judge(run, &op, &k, &response(405, None, "")), Judgement::NotApplicable, "405 documents no content");
        assert_eq!(judge(run, &op, &k, &response(418, None, "")), Judgement::NotApplicable, "undocumented status");
    }

    #[test]
    fn the_body_schemas_source_decides() {
        let op = operation(serde_json::json!({"responses": {"400": {"description": "bad",
            "x-conform-source": {"level": "doc", "cite": "page"},
            "content": {"application/json": {"schema": {"type": "object",
                "x-conform-source": {"level": "profile", "cite": "contract.md §4"}}}}}}}));
        let Judgement::Fail { source, .. } =
            judge(run, &op, &CaseKind::Positive, &response(400, Some("text/plain"), "x"))
        else {
            panic!()
        };
        assert_eq!(source.unwrap().level, Level::Profile);
    }

    #[test]
    fn wildcards() {
        assert!(media_matches("application/*", "application/json"));
        assert!(media_matches("*/*", "text/html"));
        assert!(!media_matches("application/*", "text/json"));
    }
}
