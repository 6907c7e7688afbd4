//! The HTTP client against real sockets: a normal answer, a target that stalls, one that floods,
//! one that is not there. Each ends in a typed error, never a hang.

use std::time::Duration;

use conform::http::{HttpClient, Limits, PreparedRequest, TransportError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A one-connection server that answers with `reply` after reading the request head.
async fn raw_server(reply: Vec<u8>, stall: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            tokio::time::sleep(stall).await;
            let _ = socket.write_all(&reply).await;
            let _ = socket.shutdown().await;
        }
    });
    url
}

fn limits(timeout_ms: u64, max: usize) -> Limits {
    Limits { timeout: Duration::from_millis(timeout_ms), max_response_bytes: max, min_interval: None }
}

#[tokio::test]
async fn reads_a_normal_answer() {
    let url = raw_server(
        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Thing: 1\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
        Duration::ZERO,
    )
    .await;
    let client = HttpClient::new(limits(5000, 1024)).unwrap();
    let response = client.send(&PreparedRequest::new("POST", url).body("{}")).await.unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.header("X-THING"), Some("1"));
    assert_eq!(response.body, b"{}");
}

#[tokio::test]
async fn a_stalling_target_times_out() {
    let url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(), Duration::from_secs(5)).await;
    let client = HttpClient::new(limits(200, 1024)).unwrap();
    let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
    assert!(matches!(error, TransportError::Timeout { .. }), "{error:?}");
}

#[tokio::test]
async fn a_flooding_target_hits_the_size_cap() {
    let mut declared = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".to_vec();
    declared.extend(vec![b'x'; 5000]);
    let url = raw_server(declared, Duration::ZERO).await;
    let client = HttpClient::new(limits(5000, 1000)).unwrap();
    let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
    assert_eq!(error, TransportError::TooLarge { limit: 1000 });

    // Without a Content-Length: the cap applies while reading.
    let mut chunked = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
    chunked.extend(vec![b'y'; 5000]);
    let url = raw_server(chunked, Duration::ZERO).await;
    let error = client.send(&PreparedRequest::new("GET", url)).await.unwrap_err();
    assert_eq!(error, TransportError::TooLarge { limit: 1000 });
}

#[tokio::test]
async fn a_missing_target_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = HttpClient::new(limits(2000, 1000)).unwrap();
    let error = client.send(&PreparedRequest::new("GET", url.clone())).await.unwrap_err();
    assert!(matches!(&error, TransportError::Connect { url: u, .. } if *u == url), "{error:?}");
}

#[tokio::test]
async fn garbage_is_an_error_not_a_panic() {
    let url = raw_server(b"this is not http\r\n\r\n".to_vec(), Duration::ZERO).await;
    let client = HttpClient::new(limits(2000, 1000)).unwrap();
    assert!(client.send(&PreparedRequest::new("GET", url)).await.is_err());
    let bad_method = client.send(&PreparedRequest::new("GE T", "http://127.0.0.1:1")).await.unwrap_err();
    assert!(matches!(bad_method, TransportError::InvalidRequest(_)));
}
