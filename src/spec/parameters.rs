//! An operation's parameters in the model: the path item's and its own (its own override the path
//! item's of the same name and location), each with its schema, example, and how an array is
//! written when the document says ([`CollectionFormat`]). An OpenAPI 3.2 `in: querystring`
//! parameter of a form media type becomes the query parameters its schema's properties describe:
//! that is the query string it stands for.

use serde_json::{Map, Value};

use super::definition::expand;
use super::operation::{CollectionFormat, ModelError, ParamLocation, Parameter};
use super::reference::follow;
use super::v32::FORM_QUERYSTRING;

fn model_error(pointer: impl Into<String>, message: impl Into<String>) -> ModelError {
    ModelError { pointer: pointer.into(), message: message.into() }
}

/// The collection format a parameter states: `x-conform-collection-format`, else its `style` and
/// `explode` when it gives either (a parameter that gives neither is sent as conform always has).
fn collection_format(param: &Value, location: ParamLocation) -> Option<CollectionFormat> {
    if let Some(format) = param.get("x-conform-collection-format").and_then(Value::as_str) {
        return CollectionFormat::parse(format);
    }
    let style = param.get("style").and_then(Value::as_str);
    let explode = param.get("explode").and_then(Value::as_bool);
    if style.is_none() && explode.is_none() {
        return None;
    }
    let default_style = match location {
        ParamLocation::Query | ParamLocation::Cookie => "form",
        ParamLocation::Path | ParamLocation::Header => "simple",
    };
    let style = style.unwrap_or(default_style);
    let explode = explode.unwrap_or(style == "form");
    match (location, style) {
        (ParamLocation::Query, "form") if explode => Some(CollectionFormat::Multi),
        (ParamLocation::Query, "form") => Some(CollectionFormat::Csv),
        (ParamLocation::Query, "spaceDelimited") => Some(CollectionFormat::Ssv),
        (ParamLocation::Query, "pipeDelimited") => Some(CollectionFormat::Pipes),
        (ParamLocation::Path | ParamLocation::Header, "simple") => Some(CollectionFormat::Csv),
        _ => None,
    }
}

/// An object query parameter that states no serialisation is an exploded form, as OpenAPI 3 says:
/// its `key=value` pairs.
fn exploded_object(location: ParamLocation, schema: &Value) -> Option<CollectionFormat> {
    let object = expand(schema).get("type").and_then(Value::as_str) == Some("object");
    (location == ParamLocation::Query && object).then_some(CollectionFormat::Multi)
}

/// The query parameters an `in: querystring` parameter stands for: one per property of its form
/// schema. `None` for another media type (a warning names it when the document is read).
fn querystring(param: &Value) -> Option<Vec<Parameter>> {
    let content = param.get("content").and_then(Value::as_object)?;
    let (_, media) = content
        .iter()
        .find(|(m, _)| m.split(';').next().is_some_and(|e| e.trim().eq_ignore_ascii_case(FORM_QUERYSTRING)))?;
    let schema = media.get("schema").map(expand)?;
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let properties = schema.get("properties").and_then(Value::as_object)?;
    Some(
        properties
            .iter()
            .map(|(name, property)| Parameter {
                name: name.clone(),
                location: ParamLocation::Query,
                required: required.contains(&name.as_str()),
                schema: property.clone(),
                example: expand(property).get("example").cloned(),
                collection_format: Some(CollectionFormat::Multi),
            })
            .collect(),
    )
}

/// The parameters of an operation at `pointer`: the path item's (`shared`) and its own.
pub fn parameters(
    document: &Value,
    shared: Option<&Value>,
    own: Option<&Value>,
    pointer: &str,
) -> Result<Vec<Parameter>, ModelError> {
    let mut out: Vec<Parameter> = Vec::new();
    for (list, list_pointer) in [(shared, format!("{pointer}/../parameters")), (own, format!("{pointer}/parameters"))] {
        let Some(list) = list else { continue };
        let list = list.as_array().ok_or_else(|| model_error(&list_pointer, "`parameters` must be an array"))?;
        for (i, param) in list.iter().enumerate() {
            let param = follow(document, param);
            let at = format!("{list_pointer}/{i}");
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| model_error(&at, "a parameter needs a `name`"))?;
            let place = param.get("in").and_then(Value::as_str);
            if place == Some("querystring")
                && document.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.2."))
            {
                for parameter in querystring(param).into_iter().flatten() {
                    out.retain(|p| !(p.name == parameter.name && p.location == parameter.location));
                    out.push(parameter);
                }
                continue;
            }
            let location = place
                .and_then(ParamLocation::parse)
                .ok_or_else(|| model_error(&at, "`in` must be path, query, header or cookie"))?;
            let required =
                location == ParamLocation::Path || param.get("required").and_then(Value::as_bool).unwrap_or(false);
            let schema = param.get("schema").cloned().unwrap_or_else(|| Value::Object(Map::new()));
            let example = parameter_example(param, &schema);
            let collection_format = collection_format(param, location).or_else(|| exploded_object(location, &schema));
            let parameter = Parameter { name: name.to_owned(), location, required, schema, example, collection_format };
            // An operation's own parameter overrides the path item's of the same name and location.
            out.retain(|p| !(p.name == parameter.name && p.location == parameter.location));
            out.push(parameter);
        }
    }
    Ok(out)
}

/// (issue 25) A parameter's example: its own `example`, else the first of its `examples`
/// (`examples.NAME.value`), else its schema's `example` or first `examples` item.
fn parameter_example(param: &Value, schema: &Value) -> Option<Value> {
    let named = || param.get("examples")?.as_object()?.values().find_map(|e| e.get("value")).cloned();
    let listed = || schema.get("examples")?.as_array()?.first().cloned();
    param.get("example").cloned().or_else(named).or_else(|| schema.get("example").cloned()).or_else(listed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stated_styles_become_collection_formats() {
        let format = |param: Value, location| collection_format(&param, location);
        assert_eq!(format(json!({}), ParamLocation::Query), None, "nothing stated: as before");
        assert_eq!(format(json!({"style": "form"}), ParamLocation::Query), Some(CollectionFormat::Multi));
        assert_eq!(format(json!({"explode": false}), ParamLocation::Query), Some(CollectionFormat::Csv));
        assert_eq!(format(json!({"style": "spaceDelimited"}), ParamLocation::Query), Some(CollectionFormat::Ssv));
        assert_eq!(
            format(json!({"style": "pipeDelimited", "explode": false}), ParamLocation::Query),
            Some(CollectionFormat::Pipes)
        );
        assert_eq!(format(json!({"style": "simple"}), ParamLocation::Header), Some(CollectionFormat::Csv));
        assert_eq!(format(json!({"style": "matrix"}), ParamLocation::Path), None);
        assert_eq!(format(json!({"style": "deepObject"}), ParamLocation::Query), None);
        assert_eq!(
            format(json!({"x-conform-collection-format": "tsv"}), ParamLocation::Query),
            Some(CollectionFormat::Tsv)
        );
        let object = json!({"type": "object", "additionalProperties": {"type": "string"}});
        assert_eq!(
            exploded_object(ParamLocation::Query, &object),
            Some(CollectionFormat::Multi),
            "OpenAPI 3's default"
        );
        assert_eq!(exploded_object(ParamLocation::Header, &object), None);
        assert_eq!(exploded_object(ParamLocation::Query, &json!({"type": "string"})), None);
    }

    #[test]
    fn a_form_querystring_is_its_properties() {
        let document = json!({"openapi": "3.2.0"});
        let own = json!([{"name": "q", "in": "querystring", "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["term"], "properties": {
                "term": {"type": "string", "example": "cat"}, "tags": {"type": "array", "items": {"type": "string"}}}}}}}]);
        let found = parameters(&document, None, Some(&own), "#/paths/~1s/query").unwrap();
        let names: Vec<(&str, bool)> = found.iter().map(|p| (p.name.as_str(), p.required)).collect();
        assert_eq!(names, [("term", true), ("tags", false)]);
        assert!(
            found
                .iter()
                .all(|p| p.location == ParamLocation::Query && p.collection_format == Some(CollectionFormat::Multi))
        );
        assert_eq!(found[0].example, Some(json!("cat")));
        let json_querystring =
            json!([{"name": "j", "in": "querystring", "content": {"application/json": {"schema": {}}}}]);
        assert!(parameters(&document, None, Some(&json_querystring), "#/op").unwrap().is_empty(), "warned, not sent");
        let in_3_1 = parameters(&json!({"openapi": "3.1.0"}), None, Some(&own), "#/op").unwrap_err();
        assert_eq!(in_3_1.message, "`in` must be path, query, header or cookie");
    }
}
