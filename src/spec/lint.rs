//! `conform lint` for specs, and the lenient loading `run` uses: everything that stops a spec or
//! an operation from loading, every construct read with a warning, and every example that breaks
//! its own schema, as diagnostics with the file, the line and column, the JSON pointer (into the
//! file as written, a Swagger 2.0 one included) and a level. An operation whose own definition is
//! broken is left out of the spec, and each problem that left it out names it; a problem that
//! breaks the whole document leaves no spec.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use super::examples::examples;
use super::extract::take_operations_leniently;
use super::load::{Finding, ReadError, parse_only, read_hoisted};
use super::locate::locate_in;
use super::locate_json::locate_json;
use super::model::{Spec, build_spec};
use super::problem::{DiagnosticLevel, Problem};
use super::syntax::is_json;
use super::validate::validation_errors_of_all;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub pointer: Option<String>,
    pub message: String,
    /// An error stops what it is in; a warning does not (and alone does not fail `lint`).
    pub level: DiagnosticLevel,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.level, self.message)?;
        write!(f, "  --> {}:{}:{}", self.path.display(), self.line, self.column)?;
        if let Some(pointer) = &self.pointer {
            write!(f, " ({pointer})")?;
        }
        Ok(())
    }
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.level == DiagnosticLevel::Error
    }
}

/// Makes diagnostics for one file: locates pointers in its text (JSON in one pass, YAML line by line).
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn at_all(&self, found: Vec<(Option<String>, String, DiagnosticLevel)>) -> Vec<Diagnostic> {
        let places: Vec<(usize, usize)> = if is_json(self.path, self.text) {
            let pointers: Vec<&str> = found.iter().map(|(p, _, _)| p.as_deref().unwrap_or("#")).collect();
            locate_json(self.text, &pointers)
        } else {
            let lines: Vec<&str> = self.text.lines().collect();
            found
                .iter()
                .map(|(pointer, _, _)| pointer.as_deref().and_then(|p| locate_in(&lines, p)).unwrap_or((1, 1)))
                .collect()
        };
        found
            .into_iter()
            .zip(places)
            .map(|((pointer, message, level), (line, column))| Diagnostic {
                path: self.path.to_owned(),
                line,
                column,
                pointer,
                message,
                level,
            })
            .collect()
    }
}

/// A problem's message, naming the operations it left out of the spec.
fn worded(finding: Finding) -> (Option<String>, String, DiagnosticLevel) {
    let Finding { problem: Problem { pointer, message, level, .. }, skipped } = finding;
    let message = match skipped.as_slice() {
        [] => message,
        [one] => format!("operation `{one}` is skipped: {message}"),
        many => {
            let named: Vec<String> = many.iter().take(3).map(|o| format!("`{o}`")).collect();
            let more = if many.len() > 3 { format!(" and {} more", many.len() - 3) } else { String::new() };
            format!("operations {}{more} are skipped: {message}", named.join(", "))
        }
    };
    (Some(pointer), message, level)
}

/// Lints one spec's text.
pub fn lint_spec(path: &Path, text: &str) -> Vec<Diagnostic> {
    lint_and_load(path, text).0
}

/// Lints one spec's text, and gives the spec too when it loads (so that it is read only once):
/// without the operations whose own definition is broken, and with the diagnostics that came
/// with loading it ([`Spec::diagnostics`]: warnings, and the problems that left operations out).
/// The diagnostics returned are those and the examples that break their schemas.
pub fn lint_and_load(path: &Path, text: &str) -> (Vec<Diagnostic>, Option<Spec>) {
    lint_with(path, Cow::Borrowed(text), true)
}

/// [`lint_and_load`] for a file's text, which is dropped once parsed (a big spec's text is tens
/// of megabytes) and read again from `path` only to locate problems found after that.
pub fn lint_and_load_file(path: &Path, text: String) -> (Vec<Diagnostic>, Option<Spec>) {
    lint_with(path, Cow::Owned(text), true)
}

/// Loads a spec leniently without checking its examples (what `run` needs).
pub(super) fn load_leniently(path: &Path, text: String) -> (Vec<Diagnostic>, Option<Spec>) {
    lint_with(path, Cow::Owned(text), false)
}

fn lint_with(path: &Path, text: Cow<'_, str>, check_examples: bool) -> (Vec<Diagnostic>, Option<Spec>) {
    // A big JSON file's own text is not held while its document is built: it is read again, a
    // piece at a time.
    let (parsed, text) = match text {
        Cow::Owned(owned) if is_json(path, &owned) => {
            drop(owned);
            let parsed = super::syntax::parse_json_file_hoisting(path).map_err(|e| ReadError::Syntax {
                line: e.line,
                column: e.column,
                message: e.message,
            });
            (parsed, Cow::Owned(String::new()))
        }
        text => (parse_only(path, &text), text),
    };
    if let Err(e) = parsed {
        let text = if text.is_empty() { Cow::Owned(std::fs::read_to_string(path).unwrap_or_default()) } else { text };
        return (load_error(&Locator { path, text: &text }, e), None);
    }
    // A file's own text is not kept beside its document: it is read again to locate problems.
    let text: Option<&str> = match text {
        Cow::Borrowed(text) => Some(text),
        Cow::Owned(_) => None,
    };
    let reread = || text.map_or_else(|| Cow::Owned(std::fs::read_to_string(path).unwrap_or_default()), Cow::Borrowed);
    let read = match parsed.and_then(|(document, hoisted)| read_hoisted(path, document, hoisted, true)) {
        Ok(read) => read,
        Err(e) => {
            let text = reread();
            return (load_error(&Locator { path, text: &text }, e), None);
        }
    };
    let (mut document, dialect, findings, pointers) = (read.document, read.dialect, read.findings, read.pointers);
    let mut loading: Vec<(Option<String>, String, DiagnosticLevel)> = findings.into_iter().map(worded).collect();
    let mut example_problems: Vec<(Option<String>, String, DiagnosticLevel)> = Vec::new();
    if check_examples {
        let all = examples(&document);
        let pairs: Vec<(&serde_json::Value, &serde_json::Value)> = all.iter().map(|e| (&*e.schema, e.value)).collect();
        for (example, errors) in all.iter().zip(validation_errors_of_all(&pairs)) {
            if !errors.is_empty() {
                let message = format!("example does not match its schema: {}", errors.join("; "));
                let pointer = pointers.original(&example.pointer).into_owned();
                example_problems.push((Some(pointer), message, DiagnosticLevel::Error));
            }
        }
    }
    let spec_id = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec").to_owned();
    // (flows, issue 27) Links are read before the paths are taken apart, checked after.
    let (links, link_problems) = super::read_links(&document);
    let mut link_problems: Vec<Problem> = link_problems;
    let spec = match take_operations_leniently(&spec_id, &mut document) {
        Ok((operations, left)) => {
            for left in left {
                let problem = Problem::error(pointers.original(&left.error.pointer), left.error.message);
                loading.push(worded(Finding { problem, skipped: vec![left.operation.label] }));
            }
            let (links, problems) = super::check_links(links, &operations);
            link_problems.extend(problems);
            match build_spec(path, document, dialect, operations) {
                Ok(spec) => Some(Spec { links, ..spec }),
                Err(e) => {
                    loading.push((
                        e.pointer.map(|p| pointers.original(&p).into_owned()),
                        e.message,
                        DiagnosticLevel::Error,
                    ));
                    None
                }
            }
        }
        Err(e) => {
            loading.push((Some(pointers.original(&e.pointer).into_owned()), e.message, DiagnosticLevel::Error));
            None
        }
    };
    loading.extend(
        link_problems.into_iter().map(|p| (Some(pointers.original(&p.pointer).into_owned()), p.message, p.level)),
    );
    if loading.is_empty() && example_problems.is_empty() {
        return (Vec::new(), spec);
    }
    let text = reread();
    let locator = Locator { path, text: &text };
    let loading = locator.at_all(loading);
    let mut all = loading.clone();
    all.extend(locator.at_all(example_problems));
    all.sort_by_key(|d| (d.line, d.column));
    let spec = spec.map(|mut spec| {
        spec.diagnostics = loading;
        spec
    });
    (all, spec)
}

/// The diagnostics of a spec that does not load.
fn load_error(locator: &Locator<'_>, error: ReadError) -> Vec<Diagnostic> {
    let path = locator.path;
    let found = match error {
        ReadError::Syntax { line, column, message } => {
            return vec![Diagnostic {
                path: path.to_owned(),
                line,
                column,
                pointer: None,
                message,
                level: DiagnosticLevel::Error,
            }];
        }
        ReadError::Invalid { problems } => {
            problems.into_iter().map(|p| (Some(p.pointer), p.message, p.level)).collect()
        }
        ReadError::Ref { pointer, target, problem } => {
            vec![(Some(pointer), format!("$ref `{target}` {problem}"), DiagnosticLevel::Error)]
        }
        ReadError::Refused { pointer, message } => vec![(Some(pointer), message, DiagnosticLevel::Error)],
        other => vec![(None, other.to_string(), DiagnosticLevel::Error)],
    };
    let mut found = locator.at_all(found);
    found.sort_by_key(|d| (d.line, d.column));
    found
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

    #[test]
    fn a_broken_operation_is_left_out_and_named() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {'200': {description: ok}}\n    post:\n      parameters: [{name: id, in: path, schema: {type: int}}]\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      responses: {'200': {description: ok}}\n";
        let (diagnostics, spec) = lint_and_load(Path::new("t.yaml"), text);
        let spec = spec.expect("the rest loads");
        let ids: Vec<&str> = spec.operations.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["get-b"], "GET /a/{{id}} declares no `id`, POST /a/{{id}} has a bad type");
        let messages: Vec<String> =
            diagnostics.iter().map(|d| format!("{}:{} {}", d.line, d.column, d.message)).collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(
            messages[0].starts_with("5:5 operation `GET /a/{id}` is skipped: the path template has `{id}`"),
            "{messages:#?}"
        );
        assert!(
            messages[1].starts_with("8:7 operation `POST /a/{id}` is skipped: unknown type \"int\""),
            "{messages:#?}"
        );
        assert_eq!(spec.diagnostics, diagnostics);
    }

    #[test]
    fn a_problem_in_a_repeated_inline_schema_is_reported_once_where_first_written() {
        let schema = "              schema:\n                type: object\n                properties:\n                  n: {type: integer, minimum: 0}\n                  s: {type: strng}\n";
        let operation = |path: &str| {
            format!(
                "  {path}:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n{schema}"
            )
        };
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{}{}  /c:\n    get:\n      responses: {{'204': {{description: ok}}}}\n",
            operation("/a"),
            operation("/b")
        );
        let (diagnostics, spec) = lint_and_load(Path::new("t.yaml"), &text);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!(
            d.pointer.as_deref(),
            Some("#/paths/~1a/get/responses/200/content/application~1json/schema/properties/s/type")
        );
        assert_eq!(d.line, 15, "{d}");
        assert!(d.message.starts_with("operations `GET /a`, `GET /b` are skipped: unknown type \"strng\""), "{d}");
        let ids: Vec<String> = spec.unwrap().operations.iter().map(|o| o.id.clone()).collect();
        assert_eq!(ids, ["get-c"]);
    }
}
