//! Z-API mobile registration (`contract.md` §3, `docs/reference-behaviour.md`): availability →
//! request code (→ captcha) → confirm code (→ PIN), per instance, with the Client-Token check,
//! waits between code requests, code expiry, the attempt limit and single use; PIN recovery and
//! unbanning appeals (§3.1); the account's PIN and email once connected (§3.2). Also the Z-API
//! fixture states of the sandbox.
//!
//! This file holds what every operation shares: the stores, authentication, the order of checks
//! and the wording of refusals. The operations live beside it, one concern per file.

mod recovery;
mod registration;
mod security;
mod states;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::bounded::BoundedMap;
use super::clock::seconds_until;
use super::faults::Fault;
use super::fields::{self, FieldError, Fields};
use super::variants::Variant;
use super::wire::{self, BodyError};
use super::{MAX_INSTANCES, Reference, lock};

pub use states::apply_state;

/// A registration code is valid this long.
const CODE_TTL_MINUTES: i64 = 10;
/// Numbers with a fixture state, across all instances.
const MAX_NUMBER_STATES: usize = 10_000;
/// Numbers one instance remembers progress for.
const MAX_NUMBERS_PER_INSTANCE: usize = 100;
/// Expired codes are kept this long (to answer "code expired"), then forgotten.
const EXPIRED_CODE_GRACE_HOURS: i64 = 24;

const PHONE_PATTERN: &str = "^[0-9]{8,13}$";
const DDI_PATTERN: &str = "^[0-9]{1,3}$";

/// A phone number as Z-API splits it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Number {
    ddi: String,
    phone: String,
}

impl Number {
    /// The outbox address: `<ddi><phone>`.
    fn address(&self) -> String {
        format!("{}{}", self.ddi, self.phone)
    }
}

/// What the sandbox made of a number (`contract.md` §6).
#[derive(Debug, Clone, PartialEq, Eq)]
enum NumberState {
    /// Banned at availability; registration-available hands out `appeal_token` (§3.1 R3).
    Banned {
        appeal_token: String,
    },
    BannedAtRequest,
    CaptchaRequired,
    PinRequired {
        pin: String,
    },
    DeviceConfirmRequired,
}

#[derive(Debug, Default)]
struct Progress {
    /// No new code for this number before this time.
    wait_until: Option<DateTime<Utc>>,
    captcha_solved: bool,
}

#[derive(Debug)]
struct PendingCaptcha {
    number: Number,
    method: &'static str,
    answer: String,
}

#[derive(Debug)]
struct IssuedCode {
    /// The number the code was sent to.
    number: Number,
    code: String,
    issued_at: DateTime<Utc>,
    wrong_attempts: u32,
    used: bool,
}

/// A registration that waits for the two-step PIN (§3.1 R1).
#[derive(Debug)]
struct PinWait {
    number: Number,
    pin: String,
    /// Recoveries asked during this wait.
    recoveries: u32,
}

/// The account's email (§3.2 S4, S5).
#[derive(Debug, Clone)]
struct Email {
    address: String,
    verified: bool,
    /// The code of the latest set, while the email is unverified.
    code: Option<String>,
    /// When that code was filed (for the `zapi-email-code-strict` variant).
    sent_at: DateTime<Utc>,
}

/// The account of a connected instance (§3.2).
#[derive(Debug)]
struct Account {
    number: Number,
    pin: Option<String>,
    email: Option<Email>,
}

#[derive(Debug)]
struct Instance {
    token: String,
    client_token: String,
    /// The last number that passed registration-available on this instance.
    checked: Option<Number>,
    progress: BoundedMap<Number, Progress>,
    captcha: Option<PendingCaptcha>,
    code: Option<IssuedCode>,
    pin_pending: Option<PinWait>,
    /// Set once connected (C1): the account the security operations act on.
    account: Option<Account>,
}

impl Instance {
    fn new(token: String, client_token: String) -> Self {
        Self {
            token,
            client_token,
            checked: None,
            progress: BoundedMap::new(MAX_NUMBERS_PER_INSTANCE),
            captcha: None,
            code: None,
            pin_pending: None,
            account: None,
        }
    }

    fn connected(&self) -> bool {
        self.account.is_some()
    }

    fn remaining_wait(&self, number: &Number, now: DateTime<Utc>) -> i64 {
        let until = self.progress.get(number).and_then(|p| p.wait_until);
        until.map_or(0, |until| seconds_until(now, until))
    }
}

#[derive(Debug)]
pub struct Store {
    instances: BoundedMap<String, Instance>,
    numbers: BoundedMap<Number, NumberState>,
    /// Every appeal token registration-available handed out (§3.1 R3), with its appeal.
    appeals: BoundedMap<String, recovery::Appeal>,
    /// No code can be forgotten before this time: [`Store::sweep`] does nothing until then, so
    /// that a request does not walk every instance.
    next_sweep: DateTime<Utc>,
}

impl Default for Store {
    fn default() -> Self {
        Self::with_cap(MAX_INSTANCES)
    }
}

impl Store {
    /// A store of at most `instances` instances (and as many numbers with a fixture state).
    pub fn with_cap(instances: usize) -> Self {
        Self {
            instances: BoundedMap::new(instances),
            numbers: BoundedMap::new(MAX_NUMBER_STATES.min(instances)),
            appeals: BoundedMap::new(MAX_NUMBER_STATES.min(instances)),
            next_sweep: DateTime::<Utc>::MIN_UTC,
        }
    }

    /// Forgets codes that expired long ago. Walks the instances only when one of their codes can
    /// be due: codes are issued at the handler's `now`, so one issued after this sweep is due no
    /// sooner than `now + horizon`.
    fn sweep(&mut self, now: DateTime<Utc>) {
        if now < self.next_sweep {
            return;
        }
        let horizon = Duration::minutes(CODE_TTL_MINUTES) + Duration::hours(EXPIRED_CODE_GRACE_HOURS);
        let mut next = now + horizon;
        self.instances.for_each_mut(|instance| {
            if instance.code.as_ref().is_some_and(|c| now - c.issued_at > horizon) {
                instance.code = None;
            }
            if let Some(code) = &instance.code {
                next = next.min(code.issued_at + horizon);
            }
        });
        self.next_sweep = next;
    }
}

pub fn routes() -> Router<Arc<Reference>> {
    let mobile = "/instances/{instance_id}/token/{token}/mobile";
    let security = "/instances/{instance_id}/token/{token}/security";
    Router::new()
        .route(&format!("{mobile}/registration-available"), post(registration_available))
        .route(&format!("{mobile}/request-registration-code"), post(request_registration_code))
        .route(&format!("{mobile}/respond-captcha"), post(respond_captcha))
        .route(&format!("{mobile}/confirm-registration-code"), post(confirm_registration_code))
        .route(&format!("{mobile}/confirm-pin-code"), post(confirm_pin_code))
        .route(&format!("{mobile}/recovery-pin-code"), post(recovery_pin_code))
        .route(&format!("{mobile}/request-unbanning"), post(request_unbanning))
        .route(&format!("{security}/two-fa-code"), get(has_pin).post(set_pin))
        .route(&format!("{security}/two-fa-code/remove"), post(remove_pin))
        .route(&format!("{security}/email"), get(get_email).post(set_email))
        .route(&format!("{security}/verify-email"), post(verify_email))
        .route(&format!("{security}/email/remove"), post(remove_email))
}

/// Why an operation did not answer 200.
enum Refusal {
    Invalid(FieldError),
    Crash,
}

impl From<FieldError> for Refusal {
    fn from(e: FieldError) -> Self {
        Refusal::Invalid(e)
    }
}

/// One operation's business logic, run with the store locked on an authenticated instance.
type Operation = fn(&Reference, &mut Store, &str, DateTime<Utc>, &Fields) -> Result<Value, Refusal>;
/// One operation's field checks alone, without the store (for the `body-checks-first` variant).
type Validate = fn(&Reference, &Fields) -> Result<(), Refusal>;

/// Whether an operation takes a JSON body, or none (§3.2 S2: the GETs, the removes and
/// recovery-pin-code need no `Content-Type` when they send no body).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    Json,
    Nothing,
}

fn error(reference: &Reference, status: StatusCode, message: &str) -> Response {
    wire::json(reference, status, json!({ "error": message }))
}

fn refusal(reference: &Reference, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Invalid(e) => error(reference, StatusCode::BAD_REQUEST, &invalid_text(reference, &e)),
        Refusal::Crash => wire::crash(),
    }
}

/// The instance exists, the token is its own, and the Client-Token header matches.
fn authenticate(
    reference: &Reference,
    store: &Store,
    instance_id: &str,
    token: &str,
    headers: &HeaderMap,
) -> Result<(), Box<Response>> {
    let Some(instance) = store.instances.get(&instance_id.to_owned()).filter(|i| i.token == token) else {
        return Err(Box::new(error(reference, StatusCode::NOT_FOUND, "Instance not found")));
    };
    if !reference.faults.has(Fault::ZapiClientTokenIgnored) {
        match headers.get("client-token").map(|v| v.as_bytes()) {
            None => {
                return Err(Box::new(error(reference, StatusCode::BAD_REQUEST, "your client-token is not configured")));
            }
            Some(given) if given != instance.client_token.as_bytes() => {
                return Err(Box::new(error(reference, StatusCode::FORBIDDEN, "Client-Token not allowed")));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Authentication, media type, JSON and the operation, in that order (under `body-checks-first`:
/// media type, JSON and the fields, then authentication and the operation).
fn handle(
    reference: &Reference,
    (instance_id, token): (&str, &str),
    headers: &HeaderMap,
    body: &[u8],
    (operation, validate, takes): (Operation, Validate, Takes),
) -> Response {
    let body_first = reference.variants.has(Variant::BodyChecksFirst);
    let mut store = lock(&reference.zapi);
    if !body_first && let Err(answer) = authenticate(reference, &store, instance_id, token, headers) {
        return *answer;
    }
    let body = match wire::read_json(headers, body, takes == Takes::Json, &reference.faults) {
        Ok(Some(body)) => body,
        Ok(None) => Value::Null,
        Err(BodyError::UnsupportedMediaType) => {
            let text = say(reference, "Content-Type must be application/json");
            return wire::unsupported_media_type(reference, json!({ "error": text }));
        }
        Err(BodyError::NotJson(_)) => {
            return error(reference, StatusCode::BAD_REQUEST, say(reference, "Invalid JSON body"));
        }
        Err(BodyError::Crash) => return wire::crash(),
    };
    let empty = Fields::new();
    let fields = match (takes, &body) {
        // A body the operation does not take is read (415 and 400 above), then ignored.
        (Takes::Nothing, _) => &empty,
        (Takes::Json, body) => match fields::object(body) {
            Ok(fields) => fields,
            Err(e) => return refusal(reference, e.into()),
        },
    };
    if body_first {
        if let Err(e) = validate(reference, fields) {
            return refusal(reference, e);
        }
        if let Err(answer) = authenticate(reference, &store, instance_id, token, headers) {
            return *answer;
        }
    }
    let now = reference.clock.now();
    store.sweep(now);
    match operation(reference, &mut store, instance_id, now, fields) {
        Ok(answer) => wire::json(reference, StatusCode::OK, answer),
        Err(e) => refusal(reference, e),
    }
}

macro_rules! handler {
    ($name:ident, $operation:path, $validate:expr, $takes:expr) => {
        async fn $name(
            State(reference): State<Arc<Reference>>,
            Path((instance_id, token)): Path<(String, String)>,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            handle(&reference, (&instance_id, &token), &headers, &body, ($operation, $validate, $takes))
        }
    };
}

/// The field checks of an operation that takes no body.
fn nothing_to_check(_: &Reference, _: &Fields) -> Result<(), Refusal> {
    Ok(())
}

handler!(registration_available, registration::available, |r, b| read_number(r, b).map(|_| ()), Takes::Json);
handler!(
    request_registration_code,
    registration::request_code,
    |r, b| registration::read_code_request(r, b).map(|_| ()),
    Takes::Json
);
handler!(respond_captcha, registration::captcha, |r, b| registration::read_captcha(r, b).map(|_| ()), Takes::Json);
handler!(
    confirm_registration_code,
    registration::confirm_code,
    |r, b| registration::read_code(r, b).map(|_| ()),
    Takes::Json
);
handler!(confirm_pin_code, registration::confirm_pin, |r, b| registration::read_code(r, b).map(|_| ()), Takes::Json);
handler!(request_unbanning, recovery::request_unbanning, |_, b| recovery::read_appeal(b).map(|_| ()), Takes::Json);
handler!(has_pin, security::has_pin, nothing_to_check, Takes::Nothing);
handler!(set_pin, security::set_pin, |_, b| security::read_pin(b).map(|_| ()), Takes::Json);
handler!(remove_pin, security::remove_pin, nothing_to_check, Takes::Nothing);
handler!(get_email, security::get_email, nothing_to_check, Takes::Nothing);
handler!(verify_email, security::verify_email, |_, b| security::read_verification(b).map(|_| ()), Takes::Json);
handler!(remove_email, security::remove_email, nothing_to_check, Takes::Nothing);

/// The two operations that reach a person (an email) are counted as they arrive, before any
/// check: the send guard's tests measure that a target without a sandbox never sees them.
async fn recovery_pin_code(
    State(reference): State<Arc<Reference>>,
    Path((instance_id, token)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    reference.count_sending_call();
    let steps = (recovery::recovery_pin_code as Operation, nothing_to_check as Validate, Takes::Nothing);
    handle(&reference, (&instance_id, &token), &headers, &body, steps)
}

async fn set_email(
    State(reference): State<Arc<Reference>>,
    Path((instance_id, token)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    reference.count_sending_call();
    let validate: Validate = |_, b| security::read_email(b).map(|_| ());
    handle(&reference, (&instance_id, &token), &headers, &body, (security::set_email, validate, Takes::Json))
}

/// Reads and validates `ddi` and `phone`.
fn read_number(reference: &Reference, body: &Fields) -> Result<Number, Refusal> {
    let ddi = fields::required_str(body, "ddi")?;
    let phone = fields::required_str(body, "phone")?;
    if reference.faults.has(Fault::ZapiLongPhone500) && phone.chars().count() > 13 {
        return Err(Refusal::Crash);
    }
    fields::digits(ddi, "ddi", (1, 3), DDI_PATTERN)?;
    if !reference.faults.has(Fault::ZapiPhonePatternUnchecked) {
        fields::digits(phone, "phone", (8, 13), PHONE_PATTERN)?;
    }
    Ok(Number { ddi: ddi.to_owned(), phone: phone.to_owned() })
}

fn instance<'a>(store: &'a mut Store, id: &str) -> &'a mut Instance {
    store.instances.get_mut(&id.to_owned()).expect("handle() checked that the instance exists")
}

/// A `reason` or `error` text, reworded under the `zapi-other-messages` variant. The texts that
/// `contract.md` fixes (the 404 and Client-Token bodies, C1's `already connected`) never pass
/// through here.
fn say(reference: &Reference, text: &'static str) -> &'static str {
    if !reference.variants.has(Variant::ZapiOtherMessages) {
        return text;
    }
    match text {
        "Invalid JSON body" => "The request body is not valid JSON",
        "Content-Type must be application/json" => "Unsupported media type: send application/json",
        "number is banned" => "this number is banned from WhatsApp",
        "registration-available must be called first" => "check the number's availability first",
        "phone differs from the one checked" => "this is not the number that was checked",
        "wait before requesting again" => "too many requests, try again later",
        "captcha required" => "solve the captcha first",
        "no captcha pending" => "there is no captcha to answer",
        "wrong captcha answer" => "incorrect captcha",
        "no code requested" => "request a code first",
        "code already used" => "this code was used already",
        "code expired" => "the code has expired, request a new one",
        "wrong code" => "invalid code",
        "too many attempts" => "too many wrong codes, request a new one",
        "no PIN pending" => "no security code was requested",
        "wrong PIN" => "invalid security code",
        "recovery already requested" => "a recovery email was sent already",
        "unknown appeal token" => "this appeal token is not valid",
        "appeal already sent" => "an appeal for this number is under review already",
        "instance not connected" => "this feature needs a connected mobile instance",
        "no PIN set" => "there is no security code to remove",
        "no email set" => "there is no email on this account",
        "email already verified" => "this email is verified already",
        "wrong verification code" => "invalid verification code",
        other => other,
    }
}

/// A field error as a 400 `error` text.
fn invalid_text(reference: &Reference, error: &FieldError) -> String {
    if reference.variants.has(Variant::ZapiOtherMessages) {
        format!("Invalid request: field `{}` is not valid ({})", error.field, error.sentence())
    } else {
        error.sentence()
    }
}

fn refuse(reference: &Reference, reason: &'static str) -> Value {
    json!({"success": false, "reason": say(reference, reason)})
}

/// C1: while connected, the registration calls refuse with this body before any other business
/// check. Its text is `contract.md`'s, so no variant rewords it.
fn already_connected() -> Value {
    json!({"success": false, "reason": "already connected"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_address_concatenates_ddi_and_phone() {
        let number = Number { ddi: "55".into(), phone: "4499999999".into() };
        assert_eq!(number.address(), "554499999999");
    }

    #[test]
    fn sweep_forgets_codes_only_after_the_grace_period() {
        let mut store = Store::default();
        let now = Utc::now();
        let mut instance = Instance::new("t".into(), "c".into());
        let number = Number { ddi: "55".into(), phone: "4499999999".into() };
        instance.code =
            Some(IssuedCode { number, code: "123456".into(), issued_at: now, wrong_attempts: 0, used: false });
        store.instances.insert("i".into(), instance);
        store.sweep(now + Duration::hours(1));
        assert!(
            store.instances.get(&"i".to_owned()).unwrap().code.is_some(),
            "an expired code is remembered for a while"
        );
        store.sweep(now + Duration::hours(EXPIRED_CODE_GRACE_HOURS + 1));
        assert!(store.instances.get(&"i".to_owned()).unwrap().code.is_none());
    }
}
