//! Swagger 2.0 Schema Objects in OpenAPI 3.0 terms, in place: `$ref`s into `#/definitions`
//! point into `#/components/schemas`, `x-nullable: true` becomes `nullable: true` (which the 3.0
//! rewrite then turns into a `null` type, or `anyOf [$ref, null]` beside a `$ref`), a
//! `discriminator` property name becomes a Discriminator Object, `type: file` is a binary string,
//! and a list of `items` (a 2.0 tuple) becomes one item schema that accepts any of them.

use serde_json::{Map, Value};

/// Keywords whose value is one schema.
const ONE: &[&str] = &["items", "additionalProperties", "not"];
/// Keywords whose value is a list of schemas.
const LISTS: &[&str] = &["allOf", "anyOf", "oneOf"];
/// Keywords whose value is a map of schemas.
const MAPS: &[&str] = &["properties", "patternProperties"];

/// A local `$ref` of a 2.0 document in the 3.0 shape; other references are left as written.
pub fn reference(target: &str) -> Option<String> {
    let rest = target.strip_prefix('#')?;
    let converted = if let Some(name) = rest.strip_prefix("/definitions/") {
        format!("#/components/schemas/{name}")
    } else if let Some(name) = rest.strip_prefix("/parameters/") {
        format!("#/components/parameters/{name}")
    } else if let Some(name) = rest.strip_prefix("/responses/") {
        format!("#/components/responses/{name}")
    } else {
        return None;
    };
    Some(converted)
}

/// Rewrites one schema and its subschemas. `pointer`: where the schema is, for the items warning.
pub fn convert(schema: &mut Value, warnings: &mut Vec<String>) {
    let Value::Object(object) = schema else { return };
    if let Some(Value::String(target)) = object.get("$ref")
        && let Some(converted) = reference(target)
    {
        object.insert("$ref".to_owned(), Value::String(converted));
    }
    keywords(object);
    if let Some(Value::Array(tuple)) = object.get_mut("items") {
        let options = std::mem::take(tuple);
        warnings.push("a list of `items` (a tuple) is read as one item schema that accepts any of them".to_owned());
        let mut items = Map::new();
        items.insert("anyOf".to_owned(), Value::Array(options));
        object.insert("items".to_owned(), Value::Object(items));
    }
    for keyword in ONE {
        if let Some(child) = object.get_mut(*keyword) {
            convert(child, warnings);
        }
    }
    for keyword in LISTS {
        for child in object.get_mut(*keyword).and_then(Value::as_array_mut).into_iter().flatten() {
            convert(child, warnings);
        }
    }
    for keyword in MAPS {
        for child in object.get_mut(*keyword).and_then(Value::as_object_mut).into_iter().flatten().map(|(_, c)| c) {
            convert(child, warnings);
        }
    }
}

/// The keywords of one schema object that 2.0 spells differently (not its subschemas).
pub fn keywords(object: &mut Map<String, Value>) {
    if let Some(nullable) = object.remove("x-nullable")
        && !object.contains_key("nullable")
    {
        object.insert("nullable".to_owned(), nullable);
    }
    if let Some(Value::String(property)) = object.get("discriminator") {
        let mut discriminator = Map::new();
        discriminator.insert("propertyName".to_owned(), Value::String(property.clone()));
        object.insert("discriminator".to_owned(), Value::Object(discriminator));
    }
    if object.get("type").and_then(Value::as_str) == Some("file") {
        object.insert("type".to_owned(), Value::String("string".to_owned()));
        object.insert("format".to_owned(), Value::String("binary".to_owned()));
    }
}

/// The 2.0 keywords rewritten everywhere under `value`: for schemas in other files that a 2.0
/// document refers to, which the resolver reads as written.
pub fn rewrite_everywhere(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.contains_key("x-nullable") || object.contains_key("discriminator") || object.contains_key("type")
            {
                keywords(object);
            }
            object.values_mut().for_each(rewrite_everywhere);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_everywhere),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_are_rewritten_throughout() {
        let mut schema = json!({
            "type": "object", "discriminator": "kind", "required": ["kind"],
            "properties": {
                "kind": {"type": "string"},
                "owner": {"$ref": "#/definitions/Person", "x-nullable": true},
                "photo": {"type": "file"},
                "tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
                "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
                "other": {"$ref": "common.yaml#/definitions/Thing"}},
            "allOf": [{"$ref": "#/definitions/Base"}],
            "additionalProperties": {"type": "string", "x-nullable": true}});
        let mut warnings = Vec::new();
        convert(&mut schema, &mut warnings);
        assert_eq!(
            schema,
            json!({
                "type": "object", "discriminator": {"propertyName": "kind"}, "required": ["kind"],
                "properties": {
                    "kind": {"type": "string"},
                    "owner": {"$ref": "#/components/schemas/Person", "nullable": true},
                    "photo": {"type": "string", "format": "binary"},
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                    "pair": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "other": {"$ref": "common.yaml#/definitions/Thing"}},
                "allOf": [{"$ref": "#/components/schemas/Base"}],
                "additionalProperties": {"type": "string", "nullable": true}})
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(reference("#/parameters/Limit").as_deref(), Some("#/components/parameters/Limit"));
        assert_eq!(reference("#/paths/~1a"), None);
    }
}
