//! Schema definitions: every schema a `$ref` names (a component schema, a schema in another
//! file, a recursive one) is kept once, under a `urn:conform:schema:N` name, and the places that
//! use it keep `{"$ref": "urn:conform:schema:N"}` instead of a copy. The validator's registry
//! retrieves definitions by that name; generators and other schema walkers follow a `$ref` with
//! [`definition`] or [`expand`].
//!
//! A definition lives as long as the process (a spec is loaded once and used to the end), so that
//! walkers can hold plain references into it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};

use serde_json::Value;

/// The prefix of the names of definitions.
pub(super) const DEFINITION_PREFIX: &str = "urn:conform:schema:";

/// A chain of `$ref`s to `$ref`s is followed at most this far.
const MAX_CHAIN: usize = 32;

/// Keywords beside a `$ref` that describe and do not constrain.
const ANNOTATIONS: &[&str] = &["$ref", "description", "summary", "title", "$comment", "example", "examples"];

fn definitions() -> &'static RwLock<HashMap<String, &'static Value>> {
    static DEFINITIONS: OnceLock<RwLock<HashMap<String, &'static Value>>> = OnceLock::new();
    DEFINITIONS.get_or_init(Default::default)
}

/// A fresh name for a definition (unique in the process).
pub fn new_definition_uri() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{DEFINITION_PREFIX}{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Registers the schema that `uri` names, for the rest of the process.
pub fn define(uri: String, schema: Value) {
    let schema: &'static Value = Box::leak(Box::new(schema));
    definitions().write().unwrap_or_else(|p| p.into_inner()).insert(uri, schema);
}

/// The schema a `$ref` names, if it is one the loader defined.
pub fn definition(uri: &str) -> Option<&'static Value> {
    if !uri.starts_with(DEFINITION_PREFIX) {
        return None;
    }
    definitions().read().unwrap_or_else(|p| p.into_inner()).get(uri).copied()
}

/// The definition `schema`'s `$ref` names, if it has one the loader defined.
pub fn referenced(schema: &Value) -> Option<&'static Value> {
    schema.get("$ref").and_then(Value::as_str).and_then(definition)
}

/// `schema` with its `$ref` followed: the definition's keywords, with the schema's own keywords
/// beside the `$ref` over them; through chains of references. A schema without a (known) `$ref`
/// is itself. Borrowed unless something beside a `$ref` constrains.
pub fn expand(schema: &Value) -> Cow<'_, Value> {
    let mut current = Cow::Borrowed(schema);
    for _ in 0..MAX_CHAIN {
        let Some(target) = referenced(&current) else { return current };
        let Some(own) = current.as_object() else { return current };
        if own.keys().all(|k| ANNOTATIONS.contains(&k.as_str())) {
            current = Cow::Borrowed(target);
            continue;
        }
        let mut merged = target.as_object().cloned().unwrap_or_default();
        for (key, value) in own.iter().filter(|(k, _)| *k != "$ref") {
            merged.insert(key.clone(), value.clone());
        }
        current = Cow::Owned(Value::Object(merged));
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expand_follows_chains_and_keeps_siblings() {
        let (a, b) = (new_definition_uri(), new_definition_uri());
        define(a.clone(), json!({"type": "string", "maxLength": 3}));
        define(b.clone(), json!({"$ref": a}));
        assert_eq!(*expand(&json!({"$ref": b, "description": "d"})), json!({"type": "string", "maxLength": 3}));
        assert_eq!(
            *expand(&json!({"$ref": b, "minLength": 1})),
            json!({"type": "string", "maxLength": 3, "minLength": 1})
        );
        assert_eq!(*expand(&json!({"type": "integer"})), json!({"type": "integer"}));
        assert!(definition("urn:other").is_none());
    }
}
