//! Pairing: moving the account key from a signed-in device to a new one through the hub,
//! without the hub learning it.
//!
//! Device 1 makes a [`PairingCode`] and shows it (as text, and as a QR of
//! [`PairingCode::qr_payload`]). It calls [`offer`], which derives a pairing key from the code
//! and a random salt with Argon2id and seals the account key under it, and parks the blob on
//! the hub under [`PairingCode::lookup_id`]. Device 2 takes the code typed or scanned, asks
//! the hub for the blob under the same lookup id, and calls [`accept`]. Networking and the
//! blob's lifetime on the hub (minutes, one fetch) belong to the sync engine and the hub.
//!
//! # The code
//!
//! Ten characters of Crockford base32 (`0-9`, `A-Z` without `I L O U`), shown as `XXXXX-XXXXX`:
//! nine random characters (45 bits) and one Luhn mod 32 check character, which catches every
//! single mistyped character and most swaps of neighbours before any slow hashing happens.
//! Typing is forgiving: any case, spaces and dashes ignored, `O` read as `0`, `I`/`L` as `1`.
//!
//! # Why 45 bits are enough
//!
//! Everything derived from the code costs one Argon2id run, so both the lookup id and the
//! blob resist guessing: with the default [`PairingParams`] (19 MiB, 2 passes, 1 lane, the
//! OWASP minimum for Argon2id) an attacker holding the blob needs on the order of 2^44 runs,
//! thousands of core-years, for a blob the hub keeps for minutes. Someone without the blob
//! can only guess lookup ids online, which the hub rate-limits.
//!
//! # A scanned code carries 256 bits (issue #18)
//!
//! The QR code holds more than the typed code: [`QrSecret`], 32 random bytes, in a version-2
//! payload (`satchel-pair:v2:CODE:HEX`). The first device parks a second blob for it
//! ([`offer_scanned`]): the account key sealed under a key derived from the secret with keyed
//! BLAKE2b, under a lookup derived the same way. No Argon2id is needed, and a copy of that blob
//! cannot be opened by guessing at any cost. A device that scans uses it (and then takes the
//! typed code's blob too, so that one does not wait on the hub for its ten minutes); a device
//! whose merchant types the code uses the Argon2id blob as before.
//!
//! # Blob format, version 1 (lengths in bytes)
//!
//! ```text
//! offset len  field
//!      0   1  version, 0x01
//!      1   4  Argon2id memory in KiB, big-endian
//!      5   4  Argon2id passes, big-endian
//!      9   4  Argon2id lanes, big-endian
//!     13  16  salt
//!     29  24  nonce
//!     53  48  account key sealed with XChaCha20-Poly1305 (32 + 16-byte tag)
//! ```
//!
//! The associated data is `satchel/pairing/v1` and bytes 0..53, so the parameters and salt
//! cannot be changed without the blob failing to open. Device 2 uses the parameters in the
//! blob (within [`PairingParams::MAX`]), so the costs can be raised later without breaking
//! older blobs; the lookup id uses the parameters both devices' builds agree on.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{AccountKey, CryptoError};

/// Crockford's base32 alphabet: no I, L, O or U, so nothing reads as another character.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LEN: usize = 10;
const QR_PREFIX: &str = "satchel-pair:v1:";
const QR_V2_PREFIX: &str = "satchel-pair:v2:";
const BLOB_V1: u8 = 1;
/// A blob sealed under a [`QrSecret`]: version, nonce (24), account key sealed (32 + 16).
const BLOB_SCANNED: u8 = 2;
const HEADER: usize = 53;
const LOOKUP_SALT: &[u8] = b"satchel/pairing/lookup/v1";

/// Argon2id costs for deriving anything from a pairing code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairingParams {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl PairingParams {
    /// What real devices use: 19 MiB, 2 passes, 1 lane (OWASP's minimum for Argon2id).
    pub const DEFAULT: PairingParams = PairingParams {
        memory_kib: 19 * 1024,
        passes: 2,
        lanes: 1,
    };
    /// The most a blob may ask for: a hostile blob must not make a phone allocate gigabytes.
    pub const MAX: PairingParams = PairingParams {
        memory_kib: 256 * 1024,
        passes: 10,
        lanes: 4,
    };
    /// Cheap costs for tests only; never for real codes.
    pub const TESTING: PairingParams = PairingParams {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };

    fn argon2(&self) -> Result<Argon2<'static>, CryptoError> {
        if self.memory_kib > Self::MAX.memory_kib
            || self.passes > Self::MAX.passes
            || self.lanes > Self::MAX.lanes
        {
            return Err(CryptoError::BadParams);
        }
        let p = Params::new(self.memory_kib, self.passes, self.lanes, Some(32))
            .map_err(|_| CryptoError::BadParams)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
    }

    fn derive(&self, code: &PairingCode, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        let mut out = Zeroizing::new([0u8; 32]);
        self.argon2()?
            .hash_password_into(code.0.as_bytes(), salt, out.as_mut())
            .map_err(|_| CryptoError::BadParams)?;
        Ok(out)
    }
}

impl Default for PairingParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A pairing code: ten canonical characters (no dash). Wiped on drop; `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct PairingCode(String);

impl std::fmt::Debug for PairingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairingCode(<redacted>)")
    }
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// Luhn mod 32 over the digits' values, rightmost first; the check digit makes the sum 0.
fn luhn_sum(values: impl DoubleEndedIterator<Item = u32>, double_first: bool) -> u32 {
    let mut double = double_first;
    let mut sum = 0;
    for v in values.rev() {
        let a = if double { v * 2 } else { v };
        sum += a / 32 + a % 32;
        double = !double;
    }
    sum % 32
}

impl PairingCode {
    /// A fresh code from nine random characters and their check character.
    pub fn generate(rng: &mut (impl CryptoRng + RngCore)) -> PairingCode {
        let mut raw = Zeroizing::new([0u8; CODE_LEN - 1]);
        rng.fill_bytes(raw.as_mut());
        // 256 is a multiple of 32, so the low five bits of a random byte are uniform.
        let values: Vec<u32> = raw.iter().map(|b| u32::from(b & 31)).collect();
        let check = (32 - luhn_sum(values.iter().copied(), true)) % 32;
        let s: String = values
            .iter()
            .chain(std::iter::once(&check))
            .map(|&v| ALPHABET[v as usize] as char)
            .collect();
        PairingCode(s)
    }

    /// Reads a typed code, forgiving case, spaces, dashes and the look-alikes O/0, I/L/1.
    pub fn parse(typed: &str) -> Result<PairingCode, CryptoError> {
        let mut canon = String::with_capacity(CODE_LEN);
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\t' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || value_of(c as u8).is_none() {
                return Err(CryptoError::MistypedCode(
                    "it contains a character pairing codes do not use",
                ));
            }
            canon.push(c);
        }
        if canon.len() != CODE_LEN {
            return Err(CryptoError::MistypedCode(
                "a pairing code has 10 characters",
            ));
        }
        let values = canon.bytes().filter_map(value_of);
        if luhn_sum(values.collect::<Vec<_>>().into_iter(), false) != 0 {
            return Err(CryptoError::MistypedCode(
                "a character is wrong or two are swapped",
            ));
        }
        Ok(PairingCode(canon))
    }

    /// A code read from a QR made by [`qr_payload`](PairingCode::qr_payload).
    pub fn from_qr(payload: &str) -> Result<PairingCode, CryptoError> {
        payload
            .strip_prefix(QR_PREFIX)
            .ok_or(CryptoError::MistypedCode(
                "this QR code is not a Satchel pairing code",
            ))
            .and_then(PairingCode::parse)
    }

    /// The code as shown on screen: `XXXXX-XXXXX`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }

    /// The text to put in the QR code.
    pub fn qr_payload(&self) -> String {
        format!("{QR_PREFIX}{}", self.0)
    }

    /// Where the blob is parked on the hub: 32 hex characters from Argon2id over the code
    /// with a fixed salt, so the hub cannot recover the code from it cheaply.
    pub fn lookup_id(&self, params: &PairingParams) -> Result<String, CryptoError> {
        let h = params.derive(self, LOOKUP_SALT)?;
        Ok(h[..16].iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// Seals the account key for a device that will type `code`.
pub fn offer(
    key: &AccountKey,
    code: &PairingCode,
    params: &PairingParams,
    rng: &mut (impl CryptoRng + RngCore),
) -> Result<Vec<u8>, CryptoError> {
    let mut blob = Vec::with_capacity(HEADER + 48);
    blob.push(BLOB_V1);
    for n in [params.memory_kib, params.passes, params.lanes] {
        blob.extend_from_slice(&n.to_be_bytes());
    }
    let mut salt_nonce = [0u8; 16 + 24];
    rng.fill_bytes(&mut salt_nonce);
    blob.extend_from_slice(&salt_nonce);
    let pairing_key = params.derive(code, &salt_nonce[..16])?;
    let sealed = XChaCha20Poly1305::new(Key::from_slice(pairing_key.as_ref()))
        .encrypt(
            XNonce::from_slice(&salt_nonce[16..]),
            Payload {
                msg: key.expose_bytes(),
                aad: &associated_data(&blob),
            },
        )
        .expect("XChaCha20-Poly1305 seals 32 bytes");
    blob.extend_from_slice(&sealed);
    Ok(blob)
}

/// The account key from a blob made by [`offer`], given the code shown on the other device.
pub fn accept(code: &PairingCode, blob: &[u8]) -> Result<AccountKey, CryptoError> {
    match blob.first() {
        None => return Err(CryptoError::Truncated { len: 0 }),
        Some(&BLOB_V1) => {}
        Some(&v) => return Err(CryptoError::UnknownVersion(v)),
    }
    if blob.len() != HEADER + 48 {
        return Err(CryptoError::Truncated { len: blob.len() });
    }
    let word = |i: usize| u32::from_be_bytes([blob[i], blob[i + 1], blob[i + 2], blob[i + 3]]);
    let params = PairingParams {
        memory_kib: word(1),
        passes: word(5),
        lanes: word(9),
    };
    let pairing_key = params.derive(code, &blob[13..29])?;
    let opened = Zeroizing::new(
        XChaCha20Poly1305::new(Key::from_slice(pairing_key.as_ref()))
            .decrypt(
                XNonce::from_slice(&blob[29..HEADER]),
                Payload {
                    msg: &blob[HEADER..],
                    aad: &associated_data(&blob[..HEADER]),
                },
            )
            .map_err(|_| CryptoError::WrongPairingCode)?,
    );
    let bytes: [u8; 32] = opened
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::WrongPairingCode)?;
    Ok(AccountKey::from_bytes(bytes))
}

/// The 256-bit secret only the QR code carries. Wiped on drop; `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct QrSecret([u8; 32]);

impl std::fmt::Debug for QrSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QrSecret(<redacted>)")
    }
}

impl QrSecret {
    pub fn generate(rng: &mut (impl CryptoRng + RngCore)) -> QrSecret {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        QrSecret(b)
    }

    /// Where the scanned blob is parked: 32 hex characters, like [`PairingCode::lookup_id`]
    /// (the hub takes either), from keyed BLAKE2b under the secret.
    pub fn lookup_id(&self) -> String {
        crate::digest::keyed(&self.0, &[b"satchel/pairing/qr-lookup/v1"])[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn sealing_key(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(crate::digest::keyed(
            &self.0,
            &[b"satchel/pairing/qr-key/v1"],
        ))
    }

    /// The text to put in the QR code: the typed code too, so a device that scans can clear
    /// the typed code's blob from the hub.
    pub fn qr_payload(&self, code: &PairingCode) -> String {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        format!("{QR_V2_PREFIX}{}:{hex}", code.0)
    }
}

/// Reads a scanned QR payload: the code, and the secret when the QR is version 2. A version-1
/// QR (the code alone, from an older Satchel) still reads.
pub fn read_qr(payload: &str) -> Result<(PairingCode, Option<QrSecret>), CryptoError> {
    let not_ours = CryptoError::MistypedCode("this QR code is not a Satchel pairing code");
    let payload = payload.trim();
    if let Some(rest) = payload.strip_prefix(QR_V2_PREFIX) {
        let (code, hex) = rest.split_once(':').ok_or(not_ours.clone())?;
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(not_ours);
        }
        let mut b = [0u8; 32];
        for (i, o) in b.iter_mut().enumerate() {
            *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| not_ours.clone())?;
        }
        return Ok((PairingCode::parse(code)?, Some(QrSecret(b))));
    }
    Ok((PairingCode::from_qr(payload)?, None))
}

/// Seals the account key for a device that will scan the QR code of `secret`.
pub fn offer_scanned(
    key: &AccountKey,
    secret: &QrSecret,
    rng: &mut (impl CryptoRng + RngCore),
) -> Vec<u8> {
    let mut blob = vec![BLOB_SCANNED];
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    blob.extend_from_slice(&nonce);
    let sealed = XChaCha20Poly1305::new(Key::from_slice(secret.sealing_key().as_ref()))
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.expose_bytes(),
                aad: &associated_data(&blob),
            },
        )
        .expect("XChaCha20-Poly1305 seals 32 bytes");
    blob.extend_from_slice(&sealed);
    blob
}

/// The account key from a blob made by [`offer_scanned`].
pub fn accept_scanned(secret: &QrSecret, blob: &[u8]) -> Result<AccountKey, CryptoError> {
    match blob.first() {
        None => return Err(CryptoError::Truncated { len: 0 }),
        Some(&BLOB_SCANNED) => {}
        Some(&v) => return Err(CryptoError::UnknownVersion(v)),
    }
    if blob.len() != 1 + 24 + 48 {
        return Err(CryptoError::Truncated { len: blob.len() });
    }
    let opened = Zeroizing::new(
        XChaCha20Poly1305::new(Key::from_slice(secret.sealing_key().as_ref()))
            .decrypt(
                XNonce::from_slice(&blob[1..25]),
                Payload {
                    msg: &blob[25..],
                    aad: &associated_data(&blob[..25]),
                },
            )
            .map_err(|_| CryptoError::WrongPairingCode)?,
    );
    let bytes: [u8; 32] = opened
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::WrongPairingCode)?;
    Ok(AccountKey::from_bytes(bytes))
}

fn associated_data(header: &[u8]) -> Vec<u8> {
    let mut ad = b"satchel/pairing/v1".to_vec();
    ad.extend_from_slice(header);
    ad
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    #[test]
    fn every_single_substitution_and_most_swaps_are_caught_by_the_check_character() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let mut swaps = 0;
        let mut swaps_caught = 0;
        for _ in 0..20 {
            let good = PairingCode::generate(&mut rng);
            assert_eq!(PairingCode::parse(&good.0).unwrap(), good);
            let bytes = good.0.as_bytes();
            for i in 0..CODE_LEN {
                for &c in ALPHABET.iter().filter(|&&c| c != bytes[i]) {
                    let mut typo = bytes.to_vec();
                    typo[i] = c;
                    let typo = String::from_utf8(typo).unwrap();
                    assert!(PairingCode::parse(&typo).is_err(), "{typo} accepted");
                }
                if i + 1 < CODE_LEN && bytes[i] != bytes[i + 1] {
                    let mut swapped = bytes.to_vec();
                    swapped.swap(i, i + 1);
                    swaps += 1;
                    if PairingCode::parse(std::str::from_utf8(&swapped).unwrap()).is_err() {
                        swaps_caught += 1;
                    }
                }
            }
        }
        assert!(swaps_caught * 10 >= swaps * 9, "{swaps_caught} of {swaps}");
    }

    #[test]
    fn a_scanned_qr_opens_its_own_blob_only_and_an_old_qr_still_reads() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let key = AccountKey::generate(&mut rng);
        let code = PairingCode::generate(&mut rng);
        let secret = QrSecret::generate(&mut rng);
        let payload = secret.qr_payload(&code);
        let (read_code, read_secret) = read_qr(&payload).unwrap();
        assert_eq!(read_code, code);
        let read_secret = read_secret.unwrap();
        assert_eq!(read_secret.lookup_id(), secret.lookup_id());
        assert_eq!(read_secret.lookup_id().len(), 32);
        let blob = offer_scanned(&key, &secret, &mut rng);
        assert_eq!(accept_scanned(&read_secret, &blob).unwrap(), key);
        let other = QrSecret::generate(&mut rng);
        assert_ne!(other.lookup_id(), secret.lookup_id());
        assert_eq!(
            accept_scanned(&other, &blob),
            Err(CryptoError::WrongPairingCode)
        );
        // The code's own blob is not a scanned one.
        assert!(accept_scanned(
            &secret,
            &offer(&key, &code, &PairingParams::TESTING, &mut rng).unwrap()
        )
        .is_err());
        // Version 1 (code only), and payloads that are not ours.
        assert_eq!(read_qr(&code.qr_payload()).unwrap(), (code.clone(), None));
        for bad in [
            "satchel-pair:v2:",
            "satchel-pair:v2:ABC",
            &format!("satchel-pair:v2:{}:zz", code.0),
        ] {
            assert!(read_qr(bad).is_err(), "{bad}");
        }
        assert_eq!(format!("{secret:?}"), "QrSecret(<redacted>)");
    }
}
