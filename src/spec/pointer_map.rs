//! Where a place of a converted document was written in the original: a Swagger 2.0 document is
//! converted to the OpenAPI 3.0 shape before anything reads it, and every diagnostic found in the
//! converted shape (`#/components/schemas/Pet/properties/id`) is reported at the place the user
//! wrote (`#/definitions/Pet/properties/id`). The map holds only the places that moved: a pointer
//! is mapped through its longest mapped prefix, and a pointer under no mapped prefix is the same
//! in both documents.

use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointerMap {
    /// Converted prefix → original prefix, both `#/…` pointers.
    moved: HashMap<String, String>,
}

impl PointerMap {
    /// Records that `converted` (and everything under it) was written at `original`.
    pub fn record(&mut self, converted: impl Into<String>, original: impl Into<String>) {
        let (converted, original) = (converted.into(), original.into());
        if converted != original {
            self.moved.insert(converted, original);
        }
    }

    /// Where `pointer` of the converted document was written in the original.
    pub fn original<'a>(&self, pointer: &'a str) -> Cow<'a, str> {
        if self.moved.is_empty() {
            return Cow::Borrowed(pointer);
        }
        let mut end = pointer.len();
        loop {
            let prefix = &pointer[..end];
            if let Some(original) = self.moved.get(prefix) {
                return Cow::Owned(format!("{original}{}", &pointer[end..]));
            }
            match prefix.rfind('/') {
                Some(at) => end = at,
                None => return Cow::Borrowed(pointer),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_moved_prefix_wins() {
        let mut map = PointerMap::default();
        map.record("#/components/schemas", "#/definitions");
        map.record(
            "#/paths/~1a/get/requestBody/content/application~1json/schema",
            "#/paths/~1a/get/parameters/1/schema",
        );
        map.record("#/paths/~1a/get/parameters/0/schema", "#/paths/~1a/get/parameters/2");
        map.record("#/same", "#/same");
        assert_eq!(map.original("#/components/schemas/Pet/properties/id"), "#/definitions/Pet/properties/id");
        assert_eq!(map.original("#/components/schemasX"), "#/components/schemasX", "segment boundaries only");
        assert_eq!(
            map.original("#/paths/~1a/get/requestBody/content/application~1json/schema/type"),
            "#/paths/~1a/get/parameters/1/schema/type"
        );
        assert_eq!(map.original("#/paths/~1a/get/parameters/0/schema/type"), "#/paths/~1a/get/parameters/2/type");
        assert_eq!(map.original("#/paths/~1a/get/responses"), "#/paths/~1a/get/responses");
        assert_eq!(map.original("#"), "#");
    }
}
