//! `unsupported_media_type`: a JSON body sent without `Content-Type: application/json` (missing,
//! or another media type) is answered 415.

use super::{Check, CheckId, Exchange, Verdict};
use crate::case::{CaseKind, Probe};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::UnsupportedMediaType,
    description: "a body without its documented Content-Type gets 415",
    source: || Source::new(Level::Doc, "contract.md §2 (Z-API pages: 415)"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Verdict {
    let label = match exchange.kind {
        CaseKind::Protocol(Probe::MissingContentType) => "no Content-Type".to_owned(),
        CaseKind::Protocol(Probe::WrongContentType { content_type }) => format!("Content-Type {content_type}"),
        _ => return Verdict::NotApplicable,
    };
    match exchange.response.status {
        415 => Verdict::Pass,
        status => Verdict::fail(format!("a JSON body with {label} was answered {status}, not 415")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, response, verdict};
    use super::*;

    #[test]
    fn needs_415() {
        let op = operation(serde_json::json!({}));
        let kind = CaseKind::Protocol(Probe::WrongContentType { content_type: "text/plain".into() });
        assert_eq!(verdict(run, &op, &kind, &response(415, None, "")), Verdict::Pass);
        let Verdict::Fail { message, .. } = verdict(run, &op, &kind, &response(200, None, "")) else { panic!() };
        assert_eq!(message, "a JSON body with Content-Type text/plain was answered 200, not 415");
        assert_eq!(verdict(run, &op, &CaseKind::Positive, &response(200, None, "")), Verdict::NotApplicable);
    }
}
