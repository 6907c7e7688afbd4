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
        Variant::ZapiConnectedAvailability
        | Variant::ZapiConnectedBeforeFields
        | Variant::ZapiRecoveryOnce
        | Variant::ZapiRemoveAbsentRefused
        | Variant::ZapiRemoveMessages
        | Variant::ZapiConnectedWithEmail
        | Variant::ZapiNullEmail
        | Variant::ZapiEmailCodeStrict
        | Variant::ZapiPinFollowsNumber
        | Variant::ZapiFreshAppealToken
        | Variant::ZapiAppealTokenPerInstance
        | Variant::ZapiAppealOnce
        | Variant::ZapiShortDescription => zapi_account(variant, target).await,
        Variant::WawpQrFixedSchedule
        | Variant::WawpPairingStopsQr
        | Variant::WawpQrOtherFormatsRefused
        | Variant::WawpStartAnywhere
        | Variant::WawpFailedLosesKeys
        | Variant::WawpForcedStartingStays
        | Variant::WawpCreate201
        | Variant::WawpLogoutOnlyWorking => wawp_lifecycle(variant, target).await,
        Variant::HypersenderLinkMessage
        | Variant::HypersenderLinkInstanceNumber
        | Variant::HypersenderLinkDigitCodes
        | Variant::HypersenderLinkPlaceholders
        | Variant::HypersenderLinkExactText
        | Variant::HypersenderLinkUnbracketedFails
        | Variant::HypersenderLinkOtherChat
        | Variant::HypersenderLinkExpiryNotifies
        | Variant::HypersenderLinkSupersedes
        | Variant::HypersenderLinkCodeValidates => hypersender_link(variant, target).await,
    }
}

/// The Z-API variants of `contract.md` §3 C1, §3.1 and §3.2.
async fn zapi_account(variant: Variant, target: &Target) -> String {
    use crate::zapi_account::{await_pin, connect, mobile_bodyless, security};
    let instance = crate::zapi::Instance::create(target).await;
    let phone = unique_phone();
    let show = |reply: Reply| format!("{} {}", reply.status, reply.json);
    match variant {
        Variant::ZapiConnectedAvailability => {
            connect(&instance, &phone).await;
            show(instance.available(&phone).await)
        }
        Variant::ZapiConnectedBeforeFields => {
            connect(&instance, &phone).await;
            show(instance.post("confirm-pin-code", json!({"code": 5})).await)
        }
        Variant::ZapiRecoveryOnce => {
            await_pin(&instance, &phone, "111111").await;
            mobile_bodyless(&instance, "recovery-pin-code").await;
            show(mobile_bodyless(&instance, "recovery-pin-code").await)
        }
        Variant::ZapiRemoveAbsentRefused | Variant::ZapiRemoveMessages => {
            connect(&instance, &phone).await;
            let pin = show(security(&instance, "POST", "two-fa-code/remove", None).await);
            format!("{pin} / {}", show(security(&instance, "POST", "email/remove", None).await))
        }
        Variant::ZapiConnectedWithEmail | Variant::ZapiNullEmail => {
            connect(&instance, &phone).await;
            let email = security(&instance, "GET", "email", None).await.json;
            format!(
                "hasEmail {} email present {} verified {}",
                email["hasEmail"],
                email.get("email").is_some(),
                email["verified"]
            )
        }
        Variant::ZapiEmailCodeStrict => {
            connect(&instance, &phone).await;
            security(&instance, "POST", "email", Some(json!({"email": "a@example.com"}))).await;
            let code = target.last_code(&format!("55{phone}")).await;
            let verify =
                |code: String| security(&instance, "POST", "verify-email", Some(json!({"verificationCode": code})));
            verify("000000".into()).await;
            show(verify(code).await)
        }
        Variant::ZapiPinFollowsNumber => {
            connect(&instance, &phone).await;
            security(&instance, "POST", "two-fa-code", Some(json!({"code": "123456"}))).await;
            let other = crate::zapi::Instance::create(target).await;
            let code = other.request_code(&phone).await;
            show(other.confirm(&code).await)
        }
        Variant::ZapiFreshAppealToken | Variant::ZapiAppealTokenPerInstance | Variant::ZapiAppealOnce => {
            target.state("zapi", "number-banned", json!({"ddi": "55", "phone": phone})).await;
            let first = instance.available(&phone).await.json["appealToken"].clone();
            let second = instance.available(&phone).await.json["appealToken"].clone();
            let appeal = |on: &crate::zapi::Instance<'_>, token: Value| {
                let body = json!({"appealToken": token, "description": "mine"});
                let path = on.path("request-unbanning");
                let client_token = on.client_token.clone();
                async move { target.post(&path).header("Client-Token", &client_token).json(body).send().await }
            };
            let elsewhere = crate::zapi::Instance::create(target).await;
            let there = appeal(&elsewhere, second.clone()).await.json["success"].clone();
            let stale = appeal(&instance, first.clone()).await.json["success"].clone();
            let again = appeal(&instance, second).await.json["success"].clone();
            format!(
                "same token {}, on another instance {there}, first token {stale}, again {again}",
                first == instance.available(&phone).await.json["appealToken"]
            )
        }
        Variant::ZapiShortDescription => {
            target.state("zapi", "number-banned", json!({"ddi": "55", "phone": phone})).await;
            let token = instance.available(&phone).await.json["appealToken"].clone();
            let body = json!({"appealToken": token, "description": "d".repeat(501)});
            format!("{}", instance.post("request-unbanning", body).await.status)
        }
        other => panic!("{other} is not a Z-API account variant"),
    }
}

/// The Wawp variants of `contract.md` §4.1 and §4.2.
async fn wawp_lifecycle(variant: Variant, target: &Target) -> String {
    use crate::wawp::Session;
    use crate::wawp_lifecycle::{create, decoded};
    match variant {
        Variant::WawpQrFixedSchedule => {
            // Ask just after a 15-second boundary: the value then expires 15 s later, not 20.
            let session = Session::create(target, "SCAN_QR_CODE").await;
            let now = target.post("/__sandbox/clock").json(json!({"advance_seconds": 0})).send().await;
            let now = chrono::DateTime::parse_from_rfc3339(now.json["now"].as_str().unwrap()).unwrap().timestamp();
            target.advance(60 - now.rem_euclid(60)).await;
            let first = decoded(&session.call("GET", "auth/qr").await);
            target.advance(16).await;
            let later = decoded(&session.call("GET", "auth/qr").await);
            format!("new after 16 s: {}", later["value"] != first["value"])
        }
        Variant::WawpPairingStopsQr => {
            let session = Session::create(target, "SCAN_QR_CODE").await;
            session.request_code("201145202826").await;
            let first = decoded(&session.call("GET", "auth/qr").await);
            target.advance(20).await;
            let later = decoded(&session.call("GET", "auth/qr").await);
            format!("new after 20 s: {}", later["value"] != first["value"])
        }
        Variant::WawpQrOtherFormatsRefused => {
            let session = Session::create(target, "SCAN_QR_CODE").await;
            format!("{}", target.get(&session.url("auth/qr", "&format=png")).send().await.status)
        }
        Variant::WawpStartAnywhere => {
            let session = Session::create(target, "WORKING").await;
            format!("{}", session.call("POST", "session/start").await.status)
        }
        Variant::WawpFailedLosesKeys => {
            let session = Session::create(target, "WORKING").await;
            session.force("FAILED").await;
            session.call("POST", "session/restart").await;
            target.advance(10).await;
            session.status().await
        }
        Variant::WawpForcedStartingStays => {
            let session = Session::create(target, "SCAN_QR_CODE").await;
            session.force("STARTING").await;
            target.advance(60).await;
            session.status().await
        }
        Variant::WawpCreate201 => {
            let account = Session::create(target, "SCAN_QR_CODE").await;
            let created = create(target, &account.token).await;
            format!("{} {:?}", created.status, keys(&created.json))
        }
        Variant::WawpLogoutOnlyWorking => {
            let session = Session::create(target, "SCAN_QR_CODE").await;
            format!("{}", session.call("POST", "session/logout").await.status)
        }
        other => panic!("{other} is not a Wawp lifecycle variant"),
    }
}

/// The Hypersender variants of `contract.md` §5.1.
async fn hypersender_link(variant: Variant, target: &Target) -> String {
    use crate::hypersender_link::{filed, link, prefilled, send};
    let instance = crate::hypersender::Instance::create(target).await;
    let (chat, digits) = crate::hypersender::new_chat();
    let data = link(&instance, &chat, 60).await.json["data"].clone();
    let text = prefilled(data["whatsapp_link"].as_str().unwrap());
    let code = data["code"].as_str().unwrap().to_owned();
    match variant {
        Variant::HypersenderLinkMessage => format!("{} filed", filed(&instance, &digits).await.len()),
        Variant::HypersenderLinkInstanceNumber => {
            format!("to the chat {}", data["whatsapp_link"].as_str().unwrap().contains(&digits))
        }
        Variant::HypersenderLinkDigitCodes => shape(&code),
        Variant::HypersenderLinkPlaceholders => {
            let body = json!({"chatId": chat, "name": "acme", "message": {"prompt": "Hi {name}"}});
            prefilled(instance.post("generate-link", body).await.json["data"]["whatsapp_link"].as_str().unwrap())
                .split(" [")
                .next()
                .unwrap_or_default()
                .to_owned()
        }
        Variant::HypersenderLinkExactText => {
            send(&instance, &chat, &format!("Here: [{code}]")).await;
            format!("{:?}", filed(&instance, &digits).await)
        }
        Variant::HypersenderLinkUnbracketedFails => {
            send(&instance, &chat, "hello").await;
            format!("{:?}", filed(&instance, &digits).await)
        }
        Variant::HypersenderLinkOtherChat => {
            let (other, _) = crate::hypersender::new_chat();
            send(&instance, &other, &text).await;
            format!("{:?}", filed(&instance, &digits).await)
        }
        Variant::HypersenderLinkExpiryNotifies => {
            target.advance(60).await;
            format!("{:?}", filed(&instance, &digits).await)
        }
        Variant::HypersenderLinkSupersedes => {
            link(&instance, &chat, 60).await;
            send(&instance, &chat, &text).await;
            format!("{:?}", filed(&instance, &digits).await)
        }
        Variant::HypersenderLinkCodeValidates => {
            let reply = instance.validate(&chat, &code).await;
            format!("{} {}", reply.status, reply.json["success"])
        }
        other => panic!("{other} is not a Hypersender link variant"),
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
