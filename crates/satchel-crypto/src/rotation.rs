//! Key rotation (issue #18): how a revoked device is cut off from what is written after.
//!
//! Every device of an account holds the same account key, so revoking a device on the hub
//! alone would leave it (or whoever took it) able to read every record uploaded later from a
//! copy of the hub. Revoking therefore moves the account to a new key, and the revoked device
//! must never learn it. Three pieces make that possible without the hub learning any key:
//!
//! - [`DeviceSecretKey`]: each device's own X25519 key pair, made on the device, the secret
//!   kept in its keychain. The public half goes to the hub with a [`device_key_tag`] (a keyed
//!   digest under the account key), so the other devices can tell a key a device of the
//!   account registered from one the hub slipped in.
//! - [`seal_grant`] / [`open_grant`]: the new account key sealed to one device's public key
//!   (an ephemeral X25519 exchange, a BLAKE2b-derived key, XChaCha20-Poly1305), bound to the
//!   epoch and the device id, so a grant moved to another device or epoch does not open.
//! - [`seal_keyring`] / [`open_keyring`]: the account's older keys sealed under the new one,
//!   so a device (or a recovery phrase) holding only the newest key still opens every older
//!   record. The hub keeps one such blob per account.
//!
//! Pure functions with the RNG as a parameter, like the rest of the crate (wasm32).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, RngCore};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::digest::keyed;
use crate::{AccountKey, CryptoError};

/// The first byte of a grant and of a keyring blob.
const ROTATION_V1: u8 = 1;
const TAG_LEN: usize = 16;
const NONCE_LEN: usize = 24;

/// A device's own X25519 secret. Wiped on drop (x25519-dalek's `zeroize`); `Debug` shows
/// nothing of it.
#[derive(Clone)]
pub struct DeviceSecretKey(StaticSecret);

impl DeviceSecretKey {
    pub fn generate(rng: &mut (impl CryptoRng + RngCore)) -> DeviceSecretKey {
        let mut b = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(b.as_mut());
        DeviceSecretKey(StaticSecret::from(*b))
    }

    /// A secret read back from the keychain.
    pub fn from_bytes(bytes: [u8; 32]) -> DeviceSecretKey {
        DeviceSecretKey(StaticSecret::from(bytes))
    }

    /// The raw secret, for the keychain and nowhere else.
    pub fn expose_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public half, which the hub and the other devices get.
    pub fn public(&self) -> [u8; 32] {
        PublicKey::from(&self.0).to_bytes()
    }
}

impl std::fmt::Debug for DeviceSecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceSecretKey(<redacted>)")
    }
}

/// The tag a device registers with its public key: only a holder of `key` can make it, so the
/// hub cannot offer its own public key as a device's and collect the next account key.
pub fn device_key_tag(key: &AccountKey, device_id: &[u8; 16], public: &[u8; 32]) -> [u8; 32] {
    keyed(
        key.expose_bytes(),
        &[b"satchel/device-key-tag/v1", device_id, public],
    )
}

/// Whether `tag` was made by [`device_key_tag`] under one of `keys` (a device keeps the tag
/// it registered under the key of its time, and rotations do not re-tag).
pub fn device_key_is_genuine(
    keys: &[AccountKey],
    device_id: &[u8; 16],
    public: &[u8; 32],
    tag: &[u8],
) -> bool {
    keys.iter()
        .any(|k| device_key_tag(k, device_id, public).as_slice() == tag)
}

/// A short name of a device's public key that both screens show when a device asks to join
/// with a typed code (issue #18): eight Crockford base32 characters (40 bits) of a BLAKE2b
/// digest, as `XXXX-XXXX`. The merchant approves only the device whose screen shows the same.
pub fn fingerprint(public: &[u8; 32]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let d = crate::digest(&[b"satchel/device-fingerprint/v1", public]);
    let bits = d[..5]
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let chars: String = (0..8)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// The pairing approval (issue #18): where the first device parks the account keys once the
/// merchant approved the device that answered a typed code, and the key they are sealed with.
/// Both come from the join key `join` of that code's SPAKE2 exchange, so the hub can neither
/// find nor forge the approval; the joining device polls for it.
pub fn approval_lookup(join: &AccountKey) -> String {
    keyed(
        join.expose_bytes(),
        &[b"satchel/pairing/approval-lookup/v1"],
    )[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The key an approval is sealed under: the join key and an X25519 exchange with the approved
/// device's public key, so reading it needs that device's secret as well as the join key.
fn approval_key(
    join: &AccountKey,
    shared: &[u8; 32],
    eph: &[u8; 32],
    device: &[u8; 32],
) -> AccountKey {
    AccountKey::from_bytes(keyed(
        join.expose_bytes(),
        &[b"satchel/pairing/approval-key/v1", shared, eph, device],
    ))
}

/// Seals the account keys (oldest first, the current one last) for the approved device whose
/// public key is `device`. Layout: epoch (8), ephemeral public key (32), the keys as a keyring
/// ([`seal_keyring`]) under [`approval_key`].
pub fn seal_approval(
    join: &AccountKey,
    device: &[u8; 32],
    keys: &[AccountKey],
    epoch: i64,
    rng: &mut (impl CryptoRng + RngCore),
) -> Vec<u8> {
    let ephemeral = DeviceSecretKey::generate(rng);
    let eph = ephemeral.public();
    let shared = ephemeral.0.diffie_hellman(&PublicKey::from(*device));
    let key = approval_key(join, shared.as_bytes(), &eph, device);
    let mut out = epoch.to_be_bytes().to_vec();
    out.extend_from_slice(&eph);
    out.extend(seal_keyring(&key, epoch, keys, rng));
    out
}

/// Opens an approval with the join key and this device's secret: the epoch and the account's
/// keys, oldest first, the current one last.
pub fn open_approval(
    join: &AccountKey,
    device: &DeviceSecretKey,
    blob: &[u8],
) -> Result<(i64, Vec<AccountKey>), CryptoError> {
    if blob.len() < 8 + 32 {
        return Err(CryptoError::Truncated { len: blob.len() });
    }
    let epoch = i64::from_be_bytes(blob[..8].try_into().expect("8 bytes"));
    let eph: [u8; 32] = blob[8..40].try_into().expect("32 bytes");
    let shared = device.0.diffie_hellman(&PublicKey::from(eph));
    let key = approval_key(join, shared.as_bytes(), &eph, &device.public());
    let keys = open_keyring(&key, epoch, &blob[40..]).map_err(|_| CryptoError::WrongPairingCode)?;
    if keys.is_empty() {
        return Err(CryptoError::Forged);
    }
    Ok((epoch, keys))
}

fn cipher(key: &[u8; 32]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(Key::from_slice(key))
}

fn grant_ad(header: &[u8], epoch: i64, device_id: &[u8; 16]) -> Vec<u8> {
    let mut ad = b"satchel/grant/v1".to_vec();
    ad.extend_from_slice(header);
    ad.extend_from_slice(&epoch.to_be_bytes());
    ad.extend_from_slice(device_id);
    ad
}

/// Seals the account key of `epoch` to the device `device_id` whose public key is
/// `recipient`. Layout: version, ephemeral public key (32), nonce (24), key sealed (32 + 16).
pub fn seal_grant(
    recipient: &[u8; 32],
    device_id: &[u8; 16],
    epoch: i64,
    key: &AccountKey,
    rng: &mut (impl CryptoRng + RngCore),
) -> Vec<u8> {
    let ephemeral = DeviceSecretKey::generate(rng);
    let eph_public = ephemeral.public();
    let shared = ephemeral.0.diffie_hellman(&PublicKey::from(*recipient));
    let k = Zeroizing::new(keyed(
        shared.as_bytes(),
        &[b"satchel/grant-key/v1", &eph_public, recipient],
    ));
    let mut out = vec![ROTATION_V1];
    out.extend_from_slice(&eph_public);
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    out.extend_from_slice(&nonce);
    let ad = grant_ad(&out, epoch, device_id);
    let sealed = cipher(&k)
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.expose_bytes(),
                aad: &ad,
            },
        )
        .expect("XChaCha20-Poly1305 seals 32 bytes");
    out.extend_from_slice(&sealed);
    out
}

/// Opens a grant made by [`seal_grant`] for this device and epoch.
pub fn open_grant(
    secret: &DeviceSecretKey,
    device_id: &[u8; 16],
    epoch: i64,
    grant: &[u8],
) -> Result<AccountKey, CryptoError> {
    const HEADER: usize = 1 + 32 + NONCE_LEN;
    match grant.first() {
        None => return Err(CryptoError::Truncated { len: 0 }),
        Some(&ROTATION_V1) => {}
        Some(&v) => return Err(CryptoError::UnknownVersion(v)),
    }
    if grant.len() != HEADER + 32 + TAG_LEN {
        return Err(CryptoError::Truncated { len: grant.len() });
    }
    let mut eph_public = [0u8; 32];
    eph_public.copy_from_slice(&grant[1..33]);
    let shared = secret.0.diffie_hellman(&PublicKey::from(eph_public));
    let k = Zeroizing::new(keyed(
        shared.as_bytes(),
        &[b"satchel/grant-key/v1", &eph_public, &secret.public()],
    ));
    let ad = grant_ad(&grant[..HEADER], epoch, device_id);
    let plain = Zeroizing::new(
        cipher(&k)
            .decrypt(
                XNonce::from_slice(&grant[33..HEADER]),
                Payload {
                    msg: &grant[HEADER..],
                    aad: &ad,
                },
            )
            .map_err(|_| CryptoError::Forged)?,
    );
    let bytes: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::Forged)?;
    Ok(AccountKey::from_bytes(bytes))
}

fn keyring_key(current: &AccountKey) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(keyed(current.expose_bytes(), &[b"satchel/keyring/v1"]))
}

/// Seals `older` (oldest first) under `current`, the key of `epoch`. Layout: version, nonce
/// (24), the keys' bytes concatenated, sealed (32 n + 16).
pub fn seal_keyring(
    current: &AccountKey,
    epoch: i64,
    older: &[AccountKey],
    rng: &mut (impl CryptoRng + RngCore),
) -> Vec<u8> {
    let mut out = vec![ROTATION_V1];
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    out.extend_from_slice(&nonce);
    let mut plain = Zeroizing::new(Vec::with_capacity(32 * older.len()));
    for k in older {
        plain.extend_from_slice(k.expose_bytes());
    }
    let mut ad = b"satchel/keyring/v1".to_vec();
    ad.extend_from_slice(&epoch.to_be_bytes());
    let sealed = cipher(&keyring_key(current))
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: &ad,
            },
        )
        .expect("XChaCha20-Poly1305 seals any keyring");
    out.extend_from_slice(&sealed);
    out
}

/// Opens a keyring made by [`seal_keyring`]: the older keys, oldest first.
pub fn open_keyring(
    current: &AccountKey,
    epoch: i64,
    blob: &[u8],
) -> Result<Vec<AccountKey>, CryptoError> {
    match blob.first() {
        None => return Err(CryptoError::Truncated { len: 0 }),
        Some(&ROTATION_V1) => {}
        Some(&v) => return Err(CryptoError::UnknownVersion(v)),
    }
    if blob.len() < 1 + NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Truncated { len: blob.len() });
    }
    let mut ad = b"satchel/keyring/v1".to_vec();
    ad.extend_from_slice(&epoch.to_be_bytes());
    let plain = Zeroizing::new(
        cipher(&keyring_key(current))
            .decrypt(
                XNonce::from_slice(&blob[1..1 + NONCE_LEN]),
                Payload {
                    msg: &blob[1 + NONCE_LEN..],
                    aad: &ad,
                },
            )
            .map_err(|_| CryptoError::WrongKey)?,
    );
    if plain.len() % 32 != 0 {
        return Err(CryptoError::Forged);
    }
    Ok(plain
        .chunks_exact(32)
        .map(|c| {
            let mut b = [0u8; 32];
            b.copy_from_slice(c);
            AccountKey::from_bytes(b)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::from_seed([9; 32])
    }

    #[test]
    fn a_grant_opens_only_for_its_device_and_epoch() {
        let mut r = rng();
        let device = DeviceSecretKey::generate(&mut r);
        let other = DeviceSecretKey::generate(&mut r);
        let key = AccountKey::generate(&mut r);
        let id = [1u8; 16];
        let g = seal_grant(&device.public(), &id, 3, &key, &mut r);
        assert_eq!(open_grant(&device, &id, 3, &g).unwrap(), key);
        assert_eq!(open_grant(&other, &id, 3, &g), Err(CryptoError::Forged));
        assert_eq!(
            open_grant(&device, &[2; 16], 3, &g),
            Err(CryptoError::Forged)
        );
        assert_eq!(open_grant(&device, &id, 4, &g), Err(CryptoError::Forged));
        let mut bent = g.clone();
        *bent.last_mut().unwrap() ^= 1;
        assert_eq!(open_grant(&device, &id, 3, &bent), Err(CryptoError::Forged));
        assert!(open_grant(&device, &id, 3, &g[..20]).is_err());
        // The key never appears in the grant.
        assert!(!g.windows(32).any(|w| w == key.expose_bytes()));
    }

    #[test]
    fn the_keyring_opens_with_the_new_key_only() {
        let mut r = rng();
        let old: Vec<AccountKey> = (0..3).map(|_| AccountKey::generate(&mut r)).collect();
        let new = AccountKey::generate(&mut r);
        let blob = seal_keyring(&new, 3, &old, &mut r);
        assert_eq!(open_keyring(&new, 3, &blob).unwrap(), old);
        assert_eq!(open_keyring(&old[2], 3, &blob), Err(CryptoError::WrongKey));
        assert_eq!(open_keyring(&new, 2, &blob), Err(CryptoError::WrongKey));
    }

    #[test]
    fn an_approval_opens_with_its_join_key_only_and_fingerprints_differ() {
        let mut r = rng();
        let join = AccountKey::generate(&mut r);
        let keys: Vec<AccountKey> = (0..3).map(|_| AccountKey::generate(&mut r)).collect();
        let (a, b) = (
            DeviceSecretKey::generate(&mut r),
            DeviceSecretKey::generate(&mut r),
        );
        let blob = seal_approval(&join, &a.public(), &keys, 2, &mut r);
        assert_eq!(open_approval(&join, &a, &blob).unwrap(), (2, keys.clone()));
        let other = AccountKey::generate(&mut r);
        assert!(
            open_approval(&other, &a, &blob).is_err(),
            "needs the join key"
        );
        assert!(
            open_approval(&join, &b, &blob).is_err(),
            "and the device's secret"
        );
        let mut bent = blob.clone();
        bent[7] ^= 1;
        assert!(
            open_approval(&join, &a, &bent).is_err(),
            "the epoch is bound"
        );
        assert!(open_approval(&join, &a, &blob[..30]).is_err());
        assert_ne!(approval_lookup(&join), approval_lookup(&other));
        let fa = fingerprint(&a.public());
        assert_eq!(fa.len(), 9);
        assert_eq!(&fa[4..5], "-");
        assert_eq!(fa, fingerprint(&a.public()));
        assert_ne!(fa, fingerprint(&b.public()));
    }

    #[test]
    fn a_device_key_tag_needs_the_account_key() {
        let mut r = rng();
        let device = DeviceSecretKey::generate(&mut r);
        let keys = [AccountKey::generate(&mut r), AccountKey::generate(&mut r)];
        let id = [5u8; 16];
        let tag = device_key_tag(&keys[0], &id, &device.public());
        assert!(device_key_is_genuine(&keys, &id, &device.public(), &tag));
        let stranger = AccountKey::generate(&mut r);
        let forged = device_key_tag(&stranger, &id, &device.public());
        assert!(!device_key_is_genuine(
            &keys,
            &id,
            &device.public(),
            &forged
        ));
        assert!(!device_key_is_genuine(
            &keys,
            &[6; 16],
            &device.public(),
            &tag
        ));
        assert_eq!(format!("{device:?}"), "DeviceSecretKey(<redacted>)");
    }
}
