//! What every reference API does the same way on the wire: reading a JSON request body
//! (415 for a wrong media type, a parse error for malformed JSON), writing JSON answers, and the
//! 405 answer with its `Allow` header. The faults of scope `all` fork here and nowhere else.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Reference;
use super::faults::{Fault, Faults};

/// Why a request body could not be read as JSON. Each API renders these in its own error style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// The body is not labelled `application/json`.
    UnsupportedMediaType,
    /// The body is labelled JSON but does not parse.
    NotJson(String),
    /// The `malformed-json-500` fault: the server "crashes".
    Crash,
}

/// Whether the `Content-Type` header names `application/json` (parameters allowed).
pub fn is_json_media_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads the request body as JSON.
///
/// With `required == false` an empty body is `Ok(None)` whatever its labels (Wawp reads its
/// parameters from the query string too). With `required == true` an operation always wants a
/// JSON body, so a missing label is 415 and an empty body is malformed JSON.
pub fn read_json(
    headers: &HeaderMap,
    body: &[u8],
    required: bool,
    faults: &Faults,
) -> Result<Option<Value>, BodyError> {
    if !required && body.is_empty() {
        return Ok(None);
    }
    if !is_json_media_type(headers) && !faults.has(Fault::AcceptAnyContentType) {
        return Err(BodyError::UnsupportedMediaType);
    }
    match serde_json::from_slice(body) {
        Ok(value) => Ok(Some(value)),
        Err(_) if faults.has(Fault::MalformedJson500) => Err(BodyError::Crash),
        Err(e) if body.is_empty() => Err(BodyError::NotJson(format!("empty body: {e}"))),
        Err(e) => Err(BodyError::NotJson(e.to_string())),
    }
}

/// A JSON answer (labelled `text/plain` under the `json-as-text-plain` fault).
pub fn json(faults: &Faults, status: StatusCode, body: Value) -> Response {
    let content_type =
        if faults.has(Fault::JsonAsTextPlain) { "text/plain; charset=utf-8" } else { "application/json" };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], bytes).into_response()
}

/// The answer of a server that fell over (used only by faults).
pub fn crash() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<html><body><h1>500 Internal Server Error</h1></body></html>",
    )
        .into_response()
}

/// Middleware over the whole router: axum answers an undocumented method with 405 and an `Allow`
/// header; the status faults of scope `all` bend that answer here.
pub async fn method_faults(State(reference): State<Arc<Reference>>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    if reference.faults.has(Fault::MethodNotAllowedAs404) {
        return (StatusCode::NOT_FOUND, Body::empty()).into_response();
    }
    if reference.faults.has(Fault::MissingAllowHeader) {
        response.headers_mut().remove(header::ALLOW);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: Option<&str>) -> HeaderMap {
        let mut map = HeaderMap::new();
        if let Some(ct) = content_type {
            map.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        map
    }

    #[test]
    fn media_type_accepts_parameters_and_case() {
        assert!(is_json_media_type(&headers(Some("application/json"))));
        assert!(is_json_media_type(&headers(Some("Application/JSON; charset=utf-8"))));
        assert!(!is_json_media_type(&headers(Some("text/plain"))));
        assert!(!is_json_media_type(&headers(Some("application/jsonx"))));
        assert!(!is_json_media_type(&headers(None)));
    }

    #[test]
    fn required_body_refuses_missing_label_and_bad_json() {
        let clean = Faults::none();
        assert_eq!(read_json(&headers(None), b"{}", true, &clean), Err(BodyError::UnsupportedMediaType));
        assert_eq!(read_json(&headers(None), b"", true, &clean), Err(BodyError::UnsupportedMediaType));
        assert!(matches!(
            read_json(&headers(Some("application/json")), b"{", true, &clean),
            Err(BodyError::NotJson(_))
        ));
        assert!(matches!(read_json(&headers(Some("application/json")), b"", true, &clean), Err(BodyError::NotJson(_))));
        assert_eq!(
            read_json(&headers(Some("application/json")), br#"{"a":1}"#, true, &clean),
            Ok(Some(serde_json::json!({"a": 1})))
        );
    }

    #[test]
    fn optional_body_may_be_empty() {
        let clean = Faults::none();
        assert_eq!(read_json(&headers(None), b"", false, &clean), Ok(None));
        assert_eq!(read_json(&headers(Some("text/plain")), b"x", false, &clean), Err(BodyError::UnsupportedMediaType));
    }

    #[test]
    fn faults_bend_body_reading() {
        let any: Faults = [Fault::AcceptAnyContentType].into_iter().collect();
        assert_eq!(read_json(&headers(Some("text/plain")), b"{}", true, &any), Ok(Some(serde_json::json!({}))));
        let crash: Faults = [Fault::MalformedJson500].into_iter().collect();
        assert_eq!(read_json(&headers(Some("application/json")), b"{", true, &crash), Err(BodyError::Crash));
    }
}
