//! Hypersender OTP v2 over real HTTP: every flow of `contract.md` §5.

use chrono::DateTime;
use conform::reference::Fault;
use serde_json::{Value, json};

use crate::support::{Reply, Target, start, unique, unique_phone};

/// A fresh instance created through the sandbox.
pub struct Instance<'a> {
    pub target: &'a Target,
    pub id: String,
    pub token: String,
}

impl<'a> Instance<'a> {
    pub async fn create(target: &'a Target) -> Instance<'a> {
        let instance = Instance { target, id: unique("hs"), token: unique("tok") };
        target.state("hypersender", "instance", json!({"instance": instance.id, "token": instance.token})).await;
        instance
    }

    pub fn path(&self, operation: &str) -> String {
        format!("/api/otp/v2/{}/{operation}", self.id)
    }

    pub async fn post(&self, operation: &str, body: Value) -> Reply {
        self.target
            .post(&self.path(operation))
            .header("Authorization", &format!("Bearer {}", self.token))
            .json(body)
            .send()
            .await
    }

    pub async fn request(&self, body: Value) -> Reply {
        self.post("request-code", body).await
    }

    pub async fn validate(&self, chat: &str, code: &str) -> Reply {
        self.post("validate-code", json!({"chatId": chat, "code": code})).await
    }
}

pub fn new_chat() -> (String, String) {
    let digits = format!("20{}", unique_phone());
    (format!("{digits}@c.us"), digits)
}

fn seconds_between(a: &Value, b: &Value) -> i64 {
    let parse = |v: &Value| DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    (parse(b) - parse(a)).num_seconds()
}

/// The code's character classes: `digits`, `upper`, `lower`, joined by `+`.
fn charset(code: &str) -> String {
    let mut classes = Vec::new();
    if code.bytes().any(|b| b.is_ascii_digit()) {
        classes.push("digits");
    }
    if code.bytes().any(|b| b.is_ascii_uppercase()) {
        classes.push("upper");
    }
    if code.bytes().any(|b| b.is_ascii_lowercase()) {
        classes.push("lower");
    }
    classes.join("+")
}

/// A code of the same length that is not `code`.
fn other(code: &str) -> String {
    let first = if code.starts_with('9') { "0" } else { "9" };
    format!("{first}{}", &code[1..])
}

#[tokio::test]
async fn request_with_defaults_then_validate() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let (chat, digits) = new_chat();
    let reply = instance.request(json!({"chatId": chat})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.content_type(), Some("application/json"));
    assert_eq!(reply.json["success"], true);
    assert_eq!(reply.json["message"], "OTP code generated and message queued successfully");
    let data = &reply.json["data"];
    let code = data["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert_eq!(charset(code), "digits");
    assert_eq!(data["status"], "pending");
    assert_eq!(data["otp_type"], "code");
    assert_eq!(data["chat_id"], chat);
    assert!(uuid::Uuid::parse_str(data["uuid"].as_str().unwrap()).is_ok());
    assert!(data["created_at"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(seconds_between(&data["created_at"], &data["expires_at"]), 1800);

    let outbox = target.outbox(&digits).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["channel"], "whatsapp");
    assert_eq!(outbox[0]["code"], code);
    assert_eq!(outbox[0]["text"], format!("Your Hypersender verification code is {code}"));

    let validated = instance.validate(&chat, code).await;
    assert_eq!(validated.status, 200, "{}", validated.text);
    assert_eq!(validated.json["data"]["status"], "validated");
    assert_eq!(validated.json["data"]["uuid"], data["uuid"]);
    assert!(DateTime::parse_from_rfc3339(validated.json["data"]["validated_at"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn length_charset_name_and_ttl_follow_the_request() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let cases = [
        (json!({"length": 4}), 4, "digits"),
        (json!({"length": 10}), 10, "digits"),
        (json!({"length": 10, "useLetter": true, "useNumber": false, "allCapital": true}), 10, "upper"),
        (json!({"length": 10, "useLetter": true, "useNumber": false}), 10, "upper+lower"),
    ];
    for (extra, length, classes) in cases {
        // Draw a few codes: a class can be missing from one short code by chance, not from all.
        let mut seen = String::new();
        for _ in 0..8 {
            let (chat, _) = new_chat();
            let mut body = extra.clone();
            body["chatId"] = json!(chat);
            let reply = instance.request(body).await;
            let code = reply.json["data"]["code"].as_str().unwrap().to_owned();
            assert_eq!(code.len(), length, "{extra}: {code}");
            for class in charset(&code).split('+') {
                if !seen.split('+').any(|c| c == class) {
                    seen = if seen.is_empty() { class.to_owned() } else { format!("{seen}+{class}") };
                }
            }
        }
        let mut seen: Vec<&str> = seen.split('+').collect();
        seen.sort_unstable();
        let mut expected: Vec<&str> = classes.split('+').collect();
        expected.sort_unstable();
        assert_eq!(seen, expected, "{extra}");
    }
    let (chat, digits) = new_chat();
    let reply = instance.request(json!({"chatId": chat, "name": "Acme", "expires": 60})).await;
    assert_eq!(seconds_between(&reply.json["data"]["created_at"], &reply.json["data"]["expires_at"]), 60);
    let text = target.outbox(&digits).await[0]["text"].as_str().unwrap().to_owned();
    assert!(text.contains("Acme") && text.contains(reply.json["data"]["code"].as_str().unwrap()), "{text}");
}

#[tokio::test]
async fn validate_failures() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let status = |reply: &Reply| {
        assert_eq!(reply.status, 422, "{}", reply.text);
        assert_eq!(reply.json["success"], false);
        reply.json["data"]["status"].as_str().unwrap().to_owned()
    };
    let (chat, _) = new_chat();
    assert_eq!(status(&instance.validate(&chat, "123456").await), "no_active_otp");

    let code = instance.request(json!({"chatId": chat})).await.json["data"]["code"].as_str().unwrap().to_owned();
    assert_eq!(status(&instance.validate(&chat, &other(&code)).await), "invalid_code");
    assert_eq!(instance.validate(&chat, &code).await.status, 200, "a wrong try does not burn the code");
    assert_eq!(status(&instance.validate(&chat, &code).await), "already_used");
    assert_eq!(status(&instance.validate(&chat, &other(&code)).await), "no_active_otp");

    // Expiry through the sandbox clock.
    let (chat, _) = new_chat();
    let code = instance.request(json!({"chatId": chat, "expires": 60})).await.json["data"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    target.advance(55).await;
    assert_eq!(status(&instance.validate(&chat, &other(&code)).await), "invalid_code", "still active at 55 s");
    target.advance(5).await;
    assert_eq!(status(&instance.validate(&chat, &code).await), "expired");
}

#[tokio::test]
async fn a_new_request_supersedes_the_old_code() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let (chat, _) = new_chat();
    let first = instance.request(json!({"chatId": chat})).await.json["data"]["code"].as_str().unwrap().to_owned();
    let second = instance.request(json!({"chatId": chat})).await.json["data"]["code"].as_str().unwrap().to_owned();
    if first != second {
        let old = instance.validate(&chat, &first).await;
        assert_eq!((old.status, old.json["data"]["status"].clone()), (422, json!("invalid_code")));
    }
    assert_eq!(instance.validate(&chat, &second).await.status, 200);
}

#[tokio::test]
async fn authentication() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let body = json!({"chatId": new_chat().0});
    let path = instance.path("request-code");
    let missing = target.post(&path).json(body.clone()).send().await;
    assert_eq!((missing.status, missing.json.clone()), (401, json!({"message": "Unauthenticated."})));
    let wrong = target.post(&path).header("Authorization", "Bearer nope").json(body.clone()).send().await;
    assert_eq!((wrong.status, wrong.json.clone()), (401, json!({"message": "Unauthenticated."})));
    let basic = target
        .post(&path)
        .header("Authorization", &format!("Basic {}", instance.token))
        .json(body.clone())
        .send()
        .await;
    assert_eq!(basic.status, 401);
    let unknown = target
        .post("/api/otp/v2/no-such-instance/request-code")
        .header("Authorization", &format!("Bearer {}", instance.token))
        .json(body)
        .send()
        .await;
    assert_eq!((unknown.status, unknown.json.clone()), (404, json!({"message": "Instance not found."})));
}

#[tokio::test]
async fn validation_errors_are_422_laravel_style() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let chat = new_chat().0;
    let cases = [
        ("request-code", json!({}), "chatId", "The chat id field is required."),
        ("request-code", json!({"chatId": 20123456789_i64}), "chatId", "The chat id field must be a string."),
        ("request-code", json!({"chatId": "+20123456789"}), "chatId", "The chat id field format is invalid."),
        (
            "request-code",
            json!({"chatId": "20123456789@s.whatsapp.net"}),
            "chatId",
            "The chat id field format is invalid.",
        ),
        ("request-code", json!({"chatId": chat, "length": 3}), "length", "The length field must be between 4 and 10."),
        ("request-code", json!({"chatId": chat, "length": 11}), "length", "The length field must be between 4 and 10."),
        ("request-code", json!({"chatId": chat, "length": "6"}), "length", "The length field must be an integer."),
        (
            "request-code",
            json!({"chatId": chat, "expires": 59}),
            "expires",
            "The expires field must be between 60 and 1800.",
        ),
        (
            "request-code",
            json!({"chatId": chat, "expires": 1801}),
            "expires",
            "The expires field must be between 60 and 1800.",
        ),
        (
            "request-code",
            json!({"chatId": chat, "useLetter": "yes"}),
            "useLetter",
            "The use letter field must be a boolean.",
        ),
        (
            "request-code",
            json!({"chatId": chat, "name": "x".repeat(65)}),
            "name",
            "The name field must not be greater than 64 characters.",
        ),
        (
            "request-code",
            json!({"chatId": chat, "useLetter": false, "useNumber": false}),
            "useNumber",
            "The use number field must be true when use letter is false.",
        ),
        ("validate-code", json!({"chatId": chat}), "code", "The code field is required."),
        (
            "validate-code",
            json!({"chatId": chat, "code": ""}),
            "code",
            "The code field must be between 1 and 32 characters.",
        ),
    ];
    for (operation, body, field, message) in cases {
        let reply = instance.post(operation, body.clone()).await;
        assert_eq!(reply.status, 422, "{operation} {body}: {}", reply.text);
        assert_eq!(reply.json, json!({"message": message, "errors": {field: [message]}}), "{operation} {body}");
    }
}

#[tokio::test]
async fn protocol_errors() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let bearer = format!("Bearer {}", instance.token);
    for operation in ["request-code", "validate-code"] {
        let path = instance.path(operation);
        for method in ["GET", "PUT", "DELETE"] {
            let reply = target.call(method, &path).header("Authorization", &bearer).send().await;
            assert_eq!((reply.status, reply.header("allow")), (405, Some("POST")), "{method} {operation}");
        }
        let unlabeled =
            target.post(&path).header("Authorization", &bearer).raw(r#"{"chatId":"20123456789@c.us"}"#).send().await;
        assert_eq!((unlabeled.status, unlabeled.json.clone()), (415, json!({"message": "Unsupported Media Type."})));
        let malformed = target
            .post(&path)
            .header("Authorization", &bearer)
            .header("Content-Type", "application/json")
            .raw("{\"chatId\"")
            .send()
            .await;
        assert_eq!(malformed.status, 422);
        assert_eq!(malformed.json["errors"]["body"][0], "The request body is not valid JSON.");
    }
}

#[tokio::test]
async fn instance_state_resets_codes() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let (chat, _) = new_chat();
    let code = instance.request(json!({"chatId": chat})).await.json["data"]["code"].as_str().unwrap().to_owned();
    target.state("hypersender", "instance", json!({"instance": instance.id, "token": instance.token})).await;
    let reply = instance.validate(&chat, &code).await;
    assert_eq!(reply.json["data"]["status"], "no_active_otp", "a reset instance forgets its codes");
}

/// What a client sees of one Hypersender fault's behaviour (see `faults.rs`).
pub async fn probe(fault: Fault, target: &Target) -> String {
    let instance = Instance::create(target).await;
    let (chat, _) = new_chat();
    let outcome = |reply: Reply| format!("{} {}", reply.status, reply.json["data"]["status"]);
    let request = |body: Value| {
        let instance = &instance;
        async move { instance.request(body).await }
    };
    match fault {
        Fault::HypersenderAuthIgnored => {
            let reply = target.post(&instance.path("request-code")).json(json!({"chatId": chat})).send().await;
            format!("{}", reply.status)
        }
        Fault::HypersenderValidation400 => format!("{}", request(json!({"chatId": chat, "length": 3})).await.status),
        Fault::HypersenderCodeLengthOffByOne => {
            let code =
                request(json!({"chatId": chat, "length": 7})).await.json["data"]["code"].as_str().unwrap().to_owned();
            format!("length {}", code.len())
        }
        Fault::HypersenderCharsetIgnored => {
            let code =
                request(json!({"chatId": chat, "length": 10})).await.json["data"]["code"].as_str().unwrap().to_owned();
            format!("charset {}", charset(&code))
        }
        Fault::HypersenderExpiresAtWrong => {
            let data = request(json!({"chatId": chat, "expires": 120})).await.json["data"].clone();
            format!("ttl {}", seconds_between(&data["created_at"], &data["expires_at"]))
        }
        Fault::HypersenderExpiresAtNotDateTime => {
            let data = request(json!({"chatId": chat})).await.json["data"].clone();
            format!("rfc3339 {}", DateTime::parse_from_rfc3339(data["expires_at"].as_str().unwrap()).is_ok())
        }
        Fault::HypersenderCodeReusable => {
            let code = request(json!({"chatId": chat})).await.json["data"]["code"].as_str().unwrap().to_owned();
            instance.validate(&chat, &code).await;
            outcome(instance.validate(&chat, &code).await)
        }
        Fault::HypersenderExpiryNotEnforced => {
            let code =
                request(json!({"chatId": chat, "expires": 60})).await.json["data"]["code"].as_str().unwrap().to_owned();
            target.advance(61).await;
            outcome(instance.validate(&chat, &code).await)
        }
        Fault::HypersenderWrongCodeAccepted => {
            let code = request(json!({"chatId": chat})).await.json["data"]["code"].as_str().unwrap().to_owned();
            outcome(instance.validate(&chat, &other(&code)).await)
        }
        Fault::HypersenderNoSupersede => {
            // Two 10-character codes: they coincide with a negligible chance (one in 10^10).
            let first =
                request(json!({"chatId": chat, "length": 10})).await.json["data"]["code"].as_str().unwrap().to_owned();
            request(json!({"chatId": chat, "length": 10})).await;
            outcome(instance.validate(&chat, &first).await)
        }
        Fault::HypersenderRewordedMessage => {
            let reply = request(json!({"chatId": chat})).await;
            format!("message {}", reply.json["message"])
        }
        other => crate::hypersender_link::probe(other, &instance, &chat).await,
    }
}
