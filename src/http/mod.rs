//! Talking to a target over HTTP: the request as plain data, a client with a timeout and a
//! response-size cap, a `curl` reproduction of every call, and the redaction of secrets from
//! anything printed. This room sends requests; it never decides whether an answer passes.

mod client;
pub mod credential;
mod curl;
mod direct;
mod encodings;
mod mask;
mod redact;
mod request;

pub use client::{HttpClient, HttpResponse, Limits, TransportError, parse_rate};
pub use curl::{USER_AGENT, to_curl};
pub use encodings::MIN_SAFE_LEN;
pub use mask::{
    HIDDEN, Mark, MaskRules, mask_body, mask_digits, mask_header, mask_json, mask_message, mask_phone, mask_request,
    mask_url,
};
pub use redact::{MASK, Redactor};
pub use request::PreparedRequest;
