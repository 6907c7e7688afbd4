//! Hypersender OTP v2 (`contract.md` §5, `docs/reference-behaviour.md`): request-code generates a
//! code of the requested length and charset, stores it with its TTL and "sends" it to the chat;
//! validate-code accepts the chat's active code once; generate-link (§5.1) lives in `link.rs`.
//! Also the Hypersender fixture states.

mod link;

pub use link::expire_links;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::bounded::BoundedMap;
use super::codes::{DIGITS, LOWER, UPPER, random_from};
use super::faults::Fault;
use super::fields::{self, FieldError, Fields, Problem};
use super::outbox::Channel;
use super::sandbox::{param, unknown_state};
use super::variants::Variant;
use super::wire::{self, BodyError};
use super::{MAX_INSTANCES, Reference, lock};

/// At most this many OTPs (one per chat) are kept per instance.
const MAX_CHATS_PER_INSTANCE: usize = 10_000;
/// An OTP is forgotten this long after it expired.
const GRACE_HOURS: i64 = 24;
const CHAT_PATTERN: &str = "^[0-9]{6,15}@c\\.us$";
const CHAT_SUFFIX: &str = "@c.us";

#[derive(Debug, Clone)]
struct Otp {
    uuid: String,
    chat_id: String,
    code: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    validated_at: Option<DateTime<Utc>>,
}

#[derive(Debug)]
struct Instance {
    token: String,
    /// The active (latest) OTP per chat id.
    otps: BoundedMap<String, Otp>,
    /// Under `hypersender-no-supersede`: older codes that still validate.
    superseded: BoundedMap<String, Vec<Otp>>,
    /// Magic links, by uuid.
    links: BoundedMap<String, link::Link>,
}

#[derive(Debug)]
pub struct Store {
    instances: BoundedMap<String, Instance>,
    /// No OTP can be forgotten before this time: [`Store::sweep`] does nothing until then, so
    /// that a request does not walk every instance.
    next_sweep: DateTime<Utc>,
}

impl Default for Store {
    fn default() -> Self {
        Self::with_cap(MAX_INSTANCES)
    }
}

impl Store {
    /// A store of at most `instances` instances.
    pub fn with_cap(instances: usize) -> Self {
        Self { instances: BoundedMap::new(instances), next_sweep: DateTime::<Utc>::MIN_UTC }
    }
}

impl Store {
    /// Forgets OTPs that expired long ago. Walks the instances only when one of their OTPs can be
    /// due: an OTP made after this sweep expires after `now` (its TTL is positive), so it is due
    /// no sooner than `now + horizon`.
    fn sweep(&mut self, now: DateTime<Utc>) {
        if now < self.next_sweep {
            return;
        }
        let horizon = Duration::hours(GRACE_HOURS);
        let mut next = now + horizon;
        self.instances.for_each_mut(|instance| {
            instance.otps.retain(|_, otp| now - otp.expires_at < horizon);
            instance.otps.for_each_mut(|otp| next = next.min(otp.expires_at + horizon));
        });
        self.next_sweep = next;
    }
}

/// `2025-12-29T18:09:38+00:00`, the format of the provider's examples.
fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// A time as this server writes it: [`timestamp`], or Laravel's `2025-12-29T18:09:38.000000Z`
/// under the `hypersender-laravel-timestamps` variant.
fn time(reference: &Reference, at: DateTime<Utc>) -> String {
    if reference.variants.has(Variant::HypersenderLaravelTimestamps) {
        at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    } else {
        timestamp(at)
    }
}

/// A `message` text, reworded under the `hypersender-other-messages` variant. The texts that
/// `contract.md` §5 fixes (`Unauthenticated.`, `Instance not found.`) and the success messages of
/// the provider's own examples never pass through here.
fn say(reference: &Reference, text: &'static str) -> &'static str {
    if !reference.variants.has(Variant::HypersenderOtherMessages) {
        return text;
    }
    match text {
        "Unsupported Media Type." => "The request body must be sent as application/json.",
        "The request body is not valid JSON." => "Malformed JSON in the request body.",
        "No active OTP for this chat." => "There is no OTP to validate for this chat.",
        "The OTP code has expired." => "This OTP has expired, request a new one.",
        "The OTP code was already used." => "This OTP has already been validated.",
        "The OTP code is invalid." => "Invalid OTP code.",
        other => other,
    }
}

/// A validate-code failure's `data.status`; other strings under `hypersender-other-statuses`.
fn failure_status(reference: &Reference, status: &'static str) -> &'static str {
    if !reference.variants.has(Variant::HypersenderOtherStatuses) {
        return status;
    }
    match status {
        "invalid_code" => "invalid",
        "already_used" => "used",
        "no_active_otp" => "not_found",
        other => other,
    }
}

pub fn routes() -> Router<Arc<Reference>> {
    Router::new()
        .route("/api/otp/v2/{instance}/request-code", post(request_code))
        .route("/api/otp/v2/{instance}/validate-code", post(validate_code))
        .route("/api/otp/v2/{instance}/generate-link", post(link::generate_link))
}

fn message(reference: &Reference, status: StatusCode, text: &str) -> Response {
    wire::json(reference, status, json!({ "message": text }))
}

/// Laravel's validation answer for one field: 422 (400 under `hypersender-validation-400`).
fn invalid(reference: &Reference, field: &str, text: &str) -> Response {
    let status = if reference.faults.has(Fault::HypersenderValidation400) {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // Laravel before 9 said this for every validation failure.
    let message =
        if reference.variants.has(Variant::HypersenderOtherMessages) { "The given data was invalid." } else { text };
    wire::json(reference, status, json!({ "message": message, "errors": { field: [text] } }))
}

/// A field that breaks the schema: which one, and Laravel's sentence for it.
struct Invalid {
    field: &'static str,
    text: String,
}

impl From<FieldError> for Invalid {
    fn from(error: FieldError) -> Self {
        Invalid { field: error.field, text: laravel(&error) }
    }
}

/// An operation on an authenticated instance.
type Operation = fn(&Reference, &mut Instance, DateTime<Utc>, &Fields) -> Result<Response, Invalid>;
/// Its field checks alone (for the `body-checks-first` variant).
type Validate = fn(&Reference, &Fields) -> Result<(), Invalid>;

/// `chatId` → `chat id`, as Laravel writes attribute names.
fn attribute(field: &str) -> String {
    let mut out = String::new();
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A field error as Laravel words it.
fn laravel(error: &FieldError) -> String {
    let name = attribute(error.field);
    match &error.problem {
        Problem::NotAnObject => "The request body must be a JSON object.".to_owned(),
        Problem::Missing => format!("The {name} field is required."),
        Problem::WrongType(t) => format!("The {name} field must be {t}."),
        Problem::Pattern(_) => format!("The {name} field format is invalid."),
        Problem::Length { min: 0, max } => format!("The {name} field must not be greater than {max} characters."),
        Problem::Length { min, max } => format!("The {name} field must be between {min} and {max} characters."),
        Problem::Range { min, max } => format!("The {name} field must be between {min} and {max}."),
        Problem::NotOneOf(_) => format!("The selected {name} is invalid."),
    }
}

/// The bearer token, the instance, and the token is the instance's.
fn authenticate(
    reference: &Reference,
    store: &Store,
    instance_id: &str,
    headers: &HeaderMap,
) -> Result<(), Box<Response>> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let ignore_auth = reference.faults.has(Fault::HypersenderAuthIgnored);
    if bearer.is_none() && !ignore_auth {
        return Err(Box::new(message(reference, StatusCode::UNAUTHORIZED, "Unauthenticated.")));
    }
    let Some(instance) = store.instances.get(&instance_id.to_owned()) else {
        return Err(Box::new(message(reference, StatusCode::NOT_FOUND, "Instance not found.")));
    };
    if bearer != Some(instance.token.as_str()) && !ignore_auth {
        return Err(Box::new(message(reference, StatusCode::UNAUTHORIZED, "Unauthenticated.")));
    }
    Ok(())
}

/// Authentication, media type, JSON, then the operation (under `body-checks-first`: media type,
/// JSON and the fields, then authentication and the operation).
fn handle(
    reference: &Reference,
    instance_id: &str,
    headers: &HeaderMap,
    body: &[u8],
    (operation, validate): (Operation, Validate),
) -> Response {
    let body_first = reference.variants.has(Variant::BodyChecksFirst);
    let mut store = lock(&reference.hypersender);
    let now = reference.clock.now();
    store.sweep(now);
    if !body_first && let Err(answer) = authenticate(reference, &store, instance_id, headers) {
        return *answer;
    }
    let body = match wire::read_json(headers, body, true, &reference.faults) {
        Ok(body) => body.unwrap_or(Value::Null),
        Err(BodyError::UnsupportedMediaType) => {
            let text = say(reference, "Unsupported Media Type.");
            return wire::unsupported_media_type(reference, json!({ "message": text }));
        }
        Err(BodyError::NotJson(_)) => {
            return invalid(reference, "body", say(reference, "The request body is not valid JSON."));
        }
        Err(BodyError::Crash) => return wire::crash(),
    };
    let fields = match fields::object(&body) {
        Ok(fields) => fields,
        Err(error) => return invalid(reference, error.field, &laravel(&error)),
    };
    if body_first {
        if let Err(error) = validate(reference, fields) {
            return invalid(reference, error.field, &error.text);
        }
        if let Err(answer) = authenticate(reference, &store, instance_id, headers) {
            return *answer;
        }
    }
    let instance = store.instances.get_mut(&instance_id.to_owned()).expect("authenticated above");
    match operation(reference, instance, now, fields) {
        Ok(response) => response,
        Err(error) => invalid(reference, error.field, &error.text),
    }
}

async fn request_code(
    State(reference): State<Arc<Reference>>,
    Path(instance): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(&reference, &instance, &headers, &body, (request, |r, b| read_request(r, b).map(|_| ())))
}

async fn validate_code(
    State(reference): State<Arc<Reference>>,
    Path(instance): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(&reference, &instance, &headers, &body, (validate, |_, b| read_validation(b).map(|_| ())))
}

/// Reads and checks `chatId`; returns it and its digits.
fn chat_id(body: &Fields) -> Result<(String, String), FieldError> {
    let chat = fields::required_str(body, "chatId")?;
    let digits = fields::digits_with_suffix(chat, CHAT_SUFFIX, "chatId", (6, 15), CHAT_PATTERN)?;
    Ok((chat.to_owned(), digits.to_owned()))
}

/// The alphabets a code is drawn from.
fn alphabets(use_letter: bool, use_number: bool, all_capital: bool) -> Vec<&'static [u8]> {
    let mut out = Vec::new();
    if use_number {
        out.push(DIGITS);
    }
    if use_letter {
        out.push(UPPER);
        if !all_capital {
            out.push(LOWER);
        }
    }
    out
}

/// The fields of a request-code call.
struct CodeRequest {
    chat: String,
    digits: String,
    length: i64,
    use_letter: bool,
    use_number: bool,
    all_capital: bool,
    name: String,
    expires: i64,
}

fn read_request(reference: &Reference, body: &Fields) -> Result<CodeRequest, Invalid> {
    let (chat, digits) = chat_id(body)?;
    let length = fields::optional_int(body, "length", 6, (4, 10))?;
    let use_letter = fields::optional_bool(body, "useLetter", false)?;
    let use_number = fields::optional_bool(body, "useNumber", true)?;
    let all_capital = fields::optional_bool(body, "allCapital", false)?;
    let name = fields::optional_str(body, "name")?.unwrap_or("Hypersender").to_owned();
    let max_name = if reference.variants.has(Variant::HypersenderLongNames) { 255 } else { 64 };
    fields::length(&name, "name", (0, max_name))?;
    let expires = fields::optional_int(body, "expires", 1800, (60, 1800))?;
    if !use_letter && !use_number {
        let text = "The use number field must be true when use letter is false.".to_owned();
        return Err(Invalid { field: "useNumber", text });
    }
    Ok(CodeRequest { chat, digits, length, use_letter, use_number, all_capital, name, expires })
}

fn request(
    reference: &Reference,
    instance: &mut Instance,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Response, Invalid> {
    let CodeRequest { chat, digits, length, use_letter, use_number, all_capital, name, expires } =
        read_request(reference, body)?;
    let faults = &reference.faults;
    let length = usize::try_from(length).unwrap_or(6) + usize::from(faults.has(Fault::HypersenderCodeLengthOffByOne));
    let mut code = random_from(length, &alphabets(use_letter, use_number, all_capital));
    if faults.has(Fault::HypersenderCharsetIgnored) && !use_letter {
        code.replace_range(0..1, "A");
    }
    let ttl = if faults.has(Fault::HypersenderExpiresAtWrong) { 1800 } else { expires };
    let otp = Otp {
        uuid: uuid::Uuid::new_v4().to_string(),
        chat_id: chat.clone(),
        code,
        created_at: now,
        expires_at: now + Duration::seconds(ttl),
        validated_at: None,
    };
    reference.outbox().send(
        now,
        &digits,
        Channel::Whatsapp,
        Some(&otp.code),
        format!("Your {name} verification code is {}", otp.code),
    );
    if let Some(previous) = instance.otps.get(&chat).cloned().filter(|_| faults.has(Fault::HypersenderNoSupersede)) {
        let mut older = instance.superseded.get(&chat).cloned().unwrap_or_default();
        older.push(previous);
        instance.superseded.insert(chat.clone(), older);
    }
    instance.otps.insert(chat, otp.clone());
    let expires_at = if faults.has(Fault::HypersenderExpiresAtNotDateTime) {
        otp.expires_at.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        time(reference, otp.expires_at)
    };
    Ok(wire::json(
        reference,
        StatusCode::OK,
        json!({
            "success": true,
            "message": if faults.has(Fault::HypersenderRewordedMessage) {
                "OTP code generated and queued"
            } else {
                "OTP code generated and message queued successfully"
            },
            "data": {
                "uuid": otp.uuid,
                "chat_id": otp.chat_id,
                "code": otp.code,
                "status": "pending",
                "otp_type": "code",
                "expires_at": expires_at,
                "created_at": time(reference, otp.created_at),
            }
        }),
    ))
}

fn refusal(reference: &Reference, text: &'static str, status: &'static str) -> Response {
    let (text, status) = (say(reference, text), failure_status(reference, status));
    wire::json(
        reference,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"success": false, "message": text, "data": {"status": status}}),
    )
}

fn read_validation(body: &Fields) -> Result<(String, &str), Invalid> {
    let (chat, _) = chat_id(body)?;
    let given = fields::required_str(body, "code")?;
    fields::length(given, "code", (1, 32))?;
    Ok((chat, given))
}

fn validate(
    reference: &Reference,
    instance: &mut Instance,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Response, Invalid> {
    let (chat, given) = read_validation(body)?;
    let faults = &reference.faults;
    let digits: String = chat.chars().filter(char::is_ascii_digit).collect();
    if let Some(uuid) = link::validate_link_code(reference, instance, &digits, given, now) {
        let data = json!({"uuid": uuid, "chat_id": chat, "status": "validated", "validated_at": time(reference, now)});
        let body = json!({"success": true, "message": "OTP code validated successfully", "data": data});
        return Ok(wire::json(reference, StatusCode::OK, body));
    }
    let older = instance.superseded.get(&chat).cloned().unwrap_or_default();
    let Some(otp) = instance.otps.get_mut(&chat) else {
        return Ok(refusal(reference, "No active OTP for this chat.", "no_active_otp"));
    };
    let matches = otp.code == given || faults.has(Fault::HypersenderWrongCodeAccepted);
    let matches_older = older.iter().any(|o| o.code == given && now < o.expires_at);
    if otp.validated_at.is_some() && !faults.has(Fault::HypersenderCodeReusable) {
        return Ok(if otp.code == given {
            refusal(reference, "The OTP code was already used.", "already_used")
        } else {
            refusal(reference, "No active OTP for this chat.", "no_active_otp")
        });
    }
    if now >= otp.expires_at && !faults.has(Fault::HypersenderExpiryNotEnforced) {
        return Ok(refusal(reference, "The OTP code has expired.", "expired"));
    }
    if !matches && !matches_older {
        return Ok(refusal(reference, "The OTP code is invalid.", "invalid_code"));
    }
    otp.validated_at = Some(now);
    Ok(wire::json(
        reference,
        StatusCode::OK,
        json!({
            "success": true,
            "message": "OTP code validated successfully",
            "data": {
                "uuid": otp.uuid,
                "chat_id": otp.chat_id,
                "status": "validated",
                "validated_at": time(reference, now),
            }
        }),
    ))
}

/// The Hypersender fixture states of `POST /__sandbox/state`: `instance` {instance, token}, and
/// `inbound-message` {instance, chatId, text} (`contract.md` §6.1).
pub fn apply_state(reference: &Reference, state: &str, params: &Fields) -> Result<(), String> {
    match state {
        "instance" => {}
        "inbound-message" => return link::inbound(reference, params),
        _ => return Err(unknown_state("hypersender", state, &["instance", "inbound-message"])),
    }
    let instance = param(params, "instance")?;
    let token = param(params, "token")?;
    let fresh = Instance {
        token: token.to_owned(),
        otps: BoundedMap::new(MAX_CHATS_PER_INSTANCE),
        superseded: BoundedMap::new(MAX_CHATS_PER_INSTANCE),
        links: BoundedMap::new(MAX_CHATS_PER_INSTANCE),
    };
    lock(&reference.hypersender).instances.insert(instance.to_owned(), fresh);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets_follow_the_flags() {
        let draw = |l, n, c| random_from(200, &alphabets(l, n, c));
        assert!(draw(false, true, false).bytes().all(|b| b.is_ascii_digit()));
        assert!(draw(true, false, true).bytes().all(|b| b.is_ascii_uppercase()));
        let letters = draw(true, false, false);
        assert!(letters.bytes().all(|b| b.is_ascii_alphabetic()));
        assert!(letters.bytes().any(|b| b.is_ascii_lowercase()), "mixed case without allCapital");
        let both = draw(true, true, true);
        assert!(both.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        assert!(alphabets(false, false, false).is_empty());
    }

    #[test]
    fn laravel_wording() {
        assert_eq!(attribute("chatId"), "chat id");
        assert_eq!(laravel(&FieldError::new("chatId", Problem::Missing)), "The chat id field is required.");
        assert_eq!(
            laravel(&FieldError::new("length", Problem::Range { min: 4, max: 10 })),
            "The length field must be between 4 and 10."
        );
    }

    #[test]
    fn timestamps_match_the_provider_format() {
        let at = DateTime::parse_from_rfc3339("2025-12-29T17:39:38Z").unwrap().with_timezone(&Utc);
        assert_eq!(timestamp(at), "2025-12-29T17:39:38+00:00");
    }
}
