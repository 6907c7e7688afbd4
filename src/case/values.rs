//! Valid values from a JSON Schema (2020-12, `$ref`s resolved): a proptest strategy per schema.
//! Generation follows the keywords it understands (types, enums, bounds, patterns, formats,
//! properties, items, combinators); the result is then filtered through the validator, so that a
//! keyword it does not understand (`not`, `dependentRequired`, …) can only cost a rejection, never
//! produce an invalid "valid" value. A schema may carry `x-conform-generate`, a narrower schema to
//! draw valid values from (realistic data, such as a 6-digit code); it is a hint for generation
//! only, never a rule a target is checked against.
//!
//! A `$ref` (to a schema the loader defined, see [`crate::spec::definition`]) is followed. A
//! recursive one is followed to a bounded depth: once a chain of references has come back to the
//! same schema [`SHALLOW_DEPTH`] times, optional properties are left out and arrays get their
//! fewest items, so that a tree ends.

use proptest::prelude::*;
use proptest::strategy::SBoxedStrategy;
use serde_json::{Map, Number, Value, json};

/// Strings are generated at most this long when the schema sets no `maxLength`.
const MAX_FREE_STRING: usize = 24;
/// Arrays get at most this many items when the schema sets no `maxItems`.
const MAX_FREE_ITEMS: usize = 4;
/// A free-form map (`additionalProperties` a schema) gets at most this many generated properties.
const MAX_EXTRA_PROPERTIES: usize = 2;
/// Past this many returns to the same schema, only what is required is generated.
const SHALLOW_DEPTH: usize = 2;
/// A schema that still needs this many returns to itself has no finite value conform can make.
const MAX_DEPTH: usize = 16;
/// A chain of `$ref`s longer than this is refused.
const MAX_CHAIN: usize = 256;

/// The `$ref`s followed to reach a schema, and how deep they recurse.
#[derive(Clone, Default)]
struct Refs {
    /// Each schema followed, by name, with how many times the chain went through it.
    followed: Vec<(String, usize)>,
    /// The most times the chain went back to one schema.
    depth: usize,
}

impl Refs {
    /// The chain one `$ref` further.
    fn through(&self, uri: &str) -> Refs {
        let mut next = self.clone();
        match next.followed.iter_mut().find(|(u, _)| u == uri) {
            Some((_, times)) => {
                *times += 1;
                next.depth = next.depth.max(*times - 1);
            }
            None => next.followed.push((uri.to_owned(), 1)),
        }
        next
    }
}

/// Why no strategy could be built for a schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot generate values for the schema at {pointer}: {message}")]
pub struct GenerateError {
    pub pointer: String,
    pub message: String,
}

fn error(pointer: &str, message: impl Into<String>) -> GenerateError {
    GenerateError { pointer: pointer.to_owned(), message: message.into() }
}

/// A strategy for values valid by `schema`. `pointer` names the schema in errors.
pub fn valid(schema: &Value, pointer: &str) -> Result<SBoxedStrategy<Value>, GenerateError> {
    let raw = raw(schema, pointer, &Refs::default())?;
    let valid = crate::spec::validity_of(schema);
    Ok(raw.prop_filter("the value must validate against its schema", move |v| valid(v)).sboxed())
}

/// A strategy from the keywords alone, unfiltered.
fn raw(schema: &Value, pointer: &str, refs: &Refs) -> Result<SBoxedStrategy<Value>, GenerateError> {
    let object = match schema {
        Value::Bool(true) => return Ok(Just(json!("x")).sboxed()),
        Value::Bool(false) => return Err(error(pointer, "the schema `false` accepts nothing")),
        Value::Object(object) => object,
        _ => return Err(error(pointer, "a schema must be an object or a boolean")),
    };
    if let Some(hint) = object.get("x-conform-generate") {
        return raw(hint, pointer, refs);
    }
    if let Some(Value::String(uri)) = object.get("$ref") {
        let target = crate::spec::definition(uri)
            .ok_or_else(|| error(pointer, format!("the `$ref` `{uri}` is not a schema conform loaded")))?;
        let refs = refs.through(uri);
        if refs.depth >= MAX_DEPTH || refs.followed.len() > MAX_CHAIN {
            return Err(error(pointer, "the recursive schema requires values nested deeper than conform generates"));
        }
        if object.len() == 1 {
            return raw(target, pointer, &refs);
        }
        let mut siblings = object.clone();
        siblings.remove("$ref");
        let merged = merge_all_of(&siblings, std::slice::from_ref(target));
        return raw(&merged, pointer, &refs);
    }
    if let Some(value) = object.get("const") {
        return Ok(Just(value.clone()).sboxed());
    }
    if let Some(values) = object.get("enum") {
        let values = values
            .as_array()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| error(pointer, "`enum` must be a non-empty array"))?;
        return Ok(proptest::sample::select(values.clone()).sboxed());
    }
    if let Some(all) = object.get("allOf").and_then(Value::as_array) {
        let merged = merge_all_of(object, all);
        return raw(&merged, pointer, refs);
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(options) = object.get(keyword).and_then(Value::as_array) {
            let mut strategies = Vec::new();
            let mut first_error = None;
            for (i, option) in options.iter().enumerate() {
                // Sibling keywords apply to every branch.
                let mut branch = object.clone();
                branch.remove(keyword);
                let merged = merge_all_of(&branch, std::slice::from_ref(option));
                // A branch conform cannot generate (one that only recurses, say) is left out.
                match raw(&merged, &format!("{pointer}/{keyword}/{i}"), refs) {
                    Ok(strategy) => strategies.push(strategy),
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            if strategies.is_empty() {
                return Err(first_error.unwrap_or_else(|| error(pointer, format!("`{keyword}` has no branch"))));
            }
            return Ok(proptest::strategy::Union::new(strategies).sboxed());
        }
    }
    let types: Vec<&str> = match object.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![infer_type(object)],
    };
    let mut strategies = Vec::new();
    for t in types {
        strategies.push(match t {
            "null" => Just(Value::Null).sboxed(),
            "boolean" => any::<bool>().prop_map(Value::Bool).sboxed(),
            "integer" => integer(object, pointer)?,
            "number" => number(object, pointer)?,
            "string" => string(object, pointer)?,
            "array" => array(object, pointer, refs)?,
            "object" => self::object(object, pointer, refs)?,
            other => return Err(error(pointer, format!("unknown type `{other}`"))),
        });
    }
    Ok(proptest::strategy::Union::new(strategies).sboxed())
}

/// The type a schema without `type` most likely means, from its other keywords.
fn infer_type(object: &Map<String, Value>) -> &'static str {
    let has = |keys: &[&str]| keys.iter().any(|k| object.contains_key(*k));
    if has(&["properties", "required", "additionalProperties", "minProperties"]) {
        "object"
    } else if has(&["items", "minItems", "maxItems", "prefixItems"]) {
        "array"
    } else if has(&["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]) {
        "number"
    } else {
        "string"
    }
}

/// `allOf` branches folded into one schema: properties and required lists are united, other
/// keywords of later branches win. Good enough to generate from; the filter has the last word.
/// A `$ref` is kept to be followed by the caller; when branches bring several, the first stays
/// and the others go into an `allOf` of references.
pub(crate) fn merge_all_of(base: &Map<String, Value>, all: &[Value]) -> Value {
    let mut merged = base.clone();
    merged.remove("allOf");
    let mut more_refs = Vec::new();
    for branch in all.iter().filter_map(Value::as_object) {
        for (key, value) in branch {
            match (key.as_str(), merged.get_mut(key)) {
                ("properties", Some(Value::Object(props))) => {
                    if let Some(more) = value.as_object() {
                        props.extend(more.clone());
                    }
                }
                ("required", Some(Value::Array(required))) => {
                    for name in value.as_array().into_iter().flatten() {
                        if !required.contains(name) {
                            required.push(name.clone());
                        }
                    }
                }
                ("$ref", Some(_)) => more_refs.push(json!({"$ref": value})),
                ("allOf", Some(Value::Array(nested))) => nested.extend(value.as_array().cloned().unwrap_or_default()),
                _ => {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
    }
    if !more_refs.is_empty() {
        match merged.get_mut("allOf") {
            Some(Value::Array(nested)) => nested.extend(more_refs),
            _ => {
                merged.insert("allOf".to_owned(), Value::Array(more_refs));
            }
        }
    }
    Value::Object(merged)
}

fn bound_i64(object: &Map<String, Value>, key: &str) -> Option<i64> {
    object.get(key).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

/// The smallest and largest integer of a `format` (`int32`, `int64`; any other is taken as int64).
pub(crate) fn format_range(object: &Map<String, Value>) -> (i64, i64) {
    declared_range(object).unwrap_or((i64::MIN, i64::MAX))
}

/// The range of the integer format the schema declares, when it declares one conform knows.
pub(crate) fn declared_range(object: &Map<String, Value>) -> Option<(i64, i64)> {
    Some(match object.get("format").and_then(Value::as_str)? {
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN, i64::MAX),
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        _ => return None,
    })
}

fn integer(object: &Map<String, Value>, pointer: &str) -> Result<SBoxedStrategy<Value>, GenerateError> {
    let min =
        bound_i64(object, "minimum").or_else(|| bound_i64(object, "exclusiveMinimum").map(|m| m.saturating_add(1)));
    let max =
        bound_i64(object, "maximum").or_else(|| bound_i64(object, "exclusiveMaximum").map(|m| m.saturating_sub(1)));
    let unbounded = min.is_none() || max.is_none();
    let (lowest, highest) = format_range(object);
    let (min, max) = (min.unwrap_or(lowest), max.unwrap_or(highest));
    if min > max {
        return Err(error(pointer, format!("no integer lies between {min} and {max}")));
    }
    let number = |n: i64| Value::Number(n.into());
    if !unbounded {
        return Ok((min..=max).prop_map(number).sboxed());
    }
    // An open side reaches the edge of the format, but most values stay small: near zero or near
    // the bound the schema does set, and now and then an edge itself.
    let near = |at: i64| at.saturating_sub(100).max(min)..=at.saturating_add(100).min(max);
    let anchor = if min > 0 {
        min
    } else if max < 0 {
        max
    } else {
        0
    };
    let edges: Vec<Value> = [min, max, min.saturating_add(1), max.saturating_sub(1), anchor].map(number).to_vec();
    Ok(prop_oneof![
        5 => near(anchor).prop_map(number),
        1 => proptest::sample::select(edges),
        2 => (min..=max).prop_map(number),
    ]
    .sboxed())
}

fn number(object: &Map<String, Value>, pointer: &str) -> Result<SBoxedStrategy<Value>, GenerateError> {
    let get = |k: &str| object.get(k).and_then(Value::as_f64);
    let (given_min, given_max) =
        (get("minimum").or(get("exclusiveMinimum")), get("maximum").or(get("exclusiveMaximum")));
    let min = given_min.unwrap_or(-1000.0);
    let max = given_max.unwrap_or(min.max(0.0) + 1000.0);
    if min > max || !min.is_finite() || !max.is_finite() {
        return Err(error(pointer, format!("no number lies between {min} and {max}")));
    }
    let finite = |f: f64| Number::from_f64(f).map(Value::Number);
    let near = (min..=max).prop_filter_map("finite", finite).sboxed();
    if given_min.is_some() && given_max.is_some() {
        return Ok(near);
    }
    // An open side reaches far (within `float` when the format says so), most values staying near.
    let reach = if object.get("format").and_then(Value::as_str) == Some("float") { f32::MAX as f64 } else { 1e300 };
    let (far_min, far_max) = (given_min.unwrap_or(-reach), given_max.unwrap_or(reach));
    Ok(prop_oneof![
        3 => near,
        1 => (far_min..=far_max).prop_filter_map("finite", finite),
    ]
    .sboxed())
}

/// A regex the proptest generator accepts: anchors stripped, `\d`, `\w` and `\s` made ASCII.
pub fn generator_regex(pattern: &str) -> String {
    let body = pattern.strip_prefix('^').unwrap_or(pattern);
    let body = if body.ends_with('$') && !body.ends_with("\\$") { &body[..body.len() - 1] } else { body };
    body.replace("\\d", "[0-9]").replace("\\w", "[A-Za-z0-9_]").replace("\\s", "[ ]")
}

fn string(object: &Map<String, Value>, pointer: &str) -> Result<SBoxedStrategy<Value>, GenerateError> {
    let min = object.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = object.get("maxLength").and_then(Value::as_u64).map(|m| m as usize);
    if max.is_some_and(|max| max < min) {
        return Err(error(pointer, format!("maxLength {max:?} is below minLength {min}")));
    }
    let regex = if object.contains_key("pattern") {
        String::new()
    } else {
        match object.get("format").and_then(Value::as_str) {
            Some("date-time") => {
                "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|[+-]0[0-9]:00)"
                    .to_owned()
            }
            Some("date") => "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])".to_owned(),
            Some("uuid") => "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}".to_owned(),
            Some("email") => "[a-z][a-z0-9]{0,8}@[a-z]{1,8}\\.(com|org|net)".to_owned(),
            Some("uri") => "https://[a-z]{1,10}\\.(com|org)/[a-z0-9]{0,10}".to_owned(),
            _ => {
                let max = max.unwrap_or(min + MAX_FREE_STRING).min(min + 64);
                format!("[a-zA-Z0-9 ._~-]{{{min},{max}}}")
            }
        }
    };
    let strategy = match object.get("pattern").and_then(Value::as_str) {
        Some(pattern) => super::pattern::strings(pattern).map_err(|message| error(pointer, message))?,
        None => proptest::string::string_regex(&regex)
            .map_err(|e| error(pointer, format!("cannot generate from the pattern `{regex}`: {e}")))?
            .sboxed(),
    };
    // The length filter can only reject when a length is set on a pattern or a format (the free
    // regex above has the lengths in it): without it, the same draws, made once fewer.
    let bounded = (min > 0 || max.is_some()) && (object.contains_key("pattern") || object.contains_key("format"));
    if !bounded {
        return Ok(strategy.prop_map(Value::String).sboxed());
    }
    Ok(strategy
        .prop_filter("length within minLength..=maxLength", move |s| {
            let n = s.chars().count();
            n >= min && max.is_none_or(|max| n <= max)
        })
        .prop_map(Value::String)
        .sboxed())
}

fn array(object: &Map<String, Value>, pointer: &str, refs: &Refs) -> Result<SBoxedStrategy<Value>, GenerateError> {
    let min = object.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = object.get("maxItems").and_then(Value::as_u64).map_or(min + MAX_FREE_ITEMS, |m| m as usize).min(min + 8);
    if max < min {
        return Err(error(pointer, format!("maxItems {max} is below minItems {min}")));
    }
    let max = if refs.depth >= SHALLOW_DEPTH { min } else { max };
    if max == 0 {
        return Ok(Just(Value::Array(Vec::new())).sboxed());
    }
    let items = match object.get("items") {
        Some(items) => raw(items, &format!("{pointer}/items"), refs)?,
        None => Just(json!("x")).sboxed(),
    };
    Ok(proptest::collection::vec(items, min..=max).prop_map(Value::Array).sboxed())
}

fn object(object: &Map<String, Value>, pointer: &str, refs: &Refs) -> Result<SBoxedStrategy<Value>, GenerateError> {
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let empty = Map::new();
    let properties = object.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let mut fields: Vec<SBoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for (name, schema) in properties {
        let is_required = required.contains(&name.as_str());
        if !is_required && refs.depth >= SHALLOW_DEPTH {
            continue;
        }
        let at = format!("{pointer}/properties/{}", name.replace('~', "~0").replace('/', "~1"));
        let strategy = raw(schema, &at, refs)?;
        let name = name.clone();
        let pair = strategy.prop_map(move |v| (name.clone(), v));
        fields.push(if is_required { pair.prop_map(Some).sboxed() } else { proptest::option::of(pair).sboxed() });
    }
    for name in required.iter().filter(|n| !properties.contains_key(**n)) {
        let name = (*name).to_owned();
        fields.push(Just(Some((name, json!("x")))).sboxed());
    }
    let extras = more_properties(object, properties, pointer, refs);
    Ok((fields, extras)
        .prop_map(|(pairs, extras)| {
            let mut object: Map<String, Value> = pairs.into_iter().flatten().collect();
            object.extend(extras);
            Value::Object(object)
        })
        .sboxed())
}

/// Up to [`MAX_EXTRA_PROPERTIES`] properties more, where `additionalProperties` is a schema (a
/// free-form map: httpbin's `/response-headers` query): generated names, values of that schema.
/// None where it is absent, `true` or `false`, past [`SHALLOW_DEPTH`], or cannot be generated.
fn more_properties(
    object: &Map<String, Value>,
    properties: &Map<String, Value>,
    pointer: &str,
    refs: &Refs,
) -> SBoxedStrategy<Vec<(String, Value)>> {
    let none = || Just(Vec::new()).sboxed();
    let Some(more @ Value::Object(_)) = object.get("additionalProperties") else { return none() };
    let Ok(values) = raw(more, &format!("{pointer}/additionalProperties"), refs) else { return none() };
    if refs.depth >= SHALLOW_DEPTH {
        return none();
    }
    let declared: Vec<String> = properties.keys().cloned().collect();
    let names = proptest::string::string_regex("[a-z][a-z0-9_]{0,9}")
        .expect("a fixed regex")
        .prop_filter("not a declared property", move |name| !declared.contains(name));
    proptest::collection::btree_map(names, values, 0..=MAX_EXTRA_PROPERTIES)
        .prop_map(|extras| extras.into_iter().collect())
        .sboxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    fn samples(schema: Value, n: usize) -> Vec<Value> {
        let strategy = valid(&schema, "#").unwrap();
        let mut runner = TestRunner::deterministic();
        (0..n).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect()
    }

    #[test]
    fn a_free_form_map_gets_generated_properties_of_its_schema() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}},
            "additionalProperties": {"type": "string", "maxLength": 3}});
        let values = samples(schema.clone(), 40);
        assert!(values.iter().all(|v| crate::spec::is_valid(&schema, v)), "{values:?}");
        let extra = |v: &Value| v.as_object().unwrap().iter().any(|(k, v)| k != "a" && v.is_string());
        assert!(values.iter().any(extra), "{values:?}");
        assert!(values.iter().all(|v| v.as_object().unwrap().len() <= 3), "{values:?}");
        let closed = samples(json!({"type": "object", "additionalProperties": true}), 10);
        assert!(closed.iter().all(|v| v == &json!({})), "`true` adds nothing: {closed:?}");
    }

    #[test]
    fn regex_translation() {
        assert_eq!(generator_regex("^[0-9]{8,13}$"), "[0-9]{8,13}");
        assert_eq!(generator_regex("^\\d+@c\\.us$"), "[0-9]+@c\\.us");
        assert_eq!(generator_regex("a\\$"), "a\\$");
    }

    #[test]
    fn generated_values_are_valid() {
        let schema = json!({
            "type": "object",
            "required": ["phone", "method", "n"],
            "properties": {
                "phone": {"type": "string", "pattern": "^[0-9]{8,13}$"},
                "method": {"type": "string", "enum": ["sms", "voice"]},
                "n": {"type": "integer", "minimum": 4, "maximum": 10},
                "when": {"type": "string", "format": "date-time"},
                "id": {"type": "string", "format": "uuid"},
                "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}, "maxItems": 2},
                "maybe": {"type": ["string", "null"]}
            },
            "not": {"properties": {"n": {"const": 7}}, "required": ["n"]}
        });
        for value in samples(schema.clone(), 200) {
            assert!(crate::spec::is_valid(&schema, &value), "{value}");
            assert_ne!(value["n"], 7, "`not` is honoured through the filter");
        }
    }

    #[test]
    fn combinators() {
        let schema =
            json!({"oneOf": [{"type": "string", "const": "a"}, {"type": "integer", "minimum": 5, "maximum": 5}]});
        let values = samples(schema, 50);
        assert!(values.contains(&json!("a")) && values.contains(&json!(5)));
        let schema = json!({"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"const": 1}}},
                                      {"required": ["b"], "properties": {"b": {"const": 2}}}]});
        assert!(samples(schema, 20).iter().all(|v| v["a"] == 1 && v["b"] == 2));
    }

    #[test]
    fn recursive_schemas_are_generated_to_a_bounded_depth() {
        let dir = std::env::temp_dir().join(format!("conform-values-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      required: [name]\n      properties:\n        name: {type: string, maxLength: 3}\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n";
        let document = crate::spec::parse_resolved(&dir.join("tree.yaml"), text).unwrap();
        let node = document.pointer("/components/schemas/Node").unwrap().clone();
        let values = samples(node.clone(), 50);
        assert!(values.iter().all(|v| crate::spec::is_valid(&node, v)));
        let depth = |v: &Value| -> usize {
            fn d(v: &Value) -> usize {
                1 + v["children"].as_array().map_or(0, |c| c.iter().map(d).max().unwrap_or(0))
            }
            d(v)
        };
        assert!(values.iter().any(|v| depth(v) >= 2), "children are generated");
        assert!(values.iter().all(|v| depth(v) <= 4), "and the tree ends");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn impossible_schemas_are_errors() {
        assert!(valid(&json!({"type": "integer", "minimum": 5, "maximum": 4}), "#/x").unwrap_err().pointer == "#/x");
        assert!(valid(&json!({"type": "string", "pattern": "(unclosed"}), "#").is_err());
        assert!(valid(&json!(false), "#").is_err());
        assert!(valid(&json!({"enum": []}), "#").is_err());
    }
}
