//! The settings of a run, each with where its value came from ([`Origin`]): a flag, the
//! environment, the config file, the library harness's code, or conform's default. Layers are
//! laid over one another by precedence: whatever set a value first keeps it, and
//! [`Settings::apply_file`] fills only what nothing else set (a file never beats a flag).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::file::ConfigFile;
use crate::check::CheckId;
use crate::report::ReportTarget;
use crate::run::{AllowEntry, VarFlag};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// conform's default (or the library harness's own).
    Default,
    /// A line of a config file, with the environment variables its `${NAME}`s named.
    File { path: PathBuf, line: usize, env: Vec<String> },
    /// An environment variable (`CONFORM_ALLOW_RECIPIENTS`, `CONFORM_VAR_TOKEN`, `CONFORM_TARGET`).
    Environment(String),
    /// A command-line flag (`--cases`).
    Flag(String),
    /// The library harness's builder, in the test's code (`Harness::cases`).
    Code(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File { path, line, env } => {
                write!(f, "{}:{line}", path.display())?;
                if !env.is_empty() {
                    let names: Vec<String> = env.iter().map(|n| format!("${{{n}}}")).collect();
                    write!(f, " ({} from the environment)", names.join(", "))?;
                }
                Ok(())
            }
            Origin::Environment(name) => write!(f, "environment {name}"),
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Code(call) => write!(f, "harness {call}"),
        }
    }
}

/// One value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    /// A default value.
    pub fn default_value(value: T) -> Self {
        Setting { value, origin: Origin::Default }
    }

    pub fn new(value: T, origin: Origin) -> Self {
        Setting { value, origin }
    }

    /// Whether nothing but the default set it.
    pub fn is_default(&self) -> bool {
        self.origin == Origin::Default
    }

    /// Replaces the value, and says where the new one came from.
    pub fn set(&mut self, value: T, origin: Origin) {
        *self = Setting { value, origin };
    }

    /// Takes `other` when nothing but the default set this one.
    fn fill(&mut self, other: Option<&Setting<T>>)
    where
        T: Clone,
    {
        if let Some(other) = other.filter(|_| self.is_default()) {
            *self = other.clone();
        }
    }
}

/// The targets: `--target [SPEC=]URL` and `--base-url [SPEC=]URL` values, in flag syntax. They
/// are one setting: a run that names a target on the command line takes none from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    pub target: Vec<String>,
    pub base_url: Vec<String>,
}

impl Targets {
    pub fn is_empty(&self) -> bool {
        self.target.is_empty() && self.base_url.is_empty()
    }

    /// One target per spec id of `specs`, as `(URL, exact)`: a spec's own entry, or else the
    /// last one for every spec; `exact` for a base URL (the spec's server path is not joined).
    pub fn resolve(&self, specs: &[&str]) -> Result<Vec<(String, bool)>, String> {
        let mut global = None;
        let mut per_spec = std::collections::BTreeMap::new();
        let entries = self.target.iter().map(|t| ("target", t)).chain(self.base_url.iter().map(|b| ("base-url", b)));
        for (kind, entry) in entries {
            let (spec, url) = match entry.split_once('=') {
                Some((spec, url)) if !spec.contains("://") => (Some(spec), url),
                _ => (None, entry.as_str()),
            };
            let ok = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(format!("{kind} `{url}`: not an http or https URL"));
            }
            let target = (url.trim_end_matches('/').to_owned(), kind == "base-url");
            match spec {
                Some(spec) if !specs.contains(&spec) => {
                    return Err(format!("{kind} {spec}=…: no spec has the id `{spec}` (loaded: {})", specs.join(", ")));
                }
                Some(spec) => drop(per_spec.insert(spec, target)),
                None => global = Some(target),
            }
        }
        specs
            .iter()
            .map(|id| per_spec.get(id).or(global.as_ref()).cloned().ok_or_else(|| format!("no target for spec `{id}`")))
            .collect()
    }
}

/// Where snapshots are compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Snapshots {
    /// `./snapshots` against the embedded reference server when it exists; nothing against a target.
    #[default]
    Default,
    /// `--snapshots DIR`.
    Dir(PathBuf),
    /// `--no-snapshots` (`snapshots = false`).
    Off,
}

/// Every setting a config file may hold, as a run uses it. A variable or a header is a secret:
/// `Debug` never shows one (their types leave values out), and [`super::render`] masks them.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The config file read, if any.
    pub file: Option<PathBuf>,
    pub specs: Setting<Vec<PathBuf>>,
    pub suites: Setting<Vec<PathBuf>>,
    pub targets: Setting<Targets>,
    /// Each variable with its own origin; a later one wins over an earlier one of the same
    /// `[SPEC.]NAME` (as `--var` flags do), so file entries come first.
    pub variables: Vec<Setting<VarFlag>>,
    /// Each header with its own origin; a flag's header replaces the file's of the same name.
    pub headers: Vec<Setting<Header>>,
    pub strict: Setting<bool>,
    pub checks: Setting<Option<Vec<CheckId>>>,
    pub cases: Setting<u32>,
    /// (issue 25) `--phases`.
    pub phases: Setting<crate::plan::Phases>,
    pub seed: Setting<Option<u64>>,
    pub concurrency: Setting<u32>,
    /// Seconds.
    pub timeout: Setting<f64>,
    pub max_response_bytes: Setting<u64>,
    /// The least time between two requests.
    pub rate_limit: Setting<Option<Duration>>,
    pub allow_recipients: Setting<Vec<AllowEntry>>,
    pub max_sends: Setting<u32>,
    pub snapshots: Setting<Snapshots>,
    pub reports: Setting<Vec<ReportTarget>>,
}

/// A header sent on every request. Its `Debug` leaves the value out: it is a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Default for Settings {
    /// The defaults of `conform run` (its flags' default values).
    fn default() -> Self {
        Settings {
            file: None,
            specs: Setting::default_value(Vec::new()),
            suites: Setting::default_value(Vec::new()),
            targets: Setting::default_value(Targets::default()),
            variables: Vec::new(),
            headers: Vec::new(),
            strict: Setting::default_value(false),
            checks: Setting::default_value(None),
            cases: Setting::default_value(10),
            phases: Setting::default_value(crate::plan::Phases::ALL),
            seed: Setting::default_value(None),
            concurrency: Setting::default_value(8),
            timeout: Setting::default_value(10.0),
            max_response_bytes: Setting::default_value(1024 * 1024),
            rate_limit: Setting::default_value(None),
            allow_recipients: Setting::default_value(Vec::new()),
            max_sends: Setting::default_value(10),
            snapshots: Setting::default_value(Snapshots::Default),
            reports: Setting::default_value(Vec::new()),
        }
    }
}

impl Settings {
    /// Lays `file` under what is set: each setting nothing but a default set takes the file's
    /// value. The file's variables go before the others, but for those another variable of the
    /// same name replaces, and its headers are kept unless another header has the same name.
    pub fn apply_file(&mut self, file: &ConfigFile) {
        self.file = Some(file.path.clone());
        self.specs.fill(file.specs.as_ref());
        self.suites.fill(file.suites.as_ref());
        self.targets.fill(file.targets.as_ref());
        self.strict.fill(file.strict.as_ref());
        self.checks.fill(file.checks.as_ref());
        self.cases.fill(file.cases.as_ref());
        self.phases.fill(file.phases.as_ref());
        self.seed.fill(file.seed.as_ref());
        self.concurrency.fill(file.concurrency.as_ref());
        self.timeout.fill(file.timeout.as_ref());
        self.max_response_bytes.fill(file.max_response_bytes.as_ref());
        self.rate_limit.fill(file.rate_limit.as_ref());
        self.allow_recipients.fill(file.allow_recipients.as_ref());
        self.max_sends.fill(file.max_sends.as_ref());
        self.snapshots.fill(file.snapshots.as_ref());
        self.reports.fill(file.reports.as_ref());
        // A variable given otherwise replaces the file's of its name: a global one replaces
        // the file's for every spec too (else the file's `SPEC.NAME` would beat a flag's `NAME`).
        let replaced = |file: &VarFlag| {
            self.variables
                .iter()
                .any(|v| v.value.name == file.name && (v.value.spec.is_none() || v.value.spec == file.spec))
        };
        let mut variables: Vec<Setting<VarFlag>> =
            file.variables.iter().filter(|v| !replaced(&v.value)).cloned().collect();
        variables.append(&mut self.variables);
        self.variables = variables;
        let given = |name: &str| self.headers.iter().any(|h| h.value.name.eq_ignore_ascii_case(name));
        let mut headers: Vec<Setting<Header>> =
            file.headers.iter().filter(|h| !given(&h.value.name)).cloned().collect();
        headers.append(&mut self.headers);
        self.headers = headers;
    }

    /// The variables as `--var` flags, in precedence order (the last of a name wins).
    pub fn var_flags(&self) -> Vec<VarFlag> {
        self.variables.iter().map(|v| v.value.clone()).collect()
    }

    /// The headers as `(name, value)` pairs.
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers.iter().map(|h| (h.value.name.clone(), h.value.value.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_origin(line: usize) -> Origin {
        Origin::File { path: PathBuf::from("conform.toml"), line, env: Vec::new() }
    }

    fn file() -> ConfigFile {
        let var = |text: &str, line| Setting::new(text.parse::<VarFlag>().unwrap(), file_origin(line));
        let header = |name: &str, value: &str, line| {
            Setting::new(Header { name: name.into(), value: value.into() }, file_origin(line))
        };
        ConfigFile {
            cases: Some(Setting::new(3, file_origin(1))),
            concurrency: Some(Setting::new(2, file_origin(2))),
            variables: vec![var("token=from-file", 3), var("zapi.instanceId=file-instance", 4)],
            headers: vec![header("X-Trace", "file-trace", 5), header("X-Key", "file-key", 6)],
            ..ConfigFile::empty(PathBuf::from("conform.toml"))
        }
    }

    #[test]
    fn the_file_fills_only_what_nothing_else_set() {
        let mut settings = Settings::default();
        settings.cases.set(7, Origin::Flag("--cases".into()));
        settings.variables.push(Setting::new("token=from-flag".parse().unwrap(), Origin::Flag("--var".into())));
        settings.headers.push(Setting::new(
            Header { name: "x-trace".into(), value: "flag-trace".into() },
            Origin::Flag("--header".into()),
        ));
        settings.apply_file(&file());
        assert_eq!(settings.cases.value, 7, "a flag beats the file");
        assert_eq!(settings.concurrency, Setting::new(2, file_origin(2)), "the file beats a default");
        assert_eq!(settings.timeout, Setting::default_value(10.0), "nothing set it: the default stays");
        let sources = crate::run::VariableSources { flags: settings.var_flags(), env: Default::default() };
        assert_eq!(sources.resolve("zapi", "token").as_deref(), Some("from-flag"), "a --var beats the file's");
        assert_eq!(sources.resolve("zapi", "instanceId").as_deref(), Some("file-instance"));
        let mut global = Settings::default();
        global.variables.push(Setting::new("instanceId=flag".parse().unwrap(), Origin::Flag("--var".into())));
        global.apply_file(&file());
        let sources = crate::run::VariableSources { flags: global.var_flags(), env: Default::default() };
        assert_eq!(
            sources.resolve("zapi", "instanceId").as_deref(),
            Some("flag"),
            "a flag's NAME beats the file's SPEC.NAME"
        );
        assert_eq!(global.variables.len(), 2, "the file's token and the flag's instanceId: {:?}", global.variables);
        assert_eq!(
            settings.header_pairs(),
            [("X-Key".to_owned(), "file-key".to_owned()), ("x-trace".to_owned(), "flag-trace".to_owned())],
            "a flag's header replaces the file's of the same name, whatever its case"
        );
        assert_eq!(settings.file.as_deref(), Some(std::path::Path::new("conform.toml")));
    }

    #[test]
    fn origins_say_where_a_value_came_from() {
        let with_env = Origin::File { path: "ci/conform.toml".into(), line: 4, env: vec!["STAGING_TOKEN".into()] };
        assert_eq!(with_env.to_string(), "ci/conform.toml:4 (${STAGING_TOKEN} from the environment)");
        assert_eq!(file_origin(2).to_string(), "conform.toml:2");
        assert_eq!(Origin::Flag("--cases".into()).to_string(), "flag --cases");
        assert_eq!(Origin::Environment("CONFORM_SEED".into()).to_string(), "environment CONFORM_SEED");
        assert_eq!(Origin::Default.to_string(), "default");
    }

    #[test]
    fn targets_resolve_per_spec_then_for_every_spec() {
        let targets = Targets {
            target: vec!["http://all.example/".into(), "wawp=https://wawp.example".into()],
            base_url: vec!["zapi=http://127.0.0.1:4010/v2".into()],
        };
        let resolved = targets.resolve(&["zapi", "wawp", "hypersender"]).unwrap();
        assert_eq!(
            resolved,
            [
                ("http://127.0.0.1:4010/v2".to_owned(), true),
                ("https://wawp.example".to_owned(), false),
                ("http://all.example".to_owned(), false)
            ]
        );
        let only_one = Targets { target: vec!["zapi=http://a.example".into()], base_url: Vec::new() };
        assert_eq!(only_one.resolve(&["zapi", "wawp"]).unwrap_err(), "no target for spec `wawp`");
        let unknown = Targets { target: vec!["zap=http://a.example".into()], base_url: Vec::new() };
        assert!(unknown.resolve(&["zapi"]).unwrap_err().contains("no spec has the id `zap` (loaded: zapi)"));
        let bad = Targets { target: vec!["localhost:4010".into()], base_url: Vec::new() };
        assert!(bad.resolve(&["zapi"]).unwrap_err().contains("not an http or https URL"));
    }

    #[test]
    fn debug_never_shows_a_header_value() {
        let header = Header { name: "Authorization".into(), value: "Bearer s3cret-t0ken".into() };
        let shown = format!("{header:?}");
        assert!(shown.contains("Authorization") && !shown.contains("s3cret"), "{shown}");
    }
}
