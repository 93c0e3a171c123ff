//! A robot looping over the API (how EC-Ship's address books were read, seed notice 003) is
//! throttled with 429 well within 100 requests, per address and per device, with the default
//! configuration.

use reqwest::{Method, StatusCode};
use satchel_hub::HubConfig;

use crate::common::*;

async fn first_429(t: &TestHub, path: &str, token: Option<&str>) -> Option<(usize, Reply)> {
    for i in 1..=100 {
        let r = t.call(Method::GET, path, token, None).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            return Some((i, r));
        }
        assert!(
            r.status.is_success() || r.status == StatusCode::NOT_FOUND,
            "{}",
            r.body
        );
    }
    None
}

#[tokio::test]
async fn a_scraping_loop_is_throttled_within_100_requests() {
    let t = sqlite_hub(HubConfig::default()).await;
    let d = t.create_account().await;
    let (n, r) = first_429(&t, "/v0/records?after=0&limit=500", Some(&d.access))
        .await
        .expect("no 429 within 100 requests");
    assert!(n < 100, "throttled after {n} requests");
    assert_eq!(r.code(), "rate_limited");
    let wait: u64 = r.retry_after.expect("Retry-After is set").parse().unwrap();
    assert!(wait >= 1);
}

#[tokio::test]
async fn each_device_has_its_own_limit_even_from_many_addresses() {
    let mut cfg = HubConfig::default();
    // As if the robot rotated its address: only the per-device bucket can stop it.
    cfg.rate.per_ip_burst = 0;
    // Tests make many accounts from one address; the sign-up cap has its own test.
    cfg.accounts.per_network_per_day = 0;
    let t = sqlite_hub(cfg).await;
    let d = t.create_account().await;
    let other = t.create_account().await;
    let (n, r) = first_429(&t, "/v0/devices", Some(&d.access))
        .await
        .expect("no 429 within 100 requests");
    assert!(n < 100, "throttled after {n} requests");
    assert_eq!(r.code(), "rate_limited");
    // Another merchant's device is not slowed by the robot.
    let r = t
        .call(Method::GET, "/v0/devices", Some(&other.access), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn guessing_pairing_codes_without_a_token_is_throttled_per_address() {
    let t = sqlite_hub(HubConfig::default()).await;
    let (n, _) = first_429(&t, "/v0/pairing/guess-0000000000000000", None)
        .await
        .expect("no 429 within 100 requests");
    assert!(n < 100);
}

#[tokio::test]
async fn guessing_recovery_proofs_without_a_token_is_throttled_per_address() {
    let t = sqlite_hub(HubConfig::default()).await;
    let body = serde_json::json!({
        "lookup": "0".repeat(64),
        "proof": b64(&[0; 32]),
        "device_label": "robot",
        "device_secret": b64(&random_secret()),
    });
    let mut throttled = None;
    for i in 1..=100 {
        let r = t
            .call(
                Method::POST,
                "/v0/accounts/recover",
                None,
                Some(body.clone()),
            )
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some((i, r));
            break;
        }
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    let (n, r) = throttled.expect("no 429 within 100 requests");
    assert!(n < 100, "throttled after {n} requests");
    assert_eq!(r.code(), "rate_limited");
}
