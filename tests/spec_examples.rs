//! The bundled specs, as files on disk: each loads, has the OpenAPI version it should, documents
//! its statuses, cites its sources, and every example validates against its own schema.

use std::path::Path;

use conform::spec::{Level, StatusKey, examples, lint_spec, load_resolved, load_spec};

const SPECS: &[(&str, &str)] =
    &[("specs/zapi.yaml", "3.0."), ("specs/wawp.yaml", "3.1."), ("specs/hypersender.yaml", "3.1.")];

fn path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

#[test]
fn every_example_matches_its_schema() {
    let mut total = 0;
    for (name, _) in SPECS {
        let text = std::fs::read_to_string(path(name)).unwrap();
        let diagnostics = lint_spec(Path::new(name), &text);
        assert!(
            diagnostics.is_empty(),
            "{}",
            diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        );
        let count = examples(&load_resolved(&path(name)).unwrap()).len();
        assert!(count >= 5, "{name} has only {count} examples");
        total += count;
    }
    assert!(total >= 40, "{total} examples in all");
}

#[test]
fn versions_statuses_and_sources() {
    for (name, version) in SPECS {
        let spec = load_spec(&path(name)).unwrap();
        assert!(spec.version.starts_with(version), "{name} is {}", spec.version);
        assert!(spec.operations.len() >= 2, "{name}");
        assert!(spec.sandbox.is_some(), "{name} says how to make a sandbox fixture");
        for op in &spec.operations {
            assert!(op.documents(200), "{}: 200", op.qualified_id());
            assert!(op.documents(405), "{}: 405 for undocumented methods", op.qualified_id());
            if op.body.as_ref().is_some_and(|b| b.json().is_some()) {
                assert!(op.documents(415), "{}: 415 for a JSON body", op.qualified_id());
                assert!(op.documents(400) || op.documents(422), "{}: a rejection for bad input", op.qualified_id());
            }
            assert!(!op.credentials.is_empty(), "{}: a security requirement", op.qualified_id());
            let allow = op.responses.iter().find(|r| r.status == StatusKey::Code(405)).unwrap();
            assert_eq!(allow.required_headers, ["allow"], "{}", op.qualified_id());
        }
        let levels: Vec<Level> = spec
            .operations
            .iter()
            .flat_map(|op| op.responses.iter().filter_map(|r| r.source.as_ref().map(|s| s.level)))
            .collect();
        assert!(levels.contains(&Level::Doc) || levels.contains(&Level::Seed), "{name} cites the provider");
        assert!(levels.contains(&Level::Field) || levels.contains(&Level::Profile), "{name} marks its decisions");
    }
}

#[test]
fn a_wrong_example_is_reported_with_its_place() {
    let text = std::fs::read_to_string(path("specs/hypersender.yaml")).unwrap();
    let broken = text.replacen("code: '439713'", "code: 439713", 1);
    assert_ne!(text, broken);
    let diagnostics = lint_spec(Path::new("specs/hypersender.yaml"), &broken);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert!(
        d.pointer.as_deref().unwrap().ends_with("/responses/200/content/application~1json/examples/response/value")
    );
    assert!(d.message.contains("/data/code"), "{}", d.message);
    assert_eq!(broken.lines().nth(d.line - 1).map(str::trim), Some("value:"), "line {} points at the example", d.line);
}
