//! `conform lint` for specs: everything that stops a spec from loading, and every example that
//! breaks its own schema, as diagnostics with the file, the line and column, and the JSON pointer.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::path::{Path, PathBuf};

use super::examples::examples;
use super::load::{ReadError, parse_only, resolve_parsed};
use super::locate::locate_in;
use super::model::{Spec, spec_from_document};
use super::validate::validation_errors_of_all;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub pointer: Option<String>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        write!(f, "  --> {}:{}:{}", self.path.display(), self.line, self.column)?;
        if let Some(pointer) = &self.pointer {
            write!(f, " ({pointer})")?;
        }
        Ok(())
    }
}

/// Makes diagnostics for one file, splitting its text into lines once (on the first one).
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
    lines: OnceCell<Vec<&'a str>>,
}

impl Locator<'_> {
    fn at(&self, pointer: Option<String>, message: String) -> Diagnostic {
        let lines = self.lines.get_or_init(|| self.text.lines().collect());
        let (line, column) = pointer.as_deref().and_then(|p| locate_in(lines, p)).unwrap_or((1, 1));
        Diagnostic { path: self.path.to_owned(), line, column, pointer, message }
    }
}

/// Lints one spec's text.
pub fn lint_spec(path: &Path, text: &str) -> Vec<Diagnostic> {
    lint_and_load(path, text).0
}

/// Lints one spec's text, and gives the spec too when it loads (so that it is read only once).
pub fn lint_and_load(path: &Path, text: &str) -> (Vec<Diagnostic>, Option<Spec>) {
    lint_with(path, Cow::Borrowed(text))
}

/// [`lint_and_load`] for a file's text, which is dropped once parsed (a big spec's text is tens
/// of megabytes) and read again from `path` only to locate problems found after that.
pub fn lint_and_load_file(path: &Path, text: String) -> (Vec<Diagnostic>, Option<Spec>) {
    lint_with(path, Cow::Owned(text))
}

fn lint_with(path: &Path, text: Cow<'_, str>) -> (Vec<Diagnostic>, Option<Spec>) {
    let parsed = parse_only(path, &text);
    if let Err(e) = parsed {
        return (load_error(&Locator { path, text: &text, lines: OnceCell::new() }, e), None);
    }
    // A file's own text is not kept beside its document: it is read again to locate problems.
    let text: Option<&str> = match text {
        Cow::Borrowed(text) => Some(text),
        Cow::Owned(_) => None,
    };
    let resolved = parsed.and_then(|document| resolve_parsed(path, document));
    let reread = || text.map_or_else(|| Cow::Owned(std::fs::read_to_string(path).unwrap_or_default()), Cow::Borrowed);
    let document = match resolved {
        Ok(document) => document,
        Err(e) => {
            let text = reread();
            return (load_error(&Locator { path, text: &text, lines: OnceCell::new() }, e), None);
        }
    };
    // Problems as (pointer, message), located once all are found.
    let mut problems: Vec<(Option<String>, String)> = Vec::new();
    let all = examples(&document);
    let pairs: Vec<(&serde_json::Value, &serde_json::Value)> = all.iter().map(|e| (&*e.schema, e.value)).collect();
    for (example, errors) in all.iter().zip(validation_errors_of_all(&pairs)) {
        if !errors.is_empty() {
            let message = format!("example does not match its schema: {}", errors.join("; "));
            problems.push((Some(example.pointer.clone()), message));
        }
    }
    drop(pairs);
    drop(all);
    let spec = match spec_from_document(path, document) {
        Ok(spec) => Some(spec),
        Err(e) => {
            problems.push((e.pointer, e.message));
            None
        }
    };
    if problems.is_empty() {
        return (Vec::new(), spec);
    }
    let text = reread();
    let locator = Locator { path, text: &text, lines: OnceCell::new() };
    (problems.into_iter().map(|(pointer, message)| locator.at(pointer, message)).collect(), spec)
}

/// The diagnostics of a spec that does not load.
fn load_error(locator: &Locator<'_>, error: ReadError) -> Vec<Diagnostic> {
    let path = locator.path;
    match error {
        ReadError::Syntax { line, column, message } => {
            vec![Diagnostic { path: path.to_owned(), line, column, pointer: None, message }]
        }
        ReadError::Invalid { problems } => {
            let mut found: Vec<Diagnostic> =
                problems.into_iter().map(|(pointer, message)| locator.at(Some(pointer), message)).collect();
            found.sort_by_key(|d| (d.line, d.column));
            found
        }
        ReadError::Ref { pointer, target, problem } => {
            vec![locator.at(Some(pointer), format!("$ref `{target}` {problem}"))]
        }
        ReadError::Version { pointer, version } => {
            let message = format!("unsupported OpenAPI version `{version}` (3.0.x and 3.1.x are supported)");
            vec![locator.at(Some(pointer), message)]
        }
        other => vec![locator.at(None, other.to_string())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_example_is_located() {
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    post:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: object, required: [ok]}\n              examples:\n                bad:\n                  value: {nope: 1}\n";
        let diagnostics = lint_spec(Path::new("t.yaml"), text);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let d = &diagnostics[0];
        assert_eq!((d.line, d.column), (14, 19));
        assert!(d.message.contains("\"ok\" is a required property"), "{}", d.message);
        assert_eq!(
            d.to_string().lines().nth(1),
            Some("  --> t.yaml:14:19 (#/paths/~1x/post/responses/200/content/application~1json/examples/bad/value)")
        );
    }

    #[test]
    fn load_errors_are_diagnostics() {
        let yaml = lint_spec(Path::new("t.yaml"), "openapi: 3.1.0\npaths: [\n");
        assert!(yaml[0].line >= 2, "{yaml:?}");
        let dangling = lint_spec(Path::new("t.yaml"), "openapi: 3.1.0\npaths:\n  /x:\n    $ref: '#/nowhere'\n");
        assert_eq!((dangling[0].line, dangling[0].column), (3, 3));
        assert!(dangling[0].message.contains("dangling"));
        let version = lint_spec(Path::new("t.yaml"), "openapi: 2.0.0\n");
        assert_eq!(version[0].line, 1);
    }
}
