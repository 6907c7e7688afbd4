//! Shared by the reference-server tests: start a server on an ephemeral loopback port and talk to
//! it over real HTTP.

use std::sync::atomic::{AtomicU64, Ordering};

use conform::reference::{Fault, Reference, Server, Variant};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// A running reference server and a client for it.
pub struct Target {
    pub server: Server,
    pub client: reqwest::Client,
}

/// Starts a server with the given faults on `127.0.0.1:0`.
pub async fn start(faults: &[Fault]) -> Target {
    let server = Server::start("127.0.0.1:0".parse().unwrap(), faults.iter().copied().collect())
        .await
        .expect("bind a loopback port");
    Target { server, client: reqwest::Client::new() }
}

/// Starts a clean server that makes the given other choices (`--variant`).
pub async fn start_variants(variants: &[Variant]) -> Target {
    let reference = Reference::new(Default::default()).with_variants(variants.iter().copied().collect());
    let server = Server::start_with("127.0.0.1:0".parse().unwrap(), reference).await.expect("bind a loopback port");
    Target { server, client: reqwest::Client::new() }
}

/// One HTTP answer, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body parsed as JSON, or `Value::Null` when it is not JSON.
    pub json: Value,
}

impl Reply {
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get("content-type").and_then(|v| v.to_str().ok())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A request under construction.
pub struct Call<'a> {
    target: &'a Target,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl<'a> Call<'a> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A JSON body labelled `application/json`.
    pub fn json(self, body: Value) -> Self {
        self.header("content-type", "application/json").raw(serde_json::to_vec(&body).unwrap())
    }

    /// A body with whatever labels the caller set (none by default).
    pub fn raw(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    pub async fn send(self) -> Reply {
        let url = format!("{}{}", self.target.server.url(), self.path);
        let mut request = self.target.client.request(self.method, url);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some(body) = self.body {
            request = request.body(body);
        }
        let response = request.send().await.expect("the reference server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a readable body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, text, json }
    }
}

impl Target {
    pub fn call(&self, method: &str, path: &str) -> Call<'_> {
        Call {
            target: self,
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call("POST", path)
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call("GET", path)
    }

    /// Puts a fixture into a named state through the sandbox; panics unless it answers 200.
    pub async fn state(&self, api: &str, state: &str, params: Value) {
        let reply =
            self.post("/__sandbox/state").json(json!({"api": api, "state": state, "params": params})).send().await;
        assert_eq!(reply.status, 200, "sandbox state {api}/{state}: {}", reply.text);
        assert_eq!(reply.json, json!({"ok": true}));
    }

    /// The messages sent to `to`, newest first.
    pub async fn outbox(&self, to: &str) -> Vec<Value> {
        let reply = self.get(&format!("/__sandbox/outbox?to={to}")).send().await;
        assert_eq!(reply.status, 200, "outbox: {}", reply.text);
        reply.json.as_array().cloned().expect("the outbox is an array")
    }

    /// The code of the newest message sent to `to`.
    pub async fn last_code(&self, to: &str) -> String {
        let messages = self.outbox(to).await;
        let newest = messages.first().unwrap_or_else(|| panic!("no message sent to {to}"));
        newest["code"].as_str().expect("the message carries a code").to_owned()
    }

    /// Moves the server's clock forward.
    pub async fn advance(&self, seconds: i64) {
        let reply = self.post("/__sandbox/clock").json(json!({"advance_seconds": seconds})).send().await;
        assert_eq!(reply.status, 200, "clock: {}", reply.text);
    }
}

/// A fresh id, unique within the test process, made of `len` characters from `[a-z0-9]` after `prefix`.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{n:06}{:06}", std::process::id() % 1_000_000)
}

/// A fresh phone number of 10 digits (for Z-API `phone`, Wawp `phone_number`, Hypersender chat ids).
pub fn unique_phone() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("44{:08}", NEXT.fetch_add(1, Ordering::Relaxed))
}
