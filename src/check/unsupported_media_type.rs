//! `unsupported_media_type`: a JSON body sent without `Content-Type: application/json` (missing,
//! or another media type) is answered 415. The rule's source is the spec's own (the documented
//! 415 response, else the operation); a spec that says nothing gets the generic default, RFC 9110
//! §15.5.16 at `profile` level: a warning, since many correct servers answer 400 or 422 instead.

use super::{Check, CheckId, Exchange, Judgement, spec_source};
use crate::case::{CaseKind, Probe};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::UnsupportedMediaType,
    description: "a body without its documented Content-Type gets 415",
    source: || Source::new(Level::Profile, "RFC 9110 §15.5.16 (415 Unsupported Media Type)"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Judgement {
    let label = match exchange.kind {
        CaseKind::Protocol(Probe::MissingContentType) => "no Content-Type".to_owned(),
        CaseKind::Protocol(Probe::WrongContentType { content_type }) => format!("Content-Type {content_type}"),
        _ => return Judgement::NotApplicable,
    };
    match exchange.response.status {
        415 => Judgement::Pass,
        status => Judgement::fail_with(
            format!("a JSON body with {label} was answered {status}, not 415"),
            spec_source(exchange.operation, 415),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;

    #[test]
    fn needs_415() {
        let op = operation(serde_json::json!({}));
        let kind = CaseKind::Protocol(Probe::WrongContentType { content_type: "text/plain".into() });
        assert_eq!(judge(run, &op, &kind, &response(415, None, "")), Judgement::Pass);
        let Judgement::Fail { message, source } = judge(run, &op, &kind, &response(200, None, "")) else { panic!() };
        assert_eq!(message, "a JSON body with Content-Type text/plain was answered 200, not 415");
        assert_eq!(source, None, "the spec says nothing: the generic default applies");
        assert_eq!(judge(run, &op, &CaseKind::Positive, &response(200, None, "")), Judgement::NotApplicable);
    }

    #[test]
    fn the_source_is_the_specs() {
        let doc = serde_json::json!({"level": "doc", "cite": "the provider's page"});
        let op = operation(serde_json::json!({"responses": {"200": {"description": "ok"},
            "415": {"description": "unlabelled", "x-conform-source": doc}}}));
        let kind = CaseKind::Protocol(Probe::MissingContentType);
        let Judgement::Fail { source, .. } = judge(run, &op, &kind, &response(422, None, "")) else { panic!() };
        assert_eq!(source, Some(Source::new(Level::Doc, "the provider's page")));
        assert_eq!((CHECK.source)().level, Level::Profile, "the generic default only warns");
    }
}
