//! `positive_data_acceptance`: a request the spec's own schemas allow is not refused as invalid
//! (Schemathesis's check of the same name).
//!
//! Judged: positive cases (every parameter and the body valid under the spec), and the spec's own
//! request examples whose body and parameter examples validate against their documented schemas
//! (an example the server refuses contradicts the spec that shows it; an example the spec's own
//! schemas refuse is the spec's mistake, not the server's). Not judged: negative, protocol and
//! hostile cases, scenario and flow steps (their answers depend on the state a story built).
//!
//! A refusal "as invalid" is 400 or 422; 415 when the request's `Content-Type` is one the
//! operation documents for its body; 406 when the request sends no `Accept` (any media type will
//! do) or one that admits a media type the operation produces. A 401, 403, 404, 409, 412 or 429
//! speaks of credentials, state or preconditions, not of the input's shape, so it is never this
//! check's finding.
//!
//! Severity, from `x-conform-accepts-valid-input` (the operation's, else the document's root):
//! - `{level, cite}`: acceptance is certain, and a refusal breaks that rule at its level;
//! - absent: a warning. Its source is `profile`, not `field`: nobody reported the rule; conform
//!   decides, where the spec is silent, that a request its parameter and body schemas accept should
//!   not be refused as invalid. A server may still have rules its schemas do not state (Kinto's id
//!   pattern), so the spec's silence is not certainty;
//! - `false`: the operation refuses some schema-valid input for a business reason; not judged.

use super::{Check, CheckId, Exchange, Judgement, essence, media_matches};
use crate::case::CaseKind;
use crate::spec::{AcceptsValidInput, Level, Source, is_valid};

pub const CHECK: Check = Check {
    id: CheckId::PositiveDataAcceptance,
    description: "a request the spec's schemas allow is not refused as invalid (400, 406, 415 or 422)",
    source: expected,
    run,
};

/// The source of a refusal where the spec does not declare acceptance certain.
fn expected() -> Source {
    Source::new(
        Level::Profile,
        "the operation's parameter and body schemas accept this request (Schemathesis positive_data_acceptance)",
    )
}

fn run(exchange: &Exchange<'_>) -> Judgement {
    let source = match &exchange.operation.accepts_valid_input {
        AcceptsValidInput::NotPromised => return Judgement::NotApplicable,
        AcceptsValidInput::Certain(source) => source.clone(),
        AcceptsValidInput::Expected => expected(),
    };
    let what = match exchange.kind {
        CaseKind::Positive => "valid input".to_owned(),
        CaseKind::Example { name } if example_is_valid(exchange) => format!("the spec's request example `{name}`"),
        _ => return Judgement::NotApplicable,
    };
    let status = exchange.response.status;
    let refused = match status {
        400 | 422 => true,
        415 => sends_a_documented_media_type(exchange),
        406 => accepts_a_produced_media_type(exchange),
        _ => false,
    };
    if refused {
        Judgement::fail_with(format!("{what} was refused with {status}"), Some(source))
    } else {
        Judgement::Pass
    }
}

/// The request's body `Content-Type` is one the operation documents for its request body (a
/// documented range such as `application/*` admits it too).
fn sends_a_documented_media_type(exchange: &Exchange<'_>) -> bool {
    let (Some(body), Some(sent)) = (&exchange.operation.body, exchange.request.header_value("content-type")) else {
        return false;
    };
    let sent = essence(sent);
    body.content.iter().any(|(media, _)| media_matches(media, &sent))
}

/// The request's `Accept` is absent or admits one of the media types the operation produces.
fn accepts_a_produced_media_type(exchange: &Exchange<'_>) -> bool {
    let Some(accept) = exchange.request.header_value("accept") else {
        return true;
    };
    accept.split(',').any(|range| exchange.operation.produces.iter().any(|media| media_matches(range, &essence(media))))
}

/// An example is positive when every parameter example validates against its parameter's schema
/// and its body is valid (see [`example_body_is_valid`]).
fn example_is_valid(exchange: &Exchange<'_>) -> bool {
    let parameters = exchange.operation.parameters.iter();
    parameters.filter_map(|p| Some((&p.schema, p.example.as_ref()?))).all(|(schema, example)| is_valid(schema, example))
        && example_body_is_valid(exchange)
}

/// An example's JSON body validates against the schema documented for the media type it was sent
/// as; a body that is not JSON, or sent as an undocumented type, is taken as the spec wrote it. An
/// example without a body (parameters only) has nothing to validate here.
fn example_body_is_valid(exchange: &Exchange<'_>) -> bool {
    let (Some(body), Some(bytes)) = (&exchange.operation.body, &exchange.request.body) else {
        return true;
    };
    let Some(sent) = exchange.request.header_value("content-type").map(essence) else {
        return true;
    };
    let Some((_, schema)) = body.content.iter().find(|(media, _)| essence(media) == sent) else {
        return true;
    };
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => is_valid(schema, &value),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;
    use crate::http::PreparedRequest;

    fn judge_request(
        op: &crate::spec::Operation,
        kind: &CaseKind,
        request: &PreparedRequest,
        status: u16,
    ) -> Judgement {
        let response = response(status, None, "{}");
        run(&Exchange { operation: op, kind, request, response: &response })
    }

    #[test]
    fn a_refused_positive_case_is_a_warning_unless_acceptance_is_certain() {
        let k = CaseKind::Positive;
        let certain = operation(serde_json::json!({"x-conform-accepts-valid-input": {"level": "doc", "cite": "c"}}));
        let Judgement::Fail { source, message } = judge(run, &certain, &k, &response(400, None, "{}")) else {
            panic!("a certain acceptance refused")
        };
        assert_eq!(source, Some(Source::new(Level::Doc, "c")));
        assert_eq!(message, "valid input was refused with 400");

        let expected = operation(serde_json::json!({}));
        let Judgement::Fail { source, .. } = judge(run, &expected, &k, &response(422, None, "{}")) else {
            panic!("any spec's refused positive case is a finding")
        };
        assert_eq!(source.unwrap().level, Level::Profile, "a warning");
        assert_eq!(judge(run, &expected, &k, &response(200, None, "{}")), Judgement::Pass);

        let opted_out = operation(serde_json::json!({"x-conform-accepts-valid-input": false}));
        assert_eq!(judge(run, &opted_out, &k, &response(400, None, "{}")), Judgement::NotApplicable);
    }

    #[test]
    fn state_auth_and_preconditions_are_not_refusals_of_the_input() {
        let op = operation(serde_json::json!({}));
        for status in [401, 403, 404, 409, 412, 429] {
            assert_eq!(
                judge(run, &op, &CaseKind::Positive, &response(status, None, "{}")),
                Judgement::Pass,
                "{status}"
            );
        }
    }

    #[test]
    fn only_positive_cases_and_valid_examples_are_judged() {
        let op = operation(serde_json::json!({"requestBody": {"required": true, "content": {"application/json":
            {"schema": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}}}}));
        let request = |body: &str| {
            PreparedRequest::new("POST", "http://127.0.0.1:1/thing")
                .header("Content-Type", "application/json")
                .body(body)
        };
        let example = CaseKind::Example { name: "one".into() };
        let Judgement::Fail { message, .. } = judge_request(&op, &example, &request(r#"{"n": 1}"#), 400) else {
            panic!("a valid example refused")
        };
        assert_eq!(message, "the spec's request example `one` was refused with 400");
        assert_eq!(judge_request(&op, &example, &request(r#"{"n": "x"}"#), 400), Judgement::NotApplicable);
        let mut wrong_parameter = op.clone();
        wrong_parameter.parameters = vec![crate::spec::Parameter {
            name: "limit".into(),
            location: crate::spec::ParamLocation::Query,
            required: false,
            schema: serde_json::json!({"type": "integer", "maximum": 10}),
            example: Some(serde_json::json!(50)),
            collection_format: None,
        }];
        let refused = judge_request(&wrong_parameter, &example, &request(r#"{"n": 1}"#), 400);
        assert_eq!(refused, Judgement::NotApplicable, "a parameter example the spec's own schema refuses");
        for kind in [CaseKind::Step, CaseKind::Hostile { name: "bom".into() }] {
            assert_eq!(judge_request(&op, &kind, &request(r#"{"n": 1}"#), 400), Judgement::NotApplicable);
        }
    }

    #[test]
    fn a_415_counts_only_for_a_documented_media_type() {
        let op = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        let json =
            PreparedRequest::new("POST", "http://h/thing").header("Content-Type", "application/json; charset=utf-8");
        assert!(matches!(judge_request(&op, &k, &json, 415), Judgement::Fail { .. }));
        let text = PreparedRequest::new("POST", "http://h/thing").header("Content-Type", "text/plain");
        assert_eq!(judge_request(&op, &k, &text, 415), Judgement::Pass);
        let none = PreparedRequest::new("POST", "http://h/thing");
        assert_eq!(judge_request(&op, &k, &none, 415), Judgement::Pass);
        let any_text = operation(serde_json::json!({"requestBody": {"content": {"text/*": {"schema": {}}}}}));
        assert!(matches!(judge_request(&any_text, &k, &text, 415), Judgement::Fail { .. }), "a documented range");
    }

    #[test]
    fn a_406_counts_unless_the_request_asked_for_what_the_operation_never_produces() {
        let op = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        let ask = |accept: Option<&str>| {
            let request = PreparedRequest::new("POST", "http://h/thing");
            accept.map_or(request.clone(), |a| request.header("Accept", a))
        };
        for accept in [None, Some("*/*"), Some("text/html, application/*;q=0.5"), Some("application/json")] {
            assert!(matches!(judge_request(&op, &k, &ask(accept), 406), Judgement::Fail { .. }), "{accept:?}");
        }
        assert_eq!(judge_request(&op, &k, &ask(Some("image/png")), 406), Judgement::Pass);
    }
}
