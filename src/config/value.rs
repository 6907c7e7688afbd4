//! Reading one value of a config file as the type its key wants: a string (with its `${NAME}`s
//! replaced), a whole number in a range, a boolean, seconds, or a list of strings. Each mistake
//! is a [`Diagnostic`] with the file, the line and column of the value, and the key's path.

use std::ops::{Range, RangeInclusive};
use std::path::Path;

use toml::Spanned;
use toml::de::DeValue;

use super::interpolate::{Interpolated, interpolate};
use super::settings::Origin;
use crate::spec::Diagnostic;

/// A TOML value with its span in the file.
pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// One file being read: its path, text and environment.
pub(super) struct Reader<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// The line and column (both from 1, the column in characters) of a byte offset of `text`.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let offset = (0..=offset).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, text[start..offset].chars().count() + 1)
}

/// What a TOML value is, for a message (`a string`, `a table`).
fn kind(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a number with a fraction",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Reader<'_> {
    /// A diagnostic at the byte offset `at`, for the key `key`.
    pub fn error(&self, at: usize, key: &str, message: impl Into<String>) -> Diagnostic {
        let (line, column) = line_column(self.text, at);
        Diagnostic {
            path: self.path.to_owned(),
            line,
            column,
            pointer: (!key.is_empty()).then(|| key.to_owned()),
            message: message.into(),
            level: Default::default(),
        }
    }

    /// The origin of a value at `span`, naming the environment variables it read.
    pub fn origin(&self, span: &Range<usize>, env: Vec<String>) -> Origin {
        Origin::File { path: self.path.to_owned(), line: line_column(self.text, span.start).0, env }
    }

    /// `key` must be `wanted`, and is something else.
    pub fn wrong_type(&self, key: &str, value: &Value<'_>, wanted: &str) -> Diagnostic {
        self.error(value.span().start, key, format!("`{key}` must be {wanted}, not {}", kind(value.get_ref())))
    }

    /// A string, its `${NAME}`s replaced by the environment's values.
    pub fn string(&self, key: &str, value: &Value<'_>) -> Result<Interpolated, Diagnostic> {
        let DeValue::String(text) = value.get_ref() else { return Err(self.wrong_type(key, value, "a string")) };
        interpolate(text, self.env).map_err(|problem| {
            // Point into the string when the file holds it as written, between plain quotes.
            let span = value.span();
            let raw = &self.text[span.clone()];
            let exact = raw.len() == text.len() + 2 && raw[1..raw.len() - 1] == **text;
            let at = if exact { span.start + 1 + problem.offset } else { span.start };
            self.error(at, key, format!("`{key}`: {}", problem.message))
        })
    }

    /// A string, or a number or boolean written as one (a variable `instanceId = 42`).
    pub fn scalar(&self, key: &str, value: &Value<'_>) -> Result<Interpolated, Diagnostic> {
        let plain = |text: String| Ok(Interpolated { text, env: Vec::new() });
        match value.get_ref() {
            DeValue::String(_) => self.string(key, value),
            DeValue::Integer(n) => plain(n.to_string()),
            DeValue::Float(n) => plain(n.to_string()),
            DeValue::Boolean(b) => plain(b.to_string()),
            _ => Err(self.wrong_type(key, value, "a string")),
        }
    }

    /// A string, or an array of strings, each with its span.
    pub fn strings(&self, key: &str, value: &Value<'_>) -> Result<Vec<(Interpolated, Range<usize>)>, Diagnostic> {
        match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|item| match item.get_ref() {
                    DeValue::String(_) => Ok((self.string(key, item)?, item.span())),
                    _ => Err(self.wrong_type(key, item, "an array of strings")),
                })
                .collect(),
            DeValue::String(_) => Ok(vec![(self.string(key, value)?, value.span())]),
            _ => Err(self.wrong_type(key, value, "a string or an array of strings")),
        }
    }

    /// A whole number within `range`.
    pub fn number(&self, key: &str, value: &Value<'_>, range: RangeInclusive<u64>) -> Result<u64, Diagnostic> {
        let wanted = format!("a whole number from {} to {}", range.start(), range.end());
        let DeValue::Integer(n) = value.get_ref() else { return Err(self.wrong_type(key, value, &wanted)) };
        u64::from_str_radix(n.as_str(), n.radix())
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| self.error(value.span().start, key, format!("`{key}` must be {wanted}, not {n}")))
    }

    pub fn boolean(&self, key: &str, value: &Value<'_>) -> Result<bool, Diagnostic> {
        value.get_ref().as_bool().ok_or_else(|| self.wrong_type(key, value, "true or false"))
    }

    /// Seconds: a whole number or one with a fraction, within `range`.
    pub fn seconds(&self, key: &str, value: &Value<'_>, range: RangeInclusive<f64>) -> Result<f64, Diagnostic> {
        let wanted = format!("a number of seconds from {} to {}", range.start(), range.end());
        let seconds = match value.get_ref() {
            DeValue::Integer(n) => i64::from_str_radix(n.as_str(), n.radix()).ok().map(|n| n as f64),
            DeValue::Float(n) => n.as_str().parse::<f64>().ok(),
            _ => return Err(self.wrong_type(key, value, &wanted)),
        };
        seconds
            .filter(|s| s.is_finite() && range.contains(s))
            .ok_or_else(|| self.error(value.span().start, key, format!("`{key}` must be {wanted}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('"').unwrap()), (2, 6), "é is one column");
        assert_eq!(line_column(text, 999), (3, 1));
    }

    fn read<T>(text: &str, f: impl Fn(&Reader<'_>, &Value<'_>) -> T) -> T {
        let env = |name: &str| (name == "TOKEN").then(|| "t0k3n".to_owned());
        let reader = Reader { path: Path::new("conform.toml"), text, env: &env };
        let table = toml::de::DeTable::parse(text).unwrap();
        let (_, value) = table.get_ref().iter().next().unwrap();
        f(&reader, value)
    }

    #[test]
    fn typed_values_and_located_mistakes() {
        assert_eq!(read("cases = 0x10", |r, v| r.number("cases", v, 0..=100)), Ok(16));
        let too_big = read("cases = 1_000", |r, v| r.number("cases", v, 0..=100)).unwrap_err();
        assert_eq!((too_big.line, too_big.column), (1, 9));
        assert_eq!(too_big.message, "`cases` must be a whole number from 0 to 100, not 1000");
        let wrong = read("\n\ncases = \"3\"", |r, v| r.number("cases", v, 0..=100)).unwrap_err();
        assert_eq!((wrong.line, wrong.column, wrong.pointer.as_deref()), (3, 9, Some("cases")));
        assert!(wrong.message.ends_with("not a string"), "{}", wrong.message);
        assert_eq!(read("timeout = 2", |r, v| r.seconds("timeout", v, 0.001..=3600.0)), Ok(2.0));
        assert_eq!(read("timeout = 0.5", |r, v| r.seconds("timeout", v, 0.001..=3600.0)), Ok(0.5));
        assert!(read("timeout = 0", |r, v| r.seconds("timeout", v, 0.001..=3600.0)).is_err());
        let list = read("specs = [\"a.yaml\", \"${TOKEN}\"]", |r, v| r.strings("specs", v)).unwrap();
        assert_eq!(list.iter().map(|(s, _)| s.text.as_str()).collect::<Vec<_>>(), ["a.yaml", "t0k3n"]);
        assert_eq!(list[1].0.env, ["TOKEN"]);
        assert_eq!(read("specs = \"a.yaml\"", |r, v| r.strings("specs", v)).unwrap().len(), 1);
        assert!(read("specs = [1]", |r, v| r.strings("specs", v)).unwrap_err().message.contains("array of strings"));
        assert_eq!(read("id = 42", |r, v| r.scalar("id", v)).unwrap().text, "42");
    }

    #[test]
    fn an_unset_variable_points_into_the_string() {
        let unset = read("token = \"Bearer ${NOPE}\"", |r, v| r.string("token", v)).unwrap_err();
        assert_eq!((unset.line, unset.column), (1, 17));
        assert_eq!(unset.message, "`token`: `${NOPE}`: the environment variable NOPE is not set");
    }
}
