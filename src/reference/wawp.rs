//! Wawp v2 auth and sessions (`contract.md` §4, `docs/reference-behaviour.md`): sessions with the
//! WAHA-style status machine, pairing codes only in `SCAN_QR_CODE`, credentials read from the query
//! string or the JSON body; `session/start`, `stop` and `logout` answer GET as POST (the docs list both).
//! Also the Wawp fixture states of the sandbox.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::bounded::BoundedMap;
use super::codes::{DIGITS, UPPER, base64, random_from};
use super::faults::Fault;
use super::fields::Fields;
use super::outbox::Channel;
use super::sandbox::{param, unknown_state};
use super::variants::Variant;
use super::wire::{self, BodyError};
use super::{MAX_INSTANCES, Reference, lock};

/// A started session is up this long after `session/start` (on the server's clock).
const STARTING_SECONDS: i64 = 2;
/// The start-up time under the `wawp-slow-start` variant.
const SLOW_STARTING_SECONDS: i64 = 5;
/// A pairing code lives this long.
const PAIRING_CODE_MINUTES: i64 = 3;

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

#[derive(Debug)]
struct Session {
    access_token: String,
    status: Status,
    /// When a `STARTING` session comes up.
    starting_until: Option<DateTime<Utc>>,
    /// Credentials saved on the device side (the phone linked and did not log out).
    paired: bool,
    /// The latest pairing code and its expiry.
    pairing_code: Option<(String, DateTime<Utc>)>,
    /// The last phone number a pairing code was requested for.
    phone: Option<String>,
}

impl Session {
    fn new(access_token: String, status: Status) -> Self {
        Session {
            access_token,
            status,
            starting_until: None,
            paired: status == Status::Working,
            pairing_code: None,
            phone: None,
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
}

#[derive(Debug)]
pub struct Store {
    sessions: BoundedMap<String, Session>,
}

impl Default for Store {
    fn default() -> Self {
        Self::with_cap(MAX_INSTANCES)
    }
}

impl Store {
    /// A store of at most `sessions` sessions.
    pub fn with_cap(sessions: usize) -> Self {
        Self { sessions: BoundedMap::new(sessions) }
    }
}

pub fn routes() -> Router<Arc<Reference>> {
    Router::new()
        .route("/v2/auth/request-code", post(request_code))
        .route("/v2/auth/qr-image", get(qr_image).post(qr_image))
        .route("/v2/session/info", get(info).post(info))
        .route("/v2/session/start", get(start).post(start))
        .route("/v2/session/stop", get(stop).post(stop))
        .route("/v2/session/logout", get(logout).post(logout))
}

fn starting_seconds(reference: &Reference) -> i64 {
    if reference.variants.has(Variant::WawpSlowStart) { SLOW_STARTING_SECONDS } else { STARTING_SECONDS }
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

/// The operation once the session is authenticated: it may read the params and change the session.
type Operation = fn(&Reference, &mut Session, &str, &Params, DateTime<Utc>) -> Response;

fn handle(
    reference: &Reference,
    query: HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
    (operation, needs_phone): (Operation, bool),
) -> Response {
    let body = match wire::read_json(headers, body, false, &reference.faults) {
        Ok(None) => Map::new(),
        Ok(Some(Value::Object(body))) => body,
        Ok(Some(_)) => {
            return error(reference, StatusCode::BAD_REQUEST, "invalid_json", "The body must be a JSON object.");
        }
        Err(BodyError::UnsupportedMediaType) => {
            return error(
                reference,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as application/json.",
            );
        }
        Err(BodyError::NotJson(_)) => {
            return error(reference, StatusCode::BAD_REQUEST, "invalid_json", "The body is not valid JSON.");
        }
        Err(BodyError::Crash) => return wire::crash(),
    };
    // A parameter sent in the body is checked even when the query string also has it.
    if let Some(name) = ["instance_id", "access_token", "phone_number"]
        .into_iter()
        .find(|name| body.get(*name).is_some_and(|v| !v.is_null() && !v.is_string()))
    {
        return error(reference, StatusCode::BAD_REQUEST, "invalid_parameter", &format!("{name} must be a string."));
    }
    let params = Params { query, body, body_wins: reference.variants.has(Variant::WawpBodyWins) };
    let credentials = (params.get("instance_id"), params.get("access_token"));
    let (instance_id, access_token) = match credentials {
        (Ok(Some(id)), Ok(Some(token))) if !id.is_empty() && !token.is_empty() => (id, token),
        (Err(name), _) | (_, Err(name)) => {
            return error(
                reference,
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                &format!("{name} must be a string."),
            );
        }
        _ => {
            return error(
                reference,
                StatusCode::BAD_REQUEST,
                "missing_parameter",
                "instance_id and access_token are required.",
            );
        }
    };
    if needs_phone
        && reference.variants.has(Variant::BodyChecksFirst)
        && let Err(answer) = read_phone(reference, &params)
    {
        return *answer;
    }
    let mut store = lock(&reference.wawp);
    let Some(session) = store.sessions.get_mut(&instance_id) else {
        return error(reference, StatusCode::NOT_FOUND, "invalid_instance", "Session Does Not Exist.");
    };
    if session.access_token != access_token && !reference.faults.has(Fault::WawpTokenNotChecked) {
        return error(reference, StatusCode::UNAUTHORIZED, "invalid_access_token", "Invalid or missing access token.");
    }
    let now = reference.clock.now();
    session.settle(now);
    operation(reference, session, &instance_id, &params, now)
}

macro_rules! handler {
    ($name:ident, $operation:ident) => {
        handler!($name, $operation, false);
    };
    ($name:ident, $operation:ident, $needs_phone:literal) => {
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

handler!(request_code, pairing_code, true);
handler!(qr_image, qr);
handler!(info, session_info);
handler!(start, session_start);
handler!(stop, session_stop);
handler!(logout, session_logout);

/// `ABCD-1234` (no hyphen under `wawp-pairing-code-format`). Letters and digits are mixed; under
/// `wawp-pairing-letters` only letters, under `wawp-pairing-digits` only digits, and under both,
/// letters then digits (`ABCD-1234`, the doc's own example).
fn new_pairing_code(reference: &Reference) -> String {
    let variants = &reference.variants;
    let (letters, digits) = (variants.has(Variant::WawpPairingLetters), variants.has(Variant::WawpPairingDigits));
    let (head, tail): (&[&[u8]], &[&[u8]]) = match (letters, digits) {
        (false, false) => (&[UPPER, DIGITS], &[UPPER, DIGITS]),
        (true, false) => (&[UPPER], &[UPPER]),
        (false, true) => (&[DIGITS], &[DIGITS]),
        (true, true) => (&[UPPER], &[DIGITS]),
    };
    let (head, tail) = (random_from(4, head), random_from(4, tail));
    if reference.faults.has(Fault::WawpPairingCodeFormat) { format!("{head}{tail}") } else { format!("{head}-{tail}") }
}

/// `phone_number`: present, and every value sent (query and body) 8-15 digits.
fn read_phone(reference: &Reference, params: &Params) -> Result<String, Box<Response>> {
    let phone = match params.get("phone_number") {
        Ok(Some(phone)) => phone,
        Ok(None) => {
            return Err(Box::new(error(
                reference,
                StatusCode::BAD_REQUEST,
                "missing_parameter",
                "phone_number is required.",
            )));
        }
        Err(_) => {
            let message = "phone_number must be a string.";
            return Err(Box::new(error(reference, StatusCode::BAD_REQUEST, "invalid_parameter", message)));
        }
    };
    let well_formed = |p: &str| (8..=15).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    if !params.all("phone_number").all(well_formed) {
        return Err(Box::new(error(
            reference,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "phone_number must be 8 to 15 digits, without +, spaces or dashes.",
        )));
    }
    Ok(phone)
}

fn pairing_code(
    reference: &Reference,
    session: &mut Session,
    _id: &str,
    params: &Params,
    now: DateTime<Utc>,
) -> Response {
    let phone = match read_phone(reference, params) {
        Ok(phone) => phone,
        Err(answer) => return *answer,
    };
    if session.status != Status::ScanQrCode && !reference.faults.has(Fault::WawpRequestCodeAnyStatus) {
        return mismatch(reference, session.status, &[Status::ScanQrCode]);
    }
    let code = new_pairing_code(reference);
    session.pairing_code = Some((code.clone(), now + Duration::minutes(PAIRING_CODE_MINUTES)));
    session.phone = Some(phone.clone());
    let text = "A code to link a new device to WhatsApp was requested. Enter it only on your own phone.".to_owned();
    reference.outbox().send(now, &phone, Channel::Whatsapp, None, text);
    wire::json(reference, StatusCode::OK, json!({ "code": code }))
}

/// A small data URL standing in for the QR image.
/// It changes every 20 seconds (40 under `wawp-qr-rotates-slowly`).
fn qr_data_url(reference: &Reference, id: &str, now: DateTime<Utc>) -> String {
    let period = if reference.variants.has(Variant::WawpQrRotatesSlowly) { 40 } else { 20 };
    format!("data:image/png;base64,{}", base64(format!("conform-qr:{id}:{}", now.timestamp() / period).as_bytes()))
}

fn qr(reference: &Reference, session: &mut Session, id: &str, _params: &Params, now: DateTime<Utc>) -> Response {
    if session.status != Status::ScanQrCode && !reference.faults.has(Fault::WawpQrAnyStatus) {
        return mismatch(reference, session.status, &[Status::ScanQrCode]);
    }
    wire::json(reference, StatusCode::OK, json!({ "qr": qr_data_url(reference, id, now) }))
}

/// The session object that info, start, stop and logout answer with.
fn session_object(reference: &Reference, session: &Session, id: &str, now: DateTime<Utc>) -> Value {
    let mut object = json!({
        "name": format!("wawp-{id}"),
        "status": session.status.as_str(),
        "config": {"webhooks": {}, "proxy": null},
    });
    if session.status == Status::ScanQrCode {
        object["qr"] = json!(qr_data_url(reference, id, now));
    }
    if let (Status::Working, Some(phone)) = (session.status, &session.phone) {
        object["me"] = json!({"id": format!("{phone}@c.us"), "pushName": "Conform Sandbox"});
    }
    if reference.faults.has(Fault::WawpInfoMissingStatus)
        && let Some(map) = object.as_object_mut()
    {
        map.remove("status");
    }
    object
}

fn session_info(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    wire::json(reference, StatusCode::OK, session_object(reference, session, id, now))
}

fn session_start(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    if !matches!(session.status, Status::Stopped | Status::Failed) {
        return mismatch(reference, session.status, &[Status::Stopped, Status::Failed]);
    }
    session.status = Status::Starting;
    session.starting_until = Some(now + Duration::seconds(starting_seconds(reference)));
    wire::json(reference, StatusCode::OK, session_object(reference, session, id, now))
}

fn session_stop(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    session.status = Status::Stopped;
    session.starting_until = None;
    session.pairing_code = None;
    wire::json(reference, StatusCode::OK, session_object(reference, session, id, now))
}

fn session_logout(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    session.paired = false;
    session.pairing_code = None;
    session.phone = None;
    if session.status != Status::Stopped && !reference.faults.has(Fault::WawpLogoutKeepsStatus) {
        session.status = Status::ScanQrCode;
        session.starting_until = None;
    }
    wire::json(reference, StatusCode::OK, session_object(reference, session, id, now))
}

fn status_param(params: &Fields) -> Result<Status, String> {
    let text = param(params, "status")?;
    Status::parse(text).ok_or_else(|| {
        let known: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        format!("param `status` must be one of {}", known.join(", "))
    })
}

/// The Wawp fixture states of `POST /__sandbox/state`.
pub fn apply_state(reference: &Reference, state: &str, params: &Fields) -> Result<(), String> {
    match state {
        "instance" => {
            let id = param(params, "instance_id")?;
            let token = param(params, "access_token")?;
            let status = status_param(params)?;
            lock(&reference.wawp).sessions.insert(id.to_owned(), Session::new(token.to_owned(), status));
            Ok(())
        }
        "session-status" => {
            let id = param(params, "instance_id")?;
            let status = status_param(params)?;
            let mut store = lock(&reference.wawp);
            let session = store.sessions.get_mut(&id.to_owned()).ok_or_else(|| format!("no wawp session `{id}`"))?;
            session.status = status;
            session.starting_until = (status == Status::Starting)
                .then(|| reference.clock.now() + Duration::seconds(starting_seconds(reference)));
            if status == Status::Working {
                session.paired = true;
                session.pairing_code = None;
            }
            Ok(())
        }
        other => Err(unknown_state("wawp", other, &["instance", "session-status"])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_settles_on_the_clock() {
        let now = Utc::now();
        let mut session = Session::new("t".into(), Status::Stopped);
        session.status = Status::Starting;
        session.starting_until = Some(now + Duration::seconds(2));
        session.settle(now + Duration::seconds(1));
        assert_eq!(session.status, Status::Starting);
        session.settle(now + Duration::seconds(2));
        assert_eq!(session.status, Status::ScanQrCode, "never paired: it needs a scan");

        let mut paired = Session::new("t".into(), Status::Working);
        paired.status = Status::Starting;
        paired.starting_until = Some(now);
        paired.settle(now);
        assert_eq!(paired.status, Status::Working, "saved credentials come back");
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
