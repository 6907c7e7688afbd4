//! The lean path for plain `http://` targets: hyper's HTTP/1.1 client on its own, one pooled
//! connection per request in flight, with no layer between a case and the socket.
//!
//! It puts on the wire what the general client would: the URL as the url crate writes it, and the
//! headers a general client adds when they are missing (`User-Agent`, `Accept: */*`). It reads the
//! answer within the size cap, and the whole exchange, body included, runs under the timeout.
//! https, and every request when the environment names a proxy, go through the general client
//! (see `client.rs`).

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{ACCEPT, CONTENT_LENGTH, HeaderName, HeaderValue, USER_AGENT};
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::client::root_cause;
use super::{HttpResponse, Limits, PreparedRequest, TransportError};

/// How long an idle pooled connection is kept.
const IDLE: Duration = Duration::from_secs(90);

/// The proxy variables a general client honours for plain http.
const PROXY_VARIABLES: [&str; 4] = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

#[derive(Debug, Clone)]
pub(super) struct DirectClient {
    inner: Client<HttpConnector, Full<Bytes>>,
}

impl DirectClient {
    /// `None` when the environment names a proxy: plain http then goes where the proxy says,
    /// through the general client.
    pub(super) fn new(limits: &Limits) -> Option<Self> {
        let proxied = PROXY_VARIABLES.iter().any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
        (!proxied).then(|| Self::without_proxy_check(limits))
    }

    pub(super) fn without_proxy_check(limits: &Limits) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(limits.timeout));
        let inner = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE)
            .build(connector);
        Self { inner }
    }

    /// The URI this path sends to, for a plain http URL: written as the general client would
    /// write it (percent-encoding, dot segments and IDNA are the url crate's), so that either
    /// path puts the same bytes on the wire.
    pub(super) fn accepts(url: &str) -> Option<Uri> {
        let parsed = url::Url::parse(url).ok().filter(|u| u.scheme() == "http")?;
        parsed.as_str().parse::<Uri>().ok()
    }

    pub(super) async fn send(
        &self,
        request: &PreparedRequest,
        uri: Uri,
        limits: &Limits,
    ) -> Result<HttpResponse, TransportError> {
        let method = Method::from_bytes(request.method.as_bytes())
            .map_err(|_| TransportError::InvalidRequest(format!("bad method {:?}", request.method)))?;
        let mut built = Request::new(Full::new(Bytes::from(request.body.clone().unwrap_or_default())));
        *built.method_mut() = method;
        *built.uri_mut() = uri;
        let headers = built.headers_mut();
        for (name, value) in &request.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| TransportError::InvalidRequest(format!("bad header name {name:?}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| TransportError::InvalidRequest(format!("bad value for header {name:?}")))?;
            headers.append(header, value);
        }
        if !headers.contains_key(USER_AGENT) {
            headers.insert(USER_AGENT, HeaderValue::from_static(super::USER_AGENT));
        }
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        }
        let started = Instant::now();
        let exchange = async {
            let response = self.inner.request(built).await.map_err(|e| classify(&e, &request.url))?;
            let (parts, mut body) = response.into_parts();
            let limit = limits.max_response_bytes;
            let declared = parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            if declared.is_some_and(|n| n > limit as u64) {
                return Err(TransportError::TooLarge { limit });
            }
            let mut read = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| TransportError::Other(chain(&e)))?;
                if let Some(chunk) = frame.data_ref() {
                    if read.len() + chunk.len() > limit {
                        return Err(TransportError::TooLarge { limit });
                    }
                    read.extend_from_slice(chunk);
                }
            }
            let headers = parts
                .headers
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            Ok(HttpResponse { status: parts.status.as_u16(), headers, body: read, elapsed: started.elapsed() })
        };
        match tokio::time::timeout(limits.timeout, exchange).await {
            Ok(answer) => answer,
            Err(_) => {
                Err(TransportError::Timeout { millis: u64::try_from(limits.timeout.as_millis()).unwrap_or(u64::MAX) })
            }
        }
    }
}

/// A refused or failed connection names the URL and its root cause ("Connection refused (os
/// error 111)"); anything else says what each layer said.
fn classify(error: &hyper_util::client::legacy::Error, url: &str) -> TransportError {
    if error.is_connect() {
        TransportError::Connect { url: url.to_owned(), message: root_cause(error).to_string() }
    } else {
        TransportError::Other(chain(error))
    }
}

/// An error and its causes, one after the other.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(source) = cause {
        text.push_str(": ");
        text.push_str(&source.to_string());
        cause = source.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_plain_http_written_as_the_general_client_would() {
        let sent = |url: &str| DirectClient::accepts(url).map(|uri| uri.to_string());
        assert_eq!(sent("http://127.0.0.1:4010/a/b?c=d%20e").as_deref(), Some("http://127.0.0.1:4010/a/b?c=d%20e"));
        assert_eq!(sent("http://Example.COM").as_deref(), Some("http://example.com/"));
        assert_eq!(
            sent("http://127.0.0.1/a b/é/./x/../y?q=x y").as_deref(),
            Some("http://127.0.0.1/a%20b/%C3%A9/y?q=x%20y")
        );
        for other in ["https://example.com/", "http://", "ftp://x/", "not a url"] {
            assert_eq!(sent(other), None, "{other}");
        }
    }
}
