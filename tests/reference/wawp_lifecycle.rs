//! Wawp over real HTTP, the rest of the lifecycle (`contract.md` §4.1: create, restart, delete, me,
//! STARTING for 10 seconds of the sandbox clock) and the raw QR (§4.2), with their faults' probes.

use base64::Engine;
use conform::reference::Fault;
use serde_json::{Value, json};

use crate::support::{Reply, Target, start};
use crate::wawp::Session;

/// The JSON a raw QR answer's `data` holds.
pub fn decoded(reply: &Reply) -> Value {
    let data = reply.json["data"].as_str().unwrap_or_else(|| panic!("no data in {}", reply.text));
    let bytes = base64::engine::general_purpose::STANDARD.decode(data).expect("base64");
    serde_json::from_slice(&bytes).expect("JSON inside")
}

/// `session/create` with `token` in the query.
pub async fn create(target: &Target, token: &str) -> Reply {
    target.post(&format!("/v2/session/create?access_token={token}")).send().await
}

#[tokio::test]
async fn create_makes_a_stopped_session_that_starts_in_ten_seconds() {
    let target = start(&[]).await;
    let account = Session::create(&target, "SCAN_QR_CODE").await;
    let created = create(&target, &account.token).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.json["instance_id"].as_str().unwrap().to_owned();
    assert!(id.len() == 12 && id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    let session = Session { target: &target, id, token: account.token.clone() };
    assert_eq!(session.status().await, "STOPPED");
    assert_eq!(session.call("POST", "session/start").await.json["status"], "STARTING");
    target.advance(9).await;
    assert_eq!(session.status().await, "STARTING");
    target.advance(1).await;
    assert_eq!(session.status().await, "SCAN_QR_CODE", "no saved keys");
    assert_eq!(create(&target, "not-an-account").await.status, 401);
    assert_eq!(target.post("/v2/session/create").send().await.status, 400);
}

#[tokio::test]
async fn restart_works_from_every_status() {
    let target = start(&[]).await;
    for status in ["STOPPED", "STARTING", "SCAN_QR_CODE", "WORKING", "FAILED"] {
        let session = Session::create(&target, status).await;
        let restarted = session.call("GET", "session/restart").await;
        assert_eq!((restarted.status, restarted.json["status"].clone()), (200, json!("STARTING")), "{status}");
        target.advance(10).await;
        let expected = if status == "WORKING" { "WORKING" } else { "SCAN_QR_CODE" };
        assert_eq!(session.status().await, expected, "restart from {status}");
    }
    let session = Session::create(&target, "WORKING").await;
    session.call("POST", "session/logout").await;
    session.call("POST", "session/restart").await;
    target.advance(10).await;
    assert_eq!(session.status().await, "SCAN_QR_CODE", "logout dropped the keys");
}

#[tokio::test]
async fn delete_makes_every_call_404() {
    let target = start(&[]).await;
    let session = Session::create(&target, "WORKING").await;
    let deleted = session.call("DELETE", "session/delete").await;
    assert_eq!(
        deleted.json,
        json!({"name": format!("wawp-{}", session.id), "status": "DELETED", "instance_id": session.id})
    );
    for (method, path) in
        [("GET", "session/info"), ("GET", "session/me"), ("POST", "auth/qr"), ("DELETE", "session/delete")]
    {
        let reply = session.call(method, path).await;
        assert_eq!((reply.status, reply.json["code"].clone()), (404, json!("invalid_instance")), "{method} {path}");
    }
    assert_eq!(session.call("POST", "session/delete").await.status, 405);
}

#[tokio::test]
async fn me_names_the_account_in_working_only() {
    let target = start(&[]).await;
    let session = Session::create(&target, "SCAN_QR_CODE").await;
    let refused = session.call("GET", "session/me").await;
    assert_eq!((refused.status, refused.json["expected"].clone()), (422, json!(["WORKING"])));
    session.force("WORKING").await;
    let me = session.call("GET", "session/me").await;
    let id = me.json["id"].as_str().unwrap().to_owned();
    assert!(id.ends_with("@c.us") && id.trim_end_matches("@c.us").bytes().all(|b| b.is_ascii_digit()), "{id}");
    assert_eq!(session.call("GET", "session/info").await.json["me"]["id"], id);
}

#[tokio::test]
async fn the_raw_qr_lives_twenty_seconds() {
    let target = start(&[]).await;
    let session = Session::create(&target, "SCAN_QR_CODE").await;
    let first = session.call("GET", "auth/qr").await;
    assert_eq!(first.json["mimetype"], "application/json");
    let qr = decoded(&first);
    assert!(qr["value"].as_str().is_some_and(|v| !v.is_empty()) && qr["expiry"].as_i64().is_some(), "{qr}");
    let again = target.post(&session.url("auth/qr", "")).json(json!({"format": "raw"})).send().await;
    assert_eq!(decoded(&again), qr, "the same value until its expiry");
    target.advance(20).await;
    let later = decoded(&session.call("GET", "auth/qr").await);
    assert_ne!(later["value"], qr["value"]);
    assert!(later["expiry"].as_i64() > qr["expiry"].as_i64());
    session.force("WORKING").await;
    let refused = session.call("GET", "auth/qr").await;
    assert_eq!((refused.status, refused.json["expected"].clone()), (422, json!(["SCAN_QR_CODE"])));
}

/// What a Wawp fault of this file changes, seen from a client.
pub async fn probe(fault: Fault, target: &Target) -> String {
    match fault {
        Fault::WawpCreateNotStopped | Fault::WawpCreateShortId => {
            let account = Session::create(target, "SCAN_QR_CODE").await;
            let created = create(target, &account.token).await;
            let id = created.json["instance_id"].as_str().unwrap().to_owned();
            let session = Session { target, id: id.clone(), token: account.token };
            format!("id of {} characters, {}", id.len(), session.status().await)
        }
        Fault::WawpStartingTooShort => {
            let session = Session::create(target, "STOPPED").await;
            session.call("POST", "session/start").await;
            target.advance(5).await;
            session.status().await
        }
        Fault::WawpRestartRefused => {
            let session = Session::create(target, "WORKING").await;
            format!("{}", session.call("POST", "session/restart").await.status)
        }
        Fault::WawpLogoutKeepsKeys => {
            let session = Session::create(target, "WORKING").await;
            session.call("POST", "session/logout").await;
            session.call("POST", "session/restart").await;
            target.advance(10).await;
            session.status().await
        }
        Fault::WawpDeleteKeepsSession => {
            let session = Session::create(target, "SCAN_QR_CODE").await;
            session.call("DELETE", "session/delete").await;
            format!("{}", session.call("GET", "session/info").await.status)
        }
        Fault::WawpMeAnyStatus => {
            let session = Session::create(target, "STOPPED").await;
            format!("{}", session.call("GET", "session/me").await.status)
        }
        Fault::WawpMeOtherId => {
            let session = Session::create(target, "WORKING").await;
            let me = session.call("GET", "session/me").await.json["id"].clone();
            format!("same id {}", me == session.call("GET", "session/info").await.json["me"]["id"])
        }
        Fault::WawpRawQrAnyStatus => {
            let session = Session::create(target, "WORKING").await;
            format!("{}", session.call("GET", "auth/qr").await.status)
        }
        Fault::WawpRawQrNeverRotates | Fault::WawpRawQrUnstable | Fault::WawpRawQrExpirySeconds => {
            let session = Session::create(target, "SCAN_QR_CODE").await;
            let first = decoded(&session.call("GET", "auth/qr").await);
            let again = decoded(&session.call("GET", "auth/qr").await);
            target.advance(20).await;
            let later = decoded(&session.call("GET", "auth/qr").await);
            format!(
                "stable {}, rotated {}, in ms {}",
                first == again,
                later["value"] != first["value"],
                first["expiry"].as_i64().is_some_and(|e| e > 1_000_000_000_000)
            )
        }
        other => panic!("{other} is not a Wawp fault"),
    }
}
