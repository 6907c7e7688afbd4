//! Talking to a target over HTTP: the request as plain data, and a client with a timeout and a
//! response-size cap. This room sends requests; it never decides whether an answer passes, and
//! it does not show them (redaction, masking and the `curl` line are in `crate::show`).

mod client;
pub mod credential;
mod direct;
mod listening;
mod request;

pub use client::{HttpClient, HttpResponse, Limits, TransportError, parse_rate};
pub use listening::still_listening;
pub use request::{PreparedRequest, USER_AGENT};
