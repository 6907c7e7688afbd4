//! Secret redaction: every value given as a variable or header is a secret, masked wherever it is
//! printed (console, reports, snapshots, curl lines), in its raw and its percent-encoded forms.

/// What a secret is replaced with.
pub const MASK: &str = "[REDACTED]";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    /// Longest first, so that a secret containing another is masked whole.
    secrets: Vec<String>,
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

    /// Adds a secret (and its percent-encoded form, as it appears in URLs). Empty values are ignored.
    pub fn add(&mut self, secret: impl Into<String>) {
        let secret = secret.into();
        if secret.is_empty() {
            return;
        }
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let path_encoded = encoded.replace('+', "%20");
        for form in [secret, encoded, path_encoded] {
            if !self.secrets.contains(&form) {
                self.secrets.push(form);
            }
        }
        self.secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every secret replaced by [`MASK`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_raw_and_encoded_forms() {
        let redactor = Redactor::new(["s3cr3t", "a b&c", ""]);
        assert_eq!(redactor.redact("token=s3cr3t;"), "token=[REDACTED];");
        assert_eq!(redactor.redact("?q=a+b%26c"), "?q=[REDACTED]");
        assert_eq!(redactor.redact("/p/a%20b%26c/x"), "/p/[REDACTED]/x");
        assert_eq!(redactor.redact("nothing here"), "nothing here");
    }

    #[test]
    fn masks_inside_longer_words_rather_than_leak() {
        // Over-masking is the safe failure: a secret glued to other text is still masked.
        let redactor = Redactor::new(["tok"]);
        assert_eq!(redactor.redact("token=tok"), "[REDACTED]en=[REDACTED]");
    }

    proptest::proptest! {
        // Secrets from [a-z0-9] cannot overlap the mask, so after redaction none may remain.
        #[test]
        fn no_secret_survives_redaction(secret in "[a-z0-9]{1,24}", before in "[ -~]{0,40}", after in "[ -~]{0,40}") {
            let redactor = Redactor::new([secret.clone()]);
            let out = redactor.redact(&format!("{before}{secret}{after}"));
            proptest::prop_assert!(!out.contains(&secret), "{secret:?} survived in {out:?}");
            proptest::prop_assert!(out.contains(MASK));
        }
    }

    #[test]
    fn longest_secret_first() {
        let redactor = Redactor::new(["abc", "abcdef"]);
        assert_eq!(redactor.redact("xabcdefx abc"), "x[REDACTED]x [REDACTED]");
    }
}
