//! `response_schema_conformance`: a JSON body validates against the schema documented for its
//! status and media type (formats included: `date-time`, `uuid`, `email`, `uri`).

use serde_json::Value;

use super::{Check, CheckId, Exchange, Verdict, essence};
use crate::spec::{Level, Source, is_json_media, validation_errors};

pub const CHECK: Check = Check {
    id: CheckId::ResponseSchemaConformance,
    description: "the body validates against the schema documented for its status and media type",
    source: || Source::new(Level::Doc, "the operation's documented response schema"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Verdict {
    let Some(documented) = exchange.operation.response_for(exchange.response.status) else {
        return Verdict::NotApplicable;
    };
    let Some(actual) = exchange.response.header("content-type").map(essence) else {
        return Verdict::NotApplicable;
    };
    let schema = documented.content.iter().find(|(media, _)| essence(media) == actual && is_json_media(media));
    let Some((_, Some(schema))) = schema else {
        return Verdict::NotApplicable;
    };
    let source = documented.source.clone();
    let body: Value = match serde_json::from_slice(&exchange.response.body) {
        Ok(body) => body,
        Err(e) => return Verdict::fail_with(format!("the body is labelled {actual} but is not JSON: {e}"), source),
    };
    let errors = validation_errors(schema, &body);
    if errors.is_empty() {
        Verdict::Pass
    } else {
        Verdict::fail_with(
            format!("the {} body does not match its schema: {}", exchange.response.status, errors.join("; ")),
            source,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, response, verdict};
    use super::*;
    use crate::case::CaseKind;

    #[test]
    fn schema_breaks_fail() {
        let op = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        let json = Some("application/json");
        assert_eq!(verdict(run, &op, &k, &response(200, json, r#"{"ok":true}"#)), Verdict::Pass);
        let Verdict::Fail { message, .. } = verdict(run, &op, &k, &response(200, json, r#"{"ok":"yes"}"#)) else {
            panic!("a string is not a boolean")
        };
        assert!(message.contains("/ok"), "{message}");
        assert!(matches!(verdict(run, &op, &k, &response(200, json, "{")), Verdict::Fail { .. }));
        assert!(matches!(verdict(run, &op, &k, &response(200, json, "{}")), Verdict::Fail { .. }), "ok is required");
        assert_eq!(verdict(run, &op, &k, &response(200, Some("text/plain"), "x")), Verdict::NotApplicable);
        assert_eq!(verdict(run, &op, &k, &response(409, json, "{}")), Verdict::NotApplicable);
    }
}
