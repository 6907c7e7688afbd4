//! `conform.toml`, read into a [`ConfigFile`]: each key a flag of `conform run` (kebab-case, the
//! flag's name), its value typed as the flag's and located (file and line, for `conform config`).
//! Paths in the file are relative to its directory. Every mistake is a [`Diagnostic`] with line
//! and column: a TOML syntax error, a value of the wrong type or out of range, an unknown key
//! (with the nearest known one suggested), an unset `${NAME}`.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::de::{DeTable, DeValue};

use super::settings::{Header, Setting, Snapshots, Targets};
use super::value::{Reader, Value};
use crate::check::CheckId;
use crate::plan::Phases;
use crate::report::{Format, ReportTarget};
use crate::run::{AllowEntry, VarFlag};
use crate::spec::Diagnostic;

/// The keys a config file may hold.
pub const KEYS: [&str; 19] = [
    "specs",
    "suites",
    "target",
    "base-url",
    "variables",
    "headers",
    "strict",
    "checks",
    "cases",
    "phases",
    "seed",
    "concurrency",
    "timeout",
    "max-response-bytes",
    "rate-limit",
    "allow-recipients",
    "max-sends",
    "snapshots",
    "reports",
];

/// A config file's settings, each with the line it is on.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub specs: Option<Setting<Vec<PathBuf>>>,
    pub suites: Option<Setting<Vec<PathBuf>>>,
    pub targets: Option<Setting<Targets>>,
    pub variables: Vec<Setting<VarFlag>>,
    pub headers: Vec<Setting<Header>>,
    pub strict: Option<Setting<bool>>,
    pub checks: Option<Setting<Option<Vec<CheckId>>>>,
    pub cases: Option<Setting<u32>>,
    /// (issue 25) `phases = ["examples", "coverage"]`.
    pub phases: Option<Setting<Phases>>,
    pub seed: Option<Setting<Option<u64>>>,
    pub concurrency: Option<Setting<u32>>,
    pub timeout: Option<Setting<f64>>,
    pub max_response_bytes: Option<Setting<u64>>,
    pub rate_limit: Option<Setting<Option<Duration>>>,
    pub allow_recipients: Option<Setting<Vec<AllowEntry>>>,
    pub max_sends: Option<Setting<u32>>,
    pub snapshots: Option<Setting<Snapshots>>,
    pub reports: Option<Setting<Vec<ReportTarget>>>,
}

impl ConfigFile {
    /// A file that sets nothing.
    pub fn empty(path: PathBuf) -> Self {
        ConfigFile {
            path,
            specs: None,
            suites: None,
            targets: None,
            variables: Vec::new(),
            headers: Vec::new(),
            strict: None,
            checks: None,
            cases: None,
            phases: None,
            seed: None,
            concurrency: None,
            timeout: None,
            max_response_bytes: None,
            rate_limit: None,
            allow_recipients: None,
            max_sends: None,
            snapshots: None,
            reports: None,
        }
    }
}

/// ` (did you mean `KNOWN`?)` for the known name nearest to `name`, when one is near.
pub fn suggestion<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    known
        .into_iter()
        .map(|k| (strsim::jaro(&name.replace('_', "-").to_ascii_lowercase(), k), k))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

/// The entries of a table in the order they are written.
fn in_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a toml::Spanned<toml::de::DeString<'i>>, &'a Value<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// Reads the config file at `path` (its text `text`), with `env` for `${NAME}`.
pub fn parse(path: &Path, text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<ConfigFile, Vec<Diagnostic>> {
    let reader = Reader { path, text, env };
    let table = DeTable::parse(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        vec![reader.error(at, "", format!("not valid TOML: {}", e.message().trim_end()))]
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    let mut file = ConfigFile::empty(path.to_owned());
    let mut errors = Vec::new();
    for (key, value) in in_order(table.get_ref()) {
        if let Err(error) = read_key(&reader, base, &mut file, key.get_ref(), key.span(), value) {
            errors.push(error);
        }
    }
    if errors.is_empty() { Ok(file) } else { Err(errors) }
}

/// A path from the file, relative to its directory.
fn relative(base: &Path, text: &str) -> PathBuf {
    if base.as_os_str().is_empty() { PathBuf::from(text) } else { base.join(text) }
}

fn read_key(
    reader: &Reader<'_>,
    base: &Path,
    file: &mut ConfigFile,
    key: &str,
    key_span: Range<usize>,
    value: &Value<'_>,
) -> Result<(), Diagnostic> {
    let span = value.span();
    // The origin of a value that read no environment variable.
    let here = || reader.origin(&span, Vec::new());
    let paths = |value: &Value<'_>| -> Result<Setting<Vec<PathBuf>>, Diagnostic> {
        let items = reader.strings(key, value)?;
        let env = items.iter().flat_map(|(s, _)| s.env.clone()).collect();
        Ok(Setting::new(items.iter().map(|(s, _)| relative(base, &s.text)).collect(), reader.origin(&span, env)))
    };
    let number = |range| reader.number(key, value, range);
    match key {
        "specs" => file.specs = Some(paths(value)?),
        "suites" => file.suites = Some(paths(value)?),
        "target" | "base-url" => {
            let (urls, env) = targets(reader, key, value)?;
            let targets = file.targets.get_or_insert_with(|| Setting::new(Targets::default(), here()));
            if let super::settings::Origin::File { env: all, .. } = &mut targets.origin {
                all.extend(env);
            }
            if key == "target" { targets.value.target = urls } else { targets.value.base_url = urls }
        }
        "variables" => file.variables = variables(reader, value)?,
        "headers" => file.headers = headers(reader, value)?,
        "strict" => file.strict = Some(Setting::new(reader.boolean(key, value)?, here())),
        "checks" => {
            let mut checks = Vec::new();
            for (text, span) in reader.strings(key, value)? {
                let known: Vec<&str> = CheckId::ALL.iter().map(|c| c.as_str()).collect();
                let check = text.text.parse::<CheckId>().map_err(|_| {
                    let hint = suggestion(&text.text, known.iter().copied());
                    let list = known.join(", ");
                    reader.error(
                        span.start,
                        key,
                        format!("unknown check `{}`{hint}; the checks are: {list}", text.text),
                    )
                })?;
                checks.push(check);
            }
            file.checks = Some(Setting::new(Some(checks), here()));
        }
        "cases" => file.cases = Some(Setting::new(number(0..=10_000)? as u32, here())),
        "phases" => {
            let names: Vec<String> = reader.strings(key, value)?.into_iter().map(|(text, _)| text.text).collect();
            let phases = names.join(",").parse::<Phases>().map_err(|e| reader.error(span.start, key, e.to_string()))?;
            file.phases = Some(Setting::new(phases, here()));
        }
        "seed" => {
            let seed = match value.get_ref() {
                DeValue::String(_) => {
                    let text = reader.string(key, value)?.text;
                    text.trim().parse::<u64>().map_err(|_| {
                        reader.error(span.start, key, "`seed` must be a whole number from 0 to 18446744073709551615")
                    })?
                }
                _ => number(0..=i64::MAX as u64)?,
            };
            file.seed = Some(Setting::new(Some(seed), here()));
        }
        "concurrency" => file.concurrency = Some(Setting::new(number(1..=256)? as u32, here())),
        "timeout" => file.timeout = Some(Setting::new(reader.seconds(key, value, 0.001..=3600.0)?, here())),
        "max-response-bytes" => file.max_response_bytes = Some(Setting::new(number(1..=1024 * 1024 * 1024)?, here())),
        "rate-limit" => {
            let text = reader.string(key, value)?;
            let rate = crate::http::parse_rate(&text.text)
                .map_err(|e| reader.error(span.start, key, format!("`rate-limit`: {e}")))?;
            file.rate_limit = Some(Setting::new(Some(rate), reader.origin(&span, text.env)));
        }
        "allow-recipients" => file.allow_recipients = Some(recipients(reader, value)?),
        "max-sends" => file.max_sends = Some(Setting::new(number(0..=u32::MAX as u64)? as u32, here())),
        "snapshots" => {
            let snapshots = match value.get_ref() {
                DeValue::Boolean(false) => Snapshots::Off,
                DeValue::String(_) => Snapshots::Dir(relative(base, &reader.string(key, value)?.text)),
                _ => return Err(reader.wrong_type(key, value, "a directory, or false for no snapshots")),
            };
            file.snapshots = Some(Setting::new(snapshots, here()));
        }
        "reports" => file.reports = Some(Setting::new(reports(reader, base, value)?, here())),
        unknown => {
            let hint = suggestion(unknown, KEYS);
            return Err(reader.error(key_span.start, "", format!("unknown key `{unknown}`{hint}")));
        }
    }
    Ok(())
}

/// An http(s) URL, without its trailing `/`.
fn url(reader: &Reader<'_>, key: &str, value: &Value<'_>) -> Result<(String, Vec<String>), Diagnostic> {
    let text = reader.string(key, value)?;
    let ok = url::Url::parse(&text.text).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !ok {
        // The URL may have come from the environment: it is not quoted.
        let message = format!("`{key}` must be an http or https URL (such as https://staging.example.com)");
        return Err(reader.error(value.span().start, key, message));
    }
    Ok((text.text.trim_end_matches('/').to_owned(), text.env))
}

/// `target = "URL"` (every spec) or a table `SPEC = "URL"`, in flag syntax (`SPEC=URL`).
fn targets(reader: &Reader<'_>, key: &str, value: &Value<'_>) -> Result<(Vec<String>, Vec<String>), Diagnostic> {
    match value.get_ref() {
        DeValue::Table(table) => {
            let (mut urls, mut env) = (Vec::new(), Vec::new());
            for (spec, value) in in_order(table) {
                let (url, names) = url(reader, &format!("{key}.{}", spec.get_ref()), value)?;
                urls.push(format!("{}={url}", spec.get_ref()));
                env.extend(names);
            }
            Ok((urls, env))
        }
        DeValue::String(_) => url(reader, key, value).map(|(url, env)| (vec![url], env)),
        _ => Err(reader.wrong_type(key, value, "a URL, or a table of URLs by spec id")),
    }
}

/// `[variables]`: `NAME = VALUE` for every spec, `SPEC.NAME = VALUE` (or a `[variables.SPEC]`
/// table) for one.
fn variables(reader: &Reader<'_>, value: &Value<'_>) -> Result<Vec<Setting<VarFlag>>, Diagnostic> {
    let DeValue::Table(table) = value.get_ref() else {
        return Err(reader.wrong_type("variables", value, "a table of NAME = VALUE"));
    };
    let mut out = Vec::new();
    let mut push = |spec: Option<&str>, name: &str, value: &Value<'_>| -> Result<(), Diagnostic> {
        let key = format!("variables.{}{name}", spec.map(|s| format!("{s}.")).unwrap_or_default());
        let text = reader.scalar(&key, value)?;
        let flag = VarFlag { spec: spec.map(str::to_owned), name: name.to_owned(), value: text.text };
        out.push(Setting::new(flag, reader.origin(&value.span(), text.env)));
        Ok(())
    };
    for (name, value) in in_order(table) {
        match value.get_ref() {
            DeValue::Table(inner) => {
                for (inner_name, inner_value) in in_order(inner) {
                    push(Some(name.get_ref()), inner_name.get_ref(), inner_value)?;
                }
            }
            _ => match name.get_ref().split_once('.') {
                Some((spec, name)) if !spec.is_empty() && !name.is_empty() => push(Some(spec), name, value)?,
                _ => push(None, name.get_ref(), value)?,
            },
        }
    }
    Ok(out)
}

/// `[headers]`: `Name = "value"`, sent on every request.
fn headers(reader: &Reader<'_>, value: &Value<'_>) -> Result<Vec<Setting<Header>>, Diagnostic> {
    let DeValue::Table(table) = value.get_ref() else {
        return Err(reader.wrong_type("headers", value, "a table of Name = \"value\""));
    };
    let mut out = Vec::new();
    for (name, value) in in_order(table) {
        let key = format!("headers.{}", name.get_ref());
        let token = !name.get_ref().is_empty()
            && name.get_ref().bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token {
            let message = "a header name is letters, digits and !#$%&'*+-.^_`|~";
            return Err(reader.error(name.span().start, &key, message));
        }
        let text = reader.scalar(&key, value)?;
        let header = Header { name: name.get_ref().to_string(), value: text.text.trim().to_owned() };
        out.push(Setting::new(header, reader.origin(&value.span(), text.env)));
    }
    Ok(out)
}

/// `allow-recipients = ["5511900000*"]`. An entry is never quoted in an error: it is a phone number.
fn recipients(reader: &Reader<'_>, value: &Value<'_>) -> Result<Setting<Vec<AllowEntry>>, Diagnostic> {
    let key = "allow-recipients";
    let items: Vec<&Value<'_>> = match value.get_ref() {
        DeValue::Array(items) => items.iter().collect(),
        _ => vec![value],
    };
    let (mut entries, mut env) = (Vec::new(), Vec::new());
    for item in items {
        let text = match item.get_ref() {
            DeValue::Integer(_) | DeValue::String(_) => reader.scalar(key, item)?,
            _ => return Err(reader.wrong_type(key, item, "an array of numbers")),
        };
        let entry = text.text.parse::<AllowEntry>().map_err(|_| {
            let message = "an allowed recipient is digits, optionally split by `-` into parts and ending in `*` \
                           (for example \"5511900000*\" or \"55-11900000*\")";
            reader.error(item.span().start, key, message)
        })?;
        entries.push(entry);
        env.extend(text.env);
    }
    Ok(Setting::new(entries, reader.origin(&value.span(), env)))
}

/// `[reports]` as `FORMAT = "PATH"`, or an array of `"FORMAT=PATH"`.
fn reports(reader: &Reader<'_>, base: &Path, value: &Value<'_>) -> Result<Vec<ReportTarget>, Diagnostic> {
    let names = Format::ALL.map(Format::name);
    let mut out = Vec::new();
    let mut push = |format: &str, path: &str, at: usize| -> Result<(), Diagnostic> {
        let Some(format) = Format::ALL.into_iter().find(|f| f.name() == format) else {
            let hint = suggestion(format, names);
            let message = format!("`{format}` is not a report format{hint} (formats: {})", names.join(", "));
            return Err(reader.error(at, "reports", message));
        };
        if path.trim().is_empty() {
            return Err(reader.error(at, "reports", format!("the {format} report's path is empty")));
        }
        out.push(ReportTarget { format, path: relative(base, path) });
        Ok(())
    };
    match value.get_ref() {
        DeValue::Table(table) => {
            for (format, path) in in_order(table) {
                let text = reader.string(&format!("reports.{}", format.get_ref()), path)?;
                push(format.get_ref(), &text.text, format.span().start)?;
            }
        }
        DeValue::Array(_) => {
            for (text, span) in reader.strings("reports", value)? {
                let Some((format, path)) = text.text.split_once('=') else {
                    return Err(reader.error(
                        span.start,
                        "reports",
                        "a report is \"FORMAT=PATH\", such as \"junit=out/junit.xml\"",
                    ));
                };
                push(format.trim(), path, span.start)?;
            }
        }
        _ => return Err(reader.wrong_type("reports", value, "a table of FORMAT = \"PATH\"")),
    }
    Ok(out)
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
