//! The library harness: a spec's cases and a suite's scenarios as libtest trials in a user's own
//! `cargo test` (a test target with `harness = false`). This is the only module that knows
//! libtest-mimic. Like [`crate::cli`], it is an entry point: [`Harness::run`] prints libtest's
//! output and exits. Its settings are [`crate::config`]'s, so `conform.toml` serves it and
//! `conform run` alike.
//!
#![doc = include_str!("../../docs/library-harness.md")]

mod env;
mod prepare;
mod trials;

use std::path::{Path, PathBuf};

pub use libtest_mimic::{Arguments, Conclusion};
pub use prepare::HarnessError;
pub use trials::Trials;

use crate::config::{self, Header, Origin, Setting, Settings, Snapshots};
use crate::run::VarFlag;

/// Which config file the harness reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ConfigFile {
    /// `conform.toml` in the working directory, when there is one.
    Found,
    /// This one (it must exist).
    Given(PathBuf),
}

/// A harness being set up; [`Harness::run`] runs it. See the module's documentation.
#[derive(Debug, Clone)]
pub struct Harness {
    settings: Settings,
    config: ConfigFile,
    /// `target_env`: the environment variable holding the URL.
    target_env: Option<String>,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

/// A setting made in code, from the builder call `call`.
fn code(call: &str) -> Origin {
    Origin::Code(call.to_owned())
}

impl Harness {
    /// A harness with conform's defaults for tests: 5 positive cases per operation, seed 0 (the
    /// same trials on every run), warnings do not fail; `conform.toml` read when there is one.
    pub fn new() -> Self {
        let settings =
            Settings { cases: Setting::default_value(5), seed: Setting::default_value(Some(0)), ..Settings::default() };
        Harness { settings, config: ConfigFile::Found, target_env: None }
    }

    /// Reads this config file instead of `./conform.toml`.
    pub fn config(mut self, path: impl Into<PathBuf>) -> Self {
        self.config = ConfigFile::Given(path.into());
        self
    }

    fn push_path(setting: &mut Setting<Vec<PathBuf>>, path: PathBuf, call: &str) {
        if !matches!(setting.origin, Origin::Code(_)) {
            setting.set(Vec::new(), code(call));
        }
        setting.value.push(path);
    }

    /// A spec to test (repeatable); without one, conform's bundled specs.
    pub fn spec(mut self, path: impl AsRef<Path>) -> Self {
        Self::push_path(&mut self.settings.specs, path.as_ref().to_owned(), ".spec()");
        self
    }

    /// A suite file, or a directory of them (repeatable).
    pub fn suite(mut self, path: impl AsRef<Path>) -> Self {
        Self::push_path(&mut self.settings.suites, path.as_ref().to_owned(), ".suite()");
        self
    }

    fn push_target(&mut self, entry: String, call: &str) {
        let targets = &mut self.settings.targets;
        if !matches!(targets.origin, Origin::Code(_)) {
            targets.set(Default::default(), code(call));
        }
        targets.value.target.push(entry);
    }

    /// The URL to test every spec at; each spec's server path is joined onto it.
    pub fn target(mut self, url: impl Into<String>) -> Self {
        self.push_target(url.into(), ".target()");
        self
    }

    /// The URL to test the spec `spec` (its id, the file stem) at.
    pub fn target_for(mut self, spec: &str, url: impl Into<String>) -> Self {
        self.push_target(format!("{spec}={}", url.into()), ".target_for()");
        self
    }

    /// The URL to test every spec at is in the environment variable `name`, when it is set (it
    /// beats [`Harness::target`] and the config file; `CONFORM_TARGET` beats it).
    pub fn target_env(mut self, name: &str) -> Self {
        self.target_env = Some(name.to_owned());
        self
    }

    /// A variable, `NAME` for every spec or `SPEC.NAME` for one: a path, query or header
    /// parameter's value, or a security scheme's credential. A secret: it is masked.
    pub fn var(mut self, name: &str, value: impl Into<String>) -> Self {
        let (spec, name) = match name.split_once('.') {
            Some((spec, name)) => (Some(spec.to_owned()), name.to_owned()),
            None => (None, name.to_owned()),
        };
        let flag = VarFlag { spec, name, value: value.into() };
        self.settings.variables.push(Setting::new(flag, code(".var()")));
        self
    }

    /// A header sent on every request. A secret: it is masked.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.settings.headers.retain(|h| !h.value.name.eq_ignore_ascii_case(name));
        let header = Header { name: name.to_owned(), value: value.into() };
        self.settings.headers.push(Setting::new(header, code(".header()")));
        self
    }

    /// Whether warnings (rules whose source is a field report or a profile) fail a trial.
    pub fn strict(mut self, strict: bool) -> Self {
        self.settings.strict.set(strict, code(".strict()"));
        self
    }

    /// Positive cases per operation.
    pub fn cases(mut self, cases: u32) -> Self {
        self.settings.cases.set(cases, code(".cases()"));
        self
    }

    /// The seed: the same seed, the same trials and the same requests.
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed.set(Some(seed), code(".seed()"));
        self
    }

    /// The directory of the committed snapshots.
    pub fn snapshots(mut self, dir: impl AsRef<Path>) -> Self {
        self.settings.snapshots.set(Snapshots::Dir(dir.as_ref().to_owned()), code(".snapshots()"));
        self
    }

    /// The settings in effect: the code's, over `conform.toml`'s, under the environment's
    /// (`env` stands for the process environment).
    pub fn settings_with(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, HarnessError> {
        let mut settings = self.settings.clone();
        let path = match &self.config {
            ConfigFile::Found => config::locate(None, Path::new(".")),
            ConfigFile::Given(path) => Some(path.clone()),
        };
        if let Some(path) = path {
            settings.apply_file(&config::load_with(&path, env).map_err(HarnessError::Config)?);
        }
        env::apply(&mut settings, self.target_env.as_deref(), env)?;
        Ok(settings)
    }

    /// The trials, ready to run: the target is asked for its sandbox, the plan is made.
    pub fn trials(&self) -> Result<Trials, HarnessError> {
        let settings = self.settings_with(&|name| std::env::var(name).ok())?;
        prepare::prepare(settings, self.target_env.as_deref())
    }

    /// Parses libtest's arguments, runs the trials and exits: 0 when every trial passed, 101
    /// when one failed, 2 when the harness could not start (the reason printed).
    pub fn run(&self) -> ! {
        let args = Arguments::from_args();
        match self.trials() {
            Ok(trials) => trials.run(&args).exit(),
            Err(e) => {
                // A located problem (a spec's, a suite's, the config file's) says `error:` itself.
                let shown = e.to_string();
                eprintln!("{}", if shown.starts_with("error:") { shown } else { format!("error: {shown}") });
                std::process::exit(crate::cli::HARNESS_ERROR.into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_beats_the_file_and_the_environment_beats_code() {
        let dir = std::env::temp_dir().join(format!("conform-harness-layers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("conform.toml");
        std::fs::write(&file, "cases = 3\nseed = 9\nstrict = true\nspecs = [\"api.yaml\"]\n").unwrap();
        let harness = Harness::new().config(&file).cases(4).seed(1).var("token", "s3cret-value");
        let env = |name: &str| (name == "CONFORM_SEED").then(|| "11".to_owned());
        let settings = harness.settings_with(&env).unwrap();
        assert_eq!(settings.cases, Setting::new(4, Origin::Code(".cases()".into())));
        assert_eq!(settings.seed, Setting::new(Some(11), Origin::Environment("CONFORM_SEED".into())));
        assert!(settings.strict.value && matches!(settings.strict.origin, Origin::File { line: 3, .. }));
        assert_eq!(settings.specs.value, [dir.join("api.yaml")]);
        assert_eq!(settings.var_flags()[0].value, "s3cret-value");
        let defaults = Harness::new().config(dir.join("missing.toml")).settings_with(&|_| None).unwrap_err();
        assert!(defaults.to_string().starts_with("cannot read the config file"), "{defaults}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_spec_without_a_target_is_an_error_naming_the_variable() {
        let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/zapi.yaml");
        let harness = Harness::new().config("/dev/null").spec(spec).target_env("API_URL");
        let error = prepare::prepare(harness.settings_with(&|_| None).unwrap(), Some("API_URL")).unwrap_err();
        assert!(error.to_string().starts_with("no target to test: set API_URL or CONFORM_TARGET"), "{error}");
    }
}
