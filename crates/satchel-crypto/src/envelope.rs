//! Record envelopes: how one synced record is sealed before it leaves the device.
//!
//! Each record gets its own fresh 32-byte data key, which seals the record; the account key
//! only wraps data keys. Re-keying an account later means re-wrapping 48-byte keys, not
//! re-encrypting every record, and a data key exposed by a bug exposes one record only.
//! Both layers are XChaCha20-Poly1305 with random 24-byte nonces (random nonces are safe at
//! that size, so no counter has to be kept in step across devices).
//!
//! # Format, version 1 (all lengths in bytes)
//!
//! ```text
//! offset len    field
//!      0   1    version, 0x01
//!      1   8    account key id (AccountKey::id), so a wrong key is reported as such
//!      9  24    wrap nonce
//!     33  48    data key sealed under the account key (32 + 16-byte tag)
//!     81  24    body nonce
//!    105 n+16   record sealed under the data key (n plaintext bytes + 16-byte tag)
//! ```
//!
//! 121 bytes of overhead per record. The associated data of both layers is a domain label,
//! every header byte before that layer's ciphertext, and the record's [`RecordMeta`]
//! (entity, id, version), each length-prefixed so that no two different metas encode alike.
//! So a ciphertext copied onto another record, another entity or another version of the same
//! record fails to open, and so does any changed header byte. The hub sees the meta (it needs
//! it to sync); binding it only stops the hub from shuffling records. Since record format 2
//! ([`crate::opaque`], issue #18) that meta is opaque: keyed digests, not names.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::{AccountKey, CryptoError};

/// The first byte of every envelope this version writes.
pub const ENVELOPE_V1: u8 = 1;

const KEY_ID: usize = 1;
const WRAP_NONCE: usize = KEY_ID + 8;
const WRAPPED: usize = WRAP_NONCE + 24;
const BODY_NONCE: usize = WRAPPED + 32 + 16;
const BODY: usize = BODY_NONCE + 24;
const TAG: usize = 16;
/// Bytes an envelope adds to its plaintext (121): header, wrapped data key, body nonce, tag.
pub const OVERHEAD: usize = BODY + TAG;

/// What a sealed record is bound to. Opening must present the same three values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordMeta<'a> {
    /// The kind of record: `contact`, `shipment`.
    pub entity: &'a str,
    /// The record's id (a UUIDv7).
    pub record_id: &'a str,
    /// Which version of the record this is: the change's hybrid logical clock stamp.
    pub version: &'a str,
}

impl RecordMeta<'_> {
    fn associated_data(&self, label: &[u8], header: &[u8]) -> Vec<u8> {
        let mut ad = Vec::with_capacity(
            label.len() + header.len() + 12 + self.entity.len() + self.record_id.len(),
        );
        ad.extend_from_slice(label);
        ad.extend_from_slice(header);
        for part in [self.entity, self.record_id, self.version] {
            let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
            ad.extend_from_slice(&len.to_be_bytes());
            ad.extend_from_slice(part.as_bytes());
        }
        ad
    }
}

fn cipher(key: &[u8; 32]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(Key::from_slice(key))
}

/// Seals `plaintext` for `meta` under a fresh data key wrapped by `key`.
pub fn seal(
    key: &AccountKey,
    meta: &RecordMeta<'_>,
    plaintext: &[u8],
    rng: &mut (impl CryptoRng + RngCore),
) -> Vec<u8> {
    let mut data_key = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(data_key.as_mut());
    let mut out = Vec::with_capacity(BODY + plaintext.len() + TAG);
    out.push(ENVELOPE_V1);
    out.extend_from_slice(&key.id());
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    out.extend_from_slice(&nonce);
    let wrap_ad = meta.associated_data(b"satchel/wrap/v1", &out);
    let wrapped = cipher(key.expose_bytes())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: data_key.as_ref(),
                aad: &wrap_ad,
            },
        )
        .expect("XChaCha20-Poly1305 seals any message under 256 GiB");
    out.extend_from_slice(&wrapped);
    rng.fill_bytes(&mut nonce);
    out.extend_from_slice(&nonce);
    let body_ad = meta.associated_data(b"satchel/body/v1", &out);
    let body = cipher(&data_key)
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &body_ad,
            },
        )
        .expect("XChaCha20-Poly1305 seals any message under 256 GiB");
    out.extend_from_slice(&body);
    out
}

/// The id of the account key an envelope was sealed under ([`AccountKey::id`]), read from
/// its header: after a key rotation (issue #18) a device holds several keys and picks by it.
pub fn key_id_of(envelope: &[u8]) -> Option<[u8; 8]> {
    envelope.get(KEY_ID..WRAP_NONCE)?.try_into().ok()
}

/// Opens an envelope made by [`seal`] with the same key and meta.
pub fn open(
    key: &AccountKey,
    meta: &RecordMeta<'_>,
    envelope: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    match envelope.first() {
        None => return Err(CryptoError::Truncated { len: 0 }),
        Some(&ENVELOPE_V1) => {}
        Some(&other) => return Err(CryptoError::UnknownVersion(other)),
    }
    if envelope.len() < BODY + TAG {
        return Err(CryptoError::Truncated {
            len: envelope.len(),
        });
    }
    if envelope[KEY_ID..WRAP_NONCE] != key.id() {
        return Err(CryptoError::WrongKey);
    }
    let wrap_ad = meta.associated_data(b"satchel/wrap/v1", &envelope[..WRAPPED]);
    let unwrapped = Zeroizing::new(
        cipher(key.expose_bytes())
            .decrypt(
                XNonce::from_slice(&envelope[WRAP_NONCE..WRAPPED]),
                Payload {
                    msg: &envelope[WRAPPED..BODY_NONCE],
                    aad: &wrap_ad,
                },
            )
            .map_err(|_| CryptoError::Forged)?,
    );
    let data_key: Zeroizing<[u8; 32]> = Zeroizing::new(
        unwrapped
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::Forged)?,
    );
    let body_ad = meta.associated_data(b"satchel/body/v1", &envelope[..BODY]);
    cipher(&data_key)
        .decrypt(
            XNonce::from_slice(&envelope[BODY_NONCE..BODY]),
            Payload {
                msg: &envelope[BODY..],
                aad: &body_ad,
            },
        )
        .map_err(|_| CryptoError::Forged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metas_that_concatenate_alike_still_differ() {
        let a = RecordMeta {
            entity: "contact",
            record_id: "ab",
            version: "c",
        };
        let b = RecordMeta {
            entity: "contact",
            record_id: "a",
            version: "bc",
        };
        assert_ne!(a.associated_data(b"l", b"h"), b.associated_data(b"l", b"h"));
    }
}
