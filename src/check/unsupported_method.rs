//! `unsupported_method`: a method the path does not document is answered 405, with an `Allow`
//! header naming the documented methods (HEAD may come with GET, OPTIONS may be added; RFC 9110 §15.5.6).

use std::collections::BTreeSet;

use super::{Check, CheckId, Exchange, Verdict};
use crate::case::{CaseKind, Probe};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::UnsupportedMethod,
    description: "an undocumented method gets 405 with an Allow header naming the documented methods",
    source: || Source::new(Level::Doc, "contract.md §2 (Z-API pages: 405); RFC 9110 §15.5.6 (Allow)"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Verdict {
    let CaseKind::Protocol(Probe::UndocumentedMethod { method }) = exchange.kind else {
        return Verdict::NotApplicable;
    };
    let status = exchange.response.status;
    if status != 405 {
        return Verdict::fail(format!(
            "{method} is not documented on {} but was answered {status}, not 405",
            exchange.operation.path
        ));
    }
    let Some(allow) = exchange.response.header("allow") else {
        return Verdict::fail("the 405 answer has no Allow header");
    };
    let allowed: BTreeSet<String> =
        allow.split(',').map(|m| m.trim().to_ascii_uppercase()).filter(|m| !m.is_empty()).collect();
    let documented: BTreeSet<String> = exchange.operation.path_methods.iter().cloned().collect();
    let missing: Vec<&String> = documented.difference(&allowed).collect();
    let tolerated = |m: &String| m == "OPTIONS" || (m == "HEAD" && documented.contains("GET"));
    let extra: Vec<&String> = allowed.difference(&documented).filter(|m| !tolerated(m)).collect();
    if missing.is_empty() && extra.is_empty() {
        Verdict::Pass
    } else {
        Verdict::fail(format!(
            "Allow: {allow} does not name the documented methods ({}): missing {missing:?}, undocumented {extra:?}",
            exchange.operation.path_methods.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{operation, verdict};
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
        assert_eq!(verdict(run, &op, &kind, &answer(405, Some("POST"))), Verdict::Pass);
        assert_eq!(verdict(run, &op, &kind, &answer(405, Some("POST, OPTIONS"))), Verdict::Pass);
        assert!(matches!(verdict(run, &op, &kind, &answer(404, Some("POST"))), Verdict::Fail { .. }));
        assert!(matches!(verdict(run, &op, &kind, &answer(405, None)), Verdict::Fail { .. }));
        assert!(matches!(verdict(run, &op, &kind, &answer(405, Some("GET,POST"))), Verdict::Fail { .. }));
        assert!(
            matches!(verdict(run, &op, &kind, &answer(405, Some("HEAD, POST"))), Verdict::Fail { .. }),
            "no GET documented"
        );
        assert_eq!(verdict(run, &op, &CaseKind::Positive, &answer(405, None)), Verdict::NotApplicable);
    }
}
