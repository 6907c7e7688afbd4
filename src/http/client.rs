//! The HTTP client: a per-request timeout, no redirects (the status a target answers is the
//! status checked), and a cap on the response size read into memory. Plain `http://` requests
//! take the lean path of `direct.rs`; https, and any request when the environment names a proxy,
//! go through reqwest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;

use super::PreparedRequest;
use super::direct::DirectClient;

/// Bounds on every call. A hostile or broken target produces an error, never a hang or unbounded memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub timeout: Duration,
    pub max_response_bytes: usize,
    /// `--rate-limit`: at least this long between the starts of two requests.
    pub min_interval: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(10), max_response_bytes: 1024 * 1024, min_interval: None }
    }
}

/// Parses `--rate-limit`: `N/s` or `N/m` (N > 0), into the interval between two requests.
pub fn parse_rate(text: &str) -> Result<Duration, String> {
    let error = || format!("`{text}`: expected a rate such as 5/s or 30/m");
    let (count, unit) = text.trim().split_once('/').ok_or_else(error)?;
    let count: f64 = count.trim().parse().map_err(|_| error())?;
    let per = match unit.trim() {
        "s" => 1.0,
        "m" => 60.0,
        _ => return Err(error()),
    };
    if !(count.is_finite() && count > 0.0 && count <= 100_000.0) {
        return Err(format!("`{text}`: the count must be above 0 and at most 100000"));
    }
    Ok(Duration::from_secs_f64(per / count))
}

/// An answer, read whole (within the size cap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    /// Names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

impl HttpResponse {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why no answer could be read. These are harness errors, not contract failures... except that a
/// target which stalls or floods is itself misbehaving; the caller decides which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("could not connect to {url}: {message}")]
    Connect { url: String, message: String },
    #[error("no complete answer within {millis} ms (--timeout)")]
    Timeout { millis: u64 },
    #[error("the response is larger than the {limit}-byte cap (--max-response-bytes)")]
    TooLarge { limit: usize },
    /// The target closed or reset the connection before any status line: no answer at all,
    /// though the connection was made (not a refusal, not a timeout conform set).
    #[error("the connection was closed before any answer ({message})")]
    Dropped { message: String },
    /// The target answered, but with bytes that are not an HTTP/1.1 answer head (RFC 9112): a
    /// status code that is not three digits, a field value holding NUL, CR or LF, a bad
    /// `Content-Length`. `message` is the parser's own words.
    #[error("the answer is not valid HTTP ({message})")]
    Malformed { message: String },
    #[error("{0}")]
    Other(String),
}

#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    /// The lean path for plain http; `None` when a proxy is set (see [`DirectClient::new`]).
    direct: Option<DirectClient>,
    limits: Limits,
    /// When the next request may start, under `--rate-limit`; shared by every clone.
    next_slot: Arc<tokio::sync::Mutex<Instant>>,
}

impl HttpClient {
    pub fn new(limits: Limits) -> Result<Self, TransportError> {
        let mut client = Self::general(limits)?;
        client.direct = DirectClient::new(&limits);
        Ok(client)
    }

    /// A client that sends every request through reqwest, as when a proxy is set. Tests hold
    /// both paths to one behaviour with it.
    pub fn general(limits: Limits) -> Result<Self, TransportError> {
        let inner = reqwest::Client::builder()
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(super::USER_AGENT)
            .build()
            .map_err(|e| TransportError::Other(e.to_string()))?;
        Ok(Self { inner, direct: None, limits, next_slot: Arc::new(tokio::sync::Mutex::new(Instant::now())) })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Waits for this request's slot under `--rate-limit`.
    async fn pace(&self) {
        let Some(interval) = self.limits.min_interval else { return };
        let start = {
            let mut next = self.next_slot.lock().await;
            let start = (*next).max(Instant::now());
            *next = start + interval;
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }

    pub async fn send(&self, request: &PreparedRequest) -> Result<HttpResponse, TransportError> {
        self.pace().await;
        if let Some(direct) = &self.direct
            && let Some(uri) = DirectClient::accepts(&request.url)
        {
            return direct.send(request, uri, &self.limits).await;
        }
        let mut builder = self.inner.request(method_of(request)?, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let started = Instant::now();
        let mut response = builder.send().await.map_err(|e| self.classify(e, &request.url))?;
        let (status, headers) = (response.status().as_u16(), headers_of(response.headers()));
        let mut body = CappedBody::new(response.content_length(), self.limits.max_response_bytes)?;
        // A connection lost within the body came after the status line: the target did answer.
        let in_body = |e: reqwest::Error| match self.classify(e, &request.url) {
            TransportError::Dropped { message } => {
                TransportError::Other(format!("the answer was cut short: {message}"))
            }
            other => other,
        };
        while let Some(chunk) = response.chunk().await.map_err(in_body)? {
            body.push(&chunk)?;
        }
        Ok(HttpResponse { status, headers, body: body.read, elapsed: started.elapsed() })
    }

    fn classify(&self, error: reqwest::Error, url: &str) -> TransportError {
        if error.is_timeout() {
            TransportError::timeout(&self.limits)
        } else if error.is_connect() {
            // The root cause says what happened ("Connection refused (os error 111)"); the
            // layers above it only say "client error (Connect)".
            TransportError::Connect { url: url.to_owned(), message: root_cause(&error).to_string() }
        } else if error.is_builder() {
            TransportError::InvalidRequest(error.to_string())
        } else if let Some(message) = malformed(&error) {
            TransportError::Malformed { message }
        } else if let Some(message) = dropped(&error) {
            TransportError::Dropped { message }
        } else {
            TransportError::Other(error.to_string())
        }
    }
}

impl TransportError {
    /// No complete answer within the `--timeout` of `limits`.
    pub(super) fn timeout(limits: &Limits) -> Self {
        TransportError::Timeout { millis: u64::try_from(limits.timeout.as_millis()).unwrap_or(u64::MAX) }
    }
}

/// A request's method, or why it cannot be sent.
pub(super) fn method_of(request: &PreparedRequest) -> Result<Method, TransportError> {
    Method::from_bytes(request.method.as_bytes())
        .map_err(|_| TransportError::InvalidRequest(format!("bad method {:?}", request.method)))
}

/// An answer's headers: names in lower case, in the order received, values read lossily.
pub(super) fn headers_of(map: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    map.iter().map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect()
}

/// An answer's body, read within the size cap: refused at once when its declared length is over
/// the cap, and as soon as what arrived would pass it.
pub(super) struct CappedBody {
    pub(super) read: Vec<u8>,
    limit: usize,
}

impl CappedBody {
    pub(super) fn new(declared: Option<u64>, limit: usize) -> Result<Self, TransportError> {
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(TransportError::TooLarge { limit });
        }
        Ok(Self { read: Vec::new(), limit })
    }

    pub(super) fn push(&mut self, chunk: &[u8]) -> Result<(), TransportError> {
        if self.read.len() + chunk.len() > self.limit {
            return Err(TransportError::TooLarge { limit: self.limit });
        }
        self.read.extend_from_slice(chunk);
        Ok(())
    }
}

/// When `error` says the target closed or reset the connection before a complete answer head
/// (hyper's "connection closed before message completed", or a reset, abort or end of stream in
/// its causes): what happened, in the words of the root cause.
pub(super) fn dropped(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    use std::io::ErrorKind;
    let found = causes(error).any(|current| {
        let incomplete = current.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_incomplete_message);
        let lost = current.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::BrokenPipe
                    | ErrorKind::UnexpectedEof
            )
        });
        incomplete || lost
    });
    found.then(|| root_cause(error).to_string())
}

/// When `error` says the answer's head could not be parsed as HTTP/1.1 (a hyper parse error in
/// its causes): what was wrong, in the words of the root cause. A head over hyper's size or
/// header-count limit is not counted: that is the client's limit, not a break of the protocol.
/// A request conform could not build is a user error to hyper, never a parse error.
pub(super) fn malformed(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let parse = |e: &hyper::Error| e.is_parse() && !e.is_parse_too_large();
    causes(error)
        .any(|current| current.downcast_ref::<hyper::Error>().is_some_and(parse))
        .then(|| root_cause(error).to_string())
}

/// `error`, then each of its causes in turn.
fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |current| current.source())
}

/// The last of an error's causes: what really happened.
pub(super) fn root_cause<'a>(error: &'a (dyn std::error::Error + 'static)) -> &'a (dyn std::error::Error + 'static) {
    causes(error).last().unwrap_or(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("5/s"), Ok(Duration::from_millis(200)));
        assert_eq!(parse_rate("30/m"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_rate(" 0.5/s "), Ok(Duration::from_secs(2)));
        for bad in ["5", "0/s", "-1/s", "5/h", "x/s", "NaN/s"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }
}
