//! The registration flow of `contract.md` §3: registration-available, request-registration-code,
//! respond-captcha, confirm-registration-code and confirm-pin-code, with the waits, the code's
//! expiry, attempt limit and single use, and C1: once connected, the instance refuses every
//! registration call but availability.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::super::codes::{DIGITS, LOWER, UPPER, base64, random_digits, random_from};
use super::super::faults::Fault;
use super::super::fields::{self, Fields};
use super::super::outbox::Channel;
use super::super::variants::Variant;
use super::super::{MAX_BODY_BYTES, Reference};
use super::{
    Account, CODE_TTL_MINUTES, Email, Instance, IssuedCode, Number, NumberState, PendingCaptcha, PinWait, Progress,
    Refusal, Store, already_connected, instance, read_number, refuse, say,
};

/// The fifth wrong code invalidates the code.
const MAX_ATTEMPTS: u32 = 5;
/// Sending a code starts this wait on every method for that number.
const WAIT_SECONDS: i64 = 120;
/// The wait under the `zapi-short-wait` variant.
const SHORT_WAIT_SECONDS: i64 = 60;
const METHODS: &[&str] = &["sms", "voice", "wa_old"];

/// The longest `captcha` and `code` taken (only the request body limit under `zapi-unbounded-answers`).
fn max_answer(reference: &Reference, max: usize) -> usize {
    if reference.variants.has(Variant::ZapiUnboundedAnswers) { MAX_BODY_BYTES } else { max }
}

/// Reads and validates `ddi`, `phone` and `method`.
pub(super) fn read_code_request(reference: &Reference, body: &Fields) -> Result<(Number, &'static str), Refusal> {
    let number = read_number(reference, body)?;
    let method = fields::required_str(body, "method")?;
    fields::one_of(method, "method", METHODS)?;
    Ok((number, METHODS.iter().copied().find(|m| *m == method).unwrap_or("sms")))
}

/// Reads and validates `captcha`.
pub(super) fn read_captcha<'a>(reference: &Reference, body: &'a Fields) -> Result<&'a str, Refusal> {
    let answer = fields::required_str(body, "captcha")?;
    fields::length(answer, "captcha", (1, max_answer(reference, 64)))?;
    Ok(answer)
}

/// Reads and validates the `code` of confirm-registration-code and confirm-pin-code.
pub(super) fn read_code<'a>(reference: &Reference, body: &'a Fields) -> Result<&'a str, Refusal> {
    let given = fields::required_str(body, "code")?;
    fields::length(given, "code", (1, max_answer(reference, 32)))?;
    Ok(given)
}

pub(super) fn available(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let number = read_number(reference, body)?;
    if let Some(answer) = super::recovery::banned_answer(reference, store, id, &number) {
        return Ok(answer);
    }
    let instance = instance(store, id);
    if instance.connected() {
        if reference.faults.has(Fault::ZapiAvailabilityDisconnects) {
            instance.account = None;
        } else if reference.variants.has(Variant::ZapiConnectedAvailability) {
            return Ok(json!({"available": false, "reason": "already connected"}));
        } else {
            // C1: it still answers, and starts no new registration.
            let wait = instance.remaining_wait(&number, now);
            return Ok(availability(wait));
        }
    }
    let wait = instance.remaining_wait(&number, now);
    instance.checked = Some(number);
    Ok(availability(wait))
}

fn availability(wait: i64) -> Value {
    json!({
        "available": true,
        "smsWaitSeconds": wait,
        "voiceWaitSeconds": wait,
        "waOldWaitSeconds": wait,
        "waOldEligible": true,
    })
}

/// The wait a sent code starts.
fn wait_seconds(reference: &Reference) -> i64 {
    if reference.variants.has(Variant::ZapiShortWait) { SHORT_WAIT_SECONDS } else { WAIT_SECONDS }
}

fn retry_after(reference: &Reference, seconds: i64) -> Value {
    if reference.faults.has(Fault::ZapiRetryAfterString) { json!(seconds.to_string()) } else { json!(seconds) }
}

pub(super) fn request_code(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    if let Some(answer) = connected_before_fields(reference, store, id) {
        return Ok(answer);
    }
    let (number, method) = read_code_request(reference, body)?;
    let state = store.numbers.get(&number).cloned();
    let instance = instance(store, id);
    if instance.connected() && !reference.faults.has(Fault::ZapiRequestAfterConnected) {
        return Ok(already_connected());
    }
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
    instance.code = Some(IssuedCode { number: number.clone(), code, issued_at: now, wrong_attempts: 0, used: false });
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

/// Under `zapi-connected-before-fields`: C1's refusal comes before the fields are even read (an
/// invalid body on a connected instance is `already connected`, not 400).
fn connected_before_fields(reference: &Reference, store: &mut Store, id: &str) -> Option<Value> {
    let connected = instance(store, id).connected();
    (connected && reference.variants.has(Variant::ZapiConnectedBeforeFields)).then(already_connected)
}

/// Whether C1's refusal answers before the operation's own business checks (not under the
/// `zapi-connected-checked-late` fault, where the operation's own refusal answers).
fn connected_first(reference: &Reference, instance: &Instance) -> bool {
    instance.connected() && !reference.faults.has(Fault::ZapiConnectedCheckedLate)
}

pub(super) fn captcha(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    if let Some(answer) = connected_before_fields(reference, store, id) {
        return Ok(answer);
    }
    let answer = read_captcha(reference, body)?;
    let instance = instance(store, id);
    if connected_first(reference, instance) {
        return Ok(already_connected());
    }
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

/// The account a registration connects: its PIN if it asked for one (§3.2 S3), and no email
/// unless the `zapi-connected-with-email` variant gives it one.
fn connect(reference: &Reference, instance: &mut Instance, number: Number, pin: Option<String>, now: DateTime<Utc>) {
    let email = reference.variants.has(Variant::ZapiConnectedWithEmail).then(|| Email {
        address: format!("{}@example.com", number.address()),
        verified: true,
        code: None,
        sent_at: now,
    });
    instance.account = Some(Account { number, pin, email });
}

pub(super) fn confirm_code(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    if let Some(answer) = connected_before_fields(reference, store, id) {
        return Ok(answer);
    }
    let given = read_code(reference, body)?;
    let number_state = {
        let checked = store.instances.get(&id.to_owned()).and_then(|i| i.checked.clone());
        checked.and_then(|n| store.numbers.get(&n).cloned())
    };
    let faults = &reference.faults;
    let reusable = faults.has(Fault::ZapiCodeReusable);
    let instance = instance(store, id);
    if instance.connected() && !reusable && !faults.has(Fault::ZapiConfirmAfterConnected) {
        return Ok(already_connected());
    }
    let Some(code) = instance.code.as_mut() else {
        if faults.has(Fault::ZapiConfirmWithoutRequest) {
            let number = instance.checked.clone().unwrap_or(Number { ddi: "55".into(), phone: "00000000".into() });
            connect(reference, instance, number, None, now);
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
    let number = code.number.clone();
    match number_state {
        Some(NumberState::PinRequired { pin }) => {
            instance.pin_pending = Some(PinWait { number, pin, recoveries: 0 });
            Ok(json!({"success": false, "confirmSecurityCode": true}))
        }
        Some(NumberState::DeviceConfirmRequired) => Ok(json!({"success": false, "deviceConfirm": true})),
        _ => {
            connect(reference, instance, number, None, now);
            Ok(json!({"success": true}))
        }
    }
}

pub(super) fn confirm_pin(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    if let Some(answer) = connected_before_fields(reference, store, id) {
        return Ok(answer);
    }
    let given = read_code(reference, body)?;
    let instance = instance(store, id);
    if connected_first(reference, instance) {
        return Ok(already_connected());
    }
    match &instance.pin_pending {
        None => Ok(refuse(reference, "no PIN pending")),
        Some(wait) if wait.pin != given => Ok(refuse(reference, "wrong PIN")),
        Some(_) => {
            let wait = instance.pin_pending.take().expect("matched above");
            connect(reference, instance, wait.number, Some(wait.pin), now);
            Ok(json!({"success": true}))
        }
    }
}
