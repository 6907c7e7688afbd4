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
use hyper::{Request, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::client::{CappedBody, dropped, headers_of, malformed, method_of, root_cause};
use super::{HttpResponse, Limits, PreparedRequest, TransportError};

/// How long an idle pooled connection is kept.
const IDLE: Duration = Duration::from_secs(90);

/// The proxy variables a general client honours for plain http.
pub(super) const PROXY_VARIABLES: [&str; 4] = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

/// Whether the environment gives one of `variables` a value.
pub(super) fn proxy_named(variables: &[&str]) -> bool {
    variables.iter().any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

#[derive(Debug, Clone)]
pub(super) struct DirectClient {
    inner: Client<HttpConnector, Full<Bytes>>,
}

impl DirectClient {
    /// `None` when the environment names a proxy: plain http then goes where the proxy says,
    /// through the general client.
    pub(super) fn new(limits: &Limits) -> Option<Self> {
        if proxy_named(&PROXY_VARIABLES) {
            return None;
        }
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(limits.timeout));
        let inner = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE)
            .build(connector);
        Some(Self { inner })
    }

    /// The URI this path sends to, for a plain http URL: written as the general client would
    /// write it (percent-encoding, dot segments and IDNA are the url crate's), so that either
    /// path puts the same bytes on the wire. A URL the url crate would leave as it is (nearly
    /// every case's) is not handed to it: that parse was a twentieth of a case's cost.
    pub(super) fn accepts(url: &str) -> Option<Uri> {
        if written_as_is(url) {
            return url.parse::<Uri>().ok();
        }
        let parsed = url::Url::parse(url).ok().filter(|u| u.scheme() == "http")?;
        parsed.as_str().parse::<Uri>().ok()
    }

    pub(super) async fn send(
        &self,
        request: &PreparedRequest,
        uri: Uri,
        limits: &Limits,
    ) -> Result<HttpResponse, TransportError> {
        let method = method_of(request)?;
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
            let (parts, mut incoming) = response.into_parts();
            let declared = parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            let mut body = CappedBody::new(declared, limits.max_response_bytes)?;
            while let Some(frame) = incoming.frame().await {
                let frame = frame.map_err(|e| TransportError::Other(chain(&e)))?;
                if let Some(chunk) = frame.data_ref() {
                    body.push(chunk)?;
                }
            }
            let (status, headers) = (parts.status.as_u16(), headers_of(&parts.headers));
            Ok(HttpResponse { status, headers, body: body.read, elapsed: started.elapsed() })
        };
        tokio::time::timeout(limits.timeout, exchange).await.unwrap_or_else(|_| Err(TransportError::timeout(limits)))
    }
}

/// Whether the url crate would write the `http://` URL `url` unchanged: an authority of a
/// lower-case name or a dotted-quad address, with a port that is not the default one; a path and
/// query of characters it never encodes, without dot segments. `false` only means "ask it".
fn written_as_is(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(split);
    plain_authority(authority) && tail.starts_with('/') && plain_path_and_query(tail)
}

fn plain_authority(authority: &str) -> bool {
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|p| {
        p.bytes().all(|b| b.is_ascii_digit()) && !p.starts_with('0') && p.parse::<u16>().is_ok() && p != "80"
    });
    let labels: Vec<&str> = host.split('.').collect();
    let name_ok = labels.iter().all(|label| {
        !label.is_empty()
            && !label.starts_with("xn--")
            && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    // A host whose last label is a number (`1`, `0x1f`) is read as an IPv4 address: only the usual
    // dotted quad is written as it is.
    let numeric = labels.last().is_some_and(|l| l.starts_with(|c: char| c.is_ascii_digit()));
    let quad_ok = labels.len() == 4
        && labels.iter().all(|l| l.len() <= 3 && (l == &"0" || !l.starts_with('0')) && l.parse::<u8>().is_ok());
    port_ok && name_ok && (!numeric || quad_ok)
}

fn plain_path_and_query(tail: &str) -> bool {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/?&=%+,;@!$()*[]".contains(&b);
    let (path, _) = tail.split_once('?').unwrap_or((tail, ""));
    let dot_segment = path.split('/').any(|segment| {
        // (issue 25) A segment with its dots percent-encoded is a value (a path parameter's `.`
        // or `..`), written as it is: the url crate would take it for a dot segment and drop it.
        let lower = segment.to_ascii_lowercase();
        matches!(lower.as_str(), "." | ".." | ".%2e" | "%2e.")
    });
    tail.bytes().all(plain) && !dot_segment
}

/// A refused or failed connection names the URL and its root cause ("Connection refused (os
/// error 111)"); an answer head that is not valid HTTP, or a connection closed before it, says
/// so; anything else says what each layer said.
fn classify(error: &hyper_util::client::legacy::Error, url: &str) -> TransportError {
    if error.is_connect() {
        TransportError::Connect { url: url.to_owned(), message: root_cause(error).to_string() }
    } else if let Some(message) = malformed(error) {
        TransportError::Malformed { message }
    } else if let Some(message) = dropped(error) {
        TransportError::Dropped { message }
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
    use proptest::prelude::*;

    #[test]
    fn takes_plain_http_written_as_the_general_client_would() {
        let sent = |url: &str| DirectClient::accepts(url).map(|uri| uri.to_string());
        assert_eq!(sent("http://127.0.0.1:4010/a/b?c=d%20e").as_deref(), Some("http://127.0.0.1:4010/a/b?c=d%20e"));
        assert_eq!(sent("http://Example.COM").as_deref(), Some("http://example.com/"));
        assert_eq!(
            sent("http://127.0.0.1/a b/é/./x/../y?q=x y").as_deref(),
            Some("http://127.0.0.1/a%20b/%C3%A9/y?q=x%20y")
        );
        // (issue 25) A path value `..` or `.`, percent-encoded, reaches the target as a value.
        assert_eq!(sent("http://127.0.0.1/t/%2E%2E/d/%2E").as_deref(), Some("http://127.0.0.1/t/%2E%2E/d/%2E"));
        for other in ["https://example.com/", "http://", "ftp://x/", "not a url"] {
            assert_eq!(sent(other), None, "{other}");
        }
        assert!(written_as_is("http://127.0.0.1:4010/api/otp/v2/1b0a/request-code?x=1&y=%20"));
        for asked in
            ["http://127.1/", "http://LOCALHOST/", "http://a:80/", "http://a/./b", "http://a/.%2e/b", "http://a"]
        {
            assert!(!written_as_is(asked), "{asked}");
        }
    }

    /// URLs near the edges of what the url crate rewrites: IPv4 in short or padded forms, upper
    /// case, default and padded ports, dot segments, characters it encodes.
    fn near_edge_url() -> impl Strategy<Value = String> {
        let host = prop_oneof![
            4 => "[a-z0-9-]{1,6}(\\.[a-z0-9-]{1,6}){0,2}",
            4 => "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            1 => "[a-zA-Z0-9-]{1,6}(\\.[a-zA-Z0-9-]{1,6}){0,2}",
            1 => "[0-9]{1,4}(\\.[0-9]{1,4}){0,4}",
            1 => Just("xn--abc".to_owned()),
        ];
        let port = prop_oneof![Just(String::new()), "[0-9]{0,6}".prop_map(|p| format!(":{p}"))];
        let segment = prop_oneof![
            6 => "[a-zA-Z0-9._~%-]{0,5}",
            1 => Just(".".to_owned()),
            1 => Just("..".to_owned()),
            1 => Just("%2E".to_owned()),
            1 => "[ -~]{0,3}",
        ];
        let path = proptest::collection::vec(segment, 0..4).prop_map(|s| format!("/{}", s.join("/")));
        let query = prop_oneof![
            Just(String::new()),
            "[a-z0-9=&%+]{0,8}".prop_map(|q| format!("?{q}")),
            "[ -~]{0,8}".prop_map(|q| format!("?{q}")),
        ];
        (host, port, path, query).prop_map(|(h, p, path, q)| format!("http://{h}{p}{path}{q}"))
    }

    proptest::proptest! {
        #[test]
        fn what_is_taken_as_written_the_url_crate_writes_unchanged(url in near_edge_url()) {
            let encoded_dots = url.split(['/', '?']).any(|s| matches!(s.to_ascii_lowercase().as_str(), "%2e" | "%2e%2e"));
            if written_as_is(&url) && !encoded_dots {
                let written = url::Url::parse(&url).map(|u| u.as_str().to_owned());
                proptest::prop_assert_eq!(written.as_deref(), Ok(url.as_str()));
            }
        }
    }
}
