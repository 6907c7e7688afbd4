//! `rate_limit_conformance`: a 429 says when to come back. It carries `Retry-After` (seconds or
//! an HTTP date, RFC 9110 §10.2.3; RFC 6585 §4), and where its body states its own wait
//! (`retryAfter`, `retry_after`), the two agree within a second.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Check, CheckId, Exchange, Judgement};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::RateLimitConformance,
    description: "a 429 carries a valid Retry-After that agrees with any wait in its body",
    source: || Source::new(Level::Doc, "RFC 6585 §4; RFC 9110 §10.2.3 (Retry-After)"),
    run,
};

/// The seconds a `Retry-After` value asks for, from `now`; `None` when it is neither form.
pub fn retry_after_seconds(value: &str, now: DateTime<Utc>) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some(u64::try_from((at - now).num_seconds()).unwrap_or(0))
}

/// The target's time when it answered: its `Date` header (an HTTP-date `Retry-After` counts from
/// it, RFC 9110 §10.2.3), else `fallback`. A target's clock may be moved by its sandbox, so
/// conform's own clock is not the reference.
pub fn answered_at(response: &crate::http::HttpResponse, fallback: DateTime<Utc>) -> DateTime<Utc> {
    response
        .header("date")
        .and_then(|date| DateTime::parse_from_rfc2822(date.trim()).ok())
        .map_or(fallback, |date| date.with_timezone(&Utc))
}

/// The wait a body states, in seconds.
fn body_wait(body: &[u8]) -> Option<f64> {
    let value: Value = serde_json::from_slice(body).ok()?;
    ["retryAfter", "retry_after"].iter().find_map(|key| value.get(*key)).and_then(|wait| match wait {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn run(exchange: &Exchange<'_>) -> Judgement {
    if exchange.response.status != 429 {
        return Judgement::NotApplicable;
    }
    let Some(header) = exchange.response.header("retry-after") else {
        return Judgement::fail("429 without a Retry-After header: a client cannot tell when to come back");
    };
    let Some(seconds) = retry_after_seconds(header, answered_at(exchange.response, Utc::now())) else {
        return Judgement::fail(format!("Retry-After `{header}` is neither a number of seconds nor an HTTP date"));
    };
    match body_wait(&exchange.response.body) {
        Some(wait) if (wait - seconds as f64).abs() > 1.0 => {
            Judgement::fail(format!("Retry-After says {seconds} s but the body says {wait} s"))
        }
        _ => Judgement::Pass,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, operation};
    use super::*;
    use crate::case::CaseKind;
    use crate::http::HttpResponse;

    fn answer(status: u16, retry_after: Option<&str>, body: &str) -> HttpResponse {
        let headers = retry_after.map(|v| vec![("retry-after".to_owned(), v.to_owned())]).unwrap_or_default();
        HttpResponse { status, headers, body: body.as_bytes().to_vec(), elapsed: std::time::Duration::ZERO }
    }

    #[test]
    fn a_429_needs_a_valid_agreeing_retry_after() {
        let op = operation(serde_json::json!({}));
        let k = CaseKind::Positive;
        assert_eq!(judge(run, &op, &k, &answer(429, Some("30"), r#"{"retryAfter":30}"#)), Judgement::Pass);
        assert_eq!(judge(run, &op, &k, &answer(429, Some("30"), "{}")), Judgement::Pass);
        assert!(matches!(judge(run, &op, &k, &answer(429, None, "")), Judgement::Fail { .. }));
        assert!(matches!(judge(run, &op, &k, &answer(429, Some("soon"), "")), Judgement::Fail { .. }));
        let Judgement::Fail { message, .. } = judge(run, &op, &k, &answer(429, Some("30"), r#"{"retry_after":"90"}"#))
        else {
            panic!("the waits disagree")
        };
        assert_eq!(message, "Retry-After says 30 s but the body says 90 s");
        assert_eq!(judge(run, &op, &k, &answer(200, None, "")), Judgement::NotApplicable);
    }

    #[test]
    fn http_dates_count_from_now() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T17:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(retry_after_seconds("Tue, 24 Nov 2026 17:01:00 GMT", now), Some(60));
        assert_eq!(retry_after_seconds("Tue, 24 Nov 2026 16:00:00 GMT", now), Some(0), "a past date means now");
        assert_eq!(retry_after_seconds(" 120 ", now), Some(120));
        assert_eq!(retry_after_seconds("-5", now), None);
    }
}
