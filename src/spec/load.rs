//! Reading an OpenAPI document into one self-contained JSON value: YAML or JSON, `$ref`s inlined,
//! and 3.0 schemas rewritten to JSON Schema 2020-12 (`nullable`, boolean `exclusiveMinimum`/`Maximum`).
//!
//! A recursive schema (a tree node whose children are tree nodes, two schemas that refer to each
//! other) cannot be inlined: where a `$ref` comes back to a schema being expanded, it is kept, as
//! a `urn:conform:schema:N` reference to the expanded schema, registered with the validator
//! ([`super::validate::define`]). Only a cycle of bare `$ref`s (`A: {$ref: B}`, `B: {$ref: A}`),
//! which describes nothing, is an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::{Map, Value};

use super::structure;
use super::syntax;

/// `$ref`s nest at most this deep (deeper means a cycle or a pathological document).
const MAX_REF_DEPTH: usize = 64;

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
    let mut resolver = Resolver { files: HashMap::new(), stack: Vec::new(), definitions: Vec::new() };
    let document = Rc::new(document);
    resolver.files.insert(path.to_owned(), document.clone());
    let mut resolved = resolver.inline(path, &document, "#")?;
    // The document as written is no longer needed: only the resolved one is kept.
    drop((resolver.files, document));
    if legacy {
        rewrite_legacy(&mut resolved);
    }
    for (uri, mut schema) in resolver.definitions {
        if legacy {
            rewrite_legacy(&mut schema);
        }
        super::validate::define(uri, schema);
    }
    Ok(resolved)
}

/// Reads and resolves a file.
pub fn load_resolved(path: &Path) -> Result<Value, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReadError::Io(e.to_string()))?;
    parse_resolved(path, &text)
}

/// Inlines `$ref`s, within a file and across files; keeps the ones that recur (see the module docs).
struct Resolver {
    /// Every document read so far, by path.
    files: HashMap<PathBuf, Rc<Value>>,
    /// The refs being expanded.
    stack: Vec<Frame>,
    /// The recursive schemas, fully expanded, by the URN their references use.
    definitions: Vec<(String, Value)>,
}

/// One `$ref` being expanded.
struct Frame {
    /// `file#pointer`.
    key: String,
    /// Its target is itself only a `$ref` (with at most annotations beside it).
    bare: bool,
    /// Set when a reference came back to it: the URN that names its expansion.
    uri: Option<String>,
}

/// Whether a `$ref` target says nothing but where to look next.
fn is_bare_ref(value: &Value) -> bool {
    value.as_object().is_some_and(|o| {
        o.contains_key("$ref")
            && o.keys().all(|k| matches!(k.as_str(), "$ref" | "description" | "summary" | "title" | "$comment"))
    })
}

impl Resolver {
    /// The document at `path`, read and parsed once.
    fn document(&mut self, path: &Path) -> Result<Rc<Value>, String> {
        if let Some(document) = self.files.get(path) {
            return Ok(document.clone());
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let document = Rc::new(parse_text(path, &text).map_err(|e| format!("in {}: {e}", path.display()))?);
        self.files.insert(path.to_owned(), document.clone());
        Ok(document)
    }

    /// `value` (found in `file` at `pointer`) with every `$ref` replaced by its target.
    fn inline(&mut self, file: &Path, value: &Value, pointer: &str) -> Result<Value, ReadError> {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(target)) = object.get("$ref") {
                    let mut out = self.follow(file, target, pointer)?;
                    // Sibling keywords next to $ref (allowed in 3.1) are kept.
                    if let Value::Object(out) = &mut out {
                        for (k, v) in object.iter().filter(|(k, _)| *k != "$ref") {
                            out.insert(k.clone(), self.inline(file, v, &format!("{pointer}/{k}"))?);
                        }
                    }
                    return Ok(out);
                }
                let mut out = Map::new();
                for (k, v) in object {
                    let child = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                    out.insert(k.clone(), self.inline(file, v, &child)?);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| self.inline(file, v, &format!("{pointer}/{i}")))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            other => Ok(other.clone()),
        }
    }

    /// The resolved target of the `$ref` `target`, written in `file` at `pointer`.
    fn follow(&mut self, file: &Path, target: &str, pointer: &str) -> Result<Value, ReadError> {
        let error =
            |problem: String| ReadError::Ref { pointer: pointer.to_owned(), target: target.to_owned(), problem };
        let (location, fragment) = target.split_once('#').unwrap_or((target, ""));
        if location.contains("://") {
            return Err(error("is remote; conform follows only local files".to_owned()));
        }
        let target_file = if location.is_empty() {
            file.to_owned()
        } else {
            file.parent().unwrap_or_else(|| Path::new("")).join(location)
        };
        let key = format!("{}#{fragment}", target_file.display());
        if let Some(at) = self.stack.iter().position(|frame| frame.key == key) {
            if self.stack[at..].iter().all(|frame| frame.bare) {
                return Err(error(
                    "is circular: the $refs lead back to each other with no schema in between".to_owned(),
                ));
            }
            let uri = self.stack[at].uri.get_or_insert_with(super::validate::new_definition_uri).clone();
            return Ok(Value::Object(Map::from_iter([("$ref".to_owned(), Value::String(uri))])));
        }
        if self.stack.len() >= MAX_REF_DEPTH {
            return Err(error("nests too deep".to_owned()));
        }
        let document = self.document(&target_file).map_err(error)?;
        let found = document.pointer(fragment).ok_or_else(|| {
            let place = if location.is_empty() { String::new() } else { format!(" in {}", target_file.display()) };
            error(format!("points nowhere{place} (dangling)"))
        })?;
        self.stack.push(Frame { key, bare: is_bare_ref(found), uri: None });
        let inlined = self.inline(&target_file, found, &format!("#{fragment}"));
        let frame = self.stack.pop().expect("pushed above");
        if let (Some(uri), Ok(schema)) = (frame.uri, &inlined) {
            self.definitions.push((uri, schema.clone()));
        }
        inlined
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
            parse("openapi: 3.1.0\npaths: {}\nx: {$ref: '#/components/schemas/A'}\ncomponents: {schemas: {A: {type: string}}}\n")
                .unwrap();
        assert_eq!(doc["x"], json!({"type": "string"}));
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
        let kept = a.pointer("/properties/b/properties/a/properties/b/$ref").and_then(Value::as_str).unwrap();
        assert!(kept.starts_with("urn:conform:schema:"), "{a}");
        assert!(crate::spec::is_valid(a, &json!({"b": {"n": 1, "a": {"b": {"n": 2, "a": {}}}}})));
        let errors = crate::spec::validation_errors(a, &json!({"b": {"n": 1, "a": {"b": {"n": "two"}}}}));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("/b/a/b/n: "), "{errors:?}");
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
    fn legacy_dialect_is_rewritten() {
        let doc = parse("openapi: 3.0.3\npaths: {}\ns: {type: string, nullable: true, enum: [a]}\nn: {type: integer, minimum: 3, exclusiveMinimum: true}\n").unwrap();
        assert_eq!(doc["s"], json!({"type": ["string", "null"], "enum": ["a", null]}));
        assert_eq!(doc["n"], json!({"type": "integer", "exclusiveMinimum": 3}));
    }

    #[test]
    fn bad_documents_are_errors_with_places() {
        let error = parse("openapi: 3.1.0\npaths: [\n").unwrap_err();
        assert!(matches!(error, ReadError::Syntax { line: 2.., .. }), "{error:?}");
        assert!(matches!(parse("openapi: 2.0\n").unwrap_err(), ReadError::Version { .. }));
        assert!(matches!(parse("swagger: '2.0'\n").unwrap_err(), ReadError::Shape(_)));
    }
}
