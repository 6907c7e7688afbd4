//! `conform lint [PATH]...`: checks specs (every example against its own schema, every `$ref`,
//! the version) and suites (operationIds, steps, variables, predicates, captures against the
//! spec's response schemas). Each fault is printed with miette: file:line:col and a caret under
//! it. Exit 2 when any error is found (warnings alone, such as a construct read leniently, exit 0).

use std::path::{Path, PathBuf};

use clap::Args;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, Report};

use super::exit::{CONFORMANT, HARNESS_ERROR};
use super::output::{errln, outln};
use crate::spec::{self, BUNDLED, Diagnostic, Spec, lint_and_load_file, lint_spec};
use crate::suite;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Spec and suite files to check (a suite is a file with a top-level `spec:`; suites are
    /// checked against the bundled specs and the specs given). Default: the bundled specs and suites.
    pub paths: Vec<PathBuf>,
}

/// The text of a file a diagnostic names: the file itself, or a bundled one.
fn source_text(path: &Path) -> Option<String> {
    let name = path.to_string_lossy();
    std::fs::read_to_string(path)
        .ok()
        .or_else(|| BUNDLED.iter().chain(suite::BUNDLED).find(|(n, _)| *n == name).map(|(_, text)| (*text).to_owned()))
}

/// A diagnostic as miette draws it: the message, `file:line:col`, the line and a caret under the
/// fault; the JSON pointer as help. Without the file's text, the plain rustc-style lines.
pub fn render(diagnostic: &Diagnostic) -> String {
    let Some(text) = source_text(&diagnostic.path).filter(|_| diagnostic.line > 0) else {
        return diagnostic.to_string();
    };
    // (swagger, issue 24) A window of the file around the column, with the file's line numbers:
    // a minified one-line spec is not printed whole; and a warning is drawn as one.
    let shown = spec::excerpt(&diagnostic.path.display().to_string(), &text, diagnostic.line, diagnostic.column);
    let severity = if diagnostic.is_error() { miette::Severity::Error } else { miette::Severity::Warning };
    let mut report = MietteDiagnostic::new(diagnostic.message.clone())
        .with_severity(severity)
        .with_labels([LabeledSpan::at(shown.span(), "here")]);
    if let Some(pointer) = &diagnostic.pointer {
        report = report.with_help(format!("at {pointer}"));
    }
    let report = Report::new(report).with_source_code(shown);
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor());
    let mut out = String::new();
    match handler.render_report(&mut out, report.as_ref()) {
        Ok(()) => format!("{}:{}:{}\n{out}", diagnostic.path.display(), diagnostic.line, diagnostic.column),
        Err(_) => diagnostic.to_string(),
    }
}

/// Whether a YAML/JSON text is a suite (a top-level `spec:` and no `openapi:`).
fn is_suite(text: &str) -> bool {
    let top = |key: &str| text.lines().any(|l| l.starts_with(key));
    top("spec:") && !top("openapi:") && !text.trim_start().starts_with('{')
}

pub fn run(args: LintArgs) -> u8 {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let (mut specs_checked, mut suites_checked) = (0, 0);
    let mut specs: Vec<Spec> = spec::bundled().unwrap_or_default();
    let mut suite_files: Vec<(PathBuf, String)> = Vec::new();
    if args.paths.is_empty() {
        for (name, text) in BUNDLED {
            diagnostics.extend(lint_spec(Path::new(name), text));
            specs_checked += 1;
        }
        suite_files.extend(suite::BUNDLED.iter().map(|(n, t)| (PathBuf::from(n), (*t).to_owned())));
    }
    for path in &args.paths {
        match std::fs::read_to_string(path) {
            Ok(text) if is_suite(&text) => suite_files.push((path.clone(), text)),
            Ok(text) => {
                let (found, loaded) = lint_and_load_file(path, text);
                if !found.iter().any(Diagnostic::is_error)
                    && let Some(loaded) = loaded
                {
                    specs.retain(|s| s.id != loaded.id);
                    specs.push(loaded);
                }
                diagnostics.extend(found);
                specs_checked += 1;
            }
            Err(e) => diagnostics.push(Diagnostic {
                path: path.clone(),
                line: 0,
                column: 0,
                pointer: None,
                message: format!("cannot read the file: {e}"),
                level: Default::default(),
            }),
        }
    }
    for (path, text) in &suite_files {
        if let Err(found) = suite::parse_suite(path, text, &specs) {
            diagnostics.extend(found);
        }
        suites_checked += 1;
    }
    for diagnostic in &diagnostics {
        errln!("{}\n", render(diagnostic));
    }
    // The process ends next: taking a big spec's model apart would only cost time.
    std::mem::forget(specs);
    let checked = format!("{specs_checked} spec(s) and {suites_checked} suite(s) checked");
    // (swagger, issue 24) Warnings alone do not fail lint.
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let warned = if warnings > 0 { format!(" ({warnings} warning(s))") } else { String::new() };
    if errors == 0 {
        outln!("{checked}: no problems{warned}");
        CONFORMANT
    } else {
        errln!("{errors} problem(s){warned}; {checked}");
        HARNESS_ERROR
    }
}
