//! The engine against deliberately broken servers: for every covered fault, a run with that fault
//! fails, and the rule meant for it (a check, or a suite rule of the bundled suites) is among the
//! failures. The clean server passes everything, cases and scenarios, under `--strict`. The
//! detection matrix is printed (run with `--nocapture` to see it) and kept in docs/checks.md.

use std::collections::BTreeSet;
use std::time::Duration;

use conform::check::CheckId;
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::reference::{Fault, FaultScope, Server};
use conform::run::{RunConfig, RunResult, Verdict, run};

/// The rule meant to catch each fault: a check where a stateless case reaches the defect, else
/// the suite rule whose scenario walks the flow that shows it.
fn intended(fault: Fault) -> Option<&'static str> {
    let rule = match fault {
        Fault::HypersenderCodeLengthOffByOne
        | Fault::HypersenderCharsetIgnored
        | Fault::HypersenderExpiresAtWrong
        | Fault::HypersenderLinkExpiresAtWrong => "property",
        Fault::HypersenderCodeReusable => "single-use",
        Fault::HypersenderExpiryNotEnforced => "expires-after",
        Fault::HypersenderWrongCodeAccepted => "requires",
        Fault::HypersenderNoSupersede => "supersedes",
        // A flow's own step refuses a string retryAfter before any rule's last step runs.
        Fault::ZapiRetryAfterString | Fault::WawpLogoutKeepsStatus => "scenario",
        // Flows whose own steps show the defect: an outbox record, a status, an answer's field.
        Fault::ZapiRecoveryForgetsPin
        | Fault::ZapiRecoveryMailNotFiled
        | Fault::ZapiAppealUnbansAtOnce
        | Fault::ZapiUnbannedStaysBanned
        | Fault::ZapiPinNotStored
        | Fault::ZapiEmailVerifiedAtOnce
        | Fault::WawpCreateNotStopped
        | Fault::WawpStartingTooShort
        | Fault::WawpRestartRefused
        | Fault::WawpLogoutKeepsKeys
        | Fault::WawpDeleteKeepsSession
        | Fault::WawpMeOtherId
        | Fault::WawpRawQrNeverRotates
        | Fault::WawpRawQrUnstable
        | Fault::WawpRawQrExpirySeconds
        | Fault::HypersenderLinkNeverVerifies
        | Fault::HypersenderLinkAnyCodeVerifies
        | Fault::HypersenderLinkNeverExpires
        | Fault::HypersenderLinkNotFinal
        | Fault::HypersenderLinkTextWithoutCode
        | Fault::HypersenderLinkNoCallback => "scenario",
        Fault::ZapiSkipAvailability
        | Fault::ZapiConfirmWithoutRequest
        | Fault::ZapiCaptchaWithoutPending
        | Fault::ZapiWrongCodeAccepted
        | Fault::ZapiRecoveryOutsidePin
        | Fault::ZapiAppealAnyToken
        | Fault::ZapiSecurityWithoutConnection
        | Fault::ZapiEmailAnyCode => "requires",
        Fault::ZapiPhoneMismatchAccepted => "same-subject",
        Fault::ZapiCodeReusable | Fault::ZapiEmailVerifiesTwice => "single-use",
        Fault::ZapiEmailCodeNotSuperseded => "supersedes",
        Fault::ZapiCodeNeverExpires => "expires-after",
        Fault::ZapiNoAttemptLimit => "attempt-limit",
        Fault::ZapiNoWait => "wait-window",
        Fault::ZapiConfirmAfterConnected
        | Fault::ZapiRequestAfterConnected
        | Fault::ZapiConnectedCheckedLate
        | Fault::ZapiAvailabilityDisconnects
        | Fault::WawpRequestCodeAnyStatus
        | Fault::WawpMismatch409
        | Fault::WawpQrAnyStatus
        | Fault::WawpRawQrAnyStatus
        | Fault::WawpMeAnyStatus => "precondition-status",
        other => return intended_check(other).map(CheckId::as_str),
    };
    Some(rule)
}

/// The check meant to catch a fault that a stateless case reaches.
fn intended_check(fault: Fault) -> Option<CheckId> {
    use CheckId::*;
    Some(match fault {
        Fault::MethodNotAllowedAs404 | Fault::MissingAllowHeader => UnsupportedMethod,
        Fault::AcceptAnyContentType => UnsupportedMediaType,
        Fault::MalformedJson500 | Fault::ZapiLongPhone500 => NotAServerError,
        Fault::JsonAsTextPlain => ContentTypeConformance,
        Fault::ZapiPhonePatternUnchecked | Fault::HypersenderValidation400 => NegativeDataRejection,
        Fault::ZapiClientTokenIgnored | Fault::WawpTokenNotChecked | Fault::HypersenderAuthIgnored => AuthEnforced,
        Fault::WawpPairingCodeFormat
        | Fault::WawpInfoMissingStatus
        | Fault::WawpCreateShortId
        | Fault::HypersenderExpiresAtNotDateTime => ResponseSchemaConformance,
        _ => return None,
    })
}

fn config(target: String, strict: bool) -> RunConfig {
    scoped_config(target, strict, FaultScope::All)
}

/// The run for a fault of `scope`: only its API's spec and suite (a fault of one API changes
/// nothing in the others, `tests/reference/faults.rs`), every spec for the shared plumbing.
fn scoped_config(target: String, strict: bool, scope: FaultScope) -> RunConfig {
    let mut specs = conform::spec::bundled().expect("the bundled specs load");
    specs.retain(|spec| scope == FaultScope::All || spec.id == scope.as_str());
    RunConfig {
        targets: vec![target; specs.len()],
        suites: conform::suite::bundled(&specs).expect("the bundled suites load"),
        specs,
        plan: PlanOptions { cases: 6, seed: 7, shard: None },
        strict,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    }
}

async fn run_against(faults: &[Fault], strict: bool) -> RunResult {
    run_scoped(faults, strict, FaultScope::All).await
}

async fn run_scoped(faults: &[Fault], strict: bool, scope: FaultScope) -> RunResult {
    let server = Server::start(([127, 0, 0, 1], 0).into(), faults.iter().copied().collect()).await.unwrap();
    let result = run(scoped_config(server.url(), strict, scope), |_| {}).await.expect("the run starts");
    server.stop().await.unwrap();
    result
}

/// Every failure of a run, cases and scenarios, as `id: message` lines.
fn every_failure(result: &RunResult) -> Vec<String> {
    let cases = result.failures().map(|(c, f)| format!("{}: {}", c.id, f.message));
    let scenarios =
        result.scenarios.iter().flat_map(|s| s.failures.iter().map(move |f| format!("{}: {}", s.id, f.message)));
    cases.chain(scenarios).collect()
}

/// Every rule that failed, in cases and in scenarios.
fn fired(result: &RunResult) -> BTreeSet<String> {
    let cases = result.failures().map(|(_, f)| f.rule.to_string());
    let scenarios = result.scenarios.iter().flat_map(|s| s.failures.iter().map(|f| f.rule.to_string()));
    cases.chain(scenarios).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clean_server_passes_everything_under_strict() {
    let result = run_against(&[], true).await;
    let failures = every_failure(&result);
    assert!(failures.is_empty(), "false positives on the clean server:\n{}", failures.join("\n"));
    assert!(result.scenarios.len() >= 10, "the bundled suites ran: {}", result.scenarios.len());
    assert!(result.scenarios.iter().all(|s| s.status == conform::run::CaseStatus::Passed));
    assert_eq!(result.verdict(), Verdict::Conformant);
    let skipped = result.count(|s| !matches!(s, conform::run::CaseStatus::Passed));
    assert_eq!(skipped, 0, "every case ran");
    for spec in ["zapi", "wawp", "hypersender"] {
        let cases = result.cases.iter().filter(|c| c.spec == spec).count();
        assert!(cases >= 20, "{spec} has only {cases} cases");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_covered_fault_is_caught_by_its_check() {
    let mut matrix = Vec::new();
    let mut missed = Vec::new();
    for &fault in Fault::ALL {
        if fault == Fault::HypersenderRewordedMessage {
            // Only a message text changes: no check can see it, a snapshot does (tests/snapshots.rs).
            matrix.push(format!(
                "| `{fault}` | (no rule: a message text) | caught by snapshots (`tests/snapshots.rs`) |"
            ));
            continue;
        }
        let Some(check) = intended(fault) else {
            matrix.push(format!("| `{fault}` | (stateful: needs a flow) | not covered yet |"));
            continue;
        };
        let result = run_scoped(&[fault], true, fault.scope()).await;
        let fired = fired(&result);
        let caught = fired.contains(check) && result.verdict() == Verdict::Nonconformant;
        let others: Vec<&str> = fired.iter().filter(|c| *c != check).map(String::as_str).collect();
        matrix.push(format!(
            "| `{fault}` | `{check}` | {}{} |",
            if caught { "caught" } else { "MISSED" },
            if others.is_empty() { String::new() } else { format!(" (also: {})", others.join(", ")) }
        ));
        if !caught {
            missed.push(format!("{fault}: expected {check}, fired {fired:?}"));
        }
    }
    println!("| fault | intended rule | result |\n|---|---|---|\n{}", matrix.join("\n"));
    let readme = include_str!("../docs/checks.md");
    let stale: Vec<&String> = matrix.iter().filter(|row| !readme.contains(row.as_str())).collect();
    assert!(stale.is_empty(), "docs/checks.md's detection matrix is out of date; these rows differ:\n{stale:#?}");
    assert!(missed.is_empty(), "faults not caught:\n{}", missed.join("\n"));
    let covered = Fault::ALL.iter().filter(|f| intended(**f).is_some()).count();
    assert!(covered >= 60, "only {covered} faults covered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_rules_warn_unless_strict() {
    // The Z-API phone pattern is a `profile` decision: breaking it warns, and --strict fails the run.
    let lax = run_against(&[Fault::ZapiPhonePatternUnchecked], false).await;
    assert!(fired(&lax).contains(CheckId::NegativeDataRejection.as_str()));
    assert_eq!(lax.verdict(), Verdict::Conformant, "a profile rule only warns");
    let strict = run_against(&[Fault::ZapiPhonePatternUnchecked], true).await;
    assert_eq!(strict.verdict(), Verdict::Nonconformant);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_sends_the_same_requests() {
    let a = run_against(&[], false).await;
    let b = run_against(&[], false).await;
    // Fixture ids are drawn from the seed too, so even the URLs match (the port aside).
    let requests = |r: &RunResult| -> Vec<String> {
        r.cases
            .iter()
            .map(|c| {
                let request = c.request.as_ref().unwrap();
                let path = request.url.splitn(4, '/').nth(3).unwrap_or_default().to_owned();
                format!("{} {} /{path} {:?}", c.id, request.method, request.body_text())
            })
            .collect()
    };
    assert_eq!(requests(&a), requests(&b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_false_positives_across_seeds() {
    // Random inputs found a schema that refused valid data once; keep sweeping seeds.
    let server = Server::start(([127, 0, 0, 1], 0).into(), Default::default()).await.unwrap();
    for seed in 1000..1008 {
        let mut config = config(server.url(), true);
        config.plan = PlanOptions { cases: 12, seed, shard: None };
        let result = run(config, |_| {}).await.unwrap();
        let failures = every_failure(&result);
        assert!(failures.is_empty(), "seed {seed}:\n{}", failures.join("\n"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_shrinks_the_same_cases_to_the_same_inputs() {
    // With failures everywhere, which cases get shrunk (one per operation and check) and what they
    // shrink to must not depend on timing.
    let shrunk = |r: &RunResult| -> Vec<String> {
        r.cases
            .iter()
            .filter(|c| c.shrink_steps > 0)
            .map(|c| format!("{} {} {:?}", c.id, c.shrink_steps, c.request.as_ref().unwrap().body_text()))
            .collect()
    };
    let a = run_against(&[Fault::JsonAsTextPlain], false).await;
    let b = run_against(&[Fault::JsonAsTextPlain], false).await;
    assert!(shrunk(&a).len() >= 5, "{:?}", shrunk(&a));
    assert_eq!(shrunk(&a), shrunk(&b));
}
