//! Every request a run sends to a target goes through [`send`]: counted by phase
//! ([`crate::results::RequestCounts`]), and its outcome recorded in the target's health
//! ([`super::health`]), which asks a target that keeps failing whether it still answers.

use super::shared::{Shared, SpecTarget};
use crate::http::{HttpResponse, PreparedRequest, TransportError};
use crate::results::Phase;

/// Sends `request` to `target` for `phase`. A target conform has given up is sent nothing.
pub(super) async fn send(
    shared: &Shared,
    target: &SpecTarget,
    phase: Phase,
    request: &PreparedRequest,
) -> Result<HttpResponse, TransportError> {
    if let Some(why) = target.health.not_sent() {
        return Err(TransportError::Other(why));
    }
    shared.requests.count(phase);
    let sent = shared.client.send(request).await;
    match &sent {
        Ok(_) => target.health.answer(),
        Err(error) if target.health.fail(error) => still_answers(shared, target).await,
        Err(_) => {}
    }
    sent
}

/// Asks a target whose requests keep failing for its handshake again: any answer clears it, no
/// answer gives it up. One task asks at a time; the others go on.
async fn still_answers(shared: &Shared, target: &SpecTarget) {
    let Ok(_asking) = target.health.asking.try_lock() else { return };
    if target.health.stopped().is_some() {
        return;
    }
    shared.requests.count(Phase::Sandbox);
    let check = PreparedRequest::new("GET", format!("{}/__sandbox", target.origin));
    match shared.client.send(&check).await {
        Ok(_) | Err(TransportError::TooLarge { .. }) => target.health.answer(),
        Err(error) => target.health.give_up(&error),
    }
}
