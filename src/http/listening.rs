//! Whether a target still accepts connections: asked when a request's connection was dropped
//! twice, to tell a target that crashed on that input (it drops this request and goes on
//! listening) from one that went away (stopped, restarted, killed), whose dropped requests say
//! nothing of their input. Only a TCP connection is opened and closed: no HTTP byte is sent.

use std::time::Duration;

use super::direct::{PROXY_VARIABLES, proxy_named};

/// The variables that send https through a proxy as well.
const HTTPS_PROXY_VARIABLES: [&str; 2] = ["HTTPS_PROXY", "https_proxy"];

/// Whether a TCP connection to `url`'s host and port is accepted within `timeout`. Through a
/// proxy, or for a URL without a host, conform cannot tell, and answers true: the dropped request
/// then stays a crash, so no finding is lost for want of an answer.
pub async fn still_listening(url: &str, timeout: Duration) -> bool {
    let Some((host, port)) =
        url::Url::parse(url).ok().and_then(|u| Some((u.host_str()?.to_owned(), u.port_or_known_default()?)))
    else {
        return true;
    };
    if proxy_named(&PROXY_VARIABLES) || proxy_named(&HTTPS_PROXY_VARIABLES) {
        return true;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    matches!(tokio::time::timeout(timeout, tokio::net::TcpStream::connect((host.as_str(), port))).await, Ok(Ok(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listening_port_is_told_from_a_closed_one() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        assert!(still_listening(&url, Duration::from_secs(2)).await);
        drop(listener);
        assert!(!still_listening(&url, Duration::from_secs(2)).await, "nothing listens there any more");
        assert!(still_listening("not a url", Duration::from_secs(2)).await, "cannot tell: true");
    }
}
