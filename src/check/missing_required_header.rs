//! `missing_required_header` (Schemathesis's check of the same name): a request that leaves out
//! a header parameter the operation marks required is refused with a 4xx. The negative phase
//! sends that request; this rule judges it, so that `negative_data_rejection` does not report the
//! same acceptance twice (it still asserts a pinned status on a refusal).

use super::{Check, CheckId, Exchange, Verdict};
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

fn run(exchange: &Exchange<'_>) -> Verdict {
    let Some(name) = missing_header(exchange.kind) else { return Verdict::NotApplicable };
    let status = exchange.response.status;
    match status {
        400..=499 => Verdict::Pass,
        500.. => Verdict::NotApplicable,
        _ => {
            let source = match exchange.kind {
                CaseKind::Negative(m) => m.source.clone(),
                _ => None,
            };
            Verdict::fail_with(
                format!("a request without the required header `{name}` was accepted with {status}"),
                source,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, response, verdict};
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
        let Verdict::Fail { message, .. } = verdict(run, &op, &kind, &response(200, None, "")) else {
            panic!("accepted")
        };
        assert_eq!(message, "a request without the required header `X-Request-Id` was accepted with 200");
        assert_eq!(verdict(run, &op, &kind, &response(400, None, "")), Verdict::Pass);
        assert_eq!(verdict(run, &op, &kind, &response(503, None, "")), Verdict::NotApplicable);
        let query = missing(Target::Query("limit".into()));
        assert_eq!(verdict(run, &op, &query, &response(200, None, "")), Verdict::NotApplicable);
    }
}
