//! Swagger 2.0 read natively (issue 24): a 2.0 spec that uses every construct conform maps loads
//! into the same model as its hand-written OpenAPI 3.0 twin, and runs against a server that keeps
//! it; sloppy constructs load with a warning; a broken operation is left out of a run with a
//! diagnostic, and the rest is tested; documents of other kinds are refused naming what they are.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use conform::case::CaseKind;
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::run::{RunConfig, VarFlag, VariableSources, Verdict, run};
use conform::spec::{Operation, Spec, definition, load_spec};
use serde_json::Value;

#[path = "support/cli.rs"]
mod cli;
#[path = "support/petstore.rs"]
mod petstore;

fn spec_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/swagger").join(name)
}

/// The operations as JSON, with each schema definition (`urn:conform:schema:N`, numbered anew by
/// every load) renamed by the order it is first met and written out once under `definitions`,
/// keys sorted, and the spec id (the file's stem) left out.
fn canonical(operations: &[Operation]) -> Value {
    fn sorted(value: Value) -> Value {
        match value {
            Value::Object(object) => {
                let mut entries: Vec<(String, Value)> = object.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    fn rename(value: &mut Value, names: &mut BTreeMap<String, String>, queue: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(target)) = object.get_mut("$ref")
                    && target.starts_with("urn:conform:schema:")
                {
                    let next = format!("#{}", names.len() + 1);
                    let name = names.entry(target.clone()).or_insert_with(|| {
                        queue.push(target.clone());
                        next
                    });
                    *target = name.clone();
                }
                object.values_mut().for_each(|v| rename(v, names, queue));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| rename(v, names, queue)),
            _ => {}
        }
    }
    let mut names = BTreeMap::new();
    let mut queue = Vec::new();
    let mut model = serde_json::to_value(operations).unwrap();
    for operation in model.as_array_mut().unwrap() {
        operation.as_object_mut().unwrap().remove("spec");
    }
    rename(&mut model, &mut names, &mut queue);
    let mut definitions = serde_json::Map::new();
    let mut done = 0;
    while done < queue.len() {
        let uri = queue[done].clone();
        let mut schema = definition(&uri).cloned().expect("a defined schema");
        rename(&mut schema, &mut names, &mut queue);
        definitions.insert(names[&uri].clone(), schema);
        done += 1;
    }
    sorted(serde_json::json!({"operations": model, "definitions": definitions}))
}

#[test]
fn a_swagger_spec_and_its_openapi_twin_make_the_same_model() {
    let swagger = load_spec(&spec_path("petstore.yaml")).expect("the 2.0 spec loads");
    let twin = load_spec(&spec_path("petstore-twin.yaml")).expect("the 3.0 twin loads");
    assert_eq!((swagger.version.as_str(), twin.version.as_str()), ("2.0", "3.0.3"));
    assert_eq!((swagger.base_path.as_str(), twin.base_path.as_str()), ("/api", "/api"));
    assert!(swagger.diagnostics.is_empty(), "{:#?}", swagger.diagnostics);
    let (swagger_model, twin_model) = (canonical(&swagger.operations), canonical(&twin.operations));
    insta::assert_snapshot!("swagger_model", serde_json::to_string_pretty(&swagger_model).unwrap());
    insta::assert_snapshot!("twin_model", serde_json::to_string_pretty(&twin_model).unwrap());
    assert_eq!(swagger_model, twin_model);
}

fn variables() -> VariableSources {
    let var = |name: &str, value: &str| VarFlag { spec: None, name: name.to_owned(), value: value.to_owned() };
    VariableSources {
        flags: vec![var("X-Api-Key", petstore::API_KEY), var("basic", petstore::BASIC), var("oauth", petstore::TOKEN)],
        env: BTreeMap::new(),
    }
}

async fn run_against_petstore(spec: Spec) -> (conform::run::RunResult, petstore::Log) {
    let (url, log) = petstore::serve().await;
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![url],
        variables: variables(),
        plan: PlanOptions { cases: 8, seed: 11, shard: None },
        strict: true,
        concurrency: 4,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    (run(config, |_| {}).await.expect("the run starts"), log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swagger_spec_runs_against_a_server_that_keeps_it() {
    let spec = load_spec(&spec_path("petstore.yaml")).unwrap();
    let (result, log) = run_against_petstore(spec).await;
    let failures: Vec<String> =
        result.failures().map(|(c, f)| format!("{}: {} [{}]", c.id, f.message, f.source)).collect();
    assert_eq!(result.verdict(), Verdict::Conformant, "{failures:#?}");
    assert!(failures.is_empty(), "not even a warning against a correct server: {failures:#?}");
    // Every valid request was read by the server as valid: the arrays, forms and credentials
    // were written the way the 2.0 spec says.
    // (issue 25) The random ones: a coverage edge (the largest id) may name no pet, a 404.
    let random = |c: &&conform::run::CaseResult| c.kind == CaseKind::Positive && !c.id.as_str().contains("::coverage.");
    for case in result.cases.iter().filter(random) {
        let status = case.response.as_ref().map(|r| r.status);
        assert!(status.is_some_and(|s| s < 300), "{} was answered {status:?}", case.id);
    }
    for operation in ["list-pets", "create-pet", "show-pet", "upload-photo", "rename-pet", "show-owners"] {
        assert!(result.cases.iter().any(|c| c.operation == operation && c.kind == CaseKind::Positive), "{operation}");
    }
    let seen = log.lock().unwrap().clone();
    let queries: Vec<&str> =
        seen.iter().filter(|s| s.route == "list-pets" && s.status == 200).map(|s| s.query.as_str()).collect();
    assert!(queries.iter().any(|q| q.contains("tags=") && q.contains("%7C")), "pipes: {queries:#?}");
    assert!(queries.iter().any(|q| q.matches("ids=").count() > 1), "multi: {queries:#?}");
    assert!(
        queries
            .iter()
            .any(|q| q.contains("sort=") && q.split("sort=").nth(1).unwrap().split('&').next().unwrap().contains('+')),
        "ssv: {queries:#?}"
    );
    assert!(queries.iter().any(|q| q.contains("%09")), "tsv: {queries:#?}");
    let photo = seen.iter().find(|s| s.route == "upload-photo" && s.status == 204).expect("a photo was stored");
    assert!(String::from_utf8_lossy(&photo.body).contains("filename="), "a file part");
    assert!(photo.headers.get("authorization").is_some_and(|v| v.as_bytes().starts_with(b"Basic ")), "basic auth");
    assert!(seen.iter().any(|s| s.route == "create-pet" && s.status == 415), "the 415 probe");
    assert!(seen.iter().any(|s| s.route == "show-owners" && s.status == 200), "csv in a path");
}

#[test]
fn sloppy_constructs_load_with_a_warning() {
    let output = cli::conform(&["lint", spec_path("sloppy.yaml").to_str().unwrap()]);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "warnings alone do not fail lint: {stderr}");
    assert!(stdout.contains("no problems (3 warning(s))"), "{stdout}");
    assert!(
        stderr.contains("⚠ a path parameter is always required, but this one does not say `required: true`"),
        "{stderr}"
    );
    assert!(stderr.contains("sloppy.yaml:13:11"), "located in the 2.0 file: {stderr}");
    assert!(stderr.contains("a Swagger 2.0 parameter gives its `type` itself"), "{stderr}");
    assert!(stderr.contains("`in: formData` parameters need `consumes`"), "{stderr}");
    let spec = load_spec(&spec_path("sloppy.yaml")).unwrap();
    assert_eq!(spec.operations.len(), 2);
    assert!(spec.operations[0].parameters[0].required, "read as required");
    assert_eq!(spec.diagnostics.len(), 3);
}

#[test]
fn a_broken_operation_is_skipped_and_the_rest_tested() {
    let path = spec_path("broken-operations.json");
    let output = cli::conform(&["lint", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("operation `GET /pets/{petId}` is skipped: unknown type \"int\""), "{stderr}");
    assert!(
        stderr.contains("operation `DELETE /pets/{petId}` is skipped: the path template has `{petId}`"),
        "{stderr}"
    );
    assert!(stderr.contains("broken-operations.json:1:"), "{stderr}");
    // A minified one-line spec: the excerpt is a window around the problem, not the whole file.
    let longest = stderr.lines().map(str::len).max().unwrap_or_default();
    assert!(longest < 300, "a line of {longest} bytes:\n{stderr}");

    let spec = load_spec(&path).expect("the rest loads");
    let ids: Vec<&str> = spec.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["list-pets"]);
    let messages: Vec<&str> = spec.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");

    let output = cli::conform(&[
        "run",
        "--spec",
        path.to_str().unwrap(),
        "--target",
        "http://127.0.0.1:9",
        "--dry-run",
        "--cases",
        "1",
    ]);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("broken-operations::list-pets::positive::0"), "{stdout}");
    assert!(!stdout.contains("show-pet") && !stdout.contains("delete-pet"), "{stdout}");
}

#[test]
fn documents_of_other_kinds_are_refused_naming_what_they_are() {
    let dir = std::env::temp_dir().join(format!("conform-refusals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text, expected) in [
        ("old.yaml", "swagger: '1.2'\napis: []\n", "`swagger: \"1.2\"` is Swagger 1.x, which conform does not read"),
        ("resources.json", "{\"swaggerVersion\": \"1.2\", \"apis\": []}", "`swaggerVersion: \"1.2\"` is Swagger 1.x"),
        ("events.yaml", "asyncapi: 2.6.0\nchannels: {}\n", "an AsyncAPI document (`asyncapi: \"2.6.0\"`)"),
        (
            "nothing.yaml",
            "info: {title: t}\npaths: {}\n",
            "no `openapi` or `swagger` key: not an OpenAPI document (top-level keys: info, paths)",
        ),
        ("future.yaml", "openapi: 4.0.0\npaths: {}\n", "unsupported OpenAPI version `4.0.0`"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        for args in [
            vec!["lint", path.to_str().unwrap()],
            vec!["run", "--spec", path.to_str().unwrap(), "--target", "http://127.0.0.1:9", "--dry-run"],
        ] {
            let output = cli::conform(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains(expected), "{args:?}: {stderr}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn problems_found_after_the_conversion_point_at_the_swagger_file() {
    let output = cli::conform(&["lint", spec_path("located.yaml").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let diagnostics: Vec<&str> = stderr.split("\n\n").filter(|d| d.contains('×')).collect();
    assert_eq!(diagnostics.len(), 2, "{stderr}");
    // A shared definition breaks the operation that uses it, and is shown where it is written.
    assert!(diagnostics[0].contains("located.yaml:10:7"), "{stderr}");
    assert!(
        diagnostics[0].contains("operation `GET /pets/{petId}` is skipped: `maxLength` must be a non-negative integer"),
        "{stderr}"
    );
    assert!(diagnostics[0].contains("at #/definitions/Pet/properties/name/maxLength"), "{stderr}");
    // A 2.0 response example, checked against its schema, at its own line.
    assert!(diagnostics[1].contains("located.yaml:22:13"), "{stderr}");
    assert!(diagnostics[1].contains("at #/paths/~1pets/get/responses/200/examples/application~1json"), "{stderr}");
    let spec = load_spec(&spec_path("located.yaml")).unwrap();
    assert_eq!(spec.operations.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["list-pets"]);
}

/// A broken operation skipped is still a documented method of its path: the undocumented-method
/// probe of its siblings does not send it (seen on httpbin's `/redirect-to`: "GET is not documented").
#[test]
fn a_skipped_operations_method_is_still_documented() {
    let path = spec_path("skipped-method.yaml");
    let spec = load_spec(&path).expect("POST loads");
    let post = spec.operations.iter().find(|o| o.method == "POST").expect("POST /things");
    assert_eq!(post.path_methods, ["GET", "POST"]);
    let output =
        cli::conform(&["run", "--spec", path.to_str().unwrap(), "--target", "http://127.0.0.1:9", "--dry-run"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("post-things::protocol::method-put"), "{stdout}");
    assert!(!stdout.contains("protocol::method-get"), "the skipped GET was probed as undocumented:\n{stdout}");
}
