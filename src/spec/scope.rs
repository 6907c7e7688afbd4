//! What a problem breaks. A problem inside an operation breaks that operation; one in a path
//! item's shared part breaks every operation of the path; one in a shared component (a schema,
//! parameter, response, security scheme) breaks the operations that use it, through any chain of
//! `$ref`s; one in `paths` itself or at the root breaks the whole document. A problem in a
//! component no operation uses breaks nothing that runs.
//!
//! `conform run` leaves the broken operations out and tests the rest (Schemathesis does the same);
//! `conform lint` reports every problem either way.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::methods::Methods;
use super::problem::{Problem, escape, segments};

/// An operation: its pointer (`#/paths/~1pets/get`) and how messages name it (`GET /pets`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OperationRef {
    pub pointer: String,
    pub label: String,
}

/// What the errors among some problems break.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Broken {
    /// The whole document: nothing can run.
    pub document: bool,
    /// The operations broken, with the indexes (into the problems) of what breaks each.
    pub operations: BTreeMap<OperationRef, Vec<usize>>,
}

/// Every local `$ref` target under `value` (fragments, `#` stripped), and the security schemes its
/// requirements name (as pointers into `schemes`).
fn uses(value: &Value, schemes: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            if let Some(target) = object.get("$ref").and_then(Value::as_str).and_then(|t| t.strip_prefix('#')) {
                out.insert(target.to_owned());
            }
            for (key, child) in object {
                if key == "security" {
                    for requirement in child.as_array().into_iter().flatten().filter_map(Value::as_object) {
                        out.extend(requirement.keys().map(|name| format!("{schemes}/{}", escape(name))));
                    }
                }
                uses(child, schemes, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| uses(item, schemes, out)),
        _ => {}
    }
}

/// What the errors among `problems` (pointers into `document`) break. `methods` says which keys of
/// a path item hold operations; `schemes` is where security schemes are (`/components/securitySchemes`).
pub fn broken(document: &Value, problems: &[Problem], methods: Methods, schemes: &str) -> Broken {
    let mut out = Broken::default();
    // Errors outside `paths`, by pointer: checked against what each operation uses.
    let mut elsewhere: Vec<(String, usize)> = Vec::new();
    for (index, problem) in problems.iter().enumerate().filter(|(_, p)| p.breaks()) {
        let parts: Vec<String> = segments(&problem.pointer).collect();
        match parts.first().map(String::as_str) {
            None => out.document = true,
            Some("paths") if parts.len() == 1 => out.document = true,
            Some("paths") => {
                let path = &parts[1];
                let Some(item) = document.get("paths").and_then(|p| p.get(path)) else {
                    out.document = true;
                    continue;
                };
                let item_pointer = format!("#/paths/{}", escape(path));
                let one = methods.operations(item).into_iter().find(|(key, _, _)| {
                    let key_parts: Vec<String> = segments(&format!("#/{key}")).collect();
                    parts.len() >= 2 + key_parts.len() && parts[2..2 + key_parts.len()] == key_parts[..]
                });
                let affected: Vec<(String, String)> = match one {
                    Some((key, method, _)) => vec![(key, method)],
                    None => methods.operations(item).into_iter().map(|(key, method, _)| (key, method)).collect(),
                };
                for (key, method) in affected {
                    let operation =
                        OperationRef { pointer: format!("{item_pointer}/{key}"), label: format!("{method} {path}") };
                    out.operations.entry(operation).or_default().push(index);
                }
            }
            Some(_) => elsewhere.push((problem.pointer.trim_start_matches('#').to_owned(), index)),
        }
    }
    if elsewhere.is_empty() {
        return out;
    }
    let mut memo: HashMap<String, Vec<usize>> = HashMap::new();
    for (path, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let item_pointer = format!("#/paths/{}", escape(path));
        let mut shared = BTreeSet::new();
        if let Some(parameters) = item.get("parameters") {
            uses(parameters, schemes, &mut shared);
        }
        let global = document.get("security");
        for (key, method, operation) in methods.operations(item).into_iter() {
            let mut used = shared.clone();
            uses(operation, schemes, &mut used);
            if operation.get("security").is_none()
                && let Some(global) = global
            {
                uses(&serde_json::json!({ "security": global }), schemes, &mut used);
            }
            let mut found: Vec<usize> = Vec::new();
            for target in used {
                found.extend(reached(document, &target, &elsewhere, schemes, &mut memo, &mut Vec::new()));
            }
            if !found.is_empty() {
                found.sort_unstable();
                found.dedup();
                let operation =
                    OperationRef { pointer: format!("{item_pointer}/{key}"), label: format!("{method} {path}") };
                out.operations.entry(operation).or_default().extend(found);
            }
        }
    }
    for indexes in out.operations.values_mut() {
        indexes.sort_unstable();
        indexes.dedup();
    }
    out
}

/// The problems (indexes) that `target` (a fragment) holds or leads to through its `$ref`s.
fn reached(
    document: &Value,
    target: &str,
    problems: &[(String, usize)],
    schemes: &str,
    memo: &mut HashMap<String, Vec<usize>>,
    visiting: &mut Vec<String>,
) -> Vec<usize> {
    if let Some(done) = memo.get(target) {
        return done.clone();
    }
    if visiting.iter().any(|v| v == target) {
        return Vec::new();
    }
    let under = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
    let mut found: Vec<usize> =
        problems.iter().filter(|(p, _)| under(p, target) || under(target, p)).map(|(_, i)| *i).collect();
    if let Some(value) = document.pointer(target) {
        let mut next = BTreeSet::new();
        uses(value, schemes, &mut next);
        visiting.push(target.to_owned());
        for next in next {
            found.extend(reached(document, &next, problems, schemes, memo, visiting));
        }
        visiting.pop();
    }
    found.sort_unstable();
    found.dedup();
    memo.insert(target.to_owned(), found.clone());
    found
}

/// The path item's list of the methods whose operations were taken out as broken: they are still
/// documented on the path, so an undocumented-method probe must not send them.
pub const SKIPPED_METHODS: &str = "x-conform-skipped-methods";

/// Takes the operations `broken` names out of `document`, noting each one's method on its path
/// item ([`SKIPPED_METHODS`]).
pub fn remove(document: &mut Value, operations: impl IntoIterator<Item = String>) {
    for pointer in operations {
        let Some((parent, last)) = pointer.rsplit_once('/') else { continue };
        let last = last.replace("~1", "/").replace("~0", "~");
        if let Some(object) = document.pointer_mut(parent.trim_start_matches('#')).and_then(Value::as_object_mut) {
            object.remove(&last);
        }
        let (item, method) = match parent.strip_suffix("/additionalOperations") {
            Some(item) => (item, last),
            None => (parent, last.to_ascii_uppercase()),
        };
        if let Some(item) = document.pointer_mut(item.trim_start_matches('#')).and_then(Value::as_object_mut) {
            let skipped = item.entry(SKIPPED_METHODS).or_insert_with(|| Value::Array(Vec::new()));
            if let Some(list) = skipped.as_array_mut() {
                list.push(Value::String(method));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const METHODS: Methods = Methods { fixed: &["get", "post"], additional: false };

    fn document() -> Value {
        json!({
            "paths": {
                "/a": {"get": {"parameters": [{"$ref": "#/components/parameters/P"}]}, "post": {}},
                "/b/{id}": {"parameters": [{"name": "id"}], "get": {"security": [{"key": []}]}, "post": {"security": []}},
                "/c": {"get": {"responses": {"200": {"$ref": "#/components/responses/R"}}}}
            },
            "components": {
                "parameters": {"P": {"schema": {"$ref": "#/components/schemas/S"}}},
                "responses": {"R": {"description": "r"}},
                "schemas": {"S": {"type": "int"}, "Unused": {"type": "strng"}, "Loop": {"$ref": "#/components/schemas/Loop"}},
                "securitySchemes": {"key": {"type": "apiKey"}}
            }
        })
    }

    fn labels(broken: &Broken) -> Vec<String> {
        broken.operations.keys().map(|o| o.label.clone()).collect()
    }

    #[test]
    fn a_problem_breaks_its_operation_its_path_or_the_users_of_a_component() {
        let doc = document();
        let schemes = "/components/securitySchemes";
        let found = broken(&doc, &[Problem::error("#/paths/~1a/post/responses", "x")], METHODS, schemes);
        assert_eq!((found.document, labels(&found)), (false, vec!["POST /a".to_owned()]));
        let found = broken(&doc, &[Problem::error("#/paths/~1b~1{id}/parameters/0", "x")], METHODS, schemes);
        assert_eq!(labels(&found), ["GET /b/{id}", "POST /b/{id}"]);
        let found = broken(&doc, &[Problem::error("#/components/schemas/S/type", "x")], METHODS, schemes);
        assert_eq!(labels(&found), ["GET /a"], "through a parameter to its schema");
        let found = broken(&doc, &[Problem::error("#/components/securitySchemes/key", "x")], METHODS, schemes);
        assert_eq!(labels(&found), ["GET /b/{id}"]);
        let found = broken(&doc, &[Problem::error("#/components/schemas/Unused/type", "x")], METHODS, schemes);
        assert!(!found.document && found.operations.is_empty(), "nothing uses it");
        let found =
            broken(&doc, &[Problem::warning("#/paths/~1a/post", "x"), Problem::error("#", "y")], METHODS, schemes);
        assert!(found.document && found.operations.is_empty());
    }

    #[test]
    fn broken_operations_are_removed() {
        let mut doc = document();
        remove(&mut doc, ["#/paths/~1a/post".to_owned(), "#/paths/~1nope/get".to_owned()]);
        assert!(doc["paths"]["/a"].get("post").is_none());
        assert!(doc["paths"]["/a"].get("get").is_some());
        assert_eq!(doc["paths"]["/a"][SKIPPED_METHODS], json!(["POST"]), "still a documented method of /a");
        assert!(doc["paths"].get("/nope").is_none());
    }
}
