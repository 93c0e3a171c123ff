//! The 2024 REST tracking client (domain.md §10.6): a token valid 15 minutes, at most one
//! request per 100 ms, item numbers batched.
//!
//! Why a clock trait: the limits are the point of this module, and a test must be able to
//! show they hold for many requests without waiting for real. [`Clock`] supplies `now_ms`
//! and an async `sleep`; [`SystemClock`] is the real one. Requests are sequential (one lock
//! held across each exchange), and the [`Throttle`] spaces each request from the previous
//! *reply*, so the server can never see two closer than the interval.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex as StdMutex;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use satchel_core::s10::ItemNumber;
use satchel_ecship::rest::{
    AuthRequest, AuthResponse, Throttle, TokenCache, TrackingRequest, TrackingResponse,
    AUTHENTICATE_PATH, DEFAULT_BATCH, MAIL_TRACKING_PATH, MIN_INTERVAL_MS, TOKEN_HEADER,
    TOKEN_LIFETIME_MS, TOKEN_REFRESH_MARGIN_MS,
};
use satchel_ecship::TrackingEvent;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::{check_address, read_capped, AddressRefused, ReadError};

/// The largest reply read from the tracking API: a batch of items with their events is a few
/// KiB of JSON, so this is generous, and anything past it is not the tracking API talking.
pub const MAX_TRACKING_REPLY: usize = 4 * crate::capped::MIB;

/// The setting [`TrackingConfig::base_url`] is, as a refusal names it.
pub const TRACKING_ADDRESS: &str = "tracking address";

/// Time for the tracking client: milliseconds on any monotonic scale, and a way to wait.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> u64;
    fn sleep(&self, ms: u64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The real clock: milliseconds since the client was made, tokio's sleep.
#[derive(Debug, Clone)]
pub struct SystemClock {
    start: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    fn sleep(&self, ms: u64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(Duration::from_millis(ms)))
    }
}

/// Settings; [`TrackingConfig::new`] gives the documented limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingConfig {
    pub base_url: String,
    /// Item numbers per request. Default [`DEFAULT_BATCH`] (GUESS: §10.6 gives no maximum).
    pub batch: usize,
    pub min_interval_ms: u64,
    pub token_lifetime_ms: u64,
    pub timeout: Duration,
}

impl TrackingConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        TrackingConfig {
            base_url: base_url.into(),
            batch: DEFAULT_BATCH,
            min_interval_ms: MIN_INTERVAL_MS,
            token_lifetime_ms: TOKEN_LIFETIME_MS,
            timeout: Duration::from_secs(30),
        }
    }
}

/// What the tracking API said about one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemTracking {
    pub item_no: String,
    /// Appendix A status (content unknown, §10.6), as sent.
    pub status: String,
    /// Oldest first.
    pub events: Vec<TrackingEvent>,
}

#[derive(Debug, thiserror::Error)]
pub enum TrackingError {
    #[error("no complete reply from the tracking API: {0}")]
    Transport(String),
    #[error("the tracking API refused the username or API key (HTTP 401)")]
    Unauthorized,
    #[error("the tracking API refused a request as too frequent (HTTP 429)")]
    RateLimited,
    #[error("the tracking API answered HTTP {0}")]
    Http(u16),
    #[error("the tracking API's reply could not be read: {0}")]
    Malformed(String),
    /// The configured address is not one Satchel sends to; nothing was sent.
    #[error(transparent)]
    Address(#[from] AddressRefused),
}

#[derive(Debug)]
struct State {
    throttle: Throttle,
    tokens: TokenCache,
}

/// The REST tracking client. Holds the API key; Debug does not show it.
pub struct TrackingClient<C: Clock = SystemClock> {
    http: reqwest::Client,
    config: TrackingConfig,
    username: String,
    api_key: String,
    clock: C,
    state: Mutex<State>,
    sent: StdMutex<Vec<u64>>,
}

impl<C: Clock> std::fmt::Debug for TrackingClient<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackingClient")
            .field("config", &self.config)
            .field("username", &self.username)
            .field("api_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn transport(e: reqwest::Error) -> TrackingError {
    TrackingError::Transport(e.to_string())
}

/// Reads a JSON reply of at most [`MAX_TRACKING_REPLY`]; `what` names the call in errors.
async fn read_json<T: DeserializeOwned>(
    resp: reqwest::Response,
    what: &str,
) -> Result<T, TrackingError> {
    let body = read_capped(resp, MAX_TRACKING_REPLY)
        .await
        .map_err(|e| match e {
            ReadError::TooLarge { .. } => TrackingError::Malformed(format!("{what}: {e}")),
            ReadError::Transport(e) => transport(e),
        })?;
    // The position only: serde_json's own message may quote a value from the body (a token,
    // a description), and this text ends up in the store and on screen.
    serde_json::from_slice(&body).map_err(|e| {
        TrackingError::Malformed(format!(
            "{what}: {:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

impl TrackingClient<SystemClock> {
    pub fn new(
        config: TrackingConfig,
        username: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Result<Self, TrackingError> {
        Self::with_clock(config, username, api_key, SystemClock::default())
    }
}

/// Most recorded send times kept by [`TrackingClient::send_times`].
const SEND_LOG: usize = 1024;

impl<C: Clock> TrackingClient<C> {
    pub fn with_clock(
        config: TrackingConfig,
        username: impl Into<String>,
        api_key: impl Into<String>,
        clock: C,
    ) -> Result<Self, TrackingError> {
        // Before anything is built: the API key must never go to a refused address.
        check_address(TRACKING_ADDRESS, &config.base_url)?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(transport)?;
        let state = State {
            throttle: Throttle::new(config.min_interval_ms),
            tokens: TokenCache::new(config.token_lifetime_ms, TOKEN_REFRESH_MARGIN_MS),
        };
        Ok(TrackingClient {
            http,
            config,
            username: username.into(),
            api_key: api_key.into(),
            clock,
            state: Mutex::new(state),
            sent: StdMutex::new(Vec::new()),
        })
    }

    /// When each request went out, by this client's clock (the most recent 1024): for
    /// diagnostics and for tests of the rate limit.
    pub fn send_times(&self) -> Vec<u64> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits for this request's slot and logs it.
    async fn slot(&self, st: &mut State) {
        let wait = st.throttle.delay(self.clock.now_ms());
        if wait > 0 {
            self.clock.sleep(wait).await;
        }
        let mut log = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() == SEND_LOG {
            log.remove(0);
        }
        log.push(self.clock.now_ms());
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    async fn token(&self, st: &mut State) -> Result<String, TrackingError> {
        if let Some(t) = st.tokens.get(self.clock.now_ms()) {
            return Ok(t.to_owned());
        }
        self.slot(st).await;
        let obtained = self.clock.now_ms();
        let resp = self
            .http
            .post(self.url(AUTHENTICATE_PATH))
            .json(&AuthRequest {
                username: self.username.clone(),
                password: self.api_key.clone(),
            })
            .send()
            .await;
        st.throttle.finished(self.clock.now_ms());
        let resp = resp.map_err(transport)?;
        match resp.status() {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(TrackingError::Unauthorized)
            }
            s if !s.is_success() => return Err(TrackingError::Http(s.as_u16())),
            _ => {}
        }
        let a: AuthResponse = read_json(resp, "authenticate").await?;
        st.tokens.store(
            a.token.clone(),
            obtained,
            a.expires_in.map(|s| s.saturating_mul(1000)),
        );
        Ok(a.token)
    }

    async fn one_batch(&self, items: &[String]) -> Result<TrackingResponse, TrackingError> {
        let mut st = self.state.lock().await;
        let mut reauth_left = 1;
        let mut rate_left = 2;
        loop {
            let token = self.token(&mut st).await?;
            self.slot(&mut st).await;
            let resp = self
                .http
                .post(self.url(MAIL_TRACKING_PATH))
                .header(TOKEN_HEADER, format!("Bearer {token}"))
                .json(&TrackingRequest {
                    item_nos: items.to_vec(),
                })
                .send()
                .await;
            st.throttle.finished(self.clock.now_ms());
            let resp = resp.map_err(transport)?;
            match resp.status() {
                StatusCode::UNAUTHORIZED if reauth_left > 0 => {
                    // Expired early or revoked: one fresh token, then give up.
                    reauth_left -= 1;
                    st.tokens.invalidate();
                }
                StatusCode::UNAUTHORIZED => return Err(TrackingError::Unauthorized),
                // The throttle already spaces the retry.
                StatusCode::TOO_MANY_REQUESTS if rate_left > 0 => rate_left -= 1,
                StatusCode::TOO_MANY_REQUESTS => return Err(TrackingError::RateLimited),
                s if !s.is_success() => return Err(TrackingError::Http(s.as_u16())),
                _ => return read_json(resp, "mailTracking").await,
            }
        }
    }

    /// Tracks these items, `batch` per request, requests spaced by the rate limit.
    pub async fn track(&self, items: &[ItemNumber]) -> Result<Vec<ItemTracking>, TrackingError> {
        let mut out = Vec::with_capacity(items.len());
        let numbers: Vec<String> = items.iter().map(|i| i.as_str().to_owned()).collect();
        for chunk in numbers.chunks(self.config.batch.max(1)) {
            let r = self.one_batch(chunk).await?;
            for it in r.items {
                let mut events: Vec<TrackingEvent> = it
                    .events
                    .into_iter()
                    .map(|e| TrackingEvent {
                        at: e.date_time,
                        code: e.status,
                        description: e.description,
                        location: e.location,
                    })
                    .collect();
                events.sort_by_key(|e| e.at);
                out.push(ItemTracking {
                    item_no: it.item_no,
                    status: it.status,
                    events,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capped::testing::{declares, raw_server};

    /// Issue #18: the API key never goes to an address in clear.
    #[test]
    fn plain_http_to_another_computer_is_refused_before_a_client_exists() {
        let e =
            TrackingClient::new(TrackingConfig::new("http://track.example"), "u", "k").unwrap_err();
        assert!(matches!(e, TrackingError::Address(_)), "{e}");
        assert_eq!(
            e.to_string(),
            "tracking address: use https:// (plain http only to this computer)"
        );
        assert!(
            TrackingClient::new(TrackingConfig::new("https://track.example"), "u", "k").is_ok()
        );
    }

    #[tokio::test]
    async fn a_reply_larger_than_the_cap_is_refused() {
        let url = raw_server(declares("200 OK", MAX_TRACKING_REPLY + 1)).await;
        let t = TrackingClient::new(TrackingConfig::new(url), "u", "k").unwrap();
        let e = t
            .track(&[ItemNumber::parse("RR123456785HK").unwrap()])
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the tracking API's reply could not be read: authenticate: the reply was larger \
             than 4 MiB"
        );
    }
}
