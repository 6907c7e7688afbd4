//! The checks: a registry of small functions, one file each, that look at one exchange (the case,
//! the request sent, the answer) and say pass, fail or not applicable. A failure is a
//! [`Failure`]: the target broke the contract. It is kept apart from harness errors, which live
//! in `run`. Each check has an id, a description and a default source; a failure's severity
//! follows its source (`contract.md` §1).

mod auth_enforced;
mod content_type_conformance;
mod failure;
mod missing_required_header;
mod negative_data_rejection;
mod not_a_server_error;
mod positive_data_acceptance;
mod rate_limit_conformance;
mod response_headers_conformance;
mod response_schema_conformance;
mod rule;
mod status_code_conformance;
mod unsupported_media_type;
mod unsupported_method;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::case::CaseKind;
use crate::http::{HttpResponse, PreparedRequest};
use crate::spec::{Operation, Source};

pub use failure::{Failure, Severity};
pub use not_a_server_error::{crashed, malformed};
pub use rate_limit_conformance::{answered_at, retry_after_seconds};
pub use rule::RuleId;

/// Every check, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    NotAServerError,
    StatusCodeConformance,
    ResponseSchemaConformance,
    ContentTypeConformance,
    NegativeDataRejection,
    PositiveDataAcceptance,
    UnsupportedMethod,
    UnsupportedMediaType,
    AuthEnforced,
    RateLimitConformance,
    ResponseHeadersConformance,
    MissingRequiredHeader,
}

impl CheckId {
    pub const ALL: &'static [CheckId] = &[
        CheckId::NotAServerError,
        CheckId::StatusCodeConformance,
        CheckId::ResponseSchemaConformance,
        CheckId::ContentTypeConformance,
        CheckId::NegativeDataRejection,
        CheckId::PositiveDataAcceptance,
        CheckId::UnsupportedMethod,
        CheckId::UnsupportedMediaType,
        CheckId::AuthEnforced,
        CheckId::RateLimitConformance,
        CheckId::ResponseHeadersConformance,
        CheckId::MissingRequiredHeader,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::NotAServerError => "not_a_server_error",
            CheckId::StatusCodeConformance => "status_code_conformance",
            CheckId::ResponseSchemaConformance => "response_schema_conformance",
            CheckId::ContentTypeConformance => "content_type_conformance",
            CheckId::NegativeDataRejection => "negative_data_rejection",
            CheckId::PositiveDataAcceptance => "positive_data_acceptance",
            CheckId::UnsupportedMethod => "unsupported_method",
            CheckId::UnsupportedMediaType => "unsupported_media_type",
            CheckId::AuthEnforced => "auth_enforced",
            CheckId::RateLimitConformance => "rate_limit_conformance",
            CheckId::ResponseHeadersConformance => "response_headers_conformance",
            CheckId::MissingRequiredHeader => "missing_required_header",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown check id; the message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown check `{0}`; valid checks are: {list}", list = valid_checks())]
pub struct UnknownCheck(pub String);

fn valid_checks() -> String {
    CheckId::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
}

impl FromStr for CheckId {
    type Err = UnknownCheck;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckId::ALL.iter().copied().find(|c| c.as_str() == s).ok_or_else(|| UnknownCheck(s.to_owned()))
    }
}

/// One request and its answer, as the checks see it.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    pub operation: &'a Operation,
    pub kind: &'a CaseKind,
    pub request: &'a PreparedRequest,
    pub response: &'a HttpResponse,
}

/// What one check says of one exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    Pass,
    /// The contract is broken. `source` overrides the check's default when the rule broken is more specific.
    Fail {
        message: String,
        source: Option<Source>,
    },
    /// The check has nothing to say about this exchange.
    NotApplicable,
}

impl Judgement {
    pub fn fail(message: impl Into<String>) -> Self {
        Judgement::Fail { message: message.into(), source: None }
    }

    pub fn fail_with(message: impl Into<String>, source: Option<Source>) -> Self {
        Judgement::Fail { message: message.into(), source }
    }
}

/// A registered check.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    pub id: CheckId,
    pub description: &'static str,
    /// Where the rule comes from when the spec says nothing more specific.
    pub source: fn() -> Source,
    pub run: fn(&Exchange<'_>) -> Judgement,
}

impl Check {
    /// Runs the check; a failure becomes a [`Failure`] with its source and severity.
    pub fn evaluate(&self, exchange: &Exchange<'_>) -> Result<bool, Failure> {
        match (self.run)(exchange) {
            Judgement::Pass => Ok(true),
            Judgement::NotApplicable => Ok(false),
            Judgement::Fail { message, source } => {
                Err(Failure::new(self.id, source.unwrap_or_else(self.source), message))
            }
        }
    }
}

/// Every check, in report order.
pub fn registry() -> &'static [Check] {
    &[
        not_a_server_error::CHECK,
        status_code_conformance::CHECK,
        response_schema_conformance::CHECK,
        content_type_conformance::CHECK,
        negative_data_rejection::CHECK,
        positive_data_acceptance::CHECK,
        unsupported_method::CHECK,
        unsupported_media_type::CHECK,
        auth_enforced::CHECK,
        rate_limit_conformance::CHECK,
        response_headers_conformance::CHECK,
        missing_required_header::CHECK,
    ]
}

/// The check with this id.
pub fn check(id: CheckId) -> &'static Check {
    registry().iter().find(|c| c.id == id).expect("every CheckId is registered")
}

/// The media type of a `Content-Type` value, lower case, without parameters.
pub(crate) fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// `application/json` matches `application/json`, `application/*` and `*/*` (`range` may carry
/// parameters; `actual` is an essence).
pub(crate) fn media_matches(range: &str, actual: &str) -> bool {
    let range = essence(range);
    range == actual
        || range == "*/*"
        || range.strip_suffix("/*").is_some_and(|kind| actual.split('/').next() == Some(kind))
}

/// The spec's source for a rule about `status`: when the operation documents that status exactly,
/// the response's `x-conform-source`, else the operation's. `None` (the check's generic default)
/// when the spec does not document the status at all: then the spec has said nothing about it.
pub(crate) fn spec_source(operation: &Operation, status: u16) -> Option<Source> {
    if !operation.documents(status) {
        return None;
    }
    operation.response_for(status).and_then(|r| r.source.clone()).or_else(|| operation.source.clone())
}

/// `200, 400, 405` — the statuses an operation documents, for messages.
pub(crate) fn documented_statuses(operation: &Operation) -> String {
    operation.responses.iter().map(|r| r.status.to_string()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_registered_once_and_parses() {
        assert_eq!(registry().len(), CheckId::ALL.len());
        for id in CheckId::ALL {
            assert_eq!(check(*id).id, *id);
            assert_eq!(id.as_str().parse::<CheckId>(), Ok(*id));
        }
        let error = "nope".parse::<CheckId>().unwrap_err().to_string();
        assert!(error.contains("auth_enforced"), "{error}");
    }

    #[test]
    fn media_ranges() {
        assert!(media_matches("application/*", "application/json"));
        assert!(media_matches("*/*", "text/html"));
        assert!(media_matches(" application/json; q=0.9", "application/json"));
        assert!(!media_matches("application/*", "text/json"));
    }
}
