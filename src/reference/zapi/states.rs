//! The Z-API fixture states of `POST /__sandbox/state` (`contract.md` §6 and §6.1): an instance,
//! and a number's state (banned, banned at request, captcha, PIN, device confirmation, and
//! `appeal-unbanned`, which lifts a ban).

use super::super::fields::{self, Fields};
use super::super::sandbox::{param, unknown_state};
use super::super::{Reference, lock};
use super::{DDI_PATTERN, Instance, Number, NumberState, PHONE_PATTERN, recovery};

const STATES: &[&str] = &[
    "instance",
    "number-banned",
    "number-banned-at-request",
    "captcha-required",
    "pin-required",
    "device-confirm-required",
    "appeal-unbanned",
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
        "appeal-unbanned" => {
            recovery::lift_ban(reference, &mut store, &number);
            return Ok(());
        }
        "number-banned" => recovery::banned_state(),
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
    use serde_json::{Value, json};

    use super::*;

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
        assert!(apply_state(&reference, "appeal-unbanned", &params(json!({"ddi": "55"}))).is_err());
        let number = json!({"ddi": "55", "phone": "4499999999"});
        assert!(apply_state(&reference, "appeal-unbanned", &params(number)).is_ok());
        assert!(lock(&reference.zapi).numbers.get(&Number { ddi: "55".into(), phone: "4499999999".into() }).is_none());
    }
}
