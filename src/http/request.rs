//! A request as plain data: what a case sends, what a report shows, what `curl` reproduces.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedRequest {
    pub method: String,
    /// The full URL, query string included.
    pub url: String,
    /// In the order they are sent; names as written.
    pub headers: Vec<(String, String)>,
    /// Written in a report as text when it is UTF-8, else as `{"base64": "…"}`.
    #[serde(with = "body_serde")]
    pub body: Option<Vec<u8>>,
}

impl PreparedRequest {
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Self { method: method.into(), url: url.into(), headers: Vec::new(), body: None }
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy), for display.
    pub fn body_text(&self) -> Option<String> {
        self.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

/// A body in a report: readable text when it is UTF-8 (nearly always), else `{"base64": "…"}`,
/// rather than a list of byte values nobody can read.
mod body_serde {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        Bytes { base64: String },
    }

    pub fn serialize<S: Serializer>(body: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        let written = body.as_ref().map(|bytes| match std::str::from_utf8(bytes) {
            Ok(text) => Written::Text(text.to_owned()),
            Err(_) => Written::Bytes { base64: base64::engine::general_purpose::STANDARD.encode(bytes) },
        });
        written.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        match Option::<Written>::deserialize(d)? {
            None => Ok(None),
            Some(Written::Text(text)) => Ok(Some(text.into_bytes())),
            Some(Written::Bytes { base64 }) => base64::engine::general_purpose::STANDARD
                .decode(base64)
                .map(Some)
                .map_err(|e| serde::de::Error::custom(format!("body: not base64: {e}"))),
        }
    }
}

/// The `User-Agent` conform sends (the client sets it on every request).
pub const USER_AGENT: &str = concat!("conform/", env!("CARGO_PKG_VERSION"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_written_as_text_or_base64_and_read_back() {
        let text = PreparedRequest::new("POST", "http://h/").body(r#"{"a":"é"}"#);
        let json = serde_json::to_value(&text).unwrap();
        assert_eq!(json["body"], r#"{"a":"é"}"#);
        let binary = PreparedRequest::new("POST", "http://h/").body(vec![0xff, 0x00, 0x41]);
        let json = serde_json::to_value(&binary).unwrap();
        assert_eq!(json["body"], serde_json::json!({"base64": "/wBB"}));
        let none = PreparedRequest::new("GET", "http://h/");
        assert_eq!(serde_json::to_value(&none).unwrap()["body"], serde_json::Value::Null);
        for request in [text, binary, none] {
            let back: PreparedRequest = serde_json::from_value(serde_json::to_value(&request).unwrap()).unwrap();
            assert_eq!(back, request);
        }
    }
}
