//! The app-lock PIN, stored only as a slow hash.
//!
//! Why here: the PIN that unlocks an idle app (seed 002: "log out when away") is short, so a
//! stolen hash must cost real work per guess. Argon2id with a random salt (a parameter, like
//! all randomness in this crate) makes the stored form `v1$<salt hex>$<hash hex>`; the hash
//! itself lives in the OS keychain, never in a file.

use argon2::{Algorithm, Argon2, Params, Version};

use crate::hex::{decode as unhex, encode as hex};
use crate::CryptoError;

const PREFIX: &str = "v1";
/// 19 MiB, 2 passes: OWASP's Argon2id baseline; a few tens of milliseconds per check.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;

fn derive(pin: &str, salt: &[u8]) -> Result<[u8; 32], CryptoError> {
    let params =
        Params::new(MEMORY_KIB, PASSES, 1, Some(32)).map_err(|_| CryptoError::BadParams)?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), salt, &mut out)
        .map_err(|_| CryptoError::BadParams)?;
    Ok(out)
}

/// The stored form of `pin` with `salt` (16 random bytes from the caller).
pub fn hash_pin(pin: &str, salt: [u8; 16]) -> Result<String, CryptoError> {
    Ok(format!(
        "{PREFIX}${}${}",
        hex(&salt),
        hex(&derive(pin, &salt)?)
    ))
}

/// Whether `pin` matches `stored`. A malformed stored value matches nothing.
pub fn verify_pin(pin: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some(PREFIX), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Some(salt), Some(want)) = (unhex(salt), unhex(hash)) else {
        return false;
    };
    let Ok(got) = derive(pin, &salt) else {
        return false;
    };
    // Compare every byte so the time taken says nothing about where a guess went wrong.
    want.len() == got.len()
        && want
            .iter()
            .zip(got.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_pin_unlocks_and_others_do_not() {
        let stored = hash_pin("482913", [9; 16]).unwrap();
        assert!(stored.starts_with("v1$09090909"));
        assert!(!stored.contains("482913"));
        assert!(verify_pin("482913", &stored));
        assert!(!verify_pin("482914", &stored));
        assert!(!verify_pin("", &stored));
        assert!(!verify_pin("482913", "v1$zz$00"));
        assert!(!verify_pin("482913", "garbage"));
    }

    #[test]
    fn the_salt_makes_equal_pins_hash_differently() {
        assert_ne!(
            hash_pin("1234", [1; 16]).unwrap(),
            hash_pin("1234", [2; 16]).unwrap()
        );
    }
}
