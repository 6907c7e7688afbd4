//! Linking a phone to a session in `SCAN_QR_CODE` (`contract.md` §4, §4.2): the pairing code
//! (`auth/request-code`), the QR image (`auth/qr-image`, `info.qr`) and the raw QR (`auth/qr`),
//! whose value lives at most 20 seconds of the sandbox clock and stays the same until it expires.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::super::codes::{DIGITS, LOWER, UPPER, base64, random_from};
use super::super::faults::Fault;
use super::super::outbox::Channel;
use super::super::variants::Variant;
use super::super::{Reference, wire};
use super::{Params, Qr, Session, Status, error, mismatch};

/// A pairing code lives this long.
const PAIRING_CODE_MINUTES: i64 = 3;
/// A raw QR value lives this long from the fetch that made it (Q3: at most 20 s).
const QR_LIFETIME_MS: i64 = 20_000;
/// The period of the `wawp-qr-fixed-schedule` variant.
const FIXED_PERIOD_MS: i64 = 15_000;
/// The QR image's own period under `wawp-qr-rotates-slowly`.
const SLOW_IMAGE_SECONDS: i64 = 40;

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
pub(super) fn read_phone(reference: &Reference, params: &Params) -> Result<String, Box<Response>> {
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

pub(super) fn pairing_code(
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
    session.account = phone.clone();
    let text = "A code to link a new device to WhatsApp was requested. Enter it only on your own phone.".to_owned();
    reference.outbox().send(now, &phone, Channel::Whatsapp, None, text);
    wire::json(reference, StatusCode::OK, json!({ "code": code }))
}

/// The session's current raw QR (Q3): the same value until the clock reaches its expiry, then a
/// new one living 20 seconds from that fetch. The variants and faults bend it here.
fn current_qr(reference: &Reference, session: &mut Session, id: &str, now: DateTime<Utc>) -> Qr {
    let now_ms = now.timestamp_millis();
    if reference.variants.has(Variant::WawpQrFixedSchedule) {
        let period = now_ms.div_euclid(FIXED_PERIOD_MS);
        let value = format!("2@{}", base64(format!("conform-qr:{id}:{period}").as_bytes()));
        return Qr { value, expiry_ms: (period + 1) * FIXED_PERIOD_MS };
    }
    let pairing = session.pairing_code.is_some() && reference.variants.has(Variant::WawpPairingStopsQr);
    let faults = &reference.faults;
    let qr = match session.qr.take() {
        Some(qr) if pairing || (now_ms >= qr.expiry_ms && faults.has(Fault::WawpRawQrNeverRotates)) => {
            Qr { value: qr.value, expiry_ms: now_ms + QR_LIFETIME_MS }
        }
        Some(qr) if now_ms < qr.expiry_ms && faults.has(Fault::WawpRawQrUnstable) => {
            Qr { value: new_qr_value(), expiry_ms: qr.expiry_ms }
        }
        Some(qr) if now_ms < qr.expiry_ms => qr,
        _ => Qr { value: new_qr_value(), expiry_ms: now_ms + QR_LIFETIME_MS },
    };
    session.qr = Some(qr.clone());
    qr
}

/// A QR payload in WhatsApp's style: a ref, then keys, comma-separated.
fn new_qr_value() -> String {
    let alphabet: &[&[u8]] = &[DIGITS, LOWER, UPPER, b"+/"];
    format!("2@{},{},{}", random_from(60, alphabet), random_from(44, alphabet), random_from(44, alphabet))
}

/// A small data URL standing in for the QR image: it shows the raw value (or, under
/// `wawp-qr-rotates-slowly`, changes every 40 seconds on its own).
pub(super) fn qr_data_url(reference: &Reference, session: &mut Session, id: &str, now: DateTime<Utc>) -> String {
    let shown = if reference.variants.has(Variant::WawpQrRotatesSlowly) {
        format!("conform-qr:{id}:{}", now.timestamp().div_euclid(SLOW_IMAGE_SECONDS))
    } else {
        current_qr(reference, session, id, now).value
    };
    format!("data:image/png;base64,{}", base64(shown.as_bytes()))
}

pub(super) fn qr_image(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    _params: &Params,
    now: DateTime<Utc>,
) -> Response {
    if session.status != Status::ScanQrCode && !reference.faults.has(Fault::WawpQrAnyStatus) {
        return mismatch(reference, session.status, &[Status::ScanQrCode]);
    }
    wire::json(reference, StatusCode::OK, json!({ "qr": qr_data_url(reference, session, id, now) }))
}

/// `auth/qr` (Q1, Q2): `{"mimetype": "application/json", "data": base64 of {value, expiry}}`.
pub(super) fn qr_raw(
    reference: &Reference,
    session: &mut Session,
    id: &str,
    params: &Params,
    now: DateTime<Utc>,
) -> Response {
    if reference.variants.has(Variant::WawpQrOtherFormatsRefused) && params.all("format").any(|format| format != "raw")
    {
        return error(reference, StatusCode::BAD_REQUEST, "invalid_parameter", "format must be raw.");
    }
    if session.status != Status::ScanQrCode && !reference.faults.has(Fault::WawpRawQrAnyStatus) {
        return mismatch(reference, session.status, &[Status::ScanQrCode]);
    }
    let qr = current_qr(reference, session, id, now);
    let expiry = if reference.faults.has(Fault::WawpRawQrExpirySeconds) { qr.expiry_ms / 1000 } else { qr.expiry_ms };
    let data = json!({"value": qr.value, "expiry": expiry}).to_string();
    wire::json(reference, StatusCode::OK, json!({"mimetype": "application/json", "data": base64(data.as_bytes())}))
}
