//! What a case is for: a valid request, a request that breaks exactly one constraint, or a
//! protocol probe (an undocumented method, a wrong media type, missing or wrong credentials).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::spec::Source;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum CaseKind {
    /// Valid by the schema.
    Positive,
    /// Breaks exactly one constraint.
    Negative(Mutation),
    Protocol(Probe),
    /// A step of a suite's scenario: judged only by the checks that hold for any answer (no
    /// 5xx, a documented status, its schema, its content type, rate limits).
    Step,
    /// A request example of the spec (`requestBody` `examples.NAME`), sent as it is written; its
    /// answer is snapshotted. Judged like a step: only by the checks that hold for any answer.
    Example {
        name: String,
    },
    /// (issue 25) Bytes a server may take or refuse as it likes (a byte-order mark, duplicate
    /// keys, a number beyond float range, header bytes outside ASCII): the coverage phase sends
    /// them to see that nothing breaks. Judged only by the checks that hold for any answer.
    Hostile {
        name: String,
    },
}

impl CaseKind {
    pub fn label(&self) -> &'static str {
        match self {
            CaseKind::Positive => "positive",
            CaseKind::Negative(_) => "negative",
            CaseKind::Protocol(_) => "protocol",
            CaseKind::Step => "step",
            CaseKind::Example { .. } => "example",
            CaseKind::Hostile { .. } => "hostile",
        }
    }
}

/// The kinds of constraint a negative case breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MutationKind {
    MissingRequired,
    WrongType,
    OutsideEnum,
    TooLong,
    TooShort,
    PatternMismatch,
    AboveMaximum,
    BelowMinimum,
    /// A parameter sent with an empty value (`limit=`).
    EmptyValue,
    MalformedJson,
}

impl MutationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MutationKind::MissingRequired => "missing",
            MutationKind::WrongType => "type",
            MutationKind::OutsideEnum => "enum",
            MutationKind::TooLong => "too-long",
            MutationKind::TooShort => "too-short",
            MutationKind::PatternMismatch => "pattern",
            MutationKind::AboveMaximum => "above-maximum",
            MutationKind::BelowMinimum => "below-minimum",
            MutationKind::EmptyValue => "empty",
            MutationKind::MalformedJson => "malformed-json",
        }
    }
}

/// Where a mutated value lives in the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A JSON pointer into the body (`""` for the whole body).
    Body(String),
    Query(String),
    Header(String),
    Path(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Body(pointer) if pointer.is_empty() => f.write_str("body"),
            Target::Body(pointer) => write!(f, "body{pointer}"),
            Target::Query(name) => write!(f, "query {name}"),
            Target::Header(name) => write!(f, "header {name}"),
            Target::Path(name) => write!(f, "path {name}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub kind: MutationKind,
    pub target: Target,
    /// What the constraint says, e.g. `must match ^[0-9]{8,13}$`.
    pub constraint: String,
    /// `x-conform-source` of the schema that carries the constraint, if any.
    pub source: Option<Source>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "probe", rename_all = "snake_case")]
pub enum Probe {
    UndocumentedMethod { method: String },
    MissingContentType,
    WrongContentType { content_type: String },
    MissingCredential { scheme: String },
    WrongCredential { scheme: String },
}

impl Probe {
    /// The last part of the case id.
    pub fn slug(&self) -> String {
        match self {
            Probe::UndocumentedMethod { method } => format!("method-{}", method.to_ascii_lowercase()),
            Probe::MissingContentType => "content-type-missing".to_owned(),
            Probe::WrongContentType { .. } => "content-type-wrong".to_owned(),
            Probe::MissingCredential { scheme } => format!("auth-missing-{scheme}"),
            Probe::WrongCredential { scheme } => format!("auth-wrong-{scheme}"),
        }
    }
}
