//! `Spec`: one loaded OpenAPI (or Swagger 2.0) document as the harness uses it: its id (the file
//! stem), its operations, the path of its first server, its sandbox fixture, and what loading it
//! found that did not stop it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::dialect::Dialect;
use super::extract::take_operations;
use super::fixture::{SandboxFixture, sandbox_fixture};
use super::lint::Diagnostic;
use super::operation::Operation;

/// The specs that ship inside the binary, by file name.
pub const BUNDLED: &[(&str, &str)] = &[
    ("specs/zapi.yaml", include_str!("../../specs/zapi.yaml")),
    ("specs/wawp.yaml", include_str!("../../specs/wawp.yaml")),
    ("specs/hypersender.yaml", include_str!("../../specs/hypersender.yaml")),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub id: String,
    pub path: PathBuf,
    /// `2.0`, `3.0.3`, `3.1.0`, `3.2.0`, …
    pub version: String,
    /// The path part of the first server URL (`/api/otp/v2`), or empty.
    pub base_path: String,
    pub operations: Vec<Operation>,
    pub sandbox: Option<SandboxFixture>,
    /// Whether the spec deals in phone numbers, worked out once by whoever needs it (masking asks
    /// for every case, and the answer walks every schema of the spec).
    pub phones: std::sync::OnceLock<bool>,
    /// What loading it found that did not stop it: constructs read with a warning or not used,
    /// and the problems that left operations out (each names the operations). Empty when the
    /// spec was loaded strictly ([`spec_from_document`], [`bundled`]).
    pub diagnostics: Vec<Diagnostic>,
    /// The links between its operations that the spec writes (OpenAPI `links` and
    /// `x-conform-links`), each leading to an operation that loaded.
    pub links: Vec<super::Link>,
}

/// Why a spec could not be loaded: the file, where in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", pointer.as_ref().map(|p| format!(" at {p}")).unwrap_or_default())]
pub struct LoadError {
    pub path: PathBuf,
    pub pointer: Option<String>,
    pub message: String,
}

/// The path of a server URL: `https://app.hypersender.com/api/otp/v2` → `/api/otp/v2`.
fn server_path(document: &Value) -> String {
    let url = document.pointer("/servers/0/url").and_then(Value::as_str).unwrap_or_default();
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = if url.contains("://") { after_scheme.find('/').map_or("", |at| &after_scheme[at..]) } else { url };
    path.trim_end_matches('/').to_owned()
}

/// Builds a [`Spec`] from a document that is resolved and rewritten to JSON Schema 2020-12,
/// taking the document apart as it goes. Strict: an operation written wrong refuses the spec.
pub fn spec_from_document(path: &Path, mut document: Value) -> Result<Spec, LoadError> {
    let id = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec").to_owned();
    let error = |problem: super::Problem| LoadError {
        path: path.to_owned(),
        pointer: Some(problem.pointer),
        message: problem.message,
    };
    let (links, problems) = super::read_links(&document);
    if let Some(problem) = problems.into_iter().next() {
        return Err(error(problem));
    }
    let operations = take_operations(&id, &mut document).map_err(|e| LoadError {
        path: path.to_owned(),
        pointer: Some(e.pointer),
        message: e.message,
    })?;
    let (links, problems) = super::check_links(links, &operations);
    if let Some(problem) = problems.into_iter().find(super::Problem::is_error) {
        return Err(error(problem));
    }
    let dialect = super::dialect::dialect(&document).unwrap_or(Dialect::OpenApi31);
    let mut spec = build_spec(path, document, dialect, operations)?;
    spec.links = links;
    Ok(spec)
}

/// A [`Spec`] of `operations` (taken out of `document` already) and what else the document says.
pub(super) fn build_spec(
    path: &Path,
    document: Value,
    dialect: Dialect,
    operations: Vec<Operation>,
) -> Result<Spec, LoadError> {
    let error = |pointer: String, message: String| LoadError { path: path.to_owned(), pointer: Some(pointer), message };
    let id = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec").to_owned();
    let version = match dialect {
        Dialect::Swagger2 => "2.0".to_owned(),
        _ => document.get("openapi").and_then(Value::as_str).unwrap_or_default().to_owned(),
    };
    let sandbox = sandbox_fixture(&document).map_err(|(pointer, message)| error(pointer, message))?;
    let base_path = server_path(&document);
    Ok(Spec {
        id,
        path: path.to_owned(),
        version,
        base_path,
        operations,
        sandbox,
        phones: Default::default(),
        diagnostics: Vec::new(),
        links: Vec::new(),
    })
}

/// Loads a spec file leniently: an operation whose own definition is broken is left out, and
/// the spec's [`Spec::diagnostics`] say which and why. A problem that breaks the whole document
/// (or an unreadable file) is an error naming the first problem.
pub fn load_spec(path: &Path) -> Result<Spec, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError {
        path: path.to_owned(),
        pointer: None,
        message: super::ReadError::Io(e.to_string()).to_string(),
    })?;
    match super::lint::load_leniently(path, text) {
        (_, Some(spec)) => Ok(spec),
        (diagnostics, None) => {
            let first = diagnostics.iter().find(|d| d.is_error()).or(diagnostics.first());
            Err(LoadError {
                path: path.to_owned(),
                pointer: first.and_then(|d| d.pointer.clone()),
                message: first.map_or_else(|| "the spec does not load".to_owned(), |d| d.message.clone()),
            })
        }
    }
}

/// The bundled specs.
pub fn bundled() -> Result<Vec<Spec>, LoadError> {
    BUNDLED
        .iter()
        .map(|(name, text)| {
            let path = Path::new(name);
            let document = super::parse_resolved(path, text).map_err(|e| LoadError {
                path: path.to_owned(),
                pointer: None,
                message: e.to_string(),
            })?;
            spec_from_document(path, document)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_paths() {
        assert_eq!(
            server_path(&json!({"servers": [{"url": "https://app.hypersender.com/api/otp/v2/"}]})),
            "/api/otp/v2"
        );
        assert_eq!(server_path(&json!({"servers": [{"url": "https://api.z-api.io"}]})), "");
        assert_eq!(server_path(&json!({"servers": [{"url": "/v1"}]})), "/v1");
        assert_eq!(server_path(&json!({})), "");
    }
}
