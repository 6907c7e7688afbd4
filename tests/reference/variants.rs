//! For every variant in the catalogue: the other choice is observable over HTTP. A probe walks the
//! few requests that reach the choice and returns what it saw, with every random value (codes, ids,
//! times) reduced to its shape, so that two clean runs see the same thing and the variant differs.
//! That the harness accepts every variant is `tests/variants.rs`.

use conform::reference::Variant;
use serde_json::{Value, json};

use crate::support::{Reply, Target, start, start_variants, unique_phone};

/// The answer to a JSON POST on an unknown Z-API instance (404, whatever the variant).
async fn zapi_not_found(target: &Target) -> Reply {
    target
        .post("/instances/NOSUCH/token/x/mobile/registration-available")
        .header("Client-Token", "x")
        .json(json!({"ddi": "55", "phone": "4499999999"}))
        .send()
        .await
}

/// The answer to validate-code on a chat that never had a code.
async fn hypersender_no_active(target: &Target) -> Reply {
    let instance = crate::hypersender::Instance::create(target).await;
    instance.validate(&format!("20{}@c.us", unique_phone()), "123456").await
}

/// A value's shape: every ASCII digit as `9`, every letter as `a`.
fn shape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => '9',
            c if c.is_ascii_alphabetic() => 'a',
            c => c,
        })
        .collect()
}

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    keys.sort();
    keys
}

async fn observe(variant: Variant, target: &Target) -> String {
    match variant {
        Variant::JsonCharset | Variant::JsonMediaTypeCase => {
            format!("{:?}", zapi_not_found(target).await.content_type())
        }
        Variant::JsonPretty => zapi_not_found(target).await.text,
        Variant::JsonKeysSorted => hypersender_no_active(target).await.text,
        Variant::ExtraFields => format!("{:?}", keys(&zapi_not_found(target).await.json)),
        Variant::ExtraHeaders => {
            let reply = zapi_not_found(target).await;
            format!(
                "cache-control={:?} x-request-id={}",
                reply.header("cache-control"),
                reply.header("x-request-id").is_some()
            )
        }
        Variant::MethodNotAllowedBody => {
            let mut seen = Vec::new();
            for path in
                ["/instances/x/token/y/mobile/confirm-pin-code", "/v2/auth/request-code", "/api/otp/v2/x/request-code"]
            {
                let reply = target.call("PUT", path).send().await;
                seen.push(format!("{} allow={:?} body={}", reply.status, reply.header("allow"), reply.json));
            }
            seen.join("; ")
        }
        Variant::UnsupportedMediaTypeEmpty => {
            let zapi = crate::zapi::Instance::create(target).await;
            let zapi = target
                .post(&zapi.path("registration-available"))
                .header("Client-Token", &zapi.client_token)
                .raw(r#"{"ddi":"55","phone":"4499999999"}"#)
                .send()
                .await;
            let hypersender = crate::hypersender::Instance::create(target).await;
            let hypersender = target
                .post(&hypersender.path("request-code"))
                .header("Authorization", &format!("Bearer {}", hypersender.token))
                .raw(r#"{"chatId":"201145202826@c.us"}"#)
                .send()
                .await;
            let session = crate::wawp::Session::create(target, "SCAN_QR_CODE").await;
            let wawp = target.post(&session.url("session/info", "")).raw(r#"{"a":1}"#).send().await;
            [zapi, hypersender, wawp].map(|r| format!("{} {:?} {:?}", r.status, r.content_type(), r.text)).join("; ")
        }
        Variant::AllowListFormat => {
            let reply = target.call("DELETE", "/v2/session/info").send().await;
            format!("{} allow={:?}", reply.status, reply.header("allow"))
        }
        Variant::BodyChecksFirst => {
            let zapi = target
                .post("/instances/NOSUCH/token/x/mobile/registration-available")
                .header("Content-Type", "application/json")
                .raw("{")
                .send()
                .await;
            let wawp =
                target.post("/v2/auth/request-code?instance_id=NOSUCH&access_token=t&phone_number=12").send().await;
            let hypersender = target
                .post("/api/otp/v2/NOSUCH/request-code")
                .header("Content-Type", "application/json")
                .raw("{")
                .send()
                .await;
            format!("zapi {} wawp {} hypersender {}", zapi.status, wawp.status, hypersender.status)
        }
        Variant::ZapiOtherMessages => {
            let instance = crate::zapi::Instance::create(target).await;
            let unchecked = instance.request(&unique_phone(), "sms").await;
            let malformed = target
                .post(&instance.path("registration-available"))
                .header("Client-Token", &instance.client_token)
                .header("Content-Type", "application/json")
                .raw("{")
                .send()
                .await;
            format!("reason={} error={}", unchecked.json["reason"], malformed.json["error"])
        }
        Variant::ZapiUnboundedAnswers => {
            let instance = crate::zapi::Instance::create(target).await;
            let code = instance.confirm(&"1".repeat(40)).await;
            let captcha = instance.post("respond-captcha", json!({"captcha": "1".repeat(80)})).await;
            format!("code {} {}; captcha {} {}", code.status, shape(&code.text), captcha.status, shape(&captcha.text))
        }
        Variant::ZapiShortWait => {
            let instance = crate::zapi::Instance::create(target).await;
            let phone = unique_phone();
            instance.available(&phone).await;
            let first = instance.request(&phone, "sms").await;
            let again = instance.request(&phone, "voice").await;
            // The remaining wait may have lost a second on a loaded machine: compare, do not print it.
            let (wait, left) = (first.json["retryAfter"].as_i64().unwrap(), again.json["retryAfter"].as_i64().unwrap());
            format!(
                "retryAfter={wait}, then success={} with a remaining wait in 1..={wait}: {}",
                again.json["success"],
                0 < left && left <= wait
            )
        }
        Variant::WawpBodyWins => {
            let session = crate::wawp::Session::create(target, "SCAN_QR_CODE").await;
            let (in_query, in_body) = (format!("20{}", unique_phone()), format!("20{}", unique_phone()));
            let reply = target
                .post(&session.url("auth/request-code", &format!("&phone_number={in_query}")))
                .json(json!({"phone_number": in_body}))
                .send()
                .await;
            let (query_got, body_got) = (target.outbox(&in_query).await.len(), target.outbox(&in_body).await.len());
            format!("{} query's number got {query_got}, body's number got {body_got}", reply.status)
        }
        Variant::WawpOtherMessages => {
            let reply = target.get("/v2/session/info?instance_id=NOSUCH&access_token=t").send().await;
            format!("{} {}", reply.status, reply.json)
        }
        Variant::WawpPairingLetters | Variant::WawpPairingDigits => {
            let session = crate::wawp::Session::create(target, "SCAN_QR_CODE").await;
            let mut codes = String::new();
            for _ in 0..20 {
                codes.push_str(session.request_code("201145202826").await.json["code"].as_str().unwrap());
            }
            let digits = codes.bytes().any(|b| b.is_ascii_digit());
            let letters = codes.bytes().any(|b| b.is_ascii_uppercase());
            format!("digits {digits} letters {letters}")
        }
        Variant::WawpQrRotatesSlowly => {
            // Align on a 40-second boundary of the server's clock, then step 20 seconds at a time.
            let session = crate::wawp::Session::create(target, "SCAN_QR_CODE").await;
            let now = target.post("/__sandbox/clock").json(json!({"advance_seconds": 0})).send().await;
            let now = chrono::DateTime::parse_from_rfc3339(now.json["now"].as_str().unwrap()).unwrap().timestamp();
            target.advance(40 - now.rem_euclid(40)).await;
            let mut changes = Vec::new();
            let mut last = session.call("GET", "auth/qr-image").await.json["qr"].clone();
            for _ in 0..4 {
                target.advance(20).await;
                let qr = session.call("GET", "auth/qr-image").await.json["qr"].clone();
                changes.push(qr != last);
                last = qr;
            }
            format!("changed after each 20 s: {changes:?}")
        }
        Variant::WawpSlowStart => {
            let session = crate::wawp::Session::create(target, "STOPPED").await;
            session.call("POST", "session/start").await;
            target.advance(2).await;
            let after_two = session.status().await;
            target.advance(3).await;
            format!("after 2 s {after_two}, after 5 s {}", session.status().await)
        }
        Variant::HypersenderOtherMessages => {
            let refusal = hypersender_no_active(target).await;
            let instance = crate::hypersender::Instance::create(target).await;
            let invalid = instance.request(json!({"chatId": "nope"})).await;
            format!("{} {}", refusal.json["message"], invalid.json)
        }
        Variant::HypersenderLongNames => {
            let instance = crate::hypersender::Instance::create(target).await;
            let chat = format!("20{}@c.us", unique_phone());
            let statuses = [65, 255, 256].map(|n| "n".repeat(n));
            let mut seen = Vec::new();
            for name in statuses {
                seen.push(instance.request(json!({"chatId": chat, "name": name})).await.status);
            }
            format!("{seen:?}")
        }
        Variant::HypersenderOtherStatuses => {
            let instance = crate::hypersender::Instance::create(target).await;
            let chat = format!("20{}@c.us", unique_phone());
            let none = instance.validate(&chat, "123456").await;
            let code =
                instance.request(json!({"chatId": chat})).await.json["data"]["code"].as_str().unwrap().to_owned();
            let wrong = instance.validate(&chat, "x").await;
            instance.validate(&chat, &code).await;
            let used = instance.validate(&chat, &code).await;
            let statuses = [none, wrong, used].map(|r| r.json["data"]["status"].clone());
            format!("{statuses:?}")
        }
        Variant::HypersenderLaravelTimestamps => {
            let instance = crate::hypersender::Instance::create(target).await;
            let reply = instance.request(json!({"chatId": format!("20{}@c.us", unique_phone())})).await;
            let data = &reply.json["data"];
            format!("{} {}", shape(data["created_at"].as_str().unwrap()), shape(data["expires_at"].as_str().unwrap()))
        }
    }
}

#[tokio::test]
async fn every_variant_changes_what_a_client_sees() {
    let clean = start(&[]).await;
    let mut report = Vec::new();
    let mut unobserved = Vec::new();
    for &variant in Variant::ALL {
        let first = observe(variant, &clean).await;
        let second = observe(variant, &clean).await;
        assert_eq!(first, second, "the probe for {variant} is not deterministic on the clean server");
        let other = start_variants(&[variant]).await;
        let seen = observe(variant, &other).await;
        let again = observe(variant, &other).await;
        other.server.stop().await.unwrap();
        assert_eq!(seen, again, "the probe for {variant} is not deterministic on the variant");
        if seen == first {
            unobserved.push(variant);
        }
        report.push(format!("{:<32} clean:   {first}\n{:<32} variant: {seen}", variant.name(), ""));
    }
    println!("{}", report.join("\n"));
    assert!(unobserved.is_empty(), "variants with no observable effect: {unobserved:?}");
}

#[tokio::test]
async fn variants_keep_what_the_contract_fixes() {
    // Every variant at once still answers the texts and statuses contract.md fixes.
    let all: Vec<Variant> = Variant::ALL.to_vec();
    let target = start_variants(&all).await;
    let not_found = zapi_not_found(&target).await;
    assert_eq!((not_found.status, not_found.json["error"].clone()), (404, json!("Instance not found")));
    let unauthenticated =
        target.post("/api/otp/v2/x/request-code").json(json!({"chatId": "201145202826@c.us"})).send().await;
    assert_eq!((unauthenticated.status, unauthenticated.json["message"].clone()), (401, json!("Unauthenticated.")));
    let unknown = target.get("/v2/session/info?instance_id=NOSUCH&access_token=t").send().await;
    assert_eq!((unknown.status, unknown.json["code"].clone()), (404, json!("invalid_instance")));
    let session = crate::wawp::Session::create(&target, "SCAN_QR_CODE").await;
    let code = session.request_code("201145202826").await.json["code"].as_str().unwrap().to_owned();
    assert_eq!(shape(&code), "aaaa-9999", "letters and digits together: the doc's own ABCD-1234");
    // The sandbox is the harness's protocol, not the contract under test: no variant touches it.
    let handshake = target.get("/__sandbox").send().await;
    assert_eq!(handshake.content_type(), Some("application/json"));
    assert_eq!(handshake.text, r#"{"sandbox":"conform","version":1,"apis":["zapi","wawp","hypersender"]}"#);
}
