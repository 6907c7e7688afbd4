//! A body as the console shows it, in one line: an HTML page as its `<title>` and size, any other
//! body with its whitespace folded and cut to [`MAX_CHARS`] with its size. The whole body stays in
//! the JSON and HTML reports.

use std::sync::LazyLock;

use regex::Regex;

use crate::results::ResponseSummary;

/// The most characters of a body the console shows.
pub const MAX_CHARS: usize = 200;

/// An answer's body in one line (empty for an empty body).
pub fn short_body(response: &ResponseSummary) -> String {
    if response.body.is_empty() {
        return String::new();
    }
    let header = |name: &str| response.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    let size = size(header("content-length").and_then(|v| v.trim().parse().ok()), response);
    let labelled_html = header("content-type").is_some_and(|v| v.to_ascii_lowercase().contains("html"));
    if labelled_html || looks_like_html(&response.body) {
        return match title(&response.body) {
            Some(title) => format!("an HTML page titled \"{title}\" ({size})"),
            None => format!("an HTML page ({size})"),
        };
    }
    let folded = fold(&response.body);
    if folded.chars().count() <= MAX_CHARS && !response.truncated {
        return folded;
    }
    let cut: String = folded.chars().take(MAX_CHARS).collect();
    format!("{cut} … ({size})")
}

/// Any text in one line of at most `max` characters: whitespace folded, `…` where it was cut.
pub fn short_text(text: &str, max: usize) -> String {
    let folded = fold(text);
    if folded.chars().count() <= max {
        return folded;
    }
    let cut: String = folded.chars().take(max).collect();
    format!("{cut} … ({} bytes)", group_digits(text.len()))
}

/// Any text in one line of at most about `max` characters, whitespace folded: a longer one keeps its
/// start and its end (where a message often says what to do) and says how much it left out.
pub fn short_middle(text: &str, max: usize) -> String {
    let folded = fold(text);
    let count = folded.chars().count();
    if count <= max {
        return folded;
    }
    let (head, tail) = (max * 3 / 4, max / 4);
    let start: String = folded.chars().take(head).collect();
    let end: String = folded.chars().skip(count - tail).collect();
    format!("{start} … ({} characters left out) … {end}", count - head - tail)
}

/// `3,254 bytes`, or `at least 2,000 bytes` for a body the run cut without saying its length.
fn size(length: Option<usize>, response: &ResponseSummary) -> String {
    match length {
        Some(length) => format!("{} bytes", group_digits(length)),
        None if response.truncated => format!("at least {} bytes", group_digits(response.body.len())),
        None => format!("{} bytes", group_digits(response.body.len())),
    }
}

/// `1234567` as `1,234,567`.
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn looks_like_html(body: &str) -> bool {
    let start: String = body.trim_start().chars().take(15).collect::<String>().to_ascii_lowercase();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}

/// The page's `<title>`, folded, with its common entities decoded, at most 80 characters.
fn title(body: &str) -> Option<String> {
    static TITLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?is)<title[^>]*>(.*?)</title>").expect("a valid pattern"));
    let raw = TITLE.captures(body)?.get(1)?.as_str();
    let decoded = raw
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    let title = fold(&decoded);
    if title.is_empty() {
        return None;
    }
    let cut: String = title.chars().take(80).collect();
    Some(if cut.len() < title.len() { format!("{cut}…") } else { cut })
}

/// Runs of whitespace (newlines included) as one space, ends trimmed.
fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(content_type: &str, body: &str, truncated: bool) -> ResponseSummary {
        ResponseSummary {
            status: 400,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            truncated,
        }
    }

    #[test]
    fn an_html_page_is_its_title_and_size() {
        let lines: Vec<String> = (0..100).map(|n| format!("<p>line {n}</p>")).collect();
        let page = format!(
            "<!DOCTYPE html>\n<html><head><title>\n  400 &amp; Bad\n Request</title></head>{}",
            lines.join("\n")
        );
        let mut answer = response("text/html; charset=utf-8", &page, false);
        assert_eq!(
            short_body(&answer),
            format!("an HTML page titled \"400 & Bad Request\" ({} bytes)", group_digits(page.len()))
        );
        answer.headers = vec![("Content-Length".into(), "12345".into())];
        assert_eq!(short_body(&answer), "an HTML page titled \"400 & Bad Request\" (12,345 bytes)", "unlabelled too");
        let untitled = response("text/html", "<html><body>x</body></html>", true);
        assert_eq!(short_body(&untitled), "an HTML page (at least 27 bytes)");
    }

    #[test]
    fn other_bodies_are_folded_and_cut() {
        assert_eq!(
            short_body(&response("application/json", "{\n  \"error\": \"bad\"\n}", false)),
            r#"{ "error": "bad" }"#
        );
        let long = "x".repeat(2_000);
        let cut = short_body(&response("text/plain", &long, true));
        assert_eq!(cut, format!("{} … (at least 2,000 bytes)", "x".repeat(MAX_CHARS)));
        assert_eq!(short_body(&response("text/plain", "", false)), "");
        assert_eq!(short_text("a\n b", 10), "a b");
        assert_eq!(short_text(&"é".repeat(20), 3), "ééé … (40 bytes)");
        assert_eq!(short_middle("a  b", 10), "a b");
        let long = format!("{} then do this", "x".repeat(1_000));
        let cut = short_middle(&long, 100);
        assert!(
            cut.starts_with(&format!("{} … (", "x".repeat(75)))
                && cut.ends_with(&format!(" … {} then do this", "x".repeat(12))),
            "{cut}"
        );
        assert!(cut.contains("(913 characters left out)"), "{cut}");
        assert_eq!(group_digits(1_234_567), "1,234,567");
        assert_eq!(group_digits(999), "999");
    }
}
