//! The stateful checks of a flow, judged over the exchanges of its steps, each named after the
//! Schemathesis check it follows:
//! - `use_after_free`: a resource answered 2xx to a DELETE, and a later read or write of it
//!   (not another DELETE, which HTTP lets be idempotent) still succeeds;
//! - `ensure_resource_availability`: a resource just created (201) is not found (404) by the
//!   next call on it;
//! - `read_after_write` (a warning, since an API may transform what it stores): a field a PUT or
//!   PATCH wrote reads back different from the next successful GET of the resource.

use serde_json::Value;

use super::values::Record;
use crate::check::Failure;
use crate::spec::{Level, Source};

pub const USE_AFTER_FREE: &str = "use_after_free";
pub const RESOURCE_AVAILABILITY: &str = "ensure_resource_availability";
pub const READ_AFTER_WRITE: &str = "read_after_write";

/// The names and sources of the stateful checks, for the rule catalogue and the docs.
pub fn sources() -> [(&'static str, Source); 3] {
    [
        (
            USE_AFTER_FREE,
            Source::new(Level::Doc, "RFC 9110 §9.3.5 (DELETE removes the association); Schemathesis use_after_free"),
        ),
        (
            RESOURCE_AVAILABILITY,
            Source::new(
                Level::Doc,
                "RFC 9110 §15.3.2 (201: the resource has been created); Schemathesis ensure_resource_availability",
            ),
        ),
        (
            READ_AFTER_WRITE,
            Source::new(
                Level::Profile,
                "RFC 9110 §9.3.4 (PUT: a later GET reflects the state); a warning: APIs may transform what they store",
            ),
        ),
    ]
}

fn failure(rule: &str, message: String) -> Failure {
    let source = sources().into_iter().find(|(name, _)| *name == rule).map(|(_, s)| s).expect("a stateful check");
    Failure::new(crate::check::RuleId::new(rule), source, message)
}

fn json_fields(record: &Record) -> Option<&serde_json::Map<String, Value>> {
    match &record.input.body {
        crate::case::Body::Json(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The failures of a flow's steps: each with the index of the step that shows it. `created`
/// lists the steps that created a resource, with the resource's path.
pub fn judge(records: &[Record], created: &[(usize, String)]) -> Vec<(usize, Failure)> {
    let mut out = Vec::new();
    for (at, resource) in created {
        let next = records.iter().enumerate().skip(at + 1).find(|(_, r)| r.resource == *resource && r.status.is_some());
        if let Some((i, r)) = next
            && r.status == Some(404)
        {
            let message = format!(
                "{} {resource} answered 404 right after step {} created it ({} {} answered {})",
                r.method,
                at + 1,
                records[*at].method,
                records[*at].resource,
                records[*at].status.unwrap_or_default()
            );
            out.push((i, failure(RESOURCE_AVAILABILITY, message)));
        }
    }
    for (d, deleted) in records.iter().enumerate().filter(|(_, r)| r.method == "DELETE" && r.succeeded()) {
        let later = records.iter().enumerate().skip(d + 1).filter(|(_, r)| r.resource == deleted.resource);
        if let Some((i, r)) =
            later.take_while(|(_, r)| r.method != "POST").find(|(_, r)| r.method != "DELETE" && r.succeeded())
        {
            let message = format!(
                "{} {} answered {} after step {} deleted it (DELETE answered {})",
                r.method,
                r.resource,
                r.status.unwrap_or_default(),
                d + 1,
                deleted.status.unwrap_or_default()
            );
            out.push((i, failure(USE_AFTER_FREE, message)));
        }
    }
    for (w, written) in
        records.iter().enumerate().filter(|(_, r)| matches!(r.method.as_str(), "PUT" | "PATCH") && r.succeeded())
    {
        let Some(fields) = json_fields(written) else { continue };
        let read =
            records.iter().enumerate().skip(w + 1).find(|(_, r)| r.resource == written.resource && r.status.is_some());
        let Some((i, read)) = read.filter(|(_, r)| r.method == "GET" && r.succeeded()) else { continue };
        let Some(Value::Object(stored)) = &read.body else { continue };
        let differ: Vec<String> = fields
            .iter()
            .filter(|(_, v)| !v.is_object() && !v.is_array())
            .filter(|(k, v)| stored.get(*k).is_some_and(|s| s != *v))
            .map(|(k, v)| format!("`{k}` written {v}, read {}", stored[k.as_str()]))
            .collect();
        if !differ.is_empty() {
            let message = format!(
                "GET {} after step {} ({} {}): {}",
                read.resource,
                w + 1,
                written.method,
                written.resource,
                differ.join("; ")
            );
            out.push((i, failure(READ_AFTER_WRITE, message)));
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Body, RequestInput};
    use serde_json::json;

    fn step(method: &str, resource: &str, status: u16, sent: Option<Value>, got: Option<Value>) -> Record {
        let input = RequestInput { body: sent.map_or(Body::None, Body::Json), ..RequestInput::default() };
        Record {
            operation: 0,
            method: method.into(),
            resource: resource.into(),
            url: String::new(),
            input,
            status: Some(status),
            headers: Vec::new(),
            body: got,
        }
    }

    fn rules(found: &[(usize, Failure)]) -> Vec<(usize, &str)> {
        found.iter().map(|(i, f)| (*i, f.rule.as_str())).collect()
    }

    #[test]
    fn a_correct_crud_flow_passes() {
        let records = [
            step("POST", "/pets", 201, Some(json!({"name": "a"})), Some(json!({"id": 1, "name": "a"}))),
            step("GET", "/pets/1", 200, None, Some(json!({"id": 1, "name": "a"}))),
            step("PUT", "/pets/1", 200, Some(json!({"name": "b"})), Some(json!({"id": 1, "name": "b"}))),
            step("GET", "/pets/1", 200, None, Some(json!({"id": 1, "name": "b"}))),
            step("DELETE", "/pets/1", 204, None, None),
            step("GET", "/pets/1", 404, None, None),
            step("DELETE", "/pets/1", 404, None, None),
        ];
        assert!(judge(&records, &[(0, "/pets/1".into())]).is_empty());
    }

    #[test]
    fn each_planted_bug_is_found_where_it_shows() {
        let records = [
            step("POST", "/pets", 201, Some(json!({"name": "a"})), Some(json!({"id": 1, "name": "a"}))),
            step("GET", "/pets/1", 404, None, None),
            step("PUT", "/pets/1", 200, Some(json!({"name": "b"})), Some(json!({"id": 1, "name": "b"}))),
            step("GET", "/pets/1", 200, None, Some(json!({"id": 1, "name": "a"}))),
            step("DELETE", "/pets/1", 204, None, None),
            step("GET", "/pets/1", 200, None, Some(json!({"id": 1, "name": "a"}))),
        ];
        let found = judge(&records, &[(0, "/pets/1".into())]);
        assert_eq!(rules(&found), [(1, RESOURCE_AVAILABILITY), (3, READ_AFTER_WRITE), (5, USE_AFTER_FREE)]);
        assert!(found[1].1.severity == crate::check::Severity::Warning);
        assert!(
            found[2].1.message.contains("GET /pets/1 answered 200 after step 5 deleted it"),
            "{}",
            found[2].1.message
        );
    }
}
