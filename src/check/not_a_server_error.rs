//! `not_a_server_error`: no input the harness sends may produce a 5xx.

use super::{Check, CheckId, Exchange, Verdict};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::NotAServerError,
    description: "the target never answers 5xx, whatever it is sent",
    source: || Source::new(Level::Doc, "RFC 9110 §15.6: a 5xx says the server failed, whatever it was sent"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Verdict {
    let status = exchange.response.status;
    if status >= 500 { Verdict::fail(format!("the target answered {status}, a server error")) } else { Verdict::Pass }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, response, verdict};
    use super::*;
    use crate::case::CaseKind;

    #[test]
    fn fails_on_5xx_only() {
        let op = operation(serde_json::json!({}));
        assert!(matches!(verdict(run, &op, &CaseKind::Positive, &response(500, None, "")), Verdict::Fail { .. }));
        assert!(matches!(verdict(run, &op, &CaseKind::Positive, &response(503, None, "")), Verdict::Fail { .. }));
        assert_eq!(verdict(run, &op, &CaseKind::Positive, &response(499, None, "")), Verdict::Pass);
    }
}
