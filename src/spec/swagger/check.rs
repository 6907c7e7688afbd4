//! The Swagger 2.0 document checked as written, before it is converted, so that every problem
//! has a pointer (and a line) in the file the user wrote.
//!
//! Three passes. Sloppy but unambiguous constructs are read with a warning and fixed in place: a
//! path parameter without `required: true` (a path parameter is always required), a value
//! parameter that gives an OpenAPI 3 style `schema` instead of its `type`, or no type at all (a
//! string: what travels in a path, query or header is text); a query parameter whose OpenAPI 3
//! style `schema` is an object sent as an exploded form (httpbin's `/response-headers`) keeps
//! that object, sent as its `key=value` pairs; another optional object parameter, which 2.0
//! cannot describe, is not sent. Then conform's own
//! checks, with messages that say what to fix: parameter types, the bounds and patterns of every
//! schema, one body per operation, `$ref`s that point nowhere. Last, the OpenAPI Initiative's
//! JSON Schema for 2.0 (vendored in `schemas/vendor/`), for everything else; its findings are
//! worded by kind, and one that only restates a finding of conform's own checks is dropped.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};

use super::super::methods::SWAGGER_METHODS;
use super::super::problem::{DiagnosticLevel, Problem, escape};
use super::super::structure::{TYPES, dangling_refs, schema_problems_at};
use super::parameters::{QUERY_OBJECT, VALUE_KEYWORDS};

/// The OpenAPI Initiative's JSON Schema for Swagger 2.0 (Apache-2.0; see `schemas/vendor/README.md`).
const SCHEMA: &str = include_str!("../../../schemas/vendor/openapi-2.0.schema.json");

/// The types of a 2.0 path, query, header or form parameter.
const PARAMETER_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "file"];
/// The types of a 2.0 schema: JSON Schema's, and `file` for a response or form field.
const SCHEMA_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object", "null", "file"];

/// Marks an optional parameter conform cannot send (it is left out of the converted document).
pub const UNSENT: &str = "x-conform-unsent";

/// What the checks found: conform's own problems and the JSON Schema's, apart, so that the
/// latter can be dropped where they only restate the former.
#[derive(Debug, Default)]
pub struct Found {
    pub own: Vec<Problem>,
    pub schema: Vec<SchemaProblem>,
}

/// A problem the JSON Schema found; `vague` when it is a whole alternative that failed.
#[derive(Debug, Clone)]
pub struct SchemaProblem {
    pub problem: Problem,
    pub vague: bool,
}

/// Checks (and fixes the sloppy constructs of) a Swagger 2.0 document.
pub fn check(document: &mut Value) -> Found {
    let mut found = Found::default();
    fix_parameters(document, &mut found.own);
    own_checks(document, &mut found.own);
    let mut pointer = String::from("#");
    dangling_refs(document, document, &mut pointer, &mut found.own);
    found.schema = schema_checks(document);
    found
}

/// Every parameter list of the document with its pointer, and the shared parameters.
fn parameter_lists(document: &mut Value, mut visit: impl FnMut(&str, &mut Map<String, Value>)) {
    if let Some(shared) = document.get_mut("parameters").and_then(Value::as_object_mut) {
        for (name, param) in shared.iter_mut() {
            if let Some(param) = param.as_object_mut() {
                visit(&format!("#/parameters/{}", escape(name)), param);
            }
        }
    }
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        let at = format!("#/paths/{}", escape(path));
        for (key, holder) in item.iter_mut() {
            let (list, here) = if key == "parameters" {
                (Some(holder), format!("{at}/parameters"))
            } else if SWAGGER_METHODS.contains(&key.as_str()) {
                (holder.get_mut("parameters"), format!("{at}/{key}/parameters"))
            } else {
                (None, String::new())
            };
            for (i, param) in list.and_then(Value::as_array_mut).into_iter().flatten().enumerate() {
                if let Some(param) = param.as_object_mut().filter(|p| !p.contains_key("$ref")) {
                    visit(&format!("{here}/{i}"), param);
                }
            }
        }
    }
}

/// Reads the sloppy parameters as they can only be meant, each with a warning.
fn fix_parameters(document: &mut Value, out: &mut Vec<Problem>) {
    parameter_lists(document, |at, param| {
        let location = param.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
        if location == "path" && param.get("required") != Some(&Value::Bool(true)) {
            let (here, said) = match param.get("required") {
                Some(other) => (format!("{at}/required"), format!("says `required: {other}`")),
                None => (at.to_owned(), "does not say `required: true`".to_owned()),
            };
            out.push(Problem::warning(
                here,
                format!("a path parameter is always required, but this one {said}: read as required"),
            ));
            param.insert("required".to_owned(), Value::Bool(true));
        }
        if ["query", "header", "path", "formData"].contains(&location.as_str())
            && !param.contains_key("type")
            && !param.contains_key("schema")
        {
            out.push(Problem::warning(
                at,
                "a Swagger 2.0 parameter needs a `type`; this one has none: read as `type: string`",
            ));
            param.insert("type".to_owned(), Value::String("string".to_owned()));
        }
        if location != "body"
            && !param.contains_key("type")
            && param.get("schema").is_some_and(|s| s.get("$ref").is_none())
            && let Some(Value::Object(schema)) = param.remove("schema")
        {
            // The value keywords an OpenAPI 3 style `schema` may hold instead (not 2.0's extensions).
            if location == "query" && is_object(&schema) && exploded_form(param) {
                out.push(Problem::warning(
                    format!("{at}/schema"),
                    "an object parameter (OpenAPI 3 style `schema`, `style: form`, `explode: true`) has no Swagger \
                     2.0 form: read as OpenAPI 3 reads it, and sent as its `key=value` pairs",
                ));
                // A 2.0 type for the checks of the 2.0 document; the conversion sends the object.
                param.insert("type".to_owned(), Value::String("string".to_owned()));
                param.insert(QUERY_OBJECT.to_owned(), Value::Object(schema));
                return;
            }
            let hoisted = |k: &str| VALUE_KEYWORDS.contains(&k) && !k.starts_with("x-");
            for (key, value) in schema.into_iter().filter(|(k, _)| hoisted(k)) {
                param.insert(key, value);
            }
            out.push(Problem::warning(
                    format!("{at}/schema"),
                    "a Swagger 2.0 parameter gives its `type` itself, not in a `schema` (that is OpenAPI 3): read as its type",
                ));
        }
        let required = param.get("required") == Some(&Value::Bool(true));
        if location != "path" && !required && param.get("type").and_then(Value::as_str) == Some("object") {
            out.push(Problem::warning(
                at,
                "an object parameter (free-form, OpenAPI 3 style) has no Swagger 2.0 form: it is optional, so it is not sent",
            ));
            param.insert("type".to_owned(), Value::String("string".to_owned()));
            param.insert(UNSENT.to_owned(), Value::Bool(true));
        }
    });
}

/// Whether an OpenAPI 3 style parameter `schema` is an object's.
fn is_object(schema: &Map<String, Value>) -> bool {
    match schema.get("type") {
        Some(t) => t.as_str() == Some("object"),
        None => schema.contains_key("properties") || schema.contains_key("additionalProperties"),
    }
}

/// Whether a query parameter is serialised as an exploded form (OpenAPI 3's default for a query).
fn exploded_form(param: &Map<String, Value>) -> bool {
    let style = param.get("style").and_then(Value::as_str);
    style.is_none_or(|s| s == "form") && param.get("explode").and_then(Value::as_bool).unwrap_or(true)
}

/// conform's own checks of the 2.0 structure.
fn own_checks(document: &mut Value, out: &mut Vec<Problem>) {
    parameter_lists(document, |at, param| {
        if param.get("in").and_then(Value::as_str) == Some("body") {
            if let Some(schema) = param.get("schema") {
                out.extend(schema_problems_at(schema, &format!("{at}/schema"), SCHEMA_TYPES));
            }
            return;
        }
        value_problems(param, at, true, out);
    });
    let document = &*document;
    for (name, schema) in document.get("definitions").and_then(Value::as_object).into_iter().flatten() {
        out.extend(schema_problems_at(schema, &format!("#/definitions/{}", escape(name)), SCHEMA_TYPES));
    }
    let response = |response: &Value, at: &str, out: &mut Vec<Problem>| {
        if let Some(schema) = response.get("schema") {
            out.extend(schema_problems_at(schema, &format!("{at}/schema"), SCHEMA_TYPES));
        }
        for (name, header) in response.get("headers").and_then(Value::as_object).into_iter().flatten() {
            if let Some(header) = header.as_object() {
                value_problems(header, &format!("{at}/headers/{}", escape(name)), false, out);
            }
        }
    };
    for (name, shared) in document.get("responses").and_then(Value::as_object).into_iter().flatten() {
        response(shared, &format!("#/responses/{}", escape(name)), out);
    }
    for (path, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in SWAGGER_METHODS {
            let Some(operation) = item.get(*method).and_then(Value::as_object) else { continue };
            let at = format!("#/paths/{}/{method}", escape(path));
            for (status, r) in operation.get("responses").and_then(Value::as_object).into_iter().flatten() {
                response(r, &format!("{at}/responses/{}", escape(status)), out);
            }
            let bodies: Vec<usize> = operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .filter(|(_, p)| located(document, p).get("in").and_then(Value::as_str) == Some("body"))
                .map(|(i, _)| i)
                .collect();
            for extra in bodies.iter().skip(1) {
                out.push(Problem::error(
                    format!("{at}/parameters/{extra}"),
                    "an operation has at most one `in: body` parameter",
                ));
            }
            let forms = operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .position(|p| located(document, p).get("in").and_then(Value::as_str) == Some("formData"));
            if let (Some(_), Some(form)) = (bodies.first(), forms) {
                out.push(Problem::error(
                    format!("{at}/parameters/{form}"),
                    "an operation cannot have both an `in: body` and `in: formData` parameters",
                ));
            }
        }
    }
}

/// A parameter, following a local `$ref` into `#/parameters`.
fn located<'a>(document: &'a Value, param: &'a Value) -> &'a Value {
    match param.get("$ref").and_then(Value::as_str).and_then(|t| t.strip_prefix('#')) {
        Some(fragment) => document.pointer(fragment).unwrap_or(param),
        None => param,
    }
}

/// The problems of a value parameter, header or items object (`parameter`: a parameter, which
/// may be a file).
fn value_problems(object: &Map<String, Value>, at: &str, parameter: bool, out: &mut Vec<Problem>) {
    let types = if parameter { PARAMETER_TYPES } else { &PARAMETER_TYPES[..5] };
    match object.get("type") {
        Some(Value::String(t)) if types.contains(&t.as_str()) => {
            if t == "file" && object.get("in").and_then(Value::as_str) != Some("formData") {
                out.push(Problem::error(format!("{at}/type"), "`type: file` is only for `in: formData` parameters"));
            }
            if t == "array" && !object.contains_key("items") {
                out.push(Problem::error(at.to_owned(), "an array needs `items`"));
            }
        }
        Some(other) => out.push(Problem::error(
            format!("{at}/type"),
            format!(
                "unknown type {other}: a {} type is one of {}",
                if parameter { "parameter's" } else { "value's" },
                types.join(", ")
            ),
        )),
        None => {}
    }
    let mut bounds = object.clone();
    bounds.remove("items");
    bounds.remove("type");
    out.extend(schema_problems_at(&Value::Object(bounds), at, TYPES));
    if let Some(items) = object.get("items").and_then(Value::as_object) {
        value_problems(items, &format!("{at}/items"), false, out);
    }
}

fn validator() -> &'static Result<jsonschema::Validator, String> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).map_err(|e| e.to_string())?;
        jsonschema::draft4::options().build(&schema).map_err(|e| e.to_string())
    })
}

/// The document checked against the OpenAPI Initiative's JSON Schema for 2.0.
fn schema_checks(document: &Value) -> Vec<SchemaProblem> {
    let Ok(validator) = validator() else { return Vec::new() };
    validator.iter_errors(document).flat_map(|e| flatten(&e)).map(|f| f.into_problem()).collect()
}

/// One finding of the JSON Schema, worded.
struct Finding {
    pointer: String,
    message: String,
    level: DiagnosticLevel,
    vague: bool,
    /// A constant the instance does not have (an `in` of another kind of parameter): the
    /// alternative it came from is not the one the author meant.
    constant: bool,
    /// How deep in the document the failing value is (an unknown field counts as its object).
    depth: usize,
}

impl Finding {
    fn into_problem(self) -> SchemaProblem {
        SchemaProblem {
            problem: Problem { pointer: self.pointer, message: self.message, level: self.level, skips: false },
            vague: self.vague,
        }
    }
}

/// A value for a message: compact JSON, cut short.
fn shown(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 60 { format!("{}…", text.chars().take(60).collect::<String>()) } else { text }
}

/// Where a part of the document is merely descriptive: a problem there does not stop anything.
fn descriptive(pointer: &str) -> bool {
    ["#/info", "#/tags", "#/externalDocs"].iter().any(|p| pointer == *p || pointer.starts_with(&format!("{p}/")))
}

/// The findings of one validation error: an alternative that failed is replaced by the
/// findings of the branch the author most likely meant.
fn flatten(error: &jsonschema::ValidationError<'_>) -> Vec<Finding> {
    let pointer = format!("#{}", error.instance_path());
    let depth = pointer.matches('/').count();
    let level = if descriptive(&pointer) { DiagnosticLevel::Warning } else { DiagnosticLevel::Error };
    let one = |message: String, vague: bool| {
        vec![Finding { pointer: pointer.clone(), message, level, vague, constant: false, depth }]
    };
    match error.kind() {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            let branches: Vec<Vec<Finding>> =
                context.iter().map(|branch| branch.iter().flat_map(flatten).collect()).collect();
            let meant = |b: &Vec<Finding>| !b.iter().any(|f| f.constant);
            let score =
                |b: &Vec<Finding>| (meant(b), b.iter().map(|f| f.depth).max().unwrap_or(0), usize::MAX - b.len());
            match branches.into_iter().filter(|b| !b.is_empty()).max_by_key(score) {
                Some(best) => best,
                None => one("does not match any of the shapes Swagger 2.0 allows here".to_owned(), true),
            }
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|key| Finding {
                pointer: format!("{pointer}/{}", escape(key)),
                message: format!("`{key}` is not a Swagger 2.0 field here: ignored"),
                level: DiagnosticLevel::Warning,
                vague: false,
                constant: false,
                depth,
            })
            .collect(),
        ValidationErrorKind::Required { property } => {
            let level = if property.as_str() == Some("info") { DiagnosticLevel::Warning } else { level };
            vec![Finding {
                pointer: pointer.clone(),
                message: format!("`{}` is required", shown(property)),
                level,
                vague: false,
                constant: false,
                depth,
            }]
        }
        ValidationErrorKind::Enum { options } => {
            let choices: Vec<String> = options.as_array().into_iter().flatten().map(shown).collect();
            let message = format!("`{}` is not one of {}", shown(error.instance()), choices.join(", "));
            vec![Finding {
                pointer: pointer.clone(),
                message,
                level,
                vague: false,
                constant: choices.len() == 1,
                depth,
            }]
        }
        ValidationErrorKind::Type { .. } => {
            let actual = match error.instance().as_ref() {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Array(_) => "a list",
                Value::Object(_) => "an object",
            };
            let text = error.to_string();
            let expected = text.rsplit(" is not of type ").next().unwrap_or_default().replace('"', "");
            one(format!("must be of type {expected}, not {actual}"), false)
        }
        ValidationErrorKind::Pattern { pattern } => {
            one(format!("`{}` does not match `{pattern}`", shown(error.instance())), false)
        }
        _ => {
            let text = error.to_string();
            let text = if text.chars().count() > 200 {
                format!("{}…", text.chars().take(200).collect::<String>())
            } else {
                text
            };
            one(text, false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(mut document: Value) -> Vec<String> {
        let found = check(&mut document);
        let mut out: Vec<String> = found.own.iter().map(|p| format!("{} {}", p.level, p)).collect();
        out.extend(found.schema.iter().map(|s| format!("{} {} (schema)", s.problem.level, s.problem)));
        out
    }

    fn document(parameters: Value) -> Value {
        json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/pets/{id}": {"get": {
            "parameters": parameters, "responses": {"200": {"description": "ok"}}}}}})
    }

    #[test]
    fn the_vendored_schema_compiles_and_a_clean_document_passes() {
        assert!(validator().is_ok(), "{:?}", validator().as_ref().err());
        let clean = document(json!([{"name": "id", "in": "path", "required": true, "type": "integer"}]));
        assert!(problems(clean).is_empty());
    }

    #[test]
    fn sloppy_constructs_are_fixed_with_a_warning() {
        let mut doc = document(json!([{"name": "id", "in": "path", "type": "string"},
            {"name": "q", "in": "query", "schema": {"type": "integer", "minimum": 1}}]));
        let found = check(&mut doc);
        let messages: Vec<String> = found.own.iter().map(|p| format!("{} {}", p.level, p)).collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(
            messages[0]
                .starts_with("warning #/paths/~1pets~1{id}/get/parameters/0: a path parameter is always required")
        );
        assert!(messages[1].starts_with(
            "warning #/paths/~1pets~1{id}/get/parameters/1/schema: a Swagger 2.0 parameter gives its `type`"
        ));
        assert!(found.schema.is_empty(), "fixed before the schema saw them: {:?}", found.schema);
        assert_eq!(
            doc["paths"]["/pets/{id}"]["get"]["parameters"][1],
            json!({"name": "q", "in": "query", "type": "integer", "minimum": 1})
        );
    }

    /// httpbin's `/response-headers`: an OpenAPI 3 style free-form object, sent as a form.
    #[test]
    fn a_free_form_query_object_is_kept_and_another_object_is_not_sent() {
        let freeform = json!({"type": "object", "additionalProperties": {"type": "string"}});
        let mut doc = document(json!([{"name": "id", "in": "path", "required": true, "type": "string"},
            {"name": "freeform", "in": "query", "allowEmptyValue": true, "style": "form", "explode": true,
                "schema": freeform},
            {"name": "deep", "in": "query", "style": "deepObject", "schema": {"type": "object"}}]));
        let found = check(&mut doc);
        let messages: Vec<String> = found.own.iter().map(|p| format!("{} {}", p.level, p)).collect();
        assert!(messages[0].contains("parameters/1/schema: an object parameter (OpenAPI 3 style"), "{messages:#?}");
        assert!(messages[0].contains("sent as its `key=value` pairs"), "{messages:#?}");
        assert!(messages.iter().any(|m| m.contains("parameters/2: an object parameter")), "{messages:#?}");
        assert!(found.schema.iter().all(|s| s.problem.level != DiagnosticLevel::Error), "{:?}", found.schema);
        let params = &doc["paths"]["/pets/{id}"]["get"]["parameters"];
        assert_eq!(params[1][QUERY_OBJECT], freeform);
        assert_eq!(params[2][UNSENT], json!(true), "a deepObject is not sent");
    }

    #[test]
    fn bad_types_are_named_where_they_are() {
        let found = problems(document(json!([{"name": "id", "in": "path", "required": true, "type": "int"},
            {"name": "f", "in": "query", "type": "file"}])));
        assert!(found.iter().any(|p| p.starts_with("error #/paths/~1pets~1{id}/get/parameters/0/type: unknown type \"int\": a parameter's type is one of string")), "{found:#?}");
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("error #/paths/~1pets~1{id}/get/parameters/1/type: `type: file` is only for")),
            "{found:#?}"
        );
        // The schema's finding for the first parameter is the branch of path parameters.
        assert!(
            found.iter().any(|p| p.contains("parameters/0/type: `int` is not one of") && p.ends_with("(schema)")),
            "{found:#?}"
        );
    }

    #[test]
    fn unknown_fields_are_warnings_and_missing_ones_errors() {
        let mut doc =
            document(json!([{"name": "id", "in": "path", "required": true, "type": "string", "example": "x"}]));
        doc["paths"]["/pets/{id}"]["post"] = json!({"requestBody": {}});
        let found = problems(doc);
        assert!(found.contains(&"warning #/paths/~1pets~1{id}/get/parameters/0/example: `example` is not a Swagger 2.0 field here: ignored (schema)".to_owned()), "{found:#?}");
        assert!(
            found.contains(&"error #/paths/~1pets~1{id}/post: `responses` is required (schema)".to_owned()),
            "{found:#?}"
        );
    }

    #[test]
    fn dangling_refs_and_two_bodies() {
        let found = problems(document(json!([{"$ref": "#/parameters/nope"},
            {"name": "a", "in": "body", "schema": {}}, {"name": "b", "in": "body", "schema": {}}])));
        assert!(
            found.contains(
                &"error #/paths/~1pets~1{id}/get/parameters/0: $ref `#/parameters/nope` points nowhere (dangling)"
                    .to_owned()
            ),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("error #/paths/~1pets~1{id}/get/parameters/2: an operation has at most one")),
            "{found:#?}"
        );
    }
}
