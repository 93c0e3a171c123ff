//! The account key: the one secret every device of a merchant shares.
//!
//! It never leaves a device in the clear except as the recovery phrase the merchant writes
//! down; in memory it is wiped on drop, and its `Debug` prints nothing of it, so a log line or
//! a crash report cannot leak it.

use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// 32 random bytes. Wrapped record keys and the pairing blob are encrypted under it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct AccountKey([u8; 32]);

impl AccountKey {
    pub const LEN: usize = 32;

    /// A new key for a new account.
    pub fn generate(rng: &mut (impl CryptoRng + RngCore)) -> AccountKey {
        let mut k = [0u8; 32];
        rng.fill_bytes(&mut k);
        AccountKey(k)
    }

    /// A key read back from the keychain (or recovered).
    pub fn from_bytes(bytes: [u8; 32]) -> AccountKey {
        AccountKey(bytes)
    }

    /// The raw key, for storing in the OS keychain and nowhere else.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A public 8-byte name of the key (BLAKE2b of a domain label and the key): the envelope
    /// carries it, so a device holding another account's key gets "wrong key" instead of a
    /// generic forgery error. It reveals nothing the ciphertexts do not already: which records
    /// share a key.
    pub fn id(&self) -> [u8; 8] {
        use blake2::digest::{Update, VariableOutput};
        let mut h = blake2::Blake2bVar::new(8).expect("8 is a valid BLAKE2b output length");
        h.update(b"satchel/key-id/v1");
        h.update(&self.0);
        let mut out = [0u8; 8];
        h.finalize_variable(&mut out)
            .expect("the buffer has the requested length");
        out
    }
}

impl std::fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccountKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_key_bytes() {
        let k = AccountKey::from_bytes([0xAB; 32]);
        let shown = format!("{k:?}");
        assert_eq!(shown, "AccountKey(<redacted>)");
        assert!(!shown.contains("171") && !shown.to_lowercase().contains("ab,"));
    }

    #[test]
    fn different_keys_have_different_ids() {
        let a = AccountKey::from_bytes([1; 32]);
        let b = AccountKey::from_bytes([2; 32]);
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id(), AccountKey::from_bytes([1; 32]).id());
    }
}
