//! What every API does the same way: 405 with Allow, 415, malformed JSON, JSON content type.

use conform::reference::Fault;
use serde_json::json;

use crate::support::{Target, start};
use crate::zapi::Instance;

#[tokio::test]
async fn undocumented_methods_get_405_with_allow_on_every_api() {
    let target = start(&[]).await;
    let paths = [
        ("/instances/x/token/y/mobile/registration-available", "POST"),
        ("/v2/auth/request-code", "POST"),
        ("/api/otp/v2/x/request-code", "POST"),
        ("/api/otp/v2/x/validate-code", "POST"),
    ];
    for (path, allowed) in paths {
        for method in ["PUT", "DELETE", "PATCH"] {
            let reply = target.call(method, path).send().await;
            assert_eq!(reply.status, 405, "{method} {path}");
            assert_eq!(reply.header("allow"), Some(allowed), "{method} {path}");
        }
    }
    // GET is documented next to POST on these: Allow names both (HEAD comes with GET, RFC 9110 §9.3.2).
    for path in ["/v2/auth/qr-image", "/v2/session/info", "/v2/session/start", "/v2/session/stop", "/v2/session/logout"]
    {
        let reply = target.call("DELETE", path).send().await;
        assert_eq!(reply.status, 405);
        let mut allowed: Vec<_> = reply.header("allow").unwrap().split(',').map(str::trim).collect();
        allowed.sort_unstable();
        assert_eq!(allowed, ["GET", "HEAD", "POST"], "{path}");
    }
}

#[tokio::test]
async fn a_wawp_405_uses_the_wawp_error_body() {
    // contract.md §4: every Wawp error, 405 and 415 included, uses the Wawp error body.
    let target = start(&[]).await;
    let wawp = target.call("PUT", "/v2/auth/request-code").send().await;
    assert_eq!((wawp.status, wawp.header("allow")), (405, Some("POST")));
    assert_eq!(wawp.content_type(), Some("application/json"));
    assert_eq!(wawp.json["code"], "method_not_allowed", "{}", wawp.text);
    assert!(wawp.json["message"].is_string(), "{}", wawp.text);
    // Z-API and Hypersender leave the 405 body empty.
    for path in ["/instances/x/token/y/mobile/confirm-pin-code", "/api/otp/v2/x/request-code"] {
        let reply = target.call("PUT", path).send().await;
        assert_eq!((reply.status, reply.text.as_str()), (405, ""), "{path}");
    }
}

#[tokio::test]
async fn sandbox_is_immune_to_faults() {
    let target = start(&[Fault::JsonAsTextPlain, Fault::AcceptAnyContentType, Fault::MalformedJson500]).await;
    let reply = target.get("/__sandbox/outbox?to=0").send().await;
    assert_eq!(reply.content_type(), Some("application/json"));
    let unlabeled = target.post("/__sandbox/clock").raw(r#"{"advance_seconds": 1}"#).send().await;
    assert_eq!(unlabeled.status, 415);
    let malformed = target.post("/__sandbox/clock").header("content-type", "application/json").raw("{").send().await;
    assert_eq!(malformed.status, 400);
}

/// What a client sees of one fault of the shared plumbing, through Z-API.
pub async fn probe(fault: Fault, target: &Target) -> String {
    let instance = Instance::create(target).await;
    let path = instance.path("registration-available");
    let body = json!({"ddi": "55", "phone": "4499999999"}).to_string();
    match fault {
        Fault::MethodNotAllowedAs404 | Fault::MissingAllowHeader => {
            let reply = target.get(&path).header("Client-Token", &instance.client_token).send().await;
            format!("{} allow={:?}", reply.status, reply.header("allow"))
        }
        Fault::AcceptAnyContentType => {
            let reply = target.post(&path).header("Client-Token", &instance.client_token).raw(body).send().await;
            format!("{}", reply.status)
        }
        Fault::MalformedJson500 => {
            let reply = target
                .post(&path)
                .header("Client-Token", &instance.client_token)
                .header("Content-Type", "application/json")
                .raw("{\"ddi\":")
                .send()
                .await;
            format!("{}", reply.status)
        }
        Fault::JsonAsTextPlain => {
            let reply = instance.available("4499999999").await;
            format!("{} {:?}", reply.status, reply.content_type())
        }
        other => panic!("{other} is not a fault of the shared plumbing"),
    }
}
