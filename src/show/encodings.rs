//! The forms a secret takes in the text a target answers or conform writes, as one regular
//! expression per secret ([`pattern`]). Every character that is not an ASCII letter or digit may
//! stand as itself or escaped, each character on its own, as encoders mix them: percent-encoded
//! (either case of hex, a space as `+`, and percent-encoded twice), JSON-escaped (`\/`, `\"`,
//! `\uXXXX`), or an HTML entity (named, decimal or hex). So Python's `quote()` (which keeps `/`),
//! `encodeURIComponent` (which keeps `!'()*`), PHP's `json_encode` (`\/`) and Jinja's `&#34;`
//! are all one pattern, and so is any encoder nobody listed. Base64 (standard and URL-safe,
//! padded or not, and the part of it that stays the same whatever precedes the secret inside a
//! longer encoded text) is a set of literal alternatives.
//!
//! Masking every form is what keeps an echoed secret out of an artefact: a server that quotes a
//! token in an HTML attribute, a redirect's query string or a JSON string writes it in one of these.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// A secret shorter than this many characters can match text that is not the secret (`ab` is in
/// `table`): it is masked all the same, and the CLI warns at the start of the run.
pub const MIN_SAFE_LEN: usize = 8;

/// The regular expression (for the `regex` crate) that matches `secret` in every form: each
/// character as itself or escaped, or the secret's base64. Empty for an empty secret.
pub fn pattern(secret: &str) -> String {
    if secret.is_empty() {
        return String::new();
    }
    let mut escaped = String::new();
    for c in secret.chars() {
        if c.is_ascii_alphanumeric() {
            escaped.push(c);
        } else {
            escaped.push_str(&format!("(?:{})", character_forms(c).join("|")));
        }
    }
    let mut alternatives = vec![escaped];
    for form in base64_forms(secret.as_bytes()) {
        let form = regex::escape(&form);
        if !alternatives.contains(&form) {
            alternatives.push(form);
        }
    }
    alternatives.join("|")
}

/// The ways one character is written in text, as regular expressions.
fn character_forms(c: char) -> Vec<String> {
    let mut forms = vec![regex::escape(&c.to_string())];
    let mut utf8 = [0u8; 4];
    let bytes = c.encode_utf8(&mut utf8).as_bytes();
    // Percent-encoded, once or twice (`%2F`, `%252f`), byte by byte.
    forms.push(bytes.iter().map(|b| format!("%(?:25)?(?i:{b:02x})")).collect());
    if c == ' ' {
        forms.push(r"\+".to_owned());
    }
    // JSON: the short escapes, then `\uXXXX` per UTF-16 unit.
    let short = match c {
        '"' => Some(r#"\\""#),
        '\\' => Some(r"\\\\"),
        '/' => Some(r"\\/"),
        '\n' => Some(r"\\n"),
        '\r' => Some(r"\\r"),
        '\t' => Some(r"\\t"),
        '\u{8}' => Some(r"\\b"),
        '\u{c}' => Some(r"\\f"),
        _ => None,
    };
    forms.extend(short.map(str::to_owned));
    let mut units = [0u16; 2];
    forms.push(c.encode_utf16(&mut units).iter().map(|u| format!(r"\\u(?i:{u:04x})")).collect());
    // HTML: a named entity where there is one, and the numeric ones.
    let named = match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        '/' => Some("&sol;"),
        '=' => Some("&equals;"),
        '+' => Some("&plus;"),
        _ => None,
    };
    forms.extend(named.map(str::to_owned));
    let code = u32::from(c);
    forms.push(format!("&#0*{code};"));
    forms.push(format!("&#[xX]0*(?i:{code:x});"));
    forms
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
    use regex::Regex;

    use super::*;

    /// Whether `text` is, whole, a form of `secret`.
    fn is_form(secret: &str, text: &str) -> bool {
        Regex::new(&format!("^(?:{})$", pattern(secret))).unwrap().is_match(text)
    }

    #[test]
    fn url_forms_cover_every_encoder_and_their_mixtures() {
        let secret = "a b/c~d+e";
        for form in [
            "a+b%2Fc%7Ed%2Be",   // HTML forms
            "a%20b%2Fc%7Ed%2Be", // path style
            "a%20b%2Fc~d%2Be",   // RFC 3986 unreserved kept
            "a%20b/c~d%2Be",     // Python's quote(): `/` kept, `+` encoded
            "a%20b%2fc~d%2be",   // lower-case hex
            "a%2520b%252Fc~d+e", // percent-encoded twice, `+` kept
        ] {
            assert!(is_form(secret, form), "{form} is a form of {secret}");
        }
        assert!(!is_form(secret, "a b%2Fc~d e"), "a space is not a `+`");
    }

    #[test]
    fn json_forms_are_what_encoders_write_inside_a_string() {
        let secret = "t\"o/k<é>\n😀";
        let serde = serde_json::to_string(secret).unwrap();
        assert!(is_form(secret, &serde[1..serde.len() - 1]), "serde's own escaping");
        for form in [r#"t\"o/k<\u00e9>\n\ud83d\ude00"#, r#"t\"o\/k<\u00E9>\n😀"#, r#"t\"o/k\u003cé\u003e\u000a😀"#]
        {
            assert!(is_form(secret, form), "{form}");
            let read: String = serde_json::from_str(&format!("\"{form}\"")).unwrap();
            assert_eq!(read, secret, "a JSON form reads back as the secret");
        }
    }

    #[test]
    fn html_forms_escape_markup_and_quotes() {
        let secret = "a&b<'\"/";
        for form in [
            "a&amp;b&lt;'\"/",
            "a&amp;b&lt;&#39;&quot;/",
            "a&amp;b&lt;&#x27;&quot;&#x2f;",
            "a&amp;b&lt;&#039;&#34;&#47;",
            "a&#38;b&#X3C;&apos;&quot;&sol;",
        ] {
            assert!(is_form(secret, form), "{form}");
        }
    }

    #[test]
    fn a_secret_is_found_inside_longer_base64_at_any_alignment() {
        let secret = "tok-93f1a7c2e8";
        let found = Regex::new(&pattern(secret)).unwrap();
        for prefix in ["", "u", "us", "user:", "{\"token\":\""] {
            for suffix in ["", "x", "\"}"] {
                let encoded = STANDARD.encode(format!("{prefix}{secret}{suffix}"));
                assert!(found.is_match(&encoded), "{prefix}…{suffix}: {encoded}");
            }
        }
        assert!(is_form(secret, &STANDARD.encode(secret)) && is_form(secret, &URL_SAFE_NO_PAD.encode(secret)));
    }

    #[test]
    fn an_alphanumeric_secret_is_itself_or_its_base64() {
        let secret = "abcdef0123";
        assert!(pattern(secret).starts_with("abcdef0123|"));
        assert!(is_form(secret, secret) && !is_form(secret, "abcdef012"));
        assert!(!is_form(secret, "%61bcdef0123"), "encoders leave letters and digits as they are");
        assert!(pattern("").is_empty());
    }
}
