//! The operator's open-data tariff files, fetched when online (issue #16).
//!
//! The bundled rate files are years old; the operator publishes current ones at
//! `{base}/postageRate-{type}.json` (domain.md §5.1). A daily check must cost nothing when
//! nothing changed, so every request carries the validators of the last copy kept
//! (`If-None-Match` / `If-Modified-Since`) and a 304 is an answer, not an error. A reply is
//! read only up to [`MAX_BYTES`]: the largest published file is under 1 MiB, and a hostile or
//! broken server must not fill the device's memory. What the body means is the rate parser's
//! business (`satchel_core::rates`); this module only asks and reads.

use std::time::Duration;

use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;

/// The operator's open-data folder (domain.md §5.1); a setting, since it may move.
pub const DEFAULT_BASE_URL: &str = "https://www.hongkongpost.hk/opendata";

/// The largest reply read: eight times the largest known file.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// What the server said about the copy it holds, to send back next time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// One file's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 304: the copy kept last time is still the current one.
    NotModified,
    /// The file as served, with the validators to send next time.
    Body {
        text: String,
        validators: Validators,
    },
}

/// Why a file could not be fetched; the stored tariffs stay in use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("no reply from {url} ({why})")]
    Transport { url: String, why: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} sent more than {MAX_BYTES} bytes")]
    TooLarge { url: String },
    #[error("{url} sent a reply that is not UTF-8 text")]
    NotText { url: String },
}

/// The URL of one file, e.g. `intl-ORD` → `{base}/postageRate-intl-ORD.json`.
pub fn url(base: &str, file_name: &str) -> String {
    format!("{}/{file_name}", base.trim_end_matches('/'))
}

/// Fetches open-data files over one connection pool. Plain `http://` is accepted only for a
/// loopback host (a test server or a local mirror).
#[derive(Debug, Clone)]
pub struct OpenData {
    http: reqwest::Client,
}

impl OpenData {
    /// `timeout` bounds each whole request.
    pub fn new(timeout: Duration) -> Result<OpenData, FetchError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| FetchError::Transport {
                url: String::new(),
                why: e.to_string(),
            })?;
        Ok(OpenData { http })
    }

    /// Asks for one file, conditionally when `known` holds validators.
    pub async fn fetch(&self, url: &str, known: &Validators) -> Result<Fetched, FetchError> {
        let transport = |e: reqwest::Error| FetchError::Transport {
            url: url.to_owned(),
            why: if e.is_timeout() {
                "timed out".to_owned()
            } else if e.is_connect() {
                "could not connect".to_owned()
            } else {
                e.to_string()
            },
        };
        if !is_allowed(url) {
            return Err(FetchError::Transport {
                url: url.to_owned(),
                why: "plain http is used only for this computer; use https".to_owned(),
            });
        }
        let mut request = self.http.get(url);
        if let Some(etag) = &known.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &known.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let reply = request.send().await.map_err(transport)?;
        if reply.status() == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !reply.status().is_success() {
            return Err(FetchError::Status {
                url: url.to_owned(),
                status: reply.status().as_u16(),
            });
        }
        let header = |name: reqwest::header::HeaderName| {
            reply
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let body = crate::read_capped(reply, MAX_BYTES)
            .await
            .map_err(|e| match e {
                crate::ReadError::TooLarge { .. } => FetchError::TooLarge {
                    url: url.to_owned(),
                },
                crate::ReadError::Transport(e) => transport(e),
            })?;
        let text = String::from_utf8(body).map_err(|_| FetchError::NotText {
            url: url.to_owned(),
        })?;
        Ok(Fetched::Body { text, validators })
    }
}

/// Whether `url` may be asked: https, or plain http to this computer (a test server or a
/// local mirror). The same rule as every other address ([`crate::is_allowed_address`]).
pub fn is_allowed(url: &str) -> bool {
    crate::is_allowed_address(url)
}
