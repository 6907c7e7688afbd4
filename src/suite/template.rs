//! Templates: `{{ name }}` in a suite's strings. A string that is one template alone takes the
//! variable's value with its type (a captured number stays a number); anything else is text
//! with each template replaced. An unknown name is an error, never an empty string.

use std::collections::BTreeMap;

use serde_json::Value;

/// A scenario's variables, by name.
pub type Vars = BTreeMap<String, Value>;

/// The variable names a template string uses, in order.
pub fn names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else { break };
        out.push(rest[start + 2..start + end].trim().to_owned());
        rest = &rest[start + end + 2..];
    }
    out
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
        let name = rest[start + 2..start + end].trim();
        let value = vars.get(name).ok_or_else(|| format!("no value for variable `{name}`"))?;
        out.push_str(&rest[..start]);
        out.push_str(&as_text(value));
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
            let whole = trimmed.starts_with("{{") && trimmed.ends_with("}}") && names(trimmed).len() == 1;
            match (whole, names(trimmed).first()) {
                (true, Some(name)) => {
                    vars.get(name).cloned().ok_or_else(|| format!("no value for variable `{name}`"))?
                }
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
}
