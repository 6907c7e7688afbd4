//! `content_type_conformance`: when the documented response has content, the answer's
//! `Content-Type` is one of the documented media types. The rule's source is the body's: the
//! `x-conform-source` at the root of a documented schema (a body shape `contract.md` settles is
//! `profile` even under a documented status), else the response's.
//!
//! A status the operation does not document at all (no exact code, range or `default`) still has
//! an operation that says what it produces: an answer with a body must carry one of the media
//! types the operation documents for any response, or a Swagger 2.0 `produces` lists (which
//! holds even where no response has a schema, as on httpbin). An HTML error page from a JSON-only
//! operation is then a finding, as in Schemathesis's check of the same name. It is a `profile`
//! warning: the spec does not document the status, and the undocumented status itself is
//! `status_code_conformance`'s finding. An empty body, a redirect's note (3xx), or an operation
//! that documents no content at all, has nothing to check. A 5xx is judged too: the crash is
//! `not_a_server_error`'s, the page a client cannot parse is this check's. The answer to a method
//! the path does not document (the method probe) belongs to no operation, so no `produces` covers
//! it: `unsupported_method` judges that answer.

use super::{Check, CheckId, Exchange, Judgement, essence, media_matches};
use crate::case::{CaseKind, Probe};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::ContentTypeConformance,
    description: "the Content-Type is a documented media type for the status",
    source: || Source::new(Level::Doc, "the operation's documented response content"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Judgement {
    let Some(documented) = exchange.operation.response_for(exchange.response.status) else {
        return undocumented_status(exchange);
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

/// The answer's body, for a status the operation does not document, is of a media type the
/// operation produces for some other status.
fn undocumented_status(exchange: &Exchange<'_>) -> Judgement {
    let produced = &exchange.operation.produces;
    let status = exchange.response.status;
    let another_method = matches!(exchange.kind, CaseKind::Protocol(Probe::UndocumentedMethod { .. }));
    // A redirect's body is a short hypertext note for the new URI (RFC 9110 §15.4), not content.
    if produced.is_empty() || exchange.response.body.is_empty() || (300..400).contains(&status) || another_method {
        return Judgement::NotApplicable;
    }
    let source = Some(Source::new(
        Level::Profile,
        "the media types the operation documents for its responses (Schemathesis content_type_conformance)",
    ));
    match exchange.response.header("content-type") {
        Some(actual) if produced.iter().any(|e| media_matches(e, &essence(actual))) => Judgement::Pass,
        Some(actual) => Judgement::fail_with(
            format!(
                "Content-Type `{actual}` of an undocumented status {status} is none the operation produces: {}",
                produced.join(", ")
            ),
            source,
        ),
        None => Judgement::fail_with(
            format!(
                "the body of an undocumented status {status} has no Content-Type; the operation produces: {}",
                produced.join(", ")
            ),
            source,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;

    #[test]
    fn wrong_or_missing_content_type_fails() {
        let op = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        assert_eq!(judge(run, &op, &k, &response(200, Some("application/json; charset=utf-8"), "{}")), Judgement::Pass);
        assert!(matches!(judge(run, &op, &k, &response(200, Some("text/plain"), "{}")), Judgement::Fail { .. }));
        assert!(matches!(judge(run, &op, &k, &response(200, None, "{}")), Judgement::Fail { .. }));
        assert_eq!(judge(run, &op, &k, &response(405, None, "")), Judgement::NotApplicable, "405 documents no content");
        assert_eq!(judge(run, &op, &k, &response(418, None, "")), Judgement::NotApplicable, "undocumented, no body");
    }

    #[test]
    fn an_undocumented_status_with_a_body_has_a_media_type_the_operation_produces() {
        let op = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        let html = judge(run, &op, &k, &response(404, Some("text/html"), "<h1>Not Found</h1>"));
        let Judgement::Fail { message, source } = html else { panic!("an HTML 404 from a JSON operation") };
        assert_eq!(
            message,
            "Content-Type `text/html` of an undocumented status 404 is none the operation produces: application/json"
        );
        assert_eq!(source.unwrap().level, Level::Profile, "a warning");
        assert!(matches!(judge(run, &op, &k, &response(404, None, "oops")), Judgement::Fail { .. }));
        assert_eq!(judge(run, &op, &k, &response(404, Some("application/json"), "{}")), Judgement::Pass);
        assert_eq!(judge(run, &op, &k, &response(304, None, "")), Judgement::NotApplicable, "an empty body");
        assert_eq!(judge(run, &op, &k, &response(401, Some("text/html"), "")), Judgement::NotApplicable);
        let redirect = response(302, Some("text/html"), "<a href=\"/x\">moved</a>");
        assert_eq!(judge(run, &op, &k, &redirect), Judgement::NotApplicable, "a redirect's note");
        let crash = response(500, Some("text/html"), "<h1>Internal Server Error</h1>");
        assert!(matches!(judge(run, &op, &k, &crash), Judgement::Fail { .. }), "a crash page");
        let put = CaseKind::Protocol(Probe::UndocumentedMethod { method: "PUT".into() });
        let page = response(405, Some("text/html"), "<h1>Method Not Allowed</h1>");
        assert_eq!(judge(run, &op, &put, &page), Judgement::NotApplicable, "another method's answer");

        let silent = operation(serde_json::json!({"responses": {"204": {"description": "done"}}}));
        assert_eq!(judge(run, &silent, &k, &response(404, Some("text/html"), "<h1>x</h1>")), Judgement::NotApplicable);
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
    fn a_swagger_produces_holds_without_a_response_schema() {
        // httpbin's way: `produces` on the operation, a 200 with a description and no schema.
        let document = serde_json::json!({"swagger": "2.0", "info": {"title": "bin", "version": "1"},
            "paths": {"/cache/{value}": {"get": {"produces": ["application/json"],
                "parameters": [{"name": "value", "in": "path", "required": true, "type": "integer"}],
                "responses": {"200": {"description": "cached"}}}}}});
        let path = std::path::Path::new("bin.json");
        let document = crate::spec::parse_resolved(path, &document.to_string()).unwrap();
        let spec = crate::spec::spec_from_document(path, document).unwrap();
        let op = &spec.operations[0];
        assert_eq!(op.produces, ["application/json"]);
        let k = CaseKind::Positive;
        let page = response(404, Some("text/html; charset=utf-8"), "<!DOCTYPE html><title>404</title>");
        assert!(matches!(judge(run, op, &k, &page), Judgement::Fail { .. }), "an HTML 404");
        assert_eq!(
            judge(run, op, &k, &response(200, Some("text/html"), "<p>")),
            Judgement::NotApplicable,
            "no content"
        );
    }
}
