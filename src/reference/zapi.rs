//! Z-API mobile registration (`contract.md` §3, `docs/reference-behaviour.md`): availability →
//! request code (→ captcha) → confirm code (→ PIN), per instance, with the Client-Token check,
//! waits between code requests, code expiry, the attempt limit and single use. Also the Z-API
//! fixture states of the sandbox.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::bounded::BoundedMap;
use super::clock::seconds_until;
use super::codes::{DIGITS, LOWER, UPPER, base64, random_digits, random_from};
use super::faults::Fault;
use super::fields::{self, FieldError, Fields};
use super::outbox::Channel;
use super::sandbox::{param, unknown_state};
use super::variants::Variant;
use super::wire::{self, BodyError};
use super::{MAX_INSTANCES, Reference, lock};

/// A registration code is valid this long.
const CODE_TTL_MINUTES: i64 = 10;
/// The fifth wrong code invalidates the code.
const MAX_ATTEMPTS: u32 = 5;
/// Sending a code starts this wait on every method for that number.
const WAIT_SECONDS: i64 = 120;
/// The wait under the `zapi-short-wait` variant.
const SHORT_WAIT_SECONDS: i64 = 60;
/// Numbers with a fixture state, across all instances.
const MAX_NUMBER_STATES: usize = 10_000;
/// Numbers one instance remembers progress for.
const MAX_NUMBERS_PER_INSTANCE: usize = 100;
/// Expired codes are kept this long (to answer "code expired"), then forgotten.
const EXPIRED_CODE_GRACE_HOURS: i64 = 24;

const PHONE_PATTERN: &str = "^[0-9]{8,13}$";
const DDI_PATTERN: &str = "^[0-9]{1,3}$";
const METHODS: &[&str] = &["sms", "voice", "wa_old"];

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
    Banned { appeal_token: String },
    BannedAtRequest,
    CaptchaRequired,
    PinRequired { pin: String },
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
    code: String,
    issued_at: DateTime<Utc>,
    wrong_attempts: u32,
    used: bool,
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
    pin_pending: Option<String>,
    connected: bool,
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
            connected: false,
        }
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
            next_sweep: DateTime::<Utc>::MIN_UTC,
        }
    }
}

impl Store {
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
    let base = "/instances/{instance_id}/token/{token}/mobile";
    Router::new()
        .route(&format!("{base}/registration-available"), post(registration_available))
        .route(&format!("{base}/request-registration-code"), post(request_registration_code))
        .route(&format!("{base}/respond-captcha"), post(respond_captcha))
        .route(&format!("{base}/confirm-registration-code"), post(confirm_registration_code))
        .route(&format!("{base}/confirm-pin-code"), post(confirm_pin_code))
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
    (operation, validate): (Operation, Validate),
) -> Response {
    let body_first = reference.variants.has(Variant::BodyChecksFirst);
    let mut store = lock(&reference.zapi);
    if !body_first && let Err(answer) = authenticate(reference, &store, instance_id, token, headers) {
        return *answer;
    }
    let body = match wire::read_json(headers, body, true, &reference.faults) {
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
    let fields = match fields::object(&body) {
        Ok(fields) => fields,
        Err(e) => return refusal(reference, e.into()),
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
    ($name:ident, $operation:ident, $validate:expr) => {
        async fn $name(
            State(reference): State<Arc<Reference>>,
            Path((instance_id, token)): Path<(String, String)>,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            handle(&reference, (&instance_id, &token), &headers, &body, ($operation, $validate))
        }
    };
}

handler!(registration_available, available, |r, b| read_number(r, b).map(|_| ()));
handler!(request_registration_code, request_code, |r, b| read_code_request(r, b).map(|_| ()));
handler!(respond_captcha, captcha, |r, b| read_captcha(r, b).map(|_| ()));
handler!(confirm_registration_code, confirm_code, |r, b| read_code(r, b).map(|_| ()));
handler!(confirm_pin_code, confirm_pin, |r, b| read_code(r, b).map(|_| ()));

/// The longest `captcha` and `code` taken (only the request body limit under `zapi-unbounded-answers`).
fn max_answer(reference: &Reference, max: usize) -> usize {
    if reference.variants.has(Variant::ZapiUnboundedAnswers) { super::MAX_BODY_BYTES } else { max }
}

/// Reads and validates `ddi`, `phone` and `method`.
fn read_code_request(reference: &Reference, body: &Fields) -> Result<(Number, &'static str), Refusal> {
    let number = read_number(reference, body)?;
    let method = fields::required_str(body, "method")?;
    fields::one_of(method, "method", METHODS)?;
    Ok((number, METHODS.iter().copied().find(|m| *m == method).unwrap_or("sms")))
}

/// Reads and validates `captcha`.
fn read_captcha<'a>(reference: &Reference, body: &'a Fields) -> Result<&'a str, Refusal> {
    let answer = fields::required_str(body, "captcha")?;
    fields::length(answer, "captcha", (1, max_answer(reference, 64)))?;
    Ok(answer)
}

/// Reads and validates the `code` of confirm-registration-code and confirm-pin-code.
fn read_code<'a>(reference: &Reference, body: &'a Fields) -> Result<&'a str, Refusal> {
    let given = fields::required_str(body, "code")?;
    fields::length(given, "code", (1, max_answer(reference, 32)))?;
    Ok(given)
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

fn available(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let number = read_number(reference, body)?;
    if let Some(NumberState::Banned { appeal_token }) = store.numbers.get(&number) {
        return Ok(
            json!({"available": false, "blocked": true, "appealToken": appeal_token, "reason": say(reference, "number is banned")}),
        );
    }
    let instance = instance(store, id);
    let wait = instance.remaining_wait(&number, now);
    instance.checked = Some(number);
    Ok(json!({
        "available": true,
        "smsWaitSeconds": wait,
        "voiceWaitSeconds": wait,
        "waOldWaitSeconds": wait,
        "waOldEligible": true,
    }))
}

/// The wait a sent code starts.
fn wait_seconds(reference: &Reference) -> i64 {
    if reference.variants.has(Variant::ZapiShortWait) { SHORT_WAIT_SECONDS } else { WAIT_SECONDS }
}

/// A `reason` or `error` text, reworded under the `zapi-other-messages` variant. The texts that
/// `contract.md` §3 fixes (404 and Client-Token) never pass through here.
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
        "instance already connected" => "this instance is already registered",
        "no code requested" => "request a code first",
        "code already used" => "this code was used already",
        "code expired" => "the code has expired, request a new one",
        "wrong code" => "invalid code",
        "too many attempts" => "too many wrong codes, request a new one",
        "no PIN pending" => "no security code was requested",
        "wrong PIN" => "invalid security code",
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

fn retry_after(reference: &Reference, seconds: i64) -> Value {
    if reference.faults.has(Fault::ZapiRetryAfterString) { json!(seconds.to_string()) } else { json!(seconds) }
}

fn request_code(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let (number, method) = read_code_request(reference, body)?;
    let state = store.numbers.get(&number).cloned();
    let instance = instance(store, id);
    match &instance.checked {
        None if !reference.faults.has(Fault::ZapiSkipAvailability) => {
            return Ok(refuse(reference, "registration-available must be called first"));
        }
        Some(checked) if *checked != number && !reference.faults.has(Fault::ZapiPhoneMismatchAccepted) => {
            return Ok(refuse(reference, "phone differs from the one checked"));
        }
        _ => {}
    }
    if state == Some(NumberState::BannedAtRequest) {
        return Ok(json!({"success": false, "blocked": true, "reason": say(reference, "number is banned")}));
    }
    let wait = instance.remaining_wait(&number, now);
    if wait > 0 && !reference.faults.has(Fault::ZapiNoWait) {
        return Ok(json!({
            "success": false,
            "reason": say(reference, "wait before requesting again"),
            "retryAfter": retry_after(reference, wait),
            "smsWaitSeconds": wait,
            "voiceWaitSeconds": wait,
            "waOldWaitSeconds": wait,
        }));
    }
    let captcha_solved = instance.progress.get(&number).is_some_and(|p| p.captcha_solved);
    if state == Some(NumberState::CaptchaRequired) && !captcha_solved {
        let answer = random_digits(6);
        let image = captcha_image(&answer);
        reference.outbox().send(
            now,
            &number.address(),
            Channel::Captcha,
            Some(&answer),
            format!("Captcha answer: {answer}"),
        );
        instance.captcha = Some(PendingCaptcha { number, method, answer });
        return Ok(json!({"success": false, "captcha": image, "reason": say(reference, "captcha required")}));
    }
    send_code(reference, instance, &number, method, now);
    Ok(json!({
        "success": true,
        "retryAfter": retry_after(reference, wait_seconds(reference)),
        "smsWaitSeconds": wait_seconds(reference),
        "voiceWaitSeconds": wait_seconds(reference),
        "waOldWaitSeconds": wait_seconds(reference),
        "method": method,
    }))
}

/// Issues a new code (superseding any previous one), puts it in the outbox and starts the wait.
fn send_code(
    reference: &Reference,
    instance: &mut Instance,
    number: &Number,
    method: &'static str,
    now: DateTime<Utc>,
) {
    let code = random_digits(6);
    let channel = match method {
        "voice" => Channel::Voice,
        "wa_old" => Channel::WaOld,
        _ => Channel::Sms,
    };
    let text = format!("Your WhatsApp code: {}-{}", &code[..3], &code[3..]);
    reference.outbox().send(now, &number.address(), channel, Some(&code), text);
    instance.code = Some(IssuedCode { code, issued_at: now, wrong_attempts: 0, used: false });
    instance.pin_pending = None;
    let progress = match instance.progress.get_mut(number) {
        Some(progress) => progress,
        None => {
            instance.progress.insert(number.clone(), Progress::default());
            instance.progress.get_mut(number).expect("just inserted")
        }
    };
    progress.wait_until = Some(now + Duration::seconds(wait_seconds(reference)));
}

/// A base64 SVG showing the captcha's answer, as a phone's captcha image would.
fn captcha_image(answer: &str) -> String {
    let noise = random_from(12, &[DIGITS, LOWER, UPPER]);
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\"><!-- {noise} --><text x=\"10\" y=\"28\" font-size=\"24\">{answer}</text></svg>"
    );
    base64(svg.as_bytes())
}

fn captcha(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let answer = read_captcha(reference, body)?;
    let instance = instance(store, id);
    let Some(pending) = instance.captcha.take() else {
        if reference.faults.has(Fault::ZapiCaptchaWithoutPending) {
            return Ok(json!({"success": true}));
        }
        return Ok(refuse(reference, "no captcha pending"));
    };
    if pending.answer != answer {
        instance.captcha = Some(pending);
        return Ok(refuse(reference, "wrong captcha answer"));
    }
    send_code(reference, instance, &pending.number, pending.method, now);
    if let Some(progress) = instance.progress.get_mut(&pending.number) {
        progress.captcha_solved = true;
    }
    instance.checked = Some(pending.number);
    Ok(json!({"success": true}))
}

fn confirm_code(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let given = read_code(reference, body)?;
    let number_state = {
        let checked = store.instances.get(&id.to_owned()).and_then(|i| i.checked.clone());
        checked.and_then(|n| store.numbers.get(&n).cloned())
    };
    let faults = &reference.faults;
    let reusable = faults.has(Fault::ZapiCodeReusable);
    let instance = instance(store, id);
    if instance.connected && !reusable && !faults.has(Fault::ZapiConfirmAfterConnected) {
        return Ok(refuse(reference, "instance already connected"));
    }
    let Some(code) = instance.code.as_mut() else {
        if faults.has(Fault::ZapiConfirmWithoutRequest) {
            instance.connected = true;
            return Ok(json!({"success": true}));
        }
        return Ok(refuse(reference, "no code requested"));
    };
    if code.used && !reusable {
        return Ok(refuse(reference, "code already used"));
    }
    if now - code.issued_at >= Duration::minutes(CODE_TTL_MINUTES) && !faults.has(Fault::ZapiCodeNeverExpires) {
        return Ok(refuse(reference, "code expired"));
    }
    if code.code != given && !faults.has(Fault::ZapiWrongCodeAccepted) {
        code.wrong_attempts += 1;
        if code.wrong_attempts >= MAX_ATTEMPTS && !faults.has(Fault::ZapiNoAttemptLimit) {
            instance.code = None;
            return Ok(refuse(reference, "too many attempts"));
        }
        return Ok(refuse(reference, "wrong code"));
    }
    code.used = true;
    match number_state {
        Some(NumberState::PinRequired { pin }) => {
            instance.pin_pending = Some(pin);
            Ok(json!({"success": false, "confirmSecurityCode": true}))
        }
        Some(NumberState::DeviceConfirmRequired) => Ok(json!({"success": false, "deviceConfirm": true})),
        _ => {
            instance.connected = true;
            Ok(json!({"success": true}))
        }
    }
}

fn confirm_pin(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    _now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let given = read_code(reference, body)?;
    let instance = instance(store, id);
    match &instance.pin_pending {
        None => Ok(refuse(reference, "no PIN pending")),
        Some(pin) if pin != given => Ok(refuse(reference, "wrong PIN")),
        Some(_) => {
            instance.pin_pending = None;
            instance.connected = true;
            Ok(json!({"success": true}))
        }
    }
}

const STATES: &[&str] = &[
    "instance",
    "number-banned",
    "number-banned-at-request",
    "captcha-required",
    "pin-required",
    "device-confirm-required",
];

/// The Z-API fixture states of `POST /__sandbox/state`.
pub fn apply_state(reference: &Reference, state: &str, params: &Fields) -> Result<(), String> {
    let mut store = lock(&reference.zapi);
    if state == "instance" {
        let id = param(params, "instanceId")?;
        let token = param(params, "token")?;
        let client_token = param(params, "clientToken")?;
        store.instances.insert(id.to_owned(), Instance::new(token.to_owned(), client_token.to_owned()));
        return Ok(());
    }
    if !STATES.contains(&state) {
        return Err(unknown_state("zapi", state, STATES));
    }
    let ddi = param(params, "ddi")?;
    let phone = param(params, "phone")?;
    let number_ok = fields::digits(ddi, "ddi", (1, 3), DDI_PATTERN)
        .and_then(|()| fields::digits(phone, "phone", (8, 13), PHONE_PATTERN));
    number_ok.map_err(|e| format!("param {}", e.sentence()))?;
    let number = Number { ddi: ddi.to_owned(), phone: phone.to_owned() };
    let number_state = match state {
        "number-banned" => {
            NumberState::Banned { appeal_token: format!("Ae0B_{}", random_from(24, &[DIGITS, LOWER, UPPER])) }
        }
        "number-banned-at-request" => NumberState::BannedAtRequest,
        "captcha-required" => NumberState::CaptchaRequired,
        "pin-required" => {
            let pin = param(params, "pin")?;
            fields::digits(pin, "pin", (6, 6), "^[0-9]{6}$").map_err(|e| format!("param {}", e.sentence()))?;
            NumberState::PinRequired { pin: pin.to_owned() }
        }
        _ => NumberState::DeviceConfirmRequired,
    };
    store.numbers.insert(number, number_state);
    Ok(())
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
        instance.code = Some(IssuedCode { code: "123456".into(), issued_at: now, wrong_attempts: 0, used: false });
        store.instances.insert("i".into(), instance);
        store.sweep(now + Duration::hours(1));
        assert!(
            store.instances.get(&"i".to_owned()).unwrap().code.is_some(),
            "an expired code is remembered for a while"
        );
        store.sweep(now + Duration::hours(EXPIRED_CODE_GRACE_HOURS + 1));
        assert!(store.instances.get(&"i".to_owned()).unwrap().code.is_none());
    }

    #[test]
    fn unknown_state_and_bad_params_are_refused() {
        let reference = Reference::new(Default::default());
        let params = |v: Value| v.as_object().cloned().unwrap();
        assert!(apply_state(&reference, "nope", &params(json!({}))).unwrap_err().contains("unknown state"));
        assert!(
            apply_state(&reference, "instance", &params(json!({"instanceId": "a", "token": "b"})))
                .unwrap_err()
                .contains("clientToken")
        );
        assert!(
            apply_state(&reference, "pin-required", &params(json!({"ddi": "55", "phone": "4499999999", "pin": "12"})))
                .is_err()
        );
        assert!(apply_state(&reference, "number-banned", &params(json!({"ddi": "55", "phone": "44"}))).is_err());
        assert!(apply_state(&reference, "number-banned", &params(json!({"ddi": "55", "phone": "4499999999"}))).is_ok());
    }
}
