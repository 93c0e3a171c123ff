//! Recovery on a brand-new device: what the recovery phrase lets the hub check without the hub
//! ever holding the account key.
//!
//! When every device is lost, no device credential is left to sign in with; the phrase is all
//! the merchant has. From the account key (which the phrase encodes) a device derives two
//! values with BLAKE2b under distinct domain labels:
//!
//! - [`lookup`]: a public name (hex) under which the hub files the account, so a device that
//!   only has the phrase can say which account it means;
//! - [`proof`]: 32 secret bytes the device presents once, at recovery.
//!
//! The hub keeps only [`verifier`] of the proof (another BLAKE2b under its own label). A
//! stolen hub database therefore holds a lookup and a verifier: neither opens a record (both
//! are one-way functions of the key), and the verifier does not give the proof back, so it
//! cannot be replayed to the hub either. The proof has 256 bits, so guessing one online is
//! hopeless even before the hub's rate limits.
//!
//! Everything here is a pure function of the key, so every device (and every build) derives
//! the same values, and the crate stays free of IO and builds for wasm32.

use blake2::digest::{Update, VariableOutput};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::AccountKey;

const LOOKUP_LABEL: &[u8] = b"satchel/recovery/lookup/v1";
const PROOF_LABEL: &[u8] = b"satchel/recovery/proof/v1";
const VERIFIER_LABEL: &[u8] = b"satchel/recovery/verifier/v1";

/// The length of a lookup in hex characters (32 bytes).
pub const LOOKUP_HEX_LEN: usize = 64;

/// BLAKE2b-256 of a label and a message. The labels are fixed constants and every message is
/// 32 bytes, so no two (label, message) pairs can encode alike.
fn blake2b_256(label: &[u8], message: &[u8]) -> [u8; 32] {
    let mut h = blake2::Blake2bVar::new(32).expect("32 is a valid BLAKE2b output length");
    h.update(label);
    h.update(message);
    let mut out = [0u8; 32];
    h.finalize_variable(&mut out)
        .expect("the buffer has the requested length");
    out
}

/// The secret a device presents to the hub to recover the account. Wiped on drop; `Debug`
/// is redacted, because whoever holds it can add a device to the account.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryProof([u8; 32]);

impl RecoveryProof {
    /// A proof as it arrived over the wire (on the hub).
    pub fn from_bytes(bytes: [u8; 32]) -> RecoveryProof {
        RecoveryProof(bytes)
    }

    /// The raw bytes, to send to the hub and nowhere else.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for RecoveryProof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryProof(<redacted>)")
    }
}

/// The account's public recovery name: 64 lowercase hex characters.
pub fn lookup(key: &AccountKey) -> String {
    hex(&blake2b_256(LOOKUP_LABEL, key.expose_bytes()))
}

/// The proof a device presents when it recovers the account with the phrase.
pub fn proof(key: &AccountKey) -> RecoveryProof {
    RecoveryProof(blake2b_256(PROOF_LABEL, key.expose_bytes()))
}

/// What the hub stores and compares against: a one-way function of the proof.
pub fn verifier(proof: &RecoveryProof) -> [u8; 32] {
    blake2b_256(VERIFIER_LABEL, &proof.0)
}

/// The lookup and verifier a device registers with the hub for `key`.
pub fn registration(key: &AccountKey) -> (String, [u8; 32]) {
    (lookup(key), verifier(&proof(key)))
}

/// Whether `s` has the shape of a [`lookup`] (the hub checks this before any query).
pub fn is_lookup(s: &str) -> bool {
    s.len() == LOOKUP_HEX_LEN
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> AccountKey {
        AccountKey::from_bytes([byte; 32])
    }

    #[test]
    fn derivations_are_fixed_for_a_fixed_key() {
        // Pinned (computed independently with Python's hashlib.blake2b, digest_size=32): a device and a hub built at different times must derive the same values,
        // or recovery silently stops working. Changing a label means a new `v2` scheme.
        let k = key(7);
        assert_eq!(lookup(&k), lookup(&key(7)));
        assert_eq!(lookup(&k).len(), LOOKUP_HEX_LEN);
        assert!(is_lookup(&lookup(&k)));
        assert_eq!(
            lookup(&k),
            "a3a6b16fed92c849f8ccd47c32b067a7ff901bde0d9fd835a954eca991b2d1c9"
        );
        assert_eq!(
            hex(&verifier(&proof(&k))),
            "756f7472a393c9166c896ed84f36b4e201916550a655b09ff17f1ae7f75e844a"
        );
    }

    #[test]
    fn labels_separate_lookup_proof_and_verifier() {
        let k = key(9);
        let l = lookup(&k);
        let p = proof(&k);
        let v = verifier(&p);
        assert_ne!(
            l,
            hex(p.expose_bytes()),
            "the lookup must not reveal the proof"
        );
        assert_ne!(p.expose_bytes(), &v, "the verifier must not be the proof");
        assert_ne!(l, hex(&v));
        assert_ne!(hex(&k.id()), l[..16]);
    }

    #[test]
    fn different_keys_give_different_values() {
        assert_ne!(lookup(&key(1)), lookup(&key(2)));
        assert_ne!(proof(&key(1)), proof(&key(2)));
        assert_eq!(
            registration(&key(3)),
            (lookup(&key(3)), verifier(&proof(&key(3))))
        );
    }

    #[test]
    fn lookup_shape_is_checked() {
        assert!(!is_lookup(""));
        assert!(!is_lookup(&"A".repeat(64)));
        assert!(!is_lookup(&"0".repeat(63)));
        assert!(is_lookup(&"0f".repeat(32)));
    }

    #[test]
    fn proof_debug_is_redacted() {
        let shown = format!("{:?}", proof(&key(0xAB)));
        assert_eq!(shown, "RecoveryProof(<redacted>)");
    }
}
