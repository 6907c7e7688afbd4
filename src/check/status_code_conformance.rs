//! `status_code_conformance`: every answer's status is one the operation documents (exactly, by
//! range, or through `default`). Server errors are left to `not_a_server_error`.

use super::{Check, CheckId, Exchange, Verdict, documented_statuses};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::StatusCodeConformance,
    description: "the status is documented for the operation",
    source: || Source::new(Level::Doc, "the operation's documented responses"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Verdict {
    let status = exchange.response.status;
    if status >= 500 {
        return Verdict::NotApplicable;
    }
    match exchange.operation.response_for(status) {
        Some(_) => Verdict::Pass,
        None => Verdict::fail(format!(
            "status {status} is not documented for {} (documented: {})",
            exchange.operation.qualified_id(),
            documented_statuses(exchange.operation)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, response, verdict};
    use super::*;
    use crate::case::CaseKind;

    #[test]
    fn undocumented_status_fails() {
        let op = operation(serde_json::json!({}));
        assert_eq!(verdict(run, &op, &CaseKind::Positive, &response(400, None, "")), Verdict::Pass);
        let Verdict::Fail { message, .. } = verdict(run, &op, &CaseKind::Positive, &response(409, None, "")) else {
            panic!("409 is undocumented")
        };
        assert_eq!(message, "status 409 is not documented for demo::do-thing (documented: 200, 400, 405)");
        assert_eq!(verdict(run, &op, &CaseKind::Positive, &response(502, None, "")), Verdict::NotApplicable);
    }
}
