//! The hub's configuration, layered: built-in defaults, then a TOML file, then environment
//! variables `SATCHEL_HUB_<KEY>` (nested keys joined with `__`, e.g.
//! `SATCHEL_HUB_RATE__PER_IP_BURST=100`). With nothing configured the hub serves on
//! 127.0.0.1 from a SQLite file in the current directory.
//!
//! Secrets (the token signing key, a password inside the database URL) never show in `Debug`
//! output, and `default-config` prints no secret at all.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

/// Prefix of every environment variable the hub reads.
pub const ENV_PREFIX: &str = "SATCHEL_HUB_";

/// The commented default configuration that `satchel-hub default-config` prints. A test parses
/// it and checks it equals [`HubConfig::default`], so the two cannot drift apart.
pub const DEFAULT_CONFIG_TOML: &str = r#"# satchel-hub configuration. Every key is optional; these are the defaults.
# Layers: defaults -> this file (--config FILE or SATCHEL_HUB_CONFIG) -> environment
# (SATCHEL_HUB_<KEY>, nested keys joined with "__", e.g. SATCHEL_HUB_RATE__PER_IP_BURST=100).

# Address to listen on. Put a TLS-terminating proxy in front for anything but loopback.
listen = "127.0.0.1:7171"

# Where records live: "sqlite://PATH" (a file, created if missing) or
# "postgres://USER:PASSWORD@HOST:PORT/DB". Prefer SATCHEL_HUB_DATABASE_URL for a URL with a
# password, so it stays out of files.
database_url = "sqlite://satchel-hub.sqlite3"

# PostgreSQL only: connections the hub keeps open.
postgres_connections = 8

# PostgreSQL only: with "?sslmode=require" in the URL the hub speaks TLS and verifies the
# server against the system's CAs plus this PEM file (a managed service's own CA).
# postgres_ca_file = "/etc/ssl/certs/provider-ca.pem"

# Key that signs access tokens (32 characters or more). Unset: a random key per start, which
# only means devices refresh their tokens after a restart. Set it through the environment:
#   SATCHEL_HUB_TOKEN_SIGNING_KEY=...
# token_signing_key = "<secret>"

# Access tokens are short-lived; refresh tokens rotate on every use.
access_token_ttl_secs = 900
refresh_token_ttl_secs = 5184000

# Take the client address from the last X-Forwarded-For entry (only behind your own proxy).
trust_forwarded_for = false

[server]
# Open connections at most. At the cap the hub stops accepting until one closes; the
# operating system holds new ones in its queue meanwhile. High on purpose: a held connection
# costs a few KiB, and a cap that 2,000 slow clients can fill would shut real devices out
# (the header timeout below is what makes slow clients let go). `serve` raises its own
# open-file limit to fit, and lowers this cap to what the system allows, saying so.
max_connections = 8192
# Requests handled at once; the rest wait their turn (on connections the cap above bounds).
max_in_flight = 256
# A client has this long to send a request's headers; an idle keep-alive connection is
# closed after the same time. Stops clients that open connections and never finish a request.
header_timeout_ms = 15000
# The most one request may take once its turn comes, from then to the answer, reading its
# body included; past it the hub answers 503 "timeout". Keep room for a large upload over a
# slow mobile link.
request_timeout_ms = 60000

[limits]
# Records per download page: what a client gets without asking, and the most it can get.
default_page_size = 100
max_page_size = 500
# Records per upload, and bytes of ciphertext per record.
max_batch_records = 500
max_record_bytes = 65536
# Largest body of a record upload in bytes (base64 makes ciphertext a third larger). Only
# POST /v0/records takes this much; POST /v0/pairing takes one blob of max_record_bytes.
max_body_bytes = 16777216
# Largest body in bytes on every other route, the unauthenticated ones included (sign-up,
# sign-in, refresh, recovery): their bodies are a few hundred bytes.
max_small_body_bytes = 8192
# Devices an account may have at once (removed ones do not count); 0 = no cap. Recovery with
# the phrase is never refused by it, so an owner who lost every device can always come back.
max_devices_per_account = 20
# Pairing slots live at most this long.
max_pairing_ttl_secs = 600
# A device removing a device older than itself waits this long, with a notice on every device
# (issue #18): a stolen new phone cannot shut its owner's older devices out, and the owner can
# remove the newer one first. A newer device, or the asking device itself, goes at once.
revoke_older_after_secs = 259200

[quota]
# Per account.
max_records = 1000000
max_bytes = 1073741824
# Bytes of ciphertext the whole hub may hold, every account together; an upload past it is
# refused with 507 "storage_full". 0 = no budget. Set it below the disk space you can give.
max_total_bytes = 0
# How often (seconds) the hub re-reads the total from storage; in between it adds what it
# accepted, so the budget errs on the safe side.
total_refresh_secs = 60

[accounts]
# Accounts one client network may create: an IPv4 address, or an IPv6 /64 (what one
# subscriber holds). This many at once, then one more every 24h divided by it. 0 = no cap.
per_network_per_day = 20
# Invite-only sign-up: POST /v0/accounts must carry a "Satchel-Invite: <code>" header with
# one of invite_codes (16 characters or more each). Off: anyone may sign up, within the cap.
require_invite = false
# Set the codes through the environment, comma-separated:
#   SATCHEL_HUB_ACCOUNTS__INVITE_CODES=code-one,code-two
# invite_codes = ["<secret>"]

[retention]
# Upload ids are remembered this long, so a retry within it gets the first answer back (a
# later retry still stores nothing twice: its records are duplicates by version).
upload_ids_days = 30
# Audit log entries are kept this long.
audit_days = 90
# How often old entries and expired pairing slots are cleared.
prune_every_secs = 3600

[rate]
# Token buckets: "burst" requests at once, refilled at "per_sec". A burst of 0 turns a
# limit off (benchmarks only). "per_ip" is per IPv4 address and per IPv6 /64, since one
# subscriber holds a whole /64.
per_ip_burst = 60
per_ip_per_sec = 20.0
per_device_burst = 60
per_device_per_sec = 20.0
# Per account, all its devices together. Unset: three devices' worth of the per-device values
# (so a per_device_burst of 0 turns it off too).
# per_account_burst = 180
# per_account_per_sec = 60.0
#
# Every limit here, and in [server] and [accounts], is counted by each hub process on its own
# and forgotten on restart: N replicas allow N times as much. Run one hub behind your proxy,
# or enforce the per-client limits at the one proxy in front of all replicas.
"#;

/// A secret string: usable, never printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A database URL whose password (if any) is hidden in `Debug` and [`DatabaseUrl::redacted`].
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(s: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`, fit for logs.
    pub fn redacted(&self) -> String {
        let s = &self.0;
        let Some(scheme_end) = s.find("://") else {
            return s.clone();
        };
        let rest = &s[scheme_end + 3..];
        let auth_end = rest.find('/').unwrap_or(rest.len());
        let Some(at) = rest[..auth_end].rfind('@') else {
            return s.clone();
        };
        match rest[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &s[..scheme_end + 3],
                &rest[..colon],
                &rest[at..]
            ),
            None => s.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(DatabaseUrl)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HubConfig {
    pub listen: SocketAddr,
    pub database_url: DatabaseUrl,
    pub postgres_connections: usize,
    pub postgres_ca_file: Option<PathBuf>,
    pub token_signing_key: Option<Secret>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    pub trust_forwarded_for: bool,
    pub server: ServerConfig,
    pub limits: Limits,
    pub quota: QuotaConfig,
    pub accounts: AccountsConfig,
    pub retention: RetentionConfig,
    pub rate: RateConfig,
}

/// How the hub holds its connections: caps and timeouts that keep a flood of slow or idle
/// clients from using up the process (`[server]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub max_connections: u32,
    pub max_in_flight: u32,
    pub header_timeout_ms: u64,
    pub request_timeout_ms: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_connections: 8192,
            max_in_flight: 256,
            header_timeout_ms: 15_000,
            request_timeout_ms: 60_000,
        }
    }
}

/// Who may create an account (`[accounts]`): a per-network cap, and optionally invite codes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsConfig {
    pub per_network_per_day: u32,
    pub require_invite: bool,
    /// Secrets: never printed. A TOML list, or one comma-separated string (what an
    /// environment variable can carry).
    #[serde(deserialize_with = "list_or_commas")]
    pub invite_codes: Vec<Secret>,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        AccountsConfig {
            per_network_per_day: 20,
            require_invite: false,
            invite_codes: Vec::new(),
        }
    }
}

fn list_or_commas<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Secret>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Codes {
        List(Vec<String>),
        Commas(String),
    }
    let codes = match Codes::deserialize(d)? {
        Codes::List(v) => v,
        Codes::Commas(s) => s
            .split(',')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
    };
    Ok(codes.into_iter().map(Secret).collect())
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    pub upload_ids_days: u32,
    pub audit_days: u32,
    pub prune_every_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            upload_ids_days: 30,
            audit_days: 90,
            prune_every_secs: 3600,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub default_page_size: u32,
    pub max_page_size: u32,
    pub max_batch_records: usize,
    pub max_record_bytes: usize,
    pub max_body_bytes: usize,
    pub max_small_body_bytes: usize,
    pub max_devices_per_account: u32,
    pub max_pairing_ttl_secs: u32,
    pub revoke_older_after_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuotaConfig {
    pub max_records: u64,
    pub max_bytes: u64,
    pub max_total_bytes: u64,
    pub total_refresh_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateConfig {
    pub per_ip_burst: u32,
    pub per_ip_per_sec: f64,
    pub per_device_burst: u32,
    pub per_device_per_sec: f64,
    pub per_account_burst: Option<u32>,
    pub per_account_per_sec: Option<f64>,
}

impl RateConfig {
    /// The per-account bucket: as configured, or three devices' worth.
    pub fn account_bucket(&self) -> (u32, f64) {
        (
            self.per_account_burst
                .unwrap_or(self.per_device_burst.saturating_mul(3)),
            self.per_account_per_sec
                .unwrap_or(self.per_device_per_sec * 3.0),
        )
    }
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 7171)),
            database_url: DatabaseUrl::new("sqlite://satchel-hub.sqlite3"),
            postgres_connections: 8,
            postgres_ca_file: None,
            token_signing_key: None,
            access_token_ttl_secs: 900,
            refresh_token_ttl_secs: 60 * 24 * 3600,
            trust_forwarded_for: false,
            server: ServerConfig::default(),
            limits: Limits::default(),
            quota: QuotaConfig::default(),
            accounts: AccountsConfig::default(),
            retention: RetentionConfig::default(),
            rate: RateConfig::default(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            default_page_size: 100,
            max_page_size: 500,
            max_batch_records: 500,
            max_record_bytes: 64 * 1024,
            max_body_bytes: 16 * 1024 * 1024,
            max_small_body_bytes: 8 * 1024,
            max_devices_per_account: 20,
            max_pairing_ttl_secs: 600,
            revoke_older_after_secs: 3 * 24 * 3600,
        }
    }
}

impl Default for QuotaConfig {
    fn default() -> Self {
        QuotaConfig {
            max_records: 1_000_000,
            max_bytes: 1 << 30,
            max_total_bytes: 0,
            total_refresh_secs: 60,
        }
    }
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            per_ip_burst: 60,
            per_ip_per_sec: 20.0,
            per_device_burst: 60,
            per_device_per_sec: 20.0,
            per_account_burst: None,
            per_account_per_sec: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {message}")]
    Toml { path: String, message: String },
    #[error("configuration is invalid: {0}")]
    Invalid(String),
}

impl HubConfig {
    /// Defaults, then `file` (if given), then the `SATCHEL_HUB_*` variables of `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<HubConfig, ConfigError> {
        let mut merged = toml::Table::new();
        if let Some(path) = file {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: shown.clone(),
                source,
            })?;
            let table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::Toml {
                        path: shown,
                        message: e.message().to_owned(),
                    })?;
            merge(&mut merged, table);
        }
        merge(&mut merged, env_table(env));
        let cfg: HubConfig = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_owned()))?;
        cfg.check()?;
        Ok(cfg)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if let Some(k) = &self.token_signing_key {
            if k.expose().len() < 32 {
                return bad("token_signing_key must be at least 32 characters".into());
            }
        }
        let l = &self.limits;
        if l.max_page_size == 0 || l.default_page_size == 0 {
            return bad("limits.max_page_size and limits.default_page_size must be > 0".into());
        }
        if l.default_page_size > l.max_page_size {
            return bad("limits.default_page_size must not exceed limits.max_page_size".into());
        }
        if self.access_token_ttl_secs == 0 || self.refresh_token_ttl_secs == 0 {
            return bad("access_token_ttl_secs and refresh_token_ttl_secs must be > 0".into());
        }
        if self.retention.prune_every_secs == 0 {
            return bad("retention.prune_every_secs must be > 0".into());
        }
        let r = &self.rate;
        if !(r.per_ip_per_sec >= 0.0 && r.per_device_per_sec >= 0.0 && r.account_bucket().1 >= 0.0)
        {
            return bad(
                "rate.per_ip_per_sec, rate.per_device_per_sec and rate.per_account_per_sec \
                 must be >= 0"
                    .into(),
            );
        }
        let s = &self.server;
        if s.max_connections == 0 || s.max_in_flight == 0 {
            return bad("server.max_connections and server.max_in_flight must be > 0".into());
        }
        if s.header_timeout_ms == 0 || s.request_timeout_ms == 0 {
            return bad(
                "server.header_timeout_ms and server.request_timeout_ms must be > 0".into(),
            );
        }
        if l.max_small_body_bytes == 0 || l.max_body_bytes == 0 {
            return bad("limits.max_small_body_bytes and limits.max_body_bytes must be > 0".into());
        }
        if self.quota.total_refresh_secs == 0 {
            return bad("quota.total_refresh_secs must be > 0".into());
        }
        let a = &self.accounts;
        if a.require_invite && a.invite_codes.is_empty() {
            return bad("accounts.require_invite needs at least one accounts.invite_codes".into());
        }
        // Each guess costs the guesser's network a sign-up, but many networks make many
        // guesses: only a long code stays unguessed.
        if a.invite_codes
            .iter()
            .any(|c| c.expose().chars().count() < 16)
        {
            return bad("accounts.invite_codes must each be 16 characters or more".into());
        }
        Ok(())
    }
}

fn merge(into: &mut toml::Table, from: toml::Table) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

/// `SATCHEL_HUB_RATE__PER_IP_BURST=100` becomes `rate.per_ip_burst = 100`. Values that parse as
/// TOML (numbers, booleans) are typed; anything else is a string.
fn env_table(env: impl IntoIterator<Item = (String, String)>) -> toml::Table {
    let mut out = toml::Table::new();
    for (name, raw) in env {
        let Some(key) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        // The config file's own location is not a setting.
        if key == "CONFIG" || key.is_empty() {
            continue;
        }
        let path: Vec<String> = key.split("__").map(|p| p.to_ascii_lowercase()).collect();
        let value = format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .filter(|v| !v.is_str() && !v.is_table() && !v.is_array())
            .unwrap_or(toml::Value::String(raw));
        let mut t = &mut out;
        for p in &path[..path.len() - 1] {
            t = t
                .entry(p.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .expect("only tables are inserted on the path");
        }
        t.insert(path[path.len() - 1].clone(), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn printed_default_config_is_the_default() {
        let parsed: HubConfig = toml::from_str(DEFAULT_CONFIG_TOML).unwrap();
        assert_eq!(parsed, HubConfig::default());
    }

    #[test]
    fn layers_apply_in_order_file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hub.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\n[rate]\nper_ip_burst = 5\nper_device_burst = 7\n",
        )
        .unwrap();
        let cfg = HubConfig::load(
            Some(&file),
            env(&[
                ("SATCHEL_HUB_RATE__PER_IP_BURST", "99"),
                ("SATCHEL_HUB_DATABASE_URL", "postgres://u:pw@db:5432/hub"),
                ("SATCHEL_HUB_TRUST_FORWARDED_FOR", "true"),
                ("SATCHEL_HUB_CONFIG", "/ignored"),
                ("OTHER", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(cfg.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(cfg.rate.per_ip_burst, 99, "env beats the file");
        assert_eq!(cfg.rate.per_device_burst, 7, "the file beats the default");
        assert_eq!(cfg.rate.per_device_per_sec, 20.0);
        assert!(cfg.trust_forwarded_for);
        assert_eq!(cfg.database_url.expose(), "postgres://u:pw@db:5432/hub");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let cfg = HubConfig::load(
            None,
            env(&[
                ("SATCHEL_HUB_DATABASE_URL", "postgres://hub:s3cretpw@db/hub"),
                (
                    "SATCHEL_HUB_TOKEN_SIGNING_KEY",
                    "signing-key-signing-key-signing-key",
                ),
            ]),
        )
        .unwrap();
        let dbg = format!("{cfg:?}");
        assert!(!dbg.contains("s3cretpw"), "{dbg}");
        assert!(!dbg.contains("signing-key"), "{dbg}");
        assert!(dbg.contains("postgres://hub:***@db/hub"), "{dbg}");
        assert!(!DEFAULT_CONFIG_TOML.contains("s3cretpw"));
    }

    #[test]
    fn mistakes_name_the_key() {
        let err = HubConfig::load(None, env(&[("SATCHEL_HUB_RATE__PER_IP_BURTS", "1")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("per_ip_burts"), "{err}");
        let err = HubConfig::load(None, env(&[("SATCHEL_HUB_TOKEN_SIGNING_KEY", "short")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("token_signing_key"), "{err}");
        let err = HubConfig::load(None, env(&[("SATCHEL_HUB_LISTEN", "nowhere")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("listen") || err.contains("address"), "{err}");
    }

    #[test]
    fn invite_codes_come_from_a_list_or_commas_and_never_show() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hub.toml");
        std::fs::write(
            &file,
            "[accounts]\nrequire_invite = true\ninvite_codes = [\"first-invite-code-0001\"]\n",
        )
        .unwrap();
        let cfg = HubConfig::load(Some(&file), env(&[])).unwrap();
        assert!(cfg.accounts.require_invite);
        assert_eq!(cfg.accounts.invite_codes.len(), 1);

        let cfg = HubConfig::load(
            None,
            env(&[
                ("SATCHEL_HUB_ACCOUNTS__REQUIRE_INVITE", "true"),
                (
                    "SATCHEL_HUB_ACCOUNTS__INVITE_CODES",
                    "first-invite-code-0001, second-invite-code-02",
                ),
            ]),
        )
        .unwrap();
        let codes: Vec<&str> = cfg
            .accounts
            .invite_codes
            .iter()
            .map(|c| c.expose())
            .collect();
        assert_eq!(codes, ["first-invite-code-0001", "second-invite-code-02"]);
        let dbg = format!("{cfg:?}");
        assert!(!dbg.contains("invite-code"), "{dbg}");
    }

    #[test]
    fn invite_mode_needs_long_enough_codes() {
        let err = HubConfig::load(
            None,
            env(&[("SATCHEL_HUB_ACCOUNTS__REQUIRE_INVITE", "true")]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("invite_codes"), "{err}");
        let err = HubConfig::load(
            None,
            env(&[("SATCHEL_HUB_ACCOUNTS__INVITE_CODES", "short-code")]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("16 characters"), "{err}");
        assert!(!err.contains("short-code"), "{err}");
    }

    #[test]
    fn the_account_bucket_follows_the_device_bucket_unless_set() {
        let mut r = RateConfig::default();
        assert_eq!(r.account_bucket(), (180, 60.0));
        r.per_device_burst = 0;
        assert_eq!(
            r.account_bucket().0,
            0,
            "relaxed device limits relax this one too"
        );
        r.per_account_burst = Some(7);
        r.per_account_per_sec = Some(1.5);
        assert_eq!(r.account_bucket(), (7, 1.5));
    }

    #[test]
    fn urls_without_password_are_unchanged() {
        for u in [
            "sqlite://hub.db",
            "postgres://app@127.0.0.1:55432/satchel",
            "postgres://db/x",
        ] {
            assert_eq!(DatabaseUrl::new(u).redacted(), u);
        }
    }
}
