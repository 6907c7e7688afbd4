//! Tests of reading `conform.toml` (beside `file.rs`, which they would push past 600 lines).

use super::*;
use crate::config::settings::Origin;

fn env(name: &str) -> Option<String> {
    match name {
        "STAGING_TOKEN" => Some("st4ging-t0ken".into()),
        "STAGING_URL" => Some("https://staging.example.com/".into()),
        _ => None,
    }
}

fn read(text: &str) -> Result<ConfigFile, Vec<Diagnostic>> {
    parse(Path::new("ci/conform.toml"), text, &env)
}

/// The one error of `text`: `line:column pointer: message`.
fn error(text: &str) -> String {
    let errors = read(text).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    format!("{}:{} {}: {}", e.line, e.column, e.pointer.as_deref().unwrap_or("-"), e.message)
}

const FULL: &str = r#"# Every key once.
specs = ["specs/api.yaml", "specs/other.yaml"]
suites = "suites/"
target = "${STAGING_URL}"
base-url = { other = "http://127.0.0.1:4010/v2/" }
strict = true
checks = ["not_a_server_error", "status_code_conformance"]
cases = 25
seed = 7
concurrency = 4
timeout = 2.5
max-response-bytes = 65536
rate-limit = "5/s"
allow-recipients = ["5511900000*", 5511911112222]
max-sends = 3
snapshots = "snapshots/staging"
reports = { junit = "out/junit.xml", json = "out/report.json" }

[variables]
token = "${STAGING_TOKEN}"
api.instanceId = 42

[variables.other]
key = "plain"

[headers]
Authorization = "Bearer ${STAGING_TOKEN}"
"#;

#[test]
fn every_key_is_read_as_its_flag_with_its_line() {
    let file = read(FULL).unwrap();
    let origin = |line, env: &[&str]| Origin::File {
        path: "ci/conform.toml".into(),
        line,
        env: env.iter().map(|s| (*s).to_owned()).collect(),
    };
    let specs = file.specs.unwrap();
    assert_eq!(specs.value, [PathBuf::from("ci/specs/api.yaml"), PathBuf::from("ci/specs/other.yaml")]);
    assert_eq!(specs.origin, origin(2, &[]), "paths are relative to the file, which says its line");
    assert_eq!(file.suites.unwrap().value, [PathBuf::from("ci/suites/")]);
    let targets = file.targets.unwrap();
    assert_eq!(targets.value.target, ["https://staging.example.com"]);
    assert_eq!(targets.value.base_url, ["other=http://127.0.0.1:4010/v2"]);
    assert_eq!(targets.origin, origin(4, &["STAGING_URL"]));
    assert!(file.strict.unwrap().value);
    assert_eq!(file.checks.unwrap().value, Some(vec![CheckId::NotAServerError, CheckId::StatusCodeConformance]));
    assert_eq!(file.cases.unwrap().value, 25);
    assert_eq!(file.seed.unwrap().value, Some(7));
    assert_eq!(file.concurrency.unwrap().value, 4);
    assert_eq!(file.timeout.unwrap().value, 2.5);
    assert_eq!(file.max_response_bytes.unwrap().value, 65536);
    assert_eq!(file.rate_limit.unwrap().value, Some(Duration::from_millis(200)));
    let recipients = file.allow_recipients.unwrap().value;
    assert!(recipients.len() == 2 && recipients[0].matches("5511900000123") && recipients[1].matches("5511911112222"));
    assert_eq!(file.max_sends.unwrap().value, 3);
    assert_eq!(file.snapshots.unwrap().value, Snapshots::Dir("ci/snapshots/staging".into()));
    let reports: Vec<(Format, PathBuf)> = file.reports.unwrap().value.into_iter().map(|r| (r.format, r.path)).collect();
    assert_eq!(reports, [(Format::Junit, "ci/out/junit.xml".into()), (Format::Json, "ci/out/report.json".into())]);
    let variables: Vec<(Option<&str>, &str, &str, &Origin)> = file
        .variables
        .iter()
        .map(|v| (v.value.spec.as_deref(), v.value.name.as_str(), v.value.value.as_str(), &v.origin))
        .collect();
    assert_eq!(
        variables,
        [
            (None, "token", "st4ging-t0ken", &origin(20, &["STAGING_TOKEN"])),
            (Some("api"), "instanceId", "42", &origin(21, &[])),
            (Some("other"), "key", "plain", &origin(24, &[])),
        ]
    );
    assert_eq!(file.headers.len(), 1);
    assert_eq!(
        (file.headers[0].value.name.as_str(), file.headers[0].value.value.as_str()),
        ("Authorization", "Bearer st4ging-t0ken")
    );
    assert_eq!(file.headers[0].origin, origin(27, &["STAGING_TOKEN"]));
}

#[test]
fn an_unknown_key_is_refused_with_the_nearest_one() {
    assert_eq!(error("cases = 1\nconcurency = 4\n"), "2:1 -: unknown key `concurency` (did you mean `concurrency`?)");
    assert_eq!(error("max_sends = 4\n"), "1:1 -: unknown key `max_sends` (did you mean `max-sends`?)");
    assert_eq!(error("[run]\ncases = 4\n"), "1:2 -: unknown key `run`");
}

#[test]
fn mistakes_are_located() {
    assert_eq!(error("cases = 10\ncases = 11\n").split(' ').next(), Some("2:1"), "a duplicate key is TOML's error");
    assert!(error("cases = \n").starts_with("1:9 -: not valid TOML: "), "{}", error("cases = \n"));
    assert_eq!(error("strict = \"yes\""), "1:10 strict: `strict` must be true or false, not a string");
    assert_eq!(
        error("\nconcurrency = 0"),
        "2:15 concurrency: `concurrency` must be a whole number from 1 to 256, not 0"
    );
    assert_eq!(
        error("target = \"localhost:4010\""),
        "1:10 target: `target` must be an http or https URL (such as https://staging.example.com)"
    );
    assert_eq!(
        error("checks = [\"not_a_server_eror\"]").split(';').next().unwrap(),
        "1:11 checks: unknown check `not_a_server_eror` (did you mean `not_a_server_error`?)"
    );
    assert_eq!(
        error("[reports]\njunt = \"x.xml\""),
        "2:1 reports: `junt` is not a report format (did you mean `junit`?) (formats: json, junit, html, markdown)"
    );
    assert_eq!(error("rate-limit = \"5\""), "1:14 rate-limit: `rate-limit`: `5`: expected a rate such as 5/s or 30/m");
    assert_eq!(
        error("snapshots = true"),
        "1:13 snapshots: `snapshots` must be a directory, or false for no snapshots, not a boolean"
    );
}

#[test]
fn an_unset_environment_variable_is_an_error_at_its_place() {
    assert_eq!(
        error("[headers]\nX-Key = \"${API_KEY}\""),
        "2:10 headers.X-Key: `headers.X-Key`: `${API_KEY}`: the environment variable API_KEY is not set"
    );
    assert_eq!(
        error("[variables.zapi]\ntoken = \"x${NOPE}\""),
        "2:11 variables.zapi.token: `variables.zapi.token`: `${NOPE}`: the environment variable NOPE is not set"
    );
}

#[test]
fn errors_never_quote_a_recipient_or_a_variable() {
    let recipient = error("allow-recipients = [\"55119x\"]");
    assert!(
        recipient.starts_with("1:21 allow-recipients: an allowed recipient is digits") && !recipient.contains("55119x"),
        "{recipient}"
    );
    let variable = error("[variables]\ntoken = [\"s3cret\"]");
    assert_eq!(variable, "2:9 variables.token: `variables.token` must be a string, not an array");
}

#[test]
fn every_error_of_the_file_at_once_in_file_order() {
    let errors = read("cases = -1\nstrict = 1\nfoo = 2\n").unwrap_err();
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [1, 2, 3]);
}

#[test]
fn a_seed_too_big_for_toml_is_written_as_a_string() {
    assert_eq!(read("seed = \"18446744073709551615\"").unwrap().seed.unwrap().value, Some(u64::MAX));
    assert!(error("seed = \"x\"").contains("`seed` must be a whole number"));
}

#[test]
fn snapshots_off_and_report_arrays() {
    let file = read("snapshots = false\nreports = [\"markdown=summary.md\"]").unwrap();
    assert_eq!(file.snapshots.unwrap().value, Snapshots::Off);
    assert_eq!(file.reports.unwrap().value[0].path, PathBuf::from("ci/summary.md"));
    let here = parse(Path::new("conform.toml"), "specs = [\"api.yaml\"]", &env).unwrap();
    assert_eq!(here.specs.unwrap().value, [PathBuf::from("api.yaml")], "no ./ before a path of the current directory");
}

/// (issue 25) `phases` is `--phases`, its names checked where they are written.
#[test]
fn phases_are_read_as_the_flag_reads_them() {
    let file = read("phases = [\"coverage\", \"examples\"]\n").unwrap();
    let phases = file.phases.unwrap().value;
    assert_eq!(phases, crate::plan::Phases { examples: true, coverage: true, fuzzing: false, stateful: false });
    let unknown = error("cases = 1\nphases = [\"flows\"]\n");
    assert!(unknown.starts_with("2:"), "{unknown}");
    assert!(
        unknown.contains("unknown phase `flows`; valid phases are: examples, coverage, fuzzing, stateful"),
        "{unknown}"
    );
}
