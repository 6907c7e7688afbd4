//! Reading a value that an answer carries encoded: a base64 string holding JSON (`base64-json`), or
//! one query parameter of a URL (`url-query`). Predicates look inside such values, and template
//! filters (`{{ qr | base64-json /value }}`, `{{ link | url-query text }}`) take them apart, so a
//! suite can relate a value inside one answer to a value inside another.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;

/// The JSON document a base64 string holds. Standard and URL-safe alphabets are both read, with
/// or without padding: which one a target uses is not the suite's to decide.
pub fn base64_json(text: &str) -> Result<Value, String> {
    let text = text.trim();
    let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or_else(|| format!("`{}` is not base64", shorten(text)))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("its base64 does not hold JSON: {e}"))
}

/// The value of query parameter `name` in the URL `text`, percent-decoded (`+` is a space, as in
/// a form); `None` when the URL has no such parameter.
pub fn url_query(text: &str, name: &str) -> Result<Option<String>, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| format!("`{}` is not a URL: {e}", shorten(text)))?;
    Ok(url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned()))
}

/// Applies one template filter (`base64-json POINTER` or `url-query NAME`) to a value.
pub fn filter(value: &Value, filter: &str) -> Result<Value, String> {
    let (name, argument) = filter.trim().split_once(char::is_whitespace).unwrap_or((filter.trim(), ""));
    let argument = argument.trim();
    let text = value.as_str().ok_or_else(|| format!("`{name}` takes a string, not {value}"))?;
    match name {
        "base64-json" => {
            if !argument.is_empty() && !argument.starts_with('/') {
                return Err(format!("`base64-json` takes a JSON pointer such as /value, not `{argument}`"));
            }
            let document = base64_json(text)?;
            document.pointer(argument).cloned().ok_or_else(|| format!("its decoded JSON has nothing at {argument}"))
        }
        "url-query" => {
            if argument.is_empty() {
                return Err("`url-query` takes the name of a query parameter".to_owned());
            }
            url_query(text, argument)?
                .map(Value::String)
                .ok_or_else(|| format!("the URL has no query parameter `{argument}`"))
        }
        other => Err(format!("unknown filter `{other}`; filters are: base64-json POINTER, url-query NAME")),
    }
}

/// Whether a filter is well formed, without a value to apply it to (for `conform lint`).
pub fn check_filter(filter: &str) -> Result<(), String> {
    let (name, argument) = filter.trim().split_once(char::is_whitespace).unwrap_or((filter.trim(), ""));
    match (name, argument.trim()) {
        ("base64-json", pointer) if pointer.is_empty() || pointer.starts_with('/') => Ok(()),
        ("url-query", parameter) if !parameter.is_empty() => Ok(()),
        ("base64-json" | "url-query", _) => Err(format!("filter `{}` has a bad argument", filter.trim())),
        (other, _) => Err(format!("unknown filter `{other}`; filters are: base64-json POINTER, url-query NAME")),
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_json_reads_every_alphabet_with_or_without_padding() {
        let document = json!({"value": "2@abc+/=", "expiry": 1_767_000_000_000_i64});
        let bytes = serde_json::to_vec(&document).unwrap();
        for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
            assert_eq!(base64_json(&engine.encode(&bytes)).unwrap(), document);
        }
        assert!(base64_json("not base64!").unwrap_err().contains("not base64"));
        assert!(base64_json(&STANDARD.encode(b"plain text")).unwrap_err().contains("does not hold JSON"));
    }

    #[test]
    fn url_query_decodes_percent_and_plus() {
        let link = "https://wa.me/201234?text=Log%20in%20%5BAB12%5D&x=a+b";
        assert_eq!(url_query(link, "text").unwrap().as_deref(), Some("Log in [AB12]"));
        assert_eq!(url_query(link, "x").unwrap().as_deref(), Some("a b"));
        assert_eq!(url_query(link, "y").unwrap(), None);
        assert!(url_query("not a url", "text").is_err());
    }

    #[test]
    fn filters_take_values_apart() {
        let data = STANDARD.encode(br#"{"value":"v1","expiry":5}"#);
        assert_eq!(filter(&json!(data), "base64-json /expiry").unwrap(), json!(5));
        assert_eq!(filter(&json!(data), "base64-json").unwrap(), json!({"value": "v1", "expiry": 5}));
        assert!(filter(&json!(data), "base64-json /nope").unwrap_err().contains("/nope"));
        assert_eq!(filter(&json!("https://x.test/?text=hi%21"), "url-query text").unwrap(), json!("hi!"));
        assert!(filter(&json!(3), "url-query text").is_err());
        assert!(filter(&json!("x"), "upper").unwrap_err().contains("unknown filter"));
        assert!(check_filter("base64-json /value").is_ok());
        assert!(check_filter("url-query").is_err());
        assert!(check_filter("base64-json value").is_err());
        assert!(check_filter("lower").is_err());
    }
}
