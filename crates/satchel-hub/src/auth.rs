//! Credentials and tokens.
//!
//! Device credentials and refresh tokens are 32 random bytes, so the hub stores a plain SHA-256
//! of them: nothing to brute-force, and a stolen database holds nothing that logs in. Access
//! tokens are stateless (`v0.<payload>.<HMAC-SHA256>`), but every request still asks the
//! storage whether the token's device and login are alive, which is what makes revocation and
//! refresh-token reuse detection take effect at once.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the OS random source failed");
    b
}

/// A fresh refresh token and the hash the storage keeps.
pub fn new_refresh_token() -> (String, [u8; 32]) {
    let token = format!("r0.{}", B64.encode(random_bytes::<32>()));
    let hash = sha256(token.as_bytes());
    (token, hash)
}

pub fn refresh_hash(token: &str) -> [u8; 32] {
    sha256(token.as_bytes())
}

/// Who an access token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "a")]
    pub account_id: Uuid,
    #[serde(rename = "d")]
    pub device_id: Uuid,
    #[serde(rename = "f")]
    pub family_id: Uuid,
    /// Expiry, seconds since the epoch.
    #[serde(rename = "e")]
    pub expires: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    BadSignature,
    Expired,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

impl Signer {
    pub fn new(key: &[u8]) -> Signer {
        Signer { key: key.to_vec() }
    }

    fn mac(&self, msg: &[u8]) -> HmacSha256 {
        let mut m = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        m.update(msg);
        m
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let payload = B64.encode(serde_json::to_vec(claims).expect("claims serialize"));
        let signed = format!("v0.{payload}");
        let tag = B64.encode(self.mac(signed.as_bytes()).finalize().into_bytes());
        format!("{signed}.{tag}")
    }

    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let (signed, tag) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let payload = signed.strip_prefix("v0.").ok_or(TokenError::Malformed)?;
        let tag = B64.decode(tag).map_err(|_| TokenError::Malformed)?;
        // verify_slice compares in constant time.
        self.mac(signed.as_bytes())
            .verify_slice(&tag)
            .map_err(|_| TokenError::BadSignature)?;
        let json = B64.decode(payload).map_err(|_| TokenError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        if claims.expires <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// Constant-time equality for credential hashes.
pub fn same_hash(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn claims(expires: i64) -> Claims {
        Claims {
            account_id: Uuid::now_v7(),
            device_id: Uuid::now_v7(),
            family_id: Uuid::now_v7(),
            expires,
        }
    }

    #[test]
    fn tokens_verify_until_they_expire() {
        let s = Signer::new(b"k1");
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let c = claims(now.timestamp() + 900);
        let t = s.sign(&c);
        assert_eq!(s.verify(&t, now), Ok(c));
        let later = Utc.timestamp_opt(now.timestamp() + 900, 0).unwrap();
        assert_eq!(s.verify(&t, later), Err(TokenError::Expired));
    }

    #[test]
    fn forged_or_mangled_tokens_fail() {
        let s = Signer::new(b"k1");
        let now = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
        let t = s.sign(&claims(now.timestamp() + 900));
        assert_eq!(
            Signer::new(b"k2").verify(&t, now),
            Err(TokenError::BadSignature)
        );
        // Swap in another payload (say, another account) under the original signature.
        let other = s.sign(&claims(now.timestamp() + 900));
        let (_, tag) = t.rsplit_once('.').unwrap();
        let (signed_other, _) = other.rsplit_once('.').unwrap();
        assert_eq!(
            s.verify(&format!("{signed_other}.{tag}"), now),
            Err(TokenError::BadSignature)
        );
        assert_eq!(s.verify("garbage", now), Err(TokenError::Malformed));
        assert_eq!(s.verify("", now), Err(TokenError::Malformed));
    }

    #[test]
    fn refresh_tokens_are_unique_and_hash_consistently() {
        let (a, ha) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(refresh_hash(&a), ha);
        assert!(same_hash(&ha, &ha));
        assert!(!same_hash(&ha, &refresh_hash(&b)));
    }
}
