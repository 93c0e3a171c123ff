//! The 2024 REST "HKPost Mail Tracking API" (domain.md §10.6): request and response bodies,
//! and the two pieces of timing logic a client must get right, with time passed in.
//!
//! Why pure: the limits ("one request per 100 ms", "token valid for 15 minutes") are easy to
//! break under load and hard to test against a real clock. [`Throttle`] and [`TokenCache`]
//! take `now_ms` from the caller, so a test drives them with a fake clock.
//!
//! **GUESS, all in this file (§10.6 names only the two paths, the token and the limits; §13:
//! the rest of the spec is not public):** the JSON field names below; that the credentials
//! are the integrator username and API key; that the token goes in `Authorization: Bearer`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `POST {tracking_base}/api/authenticate` (§10.6).
pub const AUTHENTICATE_PATH: &str = "/api/authenticate";
/// `POST {tracking_base}/api/version/1/mailTracking` (§10.6).
pub const MAIL_TRACKING_PATH: &str = "/api/version/1/mailTracking";
/// GUESS: the header carrying the token, with a `Bearer ` prefix.
pub const TOKEN_HEADER: &str = "Authorization";

/// "one request per 100 ms" (§10.6).
pub const MIN_INTERVAL_MS: u64 = 100;
/// "The token is valid for 15 minutes" (§10.6).
pub const TOKEN_LIFETIME_MS: u64 = 15 * 60 * 1000;
/// Renew this long before expiry, so a request is never sent with a token that expires in
/// flight or on a server whose clock runs slightly ahead.
pub const TOKEN_REFRESH_MARGIN_MS: u64 = 60 * 1000;
/// GUESS: item numbers per mailTracking request. §10.6 says "Batch items into one request"
/// but gives no maximum.
pub const DEFAULT_BATCH: usize = 20;

/// GUESS body of `/api/authenticate`. The API key is the secret: Debug redacts it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthRequest {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for AuthRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// GUESS reply of `/api/authenticate`. `expires_in` (seconds) is optional; without it the
/// documented 15 minutes apply.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthResponse {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

impl fmt::Debug for AuthResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthResponse")
            .field("token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// GUESS body of `/api/version/1/mailTracking`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackingRequest {
    pub item_nos: Vec<String>,
}

/// GUESS reply of `/api/version/1/mailTracking`: one entry per item asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackingResponse {
    pub items: Vec<TrackedItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackedItem {
    pub item_no: String,
    /// Appendix A status code (content unknown, §10.6); kept as text.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub events: Vec<RestEvent>,
}

/// GUESS: one event, `date_time` as `yyyy-MM-ddTHH:mm:ss` Hong Kong local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestEvent {
    pub date_time: chrono::NaiveDateTime,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub location: String,
}

/// Spaces requests at least `min_interval_ms` apart.
#[derive(Debug, Clone)]
pub struct Throttle {
    min_interval_ms: u64,
    last_send_ms: Option<u64>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(MIN_INTERVAL_MS)
    }
}

impl Throttle {
    pub fn new(min_interval_ms: u64) -> Self {
        Throttle {
            min_interval_ms,
            last_send_ms: None,
        }
    }

    /// How long to wait from `now_ms` before sending; records the send as happening then.
    /// The caller must send after exactly that wait (or later): the slot is booked.
    pub fn delay(&mut self, now_ms: u64) -> u64 {
        let at = match self.last_send_ms {
            Some(last) => now_ms.max(last.saturating_add(self.min_interval_ms)),
            None => now_ms,
        };
        self.last_send_ms = Some(at);
        at - now_ms
    }

    /// Records that the reply to the last request arrived at `now_ms`; the next request waits
    /// the interval from here. A sequential client that spaces requests from the previous
    /// reply can never be closer than the interval at the server, whatever the transit time
    /// of the earlier request was.
    pub fn finished(&mut self, now_ms: u64) {
        self.last_send_ms = Some(self.last_send_ms.map_or(now_ms, |l| l.max(now_ms)));
    }
}

/// The current token and when it stops being usable. Debug never shows the token.
#[derive(Clone)]
pub struct TokenCache {
    lifetime_ms: u64,
    margin_ms: u64,
    /// (token, expires at, refresh margin for this token)
    current: Option<(String, u64, u64)>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("lifetime_ms", &self.lifetime_ms)
            .field("expires_at_ms", &self.current.as_ref().map(|c| c.1))
            .finish()
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new(TOKEN_LIFETIME_MS, TOKEN_REFRESH_MARGIN_MS)
    }
}

impl TokenCache {
    pub fn new(lifetime_ms: u64, margin_ms: u64) -> Self {
        TokenCache {
            lifetime_ms,
            margin_ms,
            current: None,
        }
    }

    /// The token, if one is held and `now_ms` is before its refresh point.
    pub fn get(&self, now_ms: u64) -> Option<&str> {
        match &self.current {
            Some((t, expires, margin)) if now_ms.saturating_add(*margin) < *expires => Some(t),
            _ => None,
        }
    }

    /// Keeps a token obtained at `obtained_ms`; `lifetime_ms` overrides the default when
    /// the server states one. The refresh margin is capped at a quarter of the lifetime, so
    /// a short-lived token is still used for most of its life.
    pub fn store(&mut self, token: String, obtained_ms: u64, lifetime_ms: Option<u64>) {
        let life = lifetime_ms.unwrap_or(self.lifetime_ms);
        let margin = self.margin_ms.min(life / 4);
        self.current = Some((token, obtained_ms.saturating_add(life), margin));
    }

    /// Forgets the token (after the server said 401).
    pub fn invalidate(&mut self) {
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_sends_closer_than_100_ms() {
        let mut t = Throttle::default();
        let mut now = 1_000u64;
        let mut sends = Vec::new();
        // Callers arriving in bursts, sometimes late: every recorded send is >= 100 ms after
        // the one before.
        for i in 0..50u64 {
            let wait = t.delay(now);
            sends.push(now + wait);
            now += wait + (i % 3) * 40;
        }
        for w in sends.windows(2) {
            assert!(w[1] - w[0] >= 100, "{w:?}");
        }
        // A caller who comes back after a long pause does not wait.
        let last = *sends.last().unwrap();
        assert_eq!(t.delay(last + 5_000), 0);
        // Two callers at the same instant: the second waits the full interval.
        let mut t = Throttle::default();
        assert_eq!(t.delay(0), 0);
        assert_eq!(t.delay(0), 100);
        assert_eq!(t.delay(0), 200);
        // A reply arriving at 250 pushes the next send to 350.
        t.finished(250);
        assert_eq!(t.delay(260), 90);
    }

    #[test]
    fn token_renewed_after_15_minutes() {
        let mut c = TokenCache::default();
        assert_eq!(c.get(0), None);
        c.store("t1".into(), 0, None);
        assert_eq!(c.get(0), Some("t1"));
        assert_eq!(c.get(13 * 60 * 1000), Some("t1"));
        // Within the last minute it is treated as gone, and after 15 minutes certainly.
        assert_eq!(c.get(14 * 60 * 1000 + 1), None);
        assert_eq!(c.get(15 * 60 * 1000), None);
        c.store("t2".into(), 15 * 60 * 1000, None);
        assert_eq!(c.get(16 * 60 * 1000), Some("t2"));
        c.invalidate();
        assert_eq!(c.get(16 * 60 * 1000), None);
        // A server-stated 2 s lifetime: used for 1.5 s, renewed after.
        c.store("t3".into(), 0, Some(2_000));
        assert_eq!(c.get(1_400), Some("t3"));
        assert_eq!(c.get(1_600), None);
    }

    #[test]
    fn secrets_not_in_debug() {
        let a = AuthRequest {
            username: "u".into(),
            password: "s3cret".into(),
        };
        assert!(!format!("{a:?}").contains("s3cret"));
        let mut c = TokenCache::default();
        c.store("tok-s3cret".into(), 0, None);
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
