//! Wawp v2 auth and sessions (`contract.md` §4, §4.1, §4.2, `docs/reference-behaviour.md`):
//! sessions with the WAHA-style status machine on the sandbox clock, pairing codes and QR codes
//! only in `SCAN_QR_CODE`, credentials read from the query string or the JSON body; `session/start`,
//! `stop`, `restart`, `logout` and the QR operations answer GET as POST (the docs list both).
//! Also the Wawp fixture states of the sandbox.
//!
//! This file holds what every operation shares: the session store, parameter reading,
//! authentication and the error bodies. The operations live beside it.

mod pairing;
mod session;
mod states;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::bounded::BoundedMap;
use super::codes::{DIGITS, random_from};
use super::faults::Fault;
use super::variants::Variant;
use super::wire::{self, BodyError};
use super::{MAX_INSTANCES, Reference, lock};

pub use states::apply_state;

/// A session started or restarted stays `STARTING` this long on the sandbox clock (L3).
const STARTING_SECONDS: i64 = 10;
/// The start-up time under the `wawp-starting-too-short` fault.
const SHORT_STARTING_SECONDS: i64 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Stopped,
    Starting,
    ScanQrCode,
    Working,
    Failed,
}

impl Status {
    const ALL: [Status; 5] = [Status::Stopped, Status::Starting, Status::ScanQrCode, Status::Working, Status::Failed];

    fn as_str(self) -> &'static str {
        match self {
            Status::Stopped => "STOPPED",
            Status::Starting => "STARTING",
            Status::ScanQrCode => "SCAN_QR_CODE",
            Status::Working => "WORKING",
            Status::Failed => "FAILED",
        }
    }

    fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The raw QR a session shows (§4.2): its value and when it expires, in Unix milliseconds.
#[derive(Debug, Clone)]
struct Qr {
    value: String,
    expiry_ms: i64,
}

#[derive(Debug)]
struct Session {
    access_token: String,
    status: Status,
    /// When a `STARTING` session comes up (`None`: it does not by itself).
    starting_until: Option<DateTime<Utc>>,
    /// Saved keys (L4): the session has been WORKING and has not logged out since.
    paired: bool,
    /// The latest pairing code and its expiry.
    pairing_code: Option<(String, DateTime<Utc>)>,
    /// The WhatsApp account's number: the last number a pairing code was requested for, else
    /// one of the sandbox's own.
    account: String,
    qr: Option<Qr>,
}

impl Session {
    fn new(access_token: String, status: Status) -> Self {
        Session {
            access_token,
            status,
            starting_until: None,
            paired: status == Status::Working,
            pairing_code: None,
            account: format!("2010{}", random_from(8, &[DIGITS])),
            qr: None,
        }
    }

    /// Moves a started session on once its start-up time has passed, and drops an expired code.
    fn settle(&mut self, now: DateTime<Utc>) {
        if self.status == Status::Starting && self.starting_until.is_some_and(|until| now >= until) {
            self.status = if self.paired { Status::Working } else { Status::ScanQrCode };
            self.starting_until = None;
        }
        if self.pairing_code.as_ref().is_some_and(|(_, until)| now >= *until) {
            self.pairing_code = None;
        }
    }

    /// Enters `STARTING` (start, restart): up after [`STARTING_SECONDS`].
    fn start(&mut self, reference: &Reference, now: DateTime<Utc>) {
        self.status = Status::Starting;
        self.starting_until = Some(now + Duration::seconds(starting_seconds(reference)));
        self.pairing_code = None;
        self.qr = None;
    }
}

#[derive(Debug)]
pub struct Store {
    sessions: BoundedMap<String, Session>,
    /// How many sessions each account token has created (`session/create`).
    created: BoundedMap<String, u64>,
}

impl Default for Store {
    fn default() -> Self {
        Self::with_cap(MAX_INSTANCES)
    }
}

impl Store {
    /// A store of at most `sessions` sessions.
    pub fn with_cap(sessions: usize) -> Self {
        Self { sessions: BoundedMap::new(sessions), created: BoundedMap::new(sessions) }
    }
}

pub fn routes() -> Router<Arc<Reference>> {
    Router::new()
        .route("/v2/auth/request-code", post(request_code))
        .route("/v2/auth/qr-image", get(qr_image).post(qr_image))
        .route("/v2/auth/qr", get(qr_raw).post(qr_raw))
        .route("/v2/session/info", get(info).post(info))
        .route("/v2/session/start", get(start).post(start))
        .route("/v2/session/stop", get(stop).post(stop))
        .route("/v2/session/restart", get(restart).post(restart))
        .route("/v2/session/logout", get(logout).post(logout))
        .route("/v2/session/me", get(me))
        .route("/v2/session/create", post(create))
        .route("/v2/session/delete", delete(delete_session))
}

fn starting_seconds(reference: &Reference) -> i64 {
    if reference.faults.has(Fault::WawpStartingTooShort) { SHORT_STARTING_SECONDS } else { STARTING_SECONDS }
}

/// The `message` of an error; under `wawp-other-messages`, the titles of the provider's doc pages.
fn say(reference: &Reference, code: &str, message: String) -> String {
    if !reference.variants.has(Variant::WawpOtherMessages) {
        return message;
    }
    let title = match code {
        "missing_parameter" => "Bad Request - Missing Required Parameter(s)",
        "invalid_parameter" => "Bad Request - Invalid Parameter Value",
        "invalid_json" => "Bad Request - Malformed JSON",
        "unsupported_media_type" => "Unsupported Media Type",
        "invalid_access_token" => "Unauthorized - Invalid or Missing Access Token",
        "invalid_instance" => "Not Found - Session Does Not Exist",
        "session_status_mismatch" => "Unprocessable Entity - Session Status Mismatch",
        _ => return message,
    };
    title.to_owned()
}

fn error(reference: &Reference, status: StatusCode, code: &str, message: &str) -> Response {
    let message = say(reference, code, message.to_owned());
    wire::json(reference, status, json!({ "code": code, "message": message }))
}

/// 422 with the current status and the ones that would do (409 under `wawp-mismatch-409`).
fn mismatch(reference: &Reference, current: Status, expected: &[Status]) -> Response {
    let status = if reference.faults.has(Fault::WawpMismatch409) {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let expected: Vec<&str> = expected.iter().map(|s| s.as_str()).collect();
    wire::json(
        reference,
        status,
        json!({
            "code": "session_status_mismatch",
            "message": say(
                reference,
                "session_status_mismatch",
                format!("Session status is {}, expected {}", current.as_str(), expected.join(" or ")),
            ),
            "status": current.as_str(),
            "expected": expected,
        }),
    )
}

/// The parameters of a call: the query string first, then the JSON body (the body first under
/// the `wawp-body-wins` variant).
struct Params {
    query: HashMap<String, String>,
    body: Map<String, Value>,
    body_wins: bool,
}

impl Params {
    /// `Ok(None)` when absent; `Err` when the body holds it with a non-string type.
    fn get(&self, name: &'static str) -> Result<Option<String>, &'static str> {
        let in_body = match self.body.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(name),
        };
        let in_query = self.query.get(name).cloned();
        Ok(if self.body_wins { in_body.or(in_query) } else { in_query.or(in_body) })
    }

    /// Every value of `name` sent, wherever it sits.
    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.query.get(name).map(String::as_str).into_iter().chain(self.body.get(name).and_then(Value::as_str))
    }
}

/// The parameters every Wawp operation reads; a body parameter of another JSON type is 400.
const STRING_PARAMS: &[&str] = &["instance_id", "access_token", "phone_number", "format"];

/// Reads the body (415 and 400 answered here) and puts the parameters together.
fn read_params(
    reference: &Reference,
    query: HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Params, Box<Response>> {
    let body = match wire::read_json(headers, body, false, &reference.faults) {
        Ok(None) => Map::new(),
        Ok(Some(Value::Object(body))) => body,
        Ok(Some(_)) => {
            return Err(Box::new(error(
                reference,
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "The body must be a JSON object.",
            )));
        }
        Err(BodyError::UnsupportedMediaType) => {
            return Err(Box::new(error(
                reference,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as application/json.",
            )));
        }
        Err(BodyError::NotJson(_)) => {
            return Err(Box::new(error(
                reference,
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "The body is not valid JSON.",
            )));
        }
        Err(BodyError::Crash) => return Err(Box::new(wire::crash())),
    };
    // A parameter sent in the body is checked even when the query string also has it.
    if let Some(name) =
        STRING_PARAMS.iter().find(|name| body.get(**name).is_some_and(|v| !v.is_null() && !v.is_string()))
    {
        let message = format!("{name} must be a string.");
        return Err(Box::new(error(reference, StatusCode::BAD_REQUEST, "invalid_parameter", &message)));
    }
    Ok(Params { query, body, body_wins: reference.variants.has(Variant::WawpBodyWins) })
}

/// A parameter that must be there: 400 `missing_parameter` without it.
fn required(reference: &Reference, params: &Params, name: &'static str) -> Result<String, Box<Response>> {
    match params.get(name) {
        Ok(Some(value)) if !value.is_empty() => Ok(value),
        Err(name) => Err(Box::new(error(
            reference,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            &format!("{name} must be a string."),
        ))),
        _ => Err(Box::new(error(
            reference,
            StatusCode::BAD_REQUEST,
            "missing_parameter",
            "instance_id and access_token are required.",
        ))),
    }
}

/// The operation once the session is authenticated: it may read the params and change the session.
type Operation = fn(&Reference, &mut Session, &str, &Params, DateTime<Utc>) -> Response;

/// The session named by `instance_id`, once `access_token` is its own (404, 401 otherwise).
fn authenticate(reference: &Reference, params: &Params) -> Result<(String, String), Box<Response>> {
    let instance_id = required(reference, params, "instance_id")?;
    let access_token = required(reference, params, "access_token")?;
    Ok((instance_id, access_token))
}

fn lookup<'a>(
    reference: &Reference,
    store: &'a mut Store,
    (instance_id, access_token): (&str, &str),
) -> Result<&'a mut Session, Box<Response>> {
    let Some(session) = store.sessions.get_mut(&instance_id.to_owned()) else {
        return Err(Box::new(error(reference, StatusCode::NOT_FOUND, "invalid_instance", "Session Does Not Exist.")));
    };
    if session.access_token != access_token && !reference.faults.has(Fault::WawpTokenNotChecked) {
        return Err(Box::new(error(
            reference,
            StatusCode::UNAUTHORIZED,
            "invalid_access_token",
            "Invalid or missing access token.",
        )));
    }
    Ok(session)
}

fn handle(
    reference: &Reference,
    query: HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
    (operation, needs_phone): (Operation, bool),
) -> Response {
    let params = match read_params(reference, query, headers, body) {
        Ok(params) => params,
        Err(answer) => return *answer,
    };
    let (instance_id, access_token) = match authenticate(reference, &params) {
        Ok(credentials) => credentials,
        Err(answer) => return *answer,
    };
    if needs_phone
        && reference.variants.has(Variant::BodyChecksFirst)
        && let Err(answer) = pairing::read_phone(reference, &params)
    {
        return *answer;
    }
    let mut store = lock(&reference.wawp);
    let session = match lookup(reference, &mut store, (&instance_id, &access_token)) {
        Ok(session) => session,
        Err(answer) => return *answer,
    };
    let now = reference.clock.now();
    session.settle(now);
    operation(reference, session, &instance_id, &params, now)
}

macro_rules! handler {
    ($name:ident, $operation:path) => {
        handler!($name, $operation, false);
    };
    ($name:ident, $operation:path, $needs_phone:literal) => {
        async fn $name(
            State(reference): State<Arc<Reference>>,
            Query(query): Query<HashMap<String, String>>,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            handle(&reference, query, &headers, &body, ($operation, $needs_phone))
        }
    };
}

handler!(request_code, pairing::pairing_code, true);
handler!(qr_image, pairing::qr_image);
handler!(qr_raw, pairing::qr_raw);
handler!(info, session::info);
handler!(start, session::start);
handler!(stop, session::stop);
handler!(restart, session::restart);
handler!(logout, session::logout);
handler!(me, session::me);

/// `session/create` (L1): no session yet, only an account token.
async fn create(
    State(reference): State<Arc<Reference>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match read_params(&reference, query, &headers, &body) {
        Ok(params) => params,
        Err(answer) => return *answer,
    };
    let token = match params.get("access_token") {
        Ok(Some(token)) if !token.is_empty() => token,
        Err(name) => {
            let message = format!("{name} must be a string.");
            return error(&reference, StatusCode::BAD_REQUEST, "invalid_parameter", &message);
        }
        _ => return error(&reference, StatusCode::BAD_REQUEST, "missing_parameter", "access_token is required."),
    };
    let mut store = lock(&reference.wawp);
    session::create(&reference, &mut store, &token)
}

/// `session/delete` (L5): the session goes, and every later call with its id is 404.
async fn delete_session(
    State(reference): State<Arc<Reference>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match read_params(&reference, query, &headers, &body) {
        Ok(params) => params,
        Err(answer) => return *answer,
    };
    let (instance_id, access_token) = match authenticate(&reference, &params) {
        Ok(credentials) => credentials,
        Err(answer) => return *answer,
    };
    let mut store = lock(&reference.wawp);
    if let Err(answer) = lookup(&reference, &mut store, (&instance_id, &access_token)) {
        return *answer;
    }
    session::delete(&reference, &mut store, &instance_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_settles_on_the_clock() {
        let now = Utc::now();
        let mut session = Session::new("t".into(), Status::Stopped);
        session.status = Status::Starting;
        session.starting_until = Some(now + Duration::seconds(STARTING_SECONDS));
        session.settle(now + Duration::seconds(STARTING_SECONDS - 1));
        assert_eq!(session.status, Status::Starting);
        session.settle(now + Duration::seconds(STARTING_SECONDS));
        assert_eq!(session.status, Status::ScanQrCode, "never paired: it needs a scan");

        let mut paired = Session::new("t".into(), Status::Working);
        paired.status = Status::Starting;
        paired.starting_until = Some(now);
        paired.settle(now);
        assert_eq!(paired.status, Status::Working, "saved credentials come back");

        let mut forced = Session::new("t".into(), Status::Starting);
        forced.settle(now + Duration::days(1));
        assert_eq!(forced.status, Status::Starting, "no start-up time: it does not come up by itself");
    }

    #[test]
    fn expired_pairing_codes_are_dropped() {
        let now = Utc::now();
        let mut session = Session::new("t".into(), Status::ScanQrCode);
        session.pairing_code = Some(("ABCD-1234".into(), now + Duration::minutes(3)));
        session.settle(now + Duration::seconds(179));
        assert!(session.pairing_code.is_some());
        session.settle(now + Duration::minutes(3));
        assert!(session.pairing_code.is_none());
    }

    #[test]
    fn statuses_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("working"), None);
    }
}
