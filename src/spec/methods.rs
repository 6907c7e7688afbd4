//! Which keys of a path item hold operations: the HTTP methods of the document's version
//! (OpenAPI 3.2 adds `query`), and in 3.2 the `additionalOperations` map, whose keys are methods
//! spelled as they are sent (`COPY`, `PURGE`).

use serde_json::{Map, Value};

use super::problem::escape;

/// The methods of OpenAPI 3.0 and 3.1.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/// The methods of OpenAPI 3.2: `query` added.
pub const METHODS_32: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace", "query"];
/// The methods of Swagger 2.0 (no `trace`).
pub const SWAGGER_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// How a document's path items hold operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Methods {
    pub fixed: &'static [&'static str],
    /// `additionalOperations` (OpenAPI 3.2).
    pub additional: bool,
}

impl Methods {
    /// For an OpenAPI 3 document (a converted Swagger 2.0 one is 3.0), by its `openapi` version.
    pub fn of(document: &Value) -> Methods {
        let v32 = document.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.2."));
        if v32 {
            Methods { fixed: METHODS_32, additional: true }
        } else {
            Methods { fixed: METHODS, additional: false }
        }
    }

    pub const SWAGGER: Methods = Methods { fixed: SWAGGER_METHODS, additional: false };

    /// The operations of a path item: (the key's pointer segments, escaped; the method as sent,
    /// upper case for a fixed one; the operation).
    pub fn operations<'a>(&self, item: &'a Value) -> Vec<(String, String, &'a Value)> {
        item.as_object().map(|item| self.operations_in(item)).unwrap_or_default()
    }

    /// [`Self::operations`] of a path item known to be an object.
    pub fn operations_in<'a>(&self, item: &'a Map<String, Value>) -> Vec<(String, String, &'a Value)> {
        let mut out: Vec<(String, String, &'a Value)> = self
            .fixed
            .iter()
            .filter_map(|m| item.get(*m).map(|op| ((*m).to_owned(), m.to_ascii_uppercase(), op)))
            .collect();
        if self.additional
            && let Some(more) = item.get("additionalOperations").and_then(Value::as_object)
        {
            out.extend(more.iter().map(|(m, op)| (format!("additionalOperations/{}", escape(m)), m.clone(), op)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_3_2_path_item_has_query_and_additional_operations() {
        let item = json!({"get": {}, "query": {}, "trace": {}, "additionalOperations": {"COPY": {}, "a/b": {}}});
        let keys = |m: Methods| m.operations(&item).into_iter().map(|(k, m, _)| format!("{k} {m}")).collect::<Vec<_>>();
        assert_eq!(keys(Methods::of(&json!({"openapi": "3.1.0"}))), ["get GET", "trace TRACE"]);
        assert_eq!(
            keys(Methods::of(&json!({"openapi": "3.2.0"}))),
            [
                "get GET",
                "trace TRACE",
                "query QUERY",
                "additionalOperations/COPY COPY",
                "additionalOperations/a~1b a/b"
            ]
        );
        assert_eq!(keys(Methods::SWAGGER), ["get GET"]);
    }
}
