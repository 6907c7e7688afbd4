//! Z-API over real HTTP, past the registration: C1 (a connected instance refuses the registration
//! calls first), PIN recovery and unbanning appeals (`contract.md` §3.1), and the account's PIN and
//! email (§3.2), with the probes of their faults.

use conform::reference::Fault;
use serde_json::{Value, json};

use crate::support::{Reply, start, unique_phone};
use crate::zapi::Instance;

pub fn security_path(instance: &Instance<'_>, operation: &str) -> String {
    format!("/instances/{}/token/{}/security/{operation}", instance.id, instance.token)
}

/// A security call: `GET`, or `POST` with a JSON body or none.
pub async fn security(instance: &Instance<'_>, method: &str, operation: &str, body: Option<Value>) -> Reply {
    let call = instance
        .target
        .call(method, &security_path(instance, operation))
        .header("Client-Token", &instance.client_token);
    match body {
        Some(body) => call.json(body).send().await,
        None => call.send().await,
    }
}

/// A bodyless POST on the mobile path (recovery-pin-code).
pub async fn mobile_bodyless(instance: &Instance<'_>, operation: &str) -> Reply {
    instance.target.post(&instance.path(operation)).header("Client-Token", &instance.client_token).send().await
}

/// Registers `phone` and connects the instance.
pub async fn connect(instance: &Instance<'_>, phone: &str) {
    let code = instance.request_code(phone).await;
    assert_eq!(instance.confirm(&code).await.json, json!({"success": true}));
}

/// Registers `phone` with the `pin-required` state up to the PIN wait.
pub async fn await_pin(instance: &Instance<'_>, phone: &str, pin: &str) {
    instance.target.state("zapi", "pin-required", json!({"ddi": "55", "phone": phone, "pin": pin})).await;
    let code = instance.request_code(phone).await;
    assert_eq!(instance.confirm(&code).await.json, json!({"success": false, "confirmSecurityCode": true}));
}

fn refused(reply: &Reply) -> bool {
    reply.status == 200 && reply.json["success"] == false
}

#[tokio::test]
async fn connected_refuses_the_registration_calls_before_anything_else() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    let code = instance.request_code(&phone).await;
    assert_eq!(instance.confirm(&code).await.json["success"], true);
    let connected = json!({"success": false, "reason": "already connected"});
    // A used code, a running wait, no captcha and no PIN pending: C1 answers first every time.
    assert_eq!(instance.confirm(&code).await.json, connected);
    assert_eq!(instance.request(&phone, "sms").await.json, connected);
    assert_eq!(instance.post("respond-captcha", json!({"captcha": "123456"})).await.json, connected);
    assert_eq!(instance.post("confirm-pin-code", json!({"code": "123456"})).await.json, connected);
    // An invalid body is still 400: C1 is about schema-valid bodies.
    assert_eq!(instance.post("confirm-pin-code", json!({"code": 5})).await.status, 400);
    // registration-available still answers, and starts no new registration.
    let available = instance.available(&unique_phone()).await;
    assert_eq!((available.status, available.json["available"].clone()), (200, json!(true)));
    target.advance(121).await;
    assert_eq!(instance.request(&phone, "sms").await.json, connected);
}

#[tokio::test]
async fn recovery_only_while_the_pin_is_awaited() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    assert!(refused(&mobile_bodyless(&instance, "recovery-pin-code").await), "no registration");
    target.state("zapi", "pin-required", json!({"ddi": "55", "phone": phone, "pin": "424242"})).await;
    let code = instance.request_code(&phone).await;
    assert!(refused(&mobile_bodyless(&instance, "recovery-pin-code").await), "before confirm");
    instance.confirm(&code).await;
    let recovery = mobile_bodyless(&instance, "recovery-pin-code").await;
    assert_eq!((recovery.status, recovery.json.clone()), (200, json!({"success": true})));
    let newest = target.outbox(&format!("55{phone}")).await[0].clone();
    assert_eq!(newest["channel"], "email");
    assert!(newest["code"].as_str().is_some_and(|c| !c.is_empty()), "an opaque reset token: {newest}");
    // Repeating at once is the reference's choice (left open); the PIN it had still confirms.
    assert_eq!(mobile_bodyless(&instance, "recovery-pin-code").await.json["success"], true);
    assert_eq!(instance.post("confirm-pin-code", json!({"code": "424242"})).await.json, json!({"success": true}));
    assert!(refused(&mobile_bodyless(&instance, "recovery-pin-code").await), "connected");
    // A JSON body is read and ignored; a body of another type is 415 (S2).
    let labelled = instance
        .target
        .post(&instance.path("recovery-pin-code"))
        .header("Client-Token", &instance.client_token)
        .header("Content-Type", "text/plain")
        .raw("x")
        .send()
        .await;
    assert_eq!(labelled.status, 415);
}

#[tokio::test]
async fn an_appeal_is_in_review_until_the_sandbox_unbans() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    target.state("zapi", "number-banned", json!({"ddi": "55", "phone": phone})).await;
    let banned = instance.available(&phone).await;
    let token = banned.json["appealToken"].as_str().unwrap().to_owned();
    let appeal =
        |token: String| instance.post("request-unbanning", json!({"appealToken": token, "description": "mine"}));
    assert!(refused(&appeal("Ae0B_never_given".into()).await));
    assert_eq!(appeal(token.clone()).await.json, json!({"success": true, "status": "IN_REVIEW"}));
    assert_eq!(instance.available(&phone).await.json["blocked"], true, "still banned while in review");
    assert_eq!(appeal(token.clone()).await.json["status"], "IN_REVIEW");
    target.state("zapi", "appeal-unbanned", json!({"ddi": "55", "phone": phone})).await;
    assert_eq!(instance.available(&phone).await.json["available"], true);
    assert_eq!(appeal(token).await.json["status"], "UNBANNED");
    for body in [
        json!({"appealToken": "x"}),
        json!({"appealToken": "", "description": "d"}),
        json!({"appealToken": 1, "description": "d"}),
    ] {
        assert_eq!(instance.post("request-unbanning", body).await.status, 400);
    }
}

#[tokio::test]
async fn security_needs_a_connected_instance() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let calls: [(&str, &str, Option<Value>); 7] = [
        ("GET", "two-fa-code", None),
        ("POST", "two-fa-code", Some(json!({"code": "123456"}))),
        ("POST", "two-fa-code/remove", None),
        ("GET", "email", None),
        ("POST", "email", Some(json!({"email": "a@example.com"}))),
        ("POST", "verify-email", Some(json!({"verificationCode": "123456"}))),
        ("POST", "email/remove", None),
    ];
    for (method, operation, body) in calls {
        assert!(refused(&security(&instance, method, operation, body).await), "{method} {operation}");
    }
    let not_allowed = security(&instance, "PUT", "two-fa-code", None).await;
    assert_eq!(not_allowed.status, 405);
    assert!(not_allowed.header("allow").is_some_and(|a| a.contains("GET") && a.contains("POST")));
}

#[tokio::test]
async fn pin_and_email_on_a_connected_account() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    connect(&instance, &phone).await;
    let has = || security(&instance, "GET", "two-fa-code", None);
    assert_eq!(has().await.json, json!({"success": true, "hasCode": false}));
    assert_eq!(security(&instance, "POST", "two-fa-code", Some(json!({"code": "12345"}))).await.status, 400);
    assert_eq!(security(&instance, "POST", "two-fa-code", Some(json!({"code": "123456"}))).await.json["success"], true);
    assert_eq!(has().await.json["hasCode"], true);
    assert_eq!(security(&instance, "POST", "two-fa-code/remove", None).await.json, json!({"success": true}));
    assert_eq!(has().await.json["hasCode"], false);

    let get = || security(&instance, "GET", "email", None);
    assert_eq!(get().await.json, json!({"success": true, "hasEmail": false, "verified": false}));
    assert_eq!(security(&instance, "POST", "email", Some(json!({"email": "a b@example.com"}))).await.status, 400);
    let set = security(&instance, "POST", "email", Some(json!({"email": "first@example.com"}))).await;
    assert_eq!(set.json, json!({"success": true, "message": "VERIFY_EMAIL"}));
    let mail = target.outbox(&format!("55{phone}")).await[0].clone();
    assert_eq!(mail["channel"], "email");
    assert!(mail["text"].as_str().unwrap().contains("first@example.com"));
    let first = mail["code"].as_str().unwrap().to_owned();
    security(&instance, "POST", "email", Some(json!({"email": "second@example.com"}))).await;
    let second = target.last_code(&format!("55{phone}")).await;
    let verify = |code: &str| security(&instance, "POST", "verify-email", Some(json!({"verificationCode": code})));
    assert!(refused(&verify(&first).await), "a superseded code");
    assert_eq!(get().await.json["verified"], false);
    assert_eq!(verify(&second).await.json, json!({"success": true}));
    let verified = get().await.json;
    assert_eq!((verified["email"].clone(), verified["verified"].clone()), (json!("second@example.com"), json!(true)));
    assert!(refused(&verify(&second).await), "already verified");
    assert_eq!(security(&instance, "POST", "email/remove", None).await.json, json!({"success": true}));
    assert_eq!(get().await.json["hasEmail"], false);
}

#[tokio::test]
async fn a_pin_registration_leaves_a_pin_on_the_account() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    await_pin(&instance, &phone, "101010").await;
    instance.post("confirm-pin-code", json!({"code": "101010"})).await;
    assert_eq!(security(&instance, "GET", "two-fa-code", None).await.json["hasCode"], true);
}

/// What a Z-API fault of this file changes, seen from a client.
pub async fn probe(fault: Fault, instance: &Instance<'_>, phone: &str) -> String {
    let target = instance.target;
    let show = |reply: Reply| format!("{} {}", reply.status, reply.json);
    match fault {
        Fault::ZapiRequestAfterConnected => {
            connect(instance, phone).await;
            show(instance.request(phone, "sms").await)
        }
        Fault::ZapiConnectedCheckedLate => {
            connect(instance, phone).await;
            let captcha = instance.post("respond-captcha", json!({"captcha": "123456"})).await;
            format!("{} / {}", show(captcha), show(instance.post("confirm-pin-code", json!({"code": "1"})).await))
        }
        Fault::ZapiAvailabilityDisconnects => {
            connect(instance, phone).await;
            instance.available(phone).await;
            let reply = instance.request(phone, "sms").await;
            format!("{} reason={}", reply.status, reply.json["reason"])
        }
        Fault::ZapiRecoveryOutsidePin => show(mobile_bodyless(instance, "recovery-pin-code").await),
        Fault::ZapiRecoveryForgetsPin => {
            await_pin(instance, phone, "202020").await;
            mobile_bodyless(instance, "recovery-pin-code").await;
            show(instance.post("confirm-pin-code", json!({"code": "202020"})).await)
        }
        Fault::ZapiRecoveryMailNotFiled => {
            await_pin(instance, phone, "303030").await;
            mobile_bodyless(instance, "recovery-pin-code").await;
            let channels: Vec<Value> =
                target.outbox(&format!("55{phone}")).await.iter().map(|m| m["channel"].clone()).collect();
            format!("{channels:?}")
        }
        Fault::ZapiAppealAnyToken => {
            let body = json!({"appealToken": "Ae0B_never_given", "description": "mine"});
            show(instance.post("request-unbanning", body).await)
        }
        Fault::ZapiAppealUnbansAtOnce | Fault::ZapiUnbannedStaysBanned => {
            target.state("zapi", "number-banned", json!({"ddi": "55", "phone": phone})).await;
            let token = instance.available(phone).await.json["appealToken"].clone();
            instance.post("request-unbanning", json!({"appealToken": token, "description": "mine"})).await;
            let in_review = instance.available(phone).await.json["available"].clone();
            target.state("zapi", "appeal-unbanned", json!({"ddi": "55", "phone": phone})).await;
            format!("in review: {in_review}, unbanned: {}", instance.available(phone).await.json["available"])
        }
        Fault::ZapiSecurityWithoutConnection => show(security(instance, "GET", "two-fa-code", None).await),
        Fault::ZapiPinNotStored => {
            connect(instance, phone).await;
            security(instance, "POST", "two-fa-code", Some(json!({"code": "123456"}))).await;
            show(security(instance, "GET", "two-fa-code", None).await)
        }
        Fault::ZapiEmailVerifiedAtOnce
        | Fault::ZapiEmailAnyCode
        | Fault::ZapiEmailCodeNotSuperseded
        | Fault::ZapiEmailVerifiesTwice => {
            connect(instance, phone).await;
            security(instance, "POST", "email", Some(json!({"email": "one@example.com"}))).await;
            let first = target.last_code(&format!("55{phone}")).await;
            let at_once = security(instance, "GET", "email", None).await.json["verified"].clone();
            let verify =
                |code: String| security(instance, "POST", "verify-email", Some(json!({"verificationCode": code})));
            let wrong = verify("000000".into()).await.json["success"].clone();
            security(instance, "POST", "email", Some(json!({"email": "two@example.com"}))).await;
            let second = target.last_code(&format!("55{phone}")).await;
            let superseded = verify(first).await.json["success"].clone();
            verify(second.clone()).await;
            let again = verify(second).await.json["success"].clone();
            format!("verified at once {at_once}, wrong {wrong}, superseded {superseded}, again {again}")
        }
        other => panic!("{other} is not a Z-API fault"),
    }
}
