//! Negative mutations: for every constraint a schema states, one edit of a valid value that breaks
//! exactly that constraint. [`constraints`] lists them; [`Constraint::apply`] edits a value. The
//! caller re-validates the result: an edit that happened to produce valid data is not a negative case.

use serde_json::{Map, Value, json};

use super::kind::MutationKind;
use crate::spec::Source;

/// One constraint of a schema, at one place in the instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    pub kind: MutationKind,
    /// JSON pointer into the instance (`""` for the root).
    pub pointer: String,
    /// What the constraint says, for messages: `must match ^[0-9]+$`.
    pub description: String,
    pub source: Option<Source>,
    edit: Edit,
}

#[derive(Debug, Clone, PartialEq)]
enum Edit {
    Remove,
    ReplaceWith(Value),
    Lengthen(usize),
    Shorten(usize),
    Mismatch(String),
    /// An array made this long: cut, or grown by repeating its items (`"x"` in an empty one).
    Resize(usize),
    /// (issue 25) A number just outside its integer `format` (`int32`, `int64`): valid for the
    /// validator, which does not check formats, but not for the spec.
    OutsideFormat(Value),
}

pub(super) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

pub(super) fn types_of(schema: &Map<String, Value>) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The JSON type names `value` satisfies.
pub(super) fn json_types(value: &Value) -> &'static [&'static str] {
    match value {
        Value::Null => &["null"],
        Value::Bool(_) => &["boolean"],
        Value::Number(n) if n.is_i64() || n.is_u64() => &["integer", "number"],
        Value::Number(_) => &["number"],
        Value::String(_) => &["string"],
        Value::Array(_) => &["array"],
        Value::Object(_) => &["object"],
    }
}

/// A value of none of `types`.
fn wrong_type_for(types: &[String]) -> Option<Value> {
    [json!("conform"), json!(12345), json!(true), json!([1]), json!({"conform": 1}), json!(1.5)]
        .into_iter()
        .find(|candidate| !json_types(candidate).iter().any(|t| types.iter().any(|allowed| allowed == t)))
}

/// Every constraint of `schema`, walking properties (not array items or combinators), in a stable
/// order. A `$ref` is followed, but not back into a schema the walk is already in.
pub fn constraints(schema: &Value) -> Vec<Constraint> {
    let mut out = Vec::new();
    each_node(schema, &mut |object, pointer, source, _| node_constraints(object, pointer, source, &mut out));
    out
}

/// What [`each_node`] calls for each node: the node, its instance pointer, the
/// `x-conform-source` in force, and whether its parent requires it (the root: `true`).
pub(super) type Visit<'a> = dyn FnMut(&Map<String, Value>, &str, Option<&Source>, bool) + 'a;

/// Calls `visit` with every schema node of `schema` reached through properties, `$ref`s and
/// `allOf` folded in, parents before their properties.
pub(super) fn each_node(schema: &Value, visit: &mut Visit<'_>) {
    walk(schema, "", None, true, &mut Vec::new(), visit);
}

fn walk(
    schema: &Value,
    pointer: &str,
    inherited: Option<&Source>,
    required: bool,
    followed: &mut Vec<String>,
    visit: &mut Visit<'_>,
) {
    let Some(object) = schema.as_object() else { return };
    if let Some(uri) = object.get("$ref").and_then(Value::as_str) {
        let Some(target) = crate::spec::definition(uri).filter(|_| !followed.iter().any(|f| f == uri)) else {
            return;
        };
        followed.push(uri.to_owned());
        if object.len() == 1 {
            walk(target, pointer, inherited, required, followed, visit);
        } else {
            let mut siblings = object.clone();
            siblings.remove("$ref");
            let merged = super::values::merge_all_of(&siblings, std::slice::from_ref(target));
            walk(&merged, pointer, inherited, required, followed, visit);
        }
        followed.pop();
        return;
    }
    if let Some(all) = object.get("allOf").and_then(Value::as_array) {
        return walk(&super::values::merge_all_of(object, all), pointer, inherited, required, followed, visit);
    }
    let own = Source::from_extension(object);
    let source = own.as_ref().or(inherited);
    visit(object, pointer, source, required);
    let listed = object.get("required").and_then(Value::as_array);
    if let Some(properties) = object.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let required = listed.is_some_and(|r| r.iter().any(|n| n == name));
            walk(property, &format!("{pointer}/{}", escape(name)), source, required, followed, visit);
        }
    }
}

/// The constraints one schema node carries itself (its properties' are theirs).
fn node_constraints(object: &Map<String, Value>, pointer: &str, source: Option<&Source>, out: &mut Vec<Constraint>) {
    let mut push = |kind, description: String, edit| {
        out.push(Constraint { kind, pointer: pointer.to_owned(), description, source: source.cloned(), edit });
    };
    let types = types_of(object);
    if let Some(value) = (!types.is_empty()).then(|| wrong_type_for(&types)).flatten() {
        push(MutationKind::WrongType, format!("must be {}", types.join(" or ")), Edit::ReplaceWith(value));
    }
    if let Some(values) = object.get("enum").and_then(Value::as_array) {
        let outside = if values.iter().all(Value::is_string) {
            json!("conform-not-in-enum")
        } else {
            let top = values.iter().filter_map(Value::as_i64).max().unwrap_or(0);
            json!(top.saturating_add(1))
        };
        let listed = values.iter().map(Value::to_string).collect::<Vec<_>>().join(", ");
        push(MutationKind::OutsideEnum, format!("must be one of {listed}"), Edit::ReplaceWith(outside));
    }
    if let Some(max) = object.get("maxLength").and_then(Value::as_u64) {
        push(MutationKind::TooLong, format!("must be at most {max} characters"), Edit::Lengthen(max as usize + 1));
    }
    if let Some(min) = object.get("minLength").and_then(Value::as_u64).filter(|m| *m > 0) {
        push(MutationKind::TooShort, format!("must be at least {min} characters"), Edit::Shorten(min as usize - 1));
    }
    if let Some(pattern) = object.get("pattern").and_then(Value::as_str) {
        push(MutationKind::PatternMismatch, format!("must match {pattern}"), Edit::Mismatch(pattern.to_owned()));
    }
    let integer = types.iter().any(|t| t == "integer");
    let step = |bound: f64, up: bool| -> Value {
        if integer {
            // In i128: a bound of 2^63 (Kinto's timestamps) is past i64, and its neighbour too.
            // The cast saturates; where no JSON integer holds the neighbour, the nearest float beyond.
            let next = if up { bound.floor() as i128 + 1 } else { bound.ceil() as i128 - 1 };
            let beyond = if up { bound.next_up() } else { bound.next_down() };
            i64::try_from(next)
                .map(|n| json!(n))
                .or_else(|_| u64::try_from(next).map(|n| json!(n)))
                .unwrap_or_else(|_| json!(beyond))
        } else {
            json!(if up { bound + 1.0 } else { bound - 1.0 })
        }
    };
    if let Some(max) = object.get("maximum").and_then(Value::as_f64) {
        push(MutationKind::AboveMaximum, format!("must be at most {max}"), Edit::ReplaceWith(step(max, true)));
    }
    if let Some(max) = object.get("exclusiveMaximum").and_then(Value::as_f64) {
        let at = if integer { json!(max as i64) } else { json!(max) };
        push(MutationKind::AboveMaximum, format!("must be below {max}"), Edit::ReplaceWith(at));
    }
    if let Some(min) = object.get("minimum").and_then(Value::as_f64) {
        push(MutationKind::BelowMinimum, format!("must be at least {min}"), Edit::ReplaceWith(step(min, false)));
    }
    if let Some(min) = object.get("exclusiveMinimum").and_then(Value::as_f64) {
        let at = if integer { json!(min as i64) } else { json!(min) };
        push(MutationKind::BelowMinimum, format!("must be above {min}"), Edit::ReplaceWith(at));
    }
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for name in &required {
        out.push(Constraint {
            kind: MutationKind::MissingRequired,
            pointer: format!("{pointer}/{}", escape(name)),
            description: "is required".to_owned(),
            source: source.cloned(),
            edit: Edit::Remove,
        });
    }
}

/// Splits a pointer into its parent and last segment (unescaped).
fn split(pointer: &str) -> Option<(&str, String)> {
    let at = pointer.rfind('/')?;
    Some((&pointer[..at], pointer[at + 1..].replace("~1", "/").replace("~0", "~")))
}

/// A string of `len` characters made from `seed`'s characters (or `x`), so that a digits-only
/// value stays digits-only when lengthened.
fn resize(seed: &str, len: usize) -> String {
    let chars: Vec<char> = if seed.is_empty() { vec!['x'] } else { seed.chars().collect() };
    chars.iter().cycle().take(len).collect()
}

/// Strings that rarely match a pattern, tried in order; the first the pattern refuses is used.
fn mismatch(pattern: &str, current: &str) -> Option<String> {
    let len = current.chars().count().max(1);
    let candidates = [
        resize("!", len),
        resize(" ", len),
        format!("{current}!"),
        format!("!{current}"),
        resize("é", len),
        String::new(),
        resize("a", len),
        resize("0", len),
    ];
    let schema = json!({"type": "string", "pattern": pattern});
    candidates.into_iter().find(|c| !crate::spec::is_valid(&schema, &json!(c)))
}

impl Constraint {
    /// (issue 25) The value at `pointer` replaced by `value`: a coverage value, valid or not.
    pub fn replace_with(
        kind: MutationKind,
        pointer: &str,
        description: String,
        source: Option<Source>,
        value: Value,
    ) -> Constraint {
        Constraint { kind, pointer: pointer.to_owned(), description, source, edit: Edit::ReplaceWith(value) }
    }

    /// (issue 25) The array at `pointer` made `len` items long.
    pub fn resize(
        kind: MutationKind,
        pointer: &str,
        description: String,
        source: Option<Source>,
        len: usize,
    ) -> Constraint {
        Constraint { kind, pointer: pointer.to_owned(), description, source, edit: Edit::Resize(len) }
    }

    /// (issue 25) The number at `pointer` replaced by `value`, just outside its integer format.
    pub fn outside_format(kind: MutationKind, pointer: &str, description: String, value: Value) -> Constraint {
        Constraint { kind, pointer: pointer.to_owned(), description, source: None, edit: Edit::OutsideFormat(value) }
    }

    /// Whether the edit breaks an integer format: invalid, though the validator accepts it.
    pub fn breaks_format(&self) -> bool {
        matches!(self.edit, Edit::OutsideFormat(_))
    }

    /// The value this constraint's edit puts in place, where it is one fixed value.
    pub fn replacement(&self) -> Option<&Value> {
        match &self.edit {
            Edit::ReplaceWith(value) | Edit::OutsideFormat(value) => Some(value),
            _ => None,
        }
    }

    /// A required parameter left out (the pointer is empty: the parameter itself).
    pub fn missing_parameter(source: Option<Source>) -> Constraint {
        Constraint {
            kind: MutationKind::MissingRequired,
            pointer: String::new(),
            description: "is required".to_owned(),
            source,
            edit: Edit::Remove,
        }
    }

    /// A parameter sent empty (`limit=`): the value is the empty text.
    pub fn empty_value() -> Constraint {
        Constraint {
            kind: MutationKind::EmptyValue,
            pointer: String::new(),
            description: "must not be empty".to_owned(),
            source: None,
            edit: Edit::ReplaceWith(json!("")),
        }
    }

    /// An integer parameter sent as text just outside the range of its `format` (`int32`,
    /// `int64`): `above` the largest value, or below the smallest. `None` for other formats.
    pub fn outside_format_range(format: &str, above: bool) -> Option<Constraint> {
        let (min, max): (i128, i128) = match format {
            "int32" => (i32::MIN.into(), i32::MAX.into()),
            "int64" => (i64::MIN.into(), i64::MAX.into()),
            _ => return None,
        };
        let (kind, text, description) = if above {
            (MutationKind::AboveMaximum, (max + 1).to_string(), format!("must fit in {format} (at most {max})"))
        } else {
            (MutationKind::BelowMinimum, (min - 1).to_string(), format!("must fit in {format} (at least {min})"))
        };
        // Text, not a JSON number: the value travels as text, and int64's neighbours fit no JSON integer.
        Some(Constraint {
            kind,
            pointer: String::new(),
            description,
            source: None,
            edit: Edit::ReplaceWith(json!(text)),
        })
    }

    /// Breaks this constraint in `value`. `false` when the value has no place for the edit (an
    /// optional parent object was not generated) or no breaking value was found.
    pub fn apply(&self, value: &mut Value) -> bool {
        match &self.edit {
            Edit::Remove => {
                let Some((parent, key)) = split(&self.pointer) else { return false };
                value.pointer_mut(parent).and_then(Value::as_object_mut).and_then(|o| o.remove(&key)).is_some()
            }
            Edit::ReplaceWith(new) | Edit::OutsideFormat(new) => self.replace(value, new.clone()),
            Edit::Lengthen(len) | Edit::Shorten(len) => {
                let current = value.pointer(&self.pointer).and_then(Value::as_str).unwrap_or("x").to_owned();
                self.replace(value, json!(resize(&current, *len)))
            }
            Edit::Resize(len) => {
                let mut items = value.pointer(&self.pointer).and_then(Value::as_array).cloned().unwrap_or_default();
                let pattern = if items.is_empty() { vec![json!("x")] } else { items.clone() };
                items = pattern.iter().cycle().take(*len).cloned().collect();
                self.replace(value, Value::Array(items))
            }
            Edit::Mismatch(pattern) => {
                let current = value.pointer(&self.pointer).and_then(Value::as_str).unwrap_or("x").to_owned();
                match mismatch(pattern, &current) {
                    Some(bad) => self.replace(value, json!(bad)),
                    None => false,
                }
            }
        }
    }

    /// Sets the value at the pointer, creating the last segment in an existing parent object.
    fn replace(&self, value: &mut Value, new: Value) -> bool {
        if self.pointer.is_empty() {
            *value = new;
            return true;
        }
        if let Some(slot) = value.pointer_mut(&self.pointer) {
            *slot = new;
            return true;
        }
        let Some((parent, key)) = split(&self.pointer) else { return false };
        match value.pointer_mut(parent).and_then(Value::as_object_mut) {
            Some(object) => {
                object.insert(key, new);
                true
            }
            None => false,
        }
    }

    /// A short name for case ids: `phone-pattern`, `data.code-missing`, `body-type`.
    pub fn slug(&self) -> String {
        let place = if self.pointer.is_empty() {
            "body".to_owned()
        } else {
            self.pointer.trim_start_matches('/').split('/').collect::<Vec<_>>().join(".")
        };
        format!("{place}-{}", self.kind.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        json!({
            "type": "object",
            "required": ["phone", "method"],
            "properties": {
                "phone": {"type": "string", "pattern": "^[0-9]{8,13}$", "minLength": 8, "maxLength": 13,
                          "x-conform-source": {"level": "profile", "cite": "contract.md §3"}},
                "method": {"type": "string", "enum": ["sms", "voice"]},
                "length": {"type": "integer", "minimum": 4, "maximum": 10}
            }
        })
    }

    fn valid() -> Value {
        json!({"phone": "4499999999", "method": "sms", "length": 6})
    }

    #[test]
    fn lists_one_constraint_per_rule() {
        let slugs: Vec<String> = constraints(&schema()).iter().map(Constraint::slug).collect();
        assert_eq!(
            slugs,
            [
                "body-type",
                "phone-missing",
                "method-missing",
                "phone-type",
                "phone-too-long",
                "phone-too-short",
                "phone-pattern",
                "method-type",
                "method-enum",
                "length-type",
                "length-above-maximum",
                "length-below-minimum",
            ],
            "document order"
        );
        let phone = constraints(&schema()).into_iter().find(|c| c.slug() == "phone-pattern").unwrap();
        assert_eq!(phone.source.unwrap().cite, "contract.md §3");
    }

    #[test]
    fn every_edit_breaks_the_schema_at_its_place() {
        let schema = schema();
        for constraint in constraints(&schema) {
            let mut value = valid();
            assert!(constraint.apply(&mut value), "{}", constraint.slug());
            assert!(!crate::spec::is_valid(&schema, &value), "{} left {value} valid", constraint.slug());
        }
    }

    #[test]
    fn all_of_branches_are_walked() {
        let schema = json!({"allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"enum": ["x"]}}}]});
        let slugs: Vec<String> = constraints(&schema).iter().map(Constraint::slug).collect();
        assert_eq!(slugs, ["body-type", "a-missing", "b-missing", "a-type", "b-enum"]);
    }

    #[test]
    fn lengthening_keeps_the_characters() {
        let too_long = constraints(&schema()).into_iter().find(|c| c.slug() == "phone-too-long").unwrap();
        let mut value = valid();
        too_long.apply(&mut value);
        assert_eq!(value["phone"], "44999999994499");
    }

    #[test]
    fn absent_optional_property_is_created() {
        let above = constraints(&schema()).into_iter().find(|c| c.slug() == "length-above-maximum").unwrap();
        let mut value = json!({"phone": "4499999999", "method": "sms"});
        assert!(above.apply(&mut value));
        assert_eq!(value["length"], 11);
    }

    /// Kinto bounds timestamps with `maximum: 2^63`: the value above it is 2^63 + 1, not an
    /// overflow (a panic in a debug build, i64::MIN in a release one).
    #[test]
    fn bounds_past_i64_step_without_overflow() {
        let schema = json!({"type": "integer", "minimum": -9_223_372_036_854_775_808i64, "maximum": 9_223_372_036_854_775_808u64});
        let steps: Vec<(String, Value)> =
            constraints(&schema).into_iter().filter_map(|c| c.replacement().cloned().map(|v| (c.slug(), v))).collect();
        let above = steps.iter().find(|(slug, _)| slug.ends_with("above-maximum")).expect("an above-maximum value");
        assert_eq!(above.1, json!(9_223_372_036_854_775_809u64));
        let below = steps.iter().find(|(slug, _)| slug.ends_with("below-minimum")).expect("a below-minimum value");
        assert!(below.1.as_f64().is_some_and(|n| n < i64::MIN as f64), "{below:?}");
    }
}
