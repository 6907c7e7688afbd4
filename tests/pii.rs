//! No artefact of a run contains a raw secret, phone number or code. The run is made to print as
//! much as it can: a faulty target (so failures show requests, answers and curl lines), no sandbox
//! (so the allow-listed number is really used), and known credentials given as variables.

use std::process::Command;

use conform::reference::{Fault, Reference, Server};
use serde_json::json;

const SECRETS: &[&str] =
    &["HSINSTANCE-7f3e9a", "hs-token-c0ffee42", "zapi-inst-5150", "zapi-tok-8080", "zapi-client-1234"];
const PHONE: &str = "201145202826";

/// Every run of 8 or more digits in `text`, leaving out the seeds conform prints to reproduce a
/// case (`(seed N)`): those are conform's own numbers, not the target's data.
fn long_digit_runs(text: &str) -> Vec<String> {
    let without_seeds: String = text
        .split("(seed ")
        .enumerate()
        .map(|(i, part)| if i == 0 { part } else { part.trim_start_matches(|c: char| c.is_ascii_digit()) })
        .collect();
    without_seeds.split(|c: char| !c.is_ascii_digit()).filter(|run| run.len() >= 8).map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_artefact_holds_a_secret_number_or_code() {
    let faults = [Fault::HypersenderExpiresAtNotDateTime, Fault::ZapiLongPhone500].into_iter().collect();
    let reference = Reference::with_options(faults, false);
    reference.apply_state("hypersender", "instance", &json!({"instance": SECRETS[0], "token": SECRETS[1]})).unwrap();
    reference
        .apply_state(
            "zapi",
            "instance",
            &json!({"instanceId": SECRETS[2], "token": SECRETS[3], "clientToken": SECRETS[4]}),
        )
        .unwrap();
    let server = Server::start_with(([127, 0, 0, 1], 0).into(), reference).await.unwrap();
    let url = server.url();
    let output = tokio::task::spawn_blocking(move || {
        let vars = [
            format!("hypersender.instance={}", SECRETS[0]),
            format!("hypersender.token={}", SECRETS[1]),
            format!("zapi.instanceId={}", SECRETS[2]),
            format!("zapi.token={}", SECRETS[3]),
            format!("zapi.clientToken={}", SECRETS[4]),
        ];
        let mut args = vec!["run", "--target", &url, "--cases", "4", "--seed", "77", "--allow-recipient", PHONE];
        args.extend(["--allow-recipient", "55-4499999999"]);
        // Six sending operations share the budget: enough of it for the allowed numbers to be reached.
        args.extend(["--max-sends", "30"]);
        for var in &vars {
            args.extend(["--var", var]);
        }
        Command::new(env!("CARGO_BIN_EXE_conform")).args(&args).env_remove("CONFORM_TARGET").output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "the faults produce failures to print:\n{stdout}\n{stderr}");
    let everything = format!("{stdout}\n{stderr}");

    // The run printed what could leak: requests to the allowed number, answers carrying codes.
    assert!(server.reference().message_recipients().iter().any(|r| r == PHONE), "the allowed number was used");
    assert!(everything.contains("\"code\":\"•••\""), "an answer with a code was printed (masked)");
    assert!(everything.contains("20••••••2826"), "the number was printed (masked)");
    assert!(everything.contains("[REDACTED]") && everything.contains("reproduce: curl"));

    for secret in SECRETS {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
    assert!(!everything.contains(PHONE), "the phone number leaked");
    let leaked = long_digit_runs(&everything);
    assert!(leaked.is_empty(), "digit runs that look like numbers or codes: {leaked:?}");
    // The specs mark OTP and pairing codes `x-conform-mask: secret`; an error body's `code`
    // (`invalid_instance`, a word) is not a secret and may show.
    for line in everything.lines().filter(|l| l.contains("\"code\":\"")) {
        for value in line.split("\"code\":\"").skip(1).map(|s| s.split('"').next().unwrap_or_default()) {
            let word = !value.is_empty() && value.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            assert!(value == "•••" || word, "a code was printed: {line}");
        }
    }
}

#[test]
fn show_secrets_is_refused_in_ci() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_conform")).args(["run", "--show-secrets"]).env("CI", "true").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--show-secrets is refused when CI is set"));
}
