//! `response_schema_conformance`: a JSON body validates against the schema documented for its
//! status and media type (formats included: `date-time`, `uuid`, `email`, `uri`). The failure
//! takes the source of the keyword that failed (the deepest `x-conform-source` on its schema
//! path), else the response's: a `profile` pattern inside a documented response only warns.

use serde_json::Value;

use super::{Check, CheckId, Exchange, Judgement, essence};
use crate::check::Severity;
use crate::spec::{Level, Source, is_json_media, is_json_sequence, parse_json_sequence, violations};

pub const CHECK: Check = Check {
    id: CheckId::ResponseSchemaConformance,
    description: "the body validates against the schema documented for its status and media type",
    source: || Source::new(Level::Doc, "the operation's documented response schema"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Judgement {
    let Some(documented) = exchange.operation.response_for(exchange.response.status) else {
        return Judgement::NotApplicable;
    };
    let Some(actual) = exchange.response.header("content-type").map(essence) else {
        return Judgement::NotApplicable;
    };
    // (swagger, issue 24) A sequence of JSON values (OpenAPI 3.2 `itemSchema`) is read into the array of its values.
    let sequence = is_json_sequence(&actual);
    let schema =
        documented.content.iter().find(|(media, _)| essence(media) == actual && (is_json_media(media) || sequence));
    let Some((_, Some(schema))) = schema else {
        return Judgement::NotApplicable;
    };
    let source = documented.source.clone();
    let read = if sequence {
        parse_json_sequence(&actual, &exchange.response.body)
    } else {
        serde_json::from_slice(&exchange.response.body).map_err(|e| e.to_string())
    };
    let body: Value = match read {
        Ok(body) => body,
        Err(e) => return Judgement::fail_with(format!("the body is labelled {actual} but is not JSON: {e}"), source),
    };
    let found = violations(schema, &body);
    if found.is_empty() {
        return Judgement::Pass;
    }
    let sourced: Vec<(String, Option<Source>)> =
        found.into_iter().map(|v| (v.message, v.source.or_else(|| source.clone()))).collect();
    // The failure is as severe as its most severe keyword; each keyword says its own source when they differ.
    let fails = |s: &Option<Source>| s.as_ref().is_none_or(|s| Severity::of(s.level) == Severity::Error);
    let chosen = sourced.iter().find(|(_, s)| fails(s)).unwrap_or(&sourced[0]).1.clone();
    let mixed = sourced.iter().any(|(_, s)| *s != chosen);
    let default = (CHECK.source)();
    let words: Vec<String> = sourced
        .iter()
        .map(
            |(message, s)| {
                if mixed { format!("{message} [{}]", s.as_ref().unwrap_or(&default)) } else { message.clone() }
            },
        )
        .collect();
    Judgement::fail_with(
        format!("the {} body does not match its schema: {}", exchange.response.status, words.join("; ")),
        chosen,
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;
    use crate::case::CaseKind;

    #[test]
    fn schema_breaks_fail() {
        let op = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        let json = Some("application/json");
        assert_eq!(judge(run, &op, &k, &response(200, json, r#"{"ok":true}"#)), Judgement::Pass);
        let Judgement::Fail { message, .. } = judge(run, &op, &k, &response(200, json, r#"{"ok":"yes"}"#)) else {
            panic!("a string is not a boolean")
        };
        assert!(message.contains("/ok"), "{message}");
        assert!(matches!(judge(run, &op, &k, &response(200, json, "{")), Judgement::Fail { .. }));
        assert!(matches!(judge(run, &op, &k, &response(200, json, "{}")), Judgement::Fail { .. }), "ok is required");
        assert_eq!(judge(run, &op, &k, &response(200, Some("text/plain"), "x")), Judgement::NotApplicable);
        assert_eq!(judge(run, &op, &k, &response(409, json, "{}")), Judgement::NotApplicable);
    }

    #[test]
    fn a_profile_keyword_inside_a_documented_response_keeps_its_source() {
        let op = operation(serde_json::json!({"responses": {"200": {"description": "ok",
            "x-conform-source": {"level": "seed", "cite": "seed 004"},
            "content": {"application/json": {"schema": {"type": "object", "properties": {
                "chat_id": {"type": "string", "pattern": "^[0-9]+@c\\.us$",
                            "x-conform-source": {"level": "profile", "cite": "contract.md §5"}},
                "n": {"type": "integer"}}}}}}}}));
        let k = CaseKind::Positive;
        let json = Some("application/json");
        let Judgement::Fail { source, .. } = judge(run, &op, &k, &response(200, json, r#"{"chat_id":"x"}"#)) else {
            panic!("the pattern fails")
        };
        assert_eq!(source.unwrap().level, Level::Profile);
        let Judgement::Fail { source, message } =
            judge(run, &op, &k, &response(200, json, r#"{"chat_id":"x","n":"y"}"#))
        else {
            panic!()
        };
        assert_eq!(source.unwrap().level, Level::Seed, "the most severe keyword decides: {message}");
        assert!(message.contains("[profile: contract.md §5]") && message.contains("[seed: seed 004]"), "{message}");
    }

    /// (swagger, issue 24) Each item of a sequence of JSON values is checked against `itemSchema`.
    #[test]
    fn a_json_sequence_is_checked_item_by_item() {
        let op = operation(serde_json::json!({"responses": {"200": {"description": "a stream",
            "content": {"application/jsonl": {"itemSchema": {"type": "object", "required": ["n"]}}}}}}));
        let (k, jsonl) = (CaseKind::Positive, Some("application/jsonl"));
        assert_eq!(judge(run, &op, &k, &response(200, jsonl, "{\"n\":1}\n{\"n\":2}\n")), Judgement::Pass);
        let Judgement::Fail { message, .. } = judge(run, &op, &k, &response(200, jsonl, "{\"n\":1}\n{}\n")) else {
            panic!("the second item has no n")
        };
        assert!(message.contains("/1: "), "{message}");
        assert!(matches!(judge(run, &op, &k, &response(200, jsonl, "{\"n\":1}\n{")), Judgement::Fail { .. }));
    }
}
