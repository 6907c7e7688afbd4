//! `auth_enforced`: a request with a missing or wrong credential is refused with a status the
//! operation documents for it (400, 401, 403 or 404), never served.

use super::{Check, CheckId, Exchange, Verdict};
use crate::case::{CaseKind, Probe};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::AuthEnforced,
    description: "a missing or wrong credential is refused with a documented 400/401/403/404",
    source: || Source::new(Level::Doc, "the operation's security requirement"),
    run,
};

const AUTH_STATUSES: [u16; 4] = [400, 401, 403, 404];

fn run(exchange: &Exchange<'_>) -> Verdict {
    let (scheme, what) = match exchange.kind {
        CaseKind::Protocol(Probe::MissingCredential { scheme }) => (scheme, "missing"),
        CaseKind::Protocol(Probe::WrongCredential { scheme }) => (scheme, "wrong"),
        _ => return Verdict::NotApplicable,
    };
    let operation = exchange.operation;
    let source = operation.credentials.iter().find(|c| &c.scheme == scheme).and_then(|c| c.source.clone());
    let status = exchange.response.status;
    if status >= 500 {
        return Verdict::NotApplicable;
    }
    let documented: Vec<u16> = AUTH_STATUSES.into_iter().filter(|s| operation.documents(*s)).collect();
    if documented.contains(&status) {
        return Verdict::Pass;
    }
    let expected = documented.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    let verb = if status < 400 { "served" } else { "refused" };
    Verdict::fail_with(
        format!("a {what} `{scheme}` credential was {verb} with {status}; documented refusals: {expected}"),
        source,
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, response, verdict};
    use super::*;

    #[test]
    fn refusal_must_be_documented() {
        let op = operation(serde_json::json!({"security": [{"key": []}], "responses": {
            "200": {"description": "ok"}, "401": {"description": "no"}}}));
        let kind = CaseKind::Protocol(Probe::MissingCredential { scheme: "key".into() });
        assert_eq!(verdict(run, &op, &kind, &response(401, None, "")), Verdict::Pass);
        let Verdict::Fail { message, .. } = verdict(run, &op, &kind, &response(200, None, "")) else { panic!() };
        assert_eq!(message, "a missing `key` credential was served with 200; documented refusals: 401");
        assert!(matches!(verdict(run, &op, &kind, &response(403, None, "")), Verdict::Fail { .. }));
    }
}
