//! The simulator's own check of the WS-Security UsernameToken (domain.md §10.3).
//!
//! Why a second implementation: a digest computed and checked by the same code proves
//! nothing. This one uses RustCrypto's `sha1` (satchel-ecship uses `sha1_smol`) and reads the
//! token from the parsed request, so a client bug in the concatenation order, the Created
//! format or the Base64 of the nonce is refused here.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use satchel_ecship::dom::Element;
use sha1::{Digest, Sha1};

/// `Base64(SHA1(nonceBytes ‖ created ‖ apiKey))` (§10.3), computed independently.
pub fn password_digest(nonce: &[u8], created: &str, api_key: &str) -> String {
    let mut h = Sha1::new();
    h.update(nonce);
    h.update(created.as_bytes());
    h.update(api_key.as_bytes());
    STANDARD.encode(h.finalize())
}

/// What a valid token tells the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub username: String,
    pub nonce_b64: String,
}

/// Checks the token in `envelope` (the parsed request) against `key_of(username)` and the
/// simulator's clock. Nonce replay is the caller's check (it owns the set of seen nonces).
/// The error text is what the SOAP fault says.
pub fn check(
    envelope: &Element,
    key_of: impl Fn(&str) -> Option<String>,
    now: DateTime<Utc>,
    max_skew_secs: i64,
) -> Result<Token, String> {
    let ut = envelope
        .find("Header")
        .and_then(|h| h.find("UsernameToken"))
        .ok_or("no wsse:UsernameToken in the SOAP header")?;
    let username = ut.child_text("Username").unwrap_or_default();
    let password = ut.child_text("Password").unwrap_or_default();
    let nonce_b64 = ut.child_text("Nonce").unwrap_or_default();
    let created = ut.child_text("Created").unwrap_or_default();
    let key = key_of(username).ok_or("unknown integrator username (wsse:Username)")?;
    let nonce = STANDARD
        .decode(nonce_b64)
        .map_err(|_| "wsse:Nonce is not Base64")?;
    if nonce.is_empty() {
        return Err("wsse:Nonce is empty".into());
    }
    let at = DateTime::parse_from_rfc3339(created)
        .map_err(|_| "wsu:Created is not a UTC timestamp (YYYY-MM-DDThh:mm:ssZ)")?
        .with_timezone(&Utc);
    if (now - at).num_seconds().abs() > max_skew_secs {
        return Err(format!(
            "wsu:Created is more than {max_skew_secs} s from the server clock (stale or future token)"
        ));
    }
    if password_digest(&nonce, created, &key) != password {
        return Err("wsse:Password digest does not match (wrong API key or digest recipe)".into());
    }
    Ok(Token {
        username: username.to_owned(),
        nonce_b64: nonce_b64.to_owned(),
    })
}
