//! A loopback CRUD server for `tests/flows/pets.yaml` (pets under `/v1/pets`), correct unless a
//! stateful bug is planted: delete that does not delete, a create the next read does not find,
//! an update that is not kept, a second delete that answers 500.

// A test server: its handlers answer a whole response as the error, as axum handlers do.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// The stateful bug the server has, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bug {
    None,
    DeleteKeeps,
    CreatedNotFound,
    UpdateLost,
    SecondDelete500,
}

#[derive(Default)]
struct Store {
    pets: BTreeMap<i64, Value>,
    deleted: Vec<i64>,
    next: i64,
}

type Shared = Arc<(Mutex<Store>, Bug)>;

fn json(status: StatusCode, body: Value) -> Response {
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

fn invalid(message: &str) -> Response {
    json(StatusCode::BAD_REQUEST, json!({"error": message}))
}

fn new_pet(headers: &HeaderMap, body: &Bytes) -> Result<Value, Response> {
    let media = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !media.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/json") {
        return Err(json(StatusCode::UNSUPPORTED_MEDIA_TYPE, json!({"error": "JSON only"})));
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| invalid("not JSON"))?;
    let object = value.as_object().ok_or_else(|| invalid("not an object"))?;
    if object.keys().any(|k| k != "name" && k != "tag") {
        return Err(invalid("unknown field"));
    }
    match object.get("name").and_then(Value::as_str) {
        Some(name) if !name.is_empty() && name.chars().count() <= 40 => {}
        _ => return Err(invalid("name")),
    }
    match object.get("tag") {
        None => {}
        Some(Value::String(tag)) if tag.chars().count() <= 40 => {}
        _ => return Err(invalid("tag")),
    }
    Ok(value)
}

fn id_of(raw: &str) -> Result<i64, Response> {
    raw.parse::<i64>().ok().filter(|id| *id >= 1).ok_or_else(|| invalid("petId"))
}

fn not_found() -> Response {
    json(StatusCode::NOT_FOUND, json!({"error": "no such pet"}))
}

async fn list(State(shared): State<Shared>) -> Response {
    let store = shared.0.lock().unwrap();
    json(StatusCode::OK, Value::Array(store.pets.values().cloned().collect()))
}

async fn create(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let pet = match new_pet(&headers, &body) {
        Ok(pet) => pet,
        Err(response) => return response,
    };
    let mut store = shared.0.lock().unwrap();
    store.next += 1;
    let id = store.next;
    let mut pet = pet;
    pet["id"] = json!(id);
    if shared.1 != Bug::CreatedNotFound {
        store.pets.insert(id, pet.clone());
    }
    let location = format!("/v1/pets/{id}");
    (StatusCode::CREATED, [("content-type", "application/json".to_owned()), ("location", location)], pet.to_string())
        .into_response()
}

async fn read(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let id = match id_of(&id) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let store = shared.0.lock().unwrap();
    store.pets.get(&id).map_or_else(not_found, |pet| json(StatusCode::OK, pet.clone()))
}

async fn update(State(shared): State<Shared>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let id = match id_of(&id) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let pet = match new_pet(&headers, &body) {
        Ok(pet) => pet,
        Err(response) => return response,
    };
    let mut store = shared.0.lock().unwrap();
    if !store.pets.contains_key(&id) {
        return not_found();
    }
    let mut pet = pet;
    pet["id"] = json!(id);
    if shared.1 != Bug::UpdateLost {
        store.pets.insert(id, pet.clone());
    }
    json(StatusCode::OK, pet)
}

async fn delete(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let id = match id_of(&id) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let mut store = shared.0.lock().unwrap();
    if store.deleted.contains(&id) && shared.1 == Bug::SecondDelete500 {
        return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
    }
    let found =
        if shared.1 == Bug::DeleteKeeps { store.pets.contains_key(&id) } else { store.pets.remove(&id).is_some() };
    if !found {
        return not_found();
    }
    store.deleted.push(id);
    StatusCode::NO_CONTENT.into_response()
}

/// The server's routes, with `bug` planted.
pub fn app(bug: Bug) -> Router {
    let shared: Shared = Arc::new((Mutex::new(Store::default()), bug));
    Router::new()
        .route("/v1/pets", get(list).post(create))
        .route("/v1/pets/{petId}", get(read).put(update).delete(delete))
        .with_state(shared)
}
