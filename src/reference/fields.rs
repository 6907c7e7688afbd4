//! Hand-written reading of JSON request fields, shared by the three reference APIs.
//! Each API renders a [`FieldError`] in its own error style (Z-API `{"error"}`, Wawp `{"code","message"}`,
//! Hypersender Laravel `{"message","errors"}`). No type coercion: `"6"` is not an integer.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The body is not a JSON object.
    NotAnObject,
    Missing,
    WrongType(&'static str),
    /// Not `min..=max` ASCII digits (with an optional suffix, see [`digits_with_suffix`]).
    Pattern(&'static str),
    Length {
        min: usize,
        max: usize,
    },
    Range {
        min: i64,
        max: i64,
    },
    NotOneOf(&'static [&'static str]),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: &'static str, problem: Problem) -> Self {
        Self { field, problem }
    }

    /// A plain English sentence, e.g. `phone must match ^[0-9]{8,13}$`.
    pub fn sentence(&self) -> String {
        let field = self.field;
        match &self.problem {
            Problem::NotAnObject => "the body must be a JSON object".to_owned(),
            Problem::Missing => format!("{field} is required"),
            Problem::WrongType(t) => format!("{field} must be {t}"),
            Problem::Pattern(p) => format!("{field} must match {p}"),
            Problem::Length { min, max } => format!("{field} must be {min} to {max} characters long"),
            Problem::Range { min, max } => format!("{field} must be between {min} and {max}"),
            Problem::NotOneOf(options) => format!("{field} must be one of {}", options.join(", ")),
        }
    }
}

pub type Fields = Map<String, Value>;

/// The body as an object.
pub fn object(body: &Value) -> Result<&Fields, FieldError> {
    body.as_object().ok_or(FieldError::new("body", Problem::NotAnObject))
}

pub fn required_str<'a>(fields: &'a Fields, field: &'static str) -> Result<&'a str, FieldError> {
    optional_str(fields, field)?.ok_or(FieldError::new(field, Problem::Missing))
}

/// `null` counts as absent.
pub fn optional_str<'a>(fields: &'a Fields, field: &'static str) -> Result<Option<&'a str>, FieldError> {
    match fields.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(FieldError::new(field, Problem::WrongType("a string"))),
    }
}

pub fn optional_bool(fields: &Fields, field: &'static str, default: bool) -> Result<bool, FieldError> {
    match fields.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(FieldError::new(field, Problem::WrongType("a boolean"))),
    }
}

pub fn optional_int(
    fields: &Fields,
    field: &'static str,
    default: i64,
    (min, max): (i64, i64),
) -> Result<i64, FieldError> {
    let value = match fields.get(field) {
        None | Some(Value::Null) => return Ok(default),
        Some(Value::Number(n)) => n.as_i64().ok_or(FieldError::new(field, Problem::WrongType("an integer")))?,
        Some(_) => return Err(FieldError::new(field, Problem::WrongType("an integer"))),
    };
    if (min..=max).contains(&value) { Ok(value) } else { Err(FieldError::new(field, Problem::Range { min, max })) }
}

/// `value` has `min..=max` characters.
pub fn length(value: &str, field: &'static str, (min, max): (usize, usize)) -> Result<(), FieldError> {
    let n = value.chars().count();
    if (min..=max).contains(&n) { Ok(()) } else { Err(FieldError::new(field, Problem::Length { min, max })) }
}

/// `value` is `min..=max` ASCII digits; `pattern` is the regex shown in the error.
pub fn digits(
    value: &str,
    field: &'static str,
    (min, max): (usize, usize),
    pattern: &'static str,
) -> Result<(), FieldError> {
    digits_with_suffix(value, "", field, (min, max), pattern).map(|_| ())
}

/// `value` is `min..=max` ASCII digits followed by exactly `suffix`; returns the digits.
pub fn digits_with_suffix<'a>(
    value: &'a str,
    suffix: &str,
    field: &'static str,
    (min, max): (usize, usize),
    pattern: &'static str,
) -> Result<&'a str, FieldError> {
    let number =
        value.strip_suffix(suffix).filter(|d| (min..=max).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()));
    number.ok_or(FieldError::new(field, Problem::Pattern(pattern)))
}

/// `value` is one of `options`.
pub fn one_of(value: &str, field: &'static str, options: &'static [&'static str]) -> Result<(), FieldError> {
    if options.contains(&value) { Ok(()) } else { Err(FieldError::new(field, Problem::NotOneOf(options))) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_not_coerced() {
        let body = json!({"a": "x", "n": 6, "s": "6", "b": true, "z": null});
        let f = object(&body).unwrap();
        assert_eq!(required_str(f, "a"), Ok("x"));
        assert_eq!(required_str(f, "n").unwrap_err().problem, Problem::WrongType("a string"));
        assert_eq!(required_str(f, "z").unwrap_err().problem, Problem::Missing);
        assert_eq!(optional_int(f, "s", 1, (0, 9)).unwrap_err().problem, Problem::WrongType("an integer"));
        assert_eq!(optional_int(f, "n", 1, (0, 9)), Ok(6));
        assert_eq!(optional_int(f, "n", 1, (7, 9)).unwrap_err().problem, Problem::Range { min: 7, max: 9 });
        assert_eq!(optional_int(f, "missing", 1, (0, 9)), Ok(1));
        assert_eq!(optional_bool(f, "b", false), Ok(true));
        assert!(optional_bool(f, "a", false).is_err());
        assert!(object(&json!([1])).is_err());
    }

    #[test]
    fn digit_patterns() {
        assert!(digits("4499999999", "phone", (8, 13), "p").is_ok());
        assert!(digits("44999", "phone", (8, 13), "p").is_err());
        assert!(digits("4499999a99", "phone", (8, 13), "p").is_err());
        assert!(digits("٤٤٩٩٩٩٩٩٩٩", "phone", (8, 13), "p").is_err(), "non-ASCII digits are not digits");
        assert_eq!(digits_with_suffix("20123456789@c.us", "@c.us", "chatId", (6, 15), "p"), Ok("20123456789"));
        assert!(digits_with_suffix("20123456789@s.whatsapp.net", "@c.us", "chatId", (6, 15), "p").is_err());
        assert!(length("", "code", (1, 32)).is_err());
        assert!(one_of("sms", "method", &["sms", "voice"]).is_ok());
        assert!(one_of("fax", "method", &["sms", "voice"]).is_err());
    }
}
