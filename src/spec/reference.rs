//! The `$ref`s a resolved document keeps. A parameter, request body, response, header or example
//! that refers to one of the document's own `components` is not copied to every use (a big spec
//! refers to its shared error responses from every operation): the `$ref` stays, the component it
//! names is resolved once, and readers follow the reference with [`follow`].

use serde_json::{Map, Value};

/// The sections of `components` whose local `$ref`s the resolver keeps.
const KEPT_SECTIONS: &[&str] = &["parameters", "requestBodies", "responses", "headers", "examples"];

/// A chain of kept `$ref`s is followed at most this far (the resolver refuses a cycle).
const MAX_CHAIN: usize = 32;

/// Whether a `$ref` object of the main document that points at `fragment` stays a reference:
/// it names a whole entry of a kept section, and beside the `$ref` there is only what OpenAPI
/// 3.1 lets a reference override for display (`summary`, `description`).
pub(super) fn is_kept(fragment: &str, object: &Map<String, Value>) -> bool {
    let Some(rest) = fragment.strip_prefix("/components/") else { return false };
    let Some((section, name)) = rest.split_once('/') else { return false };
    KEPT_SECTIONS.contains(&section)
        && !name.is_empty()
        && !name.contains('/')
        && object.keys().all(|k| matches!(k.as_str(), "$ref" | "summary" | "description"))
}

/// `value`, or the component its kept `$ref` names in `document` (through chains of them).
pub fn follow<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..MAX_CHAIN {
        let target = current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|t| t.strip_prefix('#'))
            .and_then(|fragment| document.pointer(fragment));
        match target {
            Some(target) => current = target,
            None => return current,
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_whole_entries_of_kept_sections_stay_references() {
        let bare = json!({"$ref": "x", "description": "d"});
        let bare = bare.as_object().unwrap();
        assert!(is_kept("/components/responses/NotFound", bare));
        assert!(is_kept("/components/parameters/Limit", bare));
        assert!(!is_kept("/components/schemas/A", bare));
        assert!(!is_kept("/components/responses/NotFound/content", bare));
        assert!(!is_kept("/paths/~1x/get", bare));
        let overriding = json!({"$ref": "x", "required": true});
        assert!(!is_kept("/components/parameters/Limit", overriding.as_object().unwrap()));
    }

    #[test]
    fn follow_goes_through_chains_and_leaves_the_rest() {
        let document = json!({"components": {"responses": {
            "A": {"$ref": "#/components/responses/B"},
            "B": {"description": "b"}}}});
        let use_site = json!({"$ref": "#/components/responses/A"});
        assert_eq!(follow(&document, &use_site), &json!({"description": "b"}));
        let plain = json!({"description": "c"});
        assert_eq!(follow(&document, &plain), &plain);
    }
}
