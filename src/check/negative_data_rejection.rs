//! `negative_data_rejection`: a request that breaks exactly one constraint is refused (a 4xx),
//! never accepted. The negative case was re-validated before it was sent, so it really is
//! invalid. Which 4xx is asserted only where the spec pins the status invalid input gets
//! (`x-conform-invalid-input`); elsewhere any 4xx is a rejection, and one the operation does not
//! document is `status_code_conformance`'s finding, not this rule's too.

use super::{Check, CheckId, Exchange, Judgement};
use crate::case::{CaseKind, Target};
use crate::spec::{InputPlace, Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::NegativeDataRejection,
    description: "invalid input is refused with a 4xx (the status the spec pins, where it pins one)",
    source: || Source::new(Level::Doc, "the operation's request schema"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Judgement {
    let CaseKind::Negative(mutation) = exchange.kind else {
        return Judgement::NotApplicable;
    };
    let status = exchange.response.status;
    if status >= 500 {
        return Judgement::NotApplicable;
    }
    let what = format!("{} ({} {})", mutation.target, mutation.kind.as_str(), mutation.constraint);
    // (issue 25) A missing required header accepted is `missing_required_header`'s finding.
    if status < 400 && super::missing_required_header::missing_header(exchange.kind).is_some() {
        return Judgement::NotApplicable;
    }
    if status < 400 {
        return Judgement::fail_with(
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
        return Judgement::Pass;
    };
    if pin.statuses.contains(&status) {
        return Judgement::Pass;
    }
    let pinned = pin.statuses.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ");
    Judgement::fail_with(
        format!("invalid input was refused with {status}, not the {pinned} the spec pins for invalid input: {what}"),
        Some(pin.source.clone()),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
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
        let Judgement::Fail { message, source } = judge(run, &op, &kind, &response(200, None, "")) else {
            panic!("200 accepts invalid input")
        };
        assert_eq!(message, "invalid input was accepted with 200: body/phone (pattern must match ^[0-9]+$)");
        assert_eq!(source, Some(field), "the broken constraint's source");
        assert!(matches!(judge(run, &op, &kind, &response(302, None, "")), Judgement::Fail { .. }));
        // Unpinned, a refusal is a rejection, documented (400) or not (404, 422: another rule's).
        for refused in [400, 404, 422] {
            assert_eq!(judge(run, &op, &kind, &response(refused, None, "")), Judgement::Pass, "{refused}");
        }
        assert_eq!(judge(run, &op, &kind, &response(500, None, "")), Judgement::NotApplicable);
        assert_eq!(judge(run, &op, &CaseKind::Positive, &response(200, None, "")), Judgement::NotApplicable);
    }

    #[test]
    fn a_pinned_status_is_asserted_where_the_pin_holds() {
        let pin = serde_json::json!({"x-conform-invalid-input": {"status": [422], "in": ["body"],
            "x-conform-source": {"level": "profile", "cite": "contract.md §2"}}});
        let op = operation(pin);
        let body = negative(Target::Body("/phone".into()), None);
        assert_eq!(judge(run, &op, &body, &response(422, None, "")), Judgement::Pass);
        let Judgement::Fail { message, source } = judge(run, &op, &body, &response(400, None, "")) else {
            panic!("400 is not the pinned 422")
        };
        assert!(message.contains("refused with 400, not the 422 the spec pins"), "{message}");
        assert_eq!(source, Some(Source::new(Level::Profile, "contract.md §2")), "the pin's source");
        let query = negative(Target::Query("limit".into()), None);
        assert_eq!(judge(run, &op, &query, &response(404, None, "")), Judgement::Pass, "the pin is for the body only");
    }
}
