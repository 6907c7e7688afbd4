//! Reading a spec's text into a JSON value. A `.json` file (or text that starts with `{`) is read
//! strictly as JSON through serde_json: a trailing comma is an error, escaped surrogate pairs are
//! characters. Anything else is YAML. In both, a key given twice in one object is an error that
//! names both lines, instead of the second silently replacing the first.

use std::cell::RefCell;
use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::hoist::{Hoisted, Hoister};

/// A syntax error, with the 1-based line and column where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Whether `text` (read from `path`) is parsed as JSON.
pub fn is_json(path: &Path, text: &str) -> bool {
    let by_name = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("json"));
    by_name || text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
}

/// Parses a spec's text: JSON or YAML (see the module docs).
pub fn parse(path: &Path, text: &str) -> Result<Value, SyntaxError> {
    parse_with(path, text, None)
}

/// [`parse`], moving operations' inline schemas to `components` as they are read ([`Hoister`]).
pub fn parse_hoisting(path: &Path, text: &str) -> Result<(Value, Hoisted), SyntaxError> {
    let hoister = RefCell::new(Hoister::default());
    let mut document = parse_with(path, text, Some(&hoister))?;
    match hoister.into_inner().finish(&mut document) {
        Some(hoisted) => Ok((document, hoisted)),
        None => parse(path, text).map(|document| (document, Hoisted::default())),
    }
}

fn parse_with(path: &Path, text: &str, hoist: Option<&RefCell<Hoister>>) -> Result<Value, SyntaxError> {
    let duplicate = RefCell::new(None);
    let stack = RefCell::new(Vec::new());
    let seed = Node { path: &stack, duplicate: &duplicate, hoist };
    let (result, what) = if is_json(path, text) {
        let mut deserializer = serde_json::Deserializer::from_str(text.trim_start_matches('\u{feff}'));
        let value = seed.deserialize(&mut deserializer).and_then(|v| deserializer.end().map(|()| v));
        let value = value.map_err(|e| {
            let message = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            (e.line(), e.column(), message.strip_suffix(&suffix).unwrap_or(&message).to_owned())
        });
        (value, "JSON")
    } else {
        let value = seed.deserialize(serde_yaml::Deserializer::from_str(text));
        let value = value.map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |at| (at.line(), at.column()));
            (line, column, e.to_string())
        });
        (value, "YAML")
    };
    result.map_err(|(line, column, message)| match duplicate.into_inner() {
        Some((pointer, key)) => duplicate_error(text, &pointer, &key, (line, column)),
        None => SyntaxError { line, column, message: format!("invalid {what}: {message}") },
    })
}

/// Parses the JSON file at `path` as [`parse_hoisting`] does, reading it a piece at a time: a big
/// spec's text (tens of megabytes) is not held while its document is built. The text is read
/// whole only to name the lines of a key given twice.
pub fn parse_json_file_hoisting(path: &Path) -> Result<(Value, Hoisted), SyntaxError> {
    let hoister = RefCell::new(Hoister::default());
    let mut document = parse_json_file(path, Some(&hoister))?;
    match hoister.into_inner().finish(&mut document) {
        Some(hoisted) => Ok((document, hoisted)),
        None => parse_json_file(path, None).map(|document| (document, Hoisted::default())),
    }
}

fn parse_json_file(path: &Path, hoist: Option<&RefCell<Hoister>>) -> Result<Value, SyntaxError> {
    use std::io::BufRead;
    let unreadable =
        |e: std::io::Error| SyntaxError { line: 0, column: 0, message: format!("cannot read the file: {e}") };
    let mut reader = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(path).map_err(unreadable)?);
    if reader.fill_buf().map_err(unreadable)?.starts_with("\u{feff}".as_bytes()) {
        reader.consume(3);
    }
    let duplicate = RefCell::new(None);
    let stack = RefCell::new(Vec::new());
    let seed = Node { path: &stack, duplicate: &duplicate, hoist };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let value = seed.deserialize(&mut deserializer).and_then(|v| deserializer.end().map(|()| v));
    value.map_err(|e| {
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let (line, column) = (e.line(), e.column());
        match duplicate.into_inner() {
            Some((pointer, key)) => {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                duplicate_error(&text, &pointer, &key, (line, column))
            }
            None => SyntaxError {
                line,
                column,
                message: format!("invalid JSON: {}", message.strip_suffix(&suffix).unwrap_or(&message)),
            },
        }
    })
}

/// The error for a key given twice, naming both places (found in the text by the key's pointer).
fn duplicate_error(text: &str, pointer: &str, key: &str, parser_at: (usize, usize)) -> SyntaxError {
    let places = super::locate::locate_all(text, pointer, key);
    let (first, second) = match places.as_slice() {
        [first, second, ..] => (Some(*first), *second),
        [first] if first.0 != parser_at.0 => (Some(*first), parser_at),
        _ => (None, parser_at),
    };
    let first =
        first.map_or_else(String::new, |(line, _)| format!(": first on line {line}, again on line {}", second.0));
    SyntaxError {
        line: second.0,
        column: second.1,
        message: format!("duplicate key `{key}` at {pointer}{first} (the second would silently replace the first)"),
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// One step of the path from the document's root to the node being read.
enum Segment {
    Key(String),
    Index(usize),
}

/// The JSON pointer of a path.
fn pointer_of(path: &[Segment]) -> String {
    let mut out = String::from("#");
    for segment in path {
        match segment {
            Segment::Key(key) => out.push_str(&format!("/{}", escape(key))),
            Segment::Index(i) => out.push_str(&format!("/{i}")),
        }
    }
    out
}

/// A node of the document, deserialized into a [`Value`] while refusing duplicate keys. The path
/// to it is kept in one shared stack (a pointer is only written out for an error).
struct Node<'a> {
    path: &'a RefCell<Vec<Segment>>,
    /// Set to the object's pointer and the key when a duplicate is found.
    duplicate: &'a RefCell<Option<(String, String)>>,
    /// Moves operations' inline schemas to `components` as they are read, when given.
    hoist: Option<&'a RefCell<Hoister>>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, mut v: String) -> Result<Value, E> {
        v.shrink_to_fit();
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.path.borrow_mut().push(Segment::Index(items.len()));
            let item = seq.next_element_seed(Node { path: self.path, duplicate: self.duplicate, hoist: self.hoist })?;
            self.path.borrow_mut().pop();
            match item {
                Some(item) => items.push(item),
                None => {
                    // A big spec is millions of small values: none keeps room it does not use.
                    items.shrink_to_fit();
                    return Ok(Value::Array(items));
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // The members are gathered first, and the object made with room for exactly them (an
        // object grown one member at a time keeps room for up to twice as many, and most objects
        // of a spec have one to four members).
        let mut members: Vec<(String, Value)> = Vec::new();
        let mut seen: Option<std::collections::HashSet<String>> = None;
        while let Some(key) = map.next_key_seed(Key)? {
            let duplicate = match &mut seen {
                Some(seen) => !seen.insert(key.clone()),
                None => members.iter().any(|(k, _)| *k == key),
            };
            if duplicate {
                *self.duplicate.borrow_mut() = Some((pointer_of(&self.path.borrow()), key.clone()));
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            if seen.is_none() && members.len() >= 16 {
                seen = Some(members.iter().map(|(k, _)| k.clone()).chain([key.clone()]).collect());
            }
            self.path.borrow_mut().push(Segment::Key(key));
            let value = map.next_value_seed(Node { path: self.path, duplicate: self.duplicate, hoist: self.hoist })?;
            let Some(Segment::Key(key)) = self.path.borrow_mut().pop() else {
                return Err(de::Error::custom("the path of the document lost its place"));
            };
            if let Some(hoist) = self.hoist
                && self.path.borrow().is_empty()
            {
                hoist.borrow_mut().root_member(&key, &value);
            }
            members.push((key, value));
        }
        let mut object = Map::with_capacity(members.len());
        object.extend(members);
        let object = Value::Object(object);
        let Some(hoist) = self.hoist else { return Ok(object) };
        let path = self.path.borrow();
        if !(7..=9).contains(&path.len()) || !matches!(path.first(), Some(Segment::Key(k)) if k == "paths") {
            return Ok(object);
        }
        let keys: Option<Vec<&str>> =
            path.iter().map(|s| if let Segment::Key(k) = s { Some(k.as_str()) } else { None }).collect();
        match keys {
            Some(keys) => Ok(hoist.borrow_mut().offer(&keys, || pointer_of(&path), object)),
            None => Ok(object),
        }
    }
}

/// A mapping key as text (YAML allows `200:` unquoted).
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Key {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_is_strict_and_reads_surrogate_pairs() {
        let value = parse(Path::new("a.json"), r#"{"openapi": "3.1.0", "x": "\ud83d\udc4d"}"#).unwrap();
        assert_eq!(value["x"], "👍");
        let error = parse(Path::new("a.json"), "{\n  \"openapi\": \"3.1.0\",\n  \"x\": [1, 2,]\n}\n").unwrap_err();
        assert_eq!((error.line, error.column), (3, 14), "{error:?}");
        assert!(error.message.starts_with("invalid JSON: trailing comma"), "{error:?}");
        // Text that starts with `{` is JSON whatever the name.
        assert!(parse(Path::new("a.yaml"), "{\"a\": 1,}").unwrap_err().message.contains("JSON"));
    }

    #[test]
    fn yaml_keeps_its_scalars() {
        let value = parse(Path::new("a.yaml"), "openapi: 3.0.3\nr:\n  200: {description: ok}\nn: 1.5\nb: true\nz: ~\n")
            .unwrap();
        assert_eq!(
            value,
            json!({"openapi": "3.0.3", "r": {"200": {"description": "ok"}}, "n": 1.5, "b": true, "z": null})
        );
    }

    #[test]
    fn duplicate_keys_name_both_lines() {
        let text = "openapi: 3.1.0\npaths:\n  /items:\n    get: {}\n  /other: {}\n  /items:\n    post: {}\n";
        let error = parse(Path::new("a.yaml"), text).unwrap_err();
        assert_eq!(error.line, 6, "{error:?}");
        assert!(
            error.message.contains("duplicate key `/items` at #/paths: first on line 3, again on line 6"),
            "{error:?}"
        );
        let json = "{\n  \"a\": 1,\n  \"a\": 2\n}\n";
        let error = parse(Path::new("a.json"), json).unwrap_err();
        assert!(error.message.contains("first on line 2, again on line 3"), "{error:?}");
    }
}
