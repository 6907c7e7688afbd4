//! Reading an OpenAPI document into one JSON value that needs no other file: YAML or JSON, checked
//! against the OpenAPI rules, `$ref`s resolved ([`super::resolve`]: schemas kept once, as
//! definitions, everything else inlined), and 3.0 schemas rewritten to JSON Schema 2020-12
//! (`nullable`, boolean `exclusiveMinimum`/`Maximum`).
//!
//! One copy of the document at a time: the text is parsed straight into a JSON value (JSON by
//! serde_json, YAML by the YAML parser into the same value), and that value is resolved in place.

use std::path::Path;

use serde_json::{Map, Value};

use super::structure;
use super::syntax;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    #[error("{0}")]
    Shape(String),
    #[error("{pointer}: unsupported OpenAPI version `{version}` (3.0.x and 3.1.x are supported)")]
    Version { pointer: String, version: String },
    #[error("{pointer}: $ref `{target}` {problem}")]
    Ref { pointer: String, target: String, problem: String },
    /// The document breaks the OpenAPI rules: every problem, as `(pointer, message)`.
    #[error("{}{}", problems.first().map(|(p, m)| format!("{p}: {m}")).unwrap_or_default(),
        if problems.len() > 1 { format!(" (and {} more problems)", problems.len() - 1) } else { String::new() })]
    Invalid { problems: Vec<(String, String)> },
}

fn parse_text(path: &Path, text: &str) -> Result<Value, ReadError> {
    syntax::parse(path, text).map_err(|e| ReadError::Syntax { line: e.line, column: e.column, message: e.message })
}

/// Parses `text` (JSON when `path` ends in `.json` or the text starts with `{`, else YAML), checks
/// it against the OpenAPI rules and resolves it. Relative `$ref`s to other files are read from the
/// directory of `path`.
pub fn parse_resolved(path: &Path, text: &str) -> Result<Value, ReadError> {
    let document = parse_text(path, text)?;
    resolve_parsed(path, document)
}

/// Parses `text` as [`parse_resolved`] does, without checking or resolving it.
pub(super) fn parse_only(path: &Path, text: &str) -> Result<Value, ReadError> {
    parse_text(path, text)
}

/// The second half of [`parse_resolved`], for a document parsed already (so that its text can be
/// dropped first).
pub(super) fn resolve_parsed(path: &Path, document: Value) -> Result<Value, ReadError> {
    let version = match document.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(other) => other.to_string(),
        None => return Err(ReadError::Shape("#/openapi is missing: not an OpenAPI 3 document".to_owned())),
    };
    let legacy = version.starts_with("3.0.");
    if !legacy && !version.starts_with("3.1.") {
        return Err(ReadError::Version { pointer: "#/openapi".to_owned(), version });
    }
    let problems = structure::problems(&document, legacy);
    if !problems.is_empty() {
        return Err(ReadError::Invalid { problems });
    }
    let rewrite: fn(&mut Value) = if legacy { rewrite_legacy } else { |_| {} };
    super::resolve::resolve(path, document, rewrite, read_other)
}

/// Another file a `$ref` names, parsed.
fn read_other(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_text(path, &text).map_err(|e| format!("in {}: {e}", path.display()))
}

/// Reads and resolves a file.
pub fn load_resolved(path: &Path) -> Result<Value, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReadError::Io(e.to_string()))?;
    parse_resolved(path, &text)
}

/// The OpenAPI 3.0 schema dialect rewritten to 2020-12, everywhere in the document.
fn rewrite_legacy(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.get("nullable") == Some(&Value::Bool(true)) && object.contains_key("$ref") {
                // `{$ref, nullable: true}`: the referenced schema, or null.
                object.remove("nullable");
                let reference = object.remove("$ref").unwrap_or_default();
                let options = vec![Value::Object(Map::from_iter([("$ref".to_owned(), reference)])), json_null()];
                object.insert("anyOf".to_owned(), Value::Array(options));
            } else if object.get("nullable") == Some(&Value::Bool(true)) {
                object.remove("nullable");
                match object.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = t.clone();
                        object.insert(
                            "type".to_owned(),
                            Value::Array(vec![Value::String(t), Value::String("null".into())]),
                        );
                    }
                    Some(Value::Array(types)) if !types.contains(&Value::String("null".into())) => {
                        types.push(Value::String("null".into()));
                    }
                    _ => {}
                }
                if let Some(Value::Array(options)) = object.get_mut("enum")
                    && !options.contains(&Value::Null)
                {
                    options.push(Value::Null);
                }
            } else if object.get("nullable").is_some() {
                object.remove("nullable");
            }
            for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
                match object.get(exclusive) {
                    Some(Value::Bool(true)) => {
                        if let Some(limit) = object.remove(bound) {
                            object.insert(exclusive.to_owned(), limit);
                        } else {
                            object.remove(exclusive);
                        }
                    }
                    Some(Value::Bool(false)) => {
                        object.remove(exclusive);
                    }
                    _ => {}
                }
            }
            for child in object.values_mut() {
                rewrite_legacy(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_legacy),
        _ => {}
    }
}

/// `{"type": "null"}`.
fn json_null() -> Value {
    Value::Object(Map::from_iter([("type".to_owned(), Value::String("null".to_owned()))]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Result<Value, ReadError> {
        parse_resolved(Path::new("t.yaml"), text)
    }

    #[test]
    fn refs_are_inlined_and_cycles_refused() {
        let doc =
            parse("openapi: 3.1.0\npaths: {}\nx: {$ref: '#/components/schemas/A'}\ncomponents: {schemas: {A: {type: string}}}\n")
                .unwrap();
        assert_eq!(*crate::spec::expand(&doc["x"]), json!({"type": "string"}));
        assert_eq!(doc["x"], doc["components"]["schemas"]["A"], "one definition, referred to");
        let error = parse("openapi: 3.1.0\npaths: {}\nx: {$ref: '#/components/schemas/A'}\ncomponents: {schemas: {A: {$ref: '#/components/schemas/B'}, B: {$ref: '#/components/schemas/A'}}}\n").unwrap_err();
        assert!(error.to_string().contains("circular"), "{error}");
        let error = parse("openapi: 3.1.0\npaths: {}\nx: {$ref: '#/nope'}\n").unwrap_err();
        assert_eq!(error.to_string(), "#/x: $ref `#/nope` points nowhere (dangling)");
    }

    #[test]
    fn recursive_schemas_keep_a_ref_and_validate() {
        let text = "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}\n    B: {type: object, required: [n], properties: {n: {type: integer}, a: {$ref: '#/components/schemas/A'}}}\n";
        let doc = parse(text).unwrap();
        let a = &doc["components"]["schemas"]["A"];
        let kept = a.pointer("/$ref").and_then(Value::as_str).unwrap();
        assert!(kept.starts_with("urn:conform:schema:"), "{a}");
        let b = crate::spec::definition(kept).unwrap().pointer("/properties/b/$ref").and_then(Value::as_str).unwrap();
        assert!(b.starts_with("urn:conform:schema:") && b != kept, "{b}");
        assert!(crate::spec::is_valid(a, &json!({"b": {"n": 1, "a": {"b": {"n": 2, "a": {}}}}})));
        let errors = crate::spec::validation_errors(a, &json!({"b": {"n": 1, "a": {"b": {"n": "two"}}}}));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("/b/a/b/n: "), "{errors:?}");
    }

    #[test]
    fn component_schemas_are_moved_and_can_still_be_pointed_into() {
        // `A` is pointed into (copied); `B` is moved to its definition, and a file-less deep
        // pointer into it after that reads the resolved definition.
        let text = "openapi: 3.1.0\npaths: {}\nx: {$ref: '#/components/schemas/A/properties/n'}\ncomponents:\n  schemas:\n    A: {type: object, properties: {n: {type: integer, maximum: 3}, m: {$ref: '#/components/schemas/A/properties/n'}, b: {$ref: '#/components/schemas/B'}}}\n    B: {type: object, properties: {s: {type: string}, a: {$ref: '#/components/schemas/A'}}}\n    C: {$ref: '#/components/schemas/B'}\n";
        let doc = parse(text).unwrap();
        assert!(crate::spec::is_valid(&doc["x"], &json!(3)));
        assert!(!crate::spec::is_valid(&doc["x"], &json!(4)));
        let c = &doc["components"]["schemas"]["C"];
        assert!(crate::spec::is_valid(c, &json!({"s": "t", "a": {"m": 1, "b": {"s": "u"}}})));
        assert!(!crate::spec::is_valid(c, &json!({"s": "t", "a": {"m": 9}})));
        assert!(!crate::spec::is_valid(c, &json!({"a": {"b": {"s": 1}}})));
    }

    #[test]
    fn refs_cross_files_relative_to_the_referring_file() {
        let dir = std::env::temp_dir().join(format!("conform-refs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("common")).unwrap();
        std::fs::write(dir.join("common/schemas.yaml"), "Phone: {type: string, pattern: '^[0-9]+$'}\nPair: {type: array, items: {$ref: '#/Phone'}}\nLoop: {$ref: 'schemas.yaml#/Loop'}\n").unwrap();
        let main = dir.join("api.yaml");
        std::fs::write(&main, "openapi: 3.1.0\npaths: {}\nx: {$ref: 'common/schemas.yaml#/Pair'}\n").unwrap();
        let doc = load_resolved(&main).unwrap();
        assert_eq!(doc["x"], json!({"type": "array", "items": {"type": "string", "pattern": "^[0-9]+$"}}));

        std::fs::write(&main, "openapi: 3.1.0\npaths: {}\nx: {$ref: 'common/schemas.yaml#/Nope'}\n").unwrap();
        let error = load_resolved(&main).unwrap_err().to_string();
        assert!(error.starts_with("#/x: $ref `common/schemas.yaml#/Nope` points nowhere in "), "{error}");
        std::fs::write(&main, "openapi: 3.1.0\npaths: {}\nx: {$ref: 'common/schemas.yaml#/Loop'}\n").unwrap();
        assert!(load_resolved(&main).unwrap_err().to_string().contains("circular"));
        std::fs::write(&main, "openapi: 3.1.0\npaths: {}\nx: {$ref: 'missing.yaml#/A'}\n").unwrap();
        assert!(load_resolved(&main).unwrap_err().to_string().contains("cannot read"));
        std::fs::write(&main, "openapi: 3.1.0\npaths: {}\nx: {$ref: 'https://example.com/s.yaml#/A'}\n").unwrap();
        assert!(load_resolved(&main).unwrap_err().to_string().contains("remote"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn shared_components_stay_references_to_one_resolved_copy() {
        let text = "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      parameters: [{$ref: '#/components/parameters/Limit'}]\n      responses: {'404': {$ref: '#/components/responses/NotFound'}}\n  /b:\n    get:\n      responses: {'404': {$ref: '#/components/responses/NotFound', description: gone}}\ncomponents:\n  parameters:\n    Limit: {name: limit, in: query, schema: {$ref: '#/components/schemas/N'}}\n  responses:\n    NotFound: {$ref: '#/components/responses/Missing'}\n    Missing: {description: missing, content: {application/json: {schema: {$ref: '#/components/schemas/N'}}}}\n  schemas:\n    N: {type: integer}\n";
        let doc = parse(text).unwrap();
        let use_site = &doc["paths"]["/a"]["get"]["responses"]["404"];
        assert_eq!(use_site, &json!({"$ref": "#/components/responses/NotFound"}), "not copied");
        let followed = crate::spec::follow(&doc, use_site);
        let schema = &followed["content"]["application/json"]["schema"];
        assert!(schema["$ref"].as_str().unwrap().starts_with("urn:conform:schema:"), "resolved once: {followed}");
        let parameter = crate::spec::follow(&doc, &doc["paths"]["/a"]["get"]["parameters"][0]);
        assert_eq!(parameter["name"], "limit");

        let cycle = "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses: {'404': {$ref: '#/components/responses/A'}}\ncomponents:\n  responses:\n    A: {$ref: '#/components/responses/B'}\n    B: {$ref: '#/components/responses/A'}\n";
        assert!(parse(cycle).unwrap_err().to_string().contains("circular"));
        let dangling = "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses: {'404': {$ref: '#/components/responses/Nope'}}\n";
        assert_eq!(
            parse(dangling).unwrap_err().to_string(),
            "#/paths/~1a/get/responses/404: $ref `#/components/responses/Nope` points nowhere (dangling)"
        );
        // A reference that overrides more than its summary or description is a copy, as before.
        let overriding = "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      parameters: [{$ref: '#/components/parameters/Limit', required: true}]\n      responses: {}\ncomponents:\n  parameters:\n    Limit: {name: limit, in: query}\n";
        let doc = parse(overriding).unwrap();
        assert_eq!(
            doc["paths"]["/a"]["get"]["parameters"][0],
            json!({"name": "limit", "in": "query", "required": true})
        );
    }

    #[test]
    fn legacy_dialect_is_rewritten() {
        let doc = parse("openapi: 3.0.3\npaths: {}\ns: {type: string, nullable: true, enum: [a]}\nn: {type: integer, minimum: 3, exclusiveMinimum: true}\n").unwrap();
        assert_eq!(doc["s"], json!({"type": ["string", "null"], "enum": ["a", null]}));
        assert_eq!(doc["n"], json!({"type": "integer", "exclusiveMinimum": 3}));
        let doc = parse("openapi: 3.0.3\npaths: {}\ns: {schema: {$ref: '#/components/schemas/A', nullable: true}}\ncomponents: {schemas: {A: {type: string}}}\n").unwrap();
        let reference = doc["components"]["schemas"]["A"].clone();
        assert_eq!(doc["s"]["schema"], json!({"anyOf": [reference, {"type": "null"}]}));
    }

    #[test]
    fn bad_documents_are_errors_with_places() {
        let error = parse("openapi: 3.1.0\npaths: [\n").unwrap_err();
        assert!(matches!(error, ReadError::Syntax { line: 2.., .. }), "{error:?}");
        assert!(matches!(parse("openapi: 2.0\n").unwrap_err(), ReadError::Version { .. }));
        assert!(matches!(parse("swagger: '2.0'\n").unwrap_err(), ReadError::Shape(_)));
    }
}
