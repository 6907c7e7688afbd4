//! The specs `conform run` tests, loaded as `conform lint` reads them, so that the two agree: a
//! spec that does not load is refused with lint's diagnostics (exit 2), and what lint finds in a
//! spec that loads all the same (an example that contradicts its schema, an operation left out)
//! becomes the run's [`SpecWarning`]s, which every report shows.

use std::path::{Path, PathBuf};

use crate::results::SpecWarning;
use crate::spec::{self, Diagnostic, Spec};

/// The specs to test (the given files, or the bundled ones) and the warnings they came with; or
/// why they cannot be tested, lint's diagnostics included.
pub fn load_specs(paths: &[PathBuf]) -> Result<(Vec<Spec>, Vec<SpecWarning>), String> {
    let mut specs: Vec<Spec> = Vec::new();
    let mut warnings = Vec::new();
    // Each file with its text when it is a bundled spec (read from the binary, not the disk).
    let files: Vec<(PathBuf, Option<&str>)> = if paths.is_empty() {
        spec::BUNDLED.iter().map(|(name, text)| (PathBuf::from(name), Some(*text))).collect()
    } else {
        paths.iter().map(|path| (path.clone(), None)).collect()
    };
    for (path, bundled) in files {
        let (found, loaded) = match bundled {
            Some(text) => spec::lint_and_load(&path, text),
            None => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: cannot read the spec: {e}", path.display()))?;
                spec::lint_and_load_file(&path, text)
            }
        };
        let Some(loaded) = loaded else { return Err(refusal(&path, &found)) };
        if loaded.operations.is_empty() && !found.is_empty() {
            // Every operation was left out: why is lint's word, not "no operation".
            return Err(format!(
                "{}: nothing to test: every operation is left out\n{}",
                path.display(),
                refusal(&path, &found)
            ));
        }
        if loaded.operations.is_empty() {
            return Err(format!(
                "{}: nothing to test: the spec documents no operation under `paths` (`webhooks` are calls \
                 the API makes, not ones conform can send)",
                path.display()
            ));
        }
        if specs.iter().any(|s| s.id == loaded.id) {
            return Err(format!("two specs have the id `{}` (a spec's id is its file stem)", loaded.id));
        }
        warnings.extend(found.iter().map(|d| warning(&loaded.id, d)));
        specs.push(loaded);
    }
    Ok((specs, warnings))
}

/// Lint's diagnostics of a spec that does not load, as the error that refuses the run.
fn refusal(path: &Path, diagnostics: &[Diagnostic]) -> String {
    if diagnostics.is_empty() {
        return format!("{}: the spec does not load", path.display());
    }
    diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// A diagnostic of a spec that loaded, as the run's warning.
fn warning(spec: &str, diagnostic: &Diagnostic) -> SpecWarning {
    SpecWarning {
        spec: spec.to_owned(),
        file: diagnostic.path.display().to_string(),
        line: diagnostic.line,
        column: diagnostic.column,
        pointer: diagnostic.pointer.clone(),
        message: diagnostic.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("conform-specs-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_spec_that_loads_brings_lints_findings_as_warnings() {
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: object, required: [ok]}\n              example: {nope: 1}\n";
        let path = write("warned.yaml", text);
        let (specs, warnings) = load_specs(std::slice::from_ref(&path)).unwrap();
        assert_eq!(specs.len(), 1);
        assert_eq!(warnings.len(), spec::lint_spec(&path, text).len(), "the same findings as lint");
        let warning = &warnings[0];
        assert_eq!((warning.spec.as_str(), warning.line, warning.column), ("warned", 12, 15), "{warning:?}");
        assert_eq!(warning.file, path.display().to_string());
        assert!(warning.message.contains("\"ok\" is a required property"), "{}", warning.message);
        assert!(warning.pointer.as_deref().is_some_and(|p| p.ends_with("/example")), "{warning:?}");
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_spec_that_does_not_load_is_refused_with_lints_diagnostics() {
        let path = write(
            "dangling.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    $ref: '#/nowhere'\n",
        );
        let error = load_specs(std::slice::from_ref(&path)).unwrap_err();
        assert!(error.starts_with("error: $ref `#/nowhere`"), "{error}");
        assert!(error.contains(&format!("--> {}:4:3 (#/paths/~1x)", path.display())), "{error}");
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_spec_whose_every_operation_is_left_out_says_why() {
        let path = write(
            "broken.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nx-conform-accepts-valid-input: true\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n",
        );
        let error = load_specs(std::slice::from_ref(&path)).unwrap_err();
        assert!(error.contains("nothing to test: every operation is left out"), "{error}");
        assert!(error.contains("must be false or {level"), "lint's reason: {error}");
        assert!(error.contains("broken.yaml:3:1"), "the file and line: {error}");
    }

    #[test]
    fn the_bundled_specs_load_without_warnings() {
        let (specs, warnings) = load_specs(&[]).unwrap();
        assert_eq!(specs.len(), spec::BUNDLED.len());
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
