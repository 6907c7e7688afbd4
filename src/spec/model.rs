//! `Spec`: one loaded OpenAPI document as the harness uses it: its id (the file stem), its
//! operations, the path of its first server, and its sandbox fixture.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fixture::{SandboxFixture, sandbox_fixture};
use super::operation::{Operation, take_operations};

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
    /// `3.0.3`, `3.1.0`, …
    pub version: String,
    /// The path part of the first server URL (`/api/otp/v2`), or empty.
    pub base_path: String,
    pub operations: Vec<Operation>,
    pub sandbox: Option<SandboxFixture>,
    /// Whether the spec deals in phone numbers, worked out once by whoever needs it (masking asks
    /// for every case, and the answer walks every schema of the spec).
    pub phones: std::sync::OnceLock<bool>,
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
/// taking the document apart as it goes.
pub fn spec_from_document(path: &Path, mut document: Value) -> Result<Spec, LoadError> {
    let error = |pointer: String, message: String| LoadError { path: path.to_owned(), pointer: Some(pointer), message };
    let id = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec").to_owned();
    let version = document.get("openapi").and_then(Value::as_str).unwrap_or_default().to_owned();
    let sandbox = sandbox_fixture(&document).map_err(|(pointer, message)| error(pointer, message))?;
    let base_path = server_path(&document);
    let operations = take_operations(&id, &mut document).map_err(|e| error(e.pointer, e.message))?;
    Ok(Spec { id, path: path.to_owned(), version, base_path, operations, sandbox, phones: Default::default() })
}

/// Loads a spec file.
pub fn load_spec(path: &Path) -> Result<Spec, LoadError> {
    let document = super::load_resolved(path).map_err(|e| LoadError {
        path: path.to_owned(),
        pointer: None,
        message: e.to_string(),
    })?;
    spec_from_document(path, document)
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
