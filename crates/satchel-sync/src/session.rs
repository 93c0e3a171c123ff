//! The engine's session with the hub: the keychain entries, the access token (renewed with
//! the single-use refresh token, or by signing in again), and every HTTP call.

use super::*;

impl<S: StoreAccess> Syncer<S> {
    /// An engine over `store` that keeps its keys and tokens in `secrets` (the OS keychain in
    /// the app and the CLI; `satchel_keychain::MemorySecrets` in tests).
    pub fn new(
        store: Arc<S>,
        secrets: impl SecretStore + 'static,
        config: SyncConfig,
    ) -> Result<Syncer<S>> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        Ok(Syncer {
            store,
            keychain: Arc::new(secrets),
            config,
            http,
            session: Mutex::new(Session::default()),
            running: Mutex::new(()),
            wake: Notify::new(),
        })
    }

    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    pub(crate) async fn kc_get(&self, name: &'static str) -> Result<Option<Secret>> {
        let kc = self.keychain.clone();
        tokio::task::spawn_blocking(move || kc.get(name))
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))?
            .map_err(SyncError::from)
    }

    pub(crate) async fn kc_set(&self, name: &'static str, value: Secret) -> Result<()> {
        let kc = self.keychain.clone();
        tokio::task::spawn_blocking(move || kc.set(name, &value))
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))?
            .map_err(SyncError::from)
    }

    pub(crate) async fn kc_delete(&self, name: &'static str) -> Result<()> {
        let kc = self.keychain.clone();
        tokio::task::spawn_blocking(move || kc.delete(name))
            .await
            .map_err(|e| SyncError::Protocol(e.to_string()))?
            .map_err(SyncError::from)
    }

    pub(crate) async fn save_tokens(
        &self,
        session: &mut Session,
        t: &proto::TokenPair,
    ) -> Result<()> {
        // The refresh token first: if the process dies between the two writes, the next start
        // still holds a refresh token that works.
        self.kc_set(
            satchel_keychain::HUB_REFRESH_TOKEN,
            Secret::new(t.refresh_token.0.clone()),
        )
        .await?;
        self.kc_set(
            satchel_keychain::HUB_ACCESS_TOKEN,
            Secret::new(t.access_token.0.clone()),
        )
        .await?;
        session.access = Some(Secret::new(t.access_token.0.clone()));
        session.expires_at = Some(t.access_expires_at);
        Ok(())
    }

    /// The current account key (the newest of the keyring).
    pub(crate) async fn account_key(&self) -> Result<AccountKey> {
        Ok(self.keyring().await?.current().clone())
    }

    /// Every account key this device holds (issue #18: one per rotation), from the keychain.
    pub(crate) async fn keyring(&self) -> Result<keys::Keyring> {
        if let Some(k) = &self.session.lock().await.keys {
            return Ok(k.clone());
        }
        let secret = self
            .kc_get(satchel_keychain::SYNC_ACCOUNT_KEY)
            .await?
            .ok_or(SyncError::NoAccountKey)?;
        let ring = keys::Keyring::decode(secret.expose()).ok_or(SyncError::NoAccountKey)?;
        self.session.lock().await.keys = Some(ring.clone());
        Ok(ring)
    }

    /// Keeps one key (a new account, a pairing, the phrase): the next round's key step fetches
    /// the older ones when the account has rotated.
    pub(crate) async fn store_key(&self, key: &AccountKey) -> Result<()> {
        self.store_keyring(&keys::Keyring::single(key.clone()))
            .await
    }

    pub(crate) async fn store_keyring(&self, ring: &keys::Keyring) -> Result<()> {
        self.kc_set(satchel_keychain::SYNC_ACCOUNT_KEY, ring.encode())
            .await?;
        self.session.lock().await.keys = Some(ring.clone());
        Ok(())
    }

    pub(crate) fn state(&self) -> Result<SyncState> {
        self.store.with_store(|s| load_state(s))
    }

    pub(crate) fn update_state(&self, f: impl FnOnce(&mut SyncState)) -> Result<()> {
        self.store.with_store(|s| {
            let mut st = load_state(s)?;
            f(&mut st);
            save_state(s, &st)
        })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.hub_url)
    }

    pub(crate) async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        token: Option<&str>,
    ) -> Result<T> {
        // Every request passes here: the one gate that keeps the credential and the tokens
        // off plain http to another computer, whatever the address was typed or saved as.
        self.config.check_hub_url()?;
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| SyncError::Offline(e.without_url().to_string()))?;
        let status = resp.status();
        let retry_after = (status == StatusCode::TOO_MANY_REQUESTS)
            .then(|| {
                resp.headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
            })
            .flatten();
        let bytes = read_capped(resp, MAX_HUB_REPLY).await?;
        if status.is_success() {
            // A 204 has no body; `null` lets callers that expect nothing ask for `()`.
            let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            // Position only: serde's message may quote a value from the body.
            return serde_json::from_slice(body).map_err(|e| {
                SyncError::Protocol(format!(
                    "{:?} error at line {} column {}",
                    e.classify(),
                    e.line(),
                    e.column()
                ))
            });
        }
        let body: proto::ErrorBody =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| proto::ErrorBody {
                code: if status == StatusCode::TOO_MANY_REQUESTS {
                    codes::RATE_LIMITED.into()
                } else {
                    codes::INTERNAL.into()
                },
                message: format!("HTTP {status}"),
                field: None,
            });
        Err(SyncError::Hub {
            status: status.as_u16(),
            code: body.code,
            message: body.message,
            field: body.field,
            retry_after,
        })
    }

    /// A request with the access token, refreshed (or signed in again) once if the hub says
    /// it has expired or is no longer valid.
    pub(crate) async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let mut renewed = false;
        let mut throttled = 0;
        loop {
            let token = self.access_token(renewed).await?;
            match self
                .send(method.clone(), path, body, Some(token.expose()))
                .await
            {
                Err(SyncError::Hub {
                    status: 401, code, ..
                }) if code != codes::DEVICE_REVOKED && !renewed => renewed = true,
                // A long initial sync can outrun the hub's per-device rate limit; waiting a
                // little beats failing the whole round. Each page is already saved, so giving
                // up after a few waits loses nothing either.
                Err(SyncError::Hub {
                    retry_after: Some(secs),
                    ..
                }) if throttled < MAX_THROTTLED_WAITS && secs <= MAX_THROTTLE_WAIT_SECS => {
                    throttled += 1;
                    tokio::time::sleep(Duration::from_secs(secs.max(1))).await;
                }
                other => return other,
            }
        }
    }

    pub(crate) async fn access_token(&self, force_renew: bool) -> Result<Secret> {
        let mut session = self.session.lock().await;
        if !force_renew {
            if let Some(t) = &session.access {
                // A minute's margin; a client clock that is off only costs one 401 and a
                // refresh, because the hub's answer decides.
                let fresh = session
                    .expires_at
                    .is_none_or(|exp| exp > crate::wall_now() + chrono::Duration::seconds(60));
                if fresh {
                    return Ok(t.clone());
                }
            } else if let Some(t) = self.kc_get(satchel_keychain::HUB_ACCESS_TOKEN).await? {
                session.access = Some(t.clone());
                session.expires_at = None;
                return Ok(t);
            }
        }
        if let Some(refresh) = self.kc_get(satchel_keychain::HUB_REFRESH_TOKEN).await? {
            let req = proto::RefreshRequest {
                refresh_token: proto::Token(refresh.expose().to_owned()),
            };
            match self
                .send::<_, proto::TokenPair>(Method::POST, paths::REFRESH, Some(&req), None)
                .await
            {
                Ok(pair) => {
                    self.save_tokens(&mut session, &pair).await?;
                    return Ok(Secret::new(pair.access_token.0));
                }
                // Spent, reused or expired: sign in again with the device credential.
                Err(SyncError::Hub {
                    status: 401, code, ..
                }) if code != codes::DEVICE_REVOKED => {}
                Err(e) => return Err(e),
            }
        }
        let pair = self.login().await?;
        self.save_tokens(&mut session, &pair).await?;
        Ok(Secret::new(pair.access_token.0))
    }

    pub(crate) async fn device_credential(&self) -> Result<(Uuid, [u8; 32])> {
        let cred = self
            .kc_get(HUB_DEVICE_CREDENTIAL)
            .await?
            .ok_or(SyncError::NotLinked)?;
        let (id, secret) = cred.expose().split_once(':').ok_or(SyncError::NotLinked)?;
        let id: Uuid = id.parse().map_err(|_| SyncError::NotLinked)?;
        let secret = unhex::<32>(secret).ok_or(SyncError::NotLinked)?;
        Ok((id, secret))
    }

    pub(crate) async fn login(&self) -> Result<proto::TokenPair> {
        let (device_id, secret) = self.device_credential().await?;
        let req = proto::LoginRequest {
            device_id,
            device_secret: proto::DeviceSecret(proto::Bytes(secret.to_vec())),
        };
        self.send(Method::POST, paths::LOGIN, Some(&req), None)
            .await
    }

    /// Signs this device in with its credential and keeps the new tokens.
    pub async fn sign_in(&self) -> Result<()> {
        let pair = self.login().await?;
        let mut session = self.session.lock().await;
        self.save_tokens(&mut session, &pair).await
    }
}
