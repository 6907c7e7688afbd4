//! The `/__sandbox` test surface of `contract.md` §6: the outbox (what a phone would have received),
//! the clock (time travel for expiry and waits) and named fixture states for each API.
//! Faults and variants never touch the sandbox: it is how a harness drives the server, not part of the contract under test.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::{Value, json};

use super::fields::Fields;
use super::wire::{self, BodyError};
use super::{Faults, Reference, Variants, hypersender, wawp, zapi};

/// Ten years: the most the clock moves in one call.
pub const MAX_ADVANCE_SECONDS: i64 = 315_360_000;

pub fn routes() -> Router<Arc<Reference>> {
    Router::new()
        .route("/__sandbox", get(handshake))
        .route("/__sandbox/outbox", get(outbox))
        .route("/__sandbox/clock", post(clock))
        .route("/__sandbox/state", post(state))
}

fn answer(status: StatusCode, body: Value) -> Response {
    wire::render(&Faults::none(), &Variants::none(), status, body)
}

fn bad_request(message: impl Into<String>) -> Response {
    answer(StatusCode::BAD_REQUEST, json!({ "error": message.into() }))
}

/// The sandbox protocol version this server speaks (`contract.md` §6).
pub const PROTOCOL_VERSION: u64 = 1;

/// `GET /__sandbox`: the handshake a harness must see before it trusts the sandbox.
async fn handshake() -> Response {
    answer(
        StatusCode::OK,
        json!({"sandbox": "conform", "version": PROTOCOL_VERSION, "apis": ["zapi", "wawp", "hypersender"]}),
    )
}

#[derive(Deserialize)]
struct OutboxQuery {
    to: Option<String>,
}

async fn outbox(State(reference): State<Arc<Reference>>, Query(query): Query<OutboxQuery>) -> Response {
    let Some(to) = query.to else {
        return bad_request("query parameter `to` is required");
    };
    if to.is_empty() || to.len() > 20 || !to.bytes().all(|b| b.is_ascii_digit()) {
        return bad_request("`to` must be 1 to 20 digits");
    }
    let messages = reference.outbox().for_recipient(reference.clock.now(), &to);
    answer(StatusCode::OK, json!(messages))
}

fn read_object(headers: &HeaderMap, body: &[u8]) -> Result<Fields, Box<Response>> {
    let refusal = match wire::read_json(headers, body, true, &Faults::none()) {
        Ok(Some(Value::Object(fields))) => return Ok(fields),
        Ok(_) => bad_request("the body must be a JSON object"),
        Err(BodyError::UnsupportedMediaType) => {
            answer(StatusCode::UNSUPPORTED_MEDIA_TYPE, json!({"error": "Content-Type must be application/json"}))
        }
        Err(BodyError::NotJson(e)) => bad_request(format!("invalid JSON: {e}")),
        Err(BodyError::Crash) => bad_request("invalid JSON"),
    };
    Err(Box::new(refusal))
}

async fn clock(State(reference): State<Arc<Reference>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = match read_object(&headers, &body) {
        Ok(fields) => fields,
        Err(response) => return *response,
    };
    let seconds = fields.get("advance_seconds").and_then(Value::as_i64);
    let Some(seconds) = seconds.filter(|s| (0..=MAX_ADVANCE_SECONDS).contains(s)) else {
        return bad_request(format!("`advance_seconds` must be an integer from 0 to {MAX_ADVANCE_SECONDS}"));
    };
    let now = reference.clock.advance(seconds);
    // Time passing is what expires links under `hypersender-link-expiry-notifies`.
    hypersender::expire_links(&reference);
    answer(StatusCode::OK, json!({ "now": now.to_rfc3339_opts(SecondsFormat::Secs, true) }))
}

async fn state(State(reference): State<Arc<Reference>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = match read_object(&headers, &body) {
        Ok(fields) => fields,
        Err(response) => return *response,
    };
    let (Some(api), Some(state)) =
        (fields.get("api").and_then(Value::as_str), fields.get("state").and_then(Value::as_str))
    else {
        return bad_request("`api` and `state` are required strings");
    };
    let params = fields.get("params").cloned().unwrap_or(Value::Null);
    match apply(&reference, api, state, &params) {
        Ok(()) => answer(StatusCode::OK, json!({ "ok": true })),
        Err(message) => bad_request(message),
    }
}

/// Applies a fixture state of one API.
pub fn apply(reference: &Reference, api: &str, state: &str, params: &Value) -> Result<(), String> {
    let empty = Fields::new();
    let params = match params {
        Value::Null => &empty,
        Value::Object(params) => params,
        _ => return Err("`params` must be an object".to_owned()),
    };
    match api {
        "zapi" => zapi::apply_state(reference, state, params),
        "wawp" => wawp::apply_state(reference, state, params),
        "hypersender" => hypersender::apply_state(reference, state, params),
        other => Err(format!("unknown api `{other}`; expected zapi, wawp or hypersender")),
    }
}

/// A required string param of a fixture state.
pub fn param<'a>(params: &'a Fields, name: &str) -> Result<&'a str, String> {
    match params.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(format!("param `{name}` must not be empty")),
        Some(_) => Err(format!("param `{name}` must be a string")),
        None => Err(format!("param `{name}` is required")),
    }
}

/// The error for a state name the API does not know.
pub fn unknown_state(api: &str, state: &str, known: &[&str]) -> String {
    format!("unknown state `{state}` for api `{api}`; expected one of: {}", known.join(", "))
}
