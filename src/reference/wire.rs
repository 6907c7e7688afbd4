//! What every reference API does the same way on the wire: reading a JSON request body
//! (415 for a wrong media type, a parse error for malformed JSON), writing JSON answers, and the
//! 405 answer with its `Allow` header. The faults and variants of scope `all` fork here and nowhere else.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Reference;
use super::faults::{Fault, Faults};
use super::variants::{Variant, Variants};

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

/// A JSON answer of one of the three APIs, shaped by the server's faults and variants.
pub fn json(reference: &Reference, status: StatusCode, body: Value) -> Response {
    render(&reference.faults, &reference.variants, status, body)
}

/// A JSON answer (labelled `text/plain` under the `json-as-text-plain` fault). The variants of
/// scope `all` change its label, layout, member order, members and headers, never its values.
pub fn render(faults: &Faults, variants: &Variants, status: StatusCode, mut body: Value) -> Response {
    if variants.has(Variant::ExtraFields)
        && let Some(object) = body.as_object_mut()
    {
        object.insert("request_id".to_owned(), Value::String(uuid::Uuid::new_v4().to_string()));
    }
    if variants.has(Variant::JsonKeysSorted) {
        body = sorted(body);
    }
    let content_type = if faults.has(Fault::JsonAsTextPlain) {
        "text/plain; charset=utf-8"
    } else {
        match (variants.has(Variant::JsonMediaTypeCase), variants.has(Variant::JsonCharset)) {
            (false, false) => "application/json",
            (false, true) => "application/json; charset=utf-8",
            (true, false) => "Application/JSON",
            (true, true) => "Application/JSON; Charset=UTF-8",
        }
    };
    let bytes = if variants.has(Variant::JsonPretty) {
        serde_json::to_vec_pretty(&body).unwrap_or_default()
    } else {
        serde_json::to_vec(&body).unwrap_or_default()
    };
    let mut response =
        (status, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], bytes).into_response();
    extra_headers(variants, &mut response);
    response
}

/// The 415 answer of Z-API and Hypersender: `body` as JSON, or nothing at all under the
/// `unsupported-media-type-empty` variant.
pub fn unsupported_media_type(reference: &Reference, body: Value) -> Response {
    if reference.variants.has(Variant::UnsupportedMediaTypeEmpty) {
        let mut response = (StatusCode::UNSUPPORTED_MEDIA_TYPE, Body::empty()).into_response();
        extra_headers(&reference.variants, &mut response);
        return response;
    }
    json(reference, StatusCode::UNSUPPORTED_MEDIA_TYPE, body)
}

/// The `extra-headers` variant: headers no contract mentions, which a client must ignore.
fn extra_headers(variants: &Variants, response: &mut Response) {
    if variants.has(Variant::ExtraHeaders) {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
            headers.insert("x-request-id", id);
        }
    }
}

/// The same value with every object's members in alphabetical order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut members: Vec<(String, Value)> = map.into_iter().collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(members.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
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

/// Which API a path belongs to (`None` for the sandbox and unknown paths).
fn api_of(path: &str) -> Option<&'static str> {
    if path.starts_with("/instances/") {
        Some("zapi")
    } else if path.starts_with("/v2/") {
        Some("wawp")
    } else if path.starts_with("/api/otp/") {
        Some("hypersender")
    } else {
        None
    }
}

/// Middleware over the whole router: axum answers an undocumented method with 405 and an `Allow`
/// header; the status faults of scope `all` bend that answer here, and the variants reshape it.
pub async fn method_answers(State(reference): State<Arc<Reference>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let api = api_of(request.uri().path());
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
    let Some(api) = api else {
        return response;
    };
    let variants = &reference.variants;
    let allow = response.headers().get(header::ALLOW).cloned();
    let allow = match allow.as_ref().and_then(|v| v.to_str().ok()) {
        Some(allow) if variants.has(Variant::AllowListFormat) => HeaderValue::from_str(&post_first(allow)).ok(),
        _ => allow,
    };
    // contract.md §4: every Wawp error, 405 included, uses the Wawp error body. Z-API and
    // Hypersender answer an empty 405 unless the `method-not-allowed-body` variant is on.
    if api == "wawp" || variants.has(Variant::MethodNotAllowedBody) {
        let body = match api {
            "zapi" => serde_json::json!({"error": format!("Method {method} not allowed")}),
            "wawp" => {
                serde_json::json!({"code": "method_not_allowed", "message": format!("{method} is not allowed here.")})
            }
            _ => serde_json::json!({"message": format!("The {method} method is not supported for this route.")}),
        };
        response = render(&reference.faults, variants, StatusCode::METHOD_NOT_ALLOWED, body);
    } else {
        extra_headers(variants, &mut response);
    }
    match allow {
        Some(allow) => {
            response.headers_mut().insert(header::ALLOW, allow);
        }
        None => {
            response.headers_mut().remove(header::ALLOW);
        }
    }
    response
}

/// `GET,HEAD,POST` → `POST, GET, HEAD`: the same methods, POST first, spaced.
fn post_first(allow: &str) -> String {
    let mut methods: Vec<&str> = allow.split(',').map(str::trim).filter(|m| !m.is_empty()).collect();
    methods.sort_by_key(|m| (*m != "POST", *m));
    methods.join(", ")
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
    fn allow_lists_post_first() {
        assert_eq!(post_first("GET,HEAD,POST"), "POST, GET, HEAD");
        assert_eq!(post_first("POST"), "POST");
    }

    #[test]
    fn sorted_orders_members_at_every_depth() {
        let value = serde_json::json!({"b": 1, "a": {"d": [{"z": 0, "y": 1}], "c": 2}});
        let text = serde_json::to_string(&sorted(value)).unwrap();
        assert_eq!(text, r#"{"a":{"c":2,"d":[{"y":1,"z":0}]},"b":1}"#);
    }

    #[test]
    fn faults_bend_body_reading() {
        let any: Faults = [Fault::AcceptAnyContentType].into_iter().collect();
        assert_eq!(read_json(&headers(Some("text/plain")), b"{}", true, &any), Ok(Some(serde_json::json!({}))));
        let crash: Faults = [Fault::MalformedJson500].into_iter().collect();
        assert_eq!(read_json(&headers(Some("application/json")), b"{", true, &crash), Err(BodyError::Crash));
    }
}
