//! Secret redaction: every value given as a variable or a header (and each part of a credential
//! that is a secret by itself, see [`crate::http::credential`]) is masked wherever it is printed
//! (console, reports, snapshots, curl lines, messages), in every form it takes in text
//! ([`super::encodings`]): raw, URL-encoded, JSON- and HTML-escaped (each character on its own,
//! as encoders mix them), base64.

use regex::{Regex, RegexBuilder};

use super::encodings;

/// What a secret is replaced with.
pub const MASK: &str = "[REDACTED]";

/// The most memory one secret's compiled pattern may take. A secret whose every form does not
/// fit (one of many kilobytes of punctuation) is matched as itself and its base64 only.
const PATTERN_BYTES: usize = 32 << 20;

/// The secrets of a run, each matched in all its forms. Its `Debug` shows how many, never which.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every secret, each once, sorted.
    secrets: Vec<String>,
    /// One pattern per secret, in the same order ([`encodings::pattern`]).
    patterns: Vec<Regex>,
}

impl PartialEq for Redactor {
    fn eq(&self, other: &Self) -> bool {
        self.secrets == other.secrets
    }
}

impl Eq for Redactor {}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

/// The compiled pattern of one secret: every form, or, when that is too big to compile, the
/// secret itself (so it is never left unmasked).
fn compile(secret: &str) -> Regex {
    RegexBuilder::new(&encodings::pattern(secret))
        .size_limit(PATTERN_BYTES)
        .build()
        .unwrap_or_else(|_| Regex::new(&regex::escape(secret)).expect("an escaped literal is a valid pattern"))
}

impl Redactor {
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut redactor = Redactor::default();
        for secret in secrets {
            redactor.add(secret);
        }
        redactor
    }

    /// Adds a secret, to be matched in all its forms. Empty values are ignored. A short one is
    /// masked too, inside other words if need be (see [`encodings::MIN_SAFE_LEN`]): that is the
    /// safe failure.
    pub fn add(&mut self, secret: impl Into<String>) {
        let secret = secret.into();
        if secret.is_empty() {
            return;
        }
        if let Err(at) = self.secrets.binary_search(&secret) {
            self.patterns.insert(at, compile(&secret));
            self.secrets.insert(at, secret);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every occurrence of every form of every secret replaced by [`MASK`];
    /// overlapping occurrences become one mask. A mask already in `text` is left as it is: a
    /// secret that is part of the mask's own text (`RED`) is not masked again inside it.
    pub fn redact(&self, text: &str) -> String {
        if self.secrets.is_empty() {
            return text.to_owned();
        }
        let masks: Vec<(usize, usize)> = text.match_indices(MASK).map(|(at, m)| (at, at + m.len())).collect();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for pattern in &self.patterns {
            for found in pattern.find_iter(text) {
                let span = (found.start(), found.end());
                if !masks.iter().any(|&(start, end)| start <= span.0 && span.1 <= end) {
                    spans.push(span);
                }
            }
        }
        if spans.is_empty() {
            return text.to_owned();
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        let mut open: Option<(usize, usize)> = None;
        for (start, end) in spans {
            match &mut open {
                Some((_, open_end)) if start < *open_end => *open_end = (*open_end).max(end),
                _ => {
                    if let Some((open_start, open_end)) = open.take() {
                        out.push_str(&text[done..open_start]);
                        out.push_str(MASK);
                        done = open_end;
                    }
                    open = Some((start, end));
                }
            }
        }
        if let Some((open_start, open_end)) = open {
            out.push_str(&text[done..open_start]);
            out.push_str(MASK);
            done = open_end;
        }
        out.push_str(&text[done..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn masks_raw_and_encoded_forms() {
        let redactor = Redactor::new(["s3cr3t", "a b&c", ""]);
        assert_eq!(redactor.redact("token=s3cr3t;"), "token=[REDACTED];");
        assert_eq!(redactor.redact("?q=a+b%26c"), "?q=[REDACTED]");
        assert_eq!(redactor.redact("/p/a%20b%26c/x"), "/p/[REDACTED]/x");
        assert_eq!(redactor.redact("<p data-t=\"a b&amp;c\">"), "<p data-t=\"[REDACTED]\">");
        assert_eq!(redactor.redact("{\"t\":\"a b\\u0026c\"}"), "{\"t\":\"[REDACTED]\"}");
        assert_eq!(redactor.redact(&format!("b64 {}", STANDARD.encode("s3cr3t"))), "b64 [REDACTED]");
        assert_eq!(redactor.redact("nothing here"), "nothing here");
    }

    #[test]
    fn masks_inside_longer_words_rather_than_leak() {
        // Over-masking is the safe failure: a secret glued to other text is still masked.
        let redactor = Redactor::new(["tok"]);
        assert_eq!(redactor.redact("token=tok"), "[REDACTED]en=[REDACTED]");
    }

    #[test]
    fn overlapping_secrets_become_one_mask() {
        let redactor = Redactor::new(["abc", "abcdef", "defgh"]);
        assert_eq!(redactor.redact("xabcdefghx abc"), "x[REDACTED]x [REDACTED]");
    }

    #[test]
    fn redacting_twice_changes_nothing_even_for_a_secret_inside_the_mask() {
        let redactor = Redactor::new(["RED", "ACT"]);
        let once = redactor.redact("a RED ACTor");
        assert_eq!(once, "a [REDACTED] [REDACTED]or");
        assert_eq!(redactor.redact(&once), once);
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let shown = format!("{:?}", Redactor::new(["hunter2-very-secret"]));
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    /// Every form a test knows a secret by, computed here with the encoders themselves rather
    /// than with the redactor's list.
    fn known_forms(secret: &str) -> Vec<String> {
        let json = serde_json::to_string(secret).unwrap();
        vec![
            secret.to_owned(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>().replace('+', "%20"),
            json[1..json.len() - 1].to_owned(),
            secret.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;"),
            STANDARD.encode(secret),
            URL_SAFE_NO_PAD.encode(secret),
            python_quote(secret),
            python_quote(secret).replace('/', "&#x2f;"),
        ]
    }

    /// Python's `urllib.parse.quote`: letters, digits, `_.-~` and `/` kept, the rest `%XX`
    /// (what Jupyter Server's pages write a token as).
    fn python_quote(text: &str) -> String {
        text.bytes()
            .map(|b| match b {
                b if b.is_ascii_alphanumeric() || b"_.-~/".contains(&b) => (b as char).to_string(),
                b => format!("%{b:02X}"),
            })
            .collect()
    }

    proptest! {
        // Whatever the secret and wherever its forms sit, no stretch of the output between two
        // masks holds any form of it.
        #[test]
        fn no_secret_survives_in_any_of_its_forms(
            secret in "[ -~]{1,20}|[a-zA-Z0-9é€😀/+=&<>\"' %-]{1,16}",
            before in "[ -~]{0,30}",
            between in "[ -~]{0,10}",
            after in "[ -~]{0,30}",
            other in "[a-z0-9]{8,16}",
        ) {
            let redactor = Redactor::new([secret.clone(), other.clone()]);
            let forms = known_forms(&secret);
            let text = format!("{before}{}{between}{}{after}{other}", forms.join(&between), forms[0]);
            let out = redactor.redact(&text);
            for piece in out.split(MASK) {
                for form in forms.iter().chain([&other]) {
                    prop_assert!(!piece.contains(form.as_str()), "{form:?} survived in {out:?}");
                }
            }
        }

        // A secret long enough to be safe leaves text that does not hold it untouched: none of
        // its forms is short enough to turn up by chance.
        #[test]
        fn unrelated_text_is_not_mangled(secret in "[!-~]{8,32}", text in "[ -~\n]{0,300}") {
            prop_assume!(!text.contains(secret.as_str()));
            prop_assert_eq!(Redactor::new([secret]).redact(&text), text);
        }
    }
}
