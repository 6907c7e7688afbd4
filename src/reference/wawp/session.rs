//! The session lifecycle (`contract.md` §4, §4.1): info, start, stop, restart and logout answer the
//! session object; create makes a STOPPED session for an account token (L1); start and restart
//! enter STARTING for 10 seconds of the sandbox clock (L2, L3); saved keys decide where STARTING
//! ends (L4); delete removes the session for good (L5); me names the account in WORKING (L6).

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::super::codes::{DIGITS, random_from};
use super::super::faults::Fault;
use super::super::variants::Variant;
use super::super::{Reference, wire};
use super::pairing::qr_data_url;
use super::{Params, Session, Status, Store, error, mismatch};

/// The session object that info, start, stop, restart and logout answer with.
fn session_object(reference: &Reference, session: &mut Session, id: &str, now: DateTime<Utc>) -> Value {
    let mut object = json!({
        "name": format!("wawp-{id}"),
        "status": session.status.as_str(),
        "config": {"webhooks": {}, "proxy": null},
    });
    if session.status == Status::ScanQrCode {
        object["qr"] = json!(qr_data_url(reference, session, id, now));
    }
    if session.status == Status::Working {
        object["me"] = json!({"id": format!("{}@c.us", session.account), "pushName": "Conform Sandbox"});
    }
    if reference.faults.has(Fault::WawpInfoMissingStatus)
        && let Some(map) = object.as_object_mut()
    {
        map.remove("status");
    }
    object
}

fn answer(reference: &Reference, session: &mut Session, id: &str, now: DateTime<Utc>) -> Response {
    let object = session_object(reference, session, id, now);
    wire::json(reference, StatusCode::OK, object)
}

pub(super) fn info(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    answer(reference, session, id, now)
}

pub(super) fn start(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    if !matches!(session.status, Status::Stopped | Status::Failed) {
        if reference.variants.has(Variant::WawpStartAnywhere) {
            return answer(reference, session, id, now);
        }
        return mismatch(reference, session.status, &[Status::Stopped, Status::Failed]);
    }
    session.start(reference, now);
    answer(reference, session, id, now)
}

pub(super) fn restart(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    if session.status == Status::Working && reference.faults.has(Fault::WawpRestartRefused) {
        let others = [Status::Stopped, Status::Starting, Status::ScanQrCode, Status::Failed];
        return mismatch(reference, session.status, &others);
    }
    session.start(reference, now);
    answer(reference, session, id, now)
}

pub(super) fn stop(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    session.status = Status::Stopped;
    session.starting_until = None;
    session.pairing_code = None;
    session.qr = None;
    answer(reference, session, id, now)
}

pub(super) fn logout(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    if session.status != Status::Working && reference.variants.has(Variant::WawpLogoutOnlyWorking) {
        return mismatch(reference, session.status, &[Status::Working]);
    }
    if !reference.faults.has(Fault::WawpLogoutKeepsKeys) {
        session.paired = false;
    }
    session.pairing_code = None;
    if session.status != Status::Stopped && !reference.faults.has(Fault::WawpLogoutKeepsStatus) {
        session.status = Status::ScanQrCode;
        session.starting_until = None;
        session.qr = None;
    }
    answer(reference, session, id, now)
}

pub(super) fn me(
    reference: &Reference,
    session: &mut Session,
    _id: &str,
    _params: &Params,
    _now: DateTime<Utc>,
) -> Response {
    if session.status != Status::Working && !reference.faults.has(Fault::WawpMeAnyStatus) {
        return mismatch(reference, session.status, &[Status::Working]);
    }
    let account = if reference.faults.has(Fault::WawpMeOtherId) {
        format!("2019{}", random_from(8, &[DIGITS]))
    } else {
        session.account.clone()
    };
    let body = json!({"id": format!("{account}@c.us"), "pushName": "Conform Sandbox", "platform": "android"});
    wire::json(reference, StatusCode::OK, body)
}

/// `session/create` for `token`, an account token when some sandbox session answers to it (L1).
pub(super) fn create(reference: &Reference, store: &mut Store, token: &str) -> Response {
    if !store.sessions.any(|s| s.access_token == token) {
        return error(reference, StatusCode::UNAUTHORIZED, "invalid_access_token", "Invalid or missing access token.");
    }
    let length = if reference.faults.has(Fault::WawpCreateShortId) { 9 } else { 12 };
    let made = store.created.get(&token.to_owned()).copied().unwrap_or(0) + 1;
    store.created.insert(token.to_owned(), made);
    let id = new_id(token, made, length);
    let status = if reference.faults.has(Fault::WawpCreateNotStopped) { Status::ScanQrCode } else { Status::Stopped };
    store.sessions.insert(id.clone(), Session::new(token.to_owned(), status));
    if reference.variants.has(Variant::WawpCreate201) {
        let body = json!({"instance_id": id, "session_name": format!("wawp-{id}"), "server_name": "sandbox-1"});
        return wire::json(reference, StatusCode::CREATED, body);
    }
    let body = json!({"instance_id": id, "status": status.as_str()});
    wire::json(reference, StatusCode::OK, body)
}

/// The id of the `made`-th session `token` creates: 12 upper-case letters and digits drawn from a
/// hash of the two, so that a run sends the same requests whatever else the server did (a flow
/// calls the session it created by this id).
fn new_id(token: &str, made: u64, length: usize) -> String {
    use std::hash::{Hash, Hasher};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (token, made).hash(&mut hasher);
    let mut bits = hasher.finish();
    (0..length)
        .map(|_| {
            let c = ALPHABET[(bits % 36) as usize] as char;
            bits = (bits / 36) ^ bits.rotate_left(29);
            c
        })
        .collect()
}

/// `session/delete`, on a session already authenticated (L5: in every status).
pub(super) fn delete(reference: &Reference, store: &mut Store, id: &str) -> Response {
    if !reference.faults.has(Fault::WawpDeleteKeepsSession) {
        store.sessions.remove(&id.to_owned());
    }
    let body = json!({"name": format!("wawp-{id}"), "status": "DELETED", "instance_id": id});
    wire::json(reference, StatusCode::OK, body)
}
