//! `response_headers_conformance` (Schemathesis's check of the same name): the headers the
//! documented response marks required are present, and every header it declares that is
//! present has a value its schema accepts. A header travels as text: its value is read as the
//! schema's type (`5` as an integer for `type: integer`, `a,b` as two items for an array). A
//! header another check judges (a 405's `Allow`, a 429's `Retry-After`) is left to it.

use serde_json::Value;

use super::{Check, CheckId, Exchange, Judgement};
use crate::spec::{Level, Source};

pub const CHECK: Check = Check {
    id: CheckId::ResponseHeadersConformance,
    description: "the response's required headers are present, and each declared header matches its schema",
    source: || Source::new(Level::Doc, "the response's documented headers"),
    run,
};

fn run(exchange: &Exchange<'_>) -> Judgement {
    let status = exchange.response.status;
    let Some(documented) = exchange.operation.response_for(status) else { return Judgement::NotApplicable };
    if documented.required_headers.is_empty() && documented.header_schemas.is_empty() {
        return Judgement::NotApplicable;
    }
    let source = super::spec_source(exchange.operation, status);
    // A header another check owns is its finding, not this one's too: a 405's `Allow`
    // (`unsupported_method`), a 429's `Retry-After` (`rate_limit_conformance`).
    let owned = |name: &str| (status == 405 && name == "allow") || (status == 429 && name == "retry-after");
    let missing: Vec<&str> = documented
        .required_headers
        .iter()
        .filter(|name| *name != "content-type" && !owned(name) && exchange.response.header(name).is_none())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Judgement::fail_with(
            format!(
                "the {status} answer lacks the required header{} `{}`",
                if missing.len() == 1 { "" } else { "s" },
                missing.join("`, `")
            ),
            source,
        );
    }
    for (name, schema) in documented.header_schemas.iter().filter(|(name, _)| !owned(name)) {
        let Some(text) = exchange.response.header(name) else { continue };
        if !crate::spec::is_valid(schema, &as_typed(schema, text)) {
            return Judgement::fail_with(
                format!("the {status} answer's header `{name}: {text}` does not match its schema"),
                source,
            );
        }
    }
    Judgement::Pass
}

/// A header's text as the value its schema's type reads it as; as text where it reads as nothing.
fn as_typed(schema: &Value, text: &str) -> Value {
    let expanded = crate::spec::expand(schema);
    let types: Vec<&str> = match expanded.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let text = text.trim();
    for t in types {
        let read = match t {
            "integer" => text.parse::<i64>().ok().map(Value::from),
            "number" => text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number),
            "boolean" => text.parse::<bool>().ok().map(Value::Bool),
            "array" => {
                let items = expanded.get("items").cloned().unwrap_or(Value::Bool(true));
                Some(Value::Array(text.split(',').map(|item| as_typed(&items, item)).collect()))
            }
            _ => None,
        };
        if let Some(value) = read {
            return value;
        }
    }
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{judge, response};
    use super::*;
    use crate::case::CaseKind;

    fn operation() -> crate::spec::Operation {
        let document = serde_json::json!({"openapi": "3.1.0", "paths": {"/x": {"get": {"operationId": "x",
            "responses": {"200": {"description": "ok", "headers": {
                "X-Rate-Remaining": {"required": true, "schema": {"type": "integer", "minimum": 0}},
                "X-Tags": {"schema": {"type": "array", "items": {"type": "string", "maxLength": 2}}}}}}}}}});
        crate::spec::extract_operations("demo", &document).unwrap().remove(0)
    }

    #[test]
    fn required_headers_are_present_and_declared_ones_match() {
        let op = operation();
        let k = CaseKind::Positive;
        let with = |headers: &[(&str, &str)]| {
            let mut r = response(200, None, "{}");
            r.headers = headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
            r
        };
        assert_eq!(judge(run, &op, &k, &with(&[("x-rate-remaining", "5"), ("x-tags", "ab,c")])), Judgement::Pass);
        let Judgement::Fail { message, .. } = judge(run, &op, &k, &with(&[])) else { panic!("missing") };
        assert_eq!(message, "the 200 answer lacks the required header `x-rate-remaining`");
        let Judgement::Fail { message, .. } = judge(run, &op, &k, &with(&[("x-rate-remaining", "many")])) else {
            panic!("ill-typed")
        };
        assert_eq!(message, "the 200 answer's header `x-rate-remaining: many` does not match its schema");
        assert!(matches!(
            judge(run, &op, &k, &with(&[("x-rate-remaining", "1"), ("x-tags", "abc")])),
            Judgement::Fail { .. }
        ));
        assert_eq!(judge(run, &op, &k, &response(404, None, "")), Judgement::NotApplicable);
    }
}
