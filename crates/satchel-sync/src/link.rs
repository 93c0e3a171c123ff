//! Linking devices to an account: create it, pair a second device by code, restore or
//! recover with the phrase, unlink, and the device list.

use super::*;

impl<S: StoreAccess> Syncer<S> {
    pub(crate) fn ensure_unlinked(&self) -> Result<()> {
        if self.state()?.account_id.is_some() {
            return Err(SyncError::AlreadyLinked);
        }
        Ok(())
    }

    pub(crate) async fn save_link(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        secret: &[u8; 32],
    ) -> Result<()> {
        self.kc_set(
            HUB_DEVICE_CREDENTIAL,
            Secret::new(format!("{device_id}:{}", hex(secret))),
        )
        .await?;
        let hub_url = self.config.hub_url.clone();
        self.update_state(|st| {
            st.hub_url = Some(hub_url);
            st.account_id = Some(account_id);
            st.device_id = Some(device_id);
        })
    }

    /// Makes a new sync account with this device as its first device. The account key is made
    /// here and kept in the keychain; the returned phrase is its only other copy, to be shown
    /// to the merchant once and written down.
    pub async fn create_account(&self, device_label: &str) -> Result<RecoveryPhrase> {
        // Before the key is made: no account is started at an address it could not reach.
        self.config.check_hub_url()?;
        self.ensure_unlinked()?;
        self.forget_join().await?;
        let mut rng = os_rng();
        let key = AccountKey::generate(&mut rng);
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        // The key is in the keychain before the account exists, so an account is never made
        // whose key could be lost in between.
        self.store_key(&key).await?;
        let req = proto::CreateAccountRequest {
            // Sealed: the hub keeps the label for the device list but cannot read it.
            device_label: satchel_crypto::seal_label(&key, device_label, &mut rng),
            device_secret: proto::DeviceSecret(proto::Bytes(secret.to_vec())),
            // So the phrase alone can bring the account back if every device is lost.
            recovery: Some(recovery_registration(&key)),
        };
        let resp: proto::CreateAccountResponse = self
            .send(Method::POST, paths::ACCOUNTS, Some(&req), None)
            .await?;
        self.save_link(resp.account_id, resp.device_id, &secret)
            .await?;
        let mut session = self.session.lock().await;
        self.save_tokens(&mut session, &resp.tokens).await?;
        Ok(phrase::to_phrase(&key))
    }

    /// On a linked device: registers a new device and offers it two ways in, for
    /// [`Syncer::join_with_code`]: the QR code's secret seals the account key and the new
    /// device's credential; the typed code starts a SPAKE2 exchange under its nameplate, and
    /// the device that answers gets in only once the merchant approves it here
    /// ([`Syncer::join_requests`], [`Syncer::approve_join`]).
    pub async fn offer_pairing(&self, new_device_label: &str) -> Result<PairingOffer> {
        let key = self.account_key().await?;
        let account_id = self.state()?.account_id.ok_or(SyncError::NotLinked)?;
        let mut rng = os_rng();
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        let req = proto::RegisterDeviceRequest {
            device_label: satchel_crypto::seal_label(&key, new_device_label, &mut rng),
            device_secret: proto::DeviceSecret(proto::Bytes(secret.to_vec())),
        };
        let device: proto::DeviceInfo = self.call(Method::POST, paths::DEVICES, Some(&req)).await?;
        let seed = pairing::OfferSeed::generate(&mut rng);
        let ttl_secs = Some(self.config.pairing_ttl_secs);
        // A nameplate another offer holds is a 409: another code then. Twenty bits of
        // nameplate make that rare; a few tries make it vanish.
        let mut parked = None;
        for _ in 0..8 {
            let code = PairingCode::generate(&mut rng);
            // Kept before it is offered: an answer must never come to an offer nobody holds.
            // The offer outlives this call (and maybe the app): the answer comes minutes later.
            let offer = keys::PendingOffer {
                device_id: device.device_id,
                code: code.display(),
                seed: hex(seed.expose_bytes()),
                secret: hex(&secret),
                answer: None,
                approved: false,
            };
            self.kc_set(keys::PAIRING_OFFER, offer.encode()).await?;
            let put = proto::PairingPut {
                lookup_id: code.nameplate_lookup(),
                blob: proto::Bytes(pairing::typed_offer(&code, &seed)),
                ttl_secs,
                answerable: true,
            };
            match self
                .call::<_, proto::PairingPutResponse>(Method::POST, paths::PAIRING, Some(&put))
                .await
            {
                Ok(_) => {
                    parked = Some(code);
                    break;
                }
                Err(e) if e.hub_code() == Some(codes::CONFLICT) => continue,
                Err(e) => return Err(e),
            }
        }
        let code = parked.ok_or_else(|| {
            SyncError::Protocol("the hub had no free pairing code; try again".into())
        })?;
        let cred = PairedCredential {
            account_id,
            device_id: device.device_id,
            secret: hex(&secret),
        };
        let scanned = satchel_crypto::QrSecret::generate(&mut rng);
        let qr_lookup = scanned.lookup_id();
        let key_blob = pairing::offer_scanned(&key, &scanned, &mut rng);
        let put = proto::PairingPut {
            blob: proto::Bytes(container(&key, &qr_lookup, &key_blob, &cred, &mut rng)),
            lookup_id: qr_lookup,
            ttl_secs,
            answerable: false,
        };
        let resp: proto::PairingPutResponse =
            self.call(Method::POST, paths::PAIRING, Some(&put)).await?;
        Ok(PairingOffer {
            qr_payload: scanned.qr_payload(&code),
            code,
            device_id: device.device_id,
            expires_at: resp.expires_at,
        })
    }

    /// On a new device: links it to the account whose device shows `typed` (the code as
    /// typed, any case and spacing, or the scanned QR text). A scanned code links at once;
    /// run [`Syncer::sync_now`] next for the initial sync. A typed code answers the other
    /// device's SPAKE2 offer and leaves this device waiting for the merchant's approval
    /// there: [`SyncStatus::awaiting_approval`] holds the fingerprint to compare, and each
    /// [`Syncer::sync_now`] looks for the approval ([`SyncError::AwaitingApproval`] until then).
    pub async fn join_with_code(&self, typed: &str) -> Result<()> {
        self.config.check_hub_url()?;
        self.ensure_unlinked()?;
        let (code, scanned) = pairing::read_qr(typed)
            .or_else(|_| PairingCode::parse(typed).map(|c| (c, None)))
            .map_err(SyncError::Pairing)?;
        self.forget_join().await?;
        let Some(scanned) = scanned else {
            return self.answer_typed_code(&code).await;
        };
        let lookup_id = scanned.lookup_id();
        let path = paths::PAIRING_SLOT.replace("{lookup_id}", &lookup_id);
        let slot: proto::PairingGetResponse = self
            .send::<(), _>(Method::GET, &path, None, None)
            .await
            .map_err(no_such_code)?;
        let (key_blob, sealed) = open_container(&slot.blob.0)?;
        let key = pairing::accept_scanned(&scanned, key_blob).map_err(SyncError::Pairing)?;
        let cred = open_credential(&key, &lookup_id, sealed)?;
        let secret = unhex::<32>(&cred.secret)
            .ok_or_else(|| SyncError::Protocol("malformed device credential".into()))?;
        self.store_key(&key).await?;
        self.save_link(cred.account_id, cred.device_id, &secret)
            .await?;
        self.sign_in().await?;
        // In: the typed code's offer goes, so nobody can answer it. Gone already, or the hub
        // unreachable just now: it expires within minutes anyway.
        let path = paths::PAIRING_SLOT.replace("{lookup_id}", &code.nameplate_lookup());
        let _ = self.call::<(), ()>(Method::DELETE, &path, None).await;
        Ok(())
    }

    /// Puts the account key back from the recovery phrase on a device that is still linked
    /// (its keychain lost the key, or a new key store). The phrase is checked against a record
    /// on the hub when there is one, so a phrase of another account is refused.
    pub async fn restore_with_phrase(&self, typed: &str) -> Result<()> {
        self.config.check_hub_url()?;
        let key = phrase::from_phrase(typed)?;
        self.state()?.account_id.ok_or(SyncError::NotLinked)?;
        let q = format!("{}?after=0&limit=1", paths::RECORDS);
        let page: proto::DownloadResponse = self.call::<(), _>(Method::GET, &q, None).await?;
        if let Some(r) = page.records.first() {
            if let Err(SyncError::Crypto {
                source: CryptoError::WrongKey,
                ..
            }) = open_record(&key, r)
            {
                // After a rotation the first record is under an older key, and the phrase is
                // the newest: it is this account's when the hub's keyring opens with it.
                let st: proto::KeyStateResponse =
                    self.call::<(), _>(Method::GET, paths::KEYS, None).await?;
                let opens = st.keyring.is_some_and(|k| {
                    satchel_crypto::rotation::open_keyring(&key, st.epoch, &k.0).is_ok()
                });
                if !opens {
                    return Err(SyncError::WrongPhrase);
                }
            }
        }
        self.store_key(&key).await
    }

    /// On a new, unlinked device: signs back into the account whose recovery phrase is `typed`,
    /// when every linked device is lost. The phrase gives the account key; the hub is shown only
    /// a lookup and a proof derived from it (`satchel_crypto::recovery`), registers this device
    /// and signs it in. Run [`Syncer::sync_now`] next for the initial sync. A phrase the hub
    /// knows no account for is [`SyncError::WrongPhrase`].
    pub async fn recover_with_phrase(&self, typed: &str, device_label: &str) -> Result<()> {
        self.config.check_hub_url()?;
        self.ensure_unlinked()?;
        let key = phrase::from_phrase(typed)?;
        self.forget_join().await?;
        let mut rng = os_rng();
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        let req = proto::RecoverRequest {
            lookup: recovery::lookup(&key),
            proof: proto::RecoveryProof(proto::Bytes(
                recovery::proof(&key).expose_bytes().to_vec(),
            )),
            device_label: satchel_crypto::seal_label(&key, device_label, &mut rng),
            device_secret: proto::DeviceSecret(proto::Bytes(secret.to_vec())),
        };
        let resp: proto::CreateAccountResponse = self
            .send(Method::POST, paths::RECOVER, Some(&req), None)
            .await
            .map_err(|e| match e.hub_code() {
                // The hub answers an unknown lookup and a wrong proof alike, on purpose.
                Some(c) if c == codes::NOT_FOUND => SyncError::WrongPhrase,
                _ => e,
            })?;
        // As after pairing: the key goes into the keychain only once the hub has accepted it.
        self.store_key(&key).await?;
        self.save_link(resp.account_id, resp.device_id, &secret)
            .await?;
        let mut session = self.session.lock().await;
        self.save_tokens(&mut session, &resp.tokens).await
    }

    /// On a linked device: registers the account's recovery verifier with the hub (again), so
    /// the phrase can bring the account back on a new device. Accounts made before recovery
    /// existed need this once; repeating it is harmless.
    pub async fn enable_recovery(&self) -> Result<()> {
        self.state()?.account_id.ok_or(SyncError::NotLinked)?;
        let key = self.account_key().await?;
        let reg = recovery_registration(&key);
        self.call::<_, ()>(Method::PUT, paths::RECOVERY, Some(&reg))
            .await
    }

    /// Forgets the link on this device: tokens, credential and key leave the keychain. The
    /// local data stays.
    pub async fn unlink(&self) -> Result<()> {
        for name in [
            satchel_keychain::HUB_ACCESS_TOKEN,
            satchel_keychain::HUB_REFRESH_TOKEN,
            HUB_DEVICE_CREDENTIAL,
            satchel_keychain::SYNC_ACCOUNT_KEY,
            SYNC_DEVICE_KEY,
            keys::PAIRING_OFFER,
            keys::PAIRING_JOIN,
        ] {
            self.kc_delete(name).await?;
        }
        *self.session.lock().await = Session::default();
        self.store
            .with_store(|s| save_state(s, &SyncState::default()))
    }

    /// The account's devices, this one marked `current`, with their labels opened. A label
    /// that does not open (stored in clear by an older Satchel) is shown as it is, and so is
    /// every label while the account key is missing from the keychain.
    pub async fn devices(&self) -> Result<Vec<proto::DeviceInfo>> {
        let mut list: proto::DeviceList = self
            .call::<(), _>(Method::GET, paths::DEVICES, None)
            .await?;
        if let Ok(ring) = self.keyring().await {
            // A label is sealed under the key of its device's day; try every one.
            for d in &mut list.devices {
                if let Some(label) = ring
                    .all()
                    .iter()
                    .rev()
                    .find_map(|k| satchel_crypto::open_label(k, &d.label))
                {
                    d.label = label;
                }
            }
        }
        Ok(list.devices)
    }

    /// What the account holds against its quota.
    pub async fn usage(&self) -> Result<proto::UsageResponse> {
        self.call::<(), _>(Method::GET, paths::USAGE, None).await
    }
}
