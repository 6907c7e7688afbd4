//! The suite language (`suites/*.yaml`): named steps that call operations, read the sandbox
//! outbox, move the clock or set sandbox states; scenarios that chain them; declarative
//! ordering rules (`requires`, `single-use`, `expires-after`, …) that expand into scenarios; and
//! property scenarios with generated inputs. This room reads and checks suites, with the file,
//! line and column of every fault; it never sends a request (that is `run`'s).

mod decode;
mod model;
mod parse;
mod predicate;
mod template;

use std::path::{Path, PathBuf};

pub use model::{Acceptance, Action, Expect, FlowStep, RULE_KINDS, Scenario, Step, Suite, VarDefault};
pub use parse::parse_suite;
pub use predicate::{Predicate, time_expression};
pub use template::{Vars, names as template_names, render, render_text};

use crate::spec::{Diagnostic, Spec};

/// The suites for the bundled specs, embedded so that `conform run` needs no files.
pub const BUNDLED: &[(&str, &str)] = &[
    ("suites/zapi.yaml", include_str!("../../suites/zapi.yaml")),
    ("suites/wawp.yaml", include_str!("../../suites/wawp.yaml")),
    ("suites/hypersender.yaml", include_str!("../../suites/hypersender.yaml")),
];

/// The bundled suites, for the specs loaded (a suite whose spec is not loaded is left out).
pub fn bundled(specs: &[Spec]) -> Result<Vec<Suite>, Vec<Diagnostic>> {
    let mut suites = Vec::new();
    for (name, text) in BUNDLED {
        let spec = Path::new(name).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if specs.iter().any(|s| s.id == spec) {
            suites.push(parse_suite(Path::new(name), text, specs)?);
        }
    }
    Ok(suites)
}

/// Reads the suite files at `paths` (a directory means every `.yaml`/`.yml` file in it).
pub fn load(paths: &[PathBuf], specs: &[Spec]) -> Result<Vec<Suite>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| vec![unreadable(path, &e)])?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut suites = Vec::new();
    let mut faults = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => match parse_suite(&file, &text, specs) {
                Ok(suite) => suites.push(suite),
                Err(found) => faults.extend(found),
            },
            Err(e) => faults.push(unreadable(&file, &e)),
        }
    }
    if faults.is_empty() { Ok(suites) } else { Err(faults) }
}

fn unreadable(path: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic {
        path: path.to_owned(),
        line: 0,
        column: 0,
        pointer: None,
        message: format!("cannot read the suite: {error}"),
        level: Default::default(),
    }
}
