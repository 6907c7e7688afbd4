//! `missing_required_header` (Schemathesis's check of the same name): a request that leaves out
//! a header parameter the operation marks required is refused with a 4xx. The negative phase
//! sends that request; this rule judges it, so that `negative_data_rejection` does not report the
//! same acceptance twice (it still asserts a pinned status on a refusal).

use super::{Check, CheckId, Exchange, Judgement};
use crate::case::{CaseKind, MutationKind, Target};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::MissingRequiredHeader,
    description: "a request without a required header parameter is refused with a 4xx",
    source: || Source::new(Level::Doc, "the operation's required header parameter"),
    run,
};

/// The header a case leaves out, where it is a missing-required-header case.
pub(super) fn missing_header(kind: &CaseKind) -> Option<&str> {
    match kind {
        CaseKind::Negative(m) if m.kind == MutationKind::MissingRequired => match &m.target {
            Target::Header(name) => Some(name),
            _ => None,
        },
        _ => None,
    }
}

fn run(exchange: &Exchange<'_>) -> Judgement {
    let Some(name) = missing_header(exchange.kind) else { return Judgement::NotApplicable };
    let status = exchange.response.status;
    match status {
        400..=499 => Judgement::Pass,
        500.. => Judgement::NotApplicable,
        _ => {
            let source = match exchange.kind {
                CaseKind::Negative(m) => m.source.clone(),
                _ => None,
            };
            Judgement::fail_with(
                format!("a request without the required header `{name}` was accepted with {status}"),
                source,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;
    use crate::case::Mutation;

    fn missing(target: Target) -> CaseKind {
        CaseKind::Negative(Mutation {
            kind: MutationKind::MissingRequired,
            target,
            constraint: "is required".into(),
            source: None,
        })
    }

    #[test]
    fn a_missing_required_header_must_be_refused() {
        let op = operation(serde_json::json!({}));
        let kind = missing(Target::Header("X-Request-Id".into()));
        let Judgement::Fail { message, .. } = judge(run, &op, &kind, &response(200, None, "")) else {
            panic!("accepted")
        };
        assert_eq!(message, "a request without the required header `X-Request-Id` was accepted with 200");
        assert_eq!(judge(run, &op, &kind, &response(400, None, "")), Judgement::Pass);
        assert_eq!(judge(run, &op, &kind, &response(503, None, "")), Judgement::NotApplicable);
        let query = missing(Target::Query("limit".into()));
        assert_eq!(judge(run, &op, &query, &response(200, None, "")), Judgement::NotApplicable);
    }
}
