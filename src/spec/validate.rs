//! Validating a value against a (resolved, 2020-12) JSON Schema, formats included. Compiled
//! validators are cached by schema, because generation filters call this in a loop. A violation
//! carries the provenance of the keyword that failed: the deepest `x-conform-source` on the
//! keyword's schema path, so that a `profile` pattern inside a `doc` response stays `profile`.
//!
//! Schemas a `$ref` names are not inlined by the loader: they are defined once under a
//! `urn:conform:schema:N` name ([`super::definition`]), and the validator's registry retrieves
//! them by that name.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

use super::definition::definition;
use super::operation::Source;

/// Hands the validator the defined schemas; refuses anything else (conform never fetches).
struct Definitions;

impl jsonschema::Retrieve for Definitions {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        definition(uri).cloned().ok_or_else(|| format!("`{uri}` is not fetched").into())
    }
}

type Compiled = Arc<Result<jsonschema::Validator, String>>;

/// Compiled validators by [`fingerprint`]; schemas with the same fingerprint share a bucket and
/// are told apart by comparing them. Looking a schema up walks it once and allocates nothing
/// (printing it as a key, as before, cost more than many validations).
type Cache = Mutex<HashMap<u64, Vec<(Value, Compiled)>>>;

/// At most this many compiled schemas are cached; past it the cache starts over.
const MAX_CACHED: usize = 4_096;

/// A hash of the schema's structure. Key order counts, which at worst caches one schema twice.
pub(super) fn fingerprint(schema: &Value) -> u64 {
    fn walk(value: &Value, hasher: &mut DefaultHasher) {
        match value {
            Value::Null => 0u8.hash(hasher),
            Value::Bool(b) => (1u8, b).hash(hasher),
            Value::Number(n) => {
                2u8.hash(hasher);
                if let Some(i) = n.as_i64() {
                    i.hash(hasher);
                } else if let Some(u) = n.as_u64() {
                    u.hash(hasher);
                } else {
                    n.as_f64().map(f64::to_bits).hash(hasher);
                }
            }
            Value::String(s) => (3u8, s).hash(hasher),
            Value::Array(items) => {
                (4u8, items.len()).hash(hasher);
                items.iter().for_each(|item| walk(item, hasher));
            }
            Value::Object(object) => {
                (5u8, object.len()).hash(hasher);
                for (key, item) in object {
                    key.hash(hasher);
                    walk(item, hasher);
                }
            }
        }
    }
    let mut hasher = DefaultHasher::new();
    walk(schema, &mut hasher);
    hasher.finish()
}

/// [`fingerprint`], but for a schema's own `example`.
fn fingerprint_without_example(schema: &Value) -> u64 {
    match schema {
        Value::Object(object) => {
            let mut hasher = DefaultHasher::new();
            for (key, value) in object.iter().filter(|(k, _)| *k != "example") {
                key.hash(&mut hasher);
                fingerprint(value).hash(&mut hasher);
            }
            hasher.finish()
        }
        other => fingerprint(other),
    }
}

/// Whether two schemas are the same but for their own `example`.
fn same_but_example(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let count = |o: &Map<String, Value>| o.keys().filter(|k| *k != "example").count();
            count(a) == count(b) && a.iter().filter(|(k, _)| *k != "example").all(|(k, v)| b.get(k) == Some(v))
        }
        _ => a == b,
    }
}

/// A validator for `schema`, not cached.
fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .with_retriever(Definitions)
        .build(schema)
        .map_err(|e| format!("the schema itself is invalid: {e}"))
}

fn compiled(schema: &Value) -> Compiled {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = fingerprint(schema);
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(bucket) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key)
        && let Some((_, hit)) = bucket.iter().find(|(cached, _)| cached == schema)
    {
        return hit.clone();
    }
    let built = Arc::new(compile(schema));
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= MAX_CACHED {
        cache.clear();
    }
    cache.entry(key).or_default().push((schema.clone(), built.clone()));
    built
}

/// Every way `value` breaks `schema`, as `pointer: message` lines (empty when valid).
pub fn validation_errors(schema: &Value, value: &Value) -> Vec<String> {
    match compiled(schema).as_ref() {
        Ok(validator) => errors_of(validator, value),
        Err(e) => vec![e.clone()],
    }
}

/// [`validation_errors`] for many `(schema, value)` pairs at once, as a linter has them: each
/// distinct schema is compiled once, its validator dropped once its values are checked (nothing
/// goes to the cache, which a big spec's tens of thousands of schemas would only churn), and the
/// work is shared among the machine's cores. The errors come back in the order of `pairs`.
pub fn validation_errors_of_all(pairs: &[(&Value, &Value)]) -> Vec<Vec<String>> {
    // Pairs with the same schema, together: by fingerprint, then told apart by comparing. A
    // schema's own `example` (an annotation, which validates nothing) does not count.
    let mut order: Vec<(u64, usize)> =
        pairs.iter().enumerate().map(|(i, (schema, _))| (fingerprint_without_example(schema), i)).collect();
    order.sort_unstable();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        let mut alike: Vec<Vec<usize>> = Vec::new();
        for &(_, i) in run {
            match alike.iter_mut().find(|g| same_but_example(pairs[g[0]].0, pairs[i].0)) {
                Some(group) => group.push(i),
                None => alike.push(vec![i]),
            }
        }
        groups.extend(alike);
    }
    let check = |group: &[usize]| -> Vec<(usize, Vec<String>)> {
        let validator = compile(pairs[group[0]].0);
        group
            .iter()
            .map(|&i| {
                let errors = match &validator {
                    Ok(validator) => errors_of(validator, pairs[i].1),
                    Err(e) => vec![e.clone()],
                };
                (i, errors)
            })
            .collect()
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let found: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(group) = groups.get(at) else { break };
                        out.extend(check(group));
                    }
                    out
                })
            })
            .collect();
        // A worker that panicked checked nothing: its panic goes on, rather than its examples
        // passing unchecked.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    let mut out = vec![Vec::new(); pairs.len()];
    for (i, errors) in found {
        out[i] = errors;
    }
    out
}

fn errors_of(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() { format!("(root): {e}") } else { format!("{at}: {e}") }
        })
        .collect()
}

/// One way a value breaks a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `pointer: message`, as [`validation_errors`] words it.
    pub message: String,
    /// The deepest `x-conform-source` on the failing keyword's schema path, if any.
    pub source: Option<Source>,
}

/// Every way `value` breaks `schema`, each with the source of the keyword that failed.
pub fn violations(schema: &Value, value: &Value) -> Vec<Violation> {
    match compiled(schema).as_ref() {
        // Most answers are valid: the yes-or-no walk is cheaper than gathering errors.
        Ok(validator) if validator.is_valid(value) => Vec::new(),
        Ok(validator) => validator
            .iter_errors(value)
            .map(|e| {
                let at = e.instance_path().to_string();
                let message = if at.is_empty() { format!("(root): {e}") } else { format!("{at}: {e}") };
                // The evaluation path goes through each `$ref` (the schema path starts again inside
                // the referenced schema), so the sources met on the way are found.
                Violation { message, source: source_at(schema, e.evaluation_path().as_str()) }
            })
            .collect(),
        Err(e) => vec![Violation { message: e.clone(), source: None }],
    }
}

/// The deepest `x-conform-source` met walking `schema` along the JSON pointer `pointer` (a
/// keyword location: `/properties/data/properties/chat_id/pattern`).
pub fn source_at(schema: &Value, pointer: &str) -> Option<Source> {
    let mut node = schema;
    let mut found = node.as_object().and_then(Source::from_extension);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let next = match node {
            // Through a `$ref`, the keyword path goes on in the schema it names.
            Value::Object(_) if segment == "$ref" => super::definition::referenced(node),
            Value::Object(object) => object.get(&segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        let Some(next) = next else { break };
        node = next;
        if let Some(source) = node.as_object().and_then(|o: &Map<String, Value>| Source::from_extension(o)) {
            found = Some(source);
        }
    }
    found
}

/// Whether `value` satisfies `schema` (an invalid schema accepts nothing).
/// [`is_valid`] for many values against one schema: the validator is found (or compiled) once,
/// not looked up by the schema's fingerprint at every value, as a generator filtering thousands
/// of drawn values would.
pub fn validity_of(schema: &Value) -> impl Fn(&Value) -> bool + Send + Sync + 'static {
    let compiled = compiled(schema);
    move |value| compiled.as_ref().as_ref().is_ok_and(|validator| validator.is_valid(value))
}

pub fn is_valid(schema: &Value, value: &Value) -> bool {
    match compiled(schema).as_ref() {
        Ok(validator) => validator.is_valid(value),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_are_checked() {
        let schema = json!({"type": "object", "properties": {
            "at": {"type": "string", "format": "date-time"},
            "id": {"type": "string", "format": "uuid"},
            "mail": {"type": "string", "format": "email"},
            "link": {"type": "string", "format": "uri"}}});
        assert!(is_valid(
            &schema,
            &json!({"at": "2025-12-29T18:09:38+00:00", "id": "a0b5df6a-b491-4190-80a5-38d85a2a4836",
            "mail": "a@b.com", "link": "https://x.org/y"})
        ));
        for bad in [
            json!({"at": "2025-12-29 18:09:38"}),
            json!({"id": "nope"}),
            json!({"mail": "nope"}),
            json!({"link": "no scheme"}),
        ] {
            assert!(!is_valid(&schema, &bad), "{bad}");
        }
    }

    #[test]
    fn errors_name_the_instance_pointer() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["b"]});
        let errors = validation_errors(&schema, &json!({"a": "x"}));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("/a: ")), "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("(root): ")), "{errors:?}");
        assert!(validation_errors(&schema, &json!({"b": 1})).is_empty());
    }

    #[test]
    fn a_violation_takes_the_deepest_source_on_its_keyword_path() {
        let schema = json!({"type": "object", "x-conform-source": {"level": "doc", "cite": "page"},
            "properties": {"data": {"type": "object", "properties": {
                "chat_id": {"type": "string", "pattern": "^[0-9]+@c\\.us$",
                            "x-conform-source": {"level": "profile", "cite": "ours"}},
                "uuid": {"type": "string"}}}}});
        let found = violations(&schema, &json!({"data": {"chat_id": "x", "uuid": 1}}));
        assert_eq!(found.len(), 2, "{found:?}");
        let chat = found.iter().find(|v| v.message.starts_with("/data/chat_id")).unwrap();
        assert_eq!(chat.source, Some(Source::new(super::super::operation::Level::Profile, "ours")));
        let uuid = found.iter().find(|v| v.message.starts_with("/data/uuid")).unwrap();
        assert_eq!(uuid.source.as_ref().unwrap().cite, "page");
        assert_eq!(source_at(&json!({}), "/properties/x"), None);
    }

    #[test]
    fn recursive_definitions_are_retrieved() {
        use super::super::definition::{define, new_definition_uri};
        let uri = new_definition_uri();
        let node = json!({"type": "object", "required": ["v"], "properties": {
            "v": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": uri}}}});
        define(uri.clone(), node.clone());
        assert!(is_valid(&node, &json!({"v": 1, "children": [{"v": 2, "children": [{"v": 3}]}]})));
        let errors = validation_errors(&node, &json!({"v": 1, "children": [{"v": 2, "children": [{"v": "x"}]}]}));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("/children/0/children/0/v: "), "{errors:?}");
    }

    #[test]
    fn schemas_that_differ_get_their_own_validators() {
        let (a, b) = (json!({"type": "integer", "maximum": 1}), json!({"type": "integer", "maximum": 1.5}));
        assert_ne!(fingerprint(&a), fingerprint(&json!({"type": "integer", "maximum": 2})));
        assert!(!is_valid(&a, &json!(2)));
        assert!(is_valid(&json!({"type": "integer", "maximum": 2}), &json!(2)));
        assert!(!is_valid(&b, &json!(2)));
        assert!(is_valid(&json!({"type": "integer"}), &json!(2)));
        assert!(!is_valid(&json!({"type": "string"}), &json!(2)));
    }

    #[test]
    fn many_at_once_agree_with_one_at_a_time() {
        let schemas = [
            json!({"type": "integer", "maximum": 3}),
            json!({"type": "string", "minLength": 2}),
            json!({"type": "integer", "maximum": 3}),
            json!({"type": 12}),
        ];
        let values = [json!(4), json!("a"), json!(2), json!("x"), json!(1)];
        let pairs: Vec<(&Value, &Value)> =
            values.iter().enumerate().map(|(i, v)| (&schemas[i % schemas.len()], v)).collect();
        let expected: Vec<Vec<String>> = pairs.iter().map(|(s, v)| validation_errors(s, v)).collect();
        assert_eq!(validation_errors_of_all(&pairs), expected);
        assert!(expected.iter().filter(|e| e.is_empty()).count() == 2, "{expected:?}");
    }

    #[test]
    fn an_invalid_schema_accepts_nothing() {
        let schema = json!({"type": 12});
        assert!(!is_valid(&schema, &json!(1)));
        assert!(validation_errors(&schema, &json!(1))[0].contains("the schema itself is invalid"));
    }

    #[test]
    fn a_source_behind_a_reference_is_found() {
        use super::super::definition::{define, new_definition_uri};
        let uri = new_definition_uri();
        define(
            uri.clone(),
            json!({"type": "object", "properties": {"a": {"type": "string", "pattern": "^x$",
            "x-conform-source": {"level": "profile", "cite": "ours"}}}}),
        );
        let found = violations(&json!({"$ref": uri}), &json!({"a": "y"}));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].source, Some(Source::new(super::super::operation::Level::Profile, "ours")));
    }
}
