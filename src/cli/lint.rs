//! `conform lint [PATH]...`: checks specs (every example against its own schema, every `$ref`,
//! the version) and prints rustc-style diagnostics with file:line:col. Exit 2 when any is found.

use std::path::{Path, PathBuf};

use clap::Args;

use super::exit::{CONFORMANT, HARNESS_ERROR};
use crate::spec::{BUNDLED, Diagnostic, lint_spec};

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Spec files to check. Default: the bundled specs.
    pub paths: Vec<PathBuf>,
}

pub fn run(args: LintArgs) -> u8 {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut checked = 0;
    if args.paths.is_empty() {
        for (name, text) in BUNDLED {
            diagnostics.extend(lint_spec(Path::new(name), text));
            checked += 1;
        }
    }
    for path in &args.paths {
        match std::fs::read_to_string(path) {
            Ok(text) => diagnostics.extend(lint_spec(path, &text)),
            Err(e) => diagnostics.push(Diagnostic {
                path: path.clone(),
                line: 0,
                column: 0,
                pointer: None,
                message: format!("cannot read the file: {e}"),
            }),
        }
        checked += 1;
    }
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}\n");
    }
    if diagnostics.is_empty() {
        println!("{checked} spec(s) checked: no problems");
        CONFORMANT
    } else {
        eprintln!("{} problem(s) in {checked} spec(s)", diagnostics.len());
        HARNESS_ERROR
    }
}
