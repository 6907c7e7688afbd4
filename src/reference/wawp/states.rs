//! The Wawp fixture states of `POST /__sandbox/state` (`contract.md` §6): `instance` creates (or
//! resets) a session with a status, `session-status` forces one. A session created WORKING has
//! saved keys, one created in any other status has none (L4).

use chrono::Duration;

use super::super::fields::Fields;
use super::super::sandbox::{param, unknown_state};
use super::super::variants::Variant;
use super::super::{Reference, lock};
use super::{Session, Status, starting_seconds};

fn status_param(params: &Fields) -> Result<Status, String> {
    let text = param(params, "status")?;
    Status::parse(text).ok_or_else(|| {
        let known: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        format!("param `status` must be one of {}", known.join(", "))
    })
}

/// The Wawp fixture states of `POST /__sandbox/state`.
pub fn apply_state(reference: &Reference, state: &str, params: &Fields) -> Result<(), String> {
    let forced_starting_stays = reference.variants.has(Variant::WawpForcedStartingStays);
    let starting_until = |status: Status| {
        (status == Status::Starting && !forced_starting_stays)
            .then(|| reference.clock.now() + Duration::seconds(starting_seconds(reference)))
    };
    match state {
        "instance" => {
            let id = param(params, "instance_id")?;
            let token = param(params, "access_token")?;
            let status = status_param(params)?;
            let mut session = Session::new(token.to_owned(), status);
            session.starting_until = starting_until(status);
            let mut store = lock(&reference.wawp);
            store.sessions.insert(id.to_owned(), session);
            // A reset account creates its sessions afresh: the same ids again (session/create).
            store.created.remove(&token.to_owned());
            Ok(())
        }
        "session-status" => {
            let id = param(params, "instance_id")?;
            let status = status_param(params)?;
            let mut store = lock(&reference.wawp);
            let session = store.sessions.get_mut(&id.to_owned()).ok_or_else(|| format!("no wawp session `{id}`"))?;
            session.status = status;
            session.starting_until = starting_until(status);
            session.qr = None;
            match status {
                Status::Working => {
                    session.paired = true;
                    session.pairing_code = None;
                }
                Status::Failed if reference.variants.has(Variant::WawpFailedLosesKeys) => session.paired = false,
                _ => {}
            }
            Ok(())
        }
        other => Err(unknown_state("wawp", other, &["instance", "session-status"])),
    }
}
