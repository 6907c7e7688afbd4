//! Reading an OpenAPI document into one self-contained JSON value: YAML or JSON, `$ref`s inlined,
//! and 3.0 schemas rewritten to JSON Schema 2020-12 (`nullable`, boolean `exclusiveMinimum`/`Maximum`).

use std::path::Path;

use serde_json::{Map, Value};

/// `$ref`s nest at most this deep (deeper means a cycle or a pathological document).
const MAX_REF_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("line {line}, column {column}: invalid YAML: {message}")]
    Yaml { line: usize, column: usize, message: String },
    #[error("{0}")]
    Shape(String),
    #[error("{pointer}: unsupported OpenAPI version `{version}` (3.0.x and 3.1.x are supported)")]
    Version { pointer: String, version: String },
    #[error("{pointer}: $ref `{target}` {problem}")]
    Ref { pointer: String, target: String, problem: String },
}

/// Parses `text` (YAML, which includes JSON) and resolves it.
pub fn parse_resolved(path: &Path, text: &str) -> Result<Value, ReadError> {
    let document: Value = serde_yaml::from_str(text).map_err(|e| match e.location() {
        Some(at) => ReadError::Yaml { line: at.line(), column: at.column(), message: e.to_string() },
        None => ReadError::Yaml { line: 0, column: 0, message: e.to_string() },
    })?;
    let _ = path;
    let version = match document.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(other) => other.to_string(),
        None => return Err(ReadError::Shape("#/openapi is missing: not an OpenAPI 3 document".to_owned())),
    };
    let legacy = version.starts_with("3.0.");
    if !legacy && !version.starts_with("3.1.") {
        return Err(ReadError::Version { pointer: "#/openapi".to_owned(), version });
    }
    let mut resolved = inline(&document, &document, "#", &mut Vec::new())?;
    if legacy {
        rewrite_legacy(&mut resolved);
    }
    Ok(resolved)
}

/// Reads and resolves a file.
pub fn load_resolved(path: &Path) -> Result<Value, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReadError::Io(e.to_string()))?;
    parse_resolved(path, &text)
}

/// `value` with every local `$ref` replaced by its target. `stack` holds the refs being expanded.
fn inline(root: &Value, value: &Value, pointer: &str, stack: &mut Vec<String>) -> Result<Value, ReadError> {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(target)) = object.get("$ref") {
                let error = |problem: &str| ReadError::Ref {
                    pointer: pointer.to_owned(),
                    target: target.clone(),
                    problem: problem.to_owned(),
                };
                let Some(local) = target.strip_prefix('#') else {
                    return Err(error("points outside this file, which this loader does not follow"));
                };
                if stack.contains(target) {
                    return Err(error("is circular"));
                }
                if stack.len() >= MAX_REF_DEPTH {
                    return Err(error("nests too deep"));
                }
                let resolved = root.pointer(local).ok_or_else(|| error("points nowhere (dangling)"))?;
                stack.push(target.clone());
                let mut out = inline(root, resolved, target, stack)?;
                stack.pop();
                // Sibling keywords next to $ref (allowed in 3.1) are kept.
                if let Value::Object(out) = &mut out {
                    for (k, v) in object.iter().filter(|(k, _)| *k != "$ref") {
                        out.insert(k.clone(), inline(root, v, &format!("{pointer}/{k}"), stack)?);
                    }
                }
                return Ok(out);
            }
            let mut out = Map::new();
            for (k, v) in object {
                let child = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.insert(k.clone(), inline(root, v, &child, stack)?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| inline(root, v, &format!("{pointer}/{i}"), stack))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// The OpenAPI 3.0 schema dialect rewritten to 2020-12, everywhere in the document.
fn rewrite_legacy(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.get("nullable") == Some(&Value::Bool(true)) {
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
            parse("openapi: 3.1.0\nx: {$ref: '#/components/schemas/A'}\ncomponents: {schemas: {A: {type: string}}}\n")
                .unwrap();
        assert_eq!(doc["x"], json!({"type": "string"}));
        let error = parse("openapi: 3.1.0\ncomponents: {schemas: {A: {$ref: '#/components/schemas/B'}, B: {$ref: '#/components/schemas/A'}}}\n").unwrap_err();
        assert!(error.to_string().contains("circular"), "{error}");
        let error = parse("openapi: 3.1.0\nx: {$ref: '#/nope'}\n").unwrap_err();
        assert_eq!(error.to_string(), "#/x: $ref `#/nope` points nowhere (dangling)");
    }

    #[test]
    fn legacy_dialect_is_rewritten() {
        let doc = parse("openapi: 3.0.3\ns: {type: string, nullable: true, enum: [a]}\nn: {type: integer, minimum: 3, exclusiveMinimum: true}\n").unwrap();
        assert_eq!(doc["s"], json!({"type": ["string", "null"], "enum": ["a", null]}));
        assert_eq!(doc["n"], json!({"type": "integer", "exclusiveMinimum": 3}));
    }

    #[test]
    fn bad_documents_are_errors_with_places() {
        let error = parse("openapi: 3.1.0\npaths: [\n").unwrap_err();
        assert!(matches!(error, ReadError::Yaml { line: 2.., .. }), "{error:?}");
        assert!(matches!(parse("openapi: 2.0\n").unwrap_err(), ReadError::Version { .. }));
        assert!(matches!(parse("swagger: '2.0'\n").unwrap_err(), ReadError::Shape(_)));
    }
}
