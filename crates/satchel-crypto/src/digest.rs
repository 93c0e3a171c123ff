//! Digests and deterministic sealing for sync.
//!
//! Why deterministic: a retried upload must be byte for byte the first one, so the hub
//! recognises it instead of storing a second ciphertext of the same change. The nonces of
//! [`seal_deterministic`] come from a CSPRNG seeded by a keyed hash of the record and its
//! content (a synthetic-IV construction): the same key and record always seal alike, and
//! different ones never share a nonce.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::{seal, AccountKey, RecordMeta};

/// A 32-byte BLAKE2b of length-prefixed parts, so `["ab", "c"]` and `["a", "bc"]` differ.
pub fn digest(parts: &[&[u8]]) -> [u8; 32] {
    use blake2::digest::{Update, VariableOutput};
    let mut h = blake2::Blake2bVar::new(32).expect("32 is a valid BLAKE2b output length");
    for p in parts {
        h.update(&(p.len() as u64).to_be_bytes());
        h.update(p);
    }
    let mut out = [0u8; 32];
    h.finalize_variable(&mut out)
        .expect("the buffer has the requested length");
    out
}

/// Keyed BLAKE2b-256 (BLAKE2's own MAC mode, a PRF) of length-prefixed parts under `key`: the
/// opaque ids of record format 2 and the subkeys they and device labels use. Without `key`
/// the output tells nothing of the parts.
pub(crate) fn keyed(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    use blake2::digest::consts::U32;
    use blake2::digest::{FixedOutput, KeyInit, Update};
    let mut mac = blake2::Blake2bMac::<U32>::new_from_slice(key)
        .expect("32 bytes is a valid BLAKE2b key length");
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&mac.finalize_fixed());
    out
}

/// [`seal`] with nonces derived from the key, the record's identity and the plaintext.
pub fn seal_deterministic(key: &AccountKey, meta: &RecordMeta<'_>, plaintext: &[u8]) -> Vec<u8> {
    let seed = digest(&[
        b"satchel/sync/seal-seed/v1",
        key.expose_bytes(),
        meta.entity.as_bytes(),
        meta.record_id.as_bytes(),
        meta.version.as_bytes(),
        plaintext,
    ]);
    seal(key, meta, plaintext, &mut ChaCha20Rng::from_seed(seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_length_prefixed() {
        assert_ne!(digest(&[b"ab", b"c"]), digest(&[b"a", b"bc"]));
        assert_eq!(digest(&[b"ab", b"c"]), digest(&[b"ab", b"c"]));
    }

    #[test]
    fn keyed_digests_depend_on_the_key_and_every_part() {
        let a = keyed(&[1; 32], &[b"ab", b"c"]);
        assert_eq!(a, keyed(&[1; 32], &[b"ab", b"c"]));
        assert_ne!(a, keyed(&[2; 32], &[b"ab", b"c"]));
        assert_ne!(a, keyed(&[1; 32], &[b"a", b"bc"]));
        assert_ne!(a, digest(&[b"ab", b"c"]));
    }

    #[test]
    fn the_same_record_seals_alike_and_another_version_does_not() {
        let key = AccountKey::from_bytes([7; 32]);
        let meta = |version| RecordMeta {
            entity: "contact",
            record_id: "r1",
            version,
        };
        let a = seal_deterministic(&key, &meta("1"), b"{}");
        assert_eq!(a, seal_deterministic(&key, &meta("1"), b"{}"));
        assert_ne!(a, seal_deterministic(&key, &meta("2"), b"{}"));
        assert_eq!(crate::open(&key, &meta("1"), &a).unwrap(), b"{}");
    }
}
