//! How a run shows what it sent and received: secrets given by the user redacted, and values
//! masked as the spec marks them (`x-conform-mask`; see `show::mask`), unless `--show-secrets`.
//! Credentials (security schemes, `--header` values, variables) are hidden whatever the spec
//! says, and so are the recipients of message-sending operations. Results hold only what this made.
//! Redaction comes before masking (which could cut a secret into pieces that no longer match)
//! and again after it (masking writes JSON anew, and an escaped secret then reads plainly).
//! Snapshots are always redacted and masked: they are committed.

use std::collections::HashSet;

use serde_json::Value;

use super::{Mark, MaskPolicy, Redactor, mask_body, mask_header, mask_message, mask_request};
use crate::http::{HttpResponse, PreparedRequest};
use crate::snapshot;
use crate::spec::{CredentialLocation, Operation, ParamLocation, RecipientPart, Spec, is_json_media};

use crate::results::ResponseSummary;

/// Bodies in results are cut to this many characters.
const MAX_BODY_CHARS: usize = 2_000;

/// How a run shows one operation's requests and answers: user secrets redacted and values masked,
/// unless `--show-secrets`.
pub struct Shown<'a> {
    pub redactor: &'a Redactor,
    /// `--show-secrets`.
    pub raw: bool,
    /// The operation whose requests and answers are shown; `None` for calls to the sandbox
    /// and messages about no one call, which get the policy of every operation of the spec.
    pub operation: Option<&'a Operation>,
    pub policy: MaskPolicy,
}

/// Whether a schema (or anything below it, through `$ref`s) marks a phone number. `seen`: the
/// definitions walked already (none of them marks one), so that each is walked once.
fn marks_phone<'a>(schema: &'a Value, seen: &mut HashSet<&'a str>) -> bool {
    match schema {
        Value::Object(object) => {
            if Mark::of(schema) == Some(Mark::Phone) {
                return true;
            }
            if let Some(uri) = object.get("$ref").and_then(Value::as_str)
                && let Some(target) = crate::spec::definition(uri)
                && seen.insert(uri)
                && marks_phone(target, seen)
            {
                return true;
            }
            object.values().any(|v| marks_phone(v, seen))
        }
        Value::Array(items) => items.iter().any(|v| marks_phone(v, seen)),
        _ => false,
    }
}

/// Whether any schema of the spec marks a phone number, or an operation sends messages to one.
/// Worked out once per spec.
fn spec_has_phones(spec: &Spec) -> bool {
    *spec.phones.get_or_init(|| {
        let mut seen = HashSet::new();
        spec.operations.iter().any(|op| {
            let schemas = op.parameters.iter().map(|p| &p.schema);
            let schemas = schemas.chain(op.body.iter().flat_map(|b| &b.content).map(|(_, s)| s));
            let mut schemas =
                schemas.chain(op.responses.iter().flat_map(|r| &r.content).filter_map(|(_, s)| s.as_ref()));
            op.side_effect.is_some() || schemas.any(|s| marks_phone(s, &mut seen))
        })
    })
}

/// The masking policy of one operation: its marked parameters, its credentials, its recipients.
pub fn mask_policy(spec: &Spec, operation: &Operation) -> MaskPolicy {
    let mut policy = MaskPolicy { digits: spec_has_phones(spec), ..MaskPolicy::default() };
    for parameter in &operation.parameters {
        let Some(mark) = Mark::of(&parameter.schema) else { continue };
        match parameter.location {
            ParamLocation::Header => policy.headers.insert(parameter.name.to_ascii_lowercase(), mark),
            _ => policy.params.insert(parameter.name.clone(), mark),
        };
    }
    for credential in &operation.credentials {
        match &credential.location {
            CredentialLocation::Header(name) => policy.headers.insert(name.to_ascii_lowercase(), Mark::Secret),
            CredentialLocation::Query(name) => policy.params.insert(name.clone(), Mark::Secret),
            _ => None, // Authorization and Cookie are hidden always
        };
    }
    for part in operation.side_effect.iter().flat_map(|e| e.recipients.iter().flatten()) {
        match part {
            RecipientPart::Body(pointer) => policy.phone_pointers.push(pointer.clone()),
            RecipientPart::Parameter(ParamLocation::Header, name) => {
                policy.headers.entry(name.to_ascii_lowercase()).or_insert(Mark::Phone);
            }
            RecipientPart::Parameter(_, name) => {
                policy.params.entry(name.clone()).or_insert(Mark::Phone);
            }
        }
    }
    policy
}

impl<'a> Shown<'a> {
    pub fn new(redactor: &'a Redactor, raw: bool, spec: &Spec, operation: &'a Operation) -> Self {
        Shown { redactor, raw, operation: Some(operation), policy: mask_policy(spec, operation) }
    }

    /// Shows what belongs to no one operation (sandbox calls, scenario messages) with the policy
    /// of every operation of the spec together.
    pub fn for_spec(redactor: &'a Redactor, raw: bool, spec: &Spec) -> Self {
        let mut merged = MaskPolicy { digits: spec_has_phones(spec), ..MaskPolicy::default() };
        for operation in &spec.operations {
            let one = mask_policy(spec, operation);
            merged.headers.extend(one.headers);
            merged.params.extend(one.params);
            merged.phone_pointers.extend(one.phone_pointers);
        }
        Shown { redactor, raw, operation: None, policy: merged }
    }

    pub fn redactor(&self) -> &Redactor {
        static NONE: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
        if self.raw { NONE.get_or_init(Redactor::default) } else { self.redactor }
    }

    fn text(&self, text: &str) -> String {
        self.redactor().redact(text)
    }

    /// The JSON schema documented for an answer with this status.
    fn response_schema(&self, status: Option<u16>) -> Option<&Value> {
        let response = self.operation?.response_for(status?)?;
        response.content.iter().find(|(media, _)| is_json_media(media)).and_then(|(_, s)| s.as_ref())
    }

    /// A message about the answer with `status` (or about no answer), masked like that answer's body.
    /// Redacted, masked, and redacted again: masking writes the JSON values a message quotes anew.
    pub fn message(&self, text: &str, status: Option<u16>) -> String {
        if self.raw {
            text.to_owned()
        } else {
            self.text(&mask_message(&self.text(text), self.response_schema(status), &self.policy))
        }
    }

    /// A request with secrets redacted (each text, URL, header and body).
    fn redacted(&self, request: &PreparedRequest) -> PreparedRequest {
        PreparedRequest {
            method: request.method.clone(),
            url: self.text(&request.url),
            headers: request.headers.iter().map(|(n, v)| (n.clone(), self.text(v))).collect(),
            body: request.body_text().map(|b| self.text(&b).into_bytes()),
        }
    }

    /// The request as reports show it: redacted, masked, and redacted again (masking writes a
    /// JSON body anew, and a secret a client escaped as `\u0041…` reads plainly then).
    pub fn request(&self, request: &PreparedRequest) -> PreparedRequest {
        let redacted = self.redacted(request);
        if self.raw {
            return redacted;
        }
        let schema = self.operation.and_then(|o| o.body.as_ref()).and_then(|b| b.json()).map(|(_, s)| s);
        self.redacted(&mask_request(&redacted, schema, &self.policy))
    }

    /// An answer's snapshot: status, kept headers and body, normalized ([`snapshot::normalize`]),
    /// secrets redacted and values masked even under `--show-secrets` (a snapshot is committed).
    pub fn snapshot(&self, response: &HttpResponse, known: &[snapshot::KnownValue]) -> String {
        let redact = |text: &str| self.redactor.redact(text);
        let body = redact(&response.body_text());
        let body = redact(&mask_body(&body, self.response_schema(Some(response.status)), &self.policy));
        let headers: Vec<(String, String)> = response.headers.iter().map(|(n, v)| (n.clone(), redact(v))).collect();
        redact(&snapshot::normalize(response.status, &headers, &body, known))
    }

    /// A snapshot's outcome with secrets redacted from what it quotes: the committed side of a
    /// diff comes from a file, which an older conform may have written with a secret in it.
    pub fn snapshot_outcome(&self, outcome: snapshot::Comparison) -> snapshot::Comparison {
        let redact = |text: &str| self.redactor.redact(text);
        let verdict = match outcome.verdict {
            snapshot::Match::Error(message) => snapshot::Match::Error(redact(&message)),
            other => other,
        };
        snapshot::Comparison {
            content: redact(&outcome.content),
            diff: outcome.diff.as_deref().map(redact),
            verdict,
            ..outcome
        }
    }

    pub fn response(&self, response: &HttpResponse) -> ResponseSummary {
        let text = self.text(&response.body_text());
        let schema = self.response_schema(Some(response.status));
        let text = if self.raw { text } else { self.text(&mask_body(&text, schema, &self.policy)) };
        self.response_showing(response, text)
    }

    /// `response` with `body` shown in place of its own (already fit to be shown), for an answer
    /// whose body is summarised rather than masked.
    pub fn response_showing(&self, response: &HttpResponse, text: String) -> ResponseSummary {
        let truncated = text.chars().count() > MAX_BODY_CHARS;
        let headers = response
            .headers
            .iter()
            .map(|(n, v)| {
                (n.clone(), if self.raw { self.text(v) } else { mask_header(n, &self.text(v), &self.policy) })
            })
            .collect();
        ResponseSummary {
            status: response.status,
            headers,
            body: text.chars().take(MAX_BODY_CHARS).collect(),
            truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec {
        let path = std::path::Path::new("phones.yaml");
        crate::spec::spec_from_document(path, crate::spec::parse_resolved(path, text).unwrap()).unwrap()
    }

    const SECRET: &str = "s3cr3t-t0ken/42";

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body: body.as_bytes().to_vec(),
            elapsed: std::time::Duration::ZERO,
        }
    }

    fn echo_spec() -> Spec {
        spec(
            "openapi: 3.1.0\npaths:\n  /a:\n    post:\n      requestBody: {content: {application/json: {schema: {type: object}}}}\n      responses: {'200': {description: ok, content: {application/json: {schema: {type: object, required: [x]}}}}}\n",
        )
    }

    #[test]
    fn a_secret_that_masking_decodes_is_redacted_after_it() {
        // `\u0073` is `s`: the raw text holds no form of the secret, the JSON masking writes anew does.
        let escaped = format!("{{\"echo\":\"\\u0073{}\"}}", &SECRET[1..]);
        let (redactor, spec) = (Redactor::new([SECRET]), echo_spec());
        let show = Shown::new(&redactor, false, &spec, &spec.operations[0]);
        let body = show.response(&answer(200, &[], &escaped)).body;
        assert_eq!(body, r#"{"echo":"[REDACTED]"}"#);
        let message = show.message(&format!("(root): {escaped} is not valid"), Some(200));
        assert!(!message.contains(SECRET) && message.contains("[REDACTED]"), "{message}");
        let request = PreparedRequest::new("POST", "http://h/a").body(escaped.clone());
        assert_eq!(show.request(&request).body_text().unwrap(), r#"{"echo":"[REDACTED]"}"#);
        // Under --show-secrets, nothing is hidden.
        let raw = Shown::new(&redactor, true, &spec, &spec.operations[0]);
        assert_eq!(raw.response(&answer(200, &[], &escaped)).body, escaped);
    }

    #[test]
    fn a_transport_error_quoting_a_url_is_redacted() {
        let (redactor, spec) = (Redactor::new([SECRET]), echo_spec());
        let show = Shown::for_spec(&redactor, false, &spec);
        let encoded: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
        let message = format!("no answer from the target: could not connect to http://h/a?key={encoded}: refused");
        assert_eq!(
            show.message(&message, None),
            "no answer from the target: could not connect to http://h/a?key=[REDACTED]: refused"
        );
    }

    #[test]
    fn snapshots_redact_kept_headers_and_committed_diffs_even_under_show_secrets() {
        let (redactor, spec) = (Redactor::new([SECRET]), echo_spec());
        let show = Shown::new(&redactor, true, &spec, &spec.operations[0]);
        let response = answer(200, &[("content-type", &format!("application/json; t={SECRET}"))], "{}");
        let content = show.snapshot(&response, &[]);
        assert!(content.contains("application/json; t=[REDACTED]") && !content.contains(SECRET), "{content}");
        let outcome = snapshot::Comparison {
            id: "a::b".into(),
            content: content.clone(),
            path: Some("snaps/a__b.snap".into()),
            verdict: snapshot::Match::Changed,
            diff: Some(format!("-  content-type: application/json; t={SECRET}\n+{content}")),
            pending: None,
        };
        let shown = show.snapshot_outcome(outcome);
        assert!(!shown.diff.as_deref().unwrap().contains(SECRET), "{:?}", shown.diff);
        assert!(shown.failure().is_some_and(|f| !f.message.contains(SECRET)));
    }

    #[test]
    fn a_phone_marked_behind_a_ref_masks_digits_in_the_whole_spec() {
        let marked = spec(
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n  /b:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Contact'}}}}\n      responses: {'200': {description: ok}}\ncomponents:\n  schemas:\n    Contact: {type: object, properties: {to: {$ref: '#/components/schemas/Phone'}}}\n    Phone: {type: string, x-conform-mask: phone}\n",
        );
        assert!(mask_policy(&marked, &marked.operations[0]).digits, "the mark sits two $refs down another operation");
        let plain = spec(
            "openapi: 3.1.0\npaths:\n  /b:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}\n      responses: {'200': {description: ok}}\ncomponents:\n  schemas:\n    Node: {type: object, properties: {next: {$ref: '#/components/schemas/Node'}}}\n",
        );
        assert!(!mask_policy(&plain, &plain.operations[0]).digits, "a recursive schema without a mark ends, unmarked");
    }
}
