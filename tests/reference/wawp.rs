//! Wawp v2 over real HTTP: every flow of `contract.md` §4.

use conform::reference::Fault;
use serde_json::{Value, json};

use crate::support::{Reply, Target, start, unique, unique_phone};

/// A fresh session created through the sandbox.
pub struct Session<'a> {
    pub target: &'a Target,
    pub id: String,
    pub token: String,
}

impl<'a> Session<'a> {
    pub async fn create(target: &'a Target, status: &str) -> Session<'a> {
        let session = Session { target, id: unique("W").to_ascii_uppercase(), token: unique("wt") };
        target
            .state(
                "wawp",
                "instance",
                json!({"instance_id": session.id, "access_token": session.token, "status": status}),
            )
            .await;
        session
    }

    /// `path?instance_id=…&access_token=…` plus `extra`.
    pub fn url(&self, path: &str, extra: &str) -> String {
        format!("/v2/{path}?instance_id={}&access_token={}{extra}", self.id, self.token)
    }

    pub async fn call(&self, method: &str, path: &str) -> Reply {
        self.target.call(method, &self.url(path, "")).send().await
    }

    pub async fn request_code(&self, phone: &str) -> Reply {
        self.target.post(&self.url("auth/request-code", &format!("&phone_number={phone}"))).send().await
    }

    pub async fn force(&self, status: &str) {
        self.target.state("wawp", "session-status", json!({"instance_id": self.id, "status": status})).await;
    }

    pub async fn status(&self) -> String {
        self.call("GET", "session/info").await.json["status"].as_str().unwrap_or_default().to_owned()
    }
}

fn is_pairing_code(code: &Value) -> bool {
    code.as_str().is_some_and(|c| {
        let b = c.as_bytes();
        b.len() == 9
            && b[4] == b'-'
            && b.iter().enumerate().all(|(i, ch)| i == 4 || ch.is_ascii_digit() || ch.is_ascii_uppercase())
    })
}

#[tokio::test]
async fn pairing_code_in_scan_qr_code() {
    let target = start(&[]).await;
    let session = Session::create(&target, "SCAN_QR_CODE").await;
    let phone = format!("20{}", unique_phone());
    let reply = session.request_code(&phone).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.content_type(), Some("application/json"));
    assert!(is_pairing_code(&reply.json["code"]), "{}", reply.text);

    // Credentials and phone in the body work the same.
    let body = json!({"instance_id": session.id, "access_token": session.token, "phone_number": phone});
    let second = target.post("/v2/auth/request-code").json(body).send().await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert!(is_pairing_code(&second.json["code"]));
    let outbox = target.outbox(&phone).await;
    assert_eq!(outbox.len(), 2, "one linking notice per request");
    assert_eq!(outbox[0]["channel"], "whatsapp");
    assert_eq!(outbox[0]["code"], Value::Null, "the notice never carries the code");
}

#[tokio::test]
async fn qr_and_info_follow_the_status() {
    let target = start(&[]).await;
    let session = Session::create(&target, "SCAN_QR_CODE").await;
    for method in ["GET", "POST"] {
        let qr = session.call(method, "auth/qr-image").await;
        assert_eq!(qr.status, 200, "{method}: {}", qr.text);
        assert!(qr.json["qr"].as_str().unwrap().starts_with("data:image/png;base64,"));
        let info = session.call(method, "session/info").await;
        assert_eq!(info.json["status"], "SCAN_QR_CODE");
        assert_eq!(info.json["name"], format!("wawp-{}", session.id));
        assert_eq!(info.json["config"], json!({"webhooks": {}, "proxy": null}));
        assert!(info.json["qr"].is_string(), "a QR only in SCAN_QR_CODE");
        assert!(info.json.get("me").is_none());
    }
    let phone = format!("20{}", unique_phone());
    session.request_code(&phone).await;
    session.force("WORKING").await;
    let info = session.call("GET", "session/info").await;
    assert_eq!(info.json["status"], "WORKING");
    assert!(info.json.get("qr").is_none());
    assert_eq!(info.json["me"]["id"], format!("{phone}@c.us"));
    let qr = session.call("GET", "auth/qr-image").await;
    assert_eq!(qr.status, 422);
    assert_eq!(qr.json["expected"], json!(["SCAN_QR_CODE"]));
}

#[tokio::test]
async fn request_code_outside_scan_qr_code_is_422() {
    let target = start(&[]).await;
    for status in ["STOPPED", "STARTING", "WORKING", "FAILED"] {
        let session = Session::create(&target, status).await;
        let reply = session.request_code("201145202826").await;
        assert_eq!(reply.status, 422, "{status}: {}", reply.text);
        assert_eq!(reply.json["code"], "session_status_mismatch");
        assert_eq!(reply.json["status"], status);
        assert_eq!(reply.json["expected"], json!(["SCAN_QR_CODE"]));
    }
}

#[tokio::test]
async fn lifecycle_start_stop_logout() {
    let target = start(&[]).await;
    let session = Session::create(&target, "STOPPED").await;
    let started = session.call("POST", "session/start").await;
    assert_eq!((started.status, started.json["status"].clone()), (200, json!("STARTING")));
    let again = session.call("POST", "session/start").await;
    assert_eq!(again.status, 422);
    assert_eq!(again.json["expected"], json!(["STOPPED", "FAILED"]));
    target.advance(10).await;
    assert_eq!(session.status().await, "SCAN_QR_CODE", "never paired: it waits for a scan");

    session.force("WORKING").await;
    let stopped = session.call("POST", "session/stop").await;
    assert_eq!(stopped.json["status"], "STOPPED");
    session.call("POST", "session/start").await;
    target.advance(10).await;
    assert_eq!(session.status().await, "WORKING", "a paired session comes back without a scan");

    let logged_out = session.call("POST", "session/logout").await;
    assert_eq!(logged_out.json["status"], "SCAN_QR_CODE");
    session.call("POST", "session/stop").await;
    session.call("POST", "session/start").await;
    target.advance(10).await;
    assert_eq!(session.status().await, "SCAN_QR_CODE", "logout forgot the pairing");

    session.force("FAILED").await;
    assert_eq!(session.call("POST", "session/start").await.json["status"], "STARTING", "FAILED may be restarted");
}

#[tokio::test]
async fn start_stop_and_logout_answer_get_as_post() {
    // The docs list both methods for these three (contract.md §4).
    let target = start(&[]).await;
    let session = Session::create(&target, "STOPPED").await;
    let started = session.call("GET", "session/start").await;
    assert_eq!((started.status, started.json["status"].clone()), (200, json!("STARTING")), "{}", started.text);
    let again = session.call("GET", "session/start").await;
    assert_eq!((again.status, again.json["code"].clone()), (422, json!("session_status_mismatch")));
    target.advance(10).await;
    session.force("WORKING").await;
    let logged_out = session.call("GET", "session/logout").await;
    assert_eq!((logged_out.status, logged_out.json["status"].clone()), (200, json!("SCAN_QR_CODE")));
    let stopped = session.call("GET", "session/stop").await;
    assert_eq!((stopped.status, stopped.json["status"].clone()), (200, json!("STOPPED")));
    let wrong = target.get(&format!("/v2/session/stop?instance_id={}&access_token=nope", session.id)).send().await;
    assert_eq!((wrong.status, wrong.json["code"].clone()), (401, json!("invalid_access_token")));
}

#[tokio::test]
async fn credentials_and_parameters() {
    let target = start(&[]).await;
    let session = Session::create(&target, "SCAN_QR_CODE").await;
    let missing = target.post("/v2/session/info").send().await;
    assert_eq!((missing.status, missing.json["code"].clone()), (400, json!("missing_parameter")));
    let no_token = target.get(&format!("/v2/session/info?instance_id={}", session.id)).send().await;
    assert_eq!(no_token.json["code"], "missing_parameter");
    let wrong = target.get(&format!("/v2/session/info?instance_id={}&access_token=nope", session.id)).send().await;
    assert_eq!((wrong.status, wrong.json["code"].clone()), (401, json!("invalid_access_token")));
    let unknown =
        target.get(&format!("/v2/session/info?instance_id=NOSUCH&access_token={}", session.token)).send().await;
    assert_eq!((unknown.status, unknown.json["code"].clone()), (404, json!("invalid_instance")));

    let no_phone = session.call("POST", "auth/request-code").await;
    assert_eq!((no_phone.status, no_phone.json["code"].clone()), (400, json!("missing_parameter")));
    for bad in ["%2B201145202826", "20-1145202826", "2011452", "2011452028261234", "2011452028x6"] {
        let reply = session.request_code(bad).await;
        assert_eq!((reply.status, reply.json["code"].clone()), (400, json!("invalid_parameter")), "{bad}");
    }
    let typed = target
        .post(&session.url("auth/request-code", "&phone_number=201145202826"))
        .json(json!({"phone_number": 201145202826_i64}))
        .send()
        .await;
    assert_eq!(
        (typed.status, typed.json["code"].clone()),
        (400, json!("invalid_parameter")),
        "a body value is checked too"
    );
}

#[tokio::test]
async fn protocol_errors() {
    let target = start(&[]).await;
    let session = Session::create(&target, "SCAN_QR_CODE").await;
    for (path, method, allowed) in [
        ("auth/request-code", "GET", "POST"),
        ("session/start", "PUT", "GET,HEAD,POST"),
        ("session/stop", "DELETE", "GET,HEAD,POST"),
        ("session/logout", "PATCH", "GET,HEAD,POST"),
    ] {
        let reply = session.call(method, path).await;
        assert_eq!((reply.status, reply.header("allow")), (405, Some(allowed)), "{method} {path}");
    }
    let unlabeled = target.post(&session.url("session/info", "")).raw(r#"{"a":1}"#).send().await;
    assert_eq!((unlabeled.status, unlabeled.json["code"].clone()), (415, json!("unsupported_media_type")));
    let malformed =
        target.post(&session.url("session/info", "")).header("Content-Type", "application/json").raw("{").send().await;
    assert_eq!((malformed.status, malformed.json["code"].clone()), (400, json!("invalid_json")));
}

#[tokio::test]
async fn sandbox_states() {
    let target = start(&[]).await;
    let session = Session::create(&target, "WORKING").await;
    assert_eq!(session.status().await, "WORKING");
    session.force("FAILED").await;
    assert_eq!(session.status().await, "FAILED");
    for (state, params) in [
        ("instance", json!({"instance_id": "X", "access_token": "t", "status": "working"})),
        ("instance", json!({"instance_id": "X", "status": "WORKING"})),
        ("session-status", json!({"instance_id": "NOSUCH", "status": "WORKING"})),
        ("session-status", json!({"instance_id": session.id})),
    ] {
        let reply =
            target.post("/__sandbox/state").json(json!({"api": "wawp", "state": state, "params": params})).send().await;
        assert_eq!(reply.status, 400, "{state} {params}: {}", reply.text);
    }
}

/// What a client sees of one Wawp fault's behaviour (see `faults.rs`).
pub async fn probe(fault: Fault, target: &Target) -> String {
    match fault {
        Fault::WawpTokenNotChecked => {
            let session = Session::create(target, "SCAN_QR_CODE").await;
            let reply =
                target.get(&format!("/v2/session/info?instance_id={}&access_token=nope", session.id)).send().await;
            format!("{}", reply.status)
        }
        Fault::WawpRequestCodeAnyStatus | Fault::WawpMismatch409 => {
            let session = Session::create(target, "WORKING").await;
            format!("{}", session.request_code("201145202826").await.status)
        }
        Fault::WawpPairingCodeFormat => {
            let session = Session::create(target, "SCAN_QR_CODE").await;
            format!("well-formed {}", is_pairing_code(&session.request_code("201145202826").await.json["code"]))
        }
        Fault::WawpInfoMissingStatus => {
            let session = Session::create(target, "SCAN_QR_CODE").await;
            format!("status {}", session.call("GET", "session/info").await.json["status"])
        }
        Fault::WawpQrAnyStatus => {
            let session = Session::create(target, "WORKING").await;
            format!("{}", session.call("GET", "auth/qr-image").await.status)
        }
        Fault::WawpLogoutKeepsStatus => {
            let session = Session::create(target, "WORKING").await;
            format!("status {}", session.call("GET", "session/logout").await.json["status"])
        }
        other => crate::wawp_lifecycle::probe(other, target).await,
    }
}
