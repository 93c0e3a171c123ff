//! End-to-end encryption for Satchel's sync: what the hub stores must be unreadable to the hub.
//!
//! Seed notice 003 is why this crate exists: EC-Ship's address books were read by a robot
//! through the server. Every record a device uploads is sealed here first, so a dump of the
//! hub holds ciphertext and the minimum metadata needed to sync, never a name or an address.
//!
//! Three pieces, all pure (no IO, no clock, no OS randomness; randomness comes in as a
//! [`rand_core::CryptoRng`] parameter, so the crate builds for `wasm32-unknown-unknown`):
//!
//! - [`envelope`]: [`seal`] and [`open`] a record with a fresh data key wrapped by the
//!   account key (XChaCha20-Poly1305), bound to the record's entity, id and version.
//! - [`phrase`]: the account key as 24 BIP-39 words, the merchant's way back in when every
//!   device is lost.
//! - [`recovery`]: the lookup and proof derived from the account key, so a device holding
//!   only the phrase can sign back in while the hub keeps nothing but a verifier.
//! - [`pairing`]: a short code (or QR) shown on one device that lets a second device join:
//!   the QR's 256-bit secret seals the account key; the typed code is a SPAKE2 password.
//! - [`opaque`]: record format 2 (issue #18): the hub sees keyed digests instead of the
//!   record's entity, id and version, and envelopes padded to a few sizes.
//! - [`label`]: device labels sealed under the account key before they reach the hub.
//! - [`rotation`]: a new account key when a device is revoked (issue #18), sealed to each
//!   remaining device's own X25519 key, with the older keys sealed under the new one.
#![forbid(unsafe_code)]

mod digest;
pub mod envelope;
mod error;
pub mod hex;
mod key;
pub mod label;
pub mod opaque;
pub mod pairing;
pub mod phrase;
pub mod pin;
pub mod recovery;
pub mod rotation;

pub use digest::{digest, seal_deterministic};
pub use envelope::{open, seal, RecordMeta, ENVELOPE_V1};
pub use error::CryptoError;
pub use key::AccountKey;
pub use label::{open_label, seal_label};
pub use pairing::{OfferSeed, PairingCode, QrSecret};
pub use phrase::{from_phrase, to_phrase, PhraseError, RecoveryPhrase};
/// The `rand_core` version the randomness parameters use, so callers need not pin their own.
pub use rand_core;
pub use rotation::DeviceSecretKey;
