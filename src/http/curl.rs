//! A `curl` command line that reproduces a request, with secrets redacted.

use super::{PreparedRequest, Redactor};

/// Quotes `s` for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `curl -X METHOD 'URL' -H 'Name: value' --data-raw 'body'`, one line, secrets masked.
pub fn to_curl(request: &PreparedRequest, redactor: &Redactor) -> String {
    let mut line = format!("curl -sS -X {} {}", request.method, quote(&request.url));
    for (name, value) in &request.headers {
        line.push_str(&format!(" -H {}", quote(&format!("{name}: {value}"))));
    }
    if let Some(body) = request.body_text() {
        line.push_str(&format!(" --data-raw {}", quote(&body)));
    }
    redactor.redact(&line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_redacts() {
        let request = PreparedRequest::new("POST", "http://127.0.0.1:1/x?token=tk-93f1a7")
            .header("Client-Token", "ct-55e0b2")
            .header("Content-Type", "application/json")
            .body(r#"{"name":"O'Brien"}"#);
        let line = to_curl(&request, &Redactor::new(["tk-93f1a7", "ct-55e0b2"]));
        assert_eq!(
            line,
            r#"curl -sS -X POST 'http://127.0.0.1:1/x?token=[REDACTED]' -H 'Client-Token: [REDACTED]' -H 'Content-Type: application/json' --data-raw '{"name":"O'\''Brien"}'"#
        );
    }
}
