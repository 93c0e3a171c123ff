//! Why opening something failed, in terms the sync engine can act on and the merchant can be
//! told. Errors never carry key material or plaintext.

/// Failure to open an envelope or a pairing blob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Shorter than its fixed header and tag: cut off in transit or not an envelope at all.
    #[error("the encrypted data is truncated ({len} bytes)")]
    Truncated { len: usize },
    /// Written by a newer Satchel (or garbage): the first byte names an unknown format.
    #[error("unknown encrypted-data format version {0}; update Satchel")]
    UnknownVersion(u8),
    /// Sealed under another account key (the key id in the header does not match).
    #[error("the record was encrypted with a different account key")]
    WrongKey,
    /// The authentication tag does not verify: a byte was altered, or the envelope was moved
    /// onto another record, entity or version.
    #[error("the record failed authentication: altered, or moved to another record or version")]
    Forged,
    /// A pairing code with a bad check character or length, caught before any hashing.
    #[error("the pairing code is mistyped: {0}")]
    MistypedCode(&'static str),
    /// No offer under this code, or its blob does not open with it.
    #[error(
        "wrong pairing code, or it was used or expired: check it, or make a new code on the \
         other device"
    )]
    WrongPairingCode,
    /// Argon2id refused its parameters (the app-lock PIN's hashing).
    #[error("unsupported key-derivation parameters")]
    BadParams,
}
