//! `negative_data_rejection`: a request that breaks exactly one constraint is refused with the
//! 400 or 422 the operation documents, never accepted. The negative case was re-validated before
//! it was sent, so it really is invalid.

use super::{Check, CheckId, Exchange, Verdict};
use crate::case::CaseKind;
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::NegativeDataRejection,
    description: "invalid input is refused with the documented 400/422",
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
    let operation = exchange.operation;
    let rejections: Vec<u16> = [400, 422].into_iter().filter(|s| operation.documents(*s)).collect();
    let what = format!("{} ({} {})", mutation.target, mutation.kind.as_str(), mutation.constraint);
    if (200..400).contains(&status) {
        return Verdict::fail_with(
            format!("invalid input was accepted with {status}: {what}"),
            mutation.source.clone(),
        );
    }
    if rejections.is_empty() || rejections.contains(&status) {
        return Verdict::Pass;
    }
    let documented = rejections.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ");
    let source = rejections.iter().find_map(|s| operation.response_for(*s)).and_then(|r| r.source.clone());
    Verdict::fail_with(
        format!("invalid input was refused with {status}, not the documented {documented}: {what}"),
        source,
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, response, verdict};
    use super::*;
    use crate::case::{Mutation, MutationKind, Target};

    fn negative(source: Option<Source>) -> CaseKind {
        CaseKind::Negative(Mutation {
            kind: MutationKind::PatternMismatch,
            target: Target::Body("/phone".into()),
            constraint: "must match ^[0-9]+$".into(),
            source,
        })
    }

    #[test]
    fn accepted_or_wrongly_refused_invalid_input_fails() {
        let op = operation(serde_json::json!({}));
        let field = Source::new(Level::Field, "sdk");
        let kind = negative(Some(field.clone()));
        assert_eq!(verdict(run, &op, &kind, &response(400, None, "")), Verdict::Pass);
        let Verdict::Fail { message, source } = verdict(run, &op, &kind, &response(200, None, "")) else {
            panic!("200 accepts invalid input")
        };
        assert_eq!(message, "invalid input was accepted with 200: body/phone (pattern must match ^[0-9]+$)");
        assert_eq!(source, Some(field), "the broken constraint's source");
        let Verdict::Fail { message, .. } = verdict(run, &op, &kind, &response(422, None, "")) else {
            panic!("422 is not the documented rejection")
        };
        assert!(message.contains("not the documented 400"), "{message}");
        assert_eq!(verdict(run, &op, &kind, &response(500, None, "")), Verdict::NotApplicable);
        assert_eq!(verdict(run, &op, &CaseKind::Positive, &response(200, None, "")), Verdict::NotApplicable);
    }
}
