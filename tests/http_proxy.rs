//! A proxy in the environment is honoured: with `HTTP_PROXY` set, the real binary sends its plain
//! http requests to the proxy (in absolute form), not to the target, which is not even listening
//! here. Without the proxy they would all fail to connect. The lean http path steps aside for it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// A proxy that records each request line and answers every request with `200 []`.
fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let store = store.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                store.lock().unwrap().push(line.trim_end().to_owned());
                // The head to its end (the body, if any, is not needed: the connection closes).
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]",
                );
            });
        }
    });
    (url, seen)
}

#[test]
fn plain_http_goes_through_the_proxy_the_environment_names() {
    let (proxy, seen) = recording_proxy();
    // Nothing listens on the discard port: only the proxy can answer.
    let target = "http://127.0.0.1:9";
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/realworld/typed-params.yaml");
    let output = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--spec", spec, "--target", target, "--cases", "2", "--seed", "1"])
        .env_remove("CONFORM_TARGET")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("HTTP_PROXY", &proxy)
        .output()
        .unwrap();
    let printed = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty(), "the proxy saw nothing:\n{printed}");
    for line in &seen {
        assert!(line.contains(&format!(" {target}/")), "not in absolute form, or not the target: {line}");
    }
    assert!(seen.iter().any(|l| l.starts_with(&format!("GET {target}/items"))), "no case went out: {seen:?}");
    assert!(!printed.to_lowercase().contains("connection refused"), "{printed}");
}
