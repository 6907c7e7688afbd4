//! `positive_data_acceptance`: where the spec says acceptance is certain
//! (`x-conform-accepts-valid-input`), a schema-valid request with valid credentials is not refused
//! as invalid (400, 415 or 422).

use super::{Check, CheckId, Exchange, Judgement};
use crate::case::CaseKind;
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::PositiveDataAcceptance,
    description: "valid input is not refused as invalid, where the contract makes acceptance certain",
    source: || Source::new(Level::Doc, "x-conform-accepts-valid-input"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Judgement {
    let (CaseKind::Positive, Some(source)) = (exchange.kind, &exchange.operation.accepts_valid_input) else {
        return Judgement::NotApplicable;
    };
    let status = exchange.response.status;
    if matches!(status, 400 | 415 | 422) {
        Judgement::fail_with(format!("valid input was refused with {status}"), Some(source.clone()))
    } else {
        Judgement::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;

    #[test]
    fn only_where_acceptance_is_certain() {
        let certain =
            operation(serde_json::json!({"x-conform-accepts-valid-input": {"level": "profile", "cite": "c"}}));
        let uncertain = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        assert!(matches!(judge(run, &certain, &k, &response(400, None, "{}")), Judgement::Fail { .. }));
        assert_eq!(judge(run, &certain, &k, &response(200, None, "{}")), Judgement::Pass);
        assert_eq!(judge(run, &uncertain, &k, &response(400, None, "{}")), Judgement::NotApplicable);
    }
}
