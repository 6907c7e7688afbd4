//! Hypersender's magic link over real HTTP (`contract.md` §5.1): generate-link's answer, the
//! sandbox's `inbound-message`, the outcomes filed in the outbox, and the probes of its faults.

use chrono::DateTime;
use conform::reference::Fault;
use serde_json::{Value, json};

use crate::hypersender::{Instance, new_chat};
use crate::support::{Reply, start};

/// The prefilled text of a `wa.me` link.
pub fn prefilled(link: &str) -> String {
    let url = url::Url::parse(link).expect("a URL");
    url.query_pairs().find(|(k, _)| k == "text").map(|(_, v)| v.into_owned()).expect("a text parameter")
}

/// A link for `chat` with every message and callback set, `expires` seconds long.
pub async fn link(instance: &Instance<'_>, chat: &str, expires: i64) -> Reply {
    let body = json!({
        "chatId": chat,
        "expires": expires,
        "name": "conform",
        "message": {"prompt": "Sign in", "success": "OK!", "failed": "NO!", "expired": "LATE!"},
        "callback": {"success": "https://cb.test/ok", "failed": "https://cb.test/no"},
    });
    instance.post("generate-link", body).await
}

pub async fn send(instance: &Instance<'_>, chat: &str, text: &str) {
    instance
        .target
        .state("hypersender", "inbound-message", json!({"instance": instance.id, "chatId": chat, "text": text}))
        .await;
}

/// The outbox of `digits` as `channel:text` lines, newest first.
pub async fn filed(instance: &Instance<'_>, digits: &str) -> Vec<String> {
    let messages = instance.target.outbox(digits).await;
    messages.iter().map(|m| format!("{}:{}", m["channel"].as_str().unwrap(), m["text"].as_str().unwrap())).collect()
}

#[tokio::test]
async fn generate_link_answers_a_pending_link_carrying_the_code() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let (chat, digits) = new_chat();
    let reply = link(&instance, &chat, 300).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let data = &reply.json["data"];
    assert_eq!(
        (data["status"].clone(), data["otp_type"].clone(), data["chat_id"].clone()),
        (json!("pending"), json!("link"), json!(chat))
    );
    let at = |key: &str| DateTime::parse_from_rfc3339(data[key].as_str().unwrap()).unwrap();
    assert_eq!((at("expires_at") - at("created_at")).num_seconds(), 300);
    let whatsapp_link = data["whatsapp_link"].as_str().unwrap();
    assert!(whatsapp_link.starts_with(&format!("https://wa.me/{digits}?text=")), "{whatsapp_link}");
    let text = prefilled(whatsapp_link);
    assert!(text.contains(&format!("[{}]", data["code"].as_str().unwrap())) && text.contains("Sign in"), "{text}");
    assert!(filed(&instance, &digits).await.is_empty(), "the reference sends nothing when a link is made");
    for body in [
        json!({}),
        json!({"chatId": chat, "expires": 59}),
        json!({"chatId": chat, "expires": 3601}),
        json!({"chatId": chat, "message": {"prompt": 1}}),
    ] {
        assert_eq!(instance.post("generate-link", body).await.status, 422);
    }
}

#[tokio::test]
async fn outcomes_are_filed_and_final() {
    let target = start(&[]).await;
    let instance = Instance::create(&target).await;
    let (chat, digits) = new_chat();
    let text = prefilled(link(&instance, &chat, 300).await.json["data"]["whatsapp_link"].as_str().unwrap());
    send(&instance, &chat, "no code here").await;
    assert!(filed(&instance, &digits).await.is_empty(), "a message without a bracketed code is ignored");
    send(&instance, &chat, &text).await;
    assert_eq!(filed(&instance, &digits).await, ["callback:https://cb.test/ok", "whatsapp:OK!"]);
    send(&instance, &chat, &text).await;
    send(&instance, &chat, "[WRONG]").await;
    assert_eq!(filed(&instance, &digits).await.len(), 2, "verified is final");

    let (chat, digits) = new_chat();
    link(&instance, &chat, 300).await;
    send(&instance, &chat, "here [WRONG]").await;
    assert_eq!(filed(&instance, &digits).await, ["callback:https://cb.test/no", "whatsapp:NO!"]);

    let (chat, digits) = new_chat();
    let text = prefilled(link(&instance, &chat, 60).await.json["data"]["whatsapp_link"].as_str().unwrap());
    target.advance(60).await;
    send(&instance, &chat, &text).await;
    assert_eq!(filed(&instance, &digits).await, ["whatsapp:LATE!"]);
}

/// What a Hypersender link fault changes, seen from a client.
pub async fn probe(fault: Fault, instance: &Instance<'_>, chat: &str) -> String {
    let digits: String = chat.chars().filter(char::is_ascii_digit).collect();
    let reply = link(instance, chat, 60).await;
    let data: Value = reply.json["data"].clone();
    let text = prefilled(data["whatsapp_link"].as_str().unwrap());
    match fault {
        Fault::HypersenderLinkExpiresAtWrong => {
            let at = |key: &str| DateTime::parse_from_rfc3339(data[key].as_str().unwrap()).unwrap();
            format!("ttl {}", (at("expires_at") - at("created_at")).num_seconds())
        }
        Fault::HypersenderLinkTextWithoutCode => {
            format!("bracketed {}", text.contains(&format!("[{}]", data["code"].as_str().unwrap())))
        }
        Fault::HypersenderLinkNeverVerifies | Fault::HypersenderLinkNoCallback | Fault::HypersenderLinkNotFinal => {
            send(instance, chat, &text).await;
            send(instance, chat, &text).await;
            format!("{:?}", filed(instance, &digits).await)
        }
        Fault::HypersenderLinkAnyCodeVerifies => {
            send(instance, chat, "[WRONG]").await;
            format!("{:?}", filed(instance, &digits).await)
        }
        Fault::HypersenderLinkNeverExpires => {
            instance.target.advance(60).await;
            send(instance, chat, &text).await;
            format!("{:?}", filed(instance, &digits).await)
        }
        other => panic!("{other} is not a Hypersender fault"),
    }
}
