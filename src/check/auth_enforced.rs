//! `auth_enforced`: a request with a missing or wrong credential is never served. A refusal with
//! 401 or 403 is the credential's refusal; so is a 400 or 404 the operation documents (APIs that
//! hide a resource from those who may not see it). Any other refusal (a 409, a 422, an
//! undocumented 400) came for some other reason than the credential, as a probe's generated path
//! or body can earn one: it says nothing about authentication, and whether its status is
//! documented is `status_code_conformance`'s finding.

use super::{Check, CheckId, Exchange, Judgement};
use crate::case::{CaseKind, Probe};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::AuthEnforced,
    description: "a missing or wrong credential is refused (401, 403, or a documented 400/404), never served",
    source: || Source::new(Level::Doc, "the operation's security requirement"),
    run,
};

/// Refusals that speak of the credential whatever the operation documents.
const AUTH_STATUSES: [u16; 2] = [401, 403];
/// Refusals that speak of the credential where the operation documents them.
const DOCUMENTED_AUTH_STATUSES: [u16; 2] = [400, 404];

fn run(exchange: &Exchange<'_>) -> Judgement {
    let (scheme, what) = match exchange.kind {
        CaseKind::Protocol(Probe::MissingCredential { scheme }) => (scheme, "missing"),
        CaseKind::Protocol(Probe::WrongCredential { scheme }) => (scheme, "wrong"),
        _ => return Judgement::NotApplicable,
    };
    let operation = exchange.operation;
    let status = exchange.response.status;
    if AUTH_STATUSES.contains(&status) || (DOCUMENTED_AUTH_STATUSES.contains(&status) && operation.documents(status)) {
        return Judgement::Pass;
    }
    if status >= 400 {
        return Judgement::NotApplicable;
    }
    let source = operation.credentials.iter().find(|c| &c.scheme == scheme).and_then(|c| c.source.clone());
    Judgement::fail_with(format!("a {what} `{scheme}` credential was served with {status}"), source)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation, response};
    use super::*;

    #[test]
    fn served_fails_and_only_the_credentials_refusals_pass() {
        let op = operation(serde_json::json!({"security": [{"key": []}], "responses": {
            "200": {"description": "ok"}, "404": {"description": "no such thing"}, "409": {"description": "exists"}}}));
        let kind = CaseKind::Protocol(Probe::MissingCredential { scheme: "key".into() });
        let Judgement::Fail { message, .. } = judge(run, &op, &kind, &response(200, None, "")) else { panic!() };
        assert_eq!(message, "a missing `key` credential was served with 200");
        assert!(matches!(judge(run, &op, &kind, &response(302, None, "")), Judgement::Fail { .. }));
        for refused in [401, 403, 404] {
            assert_eq!(judge(run, &op, &kind, &response(refused, None, "")), Judgement::Pass, "{refused}");
        }
        // Refused for something else than the credential (or undocumented): not this check's to judge.
        for other in [400, 409, 422] {
            assert_eq!(judge(run, &op, &kind, &response(other, None, "")), Judgement::NotApplicable, "{other}");
        }
        assert_eq!(judge(run, &op, &kind, &response(500, None, "")), Judgement::NotApplicable);
        assert_eq!(judge(run, &op, &CaseKind::Positive, &response(200, None, "")), Judgement::NotApplicable);
    }
}
