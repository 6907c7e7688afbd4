//! What inside a credential is a secret by itself: a server that echoes `Authorization: token
//! <secret>` quotes the token, not the header. The part after an auth scheme word (`Bearer`,
//! `token`, `Basic`, any word), for Basic the decoded `user:password` and the password alone, and
//! the value of each cookie of a `Cookie` header.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// Headers whose value is a credential whatever the spec says (lower case).
pub const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// What a [`Part`] is, to name it in a warning without showing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartKind {
    /// What follows the scheme word (`token`, `Bearer`, …).
    AfterScheme(String),
    /// Basic's `user:password`, decoded.
    BasicPair,
    /// Basic's password alone.
    Password,
    /// The value of the named cookie.
    Cookie(String),
}

/// A part of a credential that is a secret by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub kind: PartKind,
    pub value: String,
}

impl Part {
    /// How a warning names the part of the credential that `source` gave (`--header Authorization`).
    pub fn describe(&self, source: &str) -> String {
        match &self.kind {
            PartKind::AfterScheme(word) => format!("the credential after `{word}` in {source}"),
            PartKind::BasicPair => format!("the decoded user:password of {source}"),
            PartKind::Password => format!("the password of {source}"),
            PartKind::Cookie(name) => format!("cookie `{name}` of {source}"),
        }
    }
}

/// An RFC 9110 token character: what an auth scheme word is made of.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// The parts of an `Authorization`-style value (`<scheme> <credential>`): the credential after
/// the scheme word, and for Basic the decoded pair and its password. None for a value without a
/// scheme word (it is one secret, whole).
pub fn after_scheme(value: &str) -> Vec<Part> {
    let value = value.trim();
    let Some((word, rest)) = value.split_once(|c: char| c.is_ascii_whitespace()) else { return Vec::new() };
    let rest = rest.trim();
    if word.is_empty() || rest.is_empty() || !word.chars().all(is_token_char) {
        return Vec::new();
    }
    let mut parts = vec![Part { kind: PartKind::AfterScheme(word.to_owned()), value: rest.to_owned() }];
    if word.eq_ignore_ascii_case("basic") {
        let decoded = [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(rest).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok());
        if let Some(pair) = decoded {
            parts.extend(password(&pair));
            parts.push(Part { kind: PartKind::BasicPair, value: pair });
        }
    }
    parts
}

/// The password of a `user:password` pair, if it has one.
pub fn password(pair: &str) -> Option<Part> {
    let (_, password) = pair.split_once(':')?;
    (!password.is_empty()).then(|| Part { kind: PartKind::Password, value: password.to_owned() })
}

/// The value of each cookie of a `Cookie` header (`a=1; b=2`).
pub fn cookies(value: &str) -> Vec<Part> {
    value
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(name, v)| Part { kind: PartKind::Cookie(name.trim().to_owned()), value: v.trim().to_owned() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(parts: &[Part]) -> Vec<&str> {
        parts.iter().map(|p| p.value.as_str()).collect()
    }

    #[test]
    fn the_part_after_any_scheme_word_is_a_secret() {
        assert_eq!(values(&after_scheme("token 9f3c…e1")), ["9f3c…e1"]);
        assert_eq!(values(&after_scheme("Bearer  abc.def ")), ["abc.def"]);
        assert_eq!(
            after_scheme("Bearer abc")[0].describe("--header Authorization"),
            "the credential after `Bearer` in --header Authorization"
        );
        assert!(after_scheme("abcdef").is_empty(), "no scheme word: the value is one secret");
        assert!(after_scheme("a=b, c d").is_empty(), "`a=b,` is not a scheme word");
    }

    #[test]
    fn basic_gives_its_pair_and_password() {
        let encoded = STANDARD.encode("alice:s3cr3t:with:colons");
        let parts = after_scheme(&format!("basic {encoded}"));
        assert_eq!(values(&parts), [encoded.as_str(), "s3cr3t:with:colons", "alice:s3cr3t:with:colons"]);
        assert_eq!(parts[1].describe("--var basic"), "the password of --var basic");
        assert_eq!(values(&after_scheme("Basic not-base64!")), ["not-base64!"], "undecodable: the credential only");
        assert_eq!(password("user:"), None);
    }

    #[test]
    fn each_cookie_value_is_a_secret() {
        let parts = cookies("session=abc123; theme=; id = 42 ");
        assert_eq!(values(&parts), ["abc123", "42"]);
        assert_eq!(parts[1].kind, PartKind::Cookie("id".into()));
    }
}
