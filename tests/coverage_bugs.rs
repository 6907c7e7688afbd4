//! (issue 25) The coverage phase finds boundary bugs: a server of this test's own, over real
//! loopback HTTP, with planted bugs that each need an edge value, a hostile body or one of the
//! two header checks to be seen (a 500 on int32 overflow, on invalid UTF-8, on a value one
//! character over `maxLength`, on `null` two levels deep, …). Every bug is caught by the case
//! meant for it, and the twin server without the bugs passes with no failure at all.

#[path = "support/loopback.rs"]
mod loopback;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use conform::http::Limits;
use conform::plan::PlanOptions;
use conform::run::{RunConfig, RunResult, run};
use serde_json::{Value, json};

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: bugs, version: "1"}
paths:
  /orders:
    post:
      operationId: create-order
      parameters:
        - {name: X-Request-Id, in: header, required: true, schema: {type: string, maxLength: 40}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [qty, name, mode]
              properties:
                qty: {type: integer, format: int32, minimum: 0}
                name: {type: string, minLength: 1, maxLength: 10}
                mode: {type: string, enum: [fast, slow]}
                price: {type: number}
                tags: {type: array, maxItems: 3, items: {type: string, maxLength: 5}}
                customer:
                  type: object
                  properties:
                    address:
                      type: object
                      properties:
                        city: {type: string, maxLength: 20}
      responses:
        '200':
          description: The order.
          headers:
            X-Rate-Remaining: {required: true, schema: {type: integer, minimum: 0}}
          content: {application/json: {schema: {type: object}}}
        '400': {description: Invalid input., content: {application/json: {schema: {type: object}}}}
        '415': {description: Not JSON., content: {application/json: {schema: {type: object}}}}
  /items/{id}:
    get:
      operationId: get-item
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: n, in: query, schema: {type: integer, format: int64}}
      responses:
        '200': {description: The item., content: {application/json: {schema: {type: object}}}}
        '400': {description: Invalid input., content: {application/json: {schema: {type: object}}}}
  /records:
    get:
      operationId: list-records
      parameters:
        - {name: If-None-Match, in: header, schema: {type: string, pattern: '^"([0-9]+?)"$|\*'}}
      responses:
        '200': {description: The records., content: {application/json: {schema: {type: array}}}}
        '400': {description: Invalid input., content: {application/json: {schema: {type: object}}}}
"#;

/// Kinto's `If-None-Match` pattern: its `\*` is not anchored, so `conform*` and `*conform` match.
const ETAG: &str = r#"^"([0-9]+?)"$|\*"#;

/// The planted bugs, each off in the twin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bug {
    /// 500 when `qty` does not fit in int32.
    Int32Overflow,
    /// 500 on a body that is not UTF-8.
    InvalidUtf8,
    /// 500 on a `name` of exactly 11 characters (one over `maxLength`).
    OneOverMaxLength,
    /// 500 on `customer.address.city: null`.
    NullTwoDeep,
    /// 500 on a path `id` over a kilobyte.
    LongPathValue,
    /// 500 on a number beyond float range.
    HugeNumber,
    /// 500 on JSON nested deeper than the parser allows.
    DeepNesting,
    /// 500 on an object with a key written twice.
    DuplicateKeys,
    /// 500 on a body that starts with a byte-order mark.
    ByteOrderMark,
    /// A missing `X-Request-Id` is accepted.
    MissingHeaderAccepted,
    /// `X-Rate-Remaining` is sent as text, not an integer.
    IllTypedResponseHeader,
    /// `mode` is compared without case: `FAST` is accepted.
    EnumNearMiss,
    /// 500 on `n` = the largest int64 (it adds one).
    Int64Edge,
    /// 500 on an empty body.
    EmptyBody,
    /// 500 on more `tags` than `maxItems`.
    TooManyItems,
    /// 500 on a `name` with an emoji (it slices bytes).
    Emoji,
    /// 500 on an `If-None-Match` that matches its unanchored pattern but is not `*` itself nor a
    /// quoted number (Kinto's `int()` of the value without its quotes).
    UnanchoredPattern,
}

const ALL: [Bug; 17] = [
    Bug::Int32Overflow,
    Bug::InvalidUtf8,
    Bug::OneOverMaxLength,
    Bug::NullTwoDeep,
    Bug::LongPathValue,
    Bug::HugeNumber,
    Bug::DeepNesting,
    Bug::DuplicateKeys,
    Bug::ByteOrderMark,
    Bug::MissingHeaderAccepted,
    Bug::IllTypedResponseHeader,
    Bug::EnumNearMiss,
    Bug::Int64Edge,
    Bug::EmptyBody,
    Bug::TooManyItems,
    Bug::Emoji,
    Bug::UnanchoredPattern,
];

/// What catches each bug: a failing case whose id ends with this, and the rule it breaks.
fn caught_by(bug: Bug) -> (&'static str, &'static str) {
    match bug {
        Bug::Int32Overflow => ("create-order::negative::coverage.qty-int32-above", "not_a_server_error"),
        Bug::InvalidUtf8 => ("create-order::negative::coverage.body-invalid-utf8", "not_a_server_error"),
        Bug::OneOverMaxLength => ("create-order::negative::name-too-long", "not_a_server_error"),
        Bug::NullTwoDeep => ("create-order::hostile::coverage.customer.address.city-type-null", "not_a_server_error"),
        Bug::LongPathValue => ("get-item::positive::coverage.path.id-over-1kb", "not_a_server_error"),
        Bug::HugeNumber => ("create-order::hostile::coverage.price-1e400", "not_a_server_error"),
        Bug::DeepNesting => ("create-order::negative::coverage.body-nested-1000", "not_a_server_error"),
        Bug::DuplicateKeys => ("create-order::hostile::coverage.body-duplicate-keys", "not_a_server_error"),
        Bug::ByteOrderMark => ("create-order::hostile::coverage.body-byte-order-mark", "not_a_server_error"),
        Bug::MissingHeaderAccepted => {
            ("create-order::negative::header.x-request-id-missing", "missing_required_header")
        }
        Bug::IllTypedResponseHeader => ("create-order::positive::", "response_headers_conformance"),
        Bug::EnumNearMiss => ("create-order::negative::coverage.mode-enum-0-case", "negative_data_rejection"),
        Bug::Int64Edge => ("get-item::positive::coverage.query.n-int64-max", "not_a_server_error"),
        Bug::EmptyBody => ("create-order::negative::coverage.body-empty", "not_a_server_error"),
        Bug::TooManyItems => ("create-order::negative::coverage.tags-above-max-items", "not_a_server_error"),
        Bug::Emoji => ("create-order::hostile::coverage.name-emoji", "not_a_server_error"),
        Bug::UnanchoredPattern => {
            ("list-records::positive::coverage.header.if-none-match-pattern-1-", "not_a_server_error")
        }
    }
}

type Bugs = Arc<BTreeSet<Bug>>;

fn answer(status: StatusCode, body: Value) -> Response {
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

fn crash() -> Response {
    answer(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "boom"}))
}

fn invalid(why: &str) -> Response {
    answer(StatusCode::BAD_REQUEST, json!({"error": why}))
}

/// Whether `value` is an object whose fields hold what `check` says of each name (absent fields
/// pass), with nothing but `known` names.
fn fields(value: &Value, check: impl Fn(&str, &Value) -> bool) -> bool {
    value.as_object().is_some_and(|o| o.iter().all(|(k, v)| check(k, v)))
}

/// The body's own rules, checked by hand (this server shares nothing with conform's checker).
fn order_is_valid(body: &Value, bugs: &Bugs) -> bool {
    let Some(object) = body.as_object() else { return false };
    if !["qty", "name", "mode"].iter().all(|k| object.contains_key(*k)) {
        return false;
    }
    let short = |v: &Value, max: usize| v.as_str().is_some_and(|s| s.chars().count() <= max);
    fields(body, |key, v| match key {
        "qty" => v.as_i64().is_some_and(|n| (0..=i64::from(i32::MAX)).contains(&n)),
        "name" => v.as_str().is_some_and(|s| (1..=10).contains(&s.chars().count())),
        "mode" => match v.as_str() {
            Some(mode) if bugs.contains(&Bug::EnumNearMiss) => ["fast", "slow"].contains(&mode.to_lowercase().as_str()),
            Some(mode) => ["fast", "slow"].contains(&mode),
            None => false,
        },
        "price" => v.is_number(),
        "tags" => v.as_array().is_some_and(|items| items.len() <= 3 && items.iter().all(|t| short(t, 5))),
        "customer" => {
            fields(v, |key, address| key != "address" || fields(address, |key, city| key != "city" || short(city, 20)))
        }
        _ => true,
    })
}

async fn create_order(State(bugs): State<Bugs>, headers: HeaderMap, bytes: Bytes) -> Response {
    let bug = |b: Bug| bugs.contains(&b);
    let json =
        headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return answer(StatusCode::UNSUPPORTED_MEDIA_TYPE, json!({"error": "JSON only"}));
    }
    if bug(Bug::EmptyBody) && bytes.is_empty() {
        return crash();
    }
    if bug(Bug::ByteOrderMark) && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return crash();
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return if bug(Bug::InvalidUtf8) { crash() } else { invalid("not UTF-8") };
    };
    let body: Value = match serde_json::from_str(text) {
        Ok(body) => body,
        Err(e) if bug(Bug::HugeNumber) && e.to_string().contains("number out of range") => return crash(),
        Err(e) if bug(Bug::DeepNesting) && e.to_string().contains("recursion limit") => return crash(),
        Err(_) => return invalid("not JSON"),
    };
    if bug(Bug::DuplicateKeys)
        && let Some(first) = body.as_object().and_then(|o| o.keys().next())
        && text.matches(&format!("{}:", Value::String(first.clone()))).count() > 1
    {
        return crash();
    }
    let name = body["name"].as_str().unwrap_or_default();
    if bug(Bug::OneOverMaxLength) && name.chars().count() == 11 {
        return crash();
    }
    if bug(Bug::Emoji) && name.chars().any(|c| c as u32 >= 0x1F300) {
        return crash();
    }
    if bug(Bug::NullTwoDeep) && body.pointer("/customer/address/city") == Some(&Value::Null) {
        return crash();
    }
    if bug(Bug::Int32Overflow) && body["qty"].as_i64().is_some_and(|n| n > i64::from(i32::MAX)) {
        return crash();
    }
    if bug(Bug::TooManyItems) && body["tags"].as_array().is_some_and(|t| t.len() > 3) {
        return crash();
    }
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    match request_id {
        None if !bug(Bug::MissingHeaderAccepted) => return invalid("X-Request-Id is required"),
        Some(id) if id.chars().count() > 40 => return invalid("X-Request-Id is too long"),
        _ => {}
    }
    if !order_is_valid(&body, &bugs) {
        return invalid("invalid order");
    }
    let remaining = if bug(Bug::IllTypedResponseHeader) { "many" } else { "5" };
    (StatusCode::OK, [("content-type", "application/json"), ("x-rate-remaining", remaining)], "{\"id\":1}")
        .into_response()
}

async fn get_item(State(bugs): State<Bugs>, Path(id): Path<String>, RawQuery(query): RawQuery) -> Response {
    if bugs.contains(&Bug::LongPathValue) && id.len() > 1024 {
        return crash();
    }
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if key == "n" {
            let Ok(n) = value.parse::<i64>() else { return invalid("n must be an int64") };
            if bugs.contains(&Bug::Int64Edge) && n.checked_add(1).is_none() {
                return crash();
            }
        }
    }
    answer(StatusCode::OK, json!({"id": id}))
}

async fn list_records(State(bugs): State<Bugs>, headers: HeaderMap) -> Response {
    if let Some(tag) = headers.get("if-none-match") {
        let Ok(tag) = tag.to_str() else { return invalid("If-None-Match must be ASCII") };
        // The pattern is searched for, as JSON Schema says.
        if !regex::Regex::new(ETAG).expect("the pattern compiles").is_match(tag) {
            return invalid("If-None-Match must match its pattern");
        }
        if bugs.contains(&Bug::UnanchoredPattern) && tag != "*" && tag.trim_matches('"').parse::<u64>().is_err() {
            return crash();
        }
    }
    (StatusCode::OK, [("content-type", "application/json")], "[]").into_response()
}

async fn serve(bugs: BTreeSet<Bug>) -> String {
    let app = Router::new()
        .route("/orders", post(create_order))
        .route("/items/{id}", get(get_item))
        .route("/records", get(list_records))
        .with_state(Arc::new(bugs));
    loopback::serve(app).await
}

async fn run_against(bugs: BTreeSet<Bug>) -> RunResult {
    let path = loopback::spec_file("bugs", SPEC);
    let spec = conform::spec::load_spec(&path).expect("the spec loads");
    let config = RunConfig {
        specs: vec![spec],
        targets: vec![serve(bugs).await],
        plan: PlanOptions { cases: 2, seed: 3, shard: None },
        strict: true,
        concurrency: 4,
        limits: Limits { timeout: Duration::from_secs(10), ..Limits::default() },
        ..RunConfig::default()
    };
    run(config, |_| {}).await.expect("the run starts")
}

fn failures(result: &RunResult) -> Vec<(String, String)> {
    result.failures().map(|(case, failure)| (case.id.to_string(), failure.rule.as_str().to_owned())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_planted_bug_is_caught_and_the_twin_passes() {
    let twin = run_against(BTreeSet::new()).await;
    let found = failures(&twin);
    assert!(found.is_empty(), "the twin without bugs has no failure: {found:#?}");
    assert!(twin.cases.len() > 60, "the coverage phase ran: {} cases", twin.cases.len());

    let buggy = run_against(ALL.into_iter().collect()).await;
    let found = failures(&buggy);
    let missed: Vec<String> = ALL
        .iter()
        .filter(|bug| {
            let (id, rule) = caught_by(**bug);
            !found.iter().any(|(case, r)| case.contains(id) && r == rule)
        })
        .map(|bug| format!("{bug:?}: {:?}", caught_by(*bug)))
        .collect();
    assert!(missed.is_empty(), "missed bugs: {missed:#?}\nfound: {found:#?}");
}
