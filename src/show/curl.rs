//! A `curl` command line that reproduces a request as conform sent it, with secrets redacted:
//! the same method (`-X`, or `--head`), URL (no globbing, no path squashing), headers, and body
//! bytes (`--data-binary`). Headers curl would add on its own and conform did not send are
//! suppressed (`-H 'Content-Type:'` for a body sent without a label, `-H 'Expect:'`), and the
//! one curl would word differently is given as conform sent it (`User-Agent`).

use super::Redactor;
use crate::http::{PreparedRequest, USER_AGENT};

/// Quotes `s` for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Bytes as a `printf` format that prints exactly them: printable ASCII as is, the rest as octal escapes.
fn printf_format(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'%' => "%%".to_owned(),
            b'\\' => r"\\".to_owned(),
            b' '..=b'~' => (b as char).to_string(),
            _ => format!("\\{b:03o}"),
        })
        .collect()
}

/// `curl -sS -g --path-as-is -X METHOD 'URL' -H 'Name: value' … --data-binary 'body'`, one line
/// (a body that is not plain text is piped in through `printf`), secrets masked.
pub fn to_curl(request: &PreparedRequest, redactor: &Redactor) -> String {
    let method = if request.method.eq_ignore_ascii_case("HEAD") {
        "--head".to_owned()
    } else {
        let token = !request.method.is_empty() && request.method.bytes().all(|b| b.is_ascii_alphanumeric());
        format!("-X {}", if token { request.method.clone() } else { quote(&request.method) })
    };
    let mut line = format!("curl -sS -g --path-as-is {method} {}", quote(&request.url));
    let sent = |name: &str| request.header_value(name).is_some();
    for (name, value) in &request.headers {
        line.push_str(&format!(" -H {}", quote(&format!("{name}: {value}"))));
    }
    if !sent("user-agent") {
        line.push_str(&format!(" -H {}", quote(&format!("User-Agent: {USER_AGENT}"))));
    }
    let mut piped = None;
    if let Some(body) = &request.body {
        if !sent("content-type") {
            // curl would label the body application/x-www-form-urlencoded; conform sent no label.
            line.push_str(" -H 'Content-Type:'");
        }
        if !sent("expect") {
            line.push_str(" -H 'Expect:'");
        }
        match std::str::from_utf8(body) {
            Ok(text) if !text.starts_with('@') && !text.contains('\0') => {
                line.push_str(&format!(" --data-binary {}", quote(text)));
            }
            _ => {
                line.push_str(" --data-binary @-");
                piped = Some(format!("printf {} | ", quote(&printf_format(body))));
            }
        }
    }
    redactor.redact(&format!("{}{line}", piped.unwrap_or_default()))
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
            format!(
                r#"curl -sS -g --path-as-is -X POST 'http://127.0.0.1:1/x?token=[REDACTED]' -H 'Client-Token: [REDACTED]' -H 'Content-Type: application/json' -H 'User-Agent: {USER_AGENT}' -H 'Expect:' --data-binary '{{"name":"O'\''Brien"}}'"#
            )
        );
    }

    #[test]
    fn an_unlabelled_body_stays_unlabelled() {
        let line = to_curl(&PreparedRequest::new("POST", "http://h/x").body("{}"), &Redactor::default());
        assert!(line.contains(" -H 'Content-Type:' "), "{line}");
        assert!(line.ends_with("--data-binary '{}'"), "{line}");
    }

    #[test]
    fn odd_bodies_are_piped_byte_for_byte() {
        let request = PreparedRequest::new("PUT", "http://h/x").body(b"@file\x00\xff%\\".to_vec());
        let line = to_curl(&request, &Redactor::default());
        assert!(line.starts_with(r"printf '@file\000\377%%\\' | curl "), "{line}");
        assert!(line.ends_with("--data-binary @-"), "{line}");
        let head = to_curl(&PreparedRequest::new("HEAD", "http://h/x"), &Redactor::default());
        assert!(head.contains(" --head 'http://h/x'") && !head.contains("--data"), "{head}");
    }
}
