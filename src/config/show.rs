//! The text of `conform config`: every setting in effect, one a line, with where it came from.
//! Variables and headers are secrets and are never shown; every other value goes through the
//! run's redactor too (a URL from the environment may carry a token), and allowed recipients are
//! counted, not shown (they are phone numbers).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::settings::{Origin, Settings, Snapshots};
use crate::run::{RunConfig, VariableSources, env_name};
use crate::show::{MASK, Redactor};

/// The redactor of a run with these settings' variables and headers (and the environment's
/// `CONFORM_VAR_*` values `env`), as `conform run` builds it.
pub fn redactor(settings: &Settings, env: &BTreeMap<String, String>) -> Redactor {
    let config = RunConfig {
        variables: VariableSources { flags: settings.var_flags(), env: env.clone() },
        headers: settings.header_pairs(),
        ..RunConfig::default()
    };
    crate::run::secrets_redactor(&config)
}

fn list<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    if items.is_empty() { "(none)".to_owned() } else { items.iter().map(show).collect::<Vec<_>>().join(", ") }
}

fn secret(value: &str) -> String {
    if value.is_empty() { "(empty)".to_owned() } else { MASK.to_owned() }
}

/// `5/s` for one request every 200 ms.
fn rate(every: std::time::Duration) -> String {
    let per_second = 1.0 / every.as_secs_f64().max(f64::MIN_POSITIVE);
    if per_second >= 1.0 { format!("{}/s", round(per_second)) } else { format!("{}/m", round(per_second * 60.0)) }
}

fn round(n: f64) -> String {
    let text = format!("{n:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The settings, one a line: `name  value  origin`, with `env` the environment's `CONFORM_VAR_*`.
pub fn render(settings: &Settings, env: &BTreeMap<String, String>) -> String {
    let redactor = redactor(settings, env);
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut row = |name: &str, value: String, origin: &Origin| {
        rows.push((name.to_owned(), redactor.redact(&value), origin.to_string()));
    };
    let s = settings;
    let paths = |p: &[std::path::PathBuf]| list(p, |p| p.display().to_string());
    let specs = if s.specs.value.is_empty() { "(the bundled specs)".to_owned() } else { paths(&s.specs.value) };
    row("specs", specs, &s.specs.origin);
    let suites = match (s.suites.value.is_empty(), s.specs.value.is_empty()) {
        (false, _) => paths(&s.suites.value),
        (true, true) => "(the bundled suites)".to_owned(),
        (true, false) => "(none)".to_owned(),
    };
    row("suites", suites, &s.suites.origin);
    let targets = &s.targets.value;
    let target = if targets.is_empty() {
        "(the embedded reference server)".to_owned()
    } else {
        let all: Vec<String> = targets
            .target
            .iter()
            .cloned()
            .chain(targets.base_url.iter().map(|b| format!("{b} (exact base)")))
            .collect();
        all.join(", ")
    };
    row("target", target, &s.targets.origin);
    for (index, variable) in s.variables.iter().enumerate() {
        let flag = &variable.value;
        let overridden =
            s.variables[index + 1..].iter().any(|v| v.value.spec == flag.spec && v.value.name == flag.name);
        let name =
            format!("variables.{}{}", flag.spec.as_ref().map(|s| format!("{s}.")).unwrap_or_default(), flag.name);
        let value = secret(&flag.value) + if overridden { " (overridden below)" } else { "" };
        rows.push((name, value, variable.origin.to_string()));
    }
    for (name, value) in env {
        // A variable given otherwise is looked up before the environment.
        let overridden = s.variables.iter().any(|v| {
            let flag = &v.value;
            match flag.spec.as_deref() {
                Some(spec) => env_name(&[spec, &flag.name]) == *name,
                // A global variable comes before `CONFORM_VAR_NAME` and every `CONFORM_VAR_SPEC_NAME`.
                None => {
                    let global = env_name(&[&flag.name]);
                    *name == global || name.ends_with(&format!("_{}", &global["CONFORM_VAR_".len()..]))
                }
            }
        });
        let value = secret(value) + if overridden { " (overridden above)" } else { "" };
        rows.push((format!("variables ({name})"), value, Origin::Environment(name.clone()).to_string()));
    }
    for header in &s.headers {
        rows.push((format!("headers.{}", header.value.name), secret(&header.value.value), header.origin.to_string()));
    }
    let mut row = |name: &str, value: String, origin: &Origin| {
        rows.push((name.to_owned(), redactor.redact(&value), origin.to_string()));
    };
    row("strict", s.strict.value.to_string(), &s.strict.origin);
    let checks = s.checks.value.as_ref().map_or("(all)".to_owned(), |c| list(c, |c| c.as_str().to_owned()));
    row("checks", checks, &s.checks.origin);
    row("cases", s.cases.value.to_string(), &s.cases.origin);
    row("phases", s.phases.value.to_string(), &s.phases.origin);
    row("seed", s.seed.value.map_or("(random)".to_owned(), |n| n.to_string()), &s.seed.origin);
    row("concurrency", s.concurrency.value.to_string(), &s.concurrency.origin);
    row("timeout", format!("{} s", round(s.timeout.value)), &s.timeout.origin);
    row("max-response-bytes", s.max_response_bytes.value.to_string(), &s.max_response_bytes.origin);
    row("rate-limit", s.rate_limit.value.map_or("(none)".to_owned(), rate), &s.rate_limit.origin);
    let recipients = match s.allow_recipients.value.len() {
        0 => "(none)".to_owned(),
        n => format!("{n} entr{} (not shown: phone numbers)", if n == 1 { "y" } else { "ies" }),
    };
    row("allow-recipients", recipients, &s.allow_recipients.origin);
    row("max-sends", s.max_sends.value.to_string(), &s.max_sends.origin);
    let snapshots = match &s.snapshots.value {
        Snapshots::Default => "(./snapshots, with the embedded server only)".to_owned(),
        Snapshots::Dir(dir) => dir.display().to_string(),
        Snapshots::Off => "(none: not compared)".to_owned(),
    };
    row("snapshots", snapshots, &s.snapshots.origin);
    row("reports", list(&s.reports.value, |r| format!("{}={}", r.format, r.path.display())), &s.reports.origin);

    let file = s.file.as_ref().map_or("no config file".to_owned(), |p| format!("config file: {}", p.display()));
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0).max("setting".len());
    let value_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0).clamp("value".len(), 60);
    let mut out = format!("{file}\n\n");
    for (name, value, origin) in std::iter::once(("setting".into(), "value".into(), "from".into())).chain(rows) {
        let _ = writeln!(out, "{name:width$}  {value:value_width$}  {origin}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Header, Setting};

    #[test]
    fn rates_read_as_they_are_written() {
        assert_eq!(rate(std::time::Duration::from_millis(200)), "5/s");
        assert_eq!(rate(std::time::Duration::from_secs(2)), "30/m");
        assert_eq!(rate(std::time::Duration::from_millis(400)), "2.5/s");
    }

    #[test]
    fn a_secret_is_masked_in_every_value_that_quotes_it() {
        let mut settings = Settings::default();
        let flag = Origin::Flag("--var".into());
        settings.variables.push(Setting::new("token=t0k3n-in-the-url".parse().unwrap(), flag.clone()));
        settings.headers.push(Setting::new(Header { name: "X-Key".into(), value: "k3y-value-long".into() }, flag));
        let url = "https://api.example/t0k3n-in-the-url".to_owned();
        settings.targets.value.target.push(url);
        let env = BTreeMap::from([("CONFORM_VAR_TOKEN".to_owned(), "env-t0k3n-value".to_owned())]);
        let shown = render(&settings, &env);
        for secret in ["t0k3n-in-the-url", "k3y-value-long", "env-t0k3n-value"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("https://api.example/[REDACTED]"), "{shown}");
        assert!(shown.contains("[REDACTED] (overridden above)"), "--var token comes before CONFORM_VAR_TOKEN: {shown}");
    }
}
