//! Predicates on one value of an answer: `equals`, `differs`, `matches`, `contains`, `length`,
//! `one-of`, `exists`, `less`, `greater`, `time` (an RFC 3339 instant equal to a time expression),
//! `charset` and `type` (the JSON type: `number`, `integer`, `string`, `boolean`, `object`, `array`,
//! `null`, or a list of them; `absent` in the list lets the value be missing).
//! Some look inside the value: `base64-json` (pointers into the JSON a base64 string holds),
//! `url-query` (a URL's query parameters), `includes` (an array has an element matching each
//! pattern); `any-of` passes when one of its predicates does.
//! Operands are templates, resolved against the scenario's variables when the step runs.

use chrono::{DateTime, Duration, FixedOffset};
use regex::Regex;
use serde_json::Value;

use super::decode;
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
    /// Not equal to the operand.
    Differs(Value),
    /// A string that holds the operand's text.
    Contains(String),
    /// One of these holds.
    AnyOf(Vec<Predicate>),
    /// Every one of these holds.
    AllOf(Vec<Predicate>),
    /// A base64 string whose JSON has, at each pointer, what the predicate says.
    Base64Json(Vec<(String, Predicate)>),
    /// A URL whose query parameter of each name (decoded) is what the predicate says.
    UrlQuery(Vec<(String, Predicate)>),
    /// An array with, for each pattern, an element whose members (a name, or a JSON pointer)
    /// are what the pattern's predicates say.
    Includes(Vec<Vec<(String, Predicate)>>),
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
pub const NAMES: &[&str] = &[
    "equals",
    "differs",
    "matches",
    "contains",
    "length",
    "one-of",
    "exists",
    "less",
    "greater",
    "time",
    "charset",
    "type",
    "any-of",
    "all-of",
    "base64-json",
    "url-query",
    "includes",
];

/// Reads `{key: predicate, ...}`: the operand of `base64-json`, `url-query` and an `includes` pattern.
fn keyed(operand: &Value, what: &str) -> Result<Vec<(String, Predicate)>, String> {
    let object = operand.as_object().filter(|o| !o.is_empty()).ok_or_else(|| format!("{what} takes a mapping"))?;
    object.iter().map(|(key, value)| Ok((key.clone(), Predicate::parse(value)?))).collect()
}

impl Predicate {
    /// Reads `{name: operand}`, or a bare value (`equals`). `Err` says what is wrong.
    pub fn parse(value: &Value) -> Result<Predicate, String> {
        let Some(object) = value.as_object().filter(|o| o.len() == 1) else {
            return Ok(Predicate::Equals(value.clone()));
        };
        let (name, operand) = object.iter().next().expect("one entry");
        Ok(match name.as_str() {
            "equals" => Predicate::Equals(operand.clone()),
            "differs" => Predicate::Differs(operand.clone()),
            "contains" => Predicate::Contains(operand.as_str().ok_or("`contains` takes a text")?.to_owned()),
            "any-of" | "all-of" => {
                let options = operand
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or(format!("`{name}` takes a list of predicates"))?;
                let options = options.iter().map(Predicate::parse).collect::<Result<_, _>>()?;
                if name == "any-of" { Predicate::AnyOf(options) } else { Predicate::AllOf(options) }
            }
            "base64-json" => {
                let checks = keyed(operand, "`base64-json` (JSON pointers to predicates)")?;
                if let Some((pointer, _)) = checks.iter().find(|(p, _)| !p.is_empty() && !p.starts_with('/')) {
                    return Err(format!("`base64-json`: `{pointer}` is not a JSON pointer"));
                }
                Predicate::Base64Json(checks)
            }
            "url-query" => Predicate::UrlQuery(keyed(operand, "`url-query` (parameter names to predicates)")?),
            "includes" => {
                let patterns =
                    operand.as_array().filter(|a| !a.is_empty()).ok_or("`includes` takes a list of patterns")?;
                Predicate::Includes(
                    patterns
                        .iter()
                        .map(|p| keyed(p, "an `includes` pattern (members to predicates)"))
                        .collect::<Result<_, _>>()?,
                )
            }
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
        if let Predicate::AnyOf(options) = self {
            let mut reasons = Vec::new();
            for option in options {
                match option.check(actual, vars) {
                    Ok(()) => return Ok(()),
                    Err(reason) => reasons.push(reason),
                }
            }
            return Err(format!("matches none of {} predicates: {}", options.len(), reasons.join("; ")));
        }
        if let Predicate::AllOf(all) = self {
            return all.iter().try_for_each(|p| p.check(actual, vars));
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
            Predicate::Differs(other) => {
                let other = render(other, vars)?;
                if loosely_equal(actual, &other) { Err(format!("is {actual}, expected anything else")) } else { Ok(()) }
            }
            Predicate::Contains(needle) => {
                let needle = render_text(needle, vars)?;
                let text = actual.as_str().ok_or_else(|| format!("is {actual}, not a string"))?;
                if text.contains(&needle) { Ok(()) } else { Err(format!("`{text}` does not contain `{needle}`")) }
            }
            Predicate::Base64Json(checks) => {
                let text = actual.as_str().ok_or_else(|| format!("is {actual}, not a base64 string"))?;
                let document = decode::base64_json(text)?;
                for (pointer, predicate) in checks {
                    predicate.check(document.pointer(pointer), vars).map_err(|e| format!("decoded, {pointer} {e}"))?;
                }
                Ok(())
            }
            Predicate::UrlQuery(checks) => {
                let text = actual.as_str().ok_or_else(|| format!("is {actual}, not a URL"))?;
                for (name, predicate) in checks {
                    let value = decode::url_query(text, name)?.map(Value::String);
                    predicate.check(value.as_ref(), vars).map_err(|e| format!("its query parameter `{name}` {e}"))?;
                }
                Ok(())
            }
            Predicate::Includes(patterns) => {
                let items = actual.as_array().ok_or_else(|| format!("is {actual}, not an array"))?;
                for pattern in patterns {
                    let member = |item: &Value, key: &str| -> Option<Value> {
                        if key.starts_with('/') { item.pointer(key).cloned() } else { item.get(key).cloned() }
                    };
                    let found = items.iter().any(|item| {
                        pattern.iter().all(|(key, predicate)| predicate.check(member(item, key).as_ref(), vars).is_ok())
                    });
                    if !found {
                        let wanted: Vec<String> =
                            pattern.iter().map(|(key, p)| format!("{key} {}", p.describe(vars))).collect();
                        return Err(format!("has no element (of {}) with {}", items.len(), wanted.join(", ")));
                    }
                }
                Ok(())
            }
            Predicate::Exists(_) | Predicate::Type(_) | Predicate::AnyOf(_) | Predicate::AllOf(_) => {
                unreachable!("handled above")
            }
        }
    }
}

impl Predicate {
    /// What the predicate asks, with its operands rendered where they can be, for messages.
    fn describe(&self, vars: &Vars) -> String {
        let shown = |v: &Value| render(v, vars).map_or_else(|_| v.to_string(), |r| r.to_string());
        match self {
            Predicate::Equals(v) => format!("= {}", shown(v)),
            Predicate::Differs(v) => format!("≠ {}", shown(v)),
            Predicate::Contains(t) => format!("containing `{}`", render_text(t, vars).unwrap_or_else(|_| t.clone())),
            Predicate::Matches(p) => format!("matching `{p}`"),
            other => format!("{other:?}"),
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
    fn predicates_that_look_inside_a_value() {
        use base64::Engine;
        let vars: Vars = [("v", json!("v1")), ("e", json!(5)), ("url", json!("https://cb.test/ok"))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let qr = json!(base64::engine::general_purpose::STANDARD.encode(br#"{"value":"v1","expiry":5}"#));
        let parse = |v: Value| Predicate::parse(&v).unwrap();
        let same = parse(json!({"base64-json": {"/value": "{{ v }}", "/expiry": "{{ e }}"}}));
        assert!(same.check(Some(&qr), &vars).is_ok());
        let newer =
            parse(json!({"base64-json": {"/value": {"differs": "{{ v }}"}, "/expiry": {"greater": "{{ e }}"}}}));
        assert!(newer.check(Some(&qr), &vars).unwrap_err().contains("decoded, /value"));
        let either = parse(json!({"any-of": [{"base64-json": {"/value": "other"}}, {"base64-json": {"/expiry": 5}}]}));
        assert!(either.check(Some(&qr), &vars).is_ok());
        let both = parse(json!({"all-of": [{"type": "integer"}, {"greater": 4}]}));
        assert!(both.check(Some(&json!(5)), &vars).is_ok());
        assert!(both.check(Some(&json!("5")), &vars).unwrap_err().contains("a string"));
        let neither = parse(json!({"any-of": [{"equals": 1}, {"equals": 2}]}));
        assert!(neither.check(Some(&json!(3)), &vars).unwrap_err().contains("none of 2"));
        let link = json!("https://wa.me/20?text=Sign%20in%20%5BAB12%5D");
        let query = parse(json!({"url-query": {"text": {"contains": "[AB12]"}, "other": {"exists": false}}}));
        assert!(query.check(Some(&link), &vars).is_ok());
        assert!(parse(json!({"url-query": {"text": {"contains": "[ZZ]"}}})).check(Some(&link), &vars).is_err());
        let outbox =
            json!([{"channel": "whatsapp", "text": "Welcome"}, {"channel": "callback", "text": "https://cb.test/ok"}]);
        let includes =
            parse(json!({"includes": [{"channel": "callback", "text": "{{ url }}"}, {"/channel": "whatsapp"}]}));
        assert!(includes.check(Some(&outbox), &vars).is_ok());
        let missing = parse(json!({"includes": [{"channel": "callback", "text": {"contains": "nope"}}]}));
        assert!(missing.check(Some(&outbox), &vars).unwrap_err().contains("no element (of 2)"));
        assert!(parse(json!({"differs": "a"})).check(Some(&json!("b")), &vars).is_ok());
        assert!(parse(json!({"differs": "{{ e }}"})).check(Some(&json!(5)), &vars).is_err());
        assert!(parse(json!({"contains": "lc"})).check(Some(&json!("Welcome")), &vars).is_ok());
        assert!(Predicate::parse(&json!({"base64-json": {"value": 1}})).unwrap_err().contains("JSON pointer"));
        assert!(Predicate::parse(&json!({"any-of": []})).is_err());
        assert!(Predicate::parse(&json!({"includes": [3]})).is_err());
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
