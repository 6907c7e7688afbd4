//! A loopback server that keeps `tests/swagger/petstore.yaml` (a Swagger 2.0 spec), written by
//! hand from the spec's text: it checks each credential, reads every array the way its
//! `collectionFormat` says (pipes, multi, ssv, tsv, csv in a header and a path), reads a JSON
//! body, a URL-encoded form and a multipart form with a file, and answers 400 to anything the
//! spec does not allow, 401 to a missing or wrong credential, 405 (with `Allow`) to an
//! undocumented method and 415 to a body that is not JSON. It records every request it is sent.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};

pub const API_KEY: &str = "secret-api-key";
pub const BASIC: &str = "pet-user:pet-password";
pub const TOKEN: &str = "oauth-access-token";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub route: &'static str,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The status it answered.
    pub status: u16,
}

pub type Log = Arc<Mutex<Vec<Seen>>>;

/// A request refused: the status and the problem's detail.
struct Refused(StatusCode, String);

type Answer = Result<Response, Refused>;

fn problem(status: StatusCode, detail: impl Into<String>) -> Refused {
    Refused(status, detail.into())
}

fn invalid(detail: impl Into<String>) -> Refused {
    problem(StatusCode::BAD_REQUEST, detail)
}

fn pet(id: i64, name: &str, kind: &str) -> Value {
    json!({"id": id, "name": name, "kind": kind, "owner": null, "tag": null})
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Err(401)` unless the request carries the credential of `scheme`.
fn authorised(headers: &HeaderMap, scheme: &str) -> Result<(), Refused> {
    let ok = match scheme {
        "key" => header(headers, "x-api-key") == Some(API_KEY),
        "basic" => {
            let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(BASIC));
            header(headers, "authorization") == Some(expected.as_str())
        }
        _ => header(headers, "authorization") == Some(format!("Bearer {TOKEN}").as_str()),
    };
    if ok {
        Ok(())
    } else {
        Err(problem(StatusCode::UNAUTHORIZED, format!("the {scheme} credential is missing or wrong")))
    }
}

fn pet_id(text: &str) -> Result<i64, Refused> {
    text.parse::<i64>().ok().filter(|id| *id >= 1).ok_or_else(|| invalid("petId: an integer of at least 1"))
}

fn lower_word(text: &str) -> bool {
    (1..=8).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_lowercase())
}

/// Every item of `items` is one of `allowed`.
fn all_in(items: &[&str], allowed: &[&str]) -> bool {
    items.iter().all(|i| allowed.contains(i))
}

fn list_pets(headers: &HeaderMap, query: &str) -> Answer {
    authorised(headers, "key")?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let one = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    if let Some(limit) = one("limit")
        && !limit.parse::<i64>().is_ok_and(|l| (1..=50).contains(&l))
    {
        return Err(invalid("limit: an integer from 1 to 50"));
    }
    if let Some(tags) = one("tags")
        && !all_in(&tags.split('|').collect::<Vec<_>>(), &["a", "b", "c"])
    {
        return Err(invalid("tags: a|b|c, pipe-separated"));
    }
    for (_, id) in pairs.iter().filter(|(n, _)| n == "ids") {
        if !id.parse::<i64>().is_ok_and(|i| i >= 1) {
            return Err(invalid("ids: integers of at least 1, one `ids` each"));
        }
    }
    if let Some(sort) = one("sort")
        && !all_in(&sort.split(' ').collect::<Vec<_>>(), &["name", "id"])
    {
        return Err(invalid("sort: name or id, space-separated"));
    }
    if let Some(fields) = one("fields")
        && !all_in(&fields.split('\t').collect::<Vec<_>>(), &["id", "name"])
    {
        return Err(invalid("fields: id or name, tab-separated"));
    }
    if let Some(trace) = header(headers, "x-trace")
        && !trace.split(',').all(lower_word)
    {
        return Err(invalid("X-Trace: lower-case words, comma-separated"));
    }
    Ok(([("x-total", "1")], axum::Json(json!([pet(1, "Rex", "dog")]))).into_response())
}

fn create_pet(headers: &HeaderMap, body: &[u8]) -> Answer {
    authorised(headers, "oauth")?;
    if !header(headers, "content-type").is_some_and(|t| t.starts_with("application/json")) {
        return Err(problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send the pet as application/json"));
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else { return Err(invalid("a JSON object")) };
    let name = body.get("name").and_then(Value::as_str).filter(|n| (1..=30).contains(&n.chars().count()));
    let kind = body.get("kind").and_then(Value::as_str).filter(|k| ["cat", "dog"].contains(k));
    match (name, kind) {
        (Some(name), Some(kind)) => Ok((StatusCode::CREATED, axum::Json(pet(2, name, kind))).into_response()),
        _ => Err(invalid("name (1 to 30 characters) and kind (cat or dog) are required")),
    }
}

fn show_pet(headers: &HeaderMap, id: &str) -> Answer {
    authorised(headers, "key")?;
    match pet_id(id)? {
        id if id > 1000 => Err(problem(StatusCode::NOT_FOUND, "no such pet")),
        id => Ok(axum::Json(pet(id, "Rex", "dog")).into_response()),
    }
}

/// The parts of a multipart body: (name, has a filename, content).
fn parts(content_type: &str, body: &[u8]) -> Option<Vec<(String, bool, Vec<u8>)>> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    for part in text.split(&delimiter).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let (head, content) = part.trim_start_matches("\r\n").split_once("\r\n\r\n")?;
        let disposition = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        let name = disposition.split("name=\"").nth(1)?.split('"').next()?.to_owned();
        let file = disposition.contains("filename=");
        out.push((name, file, content.strip_suffix("\r\n").unwrap_or(content).as_bytes().to_vec()));
    }
    Some(out)
}

fn upload_photo(headers: &HeaderMap, id: &str, body: &[u8]) -> Answer {
    authorised(headers, "basic")?;
    pet_id(id)?;
    let content_type = header(headers, "content-type").unwrap_or_default();
    if !content_type.starts_with("multipart/form-data") {
        return Err(invalid("a multipart/form-data body"));
    }
    let parts = parts(content_type, body).ok_or_else(|| invalid("a readable multipart body"))?;
    if !parts.iter().any(|(name, file, _)| name == "photo" && *file) {
        return Err(invalid("photo: a file part is required"));
    }
    if let Some((_, _, caption)) = parts.iter().find(|(name, _, _)| name == "caption")
        && String::from_utf8_lossy(caption).chars().count() > 40
    {
        return Err(invalid("caption: at most 40 characters"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn rename_pet(headers: &HeaderMap, id: &str, body: &[u8]) -> Answer {
    authorised(headers, "key")?;
    let id = pet_id(id)?;
    if !header(headers, "content-type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded")) {
        return Err(invalid("an application/x-www-form-urlencoded body"));
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let names: Vec<&str> = fields.iter().filter(|(n, _)| n == "name").map(|(_, v)| v.as_str()).collect();
    let [name] = names.as_slice() else { return Err(invalid("name: exactly one is required")) };
    if !(1..=30).contains(&name.chars().count()) {
        return Err(invalid("name: 1 to 30 characters"));
    }
    if fields.iter().any(|(n, v)| n == "nicknames" && v.chars().count() > 10) {
        return Err(invalid("nicknames: at most 10 characters each"));
    }
    Ok(axum::Json(pet(id, name, "cat")).into_response())
}

fn show_owners(headers: &HeaderMap, names: &str) -> Answer {
    authorised(headers, "key")?;
    let names: Vec<&str> = names.split(',').collect();
    if !names.iter().all(|n| lower_word(n)) {
        return Err(invalid("names: lower-case words, comma-separated"));
    }
    Ok(axum::Json(names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()).into_response())
}

fn record(
    log: &Log,
    route: &'static str,
    query: Option<String>,
    headers: HeaderMap,
    body: &[u8],
    answer: Answer,
) -> Response {
    let response = answer
        .unwrap_or_else(|Refused(status, detail)| (status, axum::Json(json!({"detail": detail}))).into_response());
    let seen = Seen {
        route,
        query: query.unwrap_or_default(),
        headers,
        body: body.to_vec(),
        status: response.status().as_u16(),
    };
    log.lock().unwrap().push(seen);
    response
}

/// Starts the server on a loopback port: its base URL and the log of what it was sent.
pub async fn serve() -> (String, Log) {
    let log = Log::default();
    let app = Router::new()
        .route(
            "/api/pets",
            get(|State(log): State<Log>, RawQuery(q): RawQuery, h: HeaderMap| async move {
                let answer = list_pets(&h, q.as_deref().unwrap_or_default());
                record(&log, "list-pets", q, h, b"", answer)
            })
            .post(|State(log): State<Log>, h: HeaderMap, body: Bytes| async move {
                let answer = create_pet(&h, &body);
                record(&log, "create-pet", None, h, &body, answer)
            }),
        )
        .route(
            "/api/pets/{petId}",
            get(|State(log): State<Log>, Path(id): Path<String>, h: HeaderMap| async move {
                let answer = show_pet(&h, &id);
                record(&log, "show-pet", None, h, b"", answer)
            }),
        )
        .route(
            "/api/pets/{petId}/photo",
            post(|State(log): State<Log>, Path(id): Path<String>, h: HeaderMap, body: Bytes| async move {
                let answer = upload_photo(&h, &id, &body);
                record(&log, "upload-photo", None, h, &body, answer)
            }),
        )
        .route(
            "/api/pets/{petId}/rename",
            post(|State(log): State<Log>, Path(id): Path<String>, h: HeaderMap, body: Bytes| async move {
                let answer = rename_pet(&h, &id, &body);
                record(&log, "rename-pet", None, h, &body, answer)
            }),
        )
        .route(
            "/api/owners/{names}",
            get(|State(log): State<Log>, Path(names): Path<String>, h: HeaderMap| async move {
                let answer = show_owners(&h, &names);
                record(&log, "show-owners", None, h, b"", answer)
            }),
        )
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, log)
}
