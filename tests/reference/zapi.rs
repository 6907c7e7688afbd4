//! Z-API mobile registration over real HTTP: every flow of `contract.md` §3.

use conform::reference::Fault;
use serde_json::{Value, json};

use crate::support::{Reply, Target, start, unique, unique_phone};

/// A fresh instance created through the sandbox.
pub struct Instance<'a> {
    pub target: &'a Target,
    pub id: String,
    pub token: String,
    pub client_token: String,
}

impl<'a> Instance<'a> {
    pub async fn create(target: &'a Target) -> Instance<'a> {
        let instance = Instance { target, id: unique("inst"), token: unique("tok"), client_token: unique("ct") };
        target
            .state(
                "zapi",
                "instance",
                json!({"instanceId": instance.id, "token": instance.token, "clientToken": instance.client_token}),
            )
            .await;
        instance
    }

    pub fn path(&self, operation: &str) -> String {
        format!("/instances/{}/token/{}/mobile/{operation}", self.id, self.token)
    }

    /// POSTs a JSON body with the right Client-Token.
    pub async fn post(&self, operation: &str, body: Value) -> Reply {
        self.target.post(&self.path(operation)).header("Client-Token", &self.client_token).json(body).send().await
    }

    pub async fn available(&self, phone: &str) -> Reply {
        self.post("registration-available", json!({"ddi": "55", "phone": phone})).await
    }

    pub async fn request(&self, phone: &str, method: &str) -> Reply {
        self.post("request-registration-code", json!({"ddi": "55", "phone": phone, "method": method})).await
    }

    pub async fn confirm(&self, code: &str) -> Reply {
        self.post("confirm-registration-code", json!({"code": code})).await
    }

    /// Availability, then a code by SMS; returns the code from the outbox.
    pub async fn request_code(&self, phone: &str) -> String {
        assert_eq!(self.available(phone).await.json["available"], true);
        let reply = self.request(phone, "sms").await;
        assert_eq!(reply.json["success"], true, "{}", reply.text);
        self.target.last_code(&format!("55{phone}")).await
    }
}

/// A 6-digit code that is not `code`.
fn other_code(code: &str) -> String {
    let first = if code.starts_with('9') { '0' } else { '9' };
    format!("{first}{}", &code[1..])
}

fn reason(reply: &Reply) -> &str {
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["success"], false, "{}", reply.text);
    reply.json["reason"].as_str().unwrap_or_else(|| panic!("no reason in {}", reply.text))
}

#[tokio::test]
async fn happy_path_availability_request_confirm() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();

    let available = instance.available(&phone).await;
    assert_eq!(available.status, 200);
    assert_eq!(available.content_type(), Some("application/json"));
    assert_eq!(
        available.json,
        json!({"available": true, "smsWaitSeconds": 0, "voiceWaitSeconds": 0, "waOldWaitSeconds": 0, "waOldEligible": true})
    );

    let requested = instance.request(&phone, "sms").await;
    assert_eq!(
        requested.json,
        json!({"success": true, "retryAfter": 120, "smsWaitSeconds": 120, "voiceWaitSeconds": 120, "waOldWaitSeconds": 120, "method": "sms"})
    );
    let outbox = target.outbox(&format!("55{phone}")).await;
    assert_eq!(outbox.len(), 1);
    let message = &outbox[0];
    assert_eq!(message["channel"], "sms");
    let code = message["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(message["text"], format!("Your WhatsApp code: {}-{}", &code[..3], &code[3..]));
    assert!(chrono::DateTime::parse_from_rfc3339(message["sent_at"].as_str().unwrap()).is_ok());

    assert_eq!(instance.confirm(code).await.json, json!({"success": true}));
    assert_eq!(reason(&instance.confirm(code).await), "already connected");
}

#[tokio::test]
async fn every_method_lands_on_its_channel() {
    let target = start(&[]).await;
    for (method, channel) in [("sms", "sms"), ("voice", "voice"), ("wa_old", "wa_old")] {
        let instance = Instance::create(&target).await;
        let phone = unique_phone();
        instance.available(&phone).await;
        let reply = instance.request(&phone, method).await;
        assert_eq!(reply.json["method"], method);
        assert_eq!(target.outbox(&format!("55{phone}")).await[0]["channel"], channel);
    }
}

#[tokio::test]
async fn request_needs_availability_for_the_same_number() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let (phone, other) = (unique_phone(), unique_phone());
    assert_eq!(reason(&instance.request(&phone, "sms").await), "registration-available must be called first");
    instance.available(&phone).await;
    assert_eq!(reason(&instance.request(&other, "sms").await), "phone differs from the one checked");
    let other_ddi =
        instance.post("request-registration-code", json!({"ddi": "1", "phone": phone, "method": "sms"})).await;
    assert_eq!(reason(&other_ddi), "phone differs from the one checked");
    assert!(target.outbox(&format!("55{other}")).await.is_empty(), "nothing sent to the unchecked number");
    // Availability on one instance does not count for another.
    let second = Instance::create(&target).await;
    assert_eq!(reason(&second.request(&phone, "sms").await), "registration-available must be called first");
}

#[tokio::test]
async fn repeat_request_waits_then_supersedes() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    let first = instance.request_code(&phone).await;

    target.advance(20).await;
    let early = instance.request(&phone, "voice").await;
    assert_eq!(reason(&early), "wait before requesting again");
    // 100 s remain, less the real time the test took (seconds at most, on a loaded machine).
    let remaining = |v: &Value| v.as_i64().unwrap_or(-1);
    assert!((90..=100).contains(&remaining(&early.json["retryAfter"])), "{}", early.text);
    assert_eq!(early.json["retryAfter"], early.json["voiceWaitSeconds"], "the two waits agree");
    let waits = instance.available(&phone).await;
    assert!((90..=100).contains(&remaining(&waits.json["smsWaitSeconds"])), "availability reports the running wait");

    target.advance(100).await;
    let again = instance.request(&phone, "voice").await;
    assert_eq!(again.json["success"], true, "{}", again.text);
    let second = target.last_code(&format!("55{phone}")).await;
    assert_eq!(target.outbox(&format!("55{phone}")).await.len(), 2);
    if first != second {
        assert_eq!(reason(&instance.confirm(&first).await), "wrong code", "the old code is superseded");
    }
    assert_eq!(instance.confirm(&second).await.json["success"], true);
}

#[tokio::test]
async fn codes_expire_after_ten_minutes() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let code = instance.request_code(&unique_phone()).await;
    target.advance(590).await;
    let wrong = instance.confirm(&other_code(&code)).await;
    assert_eq!(reason(&wrong), "wrong code", "still valid just before ten minutes");
    target.advance(10).await;
    assert_eq!(reason(&instance.confirm(&code).await), "code expired");
}

#[tokio::test]
async fn five_wrong_attempts_invalidate_the_code() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let code = instance.request_code(&unique_phone()).await;
    let wrong = other_code(&code);
    for _ in 0..4 {
        assert_eq!(reason(&instance.confirm(&wrong).await), "wrong code");
    }
    assert_eq!(reason(&instance.confirm(&wrong).await), "too many attempts");
    assert_eq!(reason(&instance.confirm(&code).await), "no code requested");
}

#[tokio::test]
async fn four_wrong_attempts_still_allow_the_right_code() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let code = instance.request_code(&unique_phone()).await;
    for _ in 0..4 {
        instance.confirm(&other_code(&code)).await;
    }
    assert_eq!(instance.confirm(&code).await.json, json!({"success": true}));
}

#[tokio::test]
async fn confirm_without_request_refuses() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    assert_eq!(reason(&instance.confirm("123456").await), "no code requested");
}

#[tokio::test]
async fn banned_number_at_availability() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    target.state("zapi", "number-banned", json!({"ddi": "55", "phone": phone})).await;
    let reply = instance.available(&phone).await;
    assert_eq!(reply.json["available"], false);
    assert_eq!(reply.json["blocked"], true);
    assert!(reply.json["appealToken"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(reason(&instance.request(&phone, "sms").await), "registration-available must be called first");
}

#[tokio::test]
async fn banned_number_at_request() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    target.state("zapi", "number-banned-at-request", json!({"ddi": "55", "phone": phone})).await;
    assert_eq!(instance.available(&phone).await.json["available"], true);
    let reply = instance.request(&phone, "sms").await;
    assert_eq!(reply.json, json!({"success": false, "blocked": true, "reason": "number is banned"}));
    assert!(reply.json.get("appealToken").is_none());
    assert!(target.outbox(&format!("55{phone}")).await.is_empty());
}

#[tokio::test]
async fn captcha_flow() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    let address = format!("55{phone}");
    target.state("zapi", "captcha-required", json!({"ddi": "55", "phone": phone})).await;

    assert_eq!(reason(&instance.post("respond-captcha", json!({"captcha": "123456"})).await), "no captcha pending");
    instance.available(&phone).await;
    let reply = instance.request(&phone, "sms").await;
    assert_eq!(reason(&reply), "captcha required");
    assert!(reply.json["captcha"].as_str().is_some_and(|c| c.len() > 20));
    let outbox = target.outbox(&address).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["channel"], "captcha");
    let answer = outbox[0]["code"].as_str().unwrap().to_owned();

    let wrong = instance.post("respond-captcha", json!({"captcha": other_code(&answer)})).await;
    assert_eq!(reason(&wrong), "wrong captcha answer");
    let right = instance.post("respond-captcha", json!({"captcha": answer})).await;
    assert_eq!(right.json, json!({"success": true}));
    // The code is sent without a new request, on the requested method.
    let outbox = target.outbox(&address).await;
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[0]["channel"], "sms");
    let code = outbox[0]["code"].as_str().unwrap();
    assert_eq!(reason(&instance.post("respond-captcha", json!({"captcha": "123456"})).await), "no captcha pending");
    assert_eq!(instance.confirm(code).await.json, json!({"success": true}));
}

#[tokio::test]
async fn pin_flow_and_used_code() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    target.state("zapi", "pin-required", json!({"ddi": "55", "phone": phone, "pin": "246810"})).await;
    assert_eq!(reason(&instance.post("confirm-pin-code", json!({"code": "246810"})).await), "no PIN pending");
    let code = instance.request_code(&phone).await;
    let reply = instance.confirm(&code).await;
    assert_eq!(reply.json, json!({"success": false, "confirmSecurityCode": true}));
    assert_eq!(reason(&instance.confirm(&code).await), "code already used");
    assert_eq!(reason(&instance.post("confirm-pin-code", json!({"code": "135791"})).await), "wrong PIN");
    assert_eq!(instance.post("confirm-pin-code", json!({"code": "246810"})).await.json, json!({"success": true}));
    assert_eq!(reason(&instance.confirm(&code).await), "already connected");
}

#[tokio::test]
async fn device_confirm_flow() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let phone = unique_phone();
    target.state("zapi", "device-confirm-required", json!({"ddi": "55", "phone": phone})).await;
    let code = instance.request_code(&phone).await;
    assert_eq!(instance.confirm(&code).await.json, json!({"success": false, "deviceConfirm": true}));
    assert_eq!(reason(&instance.confirm(&code).await), "code already used");
}

#[tokio::test]
async fn credentials_are_enforced() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let body = json!({"ddi": "55", "phone": unique_phone()});

    let unknown =
        target.post("/instances/nope/token/nope/mobile/registration-available").json(body.clone()).send().await;
    assert_eq!((unknown.status, unknown.json.clone()), (404, json!({"error": "Instance not found"})));
    let wrong_token = format!("/instances/{}/token/wrong/mobile/registration-available", instance.id);
    let reply =
        target.post(&wrong_token).header("Client-Token", &instance.client_token).json(body.clone()).send().await;
    assert_eq!((reply.status, reply.json.clone()), (404, json!({"error": "Instance not found"})));

    let path = instance.path("registration-available");
    let missing = target.post(&path).json(body.clone()).send().await;
    assert_eq!((missing.status, missing.json.clone()), (400, json!({"error": "your client-token is not configured"})));
    let wrong = target.post(&path).header("Client-Token", "not-it").json(body).send().await;
    assert_eq!((wrong.status, wrong.json.clone()), (403, json!({"error": "Client-Token not allowed"})));
    assert!(!wrong.text.contains("not-it"), "the error never echoes the value");
}

#[tokio::test]
async fn invalid_bodies_are_400() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let cases = [
        ("registration-available", json!({"ddi": "55"}), "phone is required"),
        ("registration-available", json!({"phone": "4499999999"}), "ddi is required"),
        ("registration-available", json!({"ddi": 55, "phone": "4499999999"}), "ddi must be a string"),
        ("registration-available", json!({"ddi": "5555", "phone": "4499999999"}), "ddi must match ^[0-9]{1,3}$"),
        ("registration-available", json!({"ddi": "55", "phone": "4499999"}), "phone must match ^[0-9]{8,13}$"),
        ("registration-available", json!({"ddi": "55", "phone": "44999999999999"}), "phone must match ^[0-9]{8,13}$"),
        ("registration-available", json!({"ddi": "55", "phone": "(44) 9999-9999"}), "phone must match ^[0-9]{8,13}$"),
        ("registration-available", json!(["55"]), "the body must be a JSON object"),
        ("request-registration-code", json!({"ddi": "55", "phone": "4499999999"}), "method is required"),
        (
            "request-registration-code",
            json!({"ddi": "55", "phone": "4499999999", "method": "fax"}),
            "method must be one of sms, voice, wa_old",
        ),
        ("respond-captcha", json!({}), "captcha is required"),
        ("respond-captcha", json!({"captcha": ""}), "captcha must be 1 to 64 characters long"),
        ("confirm-registration-code", json!({"code": 123456}), "code must be a string"),
        ("confirm-pin-code", json!({}), "code is required"),
    ];
    for (operation, body, message) in cases {
        let reply = instance.post(operation, body.clone()).await;
        assert_eq!(reply.status, 400, "{operation} {body}: {}", reply.text);
        assert_eq!(reply.json, json!({"error": message}), "{operation} {body}");
    }
}

#[tokio::test]
async fn protocol_errors() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    for operation in [
        "registration-available",
        "request-registration-code",
        "respond-captcha",
        "confirm-registration-code",
        "confirm-pin-code",
    ] {
        let path = instance.path(operation);
        for method in ["GET", "PUT", "DELETE", "PATCH"] {
            let reply = target.call(method, &path).header("Client-Token", &instance.client_token).send().await;
            assert_eq!(reply.status, 405, "{method} {operation}");
            assert_eq!(reply.header("allow"), Some("POST"), "{method} {operation}");
        }
        let unlabeled =
            target.post(&path).header("Client-Token", &instance.client_token).raw(r#"{"code":"1"}"#).send().await;
        assert_eq!(
            (unlabeled.status, unlabeled.json.clone()),
            (415, json!({"error": "Content-Type must be application/json"}))
        );
        let text = target
            .post(&path)
            .header("Client-Token", &instance.client_token)
            .header("Content-Type", "text/plain")
            .raw(r#"{"code":"1"}"#)
            .send()
            .await;
        assert_eq!(text.status, 415);
        let malformed = target
            .post(&path)
            .header("Client-Token", &instance.client_token)
            .header("Content-Type", "application/json")
            .raw("{\"ddi\": ")
            .send()
            .await;
        assert_eq!((malformed.status, malformed.json.clone()), (400, json!({"error": "Invalid JSON body"})));
    }
}

#[tokio::test]
async fn instance_state_resets_progress() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let code = instance.request_code(&unique_phone()).await;
    target
        .state(
            "zapi",
            "instance",
            json!({"instanceId": instance.id, "token": instance.token, "clientToken": instance.client_token}),
        )
        .await;
    assert_eq!(reason(&instance.confirm(&code).await), "no code requested");
}

/// What a client sees of one Z-API fault's behaviour (see `faults.rs`).
pub async fn probe(fault: Fault, target: &Target) -> String {
    let instance = Instance::create(target).await;
    let phone = unique_phone();
    let summary = |reply: Reply| {
        let mut json = reply.json.clone();
        if let Some(object) = json.as_object_mut() {
            object.remove("captcha");
        }
        format!("{} {json}", reply.status)
    };
    match fault {
        Fault::ZapiPhonePatternUnchecked => summary(instance.available("44-9999-9999").await),
        Fault::ZapiLongPhone500 => format!("{}", instance.available("4499999999999999").await.status),
        Fault::ZapiClientTokenIgnored => {
            let path = instance.path("registration-available");
            summary(target.post(&path).json(json!({"ddi": "55", "phone": phone})).send().await)
        }
        Fault::ZapiRetryAfterString => {
            instance.available(&phone).await;
            summary(instance.request(&phone, "sms").await)
        }
        Fault::ZapiSkipAvailability => summary(instance.request(&phone, "sms").await),
        Fault::ZapiPhoneMismatchAccepted => {
            instance.available(&phone).await;
            summary(instance.request(&unique_phone(), "sms").await)
        }
        Fault::ZapiConfirmWithoutRequest => summary(instance.confirm("123456").await),
        Fault::ZapiCaptchaWithoutPending => {
            summary(instance.post("respond-captcha", json!({"captcha": "123456"})).await)
        }
        Fault::ZapiWrongCodeAccepted => {
            let code = instance.request_code(&phone).await;
            summary(instance.confirm(&other_code(&code)).await)
        }
        Fault::ZapiCodeReusable => {
            let code = instance.request_code(&phone).await;
            instance.confirm(&code).await;
            summary(instance.confirm(&code).await)
        }
        Fault::ZapiCodeNeverExpires => {
            let code = instance.request_code(&phone).await;
            target.advance(601).await;
            summary(instance.confirm(&code).await)
        }
        Fault::ZapiNoAttemptLimit => {
            let code = instance.request_code(&phone).await;
            for _ in 0..5 {
                instance.confirm(&other_code(&code)).await;
            }
            summary(instance.confirm(&code).await)
        }
        Fault::ZapiNoWait => {
            instance.request_code(&phone).await;
            let reply = instance.request(&phone, "sms").await;
            format!("{} success={}", reply.status, reply.json["success"])
        }
        Fault::ZapiConfirmAfterConnected => {
            let code = instance.request_code(&phone).await;
            instance.confirm(&code).await;
            summary(instance.confirm(&code).await)
        }
        other => crate::zapi_account::probe(other, &instance, &phone).await,
    }
}
