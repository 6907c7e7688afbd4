//! `x-conform-sandbox`: how conform makes a fresh fixture for a spec on a target that has the
//! `/__sandbox` of `contract.md` §6. The extension names the sandbox `api` and `state`, and each
//! param either as a fixed value or as a regex to draw a fresh random value from. Every param
//! becomes a variable of the same name (`instanceId`, `token`, …) for the requests of one case.
//!
//! ```yaml
//! x-conform-sandbox:
//!   api: wawp
//!   state: instance
//!   params:
//!     instance_id: {generate: "[A-Z0-9]{12}"}
//!     status: {value: SCAN_QR_CODE}
//! ```

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixtureValue {
    /// Drawn fresh for every case from this regex.
    Generate(String),
    Fixed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxFixture {
    pub api: String,
    pub state: String,
    pub params: Vec<(String, FixtureValue)>,
}

impl SandboxFixture {
    /// The variables this fixture provides.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(|(name, _)| name.as_str())
    }
}

/// Reads `x-conform-sandbox` from the document root; `Err` names the offending pointer.
pub fn sandbox_fixture(document: &Value) -> Result<Option<SandboxFixture>, (String, String)> {
    let Some(extension) = document.get("x-conform-sandbox") else { return Ok(None) };
    let at = "#/x-conform-sandbox";
    let text = |key: &str| {
        extension
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| (format!("{at}/{key}"), "a string is required".to_owned()))
    };
    let (api, state) = (text("api")?, text("state")?);
    let params = extension
        .get("params")
        .and_then(Value::as_object)
        .ok_or_else(|| (format!("{at}/params"), "an object is required".to_owned()))?;
    let mut out = Vec::new();
    for (name, spec) in params {
        let value = match (spec.get("generate").and_then(Value::as_str), spec.get("value").and_then(Value::as_str)) {
            (Some(regex), None) => FixtureValue::Generate(regex.to_owned()),
            (None, Some(value)) => FixtureValue::Fixed(value.to_owned()),
            _ => {
                return Err((
                    format!("{at}/params/{name}"),
                    "needs exactly one of `generate` (a regex) or `value` (a string)".to_owned(),
                ));
            }
        };
        out.push((name.clone(), value));
    }
    Ok(Some(SandboxFixture { api, state, params: out }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_generated_and_fixed_params() {
        let doc = json!({"x-conform-sandbox": {"api": "wawp", "state": "instance", "params": {
            "instance_id": {"generate": "[A-Z0-9]{12}"}, "status": {"value": "SCAN_QR_CODE"}}}});
        let fixture = sandbox_fixture(&doc).unwrap().unwrap();
        assert_eq!(fixture.api, "wawp");
        assert_eq!(fixture.params[0], ("instance_id".into(), FixtureValue::Generate("[A-Z0-9]{12}".into())));
        assert_eq!(fixture.params[1], ("status".into(), FixtureValue::Fixed("SCAN_QR_CODE".into())));
        assert_eq!(fixture.variables().collect::<Vec<_>>(), ["instance_id", "status"]);
        assert_eq!(sandbox_fixture(&json!({})), Ok(None));
    }

    #[test]
    fn bad_shapes_name_their_pointer() {
        let doc = json!({"x-conform-sandbox": {"api": "wawp", "state": "instance", "params": {"a": {}}}});
        assert_eq!(sandbox_fixture(&doc).unwrap_err().0, "#/x-conform-sandbox/params/a");
        let doc = json!({"x-conform-sandbox": {"state": "instance", "params": {}}});
        assert_eq!(sandbox_fixture(&doc).unwrap_err().0, "#/x-conform-sandbox/api");
    }
}
