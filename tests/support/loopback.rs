//! Loopback targets for the engine's tests: a spec written to a temporary file, an axum app served
//! on a free port, and a hand-written HTTP/1.1 server for what axum will not do on purpose (drop
//! one request's connection, answer with bytes that are not HTTP, never answer, go away in the
//! middle of a run).

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Writes `yaml` as `NAME.yaml` in a fresh directory of its own and returns its path.
pub fn spec_file(name: &str, yaml: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("conform-{name}-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, yaml).unwrap();
    path
}

fn unique() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

/// Serves `app` on a free loopback port; returns its URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// What the hand-written server does with one request.
pub enum Reply {
    /// Answers with this status, these headers and this JSON body.
    Json(u16, Vec<(&'static str, &'static str)>, String),
    /// Closes the connection without a word (no status line).
    Drop,
    /// Writes these bytes as the whole answer, valid HTTP or not, and closes the connection.
    Raw(Vec<u8>),
    /// Holds the connection open and never answers.
    Silent,
}

/// One request as the hand-written server read it.
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A hand-written HTTP/1.1 server (keep-alive, `Content-Length` bodies only).
pub struct RawServer {
    pub url: String,
    /// Requests answered with a status so far.
    pub answered: Arc<AtomicUsize>,
}

/// Starts a [`RawServer`] that replies to each request as `reply` says. With `answers`, it goes
/// away after that many answers: the listener is closed (new connections are refused) and every
/// open connection is closed.
pub async fn raw_server(
    reply: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    answers: Option<usize>,
) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answered = Arc::new(AtomicUsize::new(0));
    let gone = Arc::new(tokio::sync::Notify::new());
    let reply = Arc::new(reply);
    let (count, notify) = (answered.clone(), gone.clone());
    tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((socket, _)) = accepted else { break };
                    let (reply, count, notify) = (reply.clone(), count.clone(), notify.clone());
                    connections.spawn(connection(socket, reply, count, notify, answers));
                }
                _ = notify.notified() => break,
            }
        }
        // Gone: the listener is dropped here, and every connection with it.
        drop(listener);
        connections.abort_all();
    });
    RawServer { url, answered }
}

async fn connection(
    mut socket: TcpStream,
    reply: Arc<dyn Fn(&Request) -> Reply + Send + Sync>,
    answered: Arc<AtomicUsize>,
    gone: Arc<tokio::sync::Notify>,
    answers: Option<usize>,
) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut socket, &mut buffer).await else { return };
        match reply(&request) {
            Reply::Json(status, headers, body) => {
                let extra: String = headers.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect();
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n",
                    body.len()
                );
                if socket.write_all(format!("{head}{body}").as_bytes()).await.is_err() {
                    return;
                }
                let n = answered.fetch_add(1, Ordering::SeqCst) + 1;
                if answers.is_some_and(|limit| n >= limit) {
                    gone.notify_one();
                    return;
                }
            }
            Reply::Drop => return,
            Reply::Raw(bytes) => {
                let _ = socket.write_all(&bytes).await;
                return;
            }
            Reply::Silent => {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Reads one request (head and `Content-Length` body) from `socket`; `None` at the end of it.
async fn read_request(socket: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = socket.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut words = head.split_whitespace();
    let (method, path) = (words.next()?.to_owned(), words.next()?.to_owned());
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Some(Request { method, path, headers, body })
}
