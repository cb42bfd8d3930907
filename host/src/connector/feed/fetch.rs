//! Getting a feed or a page: HTTP(S) with a conditional GET (`ETag` →
//! `If-None-Match`, `Last-Modified` → `If-Modified-Since`), a timeout and a
//! size limit, or a local file (`file:`), with each way of failing named
//! for the log line and the recorded error: HTTP status, timeout, TLS,
//! connection, too large, unreadable file.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest body read: a feed or a page larger than this is an error.
pub const MAX_BODY: usize = 8 << 20;

/// Where a feed is.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    Http(String),
    File(PathBuf),
}

impl Location {
    /// `http://…`, `https://…`, `file:///absolute/path` or `file:relative`
    /// (relative to the config's directory).
    pub fn parse(url: &str, base_dir: &Path) -> Result<Location, String> {
        if url.starts_with("http://") || url.starts_with("https://") {
            reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a valid URL: {e}"))?;
            return Ok(Location::Http(url.to_string()));
        }
        if let Some(rest) = url.strip_prefix("file://") {
            if !rest.starts_with('/') {
                return Err(format!(
                    "`{url}`: a file:// URL takes an absolute path (file:///…); \
                     for a path relative to the config write file:{rest}"
                ));
            }
            return Ok(Location::File(PathBuf::from(rest)));
        }
        if let Some(rest) = url.strip_prefix("file:") {
            if rest.is_empty() {
                return Err("`file:` needs a path".into());
            }
            return Ok(Location::File(base_dir.join(rest)));
        }
        Err(format!(
            "`{url}` is neither an http(s) URL nor a file: path"
        ))
    }
}

/// What the server answered.
#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing new since the validators we sent.
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    Status(u16),
    Timeout(Duration),
    Tls(String),
    Connect(String),
    TooLarge,
    File(String),
    Other(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Status(404) => write!(f, "HTTP 404: not found (was the feed moved?)"),
            FetchError::Status(410) => write!(f, "HTTP 410: gone"),
            FetchError::Status(s) => write!(f, "HTTP {s}"),
            FetchError::Timeout(d) => {
                write!(
                    f,
                    "timed out: no complete answer within {} s",
                    d.as_secs_f64()
                )
            }
            FetchError::Tls(e) => write!(f, "TLS error: {e}"),
            FetchError::Connect(e) => write!(f, "cannot connect: {e}"),
            FetchError::TooLarge => write!(f, "larger than {} MiB", MAX_BODY >> 20),
            FetchError::File(e) => write!(f, "{e}"),
            FetchError::Other(e) => write!(f, "{e}"),
        }
    }
}

/// The whole chain of an error's causes, for classifying it.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn classify(e: reqwest::Error, timeout: Duration) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout(timeout);
    }
    let text = chain(&e);
    let lower = text.to_lowercase();
    if [
        "certificate",
        "tls",
        "handshake",
        "invalidcertificate",
        "unknownissuer",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return FetchError::Tls(text);
    }
    if e.is_connect() {
        return FetchError::Connect(text);
    }
    FetchError::Other(text)
}

/// Gets `location`, sending the validators of the last answer.
pub async fn fetch(
    http: &reqwest::Client,
    location: &Location,
    etag: Option<&str>,
    last_modified: Option<&str>,
    timeout: Duration,
) -> Result<Fetched, FetchError> {
    match location {
        Location::File(path) => {
            let bytes = tokio::fs::read(path)
                .await
                .map_err(|e| FetchError::File(format!("cannot read {}: {e}", path.display())))?;
            if bytes.len() > MAX_BODY {
                return Err(FetchError::TooLarge);
            }
            Ok(Fetched::Body {
                bytes,
                etag: None,
                last_modified: None,
            })
        }
        Location::Http(url) => {
            let mut req = http.get(url).timeout(timeout);
            if let Some(v) = etag {
                req = req.header(reqwest::header::IF_NONE_MATCH, v);
            }
            if let Some(v) = last_modified {
                req = req.header(reqwest::header::IF_MODIFIED_SINCE, v);
            }
            // The timeout covers the body too: a server that trickles its
            // answer fails like one that never answers.
            let work = async {
                let mut resp = req.send().await.map_err(|e| classify(e, timeout))?;
                let status = resp.status();
                if status == reqwest::StatusCode::NOT_MODIFIED {
                    return Ok(Fetched::NotModified);
                }
                if !status.is_success() {
                    return Err(FetchError::Status(status.as_u16()));
                }
                let header = |name: reqwest::header::HeaderName| {
                    resp.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let etag = header(reqwest::header::ETAG);
                let last_modified = header(reqwest::header::LAST_MODIFIED);
                let mut bytes = Vec::new();
                while let Some(chunk) = resp.chunk().await.map_err(|e| classify(e, timeout))? {
                    if bytes.len() + chunk.len() > MAX_BODY {
                        return Err(FetchError::TooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(Fetched::Body {
                    bytes,
                    etag,
                    last_modified,
                })
            };
            tokio::time::timeout(timeout, work)
                .await
                .unwrap_or(Err(FetchError::Timeout(timeout)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        let base = Path::new("/etc/vigie");
        assert_eq!(
            Location::parse("https://example.org/feed", base).unwrap(),
            Location::Http("https://example.org/feed".into())
        );
        assert_eq!(
            Location::parse("file:feeds/a.xml", base).unwrap(),
            Location::File("/etc/vigie/feeds/a.xml".into())
        );
        assert_eq!(
            Location::parse("file:///srv/a.xml", base).unwrap(),
            Location::File("/srv/a.xml".into())
        );
        assert!(Location::parse("file://a.xml", base)
            .unwrap_err()
            .contains("absolute path"));
        assert!(Location::parse("ftp://x", base)
            .unwrap_err()
            .contains("neither"));
        assert!(Location::parse("https://exa mple.org", base)
            .unwrap_err()
            .contains("not a valid URL"));
    }
}
