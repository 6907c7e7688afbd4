//! The forms a secret takes in the text a target answers or conform writes: as it is,
//! URL-encoded (form and path styles, and the sets other encoders keep, with either case of hex
//! digits), JSON-escaped (as it stands inside a JSON string, written by serde and by stricter
//! encoders), HTML-escaped, and base64 (standard and URL-safe, padded or not, and the part of it
//! that stays the same whatever precedes the secret inside a longer encoded text).
//!
//! Masking every form is what keeps an echoed secret out of an artefact: a server that quotes a
//! token in an HTML attribute, a redirect's query string or a JSON string writes it in one of these.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// A secret shorter than this many characters can match text that is not the secret (`ab` is in
/// `table`): it is masked all the same, and the CLI warns at the start of the run.
pub const MIN_SAFE_LEN: usize = 8;

/// Bytes that URL encoders leave as they are, besides ASCII letters and digits: HTML forms and
/// `url`'s form serializer; RFC 3986's unreserved set; JavaScript's `encodeURIComponent`.
const KEPT_BY_ENCODERS: [&[u8]; 3] = [b"*-._", b"-._~", b"!'()*-._~"];

/// Every form of `secret` (itself first), each once. Empty for an empty secret.
pub fn forms(secret: &str) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    let mut out = vec![secret.to_owned()];
    let mut push = |form: String| {
        if !form.is_empty() && !out.contains(&form) {
            out.push(form);
        }
    };
    for kept in KEPT_BY_ENCODERS {
        for lower in [false, true] {
            for plus in [true, false] {
                push(percent_encoded(secret, kept, plus, lower));
            }
        }
    }
    for form in json_escaped(secret) {
        push(form);
    }
    for form in html_escaped(secret) {
        push(form);
    }
    for form in base64_forms(secret.as_bytes()) {
        push(form);
    }
    out
}

/// `text` percent-encoded: letters, digits and `kept` as they are, a space as `+` when `plus`,
/// every other byte as `%XX` (upper- or lower-case hex).
fn percent_encoded(text: &str, kept: &[u8], plus: bool, lower: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || kept.contains(&byte) {
            out.push(byte as char);
        } else if byte == b' ' && plus {
            out.push('+');
        } else if lower {
            out.push_str(&format!("%{byte:02x}"));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// How far a JSON encoder goes beyond the escapes JSON requires.
#[derive(Clone, Copy)]
struct JsonStyle {
    /// Everything outside ASCII as `\uXXXX` (Python's and PHP's default).
    ascii: bool,
    /// `/` as `\/` (PHP).
    slash: bool,
    /// `<`, `>`, `&` as `\u003c`… (Go, for HTML safety).
    html: bool,
    upper_hex: bool,
}

/// `text` as it stands between the quotes of a JSON string, in the styles encoders write.
fn json_escaped(text: &str) -> Vec<String> {
    let styles = [
        JsonStyle { ascii: false, slash: false, html: false, upper_hex: false },
        JsonStyle { ascii: true, slash: false, html: false, upper_hex: false },
        JsonStyle { ascii: true, slash: true, html: false, upper_hex: false },
        JsonStyle { ascii: false, slash: false, html: true, upper_hex: false },
        JsonStyle { ascii: true, slash: true, html: true, upper_hex: true },
    ];
    styles.iter().map(|style| json_escape(text, *style)).collect()
}

fn json_escape(text: &str, style: JsonStyle) -> String {
    let hex = |unit: u16| if style.upper_hex { format!("\\u{unit:04X}") } else { format!("\\u{unit:04x}") };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '/' if style.slash => out.push_str("\\/"),
            '<' | '>' | '&' if style.html => out.push_str(&hex(c as u16)),
            c if (c as u32) < 0x20 => out.push_str(&hex(c as u16)),
            c if style.ascii && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&hex(*unit));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` HTML-escaped, in the styles templating engines write: `&<>` only; `"` too
/// (`&quot;`, PHP's old default); then both quotes, as `&quot;`/`&#39;` (Tornado),
/// `&quot;`/`&#x27;` (Python's `html.escape`, Django), `&#34;`/`&#39;` (Go, Jinja) or
/// `&quot;`/`&#039;` (PHP).
fn html_escaped(text: &str) -> Vec<String> {
    let quotes: [(Option<&str>, Option<&str>); 6] = [
        (None, None),
        (Some("&quot;"), None),
        (Some("&quot;"), Some("&#39;")),
        (Some("&quot;"), Some("&#x27;")),
        (Some("&#34;"), Some("&#39;")),
        (Some("&quot;"), Some("&#039;")),
    ];
    quotes
        .iter()
        .map(|(double, single)| {
            let mut out = String::with_capacity(text.len());
            for c in text.chars() {
                match (c, double, single) {
                    ('&', _, _) => out.push_str("&amp;"),
                    ('<', _, _) => out.push_str("&lt;"),
                    ('>', _, _) => out.push_str("&gt;"),
                    ('"', Some(escaped), _) | ('\'', _, Some(escaped)) => out.push_str(escaped),
                    (c, _, _) => out.push(c),
                }
            }
            out
        })
        .collect()
}

/// `bytes` in base64, standard and URL-safe, padded and not; and, where it is at least
/// [`MIN_SAFE_LEN`] characters long, the part of the encoding that does not depend on what comes
/// before or after the secret in a longer encoded text, at each of the three alignments the secret
/// can have there (a token inside a base64-encoded JSON document or `user:password` pair).
fn base64_forms(bytes: &[u8]) -> Vec<String> {
    let mut out: Vec<String> =
        [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD].iter().map(|e| e.encode(bytes)).collect();
    for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
        for shift in 0..3usize {
            let mut shifted = vec![0u8; shift];
            shifted.extend_from_slice(bytes);
            let encoded = engine.encode(&shifted);
            // The first `shift` bytes touch the first 0, 2 or 3 characters; a last, partial group
            // of three bytes ends with a character that the following byte would change.
            let front = [0, 2, 3][shift];
            let back = usize::from(shifted.len() % 3 != 0);
            if let Some(core) = encoded.get(front..encoded.len().saturating_sub(back))
                && core.len() >= MIN_SAFE_LEN
            {
                out.push(core.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms_cover_form_path_and_component_styles() {
        let forms = forms("a b/c~d");
        for expected in ["a+b%2Fc%7Ed", "a%20b%2Fc%7Ed", "a%20b%2Fc~d", "a%20b%2fc~d", "a+b%2fc%7ed"] {
            assert!(forms.iter().any(|f| f == expected), "{expected} missing from {forms:?}");
        }
    }

    #[test]
    fn json_forms_are_what_encoders_write_inside_a_string() {
        let secret = "t\"o/k<é>\n";
        let forms = forms(secret);
        let serde = serde_json::to_string(secret).unwrap();
        assert!(forms.contains(&serde[1..serde.len() - 1].to_owned()), "serde's own escaping");
        for expected in [r#"t\"o/k<\u00e9>\n"#, r#"t\"o\/k<\u00e9>\n"#, r#"t\"o/k\u003cé\u003e\n"#] {
            assert!(forms.iter().any(|f| f == expected), "{expected} missing from {forms:?}");
        }
        // Every JSON form reads back as the secret.
        for form in json_escaped(secret) {
            assert_eq!(serde_json::from_str::<String>(&format!("\"{form}\"")).unwrap(), secret);
        }
    }

    #[test]
    fn html_forms_escape_markup_and_quotes() {
        let forms = forms("a&b<'\"");
        for expected in ["a&amp;b&lt;'\"", "a&amp;b&lt;&#39;&quot;", "a&amp;b&lt;&#x27;&quot;", "a&amp;b&lt;&#39;&#34;"]
        {
            assert!(forms.iter().any(|f| f == expected), "{expected} missing from {forms:?}");
        }
    }

    #[test]
    fn a_secret_is_found_inside_longer_base64_at_any_alignment() {
        let secret = "tok-93f1a7c2e8";
        let forms = forms(secret);
        for prefix in ["", "u", "us", "user:", "{\"token\":\""] {
            for suffix in ["", "x", "\"}"] {
                let encoded = STANDARD.encode(format!("{prefix}{secret}{suffix}"));
                assert!(forms.iter().any(|f| encoded.contains(f.as_str())), "{prefix}…{suffix}: {encoded}");
            }
        }
        assert!(forms.contains(&STANDARD.encode(secret)) && forms.contains(&URL_SAFE_NO_PAD.encode(secret)));
    }

    #[test]
    fn an_alphanumeric_secret_has_no_url_json_or_html_variants() {
        let secret = "abcdef0123";
        let encoded = base64_forms(secret.as_bytes());
        let others: Vec<String> = forms(secret).into_iter().filter(|f| !encoded.contains(f)).collect();
        assert_eq!(others, [secret]);
        assert!(forms("").is_empty());
    }
}
