//! How the engine talks to the hub ([`SyncConfig`]) and the pace of its background loop
//! ([`LoopPolicy`]).

use super::*;

/// How the engine talks to the hub.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// `https://hub.example` (no trailing slash needed).
    pub hub_url: String,
    /// Changes per upload (the hub caps it, 500 by default).
    pub push_batch: usize,
    /// Records per download page (the hub caps it, 500 by default).
    pub page_size: u32,
    /// Bounds each whole request.
    pub timeout: Duration,
    /// How long a pairing code stays valid on the hub (the hub caps it at 10 minutes).
    pub pairing_ttl_secs: u32,
}

impl SyncConfig {
    /// Takes any address: one the engine will not talk to is refused by
    /// [`SyncConfig::check_hub_url`], which every request runs, so that an engine over a device
    /// linked to such an address can still show its status and unlink.
    pub fn new(hub_url: impl Into<String>) -> SyncConfig {
        SyncConfig {
            hub_url: hub_url.into().trim_end_matches('/').to_owned(),
            push_batch: 500,
            page_size: 500,
            timeout: Duration::from_secs(30),
            pairing_ttl_secs: 600,
        }
    }

    /// `Ok` when [`crate::is_allowed_hub_url`] accepts the hub address (https, or plain http to
    /// this computer), else [`SyncError::HubAddress`].
    pub fn check_hub_url(&self) -> Result<()> {
        check_hub_url(&self.hub_url)
    }
}

/// The pace of the background loop.
#[derive(Debug, Clone)]
pub struct LoopPolicy {
    /// Between successful syncs.
    pub interval: Duration,
    /// First wait after a failure; doubles per consecutive failure up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for LoopPolicy {
    fn default() -> Self {
        LoopPolicy {
            interval: Duration::from_secs(60),
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(600),
        }
    }
}

impl LoopPolicy {
    /// The wait after a sync that ended in `outcome`, the `failures`-th failure in a row.
    /// A failure the merchant has to fix (signed out, key missing) waits the longest: trying
    /// sooner would only repeat it.
    pub fn delay_after(&self, outcome: Result<(), &SyncError>, failures: u32) -> Duration {
        match outcome {
            Ok(()) => self.interval,
            // The merchant is approving on the other device: ask again soon, steadily, or an
            // approval (held ten minutes) could expire between two tries.
            Err(SyncError::AwaitingApproval(_)) => (self.backoff * 5).min(self.max_backoff),
            Err(e) if e.is_transient() => {
                let doublings = failures.saturating_sub(1).min(20);
                self.backoff
                    .saturating_mul(1u32 << doublings)
                    .min(self.max_backoff)
            }
            Err(_) => self.max_backoff,
        }
    }
}
