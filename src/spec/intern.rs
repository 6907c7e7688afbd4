//! The schemas of the operation model kept once. A spec written by a generator repeats the same
//! inline schema in many operations (an error body in every response, a pet in every answer
//! about pets), and each operation held its own copy: for a dense spec of tens of thousands of
//! operations, most of the model. A schema an operation holds (a parameter's, a request body's, a
//! response's) is kept once as a definition ([`super::definition`]) and the operation holds a
//! reference to it, as it would if the spec had written it in `components`. Every reader already
//! follows such references (case generation, validation, masking).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::definition::{define, definition, new_definition_uri};
use super::validate::fingerprint;

/// A schema with fewer values than this is held as it is: a reference would cost as much.
const SMALLEST: usize = 6;

/// The definitions made so far, by [`fingerprint`].
#[derive(Default)]
pub struct Interner {
    seen: HashMap<u64, Vec<String>>,
}

/// How many values `schema` holds, counted up to `limit`.
fn size(value: &Value, limit: usize) -> usize {
    match value {
        Value::Object(object) => {
            let mut count = 1;
            for child in object.values() {
                if count >= limit {
                    break;
                }
                count += size(child, limit - count);
            }
            count
        }
        Value::Array(items) => {
            let mut count = 1;
            for child in items {
                if count >= limit {
                    break;
                }
                count += size(child, limit - count);
            }
            count
        }
        _ => 1,
    }
}

impl Interner {
    /// `schema`, or a reference to the definition of a schema equal to it.
    pub fn intern(&mut self, schema: Value) -> Value {
        let bare_ref = schema.as_object().is_some_and(|o| o.len() == 1 && o.contains_key("$ref"));
        if !schema.is_object() || bare_ref || size(&schema, SMALLEST) < SMALLEST {
            return schema;
        }
        let key = fingerprint(&schema);
        let uris = self.seen.entry(key).or_default();
        let uri = match uris.iter().find(|uri| definition(uri) == Some(&schema)) {
            Some(uri) => uri.clone(),
            None => {
                let uri = new_definition_uri();
                define(uri.clone(), schema);
                uris.push(uri.clone());
                uri
            }
        };
        Value::Object(Map::from_iter([("$ref".to_owned(), Value::String(uri))]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_schemas_share_one_definition_and_small_ones_stay() {
        let mut interner = Interner::default();
        let pet = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}});
        let (a, b) = (interner.intern(pet.clone()), interner.intern(pet.clone()));
        assert_eq!(a, b, "one definition");
        assert_eq!(definition(a["$ref"].as_str().unwrap()), Some(&pet));
        let other = interner.intern(json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}));
        assert_ne!(a, other);
        assert_eq!(interner.intern(json!({"type": "string"})), json!({"type": "string"}));
        let bare = json!({"$ref": "urn:conform:schema:1"});
        assert_eq!(interner.intern(bare.clone()), bare);
        assert!(crate::spec::is_valid(&a, &json!({"id": 1})) && !crate::spec::is_valid(&a, &json!({"id": "x"})));
    }
}
