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
/// On the first device: the pending typed-code offer ([`PendingOffer`], JSON).
pub(crate) const PAIRING_OFFER: &str = "sync.pairing_offer";
/// On a device that answered a typed code: the join key (hex), until it is approved.
pub(crate) const PAIRING_JOIN: &str = "sync.pairing_join";

/// What the first device keeps of a typed-code offer until the new device is in: the code and
/// the seed of its SPAKE2 state (to read the answer, after a restart too), and the new
/// device's credential (sealed to it once approved). All secret, so all in the keychain.
#[derive(Serialize, Deserialize)]
pub(crate) struct PendingOffer {
    pub device_id: Uuid,
    pub code: String,
    pub seed: String,
    pub secret: String,
    /// The answer (hex) once read, so the device can be approved (again) after the hub's slot
    /// expired.
    #[serde(default)]
    pub answer: Option<String>,
    /// Approved already: the new device joins at its next sync.
    #[serde(default)]
    pub approved: bool,
}

impl PendingOffer {
    pub fn encode(&self) -> Secret {
        Secret::new(serde_json::to_string(self).expect("the offer serializes"))
    }

    /// `None` for anything else, an entry from an older Satchel included: that offer cannot
    /// be finished, and the merchant makes a new code.
    fn decode(s: &str) -> Option<(PendingOffer, PairingCode, pairing::OfferSeed)> {
        let offer: PendingOffer = serde_json::from_str(s).ok()?;
        let code = PairingCode::parse(&offer.code).ok()?;
        let seed = pairing::OfferSeed::from_bytes(unhex::<32>(&offer.seed)?);
        Some((offer, code, seed))
    }
}

/// A device that answered this device's typed code and asks to join (issue #18): approve it
/// only if its screen shows the same fingerprint.
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
            let mut ring = self.keyring().await?;
            if self.state()?.approval_fingerprint.is_some() {
                // Linked, so a join this device waited on is over (a crash can leave it).
                self.forget_join().await?;
            }
            let secret = self.device_secret().await?;
            let registered = st
                .devices
                .iter()
                .find(|d| d.device_id == me)
                .and_then(|d| d.key.as_ref());
            // No key on the hub yet, or not the one this keychain holds (it lost the secret):
            // register a fresh one, which drops any grant sealed to the old.
            // Also when the tag is not one the account's keys make: the others could not
            // vouch for it.
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

    /// On a new device: answers the typed code's SPAKE2 offer with this device's message and
    /// a fresh key of its own, and keeps the join key and the fingerprint to show. The hub
    /// takes one answer per code, so a code that was answered (or guessed at) is used up.
    pub(crate) async fn answer_typed_code(&self, code: &PairingCode) -> Result<()> {
        let mut rng = os_rng();
        let secret = rotation::DeviceSecretKey::generate(&mut rng);
        let public = secret.public();
        let (pake, answer) = pairing::typed_answer(code, &public, &mut rng);
        let path = paths::PAIRING_ANSWER.replace("{lookup_id}", &code.nameplate_lookup());
        let body = proto::PairingAnswer {
            blob: proto::Bytes(answer),
        };
        let offer: proto::PairingGetResponse = self
            .send(Method::POST, &path, Some(&body), None)
            .await
            .map_err(no_such_code)?;
        let join = pake.finish(&offer.blob.0).map_err(SyncError::Pairing)?;
        self.kc_set(SYNC_DEVICE_KEY, Secret::new(hex(&secret.expose_bytes())))
            .await?;
        self.kc_set(PAIRING_JOIN, Secret::new(hex(join.expose_bytes())))
            .await?;
        let fingerprint = pairing::join_fingerprint(&join, &public);
        let hub_url = self.config.hub_url.clone();
        // The hub address too, so the app finds the join again after a restart.
        self.update_state(|st| {
            st.hub_url = Some(hub_url);
            st.approval_fingerprint = Some(fingerprint);
        })
    }

    /// Drops a typed-code join this device was waiting on (it links another way now).
    pub(crate) async fn forget_join(&self) -> Result<()> {
        self.kc_delete(PAIRING_JOIN).await?;
        if self.state()?.approval_fingerprint.is_some() {
            self.update_state(|st| st.approval_fingerprint = None)?;
        }
        Ok(())
    }

    /// On a device waiting for approval: takes what the first device parked once the merchant
    /// approved it (the account's keys, sealed to this device's key and the join key, and its
    /// credential), links and signs in. Else [`SyncError::AwaitingApproval`], which the loop
    /// retries.
    pub(crate) async fn finish_join(&self) -> Result<()> {
        let join = self
            .kc_get(PAIRING_JOIN)
            .await?
            .and_then(|s| unhex::<32>(s.expose()))
            .map(AccountKey::from_bytes)
            .ok_or(SyncError::NotLinked)?;
        let secret = self.device_secret().await?.ok_or(SyncError::NotLinked)?;
        let waiting = || -> Result<SyncError> {
            Ok(SyncError::AwaitingApproval(
                self.state()?.approval_fingerprint.unwrap_or_default(),
            ))
        };
        let lookup_id = rotation::approval_lookup(&join);
        let path = paths::PAIRING_SLOT.replace("{lookup_id}", &lookup_id);
        let slot: proto::PairingGetResponse =
            match self.send::<(), _>(Method::GET, &path, None, None).await {
                Ok(slot) => slot,
                Err(e) if e.hub_code() == Some(codes::NOT_FOUND) => return Err(waiting()?),
                Err(e) => return Err(e),
            };
        // One that does not open (a forgery, or sealed to another key) is as good as none,
        // and the first device can approve again.
        let Ok((key_blob, sealed)) = open_container(&slot.blob.0) else {
            return Err(waiting()?);
        };
        let Ok((epoch, keys)) = rotation::open_approval(&join, &secret, key_blob) else {
            return Err(waiting()?);
        };
        let Ok(cred) = open_credential(&join, &lookup_id, sealed) else {
            return Err(waiting()?);
        };
        let device_secret = unhex::<32>(&cred.secret)
            .ok_or_else(|| SyncError::Protocol("malformed device credential".into()))?;
        let (current, older) = keys.split_last().expect("open_approval returns a key");
        let ring = Keyring::with_older(epoch, older.to_vec(), current.clone());
        self.store_keyring(&ring).await?;
        self.save_link(cred.account_id, cred.device_id, &device_secret)
            .await?;
        self.forget_join().await?;
        self.sign_in().await
    }

    /// On the first device: the device that answered its typed code and asks to join, with
    /// the fingerprint both screens should show.
    pub async fn join_requests(&self) -> Result<Vec<JoinRequest>> {
        Ok(self
            .asking()
            .await?
            .map(|(offer, join, public)| JoinRequest {
                device_id: offer.device_id,
                fingerprint: pairing::join_fingerprint(&join, &public),
                approved: offer.approved,
            })
            .into_iter()
            .collect())
    }

    /// The pending offer a device answered and is not in yet, with the join key and that
    /// device's public key. The offer is forgotten once the device is in (it registered a key
    /// of its own) or gone.
    async fn asking(&self) -> Result<Option<(PendingOffer, AccountKey, [u8; 32])>> {
        let Some((mut offer, code, seed)) = self.pending_offer().await? else {
            return Ok(None);
        };
        let st: proto::KeyStateResponse =
            self.call::<(), _>(Method::GET, paths::KEYS, None).await?;
        let device = st.devices.iter().find(|d| d.device_id == offer.device_id);
        // A key on the hub means the device holds its credential, which only the QR code's
        // blob or an approval gives: it is in, and the typed offer is over.
        if device.is_none_or(|d| d.key.is_some()) {
            self.kc_delete(PAIRING_OFFER).await?;
            return Ok(None);
        }
        Ok(self
            .read_answer(&mut offer, &code, &seed)
            .await?
            .map(|(join, public)| (offer, join, public)))
    }

    /// The answer to the offer, once a device left one: the join key and the answering
    /// device's public key. Kept with the offer once read, so the device can be approved
    /// (again) after the hub's slot expired. An answer that is not a SPAKE2 message is as good
    /// as none; one made with a wrong code gives a join key (and fingerprint) nobody else has.
    async fn read_answer(
        &self,
        offer: &mut PendingOffer,
        code: &PairingCode,
        seed: &pairing::OfferSeed,
    ) -> Result<Option<(AccountKey, [u8; 32])>> {
        let answer = match offer.answer.as_deref().and_then(unhex_vec) {
            Some(kept) => kept,
            None => {
                let path = paths::PAIRING_ANSWER.replace("{lookup_id}", &code.nameplate_lookup());
                let got = match self
                    .call::<(), proto::PairingGetResponse>(Method::GET, &path, None)
                    .await
                {
                    Ok(answer) => answer.blob.0,
                    Err(e) if e.hub_code() == Some(codes::NOT_FOUND) => return Ok(None),
                    Err(e) => return Err(e),
                };
                offer.answer = Some(hex(&got));
                self.kc_set(PAIRING_OFFER, offer.encode()).await?;
                got
            }
        };
        Ok(pairing::open_typed_answer(code, seed, &answer).ok())
    }

    async fn pending_offer(
        &self,
    ) -> Result<Option<(PendingOffer, PairingCode, pairing::OfferSeed)>> {
        Ok(self
            .kc_get(PAIRING_OFFER)
            .await?
            .and_then(|s| PendingOffer::decode(s.expose())))
    }

    /// Lets a device that asks to join in, if it still shows `fingerprint` (what the merchant
    /// compared): parks the account's keys, sealed to its public key and the join key, and its
    /// credential, under the join key. Approving again (the first approval expired, or was
    /// lost) is harmless.
    pub async fn approve_join(&self, device_id: Uuid, fingerprint: &str) -> Result<()> {
        let (mut offer, join, public) = self
            .asking()
            .await?
            .filter(|(o, _, _)| o.device_id == device_id)
            .ok_or(SyncError::NoJoinRequest)?;
        if pairing::join_fingerprint(&join, &public) != fingerprint.trim().to_uppercase() {
            return Err(SyncError::FingerprintChanged);
        }
        let account_id = self.state()?.account_id.ok_or(SyncError::NotLinked)?;
        let ring = self.keyring().await?;
        let mut rng = os_rng();
        let lookup_id = rotation::approval_lookup(&join);
        let keys = rotation::seal_approval(&join, &public, ring.all(), ring.epoch, &mut rng);
        let cred = PairedCredential {
            account_id,
            device_id,
            secret: offer.secret.clone(),
        };
        let put = proto::PairingPut {
            blob: proto::Bytes(container(&join, &lookup_id, &keys, &cred, &mut rng)),
            lookup_id,
            ttl_secs: Some(self.config.pairing_ttl_secs),
            answerable: false,
        };
        // Approved before and not taken yet: that approval stands (the hub keeps it).
        let _: proto::PairingPutResponse =
            self.call(Method::POST, paths::PAIRING, Some(&put)).await?;
        offer.approved = true;
        self.kc_set(PAIRING_OFFER, offer.encode()).await
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
