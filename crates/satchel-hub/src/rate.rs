//! Token-bucket rate limits, one bucket per client network, one per device and one per
//! account. A scraper looping over the API empties its bucket within the burst size and then
//! gets 429 with a Retry-After, while a syncing device (a few requests, then quiet) never
//! notices. The same buckets, with a day-long refill, cap how many accounts a network creates.
//!
//! Buckets live in this process's memory: replicas each keep their own, and a restart refills
//! them all.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The network a client address stands for, as far as limits go: an IPv4 address as it is
/// (one subscriber, or one NAT), an IPv6 address cut to its /64, because a subscriber is
/// handed a whole /64 and can pick a fresh address in it for every request. An IPv4 address
/// written as IPv6 (`::ffff:a.b.c.d`, from a dual-stack socket) counts as the IPv4 address.
pub fn client_net(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u128::from(u64::MAX)))),
        },
    }
}

/// Past this many tracked keys, full buckets are forgotten (a full bucket is the same as none).
const PRUNE_AT: usize = 50_000;

#[derive(Debug)]
pub struct RateLimiter<K> {
    burst: f64,
    per_sec: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// `burst == 0` disables the limit.
    pub fn new(burst: u32, per_sec: f64) -> RateLimiter<K> {
        RateLimiter {
            burst: f64::from(burst),
            per_sec,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`, or says how long until one is available.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        if self.burst == 0.0 {
            return Ok(());
        }
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= PRUNE_AT {
            let (burst, rate) = (self.burst, self.per_sec);
            map.retain(|_, b| b.tokens + rate * now.duration_since(b.at).as_secs_f64() < burst);
        }
        let b = map.entry(key.clone()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let refill = self.per_sec * now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + refill).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else if self.per_sec > 0.0 {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / self.per_sec))
        } else {
            Err(Duration::from_secs(3600))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_bucket_refills_with_time() {
        let l = RateLimiter::new(3, 2.0);
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check(&"ip", t).is_ok());
        }
        let wait = l.check(&"ip", t).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(l.check(&"other", t).is_ok(), "buckets are per key");
        assert!(l.check(&"ip", t + Duration::from_millis(500)).is_ok());
        assert!(l.check(&"ip", t + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn one_ipv6_subscriber_is_one_network_and_ipv4_is_per_address() {
        let net = |s: &str| client_net(s.parse().unwrap());
        assert_eq!(net("2001:db8:1:2::1"), net("2001:db8:1:2:ffff:ee:dd:cc"));
        assert_eq!(
            net("2001:db8:1:2::1"),
            "2001:db8:1:2::".parse::<IpAddr>().unwrap()
        );
        assert_ne!(net("2001:db8:1:2::1"), net("2001:db8:1:3::1"));
        assert_eq!(net("203.0.113.7"), "203.0.113.7".parse::<IpAddr>().unwrap());
        assert_ne!(net("203.0.113.7"), net("203.0.113.8"));
        assert_eq!(net("::ffff:203.0.113.7"), net("203.0.113.7"));
    }

    #[test]
    fn zero_burst_means_unlimited() {
        let l = RateLimiter::new(0, 0.0);
        let t = Instant::now();
        for _ in 0..1000 {
            assert!(l.check(&1u8, t).is_ok());
        }
    }
}
