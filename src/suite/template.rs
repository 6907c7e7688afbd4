//! Templates: `{{ name }}` in a suite's strings. A string that is one template alone takes the
//! variable's value with its type (a captured number stays a number); anything else is text
//! with each template replaced. An unknown name is an error, never an empty string.
//! A template may pass its value through filters (`{{ qr | base64-json /value }}`,
//! `{{ link | url-query text }}`, see [`super::decode`]).

use std::collections::BTreeMap;

use serde_json::Value;

use super::decode;

/// A scenario's variables, by name.
pub type Vars = BTreeMap<String, Value>;

/// The templates of a string, in order: the text between `{{` and `}}` of each.
fn templates(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else { break };
        out.push(&rest[start + 2..start + end]);
        rest = &rest[start + end + 2..];
    }
    out
}

/// A template's variable name and its filters.
fn parts(template: &str) -> (&str, Vec<&str>) {
    let mut pieces = template.split('|');
    let name = pieces.next().unwrap_or_default().trim();
    (name, pieces.map(str::trim).collect())
}

/// The variable names a template string uses, in order.
pub fn names(text: &str) -> Vec<String> {
    templates(text).into_iter().map(|t| parts(t).0.to_owned()).collect()
}

/// Every filter of a value's templates that is not well formed, with the reason.
pub fn bad_filters(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => {
            templates(s).into_iter().flat_map(|t| parts(t).1).filter_map(|f| decode::check_filter(f).err()).collect()
        }
        Value::Array(items) => items.iter().flat_map(bad_filters).collect(),
        Value::Object(object) => object.values().flat_map(bad_filters).collect(),
        _ => Vec::new(),
    }
}

/// The value of one template: its variable, through its filters.
fn evaluate(template: &str, vars: &Vars) -> Result<Value, String> {
    let (name, filters) = parts(template);
    let mut value = vars.get(name).cloned().ok_or_else(|| format!("no value for variable `{name}`"))?;
    for filter in filters {
        value = decode::filter(&value, filter).map_err(|e| format!("`{{{{ {} }}}}`: {e}", template.trim()))?;
    }
    Ok(value)
}

/// Every variable name a value's strings use.
pub fn names_in(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => names(s),
        Value::Array(items) => items.iter().flat_map(names_in).collect(),
        Value::Object(object) => object.values().flat_map(names_in).collect(),
        _ => Vec::new(),
    }
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Replaces every template in `text` with its variable's text.
pub fn render_text(text: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let end = rest[start..].find("}}").ok_or_else(|| format!("`{text}`: `{{{{` without `}}}}`"))?;
        let value = evaluate(&rest[start + 2..start + end], vars)?;
        out.push_str(&rest[..start]);
        out.push_str(&as_text(&value));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Renders every string of a value.
pub fn render(value: &Value, vars: &Vars) -> Result<Value, String> {
    Ok(match value {
        Value::String(text) => {
            let trimmed = text.trim();
            let whole = trimmed.starts_with("{{") && trimmed.ends_with("}}") && templates(trimmed).len() == 1;
            match (whole, templates(trimmed).first()) {
                (true, Some(template)) => evaluate(template, vars)?,
                _ => Value::String(render_text(text, vars)?),
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| render(i, vars)).collect::<Result<_, _>>()?),
        Value::Object(object) => {
            Value::Object(object.iter().map(|(k, v)| Ok((k.clone(), render(v, vars)?))).collect::<Result<_, String>>()?)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_templates_keep_their_type_and_others_are_text() {
        let vars: Vars = [("n", json!(8)), ("chat", json!("2011"))].into_iter().map(|(k, v)| (k.into(), v)).collect();
        assert_eq!(render(&json!("{{ n }}"), &vars).unwrap(), json!(8));
        assert_eq!(render(&json!("{{chat}}@c.us"), &vars).unwrap(), json!("2011@c.us"));
        assert_eq!(render(&json!({"a": ["{{ n }}"]}), &vars).unwrap(), json!({"a": [8]}));
        assert!(render(&json!("{{ nope }}"), &vars).unwrap_err().contains("`nope`"));
        assert_eq!(names("{{ a }}-{{b}}"), ["a", "b"]);
    }

    #[test]
    fn filters_take_the_value_apart() {
        let vars: Vars = [("link", json!("https://wa.me/20?text=Hi%20%5BX1%5D")), ("qr", json!("eyJleHBpcnkiOjV9"))]
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect();
        assert_eq!(render(&json!("{{ link | url-query text }}"), &vars).unwrap(), json!("Hi [X1]"));
        assert_eq!(render(&json!("{{ qr | base64-json /expiry }}"), &vars).unwrap(), json!(5));
        assert_eq!(render_text("at {{ qr|base64-json /expiry }}s", &vars).unwrap(), "at 5s");
        assert_eq!(names("{{ link | url-query text }}"), ["link"]);
        assert!(render(&json!("{{ link | url-query nope }}"), &vars).unwrap_err().contains("nope"));
        assert_eq!(bad_filters(&json!({"a": ["{{ link | shout }}"]})).len(), 1);
        assert!(bad_filters(&json!("{{ link | url-query text }}")).is_empty());
    }
}
