//! Hypersender's magic link (`contract.md` §5.1): generate-link answers a `wa.me` link whose
//! prefilled text carries the code as `[<code>]` (M1, M2); the sandbox's `inbound-message` is the
//! chat sending a text (M3); a pending link is verified by its code, failed by another bracketed
//! code and expired at `expires_at`, and each outcome files the reply and the callback record
//! (M4); an outcome is final (M5).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::super::codes::{DIGITS, UPPER};
use super::super::faults::Fault;
use super::super::fields::{self, FieldError, Fields, Problem};
use super::super::outbox::Channel;
use super::super::sandbox::param;
use super::super::variants::Variant;
use super::super::{Reference, lock, wire};
use super::{Instance, Invalid, chat_id, handle, time};

/// The `wa.me` number under `hypersender-link-instance-number` (the docs' example).
const INSTANCE_NUMBER: &str = "201553730661";
const MESSAGES: &[&str] = &["prompt", "success", "failed", "expired"];
const CALLBACKS: &[&str] = &["success", "failed"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Pending,
    Verified,
    Failed,
    Expired,
}

/// One magic link.
#[derive(Debug, Clone)]
pub(super) struct Link {
    uuid: String,
    chat_digits: String,
    code: String,
    /// The prefilled text of its `wa.me` link.
    text: String,
    expires_at: DateTime<Utc>,
    name: String,
    messages: Map<String, Value>,
    callbacks: Map<String, Value>,
    outcome: Decision,
}

/// The fields of a generate-link call (M1).
struct LinkRequest {
    chat: String,
    digits: String,
    expires: i64,
    name: String,
    messages: Map<String, Value>,
    callbacks: Map<String, Value>,
}

/// An optional object whose members `allowed` are optional strings (422 otherwise).
fn texts(body: &Fields, field: &'static str, allowed: &[&str]) -> Result<Map<String, Value>, FieldError> {
    let object = match body.get(field) {
        None | Some(Value::Null) => return Ok(Map::new()),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(FieldError::new(field, Problem::WrongType("an object"))),
    };
    let mut out = Map::new();
    for (key, value) in object.iter().filter(|(k, _)| allowed.contains(&k.as_str())) {
        match value {
            Value::Null => {}
            Value::String(_) => {
                out.insert(key.clone(), value.clone());
            }
            _ => return Err(FieldError::new(field, Problem::WrongType("an object of strings"))),
        }
    }
    Ok(out)
}

fn read_link(reference: &Reference, body: &Fields) -> Result<LinkRequest, Invalid> {
    let (chat, digits) = chat_id(body)?;
    let expires = fields::optional_int(body, "expires", 1800, (60, 3600))?;
    let name = fields::optional_str(body, "name")?.unwrap_or("Hypersender").to_owned();
    let max_name = if reference.variants.has(Variant::HypersenderLongNames) { 255 } else { 64 };
    fields::length(&name, "name", (0, max_name))?;
    let messages = texts(body, "message", MESSAGES)?;
    let callbacks = texts(body, "callback", CALLBACKS)?;
    Ok(LinkRequest { chat, digits, expires, name, messages, callbacks })
}

/// `{name}`, `{code}` and `{link}` replaced, under `hypersender-link-placeholders` only.
fn fill(reference: &Reference, text: &str, (name, code, link): (&str, &str, &str)) -> String {
    if !reference.variants.has(Variant::HypersenderLinkPlaceholders) {
        return text.to_owned();
    }
    text.replace("{name}", name).replace("{code}", code).replace("{link}", link)
}

/// The code of the `made`-th link for a chat of the instance with `token`: drawn from a hash of the
/// three, so that a flow that sends the link's text sends the same request on every run with its
/// seed (the instance and chat are the seed's). A new instance state starts the count again.
fn link_code(token: &str, digits: &str, made: usize, alphabet: &[u8], length: usize) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (token, digits, made).hash(&mut hasher);
    let mut bits = hasher.finish();
    let base = alphabet.len() as u64;
    (0..length)
        .map(|_| {
            let c = alphabet[(bits % base) as usize] as char;
            bits = (bits / base) ^ bits.rotate_left(23);
            c
        })
        .collect()
}

/// Percent-encodes a query value (spaces as `%20`).
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

pub(super) async fn generate_link(
    State(reference): State<Arc<Reference>>,
    Path(instance): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    reference.count_sending_call();
    handle(&reference, &instance, &headers, &body, (generate, |r, b| read_link(r, b).map(|_| ())))
}

fn generate(
    reference: &Reference,
    instance: &mut Instance,
    now: DateTime<Utc>,
    body: &Fields,
) -> Result<Response, Invalid> {
    let LinkRequest { chat, digits, expires, name, messages, callbacks } = read_link(reference, body)?;
    let (faults, variants) = (&reference.faults, &reference.variants);
    let made = instance.links.count(|link| link.chat_digits == digits) + 1;
    let code = if variants.has(Variant::HypersenderLinkDigitCodes) {
        link_code(&instance.token, &digits, made, DIGITS, 6)
    } else {
        link_code(&instance.token, &digits, made, UPPER, 8)
    };
    let prompt = messages.get("prompt").and_then(Value::as_str).map(|p| fill(reference, p, (&name, &code, "")));
    let bracketed =
        if faults.has(Fault::HypersenderLinkTextWithoutCode) { String::new() } else { format!("[{code}] ") };
    let text = match prompt {
        Some(prompt) => format!("{prompt} {bracketed}DO NOT CHANGE THIS MESSAGE"),
        None => format!("{bracketed}DO NOT CHANGE THIS MESSAGE"),
    };
    let target = if variants.has(Variant::HypersenderLinkInstanceNumber) { INSTANCE_NUMBER } else { &digits };
    let whatsapp_link = format!("https://wa.me/{target}?text={}", encode(&text));
    let ttl = if faults.has(Fault::HypersenderLinkExpiresAtWrong) { 1800 } else { expires };
    let uuid = uuid::Uuid::new_v4().to_string();
    if variants.has(Variant::HypersenderLinkSupersedes) {
        instance.links.retain(|_, link| !(link.chat_digits == digits && link.outcome == Decision::Pending));
    }
    if variants.has(Variant::HypersenderLinkMessage) {
        let message = format!("Tap the link to verify your number with {name}: {whatsapp_link}");
        reference.outbox().send(now, &digits, Channel::Whatsapp, Some(&code), message);
    }
    let link = Link {
        uuid: uuid.clone(),
        chat_digits: digits,
        code: code.clone(),
        text,
        expires_at: now + Duration::seconds(ttl),
        name,
        messages,
        callbacks,
        outcome: Decision::Pending,
    };
    let expires_at = time(reference, link.expires_at);
    instance.links.insert(uuid.clone(), link);
    Ok(wire::json(
        reference,
        StatusCode::OK,
        json!({
            "success": true,
            "message": "OTP link request created successfully",
            "data": {
                "uuid": uuid,
                "code": code,
                "chat_id": chat,
                "status": "pending",
                "otp_type": "link",
                "expires_at": expires_at,
                "created_at": time(reference, now),
                "whatsapp_link": whatsapp_link,
            }
        }),
    ))
}

/// The codes written `[like this]` in a text.
fn bracketed(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']') else { break };
        out.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    out
}

/// Decides a link, and files what its outcome sends: the reply the chat sees (with the request's
/// text for that outcome, if it sent one) and, for verified and failed, the callback record.
fn decide(reference: &Reference, link: &mut Link, outcome: Decision, now: DateTime<Utc>) {
    link.outcome = outcome;
    let (key, default, callback) = match outcome {
        Decision::Verified => ("success", "Your number is verified.", Some("success")),
        Decision::Failed => ("failed", "The verification failed.", Some("failed")),
        Decision::Expired => ("expired", "The verification link has expired.", None),
        Decision::Pending => return,
    };
    // Under `hypersender-link-expiry-notifies`, expiry calls callback.failed too.
    let callback = callback.or_else(|| {
        (outcome == Decision::Expired && reference.variants.has(Variant::HypersenderLinkExpiryNotifies))
            .then_some("failed")
    });
    let parts = (link.name.as_str(), link.code.as_str(), "");
    let reply =
        link.messages.get(key).and_then(Value::as_str).map_or(default.to_owned(), |t| fill(reference, t, parts));
    let mut outbox = reference.outbox();
    outbox.send(now, &link.chat_digits, Channel::Whatsapp, None, reply);
    if let Some(url) = callback.and_then(|c| link.callbacks.get(c)).and_then(Value::as_str)
        && !reference.faults.has(Fault::HypersenderLinkNoCallback)
    {
        outbox.send(now, &link.chat_digits, Channel::Callback, None, url.to_owned());
    }
}

/// What a message from a chat does to one of the instance's links (M4), `None`: nothing.
fn outcome_of(
    reference: &Reference,
    link: &Link,
    from_link_chat: bool,
    text: &str,
    now: DateTime<Utc>,
) -> Option<Decision> {
    let (faults, variants) = (&reference.faults, &reference.variants);
    let decided = link.outcome != Decision::Pending && !faults.has(Fault::HypersenderLinkNotFinal);
    let codes = bracketed(text);
    let has_code = codes.contains(&link.code.as_str());
    if decided || !(from_link_chat || (has_code && variants.has(Variant::HypersenderLinkOtherChat))) {
        return None;
    }
    if now >= link.expires_at && !faults.has(Fault::HypersenderLinkNeverExpires) {
        return Some(Decision::Expired);
    }
    let verified = if has_code {
        !faults.has(Fault::HypersenderLinkNeverVerifies)
            && (text == link.text || !variants.has(Variant::HypersenderLinkExactText))
    } else if !codes.is_empty() {
        faults.has(Fault::HypersenderLinkAnyCodeVerifies)
    } else if variants.has(Variant::HypersenderLinkUnbracketedFails) {
        false
    } else {
        return None;
    };
    Some(if verified { Decision::Verified } else { Decision::Failed })
}

/// The sandbox's `inbound-message` {instance, chatId, text} (M3): that chat sends `text`.
pub(super) fn inbound(reference: &Reference, params: &Fields) -> Result<(), String> {
    let instance_id = param(params, "instance")?;
    let chat = param(params, "chatId")?;
    let text = match params.get("text") {
        Some(Value::String(text)) => text.clone(),
        _ => return Err("param `text` is required and must be a string".to_owned()),
    };
    let digits: String = chat.chars().filter(char::is_ascii_digit).collect();
    let now = reference.clock.now();
    let mut store = lock(&reference.hypersender);
    let instance = store
        .instances
        .get_mut(&instance_id.to_owned())
        .ok_or_else(|| format!("no hypersender instance `{instance_id}`"))?;
    // Oldest link first, so that what they file comes in the order they were made.
    instance.links.for_each_in_order_mut(|link| {
        if let Some(outcome) = outcome_of(reference, link, link.chat_digits == digits, &text, now) {
            decide(reference, link, outcome, now);
        }
    });
    Ok(())
}

/// Under `hypersender-link-expiry-notifies`: every pending link whose time is up expires now, and
/// files what expiry sends (called when the sandbox clock moves).
pub fn expire_links(reference: &Reference) {
    if !reference.variants.has(Variant::HypersenderLinkExpiryNotifies) {
        return;
    }
    let now = reference.clock.now();
    let mut store = lock(&reference.hypersender);
    store.instances.for_each_mut(|instance| {
        instance.links.for_each_in_order_mut(|link| {
            if link.outcome == Decision::Pending && now >= link.expires_at {
                decide(reference, link, Decision::Expired, now);
            }
        });
    });
}

/// Under `hypersender-link-code-validates`: validate-code given a pending link's code for its
/// chat verifies the link (`Some(uuid)`).
pub(super) fn validate_link_code(
    reference: &Reference,
    instance: &mut Instance,
    digits: &str,
    given: &str,
    now: DateTime<Utc>,
) -> Option<String> {
    if !reference.variants.has(Variant::HypersenderLinkCodeValidates) {
        return None;
    }
    let mut found = None;
    instance.links.for_each_in_order_mut(|link| {
        if found.is_none()
            && link.outcome == Decision::Pending
            && link.chat_digits == digits
            && link.code == given
            && now < link.expires_at
        {
            decide(reference, link, Decision::Verified, now);
            found = Some(link.uuid.clone());
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracketed_codes_are_found() {
        assert_eq!(bracketed("Log in [AB12] DO NOT CHANGE"), ["AB12"]);
        assert_eq!(bracketed("[a] and [b]"), ["a", "b"]);
        assert!(bracketed("no code [here").is_empty());
    }

    #[test]
    fn link_codes_differ_per_chat_and_link_and_keep_their_alphabet() {
        let code = |token, digits, made| link_code(token, digits, made, UPPER, 8);
        assert_eq!(code("t", "20111", 1), code("t", "20111", 1));
        assert_ne!(code("t", "20111", 1), code("t", "20111", 2));
        assert_ne!(code("t", "20111", 1), code("t", "20112", 1));
        assert_ne!(code("t", "20111", 1), code("u", "20111", 1));
        assert!(code("t", "20111", 1).bytes().all(|b| b.is_ascii_uppercase()));
        assert!(link_code("t", "1", 1, DIGITS, 6).bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn link_texts_are_percent_encoded() {
        assert_eq!(encode("Log in [AB] +x"), "Log%20in%20%5BAB%5D%20%2Bx");
    }
}
