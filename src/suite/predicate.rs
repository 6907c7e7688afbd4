//! Predicates on one value of an answer: `equals`, `matches`, `length`, `one-of`, `exists`,
//! `less`, `greater`, `time` (an RFC 3339 instant equal to a time expression), `charset` and
//! `type` (the JSON type: `number`, `integer`, `string`, `boolean`, `object`, `array`, `null`, or a
//! list of them; `absent` in the list lets the value be missing).
//! Operands are templates, resolved against the scenario's variables when the step runs.

use chrono::{DateTime, Duration, FixedOffset};
use regex::Regex;
use serde_json::Value;

use super::template::{Vars, render, render_text};

#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    Equals(Value),
    Matches(String),
    Length(Value),
    OneOf(Vec<Value>),
    Exists(bool),
    Less(Value),
    Greater(Value),
    /// `"{{ created_at }} + {{ expires }}s"`: an instant, plus or minus seconds.
    Time(String),
    /// Which characters a string may hold: `letters`, `digits` (booleans, templates), and
    /// `upper` (letters upper case when true).
    Charset {
        letters: Value,
        digits: Value,
        upper: Value,
    },
    /// The JSON types the value may have (`absent`: it may be missing).
    Type(Vec<String>),
}

/// The names `type` accepts.
const TYPES: &[&str] = &["number", "integer", "string", "boolean", "object", "array", "null", "absent"];

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The predicate names, for messages.
pub const NAMES: &[&str] =
    &["equals", "matches", "length", "one-of", "exists", "less", "greater", "time", "charset", "type"];

impl Predicate {
    /// Reads `{name: operand}`, or a bare value (`equals`). `Err` says what is wrong.
    pub fn parse(value: &Value) -> Result<Predicate, String> {
        let Some(object) = value.as_object().filter(|o| o.len() == 1) else {
            return Ok(Predicate::Equals(value.clone()));
        };
        let (name, operand) = object.iter().next().expect("one entry");
        Ok(match name.as_str() {
            "equals" => Predicate::Equals(operand.clone()),
            "matches" => {
                let pattern = operand.as_str().ok_or("`matches` takes a regular expression")?;
                if !pattern.contains("{{") {
                    Regex::new(pattern).map_err(|e| format!("`matches`: {e}"))?;
                }
                Predicate::Matches(pattern.to_owned())
            }
            "length" => Predicate::Length(operand.clone()),
            "one-of" => Predicate::OneOf(operand.as_array().ok_or("`one-of` takes a list")?.clone()),
            "exists" => Predicate::Exists(operand.as_bool().ok_or("`exists` takes true or false")?),
            "less" => Predicate::Less(operand.clone()),
            "greater" => Predicate::Greater(operand.clone()),
            "time" => Predicate::Time(
                operand.as_str().ok_or("`time` takes an expression such as \"{{ a }} + 60s\"")?.to_owned(),
            ),
            "charset" => {
                let get = |key: &str| operand.get(key).cloned().unwrap_or(Value::Bool(false));
                Predicate::Charset { letters: get("letters"), digits: get("digits"), upper: get("upper") }
            }
            "type" => {
                let names: Vec<String> = match operand {
                    Value::String(name) => vec![name.clone()],
                    Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    _ => Vec::new(),
                };
                let valid = |n: &String| TYPES.contains(&n.as_str());
                if names.is_empty()
                    || !names.iter().all(valid)
                    || operand.as_array().is_some_and(|a| a.len() != names.len())
                {
                    return Err(format!("`type` takes one of {}, or a list of them", TYPES.join(", ")));
                }
                Predicate::Type(names)
            }
            other => {
                // A one-key object is a predicate: a misspelt one must not become an equality check.
                let closest = NAMES.iter().min_by_key(|n| strsim::levenshtein(n, &other.to_ascii_lowercase()));
                let hint = closest
                    .filter(|n| strsim::levenshtein(n, &other.to_ascii_lowercase()) <= 2)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown predicate `{other}`{hint}; predicates are: {}; to expect this object itself, write \
                     `equals: {{{other}: …}}`",
                    NAMES.join(", ")
                ));
            }
        })
    }

    /// Checks `actual` (`None`: absent); `Err` says how it fails.
    pub fn check(&self, actual: Option<&Value>, vars: &Vars) -> Result<(), String> {
        if let Predicate::Exists(wanted) = self {
            return match (actual.is_some(), wanted) {
                (true, true) | (false, false) => Ok(()),
                (false, true) => Err("is missing".to_owned()),
                (true, false) => Err(format!("is present ({})", show(actual))),
            };
        }
        if let Predicate::Type(names) = self {
            let allowed = |name: &str| names.iter().any(|n| n == name);
            let Some(actual) = actual else {
                return if allowed("absent") { Ok(()) } else { Err("is missing".to_owned()) };
            };
            let found = type_of(actual);
            let integer = actual.as_i64().is_some() || actual.as_u64().is_some();
            return if allowed(found) || (integer && allowed("integer")) {
                Ok(())
            } else {
                Err(format!("is {actual}, a {found}, expected {}", names.join(" or ")))
            };
        }
        let Some(actual) = actual else { return Err("is missing".to_owned()) };
        match self {
            Predicate::Equals(expected) => {
                let expected = render(expected, vars)?;
                if loosely_equal(actual, &expected) { Ok(()) } else { Err(format!("is {actual}, expected {expected}")) }
            }
            Predicate::Matches(pattern) => {
                let pattern = render_text(pattern, vars)?;
                let regex = Regex::new(&pattern).map_err(|e| format!("bad pattern `{pattern}`: {e}"))?;
                let text = actual.as_str().ok_or_else(|| format!("is {actual}, not a string"))?;
                if regex.is_match(text) { Ok(()) } else { Err(format!("`{text}` does not match `{pattern}`")) }
            }
            Predicate::Length(expected) => {
                let expected = number(&render(expected, vars)?)?;
                let length = match actual {
                    Value::String(s) => s.chars().count(),
                    Value::Array(a) => a.len(),
                    other => return Err(format!("is {other}, which has no length")),
                };
                if length as f64 == expected {
                    Ok(())
                } else {
                    Err(format!("has length {length}, expected {expected}"))
                }
            }
            Predicate::OneOf(options) => {
                let options: Vec<Value> = options.iter().map(|o| render(o, vars)).collect::<Result<_, _>>()?;
                if options.iter().any(|o| loosely_equal(actual, o)) {
                    Ok(())
                } else {
                    Err(format!("is {actual}, expected one of {}", Value::Array(options)))
                }
            }
            Predicate::Less(bound) | Predicate::Greater(bound) => {
                let (value, bound) = (number(actual)?, number(&render(bound, vars)?)?);
                let less = matches!(self, Predicate::Less(_));
                if (less && value < bound) || (!less && value > bound) {
                    Ok(())
                } else {
                    Err(format!("is {value}, expected {} {bound}", if less { "less than" } else { "greater than" }))
                }
            }
            Predicate::Time(expression) => {
                let text = actual.as_str().ok_or_else(|| format!("is {actual}, not a time"))?;
                let at = DateTime::parse_from_rfc3339(text).map_err(|e| format!("`{text}` is not RFC 3339: {e}"))?;
                let expected = time_expression(expression, vars)?;
                let off = (at - expected).num_milliseconds().abs();
                if off <= 1_000 { Ok(()) } else { Err(format!("is {text}, expected {}", expected.to_rfc3339())) }
            }
            Predicate::Charset { letters, digits, upper } => {
                let flag = |v: &Value| -> Result<bool, String> {
                    match render(v, vars)? {
                        Value::Bool(b) => Ok(b),
                        Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
                        other => Err(format!("charset flag {other} is not true or false")),
                    }
                };
                let (letters, digits, upper) = (flag(letters)?, flag(digits)?, flag(upper)?);
                let text = actual.as_str().ok_or_else(|| format!("is {actual}, not a string"))?;
                let bad = text.chars().find(|c| {
                    let letter_ok = letters && c.is_ascii_alphabetic() && (!upper || c.is_ascii_uppercase());
                    let digit_ok = digits && c.is_ascii_digit();
                    !(letter_ok || digit_ok)
                });
                match bad {
                    None => Ok(()),
                    Some(c) => Err(format!(
                        "`{text}` holds `{c}`, outside {}{}{}",
                        if letters { if upper { "upper-case letters" } else { "letters" } } else { "" },
                        if letters && digits { " and " } else { "" },
                        if digits { "digits" } else { "" }
                    )),
                }
            }
            Predicate::Exists(_) | Predicate::Type(_) => unreachable!("handled above"),
        }
    }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "nothing".to_owned(), Value::to_string)
}

/// Equal, where a number and its text are the same (templates render to text).
fn loosely_equal(actual: &Value, expected: &Value) -> bool {
    actual == expected
        || match (actual, expected) {
            (Value::Number(a), Value::String(b)) | (Value::String(b), Value::Number(a)) => a.to_string() == *b,
            (Value::Bool(a), Value::String(b)) | (Value::String(b), Value::Bool(a)) => a.to_string() == *b,
            _ => false,
        }
}

fn number(value: &Value) -> Result<f64, String> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not a number")),
        Value::String(s) => s.trim().parse().map_err(|_| format!("`{s}` is not a number")),
        other => Err(format!("{other} is not a number")),
    }
}

/// `"<instant> + <n>s"` or `"<instant> - <n>s"` or `"<instant>"`, after templates.
pub fn time_expression(expression: &str, vars: &Vars) -> Result<DateTime<FixedOffset>, String> {
    let text = render_text(expression, vars)?;
    let (base, offset) = match text.rsplit_once(" + ").or_else(|| text.rsplit_once(" - ")) {
        Some((base, seconds)) => {
            let sign = if text.contains(" - ") && !text.contains(" + ") { -1.0 } else { 1.0 };
            let seconds: f64 = seconds
                .trim()
                .trim_end_matches('s')
                .trim()
                .parse()
                .map_err(|_| format!("`{text}`: the offset must be a number of seconds, such as `600s`"))?;
            (base.trim(), sign * seconds)
        }
        None => (text.trim(), 0.0),
    };
    let at = DateTime::parse_from_rfc3339(base).map_err(|e| format!("`{base}` is not RFC 3339: {e}"))?;
    Ok(at + Duration::milliseconds((offset * 1000.0) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        [("length", json!(8)), ("created", json!("2026-12-01T10:00:00+00:00")), ("expires", json!(600))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    fn check(predicate: Value, actual: Value) -> Result<(), String> {
        Predicate::parse(&predicate)?.check(Some(&actual), &vars())
    }

    #[test]
    fn predicates_pass_and_fail() {
        assert!(check(json!("pending"), json!("pending")).is_ok());
        assert!(check(json!({"equals": "{{ length }}"}), json!(8)).is_ok());
        assert!(check(json!({"length": "{{ length }}"}), json!("ABCD1234")).is_ok());
        assert!(check(json!({"length": "{{ length }}"}), json!("ABCD123")).unwrap_err().contains("length 7"));
        assert!(check(json!({"matches": "^[0-9]{6}$"}), json!("123456")).is_ok());
        assert!(check(json!({"one-of": ["a", "b"]}), json!("c")).is_err());
        assert!(check(json!({"greater": 0}), json!(5)).is_ok());
        assert!(check(json!({"less": 0}), json!(5)).is_err());
        assert!(check(json!({"time": "{{ created }} + {{ expires }}s"}), json!("2026-12-01T10:10:00Z")).is_ok());
        assert!(check(json!({"time": "{{ created }} + {{ expires }}s"}), json!("2026-12-01T10:11:00Z")).is_err());
        let upper = json!({"charset": {"letters": true, "digits": true, "upper": true}});
        assert!(check(upper.clone(), json!("AB12")).is_ok());
        assert!(check(upper, json!("Ab12")).unwrap_err().contains("`b`"));
        assert!(check(json!({"charset": {"digits": true}}), json!("12a")).is_err());
        assert!(Predicate::parse(&json!({"exists": false})).unwrap().check(None, &vars()).is_ok());
        assert!(Predicate::parse(&json!({"exists": true})).unwrap().check(None, &vars()).is_err());
    }

    #[test]
    fn type_checks_the_json_type() {
        assert!(check(json!({"type": "number"}), json!(120)).is_ok());
        assert!(check(json!({"type": "number"}), json!("120")).unwrap_err().contains("a string"));
        assert!(check(json!({"type": "integer"}), json!(1.5)).is_err());
        assert!(check(json!({"type": "integer"}), json!(2)).is_ok());
        assert!(check(json!({"type": ["string", "null"]}), json!(null)).is_ok());
        let optional = Predicate::parse(&json!({"type": ["number", "absent"]})).unwrap();
        assert!(optional.check(None, &vars()).is_ok());
        assert!(optional.check(Some(&json!("120")), &vars()).is_err());
        assert!(Predicate::parse(&json!({"type": "number"})).unwrap().check(None, &vars()).is_err());
        assert!(Predicate::parse(&json!({"type": "float"})).unwrap_err().contains("`type`"));
        assert!(Predicate::parse(&json!({"type": ["number", 3]})).is_err());
    }

    #[test]
    fn bad_predicates_are_refused() {
        assert!(Predicate::parse(&json!({"matches": "("})).unwrap_err().contains("matches"));
        assert!(Predicate::parse(&json!({"one-of": 3})).is_err());
        assert!(Predicate::parse(&json!({"Length": 3})).unwrap_err().contains("unknown predicate"));
        let misspelt = Predicate::parse(&json!({"matchs": "^[0-9]+$"})).unwrap_err();
        assert!(misspelt.contains("unknown predicate `matchs` (did you mean `matches`?)"), "{misspelt}");
        let other = Predicate::parse(&json!({"status": "ok"})).unwrap_err();
        assert!(other.contains("write `equals: {status: …}`") && !other.contains("did you mean"), "{other}");
        assert_eq!(
            Predicate::parse(&json!({"equals": {"status": "ok"}})).unwrap(),
            Predicate::Equals(json!({"status": "ok"}))
        );
        assert_eq!(Predicate::parse(&json!({"a": 1, "b": 2})).unwrap(), Predicate::Equals(json!({"a": 1, "b": 2})));
    }
}
