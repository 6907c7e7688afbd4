//! Builders for the checks' unit tests: an operation, a request and an answer in a few lines.

use serde_json::{Value, json};

use crate::case::CaseKind;
use crate::http::{HttpResponse, PreparedRequest};
use crate::spec::{Operation, extract_operations};

/// One POST operation documenting 200 (JSON, `{"ok": boolean}` required), 400 (JSON) and 405, plus
/// whatever `extra` merges into the operation object.
pub fn operation(extra: Value) -> Operation {
    let mut op = json!({
        "operationId": "do-thing",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}}}},
            "400": {"description": "bad", "content": {"application/json": {"schema": {"type": "object"}}}},
            "405": {"description": "method"}
        }
    });
    if let (Some(op), Some(extra)) = (op.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            op.insert(k.clone(), v.clone());
        }
    }
    let document = json!({
        "openapi": "3.1.0",
        "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
        "paths": {"/thing": {"post": op}}
    });
    extract_operations("demo", &document).expect("a valid test operation").remove(0)
}

pub fn request() -> PreparedRequest {
    PreparedRequest::new("POST", "http://127.0.0.1:1/thing").header("Content-Type", "application/json").body("{}")
}

pub fn response(status: u16, content_type: Option<&str>, body: &str) -> HttpResponse {
    let headers = content_type.map(|ct| vec![("content-type".to_owned(), ct.to_owned())]).unwrap_or_default();
    HttpResponse { status, headers, body: body.as_bytes().to_vec(), elapsed: std::time::Duration::ZERO }
}

/// Runs `check` on one exchange.
pub fn judge(
    check: fn(&super::Exchange<'_>) -> super::Judgement,
    operation: &Operation,
    kind: &CaseKind,
    response: &HttpResponse,
) -> super::Judgement {
    let request = request();
    check(&super::Exchange { operation, kind, request: &request, response })
}
