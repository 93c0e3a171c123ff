//! Device labels as the hub keeps them (issue #18): sealed under the account key.
//!
//! A label is what the merchant typed for a device ("陳太太的 iPhone", "shop laptop"); the hub
//! only has to store it and hand it back in the device list, so it gets it sealed. The sealed
//! label is text (the hub's column and the wire field are strings):
//!
//! ```text
//! "~1:" base64url-without-padding( nonce (24) ‖ XChaCha20-Poly1305(padded label) (n + 16) )
//! padded label = length byte ‖ UTF-8 label ‖ zeros, 64 bytes (labels up to 63 bytes) or 128
//! ```
//!
//! so a sealed label is 142 or 227 characters, whatever the label, and says only whether the
//! label is longer than 63 bytes. Labels longer than [`MAX_LABEL_BYTES`] are cut (at a
//! character boundary). The key is a subkey of the account key for labels only, the nonce is
//! random, and the associated data is the domain label. A stored label that does not open (one
//! written in clear by an older Satchel) is not an error: the device list shows it as it is.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::digest::keyed;
use crate::AccountKey;

/// How every sealed label begins (format 1 of sealed labels).
pub const SEALED_LABEL_PREFIX: &str = "~1:";

/// The longest label kept, in UTF-8 bytes (42 Chinese characters, 127 ASCII).
pub const MAX_LABEL_BYTES: usize = 127;

/// The longest sealed label, in characters; the hub must accept labels this long.
pub const MAX_SEALED_LABEL_CHARS: usize = 227;

const DOMAIN: &[u8] = b"satchel/device-label/v1";
const PADDED: [usize; 2] = [64, 128];
const NONCE: usize = 24;
const TAG: usize = 16;

fn cipher(key: &AccountKey) -> XChaCha20Poly1305 {
    let k = Zeroizing::new(keyed(key.expose_bytes(), &[DOMAIN]));
    XChaCha20Poly1305::new(Key::from_slice(&k[..]))
}

/// `s` cut to at most `max` bytes, at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Seals `label` for the hub.
pub fn seal_label(key: &AccountKey, label: &str, rng: &mut (impl CryptoRng + RngCore)) -> String {
    let label = cut(label, MAX_LABEL_BYTES);
    let size = PADDED
        .into_iter()
        .find(|&n| n > label.len())
        .unwrap_or(PADDED[1]);
    let mut padded = Zeroizing::new(Vec::with_capacity(size));
    padded.push(u8::try_from(label.len()).expect("cut to 127 bytes"));
    padded.extend_from_slice(label.as_bytes());
    padded.resize(size, 0);
    let mut nonce = [0u8; NONCE];
    rng.fill_bytes(&mut nonce);
    let sealed = cipher(key)
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: padded.as_slice(),
                aad: DOMAIN,
            },
        )
        .expect("XChaCha20-Poly1305 seals any message under 256 GiB");
    let mut raw = nonce.to_vec();
    raw.extend_from_slice(&sealed);
    format!("{SEALED_LABEL_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw))
}

/// The label `stored` was sealed from, or `None` when it is not a label sealed under `key`
/// (a label stored in clear by an older Satchel, say: show it as it is).
pub fn open_label(key: &AccountKey, stored: &str) -> Option<String> {
    let raw = URL_SAFE_NO_PAD
        .decode(stored.strip_prefix(SEALED_LABEL_PREFIX)?)
        .ok()?;
    if raw.len() < NONCE + 1 + TAG {
        return None;
    }
    let (nonce, sealed) = raw.split_at(NONCE);
    let padded = Zeroizing::new(
        cipher(key)
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: DOMAIN,
                },
            )
            .ok()?,
    );
    let (&len, rest) = padded.split_first()?;
    let text = rest.get(..usize::from(len))?;
    std::str::from_utf8(text).ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn key(b: u8) -> AccountKey {
        AccountKey::from_bytes([b; 32])
    }

    #[test]
    fn a_sealed_label_opens_and_shows_nothing_of_itself() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for label in [
            "laptop",
            "陳太太的 iPhone",
            "shop laptop, Kowloon Bay, back office",
        ] {
            let sealed = seal_label(&key(1), label, &mut rng);
            assert!(sealed.starts_with(SEALED_LABEL_PREFIX), "{sealed}");
            assert!(!sealed.contains(label) && !sealed.contains("laptop"));
            assert!(sealed.chars().all(|c| c.is_ascii_graphic()), "{sealed}");
            assert_eq!(open_label(&key(1), &sealed).as_deref(), Some(label));
            // Another account's key, or the same label sealed twice: nothing in common.
            assert_eq!(open_label(&key(2), &sealed), None);
            assert_ne!(seal_label(&key(1), label, &mut rng), sealed);
        }
    }

    #[test]
    fn sealed_labels_have_two_lengths_within_the_hubs_limit() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let mut len = |l: &str| seal_label(&key(1), l, &mut rng).chars().count();
        assert_eq!(len(""), 142);
        assert_eq!(len("a".repeat(63).as_str()), 142);
        assert_eq!(len("a".repeat(64).as_str()), MAX_SEALED_LABEL_CHARS);
        assert_eq!(len("陳".repeat(200).as_str()), MAX_SEALED_LABEL_CHARS);
    }

    #[test]
    fn a_long_label_is_cut_at_a_character() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let long = "陳".repeat(100);
        let back = open_label(&key(1), &seal_label(&key(1), &long, &mut rng)).unwrap();
        assert_eq!(back, "陳".repeat(42));
        assert!(back.len() <= MAX_LABEL_BYTES);
    }

    #[test]
    fn a_label_in_clear_or_garbled_does_not_open() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        assert_eq!(open_label(&key(1), "shop laptop"), None);
        assert_eq!(open_label(&key(1), "~1:not base64!"), None);
        assert_eq!(open_label(&key(1), "~1:"), None);
        let mut sealed = seal_label(&key(1), "laptop", &mut rng).into_bytes();
        let last = sealed.len() - 1;
        sealed[last] = if sealed[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            open_label(&key(1), &String::from_utf8(sealed).unwrap()),
            None
        );
    }
}
