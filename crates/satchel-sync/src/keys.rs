//! Key rotation on the device (issue #18): the account keys this device holds, its own X25519
//! key, and the step every sync round starts with.
//!
//! Why: revoking a device on the hub stops its tokens, but it still holds the account key, so
//! whoever has it could read everything uploaded later from a copy of the hub. So a revocation
//! marks the account's key as due for rotation, and the next device to sync makes a new key,
//! seals it to each remaining device's own public key (`satchel_crypto::rotation`), seals the
//! older keys under the new one, and replaces the recovery verifier (the old one is derived
//! from a key the revoked device has). Records are sealed under the newest key from then on;
//! older records still open, because every key the account had is in the keyring.
//!
//! The order of a round makes this safe: the key step runs before anything is pushed, and a
//! device that learns of a newer key it cannot open yet (no grant) stops the round instead of
//! sealing under a key the revoked device holds.

use super::*;
use satchel_crypto::rotation;

/// The keychain entry of this device's own X25519 secret.
pub const SYNC_DEVICE_KEY: &str = "sync.device_key";

/// The account keys this device holds: oldest first, the last one current, at `epoch` (how
/// many rotations the account has had).
#[derive(Clone)]
pub(crate) struct Keyring {
    pub epoch: i64,
    keys: Vec<AccountKey>,
}

/// How a keyring is written in the keychain: `k2:<epoch>:<hex>,<hex>…`. An entry written
/// before rotation existed is the one key in hex, read as epoch 0.
const KEYRING_PREFIX: &str = "k2:";

impl Keyring {
    pub fn single(key: AccountKey) -> Keyring {
        Keyring {
            epoch: 0,
            keys: vec![key],
        }
    }

    fn with_older(epoch: i64, mut older: Vec<AccountKey>, current: AccountKey) -> Keyring {
        older.push(current);
        Keyring { epoch, keys: older }
    }

    pub fn current(&self) -> &AccountKey {
        self.keys.last().expect("a keyring holds at least one key")
    }

    pub fn all(&self) -> &[AccountKey] {
        &self.keys
    }

    /// The key an envelope names in its header, or the current one when none matches (the
    /// open then reports the wrong key).
    pub fn for_envelope(&self, envelope: &[u8]) -> &AccountKey {
        satchel_crypto::envelope::key_id_of(envelope)
            .and_then(|id| self.keys.iter().find(|k| k.id() == id))
            .unwrap_or_else(|| self.current())
    }

    pub fn encode(&self) -> Secret {
        let keys: Vec<String> = self.keys.iter().map(|k| hex(k.expose_bytes())).collect();
        Secret::new(format!("{KEYRING_PREFIX}{}:{}", self.epoch, keys.join(",")))
    }

    pub fn decode(s: &str) -> Option<Keyring> {
        let Some(rest) = s.trim().strip_prefix(KEYRING_PREFIX) else {
            return unhex::<32>(s).map(|b| Keyring::single(AccountKey::from_bytes(b)));
        };
        let (epoch, keys) = rest.split_once(':')?;
        let keys = keys
            .split(',')
            .map(|k| unhex::<32>(k).map(AccountKey::from_bytes))
            .collect::<Option<Vec<_>>>()?;
        (!keys.is_empty()).then_some(Keyring {
            epoch: epoch.parse().ok()?,
            keys,
        })
    }
}

/// What revoking a device did.
#[derive(Debug)]
pub enum Revoked {
    /// The device is out and the account is on a new key; the merchant's recovery phrase is
    /// now this one (shown once, to be written down). `None` when the rotation could not run
    /// yet (it is retried at the next sync).
    Removed { new_phrase: Option<RecoveryPhrase> },
    /// The device is older than this one: the hub holds the removal for a while, and every
    /// device shows it, so a stolen newer device cannot shut its owner's older ones out.
    Pending { effective_at: DateTime<Utc> },
}

impl<S: StoreAccess> Syncer<S> {
    /// This device's X25519 secret, made and kept in the keychain on first use.
    async fn device_secret(&self) -> Result<rotation::DeviceSecretKey> {
        if let Some(s) = self.kc_get(SYNC_DEVICE_KEY).await? {
            if let Some(b) = unhex::<32>(s.expose()) {
                return Ok(rotation::DeviceSecretKey::from_bytes(b));
            }
        }
        let secret = rotation::DeviceSecretKey::generate(&mut os_rng());
        self.kc_set(SYNC_DEVICE_KEY, Secret::new(hex(&secret.expose_bytes())))
            .await?;
        Ok(secret)
    }

    async fn this_device(&self) -> Result<Uuid> {
        self.state()?.device_id.ok_or(SyncError::NotLinked)
    }

    /// The step that starts every round: register this device's key, take a newer account key
    /// granted to it, rotate when a revocation made that due, and grant the current key to
    /// devices that registered theirs since. Fails, so nothing is pushed, while the account has
    /// a newer key this device cannot open yet.
    pub(crate) async fn sync_keys(&self) -> Result<()> {
        for _ in 0..3 {
            let st: proto::KeyStateResponse =
                self.call::<(), _>(Method::GET, paths::KEYS, None).await?;
            let me = self.this_device().await?;
            let mut ring = self.keyring().await?;
            if let Some(mine) = st.devices.iter().find(|d| d.device_id == me) {
                if mine.key.is_none() {
                    self.register_device_key(me, &ring).await?;
                }
            }
            if st.epoch > ring.epoch {
                ring = self.adopt(me, &st, &ring).await?;
            }
            if st.rotation_due || st.epoch < ring.epoch {
                // Our own rotation whose answer was lost repeats under the same epoch; a 409
                // means another device moved first: read again and follow it.
                match self.rotate(&st, &ring).await {
                    Err(SyncError::Hub { status: 409, .. }) => continue,
                    other => return other,
                }
            }
            return self.grant_newcomers(&st, &ring).await;
        }
        Err(SyncError::Protocol(
            "the account key kept changing while this device followed it".into(),
        ))
    }

    async fn register_device_key(&self, me: Uuid, ring: &Keyring) -> Result<()> {
        let secret = self.device_secret().await?;
        let public = secret.public();
        let body = proto::DeviceKeyDto {
            public_key: proto::Bytes(public.to_vec()),
            tag: proto::Bytes(
                rotation::device_key_tag(ring.current(), me.as_bytes(), &public).to_vec(),
            ),
        };
        match self
            .call::<_, ()>(Method::PUT, paths::DEVICE_KEY, Some(&body))
            .await
        {
            // Registered by an earlier round whose answer was lost.
            Err(SyncError::Hub { status: 409, .. }) | Ok(()) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Takes the account's newer key: from this device's grant, or, after recovery with the
    /// phrase of the current key, from the key itself (the keyring opens with it).
    async fn adopt(
        &self,
        me: Uuid,
        st: &proto::KeyStateResponse,
        ring: &Keyring,
    ) -> Result<Keyring> {
        let current = match &st.grant {
            Some(g) => {
                let secret = self.device_secret().await?;
                rotation::open_grant(&secret, me.as_bytes(), st.epoch, &g.0).map_err(|source| {
                    SyncError::Crypto {
                        entity: "key grant".into(),
                        source,
                    }
                })?
            }
            None => ring.current().clone(),
        };
        let older = match &st.keyring {
            Some(blob) => match rotation::open_keyring(&current, st.epoch, &blob.0) {
                Ok(older) => older,
                Err(_) if st.grant.is_none() => return Err(SyncError::KeyNotGranted),
                Err(source) => {
                    return Err(SyncError::Crypto {
                        entity: "keyring".into(),
                        source,
                    })
                }
            },
            None => Vec::new(),
        };
        let next = Keyring::with_older(st.epoch, older, current);
        self.store_keyring(&next).await?;
        Ok(next)
    }

    /// Moves the account to a new key, granted to every remaining device whose key is genuine.
    /// The new keyring is in the keychain before the hub hears of it, so a crash in between
    /// repeats the same rotation rather than losing the key.
    async fn rotate(&self, st: &proto::KeyStateResponse, ring: &Keyring) -> Result<()> {
        let mut rng = os_rng();
        let next = if ring.epoch > st.epoch {
            ring.clone()
        } else {
            let older = ring.all().to_vec();
            let next = Keyring::with_older(ring.epoch + 1, older, AccountKey::generate(&mut rng));
            self.store_keyring(&next).await?;
            next
        };
        let older = &next.all()[..next.all().len() - 1];
        let mut grants = Vec::new();
        for d in &st.devices {
            let Some(k) = &d.key else { continue };
            grants.push(self.grant_for(d.device_id, k, &next, ring, &mut rng)?);
        }
        let req = proto::RotateKeyRequest {
            epoch: next.epoch,
            keyring: proto::Bytes(rotation::seal_keyring(
                next.current(),
                next.epoch,
                older,
                &mut rng,
            )),
            grants,
            recovery: Some(recovery_registration(next.current())),
        };
        self.call::<_, ()>(Method::POST, paths::KEYS, Some(&req))
            .await
    }

    /// The current key sealed to one device, after checking its key was registered by a
    /// holder of one of the account's keys (the hub cannot make that tag).
    fn grant_for(
        &self,
        device_id: Uuid,
        key: &proto::DeviceKeyDto,
        next: &Keyring,
        ring: &Keyring,
        rng: &mut ChaCha20Rng,
    ) -> Result<proto::KeyGrantDto> {
        let public: [u8; 32] = key
            .public_key
            .0
            .as_slice()
            .try_into()
            .map_err(|_| SyncError::Protocol("a device key is not 32 bytes".into()))?;
        if !rotation::device_key_is_genuine(ring.all(), device_id.as_bytes(), &public, &key.tag.0)
            && !rotation::device_key_is_genuine(
                next.all(),
                device_id.as_bytes(),
                &public,
                &key.tag.0,
            )
        {
            return Err(SyncError::UntrustedDeviceKey(device_id));
        }
        Ok(proto::KeyGrantDto {
            device_id,
            grant: proto::Bytes(rotation::seal_grant(
                &public,
                device_id.as_bytes(),
                next.epoch,
                next.current(),
                rng,
            )),
        })
    }

    /// Grants the current key to devices that registered theirs after the last rotation.
    async fn grant_newcomers(&self, st: &proto::KeyStateResponse, ring: &Keyring) -> Result<()> {
        if st.epoch != ring.epoch || st.epoch == 0 {
            return Ok(());
        }
        let mut rng = os_rng();
        let mut grants = Vec::new();
        for d in st.devices.iter().filter(|d| !d.granted) {
            let Some(k) = &d.key else { continue };
            match self.grant_for(d.device_id, k, ring, ring, &mut rng) {
                Ok(g) => grants.push(g),
                // Not ours to grant; the device list shows it, and removing it is the answer.
                Err(SyncError::UntrustedDeviceKey(_)) => {}
                Err(e) => return Err(e),
            }
        }
        if grants.is_empty() {
            return Ok(());
        }
        let req = proto::AddGrantsRequest {
            epoch: ring.epoch,
            grants,
        };
        self.call::<_, proto::AddGrantsResponse>(Method::POST, paths::KEY_GRANTS, Some(&req))
            .await
            .map(|_| ())
    }

    /// Removes a device from the account (a lost phone). A device added after this one goes
    /// at once, and the account moves to a new key it never gets; the returned phrase replaces
    /// the old one. An older device is removed after the hub's delay, with a notice on every
    /// device, so a stolen new phone cannot shut its owner's devices out.
    pub async fn revoke_device(&self, device_id: Uuid) -> Result<Revoked> {
        let path = paths::DEVICE.replace("{device_id}", &device_id.to_string());
        let resp: Option<proto::RevokeResponse> =
            self.call::<(), _>(Method::DELETE, &path, None).await?;
        if let Some(proto::RevokeResponse {
            effective_at: Some(at),
        }) = resp
        {
            return Ok(Revoked::Pending { effective_at: at });
        }
        if device_id == self.this_device().await? {
            return Ok(Revoked::Removed { new_phrase: None });
        }
        let before = self.keyring().await?.epoch;
        let new_phrase = match self.sync_keys().await {
            Ok(()) => {
                let ring = self.keyring().await?;
                (ring.epoch > before).then(|| phrase::to_phrase(ring.current()))
            }
            // The removal stands; the rotation is due and the next round makes it.
            Err(e) if e.is_transient() => None,
            Err(e) => return Err(e),
        };
        Ok(Revoked::Removed { new_phrase })
    }

    /// The current recovery phrase: the current account key as words. After a rotation it is
    /// not the one written down at sign-up.
    pub async fn recovery_phrase(&self) -> Result<RecoveryPhrase> {
        Ok(phrase::to_phrase(self.keyring().await?.current()))
    }
}
