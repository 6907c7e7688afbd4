//! The HTTP client against real sockets: a normal answer, a target that stalls, one that floods,
//! one that is not there. Each ends in a typed error, never a hang, on both of the client's paths:
//! the lean one for plain http and the general one (https, or a proxy in the environment).

use std::time::Duration;

use conform::http::{HttpClient, Limits, PreparedRequest, TransportError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A one-connection server that answers with `reply` after reading the request head.
async fn raw_server(reply: Vec<u8>, stall: Duration) -> String {
    holding_server(reply, stall, Duration::ZERO).await
}

/// [`raw_server`], which then holds the connection open for `hold` before closing it.
async fn holding_server(reply: Vec<u8>, stall: Duration, hold: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            tokio::time::sleep(stall).await;
            let _ = socket.write_all(&reply).await;
            tokio::time::sleep(hold).await;
            let _ = socket.shutdown().await;
        }
    });
    url
}

fn limits(timeout_ms: u64, max: usize) -> Limits {
    Limits { timeout: Duration::from_millis(timeout_ms), max_response_bytes: max, min_interval: None }
}

/// The client as a run makes it, and the general path alone.
fn clients(limits: Limits) -> [(&'static str, HttpClient); 2] {
    [("lean", HttpClient::new(limits).unwrap()), ("general", HttpClient::general(limits).unwrap())]
}

#[tokio::test]
async fn reads_a_normal_answer() {
    for (path, client) in clients(limits(5000, 1024)) {
        let url = raw_server(
            b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Thing: 1\r\nContent-Length: 2\r\n\r\n{}"
                .to_vec(),
            Duration::ZERO,
        )
        .await;
        let response = client.send(&PreparedRequest::new("POST", url).body("{}")).await.unwrap();
        assert_eq!(response.status, 201, "{path}");
        assert_eq!(response.header("content-type"), Some("application/json"), "{path}");
        assert_eq!(response.header("X-THING"), Some("1"), "{path}");
        assert_eq!(response.body, b"{}", "{path}");
    }
}

#[tokio::test]
async fn a_stalling_target_times_out() {
    for (path, client) in clients(limits(200, 1024)) {
        let url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(), Duration::from_secs(5)).await;
        let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
        assert!(matches!(error, TransportError::Timeout { .. }), "{path}: {error:?}");
    }
}

#[tokio::test]
async fn a_body_that_trickles_past_the_timeout_times_out() {
    // The head arrives at once; the body never ends. The timeout covers the whole exchange.
    for (path, client) in clients(limits(300, 1024)) {
        let head_and_two_bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab".to_vec();
        let url = holding_server(head_and_two_bytes, Duration::ZERO, Duration::from_secs(5)).await;
        let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
        assert!(matches!(error, TransportError::Timeout { .. }), "{path}: {error:?}");
    }
}

#[tokio::test]
async fn a_connection_closed_before_any_answer_is_dropped_and_one_cut_short_is_not() {
    for (path, client) in clients(limits(5000, 1024)) {
        // The request is read, then the connection closes: not a status line in sight.
        let url = raw_server(Vec::new(), Duration::ZERO).await;
        let error = client.send(&PreparedRequest::new("POST", url).body("{}")).await.unwrap_err();
        assert!(matches!(error, TransportError::Dropped { .. }), "{path}: {error:?}");
        assert!(error.to_string().starts_with("the connection was closed before any answer"), "{path}: {error}");
        // After the status line, the target did answer: a body cut short is another error.
        let url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab".to_vec(), Duration::ZERO).await;
        let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
        assert!(!matches!(error, TransportError::Dropped { .. }), "{path}: {error:?}");
    }
}

#[tokio::test]
async fn a_flooding_target_hits_the_size_cap() {
    for (path, client) in clients(limits(5000, 1000)) {
        let mut declared = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".to_vec();
        declared.extend(vec![b'x'; 5000]);
        let url = raw_server(declared, Duration::ZERO).await;
        let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
        assert_eq!(error, TransportError::TooLarge { limit: 1000 }, "{path}");

        // Without a Content-Length: the cap applies while reading.
        let mut chunked = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
        chunked.extend(vec![b'y'; 5000]);
        let url = raw_server(chunked, Duration::ZERO).await;
        let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
        assert_eq!(error, TransportError::TooLarge { limit: 1000 }, "{path}");
    }
}

#[tokio::test]
async fn a_missing_target_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    for (path, client) in clients(limits(2000, 1000)) {
        let error = client.send(&PreparedRequest::new("GET", url.clone())).await.unwrap_err();
        let TransportError::Connect { url: named, message } = &error else { panic!("{path}: {error:?}") };
        assert_eq!(named, &url, "{path}");
        assert!(message.to_lowercase().contains("connection refused"), "{path}: {message}");
    }
}

#[tokio::test]
async fn garbage_is_an_error_not_a_panic() {
    for (path, client) in clients(limits(2000, 1000)) {
        let url = raw_server(b"this is not http\r\n\r\n".to_vec(), Duration::ZERO).await;
        assert!(client.send(&PreparedRequest::new("GET", url)).await.is_err(), "{path}");
        let bad_method = client.send(&PreparedRequest::new("GE T", "http://127.0.0.1:1")).await.unwrap_err();
        assert!(matches!(bad_method, TransportError::InvalidRequest(_)), "{path}: {bad_method:?}");
        let bad_header = PreparedRequest::new("GET", "http://127.0.0.1:1").header("X-A", "line\nbreak");
        let error = client.send(&bad_header).await.unwrap_err();
        assert!(matches!(error, TransportError::InvalidRequest(_)), "{path}: {error:?}");
    }
}

#[tokio::test]
async fn a_url_that_needs_normalizing_still_goes_out() {
    // A space and a non-ASCII letter are not a URI as written: they go out percent-encoded, as
    // the url crate writes them, on either path.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (sent, mut seen) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let sent = sent.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let _ = sent.send(head.lines().next().unwrap_or_default().to_owned());
                let _ = socket.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").await;
            });
        }
    });
    for (path, client) in clients(limits(2000, 1000)) {
        let response = client.send(&PreparedRequest::new("GET", format!("{url}/a b/é?q=x y"))).await.unwrap();
        assert_eq!(response.status, 204, "{path}");
        assert_eq!(seen.recv().await.unwrap(), "GET /a%20b/%C3%A9?q=x%20y HTTP/1.1", "{path}");
    }
}

#[tokio::test]
async fn an_answer_head_that_is_not_http_is_malformed_and_a_large_one_is_not() {
    let nul = b"HTTP/1.1 200 OK\r\nX-Echo: a\0b\r\nContent-Length: 0\r\n\r\n".to_vec();
    let status = b"HTTP/1.1 -1 UNKNOWN\r\nContent-Length: 0\r\n\r\n".to_vec();
    let length = b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n".to_vec();
    let many: String = (0..150).map(|i| format!("X-{i}: 1\r\n")).collect();
    let many = format!("HTTP/1.1 200 OK\r\n{many}Content-Length: 0\r\n\r\n").into_bytes();
    for (path, client) in clients(limits(5000, 100_000)) {
        for (reply, words) in [
            (nul.clone(), "invalid HTTP header parsed"),
            (status.clone(), "invalid HTTP status-code parsed"),
            (length.clone(), "invalid content-length parsed"),
        ] {
            let url = raw_server(reply, Duration::ZERO).await;
            let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
            assert_eq!(error, TransportError::Malformed { message: words.to_owned() }, "{path}");
            assert!(error.to_string().starts_with("the answer is not valid HTTP"), "{path}: {error}");
        }
        // Over the parser's header-count limit: the client's limit, not a break of HTTP.
        let url = raw_server(many.clone(), Duration::ZERO).await;
        let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
        assert!(!matches!(error, TransportError::Malformed { .. }), "{path}: {error:?}");
    }
}
