//! `negative_data_rejection`: a request that breaks exactly one constraint is refused (a 4xx),
//! never accepted. The negative case was re-validated before it was sent, so it really is
//! invalid. Which 4xx is asserted only where the spec pins the status invalid input gets
//! (`x-conform-invalid-input`); elsewhere any 4xx is a rejection, and one the operation does not
//! document is `status_code_conformance`'s finding, not this rule's too.

use super::{Check, CheckId, Exchange, Verdict};
use crate::case::{CaseKind, Target};
use crate::spec::{InputPlace, Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::NegativeDataRejection,
    description: "invalid input is refused with a 4xx (the status the spec pins, where it pins one)",
    source: || Source::new(Level::Doc, "the operation's request schema"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Verdict {
    let CaseKind::Negative(mutation) = exchange.kind else {
        return Verdict::NotApplicable;
    };
    let status = exchange.response.status;
    if status >= 500 {
        return Verdict::NotApplicable;
    }
    let what = format!("{} ({} {})", mutation.target, mutation.kind.as_str(), mutation.constraint);
    // (issue 25) A missing required header accepted is `missing_required_header`'s finding.
    if status < 400 && super::missing_required_header::missing_header(exchange.kind).is_some() {
        return Verdict::NotApplicable;
    }
    if status < 400 {
        return Verdict::fail_with(
            format!("invalid input was accepted with {status}: {what}"),
            mutation.source.clone(),
        );
    }
    let place = match mutation.target {
        Target::Body(_) => InputPlace::Body,
        Target::Query(_) => InputPlace::Query,
        Target::Header(_) => InputPlace::Header,
        Target::Path(_) => InputPlace::Path,
    };
    let Some(pin) = exchange.operation.invalid_input.as_ref().filter(|pin| pin.covers(place)) else {
        return Verdict::Pass;
    };
    if pin.statuses.contains(&status) {
        return Verdict::Pass;
    }
    let pinned = pin.statuses.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ");
    Verdict::fail_with(
        format!("invalid input was refused with {status}, not the {pinned} the spec pins for invalid input: {what}"),
        Some(pin.source.clone()),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, response, verdict};
    use super::*;
    use crate::case::{Mutation, MutationKind};

    fn negative(target: Target, source: Option<Source>) -> CaseKind {
        CaseKind::Negative(Mutation {
            kind: MutationKind::PatternMismatch,
            target,
            constraint: "must match ^[0-9]+$".into(),
            source,
        })
    }

    #[test]
    fn accepted_invalid_input_fails_and_any_refusal_passes_unless_pinned() {
        let op = operation(serde_json::json!({}));
        let field = Source::new(Level::Field, "sdk");
        let kind = negative(Target::Body("/phone".into()), Some(field.clone()));
        let Verdict::Fail { message, source } = verdict(run, &op, &kind, &response(200, None, "")) else {
            panic!("200 accepts invalid input")
        };
        assert_eq!(message, "invalid input was accepted with 200: body/phone (pattern must match ^[0-9]+$)");
        assert_eq!(source, Some(field), "the broken constraint's source");
        assert!(matches!(verdict(run, &op, &kind, &response(302, None, "")), Verdict::Fail { .. }));
        // Unpinned, a refusal is a rejection, documented (400) or not (404, 422: another rule's).
        for refused in [400, 404, 422] {
            assert_eq!(verdict(run, &op, &kind, &response(refused, None, "")), Verdict::Pass, "{refused}");
        }
        assert_eq!(verdict(run, &op, &kind, &response(500, None, "")), Verdict::NotApplicable);
        assert_eq!(verdict(run, &op, &CaseKind::Positive, &response(200, None, "")), Verdict::NotApplicable);
    }

    #[test]
    fn a_pinned_status_is_asserted_where_the_pin_holds() {
        let pin = serde_json::json!({"x-conform-invalid-input": {"status": [422], "in": ["body"],
            "x-conform-source": {"level": "profile", "cite": "contract.md §2"}}});
        let op = operation(pin);
        let body = negative(Target::Body("/phone".into()), None);
        assert_eq!(verdict(run, &op, &body, &response(422, None, "")), Verdict::Pass);
        let Verdict::Fail { message, source } = verdict(run, &op, &body, &response(400, None, "")) else {
            panic!("400 is not the pinned 422")
        };
        assert!(message.contains("refused with 400, not the 422 the spec pins"), "{message}");
        assert_eq!(source, Some(Source::new(Level::Profile, "contract.md §2")), "the pin's source");
        let query = negative(Target::Query("limit".into()), None);
        assert_eq!(verdict(run, &op, &query, &response(404, None, "")), Verdict::Pass, "the pin is for the body only");
    }
}
