//! `unsupported_method`: a method the path does not document is answered 405, with an `Allow`
//! header naming the documented methods (HEAD may come with GET, OPTIONS may be added; RFC 9110 §15.5.6).
//! The rule's source is the spec's own (the documented 405 response, else the operation); a spec
//! that documents no 405 gets the generic default, RFC 9110 §15.5.6 at `profile` level (a warning).

use std::collections::BTreeSet;

use super::{Check, CheckId, Exchange, Judgement, spec_source};
use crate::case::{CaseKind, Probe};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::UnsupportedMethod,
    description: "an undocumented method gets 405 with an Allow header naming the documented methods",
    source: || Source::new(Level::Profile, "RFC 9110 §15.5.6 (405 Method Not Allowed, with Allow)"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Judgement {
    let CaseKind::Protocol(Probe::UndocumentedMethod { method }) = exchange.kind else {
        return Judgement::NotApplicable;
    };
    let source = spec_source(exchange.operation, 405);
    let status = exchange.response.status;
    if status != 405 {
        return Judgement::fail_with(
            format!("{method} is not documented on {} but was answered {status}, not 405", exchange.operation.path),
            source,
        );
    }
    let Some(allow) = exchange.response.header("allow") else {
        return Judgement::fail_with("the 405 answer has no Allow header", source);
    };
    let allowed: BTreeSet<String> =
        allow.split(',').map(|m| m.trim().to_ascii_uppercase()).filter(|m| !m.is_empty()).collect();
    let documented: BTreeSet<String> = exchange.operation.path_methods.iter().cloned().collect();
    let missing: Vec<&String> = documented.difference(&allowed).collect();
    let tolerated = |m: &String| m == "OPTIONS" || (m == "HEAD" && documented.contains("GET"));
    let extra: Vec<&String> = allowed.difference(&documented).filter(|m| !tolerated(m)).collect();
    if missing.is_empty() && extra.is_empty() {
        Judgement::Pass
    } else {
        Judgement::fail_with(
            format!(
                "Allow: {allow} does not name the documented methods ({}): missing {missing:?}, undocumented {extra:?}",
                exchange.operation.path_methods.join(", ")
            ),
            source,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation};
    use super::*;
    use crate::http::HttpResponse;

    fn answer(status: u16, allow: Option<&str>) -> HttpResponse {
        let headers = allow.map(|a| vec![("allow".to_owned(), a.to_owned())]).unwrap_or_default();
        HttpResponse { status, headers, body: Vec::new(), elapsed: std::time::Duration::ZERO }
    }

    #[test]
    fn needs_405_and_an_exact_allow() {
        let op = operation(serde_json::json!({}));
        let kind = CaseKind::Protocol(Probe::UndocumentedMethod { method: "GET".into() });
        assert_eq!(judge(run, &op, &kind, &answer(405, Some("POST"))), Judgement::Pass);
        assert_eq!(judge(run, &op, &kind, &answer(405, Some("POST, OPTIONS"))), Judgement::Pass);
        assert!(matches!(judge(run, &op, &kind, &answer(404, Some("POST"))), Judgement::Fail { .. }));
        assert!(matches!(judge(run, &op, &kind, &answer(405, None)), Judgement::Fail { .. }));
        assert!(matches!(judge(run, &op, &kind, &answer(405, Some("GET,POST"))), Judgement::Fail { .. }));
        assert!(
            matches!(judge(run, &op, &kind, &answer(405, Some("HEAD, POST"))), Judgement::Fail { .. }),
            "no GET documented"
        );
        assert_eq!(judge(run, &op, &CaseKind::Positive, &answer(405, None)), Judgement::NotApplicable);
    }

    #[test]
    fn the_source_is_the_specs_or_a_profile_default() {
        let kind = CaseKind::Protocol(Probe::UndocumentedMethod { method: "GET".into() });
        let profile = serde_json::json!({"level": "profile", "cite": "our choice"});
        let marked = operation(serde_json::json!({"responses": {"200": {"description": "ok"},
            "405": {"description": "method", "x-conform-source": profile}}}));
        let Judgement::Fail { source, .. } = judge(run, &marked, &kind, &answer(404, None)) else { panic!() };
        assert_eq!(source, Some(Source::new(Level::Profile, "our choice")));
        let silent = operation(serde_json::json!({"responses": {"200": {"description": "ok"}}}));
        let Judgement::Fail { source, .. } = judge(run, &silent, &kind, &answer(404, None)) else { panic!() };
        assert_eq!(source, None);
        assert_eq!((CHECK.source)().level, Level::Profile);
        assert!(!(CHECK.source)().cite.contains("contract.md"));
    }
}
