//! Reading an OpenAPI document into one JSON value that needs no other file: YAML or JSON, of a
//! version conform reads ([`super::dialect`]), a Swagger 2.0 document converted to the OpenAPI
//! 3.0 shape ([`super::swagger`]), checked against the rules ([`super::structure`]), `$ref`s
//! resolved ([`super::resolve`]: schemas kept once, as definitions, shared components kept as
//! references) and 3.0 schemas rewritten to JSON Schema 2020-12 (`nullable`, boolean
//! `exclusiveMinimum`/`Maximum`).
//!
//! Read leniently (for `run` and `lint`), a problem that breaks only some operations leaves those
//! out ([`super::scope`]) and the rest loads; read strictly, any error refuses the document.
//!
//! One copy of the document at a time: the text is parsed straight into a JSON value (JSON by
//! serde_json, YAML by the YAML parser into the same value), and that value is resolved in place.

use std::path::Path;

use serde_json::{Map, Value};

use super::dialect::{Dialect, dialect};
use super::hoist::Hoisted;
use super::methods::Methods;
use super::pointer_map::PointerMap;
use super::problem::Problem;
use super::scope::{OperationRef, broken, remove};
use super::structure;
use super::swagger;
use super::syntax;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    #[error("{0}")]
    Shape(String),
    /// Not a document conform reads: what was found, at `pointer`.
    #[error("{message}")]
    Refused { pointer: String, message: String },
    #[error("{pointer}: $ref `{target}` {problem}")]
    Ref { pointer: String, target: String, problem: String },
    /// The document breaks the rules: every problem (pointers into the file as written).
    #[error("{}{}", problems.iter().find(|p| p.is_error()).map(ToString::to_string).unwrap_or_default(),
        if problems.len() > 1 { format!(" (and {} more problems)", problems.len() - 1) } else { String::new() })]
    Invalid { problems: Vec<Problem> },
}

fn parse_text(path: &Path, text: &str) -> Result<Value, ReadError> {
    syntax::parse(path, text).map_err(|e| ReadError::Syntax { line: e.line, column: e.column, message: e.message })
}

/// Parses `text` (JSON when `path` ends in `.json` or the text starts with `{`, else YAML), checks
/// it strictly and resolves it. Relative `$ref`s to other files are read from the directory of
/// `path`.
pub fn parse_resolved(path: &Path, text: &str) -> Result<Value, ReadError> {
    let document = parse_text(path, text)?;
    read(path, document, false).map(|read| read.document)
}

/// Parses `text` as [`parse_resolved`] does, without checking or resolving it, moving the
/// operations' inline schemas to `components` ([`super::hoist`]).
pub(super) fn parse_only(path: &Path, text: &str) -> Result<(Value, Hoisted), ReadError> {
    syntax::parse_hoisting(path, text).map_err(|e| ReadError::Syntax {
        line: e.line,
        column: e.column,
        message: e.message,
    })
}

/// A problem found reading a document, and the operations it left out of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Finding {
    pub problem: Problem,
    /// How messages name the operations left out because of it (`GET /pets/{id}`).
    pub skipped: Vec<String>,
}

/// A document read: resolved, in the OpenAPI 3 shape, with what was found on the way.
#[derive(Debug)]
pub(super) struct Read {
    pub document: Value,
    pub dialect: Dialect,
    /// Warnings, and (read leniently) the errors of the operations left out; pointers into the
    /// file as written.
    pub findings: Vec<Finding>,
    /// Where the places of the converted document are in the file (a Swagger 2.0 one).
    pub pointers: PointerMap,
}

/// What the errors among `found` (pointers into `document`) break, with the operations taken out
/// of `document`; `None` when the document cannot be read (broken as a whole, or any error when
/// `lenient` is false). Each problem comes back with the labels of the operations it left out.
fn settle(
    document: &mut Value,
    found: Vec<Problem>,
    methods: Methods,
    schemes: &str,
    lenient: bool,
) -> Option<Vec<Finding>> {
    if !found.iter().any(Problem::breaks) {
        return Some(found.into_iter().map(|problem| Finding { problem, skipped: Vec::new() }).collect());
    }
    if !lenient && found.iter().any(Problem::is_error) {
        return None;
    }
    if !lenient {
        return Some(found.into_iter().map(|problem| Finding { problem, skipped: Vec::new() }).collect());
    }
    let broken = broken(document, &found, methods, schemes);
    if broken.document {
        return None;
    }
    let mut labels: Vec<Vec<String>> = vec![Vec::new(); found.len()];
    for (operation, indexes) in &broken.operations {
        for index in indexes {
            labels[*index].push(operation.label.clone());
        }
    }
    remove(document, broken.operations.into_keys().map(|OperationRef { pointer, .. }| pointer));
    Some(found.into_iter().zip(labels).map(|(problem, skipped)| Finding { problem, skipped }).collect())
}

/// Reads a parsed document: its dialect, its problems, and (when they leave anything to read)
/// the document converted and resolved.
pub(super) fn read(path: &Path, document: Value, lenient: bool) -> Result<Read, ReadError> {
    read_hoisted(path, document, Hoisted::default(), lenient)
}

/// [`read`] for a document whose operations' inline schemas were moved to `components` as it
/// was parsed ([`super::hoist`]): a problem in one is reported where it was first written.
pub(super) fn read_hoisted(
    path: &Path,
    mut document: Value,
    hoisted: Hoisted,
    lenient: bool,
) -> Result<Read, ReadError> {
    let dialect = dialect(&document)
        .map_err(|refusal| ReadError::Refused { pointer: refusal.pointer, message: refusal.message })?;
    let mut findings: Vec<Finding> = Vec::new();
    let mut pointers = PointerMap::default();
    for (name, first) in hoisted.pointers {
        pointers.record(format!("#/components/schemas/{name}"), first);
    }
    let mut schema_findings: Vec<(Finding, bool)> = Vec::new();
    if dialect == Dialect::Swagger2 {
        let found = swagger::check(&mut document);
        let own = found.own.len();
        let vague: Vec<bool> = found.schema.iter().map(|s| s.vague).collect();
        let all: Vec<Problem> = found.own.into_iter().chain(found.schema.into_iter().map(|s| s.problem)).collect();
        let settled = settle(&mut document, all.clone(), Methods::SWAGGER, "/securityDefinitions", lenient);
        let Some(mut settled) = settled else {
            return Err(ReadError::Invalid { problems: without_restated(all, own, &vague) });
        };
        schema_findings = settled.split_off(own).into_iter().zip(vague).collect();
        findings = settled;
        let converted = swagger::convert(document);
        document = converted.document;
        pointers = converted.pointers;
        findings.extend(converted.warnings.into_iter().map(|problem| Finding { problem, skipped: Vec::new() }));
    }
    let mut found = structure::problems(&document, dialect.legacy());
    if dialect != Dialect::Swagger2 {
        let mut pointer = String::from("#");
        structure::dangling_refs(&document, &document, &mut pointer, &mut found);
    }
    if dialect == Dialect::OpenApi32 {
        found.extend(super::v32::problems(&mut document));
    }
    let methods = Methods::of(&document);
    let settled = settle(&mut document, found.clone(), methods, "/components/securitySchemes", lenient);
    let original = |mut problem: Problem| {
        problem.pointer = pointers.original(&problem.pointer).into_owned();
        problem
    };
    let Some(settled) = settled else {
        let mut all: Vec<Problem> = findings.into_iter().map(|f| f.problem).collect();
        all.extend(found.into_iter().map(original));
        let kept: Vec<Problem> = schema_findings
            .into_iter()
            .filter(|(f, vague)| !restated(&f.problem, *vague, &all))
            .map(|(f, _)| f.problem)
            .collect();
        all.extend(kept);
        return Err(ReadError::Invalid { problems: all });
    };
    for mut finding in settled {
        finding.problem = original(finding.problem);
        if !findings.iter().any(|f| f.problem == finding.problem) {
            findings.push(finding);
        }
    }
    // The JSON Schema's findings, but those that only restate one of conform's own.
    for (finding, vague) in schema_findings {
        let named = |label: &String| findings.iter().any(|f| f.skipped.contains(label));
        if !restated(&finding.problem, vague, findings.iter().map(|f| &f.problem)) || !finding.skipped.iter().all(named)
        {
            findings.push(finding);
        }
    }
    let rewrite: fn(&mut Value) = match dialect {
        Dialect::Swagger2 => |value| {
            swagger::rewrite_everywhere(value);
            rewrite_legacy(value);
        },
        Dialect::OpenApi30 => rewrite_legacy,
        Dialect::OpenApi31 | Dialect::OpenApi32 => |_| {},
    };
    let document = super::resolve::resolve(path, document, rewrite, read_other).map_err(|e| match e {
        ReadError::Ref { pointer, target, problem } => {
            ReadError::Ref { pointer: pointers.original(&pointer).into_owned(), target, problem }
        }
        other => other,
    })?;
    Ok(Read { document, dialect, findings, pointers })
}

/// Whether a JSON Schema finding says no more than one of conform's own: one at the same place,
/// or (for a failed alternative) inside it.
fn restated<'a>(finding: &Problem, vague: bool, own: impl IntoIterator<Item = &'a Problem>) -> bool {
    own.into_iter()
        .any(|p| p.pointer == finding.pointer || (vague && p.pointer.starts_with(&format!("{}/", finding.pointer))))
}

/// `all` (conform's own problems first, `own` of them, then the JSON Schema's) without the
/// JSON Schema's findings that restate an own one.
fn without_restated(all: Vec<Problem>, own: usize, vague: &[bool]) -> Vec<Problem> {
    let (mine, schema) = all.split_at(own);
    let kept = schema.iter().zip(vague).filter(|(p, v)| !restated(p, **v, mine)).map(|(p, _)| p.clone());
    mine.iter().cloned().chain(kept).collect()
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
        assert!(matches!(parse("openapi: 2.0\n").unwrap_err(), ReadError::Refused { .. }));
        assert!(matches!(parse("swagger: '1.2'\n").unwrap_err(), ReadError::Refused { .. }));
    }
}
