//! Generators of big, realistic OpenAPI specs (JSON), for the big-spec test and the `bigspec`
//! benchmark, in two shapes. [`big_spec`] (3.1) is `$ref`-heavy: many paths, each operation with
//! parameters, a request body and responses that refer to `#/components/schemas/...` (nested
//! `$ref`s, `allOf`, `oneOf`), examples, a recursive tree and two schemas that refer to each
//! other. [`dense_spec`] (3.0) is what code generators often emit: every schema written inline
//! where it is used, few `$ref`s. Deterministic: the same count gives the same text.

use serde_json::{Value, json};

/// The schemas every resource refers to, shared across the document.
const SHARED: usize = 40;

fn shared_schemas(schemas: &mut serde_json::Map<String, Value>) {
    schemas.insert(
        "Base".into(),
        json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string", "format": "uuid"},
            "created": {"type": "string", "format": "date-time"},
            "etag": {"type": "string", "maxLength": 64}}}),
    );
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "integer", "minimum": 400, "maximum": 599},
            "message": {"type": "string", "maxLength": 200},
            "details": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}}}}),
    );
    schemas.insert(
        "ErrorDetail".into(),
        json!({"type": "object", "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}),
    );
    // A recursive tree, and two schemas that refer to each other: both have content, so both load.
    schemas.insert(
        "Node".into(),
        json!({"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "maxLength": 8},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}),
    );
    schemas.insert(
        "Ping".into(),
        json!({"type": "object", "required": ["n"], "properties": {
            "n": {"type": "integer", "minimum": 0}, "pong": {"$ref": "#/components/schemas/Pong"}}}),
    );
    schemas.insert(
        "Pong".into(),
        json!({"type": "object", "properties": {"ping": {"$ref": "#/components/schemas/Ping"}}}),
    );
    for i in 0..SHARED {
        schemas.insert(
            format!("Address{i}"),
            json!({"type": "object", "required": ["street", "country"], "properties": {
                "street": {"type": "string", "minLength": 1, "maxLength": 80},
                "city": {"type": "string", "maxLength": 40},
                "postcode": {"type": "string", "pattern": "^[0-9]{5}$", "example": "01234"},
                "country": {"type": "string", "enum": ["BR", "PT", "US", "DE", "FR"]},
                "geo": {"$ref": format!("#/components/schemas/Geo{}", i % 7)}}}),
        );
        schemas.insert(
            format!("User{i}"),
            json!({"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "required": ["email"],
                "properties": {
                    "email": {"type": "string", "format": "email"},
                    "phone": {"type": "string", "pattern": "^[0-9]{8,13}$"},
                    "address": {"$ref": format!("#/components/schemas/Address{i}")},
                    "manager": {"$ref": format!("#/components/schemas/User{i}")}}}]}),
        );
    }
    for i in 0..7 {
        schemas.insert(
            format!("Geo{i}"),
            json!({"type": "object", "properties": {
                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                "lon": {"type": "number", "minimum": -180, "maximum": 180}}}),
        );
    }
}

/// The schemas of resource `i`.
fn resource_schemas(i: usize, schemas: &mut serde_json::Map<String, Value>) {
    let name = format!("Resource{i}");
    let reference = |s: String| json!({"$ref": format!("#/components/schemas/{s}")});
    schemas.insert(
        name.clone(),
        json!({"allOf": [reference("Base".into()), {"type": "object", "required": ["title", "status"],
            "description": format!("Resource number {i}, with an owner, an address and items."),
            "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": 120, "example": format!("title {i}")},
                "status": {"type": "string", "enum": ["draft", "active", "archived"]},
                "count": {"type": "integer", "minimum": 0, "maximum": 100_000},
                "price": {"type": "number", "minimum": 0},
                "tags": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 20}},
                "owner": reference(format!("User{}", i % SHARED)),
                "shipping": reference(format!("Address{}", (i * 7) % SHARED)),
                "lines": {"type": "array", "items": reference(format!("Line{i}"))},
                "payment": {"oneOf": [reference("Card".into()), reference("Transfer".into())]},
                "tree": reference("Node".into()),
                "ping": reference("Ping".into())}}]}),
    );
    schemas.insert(
        format!("Line{i}"),
        json!({"type": "object", "required": ["sku", "quantity"], "properties": {
            "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
            "quantity": {"type": "integer", "minimum": 1, "maximum": 999},
            "note": {"type": ["string", "null"], "maxLength": 200}}}),
    );
    schemas.insert(
        format!("{name}Create"),
        json!({"type": "object", "required": ["title"], "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 120},
            "status": {"type": "string", "enum": ["draft", "active"]},
            "owner": reference(format!("User{}", i % SHARED)),
            "lines": {"type": "array", "maxItems": 20, "items": reference(format!("Line{i}"))}}}),
    );
    schemas.insert(
        format!("{name}List"),
        json!({"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": reference(name.clone())},
            "next": {"type": ["string", "null"]}}}),
    );
}

/// The two paths (five operations) of resource `i`.
fn resource_paths(i: usize, paths: &mut serde_json::Map<String, Value>) {
    let name = format!("Resource{i}");
    let schema = |s: &str| json!({"$ref": format!("#/components/schemas/{s}")});
    let json_of = |s: Value| json!({"application/json": {"schema": s}});
    let create_example = json!({"title": format!("thing {i}"), "status": "draft",
        "lines": [{"sku": "ABC-0001", "quantity": 2, "note": null}]});
    let one = json!({"description": "the resource", "content": json_of(schema(&name))});
    let errors = json!({
        "404": {"$ref": "#/components/responses/NotFound"},
        "default": {"$ref": "#/components/responses/Error"}});
    let with_errors = |mut responses: Value| {
        if let Some(r) = responses.as_object_mut() {
            r.extend(errors.as_object().cloned().unwrap_or_default());
        }
        responses
    };
    paths.insert(
        format!("/resources{i}"),
        json!({
            "get": {"operationId": format!("list{name}"), "summary": format!("Lists resources of kind {i}"),
                "tags": [format!("kind{}", i % 50)],
                "parameters": [{"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"},
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["draft", "active", "archived"]}}],
                "responses": with_errors(json!({"200": {"description": "a page",
                    "content": json_of(schema(&format!("{name}List")))}}))},
            "post": {"operationId": format!("create{name}"),
                "requestBody": {"required": true, "content": {"application/json": {
                    "schema": schema(&format!("{name}Create")),
                    "examples": {"small": {"summary": "a small one", "value": create_example}}}}},
                "responses": with_errors(json!({"201": one.clone()}))}
        }),
    );
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"},
        "example": "a0b5df6a-b491-4190-80a5-38d85a2a4836"});
    paths.insert(
        format!("/resources{i}/{{id}}"),
        json!({
            "parameters": [id, {"$ref": "#/components/parameters/TraceId"}],
            "get": {"operationId": format!("get{name}"), "responses": with_errors(json!({"200": one.clone()}))},
            "put": {"operationId": format!("replace{name}"),
                "requestBody": {"content": {"application/json": {"schema": schema(&format!("{name}Create"))}}},
                "responses": with_errors(json!({"200": one}))},
            "delete": {"operationId": format!("delete{name}"),
                "responses": with_errors(json!({"204": {"description": "gone"}}))}
        }),
    );
}

/// A spec with `resources` resources, five operations each, as pretty-printed JSON.
pub fn big_spec(resources: usize) -> String {
    let mut schemas = serde_json::Map::new();
    shared_schemas(&mut schemas);
    schemas.insert(
        "Card".into(),
        json!({"type": "object", "required": ["number"], "properties": {"number": {"type": "string", "pattern": "^[0-9]{16}$"}}}),
    );
    schemas.insert(
        "Transfer".into(),
        json!({"type": "object", "required": ["iban"], "properties": {"iban": {"type": "string", "maxLength": 34}}}),
    );
    let mut paths = serde_json::Map::new();
    for i in 0..resources {
        resource_schemas(i, &mut schemas);
        resource_paths(i, &mut paths);
    }
    let error = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Error"},
        "example": {"code": 404, "message": "not found"}}});
    let document = json!({
        "openapi": "3.1.0",
        "info": {"title": "Big generated API", "version": "1.0.0"},
        "servers": [{"url": "http://127.0.0.1:9/api"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                "Cursor": {"name": "cursor", "in": "query", "schema": {"type": "string", "maxLength": 64}},
                "TraceId": {"name": "X-Trace-Id", "in": "header", "schema": {"type": "string", "format": "uuid"}}
            },
            "responses": {
                "NotFound": {"description": "not found", "content": error.clone()},
                "Error": {"description": "an error", "content": error}
            }
        }
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// An inline object schema of a resource of kind `i`, as generators that inline every schema
/// write it: no `$ref`, a nested object and an array of objects.
fn dense_object(i: usize, with_id: bool) -> Value {
    let mut properties = serde_json::Map::new();
    if with_id {
        properties.insert("id".into(), json!({"type": "string", "format": "uuid"}));
    }
    properties.insert(
        "name".into(),
        json!({"type": "string", "minLength": 1, "maxLength": 80, "example": format!("item {i}")}),
    );
    properties.insert("state".into(), json!({"type": "string", "enum": ["new", "open", "closed"]}));
    properties.insert("amount".into(), json!({"type": "number", "minimum": 0, "maximum": 1_000_000}));
    properties
        .insert("labels".into(), json!({"type": "array", "maxItems": 8, "items": {"type": "string", "maxLength": 24}}));
    properties.insert(
        "contact".into(),
        json!({"type": "object", "properties": {
            "email": {"type": "string", "format": "email"},
            "phone": {"type": "string", "pattern": "^[0-9]{8,13}$"}}}),
    );
    properties.insert(
        "entries".into(),
        json!({"type": "array", "items": {"type": "object", "required": ["code"], "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{3}$"},
            "value": {"type": "integer", "minimum": 0}}}}),
    );
    json!({"type": "object", "required": ["name"], "properties": properties})
}

/// A dense spec of `operations` operations (four a resource): every schema written inline where
/// it is used (the request body, each response, each parameter) and only the error response a
/// `$ref`, as code generators often emit; as compact JSON (about 1.4 KB an operation).
pub fn dense_spec(operations: usize) -> String {
    let mut paths = serde_json::Map::new();
    let error = json!({"description": "an error", "content": {"application/json": {"schema": {
        "type": "object", "required": ["message"], "properties": {
            "message": {"type": "string"}, "code": {"type": "integer"}}}}}});
    for i in 0..operations.div_ceil(4) {
        let json_of = |schema: Value| json!({"application/json": {"schema": schema}});
        let page = json!({"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": dense_object(i, true)},
            "total": {"type": "integer", "minimum": 0}}});
        let query = |name: &str, schema: Value| json!({"name": name, "in": "query", "schema": schema});
        paths.insert(
            format!("/group{}/kind{i}", i % 97),
            json!({
                "get": {"operationId": format!("listKind{i}"), "summary": format!("Lists the items of kind {i}"),
                    "parameters": [query("limit", json!({"type": "integer", "minimum": 1, "maximum": 200})),
                        query("offset", json!({"type": "integer", "minimum": 0})),
                        query("state", json!({"type": "string", "enum": ["new", "open", "closed"]}))],
                    "responses": {"200": {"description": "a page", "content": json_of(page)},
                        "default": {"$ref": "#/components/responses/Error"}}},
                "post": {"operationId": format!("createKind{i}"),
                    "requestBody": {"required": true, "content": json_of(dense_object(i, false))},
                    "responses": {"201": {"description": "created", "content": json_of(dense_object(i, true))},
                        "400": error.clone()}}
            }),
        );
        let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
        paths.insert(
            format!("/group{}/kind{i}/{{id}}", i % 97),
            json!({
                "parameters": [id],
                "get": {"operationId": format!("getKind{i}"),
                    "responses": {"200": {"description": "the item", "content": json_of(dense_object(i, true))},
                        "404": error.clone()}},
                "patch": {"operationId": format!("updateKind{i}"),
                    "requestBody": {"content": json_of(dense_object(i, false))},
                    "responses": {"200": {"description": "the item", "content": json_of(dense_object(i, true))},
                        "default": {"$ref": "#/components/responses/Error"}}}
            }),
        );
    }
    let document = json!({
        "openapi": "3.0.3",
        "info": {"title": "Dense generated API", "version": "1.0.0"},
        "servers": [{"url": "http://127.0.0.1:9/api"}],
        "paths": paths,
        "components": {"responses": {"Error": error}}
    });
    serde_json::to_string(&document).unwrap_or_default()
}
