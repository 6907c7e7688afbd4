//! The client side of `/__sandbox` (`contract.md` §6): detect it, and create fresh fixtures.

use std::collections::BTreeMap;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use crate::case::generator_regex;
use crate::http::{HttpClient, PreparedRequest, TransportError};
use crate::spec::{FixtureValue, SandboxFixture};

/// Whether `origin` has a sandbox: `GET /__sandbox/outbox?to=0` answers 200 (404 means none).
pub async fn detect(client: &HttpClient, origin: &str) -> Result<bool, TransportError> {
    let response = client.send(&PreparedRequest::new("GET", format!("{origin}/__sandbox/outbox?to=0"))).await?;
    Ok(response.status == 200)
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
pub async fn create(
    client: &HttpClient,
    origin: &str,
    fixture: &SandboxFixture,
    values: &BTreeMap<String, String>,
) -> Result<(), String> {
    let body = json!({"api": fixture.api, "state": fixture.state, "params": values});
    let request = PreparedRequest::new("POST", format!("{origin}/__sandbox/state"))
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&body).unwrap_or_default());
    let response = client.send(&request).await.map_err(|e| format!("the sandbox did not answer: {e}"))?;
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

/// Moves the target's clock forward (`POST /__sandbox/clock`).
pub async fn advance(client: &HttpClient, origin: &str, seconds: u64) -> Result<(), String> {
    let request = PreparedRequest::new("POST", format!("{origin}/__sandbox/clock"))
        .header("Content-Type", "application/json")
        .body(json!({"advance_seconds": seconds}).to_string());
    match client.send(&request).await {
        Ok(response) if response.status == 200 => Ok(()),
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
