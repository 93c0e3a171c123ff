//! Pairing: moving the account key from a signed-in device to a new one through the hub,
//! without the hub learning it.
//!
//! Device 1 makes a [`PairingCode`] and shows it, as text and as a QR code. The two ways in
//! differ in what they protect, so each has its own path.
//!
//! # A scanned code carries 256 bits (issue #18)
//!
//! The QR code holds [`QrSecret`], 32 random bytes, in a version-2 payload
//! (`satchel-pair:v2:CODE:HEX`). The first device parks a blob for it ([`offer_scanned`]): the
//! account key sealed under a key derived from the secret with keyed BLAKE2b, under a lookup
//! derived the same way. A copy of that blob cannot be opened by guessing at any cost, so a
//! device that scans links at once.
//!
//! # A typed code is a password for SPAKE2 (issue #18)
//!
//! Ten characters of Crockford base32 (`0-9`, `A-Z` without `I L O U`), shown as `XXXXX-XXXXX`:
//! nine random characters (45 bits) and one Luhn mod 32 check character, which catches every
//! single mistyped character and most swaps of neighbours before anything is sent. Typing is
//! forgiving: any case, spaces and dashes ignored, `O` read as `0`, `I`/`L` as `1`.
//!
//! 45 bits cannot protect anything a thief may copy and guess at leisure, so nothing derived
//! from the whole code ever reaches the hub. The first four characters are the *nameplate*:
//! where the two devices meet on the hub ([`PairingCode::nameplate_lookup`], public). The whole
//! code is the password of a SPAKE2 exchange (RustCrypto's `spake2`, Ed25519 group):
//!
//! 1. The first device parks its message ([`typed_offer`]) under the nameplate.
//! 2. The new device answers once ([`typed_answer`]): its message and its own X25519 public
//!    key. The hub hands it the first device's message in return and keeps the answer, one
//!    answer per nameplate.
//! 3. Both ends now hold the same *join key* ([`JoinerPake::finish`], [`open_typed_answer`]),
//!    bound to the new device's public key, and show [`join_fingerprint`]. The merchant
//!    approves on the first device only if the two screens match; the approval is sealed under
//!    the join key and to the new device's key (`rotation::seal_approval`).
//!
//! Whoever sits between them, the hub included, gets one guess at the 25 bits the nameplate
//! does not give away, per code, online; a wrong guess leaves it with a join key nobody else
//! has, a fingerprint that matches no screen, and an approval it cannot open. A transcript
//! gives nothing to guess against offline.
//!
//! The first device's SPAKE2 state comes from a stored seed ([`OfferSeed`]): the exchange
//! spans minutes and maybe a restart, and `spake2` keeps its state in memory only.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore};
use spake2::{Ed25519Group, Identity, Password, Spake2};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::digest::keyed;
use crate::{AccountKey, CryptoError};

/// Crockford's base32 alphabet: no I, L, O or U, so nothing reads as another character.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LEN: usize = 10;
/// The code's leading characters that name the meeting place on the hub (20 bits).
const NAMEPLATE_LEN: usize = 4;
const QR_PREFIX: &str = "satchel-pair:v1:";
const QR_V2_PREFIX: &str = "satchel-pair:v2:";
/// A blob sealed under a [`QrSecret`]: version, nonce (24), account key sealed (32 + 16).
const BLOB_SCANNED: u8 = 2;
/// A SPAKE2 message of the typed code's exchange: version, then the message (33 bytes).
const PAKE_V1: u8 = 3;
const PAKE_MSG_LEN: usize = 33;
/// The new device's answer: version, SPAKE2 message, its X25519 public key.
pub const TYPED_ANSWER_LEN: usize = 1 + PAKE_MSG_LEN + 32;
const ID_FIRST: &[u8] = b"satchel/pairing/first-device";
const ID_NEW: &[u8] = b"satchel/pairing/new-device";

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

fn hex32(bytes: &[u8]) -> String {
    bytes[..16].iter().map(|b| format!("{b:02x}")).collect()
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

    /// A code read from a version-1 QR (the code alone, from an older Satchel).
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

    /// The text of a version-1 QR code (the code alone).
    pub fn qr_payload(&self) -> String {
        format!("{QR_PREFIX}{}", self.0)
    }

    /// Where the two devices meet on the hub: 32 hex characters from the nameplate (the
    /// first four characters) alone. Public by design: it gives away 20 of the code's bits
    /// and nothing about the rest.
    pub fn nameplate_lookup(&self) -> String {
        hex32(&crate::digest(&[
            b"satchel/pairing/nameplate/v1",
            &self.0.as_bytes()[..NAMEPLATE_LEN],
        ]))
    }

    fn password(&self) -> Password {
        Password::new(self.0.as_bytes())
    }
}

fn identities() -> (Identity, Identity) {
    (Identity::new(ID_FIRST), Identity::new(ID_NEW))
}

/// What the first device keeps of a typed offer: the seed of its SPAKE2 state, so the same
/// state comes back after a restart. Wiped on drop; `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct OfferSeed([u8; 32]);

impl std::fmt::Debug for OfferSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OfferSeed(<redacted>)")
    }
}

impl OfferSeed {
    pub fn generate(rng: &mut (impl CryptoRng + RngCore)) -> OfferSeed {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        OfferSeed(b)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> OfferSeed {
        OfferSeed(bytes)
    }

    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The code goes into the RNG's seed: SPAKE2's secret scalar comes from the RNG alone,
    /// and two offers of one scalar under different codes (a retry after a taken nameplate)
    /// would let whoever holds both solve for the codes offline (X1 - w1*M = X2 - w2*M).
    fn rng_for(&self, code: &PairingCode) -> ChaCha20Rng {
        ChaCha20Rng::from_seed(keyed(
            &self.0,
            &[b"satchel/pairing/offer-rng/v1", code.0.as_bytes()],
        ))
    }

    fn start(&self, code: &PairingCode) -> (Spake2<Ed25519Group>, Vec<u8>) {
        let (first, new) = identities();
        let mut rng = self.rng_for(code);
        Spake2::<Ed25519Group>::start_a_with_rng(&code.password(), &first, &new, &mut rng)
    }
}

/// The first device's SPAKE2 message for `code`, to park under its nameplate. The same seed
/// and code always give the same message.
pub fn typed_offer(code: &PairingCode, seed: &OfferSeed) -> Vec<u8> {
    let mut out = vec![PAKE_V1];
    out.extend(seed.start(code).1);
    out
}

/// The join key of both ends: the SPAKE2 key bound to the new device's public key, so a
/// public key swapped on the way gives each end a different key.
fn join_key(pake: &[u8], device_public: &[u8; 32]) -> Result<AccountKey, CryptoError> {
    let pake: &[u8; 32] = pake.try_into().map_err(|_| CryptoError::WrongPairingCode)?;
    Ok(AccountKey::from_bytes(keyed(
        pake,
        &[b"satchel/pairing/join-key/v1", device_public],
    )))
}

/// The SPAKE2 message of an offer (`len` 34) or an answer ([`TYPED_ANSWER_LEN`]); anything
/// longer or shorter is refused.
fn pake_message(blob: &[u8], len: usize) -> Result<&[u8], CryptoError> {
    match blob.first() {
        None => Err(CryptoError::Truncated { len: 0 }),
        Some(&PAKE_V1) if blob.len() == len => Ok(&blob[1..1 + PAKE_MSG_LEN]),
        Some(&PAKE_V1) => Err(CryptoError::Truncated { len: blob.len() }),
        Some(&v) => Err(CryptoError::UnknownVersion(v)),
    }
}

/// The new device's half of the exchange, between its answer and the first device's message.
pub struct JoinerPake {
    state: Spake2<Ed25519Group>,
    device_public: [u8; 32],
}

impl std::fmt::Debug for JoinerPake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JoinerPake(<redacted>)")
    }
}

/// The new device's answer to a typed code: its SPAKE2 message and its own public key
/// ([`TYPED_ANSWER_LEN`] bytes), and the state that finishes the exchange.
pub fn typed_answer(
    code: &PairingCode,
    device_public: &[u8; 32],
    rng: &mut (impl CryptoRng + RngCore),
) -> (JoinerPake, Vec<u8>) {
    let (first, new) = identities();
    let (state, msg) =
        Spake2::<Ed25519Group>::start_b_with_rng(&code.password(), &first, &new, rng);
    let mut answer = vec![PAKE_V1];
    answer.extend(msg);
    answer.extend_from_slice(device_public);
    (
        JoinerPake {
            state,
            device_public: *device_public,
        },
        answer,
    )
}

impl JoinerPake {
    /// The join key, from the first device's message (what [`typed_offer`] made).
    pub fn finish(self, offer: &[u8]) -> Result<AccountKey, CryptoError> {
        let msg = pake_message(offer, 1 + PAKE_MSG_LEN)?;
        let pake = Zeroizing::new(
            self.state
                .finish(msg)
                .map_err(|_| CryptoError::WrongPairingCode)?,
        );
        join_key(&pake, &self.device_public)
    }
}

/// On the first device: the join key and the new device's public key from its answer.
pub fn open_typed_answer(
    code: &PairingCode,
    seed: &OfferSeed,
    answer: &[u8],
) -> Result<(AccountKey, [u8; 32]), CryptoError> {
    let msg = pake_message(answer, TYPED_ANSWER_LEN)?;
    let device_public: [u8; 32] = answer[1 + PAKE_MSG_LEN..]
        .try_into()
        .expect("length checked");
    let pake = Zeroizing::new(
        seed.start(code)
            .0
            .finish(msg)
            .map_err(|_| CryptoError::WrongPairingCode)?,
    );
    Ok((join_key(&pake, &device_public)?, device_public))
}

/// What both screens show while a device asks to join with a typed code: eight characters
/// of the join key and the new device's public key (see `rotation::fingerprint`). Screens
/// that match mean both ends typed the same code and nobody swapped a key between them.
pub fn join_fingerprint(join: &AccountKey, device_public: &[u8; 32]) -> String {
    crate::rotation::fingerprint(&keyed(
        join.expose_bytes(),
        &[b"satchel/pairing/fingerprint/v1", device_public],
    ))
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

    /// Where the scanned blob is parked: 32 hex characters from keyed BLAKE2b under the secret.
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

    /// The text to put in the QR code. It carries the typed code too: a QR code is also read
    /// by eye, and an older Satchel reads the code from it.
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
        // A typed offer is not a scanned blob.
        let seed = OfferSeed::generate(&mut rng);
        assert!(accept_scanned(&secret, &typed_offer(&code, &seed)).is_err());
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

    #[test]
    fn the_same_typed_code_gives_both_ends_one_join_key_and_one_fingerprint() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        let code = PairingCode::generate(&mut rng);
        let seed = OfferSeed::generate(&mut rng);
        let device = crate::DeviceSecretKey::generate(&mut rng).public();
        let offer = typed_offer(&code, &seed);
        // The state comes back from the seed: a restart in between changes nothing.
        assert_eq!(offer, typed_offer(&code, &seed));
        // Another code from the same seed (a retry after a taken nameplate) gets a secret of
        // its own: with one secret, X1 - w1*M = X2 - w2*M would give both codes away.
        let retry = PairingCode::generate(&mut rng);
        let scalar_bytes = |c: &PairingCode| {
            let mut b = [0u8; 64];
            seed.rng_for(c).fill_bytes(&mut b);
            b
        };
        assert_ne!(scalar_bytes(&code), scalar_bytes(&retry));
        let (joiner, answer) = typed_answer(&code, &device, &mut rng);
        assert_eq!(answer.len(), TYPED_ANSWER_LEN);
        let theirs = joiner.finish(&offer).unwrap();
        let (ours, public) = open_typed_answer(&code, &seed, &answer).unwrap();
        assert_eq!((&ours, public), (&theirs, device));
        assert_eq!(
            join_fingerprint(&ours, &public),
            join_fingerprint(&theirs, &device)
        );

        // A wrong guess at the code leaves the guesser with a key nobody else has.
        let other = PairingCode::generate(&mut rng);
        let (guesser, bad) = typed_answer(&other, &device, &mut rng);
        let guessed = guesser.finish(&offer).unwrap();
        let (first_sees, _) = open_typed_answer(&code, &seed, &bad).unwrap();
        assert_ne!(guessed, first_sees);
        assert_ne!(
            join_fingerprint(&guessed, &device),
            join_fingerprint(&first_sees, &device)
        );

        // A public key swapped on the way: each end derives a different key.
        let swapped_key = crate::DeviceSecretKey::generate(&mut rng).public();
        let mut swapped = answer.clone();
        swapped[1 + PAKE_MSG_LEN..].copy_from_slice(&swapped_key);
        let (first_sees, _) = open_typed_answer(&code, &seed, &swapped).unwrap();
        assert_ne!(first_sees, theirs);

        // Only the nameplate (four characters) reaches the hub.
        let mut same_plate = code.0.clone();
        same_plate.replace_range(4..9, "00000");
        let same_plate = PairingCode(same_plate);
        assert_eq!(code.nameplate_lookup(), same_plate.nameplate_lookup());
        assert_eq!(code.nameplate_lookup().len(), 32);

        for bad in [
            &[][..],
            &[PAKE_V1][..],
            &answer[..40],
            &[9u8; TYPED_ANSWER_LEN][..],
        ] {
            assert!(open_typed_answer(&code, &seed, bad).is_err());
        }
        assert_eq!(format!("{seed:?}"), "OfferSeed(<redacted>)");
    }
}
