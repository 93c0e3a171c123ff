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
/// On the first device: the pending typed-code offer (`<device id>:<hex join key>`).
pub(crate) const PAIRING_OFFER: &str = "sync.pairing_offer";
/// On a device that joined with a typed code: the join key, until it is approved.
pub(crate) const PAIRING_JOIN: &str = "sync.pairing_join";

/// A device that took a typed code's blob and asks to join (issue #18): approve it only if
/// its screen shows the same fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinRequest {
    pub device_id: Uuid,
    pub fingerprint: String,
    /// Approved already: it joins at its next sync (approving again is harmless).
    pub approved: bool,
}

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

    /// The ring before its newest key: what a refused rotation of this device goes back to.
    pub fn without_current(&self) -> Keyring {
        let mut keys = self.keys.clone();
        if keys.len() > 1 {
            keys.pop();
        }
        Keyring {
            epoch: (self.epoch - 1).max(0),
            keys,
        }
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
    /// This device's X25519 secret, if the keychain has one.
    async fn device_secret(&self) -> Result<Option<rotation::DeviceSecretKey>> {
        Ok(self
            .kc_get(SYNC_DEVICE_KEY)
            .await?
            .and_then(|s| unhex::<32>(s.expose()))
            .map(rotation::DeviceSecretKey::from_bytes))
    }

    async fn this_device(&self) -> Result<Uuid> {
        self.state()?.device_id.ok_or(SyncError::NotLinked)
    }

    /// The step that starts every round: register this device's key, take a newer account key
    /// granted to it, rotate when a removal made that due, and grant the current key to
    /// devices (this one included) that hold none. Fails, so nothing is pushed, while the
    /// account has a newer key this device cannot open yet.
    pub(crate) async fn sync_keys(&self) -> Result<proto::KeyStateResponse> {
        for _ in 0..4 {
            let st: proto::KeyStateResponse =
                self.call::<(), _>(Method::GET, paths::KEYS, None).await?;
            let me = self.this_device().await?;
            let mut ring = match self.keyring().await {
                Ok(ring) => {
                    if self.state()?.approval_fingerprint.is_some() {
                        // Approved, and the keys are here: the join is over.
                        self.kc_delete(PAIRING_JOIN).await?;
                        self.update_state(|s| s.approval_fingerprint = None)?;
                    }
                    ring
                }
                Err(SyncError::NoAccountKey) => match self.join_key().await? {
                    Some(join) => {
                        self.await_approval(me, &join, &st).await?;
                        continue;
                    }
                    None => return Err(SyncError::NoAccountKey),
                },
                Err(e) => return Err(e),
            };
            let secret = self.device_secret().await?;
            let registered = st
                .devices
                .iter()
                .find(|d| d.device_id == me)
                .and_then(|d| d.key.as_ref());
            // No key on the hub yet, or not the one this keychain holds (it lost the secret):
            // register a fresh one, which drops any grant sealed to the old.
            // Also when the tag is not one the account's keys make (the join key's, from
            // before this device was approved): the others could not vouch for it.
            let ours = match (registered, &secret) {
                (Some(k), Some(s)) => {
                    k.public_key.0 == s.public()
                        && rotation::device_key_is_genuine(
                            ring.all(),
                            me.as_bytes(),
                            &s.public(),
                            &k.tag.0,
                        )
                }
                _ => false,
            };
            if !ours {
                let fresh = match (&secret, registered) {
                    (None, _) => true,
                    (Some(s), Some(k)) => k.public_key.0 != s.public(),
                    (Some(_), None) => false,
                };
                self.register_device_key(me, &ring, fresh).await?;
                continue;
            }
            let secret = secret.expect("checked above");
            if st.epoch > ring.epoch {
                match self.adopt(me, &secret, &st, &ring).await {
                    Ok(next) => ring = next,
                    // A removal is waiting and this device cannot follow the key that came
                    // after its own (a grant it cannot open): it moves the account on from
                    // the keys it has, which every remaining device can follow.
                    Err(SyncError::KeyNotGranted) if st.rotation_due => {}
                    // A grant that does not open (sealed to another key): a fresh key of this
                    // device drops it, and another device grants again.
                    Err(SyncError::KeyNotGranted) if st.grant.is_some() => {
                        self.register_device_key(me, &ring, true).await?;
                        return Err(SyncError::KeyNotGranted);
                    }
                    Err(e) => return Err(e),
                }
            } else if st.epoch == ring.epoch && st.epoch > 0 {
                // A rotation of ours the hub refused (another device's came first) but whose
                // key a crash left in the keychain: follow the key the hub has instead.
                if let Some(g) = &st.grant {
                    if let Ok(k) = rotation::open_grant(&secret, me.as_bytes(), st.epoch, &g.0) {
                        if &k != ring.current() {
                            ring = self
                                .adopt(me, &secret, &st, &ring.without_current())
                                .await?;
                        }
                    }
                }
            }
            if st.rotation_due || ring.epoch > st.epoch {
                match self.rotate(&st, &ring).await {
                    // Another device moved first: read again and follow it.
                    Err(SyncError::Hub { status: 409, .. }) => continue,
                    Err(e) => return Err(e),
                    Ok(()) => continue,
                }
            }
            self.grant_newcomers(&st, &ring).await?;
            return Ok(st);
        }
        Err(SyncError::Protocol(
            "the account key kept changing while this device followed it".into(),
        ))
    }

    /// On a device that joined with a typed code: registers its key under the join key (so the
    /// first device can tell it took the code's blob) and keeps the fingerprint to show.
    pub(crate) async fn ask_to_join(&self, me: Uuid, join: &AccountKey) -> Result<()> {
        // Fingerprint and key together: the one shown is the one registered.
        self.register_device_key(me, &Keyring::single(join.clone()), true)
            .await?;
        let secret = self.device_secret().await?.ok_or(SyncError::NotLinked)?;
        let fingerprint = rotation::fingerprint(&secret.public());
        self.update_state(|st| st.approval_fingerprint = Some(fingerprint))
    }

    /// The join key of a typed code this device joined with, until it is approved.
    async fn join_key(&self) -> Result<Option<AccountKey>> {
        Ok(self
            .kc_get(PAIRING_JOIN)
            .await?
            .and_then(|s| unhex::<32>(s.expose()))
            .map(AccountKey::from_bytes))
    }

    /// Waiting for approval: makes sure the first device can see this one asking (its key
    /// registered under the join key: a join cut off before that is finished here), then takes
    /// the account keys the first device parked for it, if it has. Else
    /// [`SyncError::AwaitingApproval`], which the loop retries.
    async fn await_approval(
        &self,
        me: Uuid,
        join: &AccountKey,
        st: &proto::KeyStateResponse,
    ) -> Result<()> {
        let secret = self.device_secret().await?;
        let asking = st
            .devices
            .iter()
            .find(|d| d.device_id == me)
            .and_then(|d| d.key.as_ref())
            .zip(secret.as_ref())
            .is_some_and(|(k, s)| {
                k.public_key.0 == s.public()
                    && rotation::device_key_is_genuine(
                        std::slice::from_ref(join),
                        me.as_bytes(),
                        &s.public(),
                        &k.tag.0,
                    )
            });
        if !asking {
            self.ask_to_join(me, join).await?;
        }
        let secret = self.device_secret().await?.ok_or(SyncError::NotLinked)?;
        let waiting = || -> Result<SyncError> {
            Ok(SyncError::AwaitingApproval(
                self.state()?.approval_fingerprint.unwrap_or_default(),
            ))
        };
        let path = paths::PAIRING_SLOT.replace("{lookup_id}", &rotation::approval_lookup(join));
        let slot: proto::PairingGetResponse =
            match self.send::<(), _>(Method::GET, &path, None, None).await {
                Ok(slot) => slot,
                Err(e) if e.hub_code() == Some(codes::NOT_FOUND) => return Err(waiting()?),
                Err(e) => return Err(e),
            };
        // Sealed to this device's key and the join key: one that does not open (another
        // device's, or a forgery) is as good as none, and the first device can approve again.
        let Ok((epoch, keys)) = rotation::open_approval(join, &secret, &slot.blob.0) else {
            return Err(waiting()?);
        };
        let (current, older) = keys.split_last().expect("open_approval returns a key");
        let ring = Keyring::with_older(epoch, older.to_vec(), current.clone());
        self.store_keyring(&ring).await
    }

    /// On the first device: the device that took the blob of its typed code and asks to join.
    /// The pending offer is forgotten once that device is in (its key vouched for by the
    /// account's keys) or gone.
    pub async fn join_requests(&self) -> Result<Vec<JoinRequest>> {
        let Some((offered, join, approved)) = self.pending_offer().await? else {
            return Ok(Vec::new());
        };
        let st: proto::KeyStateResponse =
            self.call::<(), _>(Method::GET, paths::KEYS, None).await?;
        let ring = self.keyring().await?;
        let Some(device) = st.devices.iter().find(|d| d.device_id == offered) else {
            self.kc_delete(PAIRING_OFFER).await?;
            return Ok(Vec::new());
        };
        let Some(k) = &device.key else {
            return Ok(Vec::new());
        };
        let Ok(public) = <[u8; 32]>::try_from(k.public_key.0.as_slice()) else {
            return Ok(Vec::new());
        };
        let id = offered.as_bytes();
        if rotation::device_key_is_genuine(ring.all(), id, &public, &k.tag.0) {
            self.kc_delete(PAIRING_OFFER).await?;
            return Ok(Vec::new());
        }
        Ok(
            rotation::device_key_is_genuine(std::slice::from_ref(&join), id, &public, &k.tag.0)
                .then(|| JoinRequest {
                    device_id: offered,
                    fingerprint: rotation::fingerprint(&public),
                    approved,
                })
                .into_iter()
                .collect(),
        )
    }

    /// The pending offer: `<device id>:<hex join key>`, and `:approved` once it was.
    async fn pending_offer(&self) -> Result<Option<(Uuid, AccountKey, bool)>> {
        Ok(self.kc_get(PAIRING_OFFER).await?.and_then(|s| {
            let mut parts = s.expose().split(':');
            let id = parts.next()?.parse().ok()?;
            let key = AccountKey::from_bytes(unhex::<32>(parts.next()?)?);
            Some((id, key, parts.next() == Some("approved")))
        }))
    }

    /// Lets a device that asks to join in, if it still shows `fingerprint` (what the merchant
    /// compared): parks the account's keys for it, sealed to its public key and the join key of
    /// the offer it took. Approving again (the first approval expired, or was lost) is harmless.
    pub async fn approve_join(&self, device_id: Uuid, fingerprint: &str) -> Result<()> {
        let asking = self.join_requests().await?;
        let Some(request) = asking.iter().find(|r| r.device_id == device_id) else {
            return Err(SyncError::NoJoinRequest);
        };
        if request.fingerprint != fingerprint.trim().to_uppercase() {
            return Err(SyncError::FingerprintChanged);
        }
        let (_, join, _) = self
            .pending_offer()
            .await?
            .ok_or(SyncError::NoJoinRequest)?;
        let st: proto::KeyStateResponse =
            self.call::<(), _>(Method::GET, paths::KEYS, None).await?;
        let public: [u8; 32] = st
            .devices
            .iter()
            .find(|d| d.device_id == device_id)
            .and_then(|d| d.key.as_ref())
            .and_then(|k| k.public_key.0.as_slice().try_into().ok())
            .filter(|p| rotation::fingerprint(p) == request.fingerprint)
            .ok_or(SyncError::FingerprintChanged)?;
        let ring = self.keyring().await?;
        let put = proto::PairingPut {
            lookup_id: rotation::approval_lookup(&join),
            blob: proto::Bytes(rotation::seal_approval(
                &join,
                &public,
                ring.all(),
                ring.epoch,
                &mut os_rng(),
            )),
            ttl_secs: Some(self.config.pairing_ttl_secs),
        };
        let _: proto::PairingPutResponse =
            self.call(Method::POST, paths::PAIRING, Some(&put)).await?;
        self.kc_set(
            PAIRING_OFFER,
            Secret::new(format!("{device_id}:{}:approved", hex(join.expose_bytes()))),
        )
        .await
    }

    /// Registers this device's public key, made fresh when `fresh` (none in the keychain, or
    /// the hub holds another): a key the hub has but this keychain lost is useless.
    async fn register_device_key(&self, me: Uuid, ring: &Keyring, fresh: bool) -> Result<()> {
        let secret = match self.device_secret().await? {
            Some(s) if !fresh => s,
            _ => {
                let s = rotation::DeviceSecretKey::generate(&mut os_rng());
                self.kc_set(SYNC_DEVICE_KEY, Secret::new(hex(&s.expose_bytes())))
                    .await?;
                s
            }
        };
        let public = secret.public();
        let body = proto::DeviceKeyDto {
            public_key: proto::Bytes(public.to_vec()),
            tag: proto::Bytes(
                rotation::device_key_tag(ring.current(), me.as_bytes(), &public).to_vec(),
            ),
        };
        self.call::<_, ()>(Method::PUT, paths::DEVICE_KEY, Some(&body))
            .await
    }

    /// Takes the account's newer key: from this device's grant, or, after recovery with the
    /// phrase of the current key, from the key itself (the keyring opens with it). The new
    /// key's keyring must carry every key this device already has: a key that does not was
    /// not made by a device of the account (the hub can seal a grant to anyone's public key),
    /// and taking it would put later records under a key someone else chose.
    async fn adopt(
        &self,
        me: Uuid,
        secret: &rotation::DeviceSecretKey,
        st: &proto::KeyStateResponse,
        ring: &Keyring,
    ) -> Result<Keyring> {
        let current = match &st.grant {
            Some(g) => match rotation::open_grant(secret, me.as_bytes(), st.epoch, &g.0) {
                Ok(k) => k,
                // Not sealed to this device's key: as good as no grant.
                Err(_) => return Err(SyncError::KeyNotGranted),
            },
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
        if !ring
            .all()
            .iter()
            .all(|k| k == &current || older.contains(k))
        {
            return Err(SyncError::KeyChangeRefused);
        }
        let next = Keyring::with_older(st.epoch, older, current);
        self.store_keyring(&next).await?;
        if st.grant.is_some() {
            // Another device moved the account to a new key: the phrase changed with it.
            self.update_state(|s| s.phrase_changed = true)?;
        }
        Ok(next)
    }

    /// Moves the account to a new key, granted to every remaining device whose key is genuine.
    /// The new keyring is in the keychain before the hub hears of it, so a crash in between
    /// repeats the same rotation rather than losing the key; a refusal puts the old one back.
    async fn rotate(&self, st: &proto::KeyStateResponse, ring: &Keyring) -> Result<()> {
        let mut rng = os_rng();
        let (before, next) = if ring.epoch > st.epoch {
            (ring.without_current(), ring.clone())
        } else {
            // Past the hub's epoch even when this device could not follow the last key.
            let epoch = st.epoch.max(ring.epoch) + 1;
            let next =
                Keyring::with_older(epoch, ring.all().to_vec(), AccountKey::generate(&mut rng));
            self.store_keyring(&next).await?;
            (ring.clone(), next)
        };
        let older = &next.all()[..next.all().len() - 1];
        let mut grants = Vec::new();
        for d in &st.devices {
            let Some(k) = &d.key else { continue };
            match self.grant_for(d.device_id, k, &next, &mut rng) {
                Ok(g) => grants.push(g),
                // A key no device vouches for gets nothing; the hub only insists on devices
                // that hold the current key, whose keys were checked when they got it.
                Err(SyncError::UntrustedDeviceKey(_)) if !d.granted => {}
                Err(e) => return Err(e),
            }
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
        let posted = self
            .call::<_, ()>(Method::POST, paths::KEYS, Some(&req))
            .await;
        if posted.is_ok() {
            self.update_state(|s| s.phrase_changed = true)?;
        }
        match posted {
            Err(SyncError::Hub {
                status: 409,
                code,
                message,
                field,
                retry_after,
            }) => {
                self.store_keyring(&before).await?;
                Err(SyncError::Hub {
                    status: 409,
                    code,
                    message,
                    field,
                    retry_after,
                })
            }
            other => other,
        }
    }

    /// The current key sealed to one device, after checking its key was registered by a
    /// holder of one of the account's keys (the hub cannot make that tag).
    fn grant_for(
        &self,
        device_id: Uuid,
        key: &proto::DeviceKeyDto,
        next: &Keyring,
        rng: &mut ChaCha20Rng,
    ) -> Result<proto::KeyGrantDto> {
        let public: [u8; 32] = key
            .public_key
            .0
            .as_slice()
            .try_into()
            .map_err(|_| SyncError::Protocol("a device key is not 32 bytes".into()))?;
        if !rotation::device_key_is_genuine(next.all(), device_id.as_bytes(), &public, &key.tag.0) {
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

    /// Grants the current key to devices that hold no grant of it: ones that registered their
    /// key after the last rotation, and this device itself (a grant is how the hub knows a
    /// device holds the current key, which a rotation must then reach).
    async fn grant_newcomers(&self, st: &proto::KeyStateResponse, ring: &Keyring) -> Result<()> {
        if st.epoch != ring.epoch {
            return Ok(());
        }
        let mut rng = os_rng();
        let mut grants = Vec::new();
        for d in st.devices.iter().filter(|d| !d.granted) {
            let Some(k) = &d.key else { continue };
            match self.grant_for(d.device_id, k, ring, &mut rng) {
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
        // Not while a round runs: its key step and this one would rotate against each other.
        let _one_at_a_time = self.running.lock().await;
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
            Ok(_) => {
                let ring = self.keyring().await?;
                if ring.epoch > before {
                    Some(self.recovery_phrase().await?)
                } else {
                    None
                }
            }
            // The removal stands; the rotation is due and the next round makes it.
            Err(e) if e.is_transient() => None,
            Err(e) => return Err(e),
        };
        Ok(Revoked::Removed { new_phrase })
    }

    /// The current recovery phrase: the current account key as words. After a rotation it is
    /// not the one written down at sign-up. Counts as shown: the status stops saying it
    /// changed.
    pub async fn recovery_phrase(&self) -> Result<RecoveryPhrase> {
        let ring = self.keyring().await?;
        self.update_state(|st| st.phrase_changed = false)?;
        Ok(phrase::to_phrase(ring.current()))
    }
}
