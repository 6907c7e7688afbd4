//! `x-conform-either-place`: one value that an API reads from any of several places, such as
//! Wawp's `phone_number`, which the docs show in the query string and in the JSON body. Which
//! place wins when both carry one is the implementation's choice, so conform sends such a value
//! in one place, or the same value in every place it uses. A negative case breaks it wherever it
//! is sent, and a `required` value gets a case where it is missing from every place.
//!
//! ```yaml
//! x-conform-either-place:
//!   - name: phone_number
//!     required: true                 # must be given in at least one of the places
//!     places: [{in: query, name: phone_number}, {in: body, pointer: /phone_number}]
//!     x-conform-source: {level: doc, cite: "..."}   # the source of "missing everywhere"
//! ```

use serde::Serialize;
use serde_json::Value;

use super::operation::Source;
use super::side_effect::{RecipientPart, place};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EitherPlace {
    pub name: String,
    pub required: bool,
    /// At least two places.
    pub places: Vec<RecipientPart>,
    pub source: Option<Source>,
}

/// Reads an operation's `x-conform-either-place`; `Err` is (pointer, message).
pub fn either_places(operation: &Value, pointer: &str) -> Result<Vec<EitherPlace>, (String, String)> {
    let Some(extension) = operation.get("x-conform-either-place") else { return Ok(Vec::new()) };
    let at = format!("{pointer}/x-conform-either-place");
    let entries = extension.as_array().ok_or_else(|| (at.clone(), "expected a list of values".to_owned()))?;
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let here = format!("{at}/{i}");
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| (format!("{here}/name"), "a non-empty name is required".to_owned()))?;
        let required = match entry.get("required") {
            None => false,
            Some(Value::Bool(required)) => *required,
            Some(_) => return Err((format!("{here}/required"), "must be true or false".to_owned())),
        };
        let places = entry
            .get("places")
            .and_then(Value::as_array)
            .filter(|p| p.len() >= 2)
            .ok_or_else(|| (format!("{here}/places"), "a list of at least two places is required".to_owned()))?;
        let places = places
            .iter()
            .enumerate()
            .map(|(p, part)| place(part, &format!("{here}/places/{p}")))
            .collect::<Result<Vec<_>, _>>()?;
        let source = entry.as_object().and_then(Source::from_extension);
        out.push(EitherPlace { name: name.to_owned(), required, places, source });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ParamLocation;
    use serde_json::json;

    #[test]
    fn reads_places_and_names_bad_ones() {
        let op = json!({"x-conform-either-place": [{"name": "phone_number", "required": true, "places": [
            {"in": "query", "name": "phone_number"}, {"in": "body", "pointer": "/phone_number"}]}]});
        let either = either_places(&op, "#/op").unwrap();
        assert_eq!(either[0].name, "phone_number");
        assert!(either[0].required);
        assert_eq!(
            either[0].places,
            [
                RecipientPart::Parameter(ParamLocation::Query, "phone_number".into()),
                RecipientPart::Body("/phone_number".into())
            ]
        );
        assert!(either_places(&json!({}), "#/op").unwrap().is_empty());
        let one = json!({"x-conform-either-place": [{"name": "a", "places": [{"in": "query", "name": "a"}]}]});
        assert_eq!(either_places(&one, "#/op").unwrap_err().0, "#/op/x-conform-either-place/0/places");
        let bad = json!({"x-conform-either-place": [{"name": "a", "places": [{"in": "query"}, {"in": "body", "pointer": "/a"}]}]});
        assert_eq!(either_places(&bad, "#/op").unwrap_err().0, "#/op/x-conform-either-place/0/places/0");
    }
}
