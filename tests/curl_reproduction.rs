//! The printed curl line reproduces the request: a loopback server records what conform's client
//! sent and what the curl line sends, and the two must agree on method, path and query, every
//! header, and the body bytes. curl is installed by `scripts/install-test-tools` when it is missing:
//! this test does not pass without running the line.

use std::process::Command;
use std::sync::{Arc, Mutex};

#[path = "support/tools.rs"]
#[allow(dead_code)] // chromium_flags serves the HTML report's test
mod tools;

use conform::http::{HttpClient, Limits, PreparedRequest};
use conform::show::{Redactor, to_curl};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Received {
    method: String,
    target: String,
    /// Lower-case names, sorted, `host` left out (the port is the same anyway).
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A server that records every request and answers 200 with an empty body.
async fn recorder() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let store = store.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                let head_end = loop {
                    if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at;
                    }
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                };
                let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or_default().split(' ');
                let (method, target) = (first.next().unwrap_or_default(), first.next().unwrap_or_default());
                let mut headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .filter(|(n, _)| n != "host")
                    .collect();
                headers.sort();
                let length: usize =
                    headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
                let mut body = data[head_end + 4..].to_vec();
                while body.len() < length {
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    body.extend_from_slice(&buf[..n]);
                }
                store.lock().unwrap().push(Received {
                    method: method.to_owned(),
                    target: target.to_owned(),
                    headers,
                    body,
                });
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
            });
        }
    });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_curl_line_sends_what_conform_sent() {
    // The line is run by `sh`, which finds curl on PATH: make sure it is there.
    tools::require("curl");
    let (url, seen) = recorder().await;
    let requests = [
        // The content-type-missing probe: a JSON body with no label at all.
        PreparedRequest::new("POST", format!("{url}/instances/A1/token/T1/mobile/confirm-registration-code"))
            .header("Client-Token", "F00d")
            .body(r#"{"code":"123456"}"#),
        PreparedRequest::new("POST", format!("{url}/api/otp/v2/abc/request-code"))
            .header("Authorization", "Bearer 41|x'y")
            .header("Content-Type", "text/plain")
            .body("{\"name\":\"O'Brien\",\n \"t\":\"100%\"}"),
        PreparedRequest::new("GET", format!("{url}/v2/session/info?instance_id=A%20B&x[0]={{y}}")),
        PreparedRequest::new("PATCH", format!("{url}/x"))
            .header("Content-Type", "application/json")
            .body("@not-a-file"),
        PreparedRequest::new("DELETE", format!("{url}/x")).body(b"\x00\xff\\%".to_vec()),
    ];
    // Both of the client's paths: the lean one for plain http, and the general one.
    let clients = [HttpClient::new(Limits::default()).unwrap(), HttpClient::general(Limits::default()).unwrap()];
    for (client, request) in clients.iter().flat_map(|c| requests.iter().map(move |r| (c, r))) {
        client.send(request).await.unwrap();
        let line = to_curl(request, &Redactor::default());
        let output = tokio::task::spawn_blocking(move || Command::new("sh").arg("-c").arg(&line).output().unwrap())
            .await
            .unwrap();
        assert!(output.status.success(), "curl failed: {}", String::from_utf8_lossy(&output.stderr));
        let seen = seen.lock().unwrap().clone();
        let (by_conform, by_curl) = (&seen[seen.len() - 2], &seen[seen.len() - 1]);
        assert_eq!(by_conform, by_curl, "the curl line for {} {} differs", request.method, request.url);
    }
}
