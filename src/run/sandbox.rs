//! The client side of `/__sandbox` (`contract.md` §6): detect it, and create fresh fixtures.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use super::shared::{Shared, SpecTarget};
use crate::case::generator_regex;
use crate::http::{HttpClient, PreparedRequest, TransportError};
use crate::results::Phase;
use crate::spec::{FixtureValue, SandboxFixture};

/// The sandbox protocol versions conform speaks (`contract.md` §6).
pub const KNOWN_VERSIONS: &[u64] = &[1];

/// What the handshake said about one origin: which apis its sandbox serves, if it is one, and the
/// answer that decided it, for the run's header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// The apis of a valid handshake; `None` when the origin has no sandbox.
    pub apis: Option<Vec<String>>,
    /// Why: `GET /__sandbox answered 404`, `… a conform sandbox (version 1: zapi, wawp)`, …
    pub evidence: String,
    /// Whether the origin answered the handshake with an HTTP status (whatever it was).
    pub answered: bool,
}

impl Handshake {
    /// Whether the sandbox serves `api`. Anything short of a valid handshake naming it is "no".
    pub fn serves(&self, api: &str) -> bool {
        self.apis.as_ref().is_some_and(|apis| apis.iter().any(|a| a == api))
    }

    fn none(evidence: String) -> Self {
        Handshake { apis: None, evidence, answered: true }
    }
}

/// Asks `origin` for the handshake (`GET /__sandbox`). Only a 200 JSON document with
/// `"sandbox": "conform"`, a known `version` and a list of `apis` makes a sandbox: a 404, an
/// error, a timeout or any other 200 body (a mock server, a SPA fallback, a permissive gateway)
/// means none, because a wrong "yes" would switch the send guard off. `Err` only when the origin
/// cannot be reached at all.
pub async fn detect(client: &HttpClient, origin: &str) -> Result<Handshake, TransportError> {
    let url = format!("{origin}/__sandbox");
    let response = match client.send(&PreparedRequest::new("GET", url)).await {
        Ok(response) => response,
        Err(error @ (TransportError::Connect { .. } | TransportError::InvalidRequest(_))) => return Err(error),
        Err(error) => {
            let evidence = format!("GET /__sandbox failed ({error}): no sandbox");
            return Ok(Handshake { answered: false, ..Handshake::none(evidence) });
        }
    };
    Ok(read_handshake(response.status, &response.body))
}

/// Judges a handshake answer (see [`detect`]).
pub fn read_handshake(status: u16, body: &[u8]) -> Handshake {
    if status != 200 {
        return Handshake::none(format!("GET /__sandbox answered {status}: no sandbox"));
    }
    let not_it = |why: &str| Handshake::none(format!("GET /__sandbox answered 200 but {why}: no sandbox"));
    let Ok(document) = serde_json::from_slice::<Value>(body) else {
        return not_it("not with JSON");
    };
    if document.get("sandbox").and_then(Value::as_str) != Some("conform") {
        return not_it("without \"sandbox\": \"conform\"");
    }
    let Some(version) = document.get("version").and_then(Value::as_u64) else {
        return not_it("without a numeric version");
    };
    if !KNOWN_VERSIONS.contains(&version) {
        return not_it(&format!("with version {version}, which this conform does not speak"));
    }
    let Some(apis) = document.get("apis").and_then(Value::as_array) else {
        return not_it("without a list of apis");
    };
    let Some(apis) = apis.iter().map(|a| a.as_str().map(str::to_owned)).collect::<Option<Vec<String>>>() else {
        return not_it("with apis that are not all names");
    };
    let evidence = format!("GET /__sandbox: a conform sandbox (version {version}: {})", apis.join(", "));
    Handshake { apis: Some(apis), evidence, answered: true }
}

/// Fresh values for a fixture's params, drawn from `seed`: the same seed makes the same fixture.
pub fn fixture_values(fixture: &SandboxFixture, seed: u64) -> Result<BTreeMap<String, String>, String> {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&seed.rotate_left(17).to_le_bytes());
    let mut runner = TestRunner::new_with_rng(Default::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let mut values = BTreeMap::new();
    for (name, value) in &fixture.params {
        let value = match value {
            FixtureValue::Fixed(value) => value.clone(),
            FixtureValue::Generate(regex) => {
                let strategy = proptest::string::string_regex(&generator_regex(regex))
                    .map_err(|e| format!("x-conform-sandbox param `{name}`: bad regex `{regex}`: {e}"))?;
                strategy.new_tree(&mut runner).map_err(|e| format!("param `{name}`: {e}"))?.current()
            }
        };
        values.insert(name.clone(), value);
    }
    Ok(values)
}

/// Puts the fixture into its state on the target. `Err` says why, with the sandbox's answer.
pub(super) async fn create(
    shared: &Shared,
    target: &SpecTarget,
    fixture: &SandboxFixture,
    values: &BTreeMap<String, String>,
) -> Result<(), String> {
    let origin = &target.origin;
    let body = json!({"api": fixture.api, "state": fixture.state, "params": values});
    let request = PreparedRequest::new("POST", format!("{origin}/__sandbox/state"))
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&body).unwrap_or_default());
    let response = super::wire::send(shared, target, Phase::Sandbox, &request)
        .await
        .map_err(|e| format!("the sandbox did not answer: {e}"))?;
    let answer: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    if response.status == 200 && answer.get("ok") == Some(&Value::Bool(true)) {
        Ok(())
    } else {
        Err(format!(
            "the sandbox refused state {}/{}: {} {}",
            fixture.api,
            fixture.state,
            response.status,
            response.body_text().chars().take(300).collect::<String>()
        ))
    }
}

/// Moves the target's clock forward (`POST /__sandbox/clock`) and keeps the `now` it answers.
pub(super) async fn advance(shared: &Shared, target: &SpecTarget, seconds: u64) -> Result<(), String> {
    let request = PreparedRequest::new("POST", format!("{}/__sandbox/clock", target.origin))
        .header("Content-Type", "application/json")
        .body(json!({"advance_seconds": seconds}).to_string());
    match super::wire::send(shared, target, Phase::Sandbox, &request).await {
        Ok(response) if response.status == 200 => {
            let answer: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            if let Some(now) =
                answer.get("now").and_then(Value::as_str).and_then(|n| DateTime::parse_from_rfc3339(n).ok())
            {
                target.clock.observe(now.with_timezone(&Utc));
            }
            Ok(())
        }
        Ok(response) => {
            Err(format!("the sandbox refused to move its clock: {} {}", response.status, response.body_text()))
        }
        Err(e) => Err(format!("the sandbox did not answer: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_handshake_makes_a_sandbox() {
        let good = br#"{"sandbox": "conform", "version": 1, "apis": ["zapi", "wawp"]}"#;
        let handshake = read_handshake(200, good);
        assert!(handshake.serves("zapi") && handshake.serves("wawp") && !handshake.serves("hypersender"));
        assert!(handshake.evidence.contains("version 1: zapi, wawp"), "{}", handshake.evidence);
        let fakes: [(u16, &[u8]); 9] = [
            (404, good),
            (500, good),
            (200, b""),
            (200, b"<!doctype html><title>app</title>"),
            (200, b"{}"),
            (200, b"[]"),
            (200, br#"{"sandbox": "other", "version": 1, "apis": ["zapi"]}"#),
            (200, br#"{"sandbox": "conform", "version": 2, "apis": ["zapi"]}"#),
            (200, br#"{"sandbox": "conform", "version": 1, "apis": "zapi"}"#),
        ];
        for (status, body) in fakes {
            let handshake = read_handshake(status, body);
            assert!(!handshake.serves("zapi"), "{status} {}", String::from_utf8_lossy(body));
            assert!(handshake.evidence.ends_with("no sandbox"), "{}", handshake.evidence);
        }
    }

    #[test]
    fn values_are_fresh_per_seed_and_stable_for_one() {
        let fixture = SandboxFixture {
            api: "wawp".into(),
            state: "instance".into(),
            params: vec![
                ("instance_id".into(), FixtureValue::Generate("^[A-Z0-9]{12}$".into())),
                ("status".into(), FixtureValue::Fixed("SCAN_QR_CODE".into())),
            ],
        };
        let a = fixture_values(&fixture, 1).unwrap();
        assert_eq!(a, fixture_values(&fixture, 1).unwrap());
        assert_ne!(a["instance_id"], fixture_values(&fixture, 2).unwrap()["instance_id"]);
        assert_eq!(a["instance_id"].len(), 12);
        assert_eq!(a["status"], "SCAN_QR_CODE");
    }
}
