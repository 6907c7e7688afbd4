//! The `/__sandbox` surface itself: outbox, clock and the errors of the state endpoint.

#![allow(clippy::unwrap_used)]

use serde_json::json;

use crate::support::start;

#[tokio::test]
async fn handshake_names_the_protocol_and_every_api() {
    let target = start(&[]).await;
    let reply = target.get("/__sandbox").send().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json, json!({"sandbox": "conform", "version": 1, "apis": ["zapi", "wawp", "hypersender"]}));
    assert_eq!(reply.content_type(), Some("application/json"));
}

#[tokio::test]
async fn outbox_probe_answers_an_empty_list() {
    let target = start(&[]).await;
    let reply = target.get("/__sandbox/outbox?to=0").send().await;
    assert_eq!((reply.status, reply.json.clone()), (200, json!([])));
    assert_eq!(reply.content_type(), Some("application/json"));
}

#[tokio::test]
async fn outbox_needs_a_digit_recipient() {
    let target = start(&[]).await;
    for query in ["", "?to=", "?to=abc", "?to=+5511", "?to=123456789012345678901"] {
        let reply = target.get(&format!("/__sandbox/outbox{query}")).send().await;
        assert_eq!(reply.status, 400, "{query}");
        assert!(reply.json["error"].is_string(), "{query}");
    }
}

#[tokio::test]
async fn clock_moves_forward_only() {
    let target = start(&[]).await;
    let reply = target.post("/__sandbox/clock").json(json!({"advance_seconds": 3600})).send().await;
    assert_eq!(reply.status, 200);
    let now = chrono::DateTime::parse_from_rfc3339(reply.json["now"].as_str().unwrap()).unwrap();
    let ahead = now.signed_duration_since(chrono::Utc::now());
    assert!(ahead.num_seconds() >= 3590, "the clock is an hour ahead, got {ahead}");
    for bad in [
        json!({"advance_seconds": -1}),
        json!({"advance_seconds": "10"}),
        json!({}),
        json!({"advance_seconds": 1.5}),
        json!({"advance_seconds": 315_360_001_i64}),
    ] {
        let reply = target.post("/__sandbox/clock").json(bad.clone()).send().await;
        assert_eq!(reply.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn state_refuses_unknown_api_state_and_missing_params() {
    let target = start(&[]).await;
    let cases = [
        (json!({"api": "nope", "state": "instance", "params": {}}), "unknown api"),
        (json!({"api": "zapi", "state": "nope", "params": {}}), "unknown state"),
        (json!({"api": "wawp", "state": "nope", "params": {}}), "unknown state"),
        (json!({"api": "hypersender", "state": "nope", "params": {}}), "unknown state"),
        (json!({"api": "zapi", "state": "instance", "params": {"instanceId": "a", "token": "b"}}), "clientToken"),
        (
            json!({"api": "zapi", "state": "instance", "params": {"instanceId": "a", "token": 1, "clientToken": "c"}}),
            "token",
        ),
        (json!({"api": "zapi", "state": "pin-required", "params": {"ddi": "55", "phone": "4499999999"}}), "pin"),
        (json!({"api": "zapi", "state": "captcha-required", "params": {"ddi": "55"}}), "phone"),
        (json!({"state": "instance"}), "api"),
        (json!({"api": "zapi", "state": "instance", "params": []}), "params"),
    ];
    for (body, needle) in cases {
        let reply = target.post("/__sandbox/state").json(body.clone()).send().await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        let message = reply.json["error"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{body}: {message}");
    }
    let unlabeled = target.post("/__sandbox/state").raw("{}").send().await;
    assert_eq!(unlabeled.status, 415);
}
