//! A problem found in a spec before it is located in the file: where (a JSON pointer into the
//! document as written), what, and how grave. An error stops what it is in (the operation, or the
//! whole document); a warning is a construct read anyway (a path parameter without
//! `required: true`) or one conform does not use (named, never silently ignored).

use std::fmt;

/// How grave a diagnostic is. Warnings alone do not make `conform lint` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum DiagnosticLevel {
    #[default]
    Error,
    Warning,
}

impl DiagnosticLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticLevel::Error => "error",
            DiagnosticLevel::Warning => "warning",
        }
    }
}

impl fmt::Display for DiagnosticLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem: `pointer` is into the document as written (`#/paths/~1pets/get/parameters/0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
    pub level: DiagnosticLevel,
    /// A warning about something conform cannot send, which leaves its operation out of a run.
    pub skips: bool,
}

impl Problem {
    pub fn error(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { pointer: pointer.into(), message: message.into(), level: DiagnosticLevel::Error, skips: false }
    }

    pub fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { pointer: pointer.into(), message: message.into(), level: DiagnosticLevel::Warning, skips: false }
    }

    /// A warning about something conform cannot send: its operation is left out of a run.
    pub fn skipping(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { skips: true, ..Problem::warning(pointer, message) }
    }

    pub fn is_error(&self) -> bool {
        self.level == DiagnosticLevel::Error
    }

    /// Whether it leaves what it is in out of a run: an error, or a warning that says so.
    pub fn breaks(&self) -> bool {
        self.is_error() || self.skips
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// `segment` escaped for a JSON pointer (`/` → `~1`, `~` → `~0`).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The segments of a JSON pointer (`#/a/b~1c` → `a`, `b/c`), unescaped.
pub fn segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    let body = pointer.strip_prefix('#').unwrap_or(pointer);
    body.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~"))
}
