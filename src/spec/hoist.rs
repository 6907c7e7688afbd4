//! Inline operation schemas kept once while the document is read. A spec written by a generator
//! repeats the same inline schema in many operations (an error body in every response, an item
//! in every answer about it), and a parsed document is about ten times its text: a dense 40 MB spec
//! was 400 MB of values before anything else ran. While an OpenAPI 3 document is parsed, the
//! schema of each request body and response media type of an operation (one that holds no
//! reference and names no identifier) is moved to `components.schemas` under a name of conform's
//! (`conform-inline-N`), identical ones to the same one, and the operation refers to it: what the
//! author could have written, read by everything after as any component is. A problem found in
//! such a schema is reported where it is first written ([`Hoisted::pointers`]), and breaks every
//! operation that uses it.
//!
//! Nothing is moved when a `$ref` of the document points inside an operation's schema, when the
//! names would clash, or when `components` is not an object: the document is then read as written.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::methods::METHODS_32;
use super::validate::fingerprint;

/// A schema with fewer values than this is left where it is: a reference would cost as much.
const SMALLEST: usize = 6;
/// The prefix of the names of the schemas moved to `components.schemas`.
pub const PREFIX: &str = "conform-inline-";
/// Keywords that make a schema depend on where it is written.
const PLACED: &[&str] = &["$ref", "$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$schema", "$recursiveRef"];

/// The schemas moved while one document is parsed.
#[derive(Default)]
pub struct Hoister {
    /// An OpenAPI 3 document (`openapi: 3.x` met before `paths`).
    enabled: bool,
    schemas: Map<String, Value>,
    by_fingerprint: HashMap<u64, Vec<String>>,
    /// Where each moved schema is first written, by name.
    first: Vec<(String, String)>,
}

/// What was moved: each name, and the pointer of the place it was first written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hoisted {
    pub pointers: Vec<(String, String)>,
}

/// How many values `value` holds, counted up to `limit`.
fn size(value: &Value, limit: usize) -> usize {
    let children: Box<dyn Iterator<Item = &Value>> = match value {
        Value::Object(object) => Box::new(object.values()),
        Value::Array(items) => Box::new(items.iter()),
        _ => return 1,
    };
    let mut count = 1;
    for child in children {
        if count >= limit {
            break;
        }
        count += size(child, limit - count);
    }
    count
}

/// Whether a schema holds nothing that depends on where it is written.
fn movable(value: &Value) -> bool {
    match value {
        Value::Object(object) => object.iter().all(|(k, v)| !PLACED.contains(&k.as_str()) && movable(v)),
        Value::Array(items) => items.iter().all(movable),
        _ => true,
    }
}

/// Whether `path` (the keys from the root) is the schema of an operation's request body or
/// response media type: `paths/P/M/requestBody/content/T/schema`, `paths/P/M/responses/S/content/T/schema`.
fn is_slot(path: &[&str]) -> bool {
    let rest = match path {
        ["paths", _, "additionalOperations", _, rest @ ..] => rest,
        ["paths", _, method, rest @ ..] if METHODS_32.contains(method) => rest,
        _ => return false,
    };
    matches!(rest, ["requestBody", "content", _, "schema"] | ["responses", _, "content", _, "schema"])
}

impl Hoister {
    /// Told of a member of the document's root, as it is read.
    pub fn root_member(&mut self, key: &str, value: &Value) {
        if key == "openapi" && value.as_str().is_some_and(|v| v.starts_with("3.")) {
            self.enabled = true;
        }
    }

    /// `object`, read at `path` (with its JSON pointer `pointer()`), or a reference to where it
    /// was moved.
    pub fn offer(&mut self, path: &[&str], pointer: impl FnOnce() -> String, object: Value) -> Value {
        if !self.enabled || !is_slot(path) || size(&object, SMALLEST) < SMALLEST || !movable(&object) {
            return object;
        }
        let key = fingerprint(&object);
        let names = self.by_fingerprint.entry(key).or_default();
        let name = match names.iter().find(|name| self.schemas.get(*name) == Some(&object)) {
            Some(name) => name.clone(),
            None => {
                let name = format!("{PREFIX}{}", self.schemas.len() + 1);
                self.first.push((name.clone(), pointer()));
                self.schemas.insert(name.clone(), object);
                names.push(name.clone());
                name
            }
        };
        Value::Object(Map::from_iter([("$ref".to_owned(), Value::String(format!("#/components/schemas/{name}")))]))
    }

    /// Puts the moved schemas into `document`'s `components.schemas`; `None` (and `document`
    /// untouched) when the document must be read as written instead.
    pub fn finish(self, document: &mut Value) -> Option<Hoisted> {
        if self.schemas.is_empty() {
            return Some(Hoisted::default());
        }
        if points_into_operations(document) {
            return None;
        }
        let root = document.as_object_mut()?;
        let components = root.entry("components").or_insert_with(|| Value::Object(Map::new())).as_object_mut()?;
        let schemas = components.entry("schemas").or_insert_with(|| Value::Object(Map::new())).as_object_mut()?;
        if self.schemas.keys().any(|name| schemas.contains_key(name)) {
            return None;
        }
        schemas.extend(self.schemas);
        Some(Hoisted { pointers: self.first })
    }
}

/// Whether some `$ref` of the document points into `paths` (where schemas may have moved).
fn points_into_operations(value: &Value) -> bool {
    match value {
        Value::Object(object) => {
            object.get("$ref").and_then(Value::as_str).is_some_and(|t| t.starts_with("#/paths/"))
                || object.values().any(points_into_operations)
        }
        Value::Array(items) => items.iter().any(points_into_operations),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pet() -> Value {
        json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}})
    }

    #[test]
    fn identical_operation_schemas_move_to_one_component() {
        let mut hoister = Hoister::default();
        hoister.root_member("openapi", &json!("3.1.0"));
        let slot = ["paths", "/pets", "get", "responses", "200", "content", "application/json", "schema"];
        let first = hoister.offer(&slot, || "#/first".into(), pet());
        let again = hoister.offer(
            &["paths", "/pets", "post", "requestBody", "content", "application/json", "schema"],
            || "#/second".into(),
            pet(),
        );
        assert_eq!(first, json!({"$ref": "#/components/schemas/conform-inline-1"}));
        assert_eq!(again, first);
        assert_eq!(
            hoister.offer(&slot, || "#/x".into(), json!({"type": "string"})),
            json!({"type": "string"}),
            "small"
        );
        let placed =
            json!({"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}, "b": {"type": "string"}}});
        assert_eq!(hoister.offer(&slot, || "#/x".into(), placed.clone()), placed, "holds a reference");
        assert_eq!(
            hoister.offer(&["components", "schemas", "Pet"], || "#/x".into(), pet()),
            pet(),
            "not an operation's"
        );
        let mut document = json!({"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"Other": {}}}});
        let hoisted = hoister.finish(&mut document).unwrap();
        assert_eq!(hoisted.pointers, [("conform-inline-1".to_owned(), "#/first".to_owned())]);
        assert_eq!(document["components"]["schemas"]["conform-inline-1"], pet());
    }

    #[test]
    fn a_document_that_points_into_its_operations_is_read_as_written() {
        let mut hoister = Hoister::default();
        hoister.root_member("openapi", &json!("3.0.3"));
        let slot = ["paths", "/a", "get", "responses", "200", "content", "application/json", "schema"];
        hoister.offer(&slot, || "#/a".into(), pet());
        let mut document =
            json!({"paths": {"/b": {"get": {"parameters": [{"$ref": "#/paths/~1a/get/parameters/0"}]}}}});
        assert!(hoister.finish(&mut document).is_none());
        let mut swagger = Hoister::default();
        swagger.root_member("swagger", &json!("2.0"));
        assert_eq!(swagger.offer(&slot, || "#/a".into(), pet()), pet(), "Swagger 2.0 is converted first");
    }
}
