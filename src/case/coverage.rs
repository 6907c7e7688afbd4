//! (issue 25) The coverage phase's values: deterministic edge values for every schema node of a
//! body or a parameter, each labelled valid (a positive case) or not (a negative case). Bounds
//! give their edges and one step outside; integer formats their edges and the first value past
//! them; strings the empty, very long, multi-byte, emoji, right-to-left and NUL texts, and a
//! pattern's simplest matches with text around them where it is not anchored; enums each
//! value and a near miss; every typed node every wrong JSON type, `null` included where it is
//! not allowed. Whether a value is valid is the node's schema's answer, never a guess: a negative
//! the schema does not forbid is not made (no `maxLength`, no "too long"). The case built from an
//! edge is validated again as a whole before it is sent, like every generated case.

use serde_json::{Map, Value, json};

use super::kind::MutationKind;
use super::mutation::{Constraint, each_node, json_types, types_of};
use crate::spec::{ParamLocation, Parameter, Source};

/// One coverage value: where it goes and what it is, with whether the schema accepts it.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Valid by the schema: a positive case; otherwise a negative one.
    pub positive: bool,
    /// Whether the answer is judged as a positive's or a negative's. An ordinary value that the
    /// schema allows (an emoji, the empty text) may still be refused for what it means, and a
    /// `null` in an optional field is often read as the field left out: those are sent to see
    /// that nothing breaks, and judged only by the checks that hold for any answer.
    pub judged: bool,
    /// The last part of the case id: `limit-int32-max`, `user.name-null`.
    pub label: String,
    pub constraint: Constraint,
}

/// A text far longer than a field usually holds, for strings with no `maxLength`.
const VERY_LONG: usize = 4096;
/// A path value over a kilobyte.
const OVER_1KB: usize = 1025;

/// The ordinary edge texts: (label, value).
fn ordinary_texts() -> Vec<(&'static str, String)> {
    vec![
        ("empty", String::new()),
        ("very-long", "x".repeat(VERY_LONG)),
        ("multi-byte", "çãé 漢字 ñ".to_owned()),
        ("emoji", "😀👍🏽".to_owned()),
        ("rtl", "مرحبا שלום".to_owned()),
        ("nul", "a\u{0}b".to_owned()),
        ("newline", "a\nb".to_owned()),
    ]
}

/// Every wrong JSON type, one value each: (label, value).
fn every_type() -> [(&'static str, Value); 7] {
    [
        ("null", Value::Null),
        ("boolean", json!(true)),
        ("integer", json!(12345)),
        ("number", json!(1.5)),
        ("string", json!("conform")),
        ("array", json!([])),
        ("object", json!({})),
    ]
}

/// The place part of a label: `user.name`, or `body` for the root.
fn place_label(pointer: &str) -> String {
    if pointer.is_empty() { "body".to_owned() } else { pointer.trim_start_matches('/').replace('/', ".") }
}

/// The coverage edges of a body schema, at every depth.
pub fn body_edges(schema: &Value) -> Vec<Edge> {
    let mut out = Vec::new();
    each_node(schema, &mut |node, pointer, source, required| {
        node_edges(node, pointer, &place_label(pointer), source, Some(required), &mut out);
    });
    dedupe(out)
}

/// The pointers of the body's numbers (integers too), at every depth below the root.
pub fn number_pointers(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    each_node(schema, &mut |node, pointer, _, _| {
        if !pointer.is_empty() && types_of(node).iter().any(|t| t == "integer" || t == "number") {
            out.push(pointer.to_owned());
        }
    });
    out
}

/// The coverage edges of a parameter: its schema's (only what survives as text), and for a path
/// parameter an encoded slash, `..` and a value over a kilobyte.
pub fn parameter_edges(param: &Parameter) -> Vec<Edge> {
    let mut out = Vec::new();
    let expanded = crate::spec::expand(&param.schema);
    let Some(node) = expanded.as_object() else { return out };
    if param.is_exploded_object() {
        return dedupe(map_edges(param, node));
    }
    node_edges(node, "", &param.name, None, None, &mut out);
    if param.location == ParamLocation::Path {
        let accepts = |v: &Value| crate::spec::is_valid(&param.schema, v);
        for (label, value, kind) in [
            ("encoded-slash", json!("a/b"), MutationKind::PatternMismatch),
            ("dot-dot", json!(".."), MutationKind::PatternMismatch),
            ("over-1kb", json!("x".repeat(OVER_1KB)), MutationKind::TooLong),
        ] {
            let positive = accepts(&value);
            let description = if positive { "a valid value".to_owned() } else { "must be valid".to_owned() };
            let constraint = Constraint::replace_with(kind, "", description, None, value);
            out.push(Edge { positive, judged: true, label: format!("{}-{label}", param.name), constraint });
        }
    }
    // Text is what a parameter travels as: an empty value is the negative phase's, and
    // emptiness in a path changes the route. A header carries no control byte (NUL, CR, LF):
    // no HTTP client puts one on the wire, so such a value is no case to send.
    out.retain(|edge| {
        let replacement = edge.constraint.replacement();
        let empty = replacement.is_some_and(|v| v == &json!(""));
        let unsendable = param.location == ParamLocation::Header
            && replacement.and_then(Value::as_str).is_some_and(|text| !fits_a_header(text));
        !(empty && (param.location == ParamLocation::Path || !edge.positive)) && !unsendable
    });
    dedupe(out)
}

/// The name [`map_edges`] gives the one property of its maps.
const MAP_KEY: &str = "conform";

/// The edges of a free-form object sent as `key=value` pairs (an exploded form): each edge of its
/// values' schema (`additionalProperties`; text where it gives none) as the value of one
/// property, so that the value travels on its own (httpbin copied it into a response header).
fn map_edges(param: &Parameter, node: &Map<String, Value>) -> Vec<Edge> {
    let values = match node.get("additionalProperties") {
        Some(Value::Bool(false)) => return Vec::new(),
        Some(schema @ Value::Object(_)) => crate::spec::expand(schema).into_owned(),
        _ => json!({"type": "string"}),
    };
    let Some(values) = values.as_object() else { return Vec::new() };
    let mut inner = Vec::new();
    node_edges(values, "", &format!("{}.{MAP_KEY}", param.name), None, None, &mut inner);
    inner
        .into_iter()
        .filter_map(|edge| {
            let whole = json!({ MAP_KEY: edge.constraint.replacement()? });
            let positive = crate::spec::is_valid(&param.schema, &whole);
            let judged = edge.judged || positive != edge.positive;
            let (kind, description) = (edge.constraint.kind, edge.constraint.description.clone());
            let constraint = Constraint::replace_with(kind, "", description, None, whole);
            Some(Edge { positive, judged, label: edge.label, constraint })
        })
        .collect()
}

/// Whether `text` can be a header value on the wire: visible ASCII, spaces and tabs, and bytes
/// past ASCII (RFC 9110 §5.5's field-vchar and obs-text); no other control byte.
fn fits_a_header(text: &str) -> bool {
    text.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80)
}

/// The first edge of each (pointer, value, validity), in order: identical requests are sent once.
fn dedupe(edges: Vec<Edge>) -> Vec<Edge> {
    let mut seen: Vec<(String, Value, bool)> = Vec::new();
    let mut out = Vec::new();
    for edge in edges {
        if let Some(value) = edge.constraint.replacement() {
            let key = (edge.constraint.pointer.clone(), value.clone(), edge.positive);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
        }
        out.push(edge);
    }
    out
}

/// One schema node's edges. `required` is whether a body's node is required in its parent; a
/// parameter has none: its value travels as text, so a wrong type is tried only where the schema
/// allows nothing but non-string scalars.
fn node_edges(
    node: &Map<String, Value>,
    pointer: &str,
    place: &str,
    source: Option<&Source>,
    required: Option<bool>,
    out: &mut Vec<Edge>,
) {
    let structured = required.is_some();
    let schema = Value::Object(node.clone());
    let accepts = |v: &Value| crate::spec::is_valid(&schema, v);
    let mut values: Vec<(String, Value, MutationKind, String)> = Vec::new();
    let mut add = |label: &str, value: Value, kind: MutationKind, description: String| {
        values.push((label.to_owned(), value, kind, description));
    };
    // Values judged only for what holds for any answer, when the schema accepts them.
    const ORDINARY: [&str; 9] =
        ["empty", "very-long", "multi-byte", "emoji", "rtl", "nul", "newline", "zero", "minus-one"];
    let types = types_of(node);
    let get = |k: &str| node.get(k).and_then(Value::as_f64);
    if types.iter().any(|t| t == "integer") {
        let (lowest, highest) = super::values::format_range(node);
        let format = node.get("format").and_then(Value::as_str).unwrap_or("int64").to_owned();
        // Only a declared format bounds an integer: without one, JSON Schema's integers are
        // unbounded, and int64's neighbours are valid values, not negatives.
        let declared = super::values::declared_range(node).is_some();
        for (label, key, delta) in [
            ("minimum", "minimum", 0i64),
            ("maximum", "maximum", 0),
            ("exclusive-minimum", "exclusiveMinimum", 1),
            ("exclusive-maximum", "exclusiveMaximum", -1),
        ] {
            if let Some(bound) = get(key) {
                let at = (bound as i64).saturating_add(delta);
                add(label, json!(at), MutationKind::AboveMaximum, format!("{key} {bound}"));
            }
        }
        // Beyond int64 a value is text, which in a body is a wrong type, not an overflow.
        let past = |n: i128| i64::try_from(n).map(|n| json!(n)).unwrap_or_else(|_| json!(n.to_string()));
        if get("minimum").or(get("exclusiveMinimum")).is_none() {
            add(&format!("{format}-min"), json!(lowest), MutationKind::BelowMinimum, format!("fits {format}"));
            let value = past(i128::from(lowest) - 1);
            if declared && (!structured || value.is_number()) {
                let description = format!("must fit in {format} (at least {lowest})");
                add(&format!("{format}-below"), value, MutationKind::BelowMinimum, description);
            }
        }
        if get("maximum").or(get("exclusiveMaximum")).is_none() {
            add(&format!("{format}-max"), json!(highest), MutationKind::AboveMaximum, format!("fits {format}"));
            let value = past(i128::from(highest) + 1);
            let description = format!("must fit in {format} (at most {highest})");
            if declared && (!structured || value.is_number()) {
                add(&format!("{format}-above"), value, MutationKind::AboveMaximum, description);
            }
        }
        add("zero", json!(0), MutationKind::BelowMinimum, "an ordinary value".to_owned());
        add("minus-one", json!(-1), MutationKind::BelowMinimum, "an ordinary value".to_owned());
    } else if types.iter().any(|t| t == "number") {
        for key in ["minimum", "maximum"] {
            if let Some(bound) = get(key) {
                add(key, json!(bound), MutationKind::AboveMaximum, format!("{key} {bound}"));
            }
        }
        add("zero", json!(0.0), MutationKind::BelowMinimum, "an ordinary value".to_owned());
        add("minus-one", json!(-1.0), MutationKind::BelowMinimum, "an ordinary value".to_owned());
    }
    if types.iter().any(|t| t == "string") && !node.contains_key("enum") {
        let filler = |n: u64| json!("x".repeat(n as usize));
        if let Some(min) = node.get("minLength").and_then(Value::as_u64) {
            add("min-length", filler(min), MutationKind::TooShort, format!("minLength {min}"));
        }
        if let Some(max) = node.get("maxLength").and_then(Value::as_u64) {
            add("max-length", filler(max), MutationKind::TooLong, format!("maxLength {max}"));
        }
        // A pattern's simplest match per alternative, with text before or after it where the
        // alternative is not anchored there (a pattern is searched for, not matched whole).
        if let Some(pattern) = node.get("pattern").and_then(Value::as_str) {
            for (label, text) in super::pattern::samples(pattern).unwrap_or_default() {
                add(&label, json!(text), MutationKind::PatternMismatch, format!("matches {pattern}"));
            }
        }
        // A format's text is checked by the target, maybe not by the validator: only free text.
        if !node.contains_key("format") {
            for (label, text) in ordinary_texts() {
                add(label, json!(text), MutationKind::PatternMismatch, "an ordinary value".to_owned());
            }
        }
    }
    if types.iter().any(|t| t == "boolean") {
        add("true", json!(true), MutationKind::WrongType, "a boolean".to_owned());
        add("false", json!(false), MutationKind::WrongType, "a boolean".to_owned());
    }
    if let Some(values_listed) = node.get("enum").and_then(Value::as_array) {
        let listed = values_listed.iter().map(Value::to_string).collect::<Vec<_>>().join(", ");
        for (i, value) in values_listed.iter().enumerate() {
            add(&format!("enum-{i}"), value.clone(), MutationKind::OutsideEnum, format!("one of {listed}"));
            if let Some(text) = value.as_str() {
                let upper = text.to_uppercase();
                let near = if upper != text { upper } else { text.to_lowercase() };
                if near != text {
                    let description = format!("must be one of {listed} (case matters)");
                    add(&format!("enum-{i}-case"), json!(near), MutationKind::OutsideEnum, description);
                }
            }
        }
    }
    if types.iter().any(|t| t == "array") && structured {
        if let Some(min) = node.get("minItems").and_then(Value::as_u64) {
            push_items(out, pointer, place, source, min as usize, &schema, "min-items");
            if min > 0 {
                push_items(out, pointer, place, source, min as usize - 1, &schema, "below-min-items");
            }
        }
        if let Some(max) = node.get("maxItems").and_then(Value::as_u64) {
            push_items(out, pointer, place, source, max as usize, &schema, "max-items");
            push_items(out, pointer, place, source, max as usize + 1, &schema, "above-max-items");
        }
    }
    let scalar_only =
        !types.is_empty() && types.iter().all(|t| matches!(t.as_str(), "integer" | "number" | "boolean" | "null"));
    if !types.is_empty() && (structured || scalar_only) {
        for (label, value) in every_type() {
            let wrong = !json_types(&value).iter().any(|t| types.iter().any(|allowed| allowed == t));
            // As text, an array or an object is no JSON type at all: only scalars are tried.
            if wrong && (structured || !(value.is_array() || value.is_object())) {
                add(
                    &format!("type-{label}"),
                    value,
                    MutationKind::WrongType,
                    format!("must be {}", types.join(" or ")),
                );
            }
        }
    }
    // Values meant as positives: one the schema refuses breaks some other rule, which the
    // negative phase breaks already; it is not sent again under another name.
    let meant_valid = |label: &str| {
        const VALID: [&str; 11] = [
            "minimum",
            "maximum",
            "exclusive-minimum",
            "exclusive-maximum",
            "min-length",
            "max-length",
            "very-long",
            "zero",
            "minus-one",
            "true",
            "false",
        ];
        VALID.contains(&label)
            || label.ends_with("-min")
            || label.ends_with("-max")
            || label.starts_with("pattern")
            || (label.starts_with("enum-") && !label.ends_with("-case"))
    };
    for (label, value, kind, description) in values {
        if meant_valid(&label) && !accepts(&value) {
            continue;
        }
        // A JSON number past an integer format is invalid, though the validator skips formats.
        let breaks_format = structured && value.is_number() && (label.ends_with("-above") || label.ends_with("-below"));
        let positive = accepts(&value) && !breaks_format;
        let ordinary = positive && ORDINARY.contains(&label.as_str());
        let optional_null = !positive && value.is_null() && required == Some(false);
        let judged = !(ordinary || optional_null);
        // A value the node refuses for a reason other than the one it was made for is still a
        // negative: the re-validation of the whole request decides, as for every negative.
        let description = if positive { format!("a valid value ({description})") } else { description };
        let constraint = if breaks_format && accepts(&value) {
            Constraint::outside_format(kind, pointer, description, value)
        } else {
            Constraint::replace_with(kind, pointer, description, source.cloned(), value)
        };
        out.push(Edge { positive, judged, label: format!("{place}-{label}"), constraint });
    }
}

/// An array of `len` items at `pointer`, positive where the node accepts that many.
fn push_items(
    out: &mut Vec<Edge>,
    pointer: &str,
    place: &str,
    source: Option<&Source>,
    len: usize,
    schema: &Value,
    label: &str,
) {
    let fits = |key: &str, holds: fn(u64, usize) -> bool| {
        schema.get(key).and_then(Value::as_u64).is_none_or(|bound| holds(bound, len))
    };
    let positive = fits("minItems", |min, n| n as u64 >= min) && fits("maxItems", |max, n| n as u64 <= max);
    let kind = if label.starts_with("below") { MutationKind::TooShort } else { MutationKind::TooLong };
    let description =
        if positive { format!("{len} items, within bounds") } else { format!("must not have {len} items") };
    let constraint = Constraint::resize(kind, pointer, description, source.cloned(), len);
    out.push(Edge { positive, judged: true, label: format!("{place}-{label}"), constraint });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(edges: &[Edge], positive: bool) -> Vec<String> {
        edges.iter().filter(|e| e.positive == positive).map(|e| e.label.clone()).collect()
    }

    #[test]
    fn bounds_give_edges_inside_and_one_step_outside_is_left_to_the_negative_phase() {
        let schema = json!({"type": "object", "properties": {
            "n": {"type": "integer", "format": "int32", "minimum": 1},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
            "name": {"type": "string", "maxLength": 3},
            "mode": {"type": "string", "enum": ["fast"]},
            "inner": {"type": "object", "properties": {"flag": {"type": "boolean"}}}}});
        let edges = body_edges(&schema);
        let positive = labels(&edges, true);
        let negative = labels(&edges, false);
        for label in ["n-minimum", "n-int32-max", "tags-max-items", "name-max-length", "name-empty", "mode-enum-0"] {
            assert!(positive.contains(&label.to_owned()), "{label} in {positive:?}");
        }
        for label in
            ["n-int32-above", "tags-above-max-items", "mode-enum-0-case", "inner.flag-type-null", "inner-type-array"]
        {
            assert!(negative.contains(&label.to_owned()), "{label} in {negative:?}");
        }
        let very_long = "name-very-long".to_owned();
        assert!(
            !negative.contains(&very_long) && !positive.contains(&very_long),
            "over maxLength: the negative phase's"
        );
        // Every edge is what its label says, by the node's schema.
        for edge in &edges {
            let mut body = json!({"n": 5, "tags": ["a"], "name": "ab", "mode": "fast", "inner": {"flag": true}});
            assert!(edge.constraint.apply(&mut body), "{}", edge.label);
            let valid = crate::spec::is_valid(&schema, &body);
            // Past an integer format: the validator skips formats, the spec does not.
            assert_eq!(valid, edge.positive || edge.constraint.breaks_format(), "{}: {body}", edge.label);
        }
    }

    #[test]
    fn a_string_without_max_length_has_no_too_long_negative() {
        let edges = body_edges(&json!({"type": "string"}));
        assert!(labels(&edges, false).iter().all(|l| l.starts_with("body-type-")), "{:?}", labels(&edges, false));
        assert!(labels(&edges, true).contains(&"body-very-long".to_owned()));
    }

    fn parameter(location: ParamLocation, schema: Value) -> Parameter {
        Parameter { name: "p".to_owned(), location, required: false, schema, example: None, collection_format: None }
    }

    /// Seen on Kinto's `If-Match`: a NUL in a header value is refused by the HTTP client, so
    /// each such case was a harness error and the run incomplete.
    #[test]
    fn a_header_gets_no_control_byte() {
        let schema = json!({"type": "string", "pattern": "^[a-z]+$"});
        let header = parameter_edges(&parameter(ParamLocation::Header, schema.clone()));
        assert!(!header.is_empty());
        for edge in &header {
            let text = edge.constraint.replacement().and_then(Value::as_str).unwrap_or("");
            assert!(fits_a_header(text), "{}: {text:?}", edge.label);
        }
        let query = parameter_edges(&parameter(ParamLocation::Query, schema));
        assert!(query.iter().any(|e| e.label == "p-nul"), "a query parameter still gets its NUL");
        assert!(fits_a_header("çã 😀\tx") && !fits_a_header("a\u{0}b") && !fits_a_header("a\r\nb"));
    }

    /// Seen on Kinto: `If-None-Match`'s `\*` is not anchored, so text around it is valid (and
    /// crashed Kinto's `int()`); the anchored alternative gets nothing around it.
    #[test]
    fn an_unanchored_pattern_gets_positives_with_text_around_its_match() {
        let schema = json!({"type": "string", "pattern": r#"^"([0-9]+?)"$|\*"#});
        let edges = parameter_edges(&parameter(ParamLocation::Header, schema));
        let positive = labels(&edges, true);
        for label in ["p-pattern-0", "p-pattern-1", "p-pattern-1-prefix", "p-pattern-1-suffix"] {
            assert!(positive.contains(&label.to_owned()), "{label} in {positive:?}");
        }
        assert!(!positive.iter().any(|l| l.starts_with("p-pattern-0-")), "{positive:?}");
        let bounded = json!({"type": "string", "pattern": "[a-z]+", "maxLength": 3});
        let edges = body_edges(&bounded);
        assert!(labels(&edges, true).contains(&"body-pattern".to_owned()), "{:?}", labels(&edges, true));
        assert!(!edges.iter().any(|e| e.label.contains("pattern-")), "over maxLength: left out");
    }

    /// Seen on httpbin: `/response-headers` copies its query pairs into response headers and
    /// crashed on a newline; the free-form object's values get the ordinary texts, one pair each.
    #[test]
    fn a_free_form_query_object_gets_its_values_edges_as_one_pair() {
        let mut freeform =
            parameter(ParamLocation::Query, json!({"type": "object", "additionalProperties": {"type": "string"}}));
        freeform.collection_format = Some(crate::spec::CollectionFormat::Multi);
        let edges = parameter_edges(&freeform);
        let newline = edges.iter().find(|e| e.label == "p.conform-newline").expect("a newline value");
        assert_eq!(newline.constraint.replacement(), Some(&json!({"conform": "a\nb"})));
        assert!(newline.positive && !newline.judged, "an ordinary value: watched for crashes");
        assert!(edges.iter().all(|e| e.constraint.replacement().is_some_and(Value::is_object)), "{edges:?}");
        freeform.schema = json!({"type": "object", "additionalProperties": false});
        assert!(parameter_edges(&freeform).is_empty());
    }

    /// Seen on httpbin: an integer without `format` is unbounded, so 2^63 is a valid value and
    /// not "past int64".
    #[test]
    fn only_a_declared_format_bounds_an_integer() {
        let bare = labels(&body_edges(&json!({"type": "object", "properties": {"n": {"type": "integer"}}})), false);
        assert!(!bare.iter().any(|l| l.contains("int64-")), "{bare:?}");
        let int64 = json!({"type": "integer", "format": "int64"});
        let declared = labels(&parameter_edges(&parameter(ParamLocation::Query, int64)), false);
        assert!(declared.contains(&"p-int64-above".to_owned()), "{declared:?}");
    }
}
