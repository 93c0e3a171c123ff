//! The harness: a real hub on a loopback port over a real storage, and a device that talks to
//! it with reqwest.

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use satchel_hub::{HubConfig, RunningHub};
use satchel_hub_core::HubStorage;
#[cfg(feature = "system-tests")]
use satchel_hub_postgres::PostgresStorage;
use satchel_hub_sqlite::SqliteStorage;
use satchel_sync_proto as proto;
use serde_json::Value;
use tempfile::TempDir;
use uuid::Uuid;

pub struct TestHub {
    pub hub: RunningHub,
    pub http: reqwest::Client,
    /// Keeps the SQLite file alive for the test.
    pub dir: Option<TempDir>,
    pub schema: Option<String>,
}

/// Limits off, so tests that are not about rate limiting can make as many requests as they
/// need.
pub fn relaxed() -> HubConfig {
    let mut c = HubConfig::default();
    c.rate.per_ip_burst = 0;
    // Tests make many accounts from one address; the sign-up cap has its own test.
    c.accounts.per_network_per_day = 0;
    c.rate.per_device_burst = 0;
    c
}

pub async fn sqlite_hub(config: HubConfig) -> TestHub {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path().join("hub.sqlite3")).unwrap();
    start(config, Arc::new(storage), Some(dir), None).await
}

#[cfg(feature = "system-tests")]
pub fn pg_url() -> String {
    std::env::var("SATCHEL_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "SATCHEL_TEST_PG_URL is not set. These tests need a real PostgreSQL: run \
             `cargo xtask test`, or start a throwaway cluster (toolchain.md §8.1) and export \
             SATCHEL_TEST_PG_URL=postgres://app@127.0.0.1:PORT/satchel (the port is in target/tmp/pg/port)"
        )
    })
}

#[cfg(feature = "system-tests")]
pub async fn postgres_hub(config: HubConfig) -> TestHub {
    let schema = format!("h_{}", Uuid::now_v7().simple());
    let storage = PostgresStorage::connect_in_schema(&pg_url(), &schema, 4)
        .await
        .expect("connecting to SATCHEL_TEST_PG_URL");
    start(config, Arc::new(storage), None, Some(schema)).await
}

async fn start(
    config: HubConfig,
    storage: Arc<dyn HubStorage>,
    dir: Option<TempDir>,
    schema: Option<String>,
) -> TestHub {
    let hub = RunningHub::start(config, storage).await.unwrap();
    TestHub {
        hub,
        http: reqwest::Client::new(),
        dir,
        schema,
    }
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub retry_after: Option<String>,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("unexpected body {}: {e}", self.body))
    }
}

impl TestHub {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.call_with(method, path, token, body, &[]).await
    }

    /// [`TestHub::call`] with extra request headers (an invite code, a forwarded address).
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.hub.base_url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            body,
            retry_after,
        }
    }

    pub async fn create_account(&self) -> Device {
        let secret = random_secret();
        let r = self
            .call(
                Method::POST,
                "/v0/accounts",
                None,
                Some(serde_json::json!({
                    "device_label": "shop laptop",
                    "device_secret": b64(&secret),
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let resp: proto::CreateAccountResponse = r.json();
        Device {
            account_id: resp.account_id,
            device_id: resp.device_id,
            secret,
            access: resp.tokens.access_token.0,
            refresh: resp.tokens.refresh_token.0,
        }
    }

    /// The signed-in `by` registers another device of its account and that device logs in.
    pub async fn add_device(&self, by: &Device) -> Device {
        let secret = random_secret();
        let r = self
            .call(
                Method::POST,
                "/v0/devices",
                Some(&by.access),
                Some(serde_json::json!({
                    "device_label": "market phone",
                    "device_secret": b64(&secret),
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let info: proto::DeviceInfo = r.json();
        self.login(by.account_id, info.device_id, secret).await
    }

    pub async fn login(&self, account_id: Uuid, device_id: Uuid, secret: Vec<u8>) -> Device {
        let r = self
            .call(
                Method::POST,
                "/v0/auth/login",
                None,
                Some(serde_json::json!({
                    "device_id": device_id,
                    "device_secret": b64(&secret),
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let pair: proto::TokenPair = r.json();
        assert_eq!(pair.account_id, account_id);
        Device {
            account_id,
            device_id,
            secret,
            access: pair.access_token.0,
            refresh: pair.refresh_token.0,
        }
    }

    pub async fn upload(&self, d: &Device, upload_id: Uuid, records: &[Value]) -> Reply {
        self.call(
            Method::POST,
            "/v0/records",
            Some(&d.access),
            Some(serde_json::json!({ "upload_id": upload_id, "records": records })),
        )
        .await
    }

    /// Every record of `d`'s account, paging with `page` records per request.
    pub async fn download_all(&self, d: &Device, page: u32) -> Vec<proto::RecordDownload> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let r = self
                .call(
                    Method::GET,
                    &format!("/v0/records?after={after}&limit={page}"),
                    Some(&d.access),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let resp: proto::DownloadResponse = r.json();
            out.extend(resp.records);
            after = resp.next_cursor;
            if !resp.has_more {
                return out;
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Device {
    pub account_id: Uuid,
    pub device_id: Uuid,
    pub secret: Vec<u8>,
    pub access: String,
    pub refresh: String,
}

pub fn random_secret() -> Vec<u8> {
    let mut b = vec![0u8; 32];
    getrandom::fill(&mut b).unwrap();
    b
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn record(id: &str, version: &str, ciphertext: &[u8]) -> Value {
    serde_json::json!({
        "record_id": id,
        "entity": "contact",
        "version": version,
        "ciphertext": b64(ciphertext),
    })
}
