//! `contract.md` §3.2: the account's two-step PIN and email, on a connected instance only (S1).
//! The PIN is 6 digits (S3); setting an email files a 6-digit verification code on the outbox
//! channel `email` (S4); only the latest set's code verifies, once (S5).

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::super::Reference;
use super::super::codes::random_digits;
use super::super::faults::Fault;
use super::super::fields::{self, FieldError, Fields, Problem};
use super::super::outbox::Channel;
use super::super::variants::Variant;
use super::{Account, Email, NumberState, Refusal, Store, instance, refuse};

/// How long a verification code lives under the `zapi-email-code-strict` variant.
const STRICT_CODE_MINUTES: i64 = 10;
const PIN_PATTERN: &str = "^[0-9]{6}$";
const EMAIL_PATTERN: &str = "one @ with text on each side, no whitespace";

/// Reads and validates the PIN `code`: 6 digits (S3).
pub(super) fn read_pin(body: &Fields) -> Result<String, Refusal> {
    let code = fields::required_str(body, "code")?;
    fields::digits(code, "code", (6, 6), PIN_PATTERN)?;
    Ok(code.to_owned())
}

/// Reads and validates `email`: one `@` with something on each side and no whitespace (S4).
pub(super) fn read_email(body: &Fields) -> Result<String, Refusal> {
    let email = fields::required_str(body, "email")?;
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => !local.is_empty() && !domain.is_empty() && !domain.contains('@'),
        None => false,
    } && !email.chars().any(char::is_whitespace);
    if !well_formed {
        return Err(FieldError::new("email", Problem::Pattern(EMAIL_PATTERN)).into());
    }
    Ok(email.to_owned())
}

/// Reads and validates `verificationCode`: a non-empty string (S4).
pub(super) fn read_verification(body: &Fields) -> Result<String, Refusal> {
    let code = fields::required_str(body, "verificationCode")?;
    fields::length(code, "verificationCode", (1, 64))?;
    Ok(code.to_owned())
}

/// The connected account, or the refusal every security operation gives before connecting (S1).
fn account<'a>(reference: &Reference, store: &'a mut Store, id: &str) -> Result<&'a mut Account, Value> {
    let without_connection = reference.faults.has(Fault::ZapiSecurityWithoutConnection);
    let instance = instance(store, id);
    if instance.account.is_none() && without_connection {
        let number = instance.checked.clone().unwrap_or(super::Number { ddi: "55".into(), phone: "00000000".into() });
        instance.account = Some(Account { number, pin: None, email: None });
    }
    instance.account.as_mut().ok_or_else(|| refuse(reference, "instance not connected"))
}

/// A remove's answer: `{"success": true}`, with a `message` under `zapi-remove-messages`.
fn removed(reference: &Reference) -> Value {
    if reference.variants.has(Variant::ZapiRemoveMessages) {
        json!({"success": true, "message": "REMOVED"})
    } else {
        json!({"success": true})
    }
}

pub(super) fn has_pin(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    _now: DateTime<Utc>,
    _body: &Fields,
) -> Result<Value, Refusal> {
    Ok(match account(reference, store, id) {
        Ok(account) => json!({"success": true, "hasCode": account.pin.is_some()}),
        Err(refusal) => refusal,
    })
}

pub(super) fn set_pin(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    _now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let pin = read_pin(body)?;
    let account = match account(reference, store, id) {
        Ok(account) => account,
        Err(refusal) => return Ok(refusal),
    };
    if !reference.faults.has(Fault::ZapiPinNotStored) {
        account.pin = Some(pin.clone());
    }
    let number = account.number.clone();
    if reference.variants.has(Variant::ZapiPinFollowsNumber) {
        store.numbers.insert(number, NumberState::PinRequired { pin });
    }
    Ok(json!({"success": true}))
}

pub(super) fn remove_pin(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    _now: DateTime<Utc>,
    _body: &Fields,
) -> Result<Value, Refusal> {
    let account = match account(reference, store, id) {
        Ok(account) => account,
        Err(refusal) => return Ok(refusal),
    };
    if account.pin.take().is_none() && reference.variants.has(Variant::ZapiRemoveAbsentRefused) {
        return Ok(refuse(reference, "no PIN set"));
    }
    Ok(removed(reference))
}

pub(super) fn get_email(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    _now: DateTime<Utc>,
    _body: &Fields,
) -> Result<Value, Refusal> {
    let account = match account(reference, store, id) {
        Ok(account) => account,
        Err(refusal) => return Ok(refusal),
    };
    Ok(match &account.email {
        Some(email) => json!({"success": true, "hasEmail": true, "email": email.address, "verified": email.verified}),
        None if reference.variants.has(Variant::ZapiNullEmail) => {
            json!({"success": true, "hasEmail": false, "email": null, "verified": false})
        }
        None => json!({"success": true, "hasEmail": false, "verified": false}),
    })
}

pub(super) fn set_email(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let address = read_email(body)?;
    let faults = &reference.faults;
    let account = match account(reference, store, id) {
        Ok(account) => account,
        Err(refusal) => return Ok(refusal),
    };
    let code = random_digits(6);
    let previous = account.email.as_ref().and_then(|e| e.code.clone());
    let text = format!("WhatsApp: your code to verify {address} is {code}.");
    reference.outbox().send(now, &account.number.address(), Channel::Email, Some(&code), text);
    let verified = faults.has(Fault::ZapiEmailVerifiedAtOnce);
    // Under `zapi-email-code-not-superseded` the earlier code keeps verifying.
    let code = match previous {
        Some(previous) if faults.has(Fault::ZapiEmailCodeNotSuperseded) => format!("{code}|{previous}"),
        _ => code,
    };
    account.email = Some(Email { address, verified, code: Some(code), sent_at: now });
    Ok(json!({"success": true, "message": "VERIFY_EMAIL"}))
}

pub(super) fn verify_email(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let given = read_verification(body)?;
    let faults = &reference.faults;
    let strict = reference.variants.has(Variant::ZapiEmailCodeStrict);
    let account = match account(reference, store, id) {
        Ok(account) => account,
        Err(refusal) => return Ok(refusal),
    };
    let Some(email) = account.email.as_mut() else { return Ok(refuse(reference, "no email set")) };
    if email.verified && !faults.has(Fault::ZapiEmailVerifiesTwice) {
        return Ok(refuse(reference, "email already verified"));
    }
    let expired = strict && now - email.sent_at >= Duration::minutes(STRICT_CODE_MINUTES);
    let right = email.code.as_deref().is_some_and(|codes| codes.split('|').any(|c| c == given));
    if expired || !(right || faults.has(Fault::ZapiEmailAnyCode)) {
        if strict {
            email.code = None;
        }
        return Ok(refuse(reference, "wrong verification code"));
    }
    email.verified = true;
    if !faults.has(Fault::ZapiEmailVerifiesTwice) {
        email.code = None;
    }
    Ok(json!({"success": true}))
}

pub(super) fn remove_email(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    _now: DateTime<Utc>,
    _body: &Fields,
) -> Result<Value, Refusal> {
    let account = match account(reference, store, id) {
        Ok(account) => account,
        Err(refusal) => return Ok(refusal),
    };
    if account.email.take().is_none() && reference.variants.has(Variant::ZapiRemoveAbsentRefused) {
        return Ok(refuse(reference, "no email set"));
    }
    Ok(removed(reference))
}
