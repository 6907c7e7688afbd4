//! `status_code_conformance`: every answer's status is one the operation documents (exactly, by
//! range, or through `default`). Server errors are left to `not_a_server_error`. The status a
//! probe demands (405 for an undocumented method, 415 for an unlabelled body) is judged by the
//! check that demanded it, never failed again here as undocumented.

use super::{Check, CheckId, Exchange, Judgement, documented_statuses};
use crate::case::{CaseKind, Probe};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::StatusCodeConformance,
    description: "the status is documented for the operation",
    source: || Source::new(Level::Doc, "the operation's documented responses"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Judgement {
    let status = exchange.response.status;
    if status >= 500 {
        return Judgement::NotApplicable;
    }
    if demanded(exchange.kind) == Some(status) {
        return Judgement::Pass;
    }
    match exchange.operation.response_for(status) {
        Some(_) => Judgement::Pass,
        None => Judgement::fail(format!(
            "status {status} is not documented for {} (documented: {})",
            exchange.operation.qualified_id(),
            documented_statuses(exchange.operation)
        )),
    }
}

/// The status a protocol probe asks for, which another check judges.
fn demanded(kind: &CaseKind) -> Option<u16> {
    match kind {
        CaseKind::Protocol(Probe::UndocumentedMethod { .. }) => Some(405),
        CaseKind::Protocol(Probe::MissingContentType | Probe::WrongContentType { .. }) => Some(415),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;
    use crate::case::CaseKind;

    #[test]
    fn undocumented_status_fails() {
        let op = operation(serde_json::json!({}));
        assert_eq!(judge(run, &op, &CaseKind::Positive, &response(400, None, "")), Judgement::Pass);
        let Judgement::Fail { message, .. } = judge(run, &op, &CaseKind::Positive, &response(409, None, "")) else {
            panic!("409 is undocumented")
        };
        assert_eq!(message, "status 409 is not documented for demo::do-thing (documented: 200, 400, 405)");
        assert_eq!(judge(run, &op, &CaseKind::Positive, &response(502, None, "")), Judgement::NotApplicable);
    }

    #[test]
    fn a_probes_demanded_status_is_not_failed_twice() {
        let op = operation(serde_json::json!({"responses": {"200": {"description": "ok"}}}));
        let method = CaseKind::Protocol(Probe::UndocumentedMethod { method: "GET".into() });
        assert_eq!(judge(run, &op, &method, &response(405, None, "")), Judgement::Pass);
        let media = CaseKind::Protocol(Probe::MissingContentType);
        assert_eq!(judge(run, &op, &media, &response(415, None, "")), Judgement::Pass);
        assert!(matches!(judge(run, &op, &media, &response(405, None, "")), Judgement::Fail { .. }));
        assert!(matches!(judge(run, &op, &CaseKind::Positive, &response(415, None, "")), Judgement::Fail { .. }));
    }
}
