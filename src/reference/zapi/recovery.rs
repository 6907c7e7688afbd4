//! `contract.md` §3.1: PIN recovery (R1, R2) and unbanning appeals (R3-R5). A recovery emails a
//! reset link while a registration waits for the PIN and changes nothing else; an appeal takes
//! the token registration-available gave for a banned number and stays IN_REVIEW, the number
//! still banned, until the sandbox's `appeal-unbanned` lifts the ban.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::super::Reference;
use super::super::codes::{DIGITS, LOWER, UPPER, random_from};
use super::super::faults::Fault;
use super::super::fields::{self, Fields};
use super::super::outbox::Channel;
use super::super::variants::Variant;
use super::{Number, NumberState, Refusal, Store, instance, refuse, say};

/// The longest `description` under the `zapi-short-description` variant (the reference takes any).
const SHORT_DESCRIPTION: usize = 500;

/// An appeal token registration-available handed out: for which number, on which instance, and
/// whether an appeal was filed with it.
#[derive(Debug, Clone)]
pub(super) struct Appeal {
    number: Number,
    instance: String,
    filed: bool,
}

/// A fresh appeal token.
fn new_token() -> String {
    format!("Ae0B_{}", random_from(24, &[DIGITS, LOWER, UPPER]))
}

/// registration-available's answer for a banned number (None when it is not banned): the appeal
/// token, recorded for request-unbanning. Under `zapi-fresh-appeal-token` every call hands out a
/// new token and only the latest is accepted.
pub(super) fn banned_answer(reference: &Reference, store: &mut Store, id: &str, number: &Number) -> Option<Value> {
    let Some(NumberState::Banned { appeal_token }) = store.numbers.get(number).cloned() else { return None };
    let token = if reference.variants.has(Variant::ZapiFreshAppealToken) {
        let fresh = new_token();
        store.numbers.insert(number.clone(), NumberState::Banned { appeal_token: fresh.clone() });
        fresh
    } else {
        appeal_token
    };
    if store.appeals.get(&token).is_none() {
        let filed = store.appeals.any(|a| a.number == *number && a.filed);
        store.appeals.insert(token.clone(), Appeal { number: number.clone(), instance: id.to_owned(), filed });
    }
    Some(json!({
        "available": false,
        "blocked": true,
        "appealToken": token,
        "reason": say(reference, "number is banned"),
    }))
}

/// The token a new `number-banned` state gives the number.
pub(super) fn banned_state() -> NumberState {
    NumberState::Banned { appeal_token: new_token() }
}

/// Reads and validates `appealToken` and `description`: required, non-empty strings (R3).
pub(super) fn read_appeal(body: &Fields) -> Result<(String, String), Refusal> {
    let token = fields::required_str(body, "appealToken")?;
    fields::length(token, "appealToken", (1, usize::MAX))?;
    let description = fields::required_str(body, "description")?;
    fields::length(description, "description", (1, usize::MAX))?;
    Ok((token.to_owned(), description.to_owned()))
}

pub(super) fn request_unbanning(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    _now: DateTime<Utc>,
    body: &Fields,
) -> Result<Value, Refusal> {
    let (token, description) = read_appeal(body)?;
    if reference.variants.has(Variant::ZapiShortDescription) {
        fields::length(&description, "description", (1, SHORT_DESCRIPTION))?;
    }
    let in_review = json!({"success": true, "status": "IN_REVIEW"});
    let Some(appeal) = store.appeals.get(&token).cloned() else {
        return Ok(if reference.faults.has(Fault::ZapiAppealAnyToken) {
            in_review
        } else {
            refuse(reference, "unknown appeal token")
        });
    };
    let state = store.numbers.get(&appeal.number).cloned();
    let stale = matches!(&state, Some(NumberState::Banned { appeal_token }) if *appeal_token != token)
        && reference.variants.has(Variant::ZapiFreshAppealToken);
    let elsewhere = appeal.instance != id && reference.variants.has(Variant::ZapiAppealTokenPerInstance);
    if stale || elsewhere {
        return Ok(refuse(reference, "unknown appeal token"));
    }
    if appeal.filed && reference.variants.has(Variant::ZapiAppealOnce) {
        return Ok(refuse(reference, "appeal already sent"));
    }
    store.appeals.for_each_mut(|a| {
        if a.number == appeal.number {
            a.filed = true;
        }
    });
    match state {
        Some(NumberState::Banned { .. }) => {
            if reference.faults.has(Fault::ZapiAppealUnbansAtOnce) {
                store.numbers.remove(&appeal.number);
            }
            Ok(in_review)
        }
        // R5 lifted the ban: the appeal's status is UNBANNED.
        _ => Ok(json!({"success": true, "status": "UNBANNED"})),
    }
}

/// The sandbox's `appeal-unbanned` (R5): the number's ban is lifted, appeal or not.
pub(super) fn lift_ban(reference: &Reference, store: &mut Store, number: &Number) {
    if reference.faults.has(Fault::ZapiUnbannedStaysBanned) {
        return;
    }
    if matches!(store.numbers.get(number), Some(NumberState::Banned { .. })) {
        store.numbers.remove(number);
    }
}

pub(super) fn recovery_pin_code(
    reference: &Reference,
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
    _body: &Fields,
) -> Result<Value, Refusal> {
    let faults = &reference.faults;
    let instance = instance(store, id);
    let number = match instance.pin_pending.as_mut() {
        Some(wait) => {
            if wait.recoveries > 0 && reference.variants.has(Variant::ZapiRecoveryOnce) {
                return Ok(refuse(reference, "recovery already requested"));
            }
            wait.recoveries += 1;
            wait.number.clone()
        }
        None if faults.has(Fault::ZapiRecoveryOutsidePin) => match instance.checked.clone() {
            Some(number) => number,
            None => return Ok(json!({"success": true})),
        },
        None => return Ok(refuse(reference, "no PIN pending")),
    };
    if faults.has(Fault::ZapiRecoveryForgetsPin) {
        instance.pin_pending = None;
    }
    if !faults.has(Fault::ZapiRecoveryMailNotFiled) {
        let link = random_from(32, &[DIGITS, LOWER, UPPER]);
        let text = format!(
            "WhatsApp: a link to reset the two-step PIN of +{} was sent to the email linked to the account.",
            number.address()
        );
        reference.outbox().send(now, &number.address(), Channel::Email, Some(&link), text);
    }
    Ok(json!({"success": true}))
}
