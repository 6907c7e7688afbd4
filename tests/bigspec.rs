//! Big specs (issue 17): a generated spec of a few megabytes, `$ref`-heavy, loads with every
//! operation, validates through its references, and generates cases. Not a timed test: the
//! figures for a 40 MB spec are in docs/performance.md ("Big specs"), measured with `bench/run`.

#[path = "support/bigspec.rs"]
mod bigspec;

/// Writes a generated spec for the benchmark: `CONFORM_BIGSPEC_OUT=big.json
/// CONFORM_BIGSPEC_RESOURCES=6000 cargo test --release --test bigspec -- --ignored write_big_spec`.
#[test]
#[ignore = "a tool for bench/run, not a test"]
fn write_big_spec() {
    let out = std::env::var("CONFORM_BIGSPEC_OUT").unwrap_or_else(|_| "big.json".to_owned());
    let resources = std::env::var("CONFORM_BIGSPEC_RESOURCES").ok().and_then(|n| n.parse().ok()).unwrap_or(6000);
    std::fs::write(&out, bigspec::big_spec(resources)).unwrap();
}

/// Writes the dense (inline-schema) spec for the benchmark: `CONFORM_BIGSPEC_OUT=dense.json
/// CONFORM_DENSE_OPERATIONS=28000 cargo test --release --test bigspec -- --ignored write_dense_spec`.
#[test]
#[ignore = "a tool for bench/run, not a test"]
fn write_dense_spec() {
    let out = std::env::var("CONFORM_BIGSPEC_OUT").unwrap_or_else(|_| "dense.json".to_owned());
    let operations = std::env::var("CONFORM_DENSE_OPERATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(28_000);
    std::fs::write(&out, bigspec::dense_spec(operations)).unwrap();
}

use std::path::PathBuf;

use conform::case::{constraints, valid_values};
use conform::spec::{is_valid, lint_spec, load_spec, validation_errors};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::json;

/// Resources in the test's spec: five operations each, about 3 MB in all.
const RESOURCES: usize = 400;

fn written(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conform-bigspec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_big_ref_heavy_spec_loads_validates_and_generates() {
    let text = bigspec::big_spec(RESOURCES);
    assert!((2_000_000..5_000_000).contains(&text.len()), "{} bytes", text.len());
    let path = written("big.json", &text);

    let diagnostics = lint_spec(&path, &text);
    assert!(diagnostics.is_empty(), "every example matches its schema, through $refs: {diagnostics:?}");

    let spec = load_spec(&path).unwrap();
    assert_eq!(spec.operations.len(), RESOURCES * 5);
    for i in [0, 7, RESOURCES - 1] {
        for verb in ["list", "create", "get", "replace", "delete"] {
            let id = format!("{verb}Resource{i}");
            assert!(spec.operations.iter().any(|o| o.id == id), "{id} is missing");
        }
    }

    // Validation follows the references, and locates a fault by its instance pointer.
    let create = spec.operations.iter().find(|o| o.id == "createResource7").unwrap();
    let body = create.body.as_ref().unwrap().json().unwrap().1;
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "kept as a reference, not a copy: {body}");
    let good = json!({"title": "t", "lines": [{"sku": "ABC-0001", "quantity": 1}],
        "owner": {"id": "a0b5df6a-b491-4190-80a5-38d85a2a4836", "email": "a@b.com", "address": {"street": "s", "country": "BR"}}});
    assert!(is_valid(body, &good));
    let mut bad = good.clone();
    bad["lines"][0]["quantity"] = json!(0);
    bad["owner"]["address"]["country"] = json!("XX");
    let errors = validation_errors(body, &bad);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("/lines/0/quantity: ")), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("/owner/address/country: ")), "{errors:?}");

    // A response refers to a resource that holds a recursive tree and two schemas that refer to
    // each other: values are generated, valid, and end.
    let get = spec.operations.iter().find(|o| o.id == "getResource3").unwrap();
    let schema = get.response_for(200).unwrap().content[0].1.clone().unwrap();
    let strategy = valid_values(&schema, "#/get/200").unwrap();
    let mut runner = TestRunner::deterministic();
    for _ in 0..20 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        assert!(is_valid(&schema, &value), "{value}");
    }
    let broken: Vec<String> = validation_errors(&schema, &json!({"title": "", "status": "draft", "id": "x"}));
    assert!(broken.iter().any(|e| e.starts_with("/title: ")), "{broken:?}");

    // Negative cases see the constraints behind the references.
    let slugs: Vec<String> = constraints(body).iter().map(|c| c.slug()).collect();
    assert!(slugs.contains(&"title-too-long".to_owned()), "{slugs:?}");
    assert!(slugs.contains(&"owner.email-missing".to_owned()), "{slugs:?}");
}

#[test]
fn a_cycle_of_bare_refs_in_a_big_spec_is_located() {
    let mut document: serde_json::Value = serde_json::from_str(&bigspec::big_spec(3)).unwrap();
    document["components"]["schemas"]["A"] = json!({"$ref": "#/components/schemas/B"});
    document["components"]["schemas"]["B"] = json!({"$ref": "#/components/schemas/A"});
    document["paths"]["/resources0"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
        json!({"$ref": "#/components/schemas/A"});
    let text = serde_json::to_string_pretty(&document).unwrap();
    let path = written("loop.json", &text);
    let diagnostics = lint_spec(&path, &text);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(diagnostics[0].message.contains("circular"), "{diagnostics:?}");
    assert!(diagnostics[0].line > 1, "located: {diagnostics:?}");
}

#[test]
fn a_dense_inline_spec_lints_and_loads_every_operation() {
    let text = bigspec::dense_spec(800);
    let path = written("dense.json", &text);
    let diagnostics = lint_spec(&path, &text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let spec = load_spec(&path).unwrap();
    assert_eq!(spec.operations.len(), 800);
    let create = spec.operations.iter().find(|o| o.id == "createKind9").unwrap();
    let body = create.body.as_ref().unwrap().json().unwrap().1;
    assert!(is_valid(body, &json!({"name": "n", "entries": [{"code": "AB123"}]})));
    assert!(!is_valid(body, &json!({"name": "n", "entries": [{"code": "ab"}]})));
}
