//! A spec with no phone-API extension (`x-conform-*`), against a lenient-but-correct server: it
//! answers 422 to a body without a Content-Type and documents only 200 and 422. No rule may cite
//! `contract.md` (that file governs the three phone APIs only), the 415 rule only warns, and the
//! run does not fail without `--strict`.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use conform::check::{CheckId, Severity};
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::run::{CaseStatus, RunConfig, RunResult, Verdict, run};
use serde_json::{Value, json};

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: Pet store, version: "1"}
servers: [{url: /api}]
paths:
  /pets:
    get:
      operationId: list-pets
      responses:
        '200':
          description: The pets.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
    post:
      operationId: create-pet
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewPet'}
      responses:
        '200':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
        '422':
          description: Invalid input.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Problem'}
  /pets/{petId}:
    get:
      operationId: show-pet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer, minimum: 1}}
      responses:
        '200':
          description: The pet.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
        '422':
          description: Invalid id.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Problem'}
components:
  schemas:
    NewPet:
      type: object
      required: [name]
      properties:
        name: {type: string, minLength: 1, maxLength: 50}
        code: {type: integer}
    Pet:
      type: object
      required: [id, name, code]
      properties:
        id: {type: integer}
        name: {type: string}
        code: {type: integer}
    Problem:
      type: object
      required: [detail]
      properties:
        detail: {type: string}
"#;

/// The stored pet: its `code` is the smallest 32-bit integer, which a report must show as it is.
fn pet() -> Value {
    json!({"id": 7, "name": "Rex", "code": -2147483648_i64})
}

fn problem(detail: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(json!({"detail": detail}))).into_response()
}

/// Lenient about labels (a body without `application/json` is 422, not 415), strict about data.
async fn create(headers: HeaderMap, body: Bytes) -> Response {
    let json =
        headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return problem("send the body as application/json");
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else { return problem("not a JSON object") };
    match body.get("name") {
        Some(Value::String(name)) if (1..=50).contains(&name.chars().count()) => {}
        _ => return problem("name: a string of 1 to 50 characters is required"),
    }
    if body.get("code").is_some_and(|c| !(c.is_i64() || c.is_u64())) {
        return problem("code: must be an integer");
    }
    axum::Json(pet()).into_response()
}

async fn show(Path(id): Path<String>) -> Response {
    match id.parse::<i64>() {
        Ok(id) if id >= 1 => axum::Json(pet()).into_response(),
        _ => problem("petId: a positive integer is required"),
    }
}

/// Every path the server was asked for that it does not serve.
type Strays = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

async fn serve() -> (String, Strays) {
    let strays = Strays::default();
    let record = strays.clone();
    let app = Router::new()
        .route("/api/pets", get(|| async { axum::Json(json!([pet()])) }).post(create))
        .route("/api/pets/{petId}", get(show))
        .fallback(move |uri: axum::http::Uri| async move {
            record.lock().unwrap().push(uri.path().to_owned());
            StatusCode::NOT_FOUND
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, strays)
}

async fn run_generic(strict: bool) -> RunResult {
    let dir = std::env::temp_dir().join(format!("conform-generic-{}-{strict}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("petstore.yaml");
    std::fs::write(&path, SPEC).unwrap();
    let spec = conform::spec::load_spec(&path).expect("the generic spec loads");
    let (url, strays) = serve().await;
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![url],
        plan: PlanOptions { cases: 6, seed: 5, shard: None },
        strict,
        concurrency: 4,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    let result = run(config, |_| {}).await.expect("the run starts");
    // Beyond its own paths, the server is asked for nothing but the sandbox handshake (a plain
    // GET that a server without a sandbox answers 404, as this one does).
    let strays = strays.lock().unwrap().clone();
    assert!(strays.iter().all(|p| p.ends_with("/__sandbox")), "asked for paths it does not serve: {strays:?}");
    assert!(!result.targets[0].sandbox, "{:?}", result.targets[0]);
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generic_spec_gets_generic_rules_only() {
    let result = run_generic(false).await;
    let ran = result.count(|s| matches!(s, CaseStatus::Passed | CaseStatus::Failed));
    assert!(ran >= 10, "the cases ran: {ran}");
    let cites: Vec<String> =
        result.failures().map(|(c, f)| format!("{}: {} ({})", c.id, f.message, f.source)).collect();
    assert!(
        cites.iter().all(|c| !c.contains("contract.md")),
        "phone-API rules on a generic spec:\n{}",
        cites.join("\n")
    );
    let errors: Vec<&String> = cites
        .iter()
        .zip(result.failures())
        .filter(|(_, (_, f))| f.severity == Severity::Error)
        .map(|(c, _)| c)
        .collect();
    assert!(errors.is_empty(), "a lenient-but-correct server failed:\n{errors:#?}");
    assert_eq!(result.verdict(), Verdict::Conformant, "{}", cites.join("\n"));

    // The 415 rule is RFC 9110's, and a profile choice: the 422 answer is a warning.
    let media: Vec<_> = result.failures().filter(|(_, f)| f.rule == CheckId::UnsupportedMediaType).collect();
    assert!(!media.is_empty(), "the lenient 422 is reported");
    for (_, failure) in media {
        assert_eq!(failure.severity, Severity::Warning);
        assert!(failure.source.cite.contains("RFC 9110"), "{}", failure.source);
    }
    // Without `x-conform-mask`, nothing of the pet is masked: its `code` shows as the number it is.
    let shown: Vec<&str> = result.cases.iter().filter_map(|c| c.response.as_ref()).map(|r| r.body.as_str()).collect();
    assert!(shown.iter().any(|b| b.contains(r#""code":-2147483648"#)), "{shown:?}");
    // The 405 that the method probe demands is not failed again as undocumented.
    assert!(
        result.failures().all(|(_, f)| f.rule != CheckId::StatusCodeConformance),
        "status_code_conformance double-failed a probe's status"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_makes_the_profile_warnings_fail() {
    let result = run_generic(true).await;
    assert_eq!(result.verdict(), Verdict::Nonconformant, "the 415 warning fails under --strict");
    assert!(result.failures().all(|(_, f)| !f.source.cite.contains("contract.md")));
}
