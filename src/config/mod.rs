//! `conform.toml`: the settings of `conform run` kept in a file, so that CI does not retype
//! flags, and so that `conform run` and the library harness ([`crate::harness`]) read the same
//! ones. The file is found in the working directory, or given with `--config`.
//!
//! [`file`](ConfigFile) reads it (every mistake located by line and column, unknown keys refused
//! with the nearest known one); [`Settings`] holds the settings in effect, each with its
//! [`Origin`], flags first, then the environment, the file, and the defaults; [`render`] shows
//! them for `conform config`, secrets masked.

mod file;
mod interpolate;
mod settings;
mod show;
mod value;

use std::path::{Path, PathBuf};

pub use file::{ConfigFile, KEYS, parse, suggestion};
pub use interpolate::{Interpolated, interpolate};
pub use settings::{Header, Origin, Setting, Settings, Snapshots, Targets};
pub use show::{redactor, render};

use crate::spec::Diagnostic;

/// The file conform looks for in the working directory.
pub const FILE_NAME: &str = "conform.toml";

/// Why a config file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// It could not be read (a `--config` that does not exist, a directory, unreadable).
    Read { path: PathBuf, message: String },
    /// It was read, and holds these mistakes.
    Invalid(Vec<Diagnostic>),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Read { path, message } => {
                write!(f, "cannot read the config file {}: {message}", path.display())
            }
            ConfigError::Invalid(diagnostics) => {
                let shown: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
                f.write_str(&shown.join("\n"))
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// The config file to read: `given` (`--config`), or else `conform.toml` in `dir` when there is one.
pub fn locate(given: Option<&Path>, dir: &Path) -> Option<PathBuf> {
    given.map(Path::to_owned).or_else(|| {
        let found = dir.join(FILE_NAME);
        found
            .is_file()
            .then(|| if dir == Path::new(".") || dir.as_os_str().is_empty() { FILE_NAME.into() } else { found })
    })
}

/// Reads and checks the file at `path`, taking `${NAME}` values from `env`.
pub fn load_with(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::Read { path: path.to_owned(), message: e.to_string() })?;
    parse(path, &text, env).map_err(ConfigError::Invalid)
}

/// Reads and checks the file at `path`, taking `${NAME}` values from the process environment.
pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
    load_with(path, &|name| std::env::var(name).ok())
}

/// Whether a diagnostic is about a secret's key (`variables…`, `headers…`): its source line is
/// then not shown, since it may hold a value written in the file.
pub fn about_a_secret(diagnostic: &Diagnostic) -> bool {
    diagnostic.pointer.as_deref().is_some_and(|p| p.starts_with("variables") || p.starts_with("headers"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_the_given_one_or_the_working_directorys() {
        let dir = std::env::temp_dir().join(format!("conform-config-locate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(locate(None, &dir), None, "no file, nothing to read");
        std::fs::write(dir.join(FILE_NAME), "cases = 1\n").unwrap();
        assert_eq!(locate(None, &dir), Some(dir.join(FILE_NAME)));
        assert_eq!(locate(Some(Path::new("ci/other.toml")), &dir), Some(PathBuf::from("ci/other.toml")));
        let missing = load(&dir.join("missing.toml")).unwrap_err().to_string();
        assert!(missing.starts_with("cannot read the config file ") && missing.contains("missing.toml"), "{missing}");
        assert_eq!(load(&dir.join(FILE_NAME)).unwrap().cases.map(|c| c.value), Some(1));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
