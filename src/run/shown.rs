//! How a run shows what it sent and received: secrets given by the user redacted, and phone
//! numbers, codes and tokens masked, unless `--show-secrets`. Results hold only what this made.

use crate::http::{HttpResponse, PreparedRequest, Redactor, mask_body, mask_header, mask_message, mask_request};

use super::result::ResponseSummary;

/// Bodies in results are cut to this many characters.
const MAX_BODY_CHARS: usize = 2_000;

/// How a run shows what it sent and received: user secrets redacted and PII masked, unless
/// `--show-secrets`.
pub struct Shown<'a> {
    pub redactor: &'a Redactor,
    /// `--show-secrets`.
    pub raw: bool,
}

impl Shown<'_> {
    pub fn redactor(&self) -> &Redactor {
        static NONE: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
        if self.raw { NONE.get_or_init(Redactor::default) } else { self.redactor }
    }

    fn text(&self, text: &str) -> String {
        self.redactor().redact(text)
    }

    pub fn message(&self, text: &str) -> String {
        if self.raw { text.to_owned() } else { mask_message(&self.text(text)) }
    }

    pub fn request(&self, request: &PreparedRequest) -> PreparedRequest {
        let redacted = PreparedRequest {
            method: request.method.clone(),
            url: self.text(&request.url),
            headers: request.headers.iter().map(|(n, v)| (n.clone(), self.text(v))).collect(),
            body: request.body_text().map(|b| self.text(&b).into_bytes()),
        };
        if self.raw { redacted } else { mask_request(&redacted) }
    }

    pub fn response(&self, response: &HttpResponse) -> ResponseSummary {
        let text = self.text(&response.body_text());
        let text = if self.raw { text } else { mask_body(&text) };
        let truncated = text.chars().count() > MAX_BODY_CHARS;
        let headers = response
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), if self.raw { self.text(v) } else { mask_header(n, &self.text(v)) }))
            .collect();
        ResponseSummary {
            status: response.status,
            headers,
            body: text.chars().take(MAX_BODY_CHARS).collect(),
            truncated,
        }
    }
}
