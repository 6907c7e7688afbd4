//! No false positives: the reference server is one implementation among many. Every variant
//! (`conform serve --variant NAME`) makes another choice where `contract.md` is silent, so a run
//! under `--strict` against it, alone or with all the others, must find nothing wrong. A failure
//! here means the harness enforces a rule only the reference server chose (or the variant is wrong:
//! its `allowed_by` line says why it should not be).

use std::time::Duration;

use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::reference::{FaultScope, Reference, Server, Variant};
use conform::run::{RunConfig, RunResult, Verdict, run};

/// A run of the specs `variants` can touch: one API's alone when they all live in it (a variant of
/// one API changes nothing in the others), every spec otherwise.
fn config(target: String, variants: &[Variant]) -> RunConfig {
    let mut specs = conform::spec::bundled().expect("the bundled specs load");
    let scope = variants.first().map_or(FaultScope::All, |v| v.scope());
    if scope != FaultScope::All && variants.iter().all(|v| v.scope() == scope) {
        specs.retain(|spec| spec.id == scope.as_str());
    }
    RunConfig {
        targets: vec![target; specs.len()],
        // The flows too: most choices the contract leaves open are only seen along a flow.
        suites: conform::suite::bundled(&specs).expect("the bundled suites load"),
        specs,
        plan: PlanOptions { cases: 6, seed: 7, shard: None },
        strict: true,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    }
}

async fn run_against(variants: &[Variant]) -> RunResult {
    let reference = Reference::new(Default::default()).with_variants(variants.iter().copied().collect());
    let server = Server::start_with(([127, 0, 0, 1], 0).into(), reference).await.unwrap();
    let result = run(config(server.url(), variants), |_| {}).await.expect("the run starts");
    server.stop().await.unwrap();
    result
}

/// One line per failure: case id, check and message, then the request that was sent; and every
/// scenario failure.
fn failures(result: &RunResult) -> Vec<String> {
    let scenarios = result
        .scenarios
        .iter()
        .flat_map(|s| s.failures.iter().map(move |f| format!("{} [{}] {}", s.id, f.rule.as_str(), f.message)));
    result
        .failures()
        .map(|(case, failure)| {
            let request = case.request.as_ref().map(|r| {
                let path = r.url.splitn(4, '/').nth(3).unwrap_or_default();
                format!("{} /{path} {}", r.method, r.body_text().unwrap_or_default())
            });
            format!(
                "{} [{}] {}\n    sent: {}",
                case.id,
                failure.rule.as_str(),
                failure.message,
                request.unwrap_or_default()
            )
        })
        .chain(scenarios)
        .collect()
}

/// Runs `--strict` against `variants` and asserts that nothing failed.
async fn passes_strict(variants: &[Variant]) {
    let result = run_against(variants).await;
    let names: Vec<&str> = variants.iter().map(|v| v.name()).collect();
    let failures = failures(&result);
    assert!(
        failures.is_empty(),
        "false positives against --variant {}:\n{}",
        names.join(" --variant "),
        failures.join("\n")
    );
    assert_eq!(result.verdict(), Verdict::Conformant);
}

macro_rules! each_variant {
    ($( $(#[$attr:meta])* $test:ident => $variant:ident, )+) => {
        $(
            $(#[$attr])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                passes_strict(&[Variant::$variant]).await;
            }
        )+

        #[test]
        fn every_variant_has_its_strict_test() {
            let tested = [$( Variant::$variant, )+];
            let missing: Vec<&Variant> = Variant::ALL.iter().filter(|v| !tested.contains(v)).collect();
            assert!(missing.is_empty(), "variants without a strict run: {missing:?}");
        }
    };
}

each_variant! {
    json_charset => JsonCharset,
    json_media_type_case => JsonMediaTypeCase,
    json_pretty => JsonPretty,
    json_keys_sorted => JsonKeysSorted,
    extra_fields => ExtraFields,
    extra_headers => ExtraHeaders,
    method_not_allowed_body => MethodNotAllowedBody,
    unsupported_media_type_empty => UnsupportedMediaTypeEmpty,
    allow_list_format => AllowListFormat,
    body_checks_first => BodyChecksFirst,
    zapi_other_messages => ZapiOtherMessages,
    zapi_unbounded_answers => ZapiUnboundedAnswers,
    zapi_short_wait => ZapiShortWait,
    zapi_connected_availability => ZapiConnectedAvailability,
    zapi_connected_before_fields => ZapiConnectedBeforeFields,
    zapi_fresh_appeal_token => ZapiFreshAppealToken,
    zapi_appeal_token_per_instance => ZapiAppealTokenPerInstance,
    zapi_appeal_once => ZapiAppealOnce,
    zapi_short_description => ZapiShortDescription,
    zapi_recovery_once => ZapiRecoveryOnce,
    zapi_remove_absent_refused => ZapiRemoveAbsentRefused,
    zapi_remove_messages => ZapiRemoveMessages,
    zapi_connected_with_email => ZapiConnectedWithEmail,
    zapi_null_email => ZapiNullEmail,
    zapi_email_code_strict => ZapiEmailCodeStrict,
    zapi_pin_follows_number => ZapiPinFollowsNumber,
    wawp_body_wins => WawpBodyWins,
    wawp_other_messages => WawpOtherMessages,
    wawp_pairing_letters => WawpPairingLetters,
    wawp_pairing_digits => WawpPairingDigits,
    wawp_qr_rotates_slowly => WawpQrRotatesSlowly,
    wawp_qr_fixed_schedule => WawpQrFixedSchedule,
    wawp_pairing_stops_qr => WawpPairingStopsQr,
    wawp_qr_other_formats_refused => WawpQrOtherFormatsRefused,
    wawp_start_anywhere => WawpStartAnywhere,
    wawp_failed_loses_keys => WawpFailedLosesKeys,
    wawp_forced_starting_stays => WawpForcedStartingStays,
    wawp_create_201 => WawpCreate201,
    wawp_logout_only_working => WawpLogoutOnlyWorking,
    hypersender_other_messages => HypersenderOtherMessages,
    hypersender_long_names => HypersenderLongNames,
    hypersender_other_statuses => HypersenderOtherStatuses,
    hypersender_laravel_timestamps => HypersenderLaravelTimestamps,
    hypersender_link_message => HypersenderLinkMessage,
    hypersender_link_instance_number => HypersenderLinkInstanceNumber,
    hypersender_link_digit_codes => HypersenderLinkDigitCodes,
    hypersender_link_placeholders => HypersenderLinkPlaceholders,
    hypersender_link_exact_text => HypersenderLinkExactText,
    hypersender_link_unbracketed_fails => HypersenderLinkUnbracketedFails,
    hypersender_link_other_chat => HypersenderLinkOtherChat,
    hypersender_link_expiry_notifies => HypersenderLinkExpiryNotifies,
    hypersender_link_supersedes => HypersenderLinkSupersedes,
    hypersender_link_code_validates => HypersenderLinkCodeValidates,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_variants_together() {
    passes_strict(Variant::ALL).await;
}

/// Prints every failure of every variant (run with `--ignored --nocapture`): the list a harness fix
/// works from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a report, not a test: prints the strict failures of every variant"]
async fn report_strict_failures_per_variant() {
    for &variant in Variant::ALL {
        let result = run_against(&[variant]).await;
        for line in failures(&result) {
            println!("{variant}\t{line}");
        }
    }
    let result = run_against(Variant::ALL).await;
    for line in failures(&result) {
        println!("ALL\t{line}");
    }
}
