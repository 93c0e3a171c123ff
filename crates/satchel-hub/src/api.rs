//! The v0 routes. Each handler is short: check the request, call the storage with the
//! caller's account id (taken only from the verified token, never from the request), answer.
//! Reads are written to the audit log.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use satchel_hub_core::*;
use satchel_sync_proto::{self as proto, codes, paths};
use uuid::Uuid;

use crate::auth::{self, Claims, Signer, TokenError};
use crate::config::HubConfig;
use crate::error::ApiError;
use crate::rate::RateLimiter;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub storage: Arc<dyn HubStorage>,
    pub config: HubConfig,
    pub signer: Signer,
    pub per_ip: RateLimiter<IpAddr>,
    pub per_device: RateLimiter<Uuid>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("storage", &self.inner.storage.backend_name())
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(config: HubConfig, storage: Arc<dyn HubStorage>) -> AppState {
        let signer = match &config.token_signing_key {
            Some(k) => Signer::new(k.expose().as_bytes()),
            None => Signer::new(&auth::random_bytes::<32>()),
        };
        let r = &config.rate;
        AppState {
            inner: Arc::new(Inner {
                per_ip: RateLimiter::new(r.per_ip_burst, r.per_ip_per_sec),
                per_device: RateLimiter::new(r.per_device_burst, r.per_device_per_sec),
                storage,
                config,
                signer,
            }),
        }
    }

    #[allow(clippy::disallowed_methods)] // the hub's clock adapter
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

pub fn router(state: AppState) -> Router {
    let body_limit = state.inner.config.limits.max_body_bytes;
    Router::new()
        .route(paths::ACCOUNTS, post(create_account))
        .route(paths::LOGIN, post(login))
        .route(paths::REFRESH, post(refresh))
        .route(paths::DEVICES, get(list_devices).post(register_device))
        .route(paths::DEVICE, delete(revoke_device))
        .route(paths::RECORDS, get(download).post(upload))
        .route(paths::RECORD, delete(purge_record))
        .route(paths::USAGE, get(usage))
        .route(paths::AUDIT, get(audit))
        .route(paths::PAIRING, post(put_pairing))
        .route(paths::PAIRING_SLOT, get(take_pairing))
        .route(paths::RECOVER, post(recover))
        .route(paths::RECOVERY, put(set_recovery))
        .fallback(|| async { ApiError::not_found("route") })
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_per_ip,
        ))
        .with_state(state)
}

fn client_ip(state: &AppState, req: &Request) -> IpAddr {
    if state.inner.config.trust_forwarded_for {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// Every request, known route or not, costs its address one token.
async fn limit_per_ip(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip = client_ip(&state, &req);
    match state.inner.per_ip.check(&ip, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => ApiError::rate_limited(wait.as_secs_f64().ceil() as u64).into_response(),
    }
}

/// The verified caller of an authenticated route.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Claims);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized(
                    codes::UNAUTHORIZED,
                    "this route needs an Authorization: Bearer access token",
                )
            })?;
        let claims = state
            .inner
            .signer
            .verify(token.trim(), state.now())
            .map_err(|e| match e {
                TokenError::Expired => ApiError::unauthorized(
                    codes::TOKEN_EXPIRED,
                    "the access token has expired; refresh it",
                ),
                TokenError::Malformed | TokenError::BadSignature => {
                    ApiError::unauthorized(codes::UNAUTHORIZED, "the access token is not valid")
                }
            })?;
        if let Err(wait) = state
            .inner
            .per_device
            .check(&claims.device_id, Instant::now())
        {
            return Err(ApiError::rate_limited(wait.as_secs_f64().ceil() as u64));
        }
        match state
            .inner
            .storage
            .session_state(claims.account_id, claims.device_id, claims.family_id)
            .await?
        {
            SessionState::Active => Ok(Caller(claims)),
            SessionState::DeviceRevoked => Err(ApiError::unauthorized(
                codes::DEVICE_REVOKED,
                "this device was removed from the account",
            )),
            SessionState::FamilyRevoked | SessionState::Unknown => Err(ApiError::unauthorized(
                codes::UNAUTHORIZED,
                "this sign-in was ended; sign in again",
            )),
        }
    }
}

/// `Json` whose refusals are [`ApiError`]s.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(ApiError::from)
    }
}

/// `Query` whose refusals are [`ApiError`]s.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    Query<T>: FromRequestParts<S, Rejection = axum::extract::rejection::QueryRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(ApiError::from)
    }
}

// ---- checks ---------------------------------------------------------------------------------

fn check_label(label: &str) -> Result<(), ApiError> {
    let n = label.chars().count();
    if n == 0 || n > 64 || label.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "device_label",
            "device_label must be 1 to 64 characters with no control characters",
        ));
    }
    Ok(())
}

fn check_secret(secret: &proto::DeviceSecret) -> Result<[u8; 32], ApiError> {
    let n = secret.0 .0.len();
    if !(32..=256).contains(&n) {
        return Err(ApiError::invalid(
            "device_secret",
            "device_secret must be 32 to 256 random bytes (base64)",
        ));
    }
    Ok(auth::sha256(&secret.0 .0))
}

fn check_record(i: usize, r: &proto::RecordUpload, max_bytes: usize) -> Result<(), ApiError> {
    let field = |f: &str| format!("records[{i}].{f}");
    let id_ok = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_graphic() && c != '/')
    };
    if !id_ok(&r.record_id, 64) {
        return Err(ApiError::invalid(
            field("record_id"),
            "record_id must be 1 to 64 printable ASCII characters without '/'",
        ));
    }
    if r.entity.is_empty()
        || r.entity.len() > 32
        || !r.entity.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    {
        return Err(ApiError::invalid(
            field("entity"),
            "entity must be 1 to 32 characters of a-z and _",
        ));
    }
    if !id_ok(&r.version, 128) {
        return Err(ApiError::invalid(
            field("version"),
            "version must be 1 to 128 printable ASCII characters without '/'",
        ));
    }
    if r.ciphertext.0.is_empty() || r.ciphertext.0.len() > max_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::TOO_LARGE,
            format!("ciphertext must be 1 to {max_bytes} bytes"),
        )
        .with_field(field("ciphertext")));
    }
    Ok(())
}

/// A digest of the upload's content, so the same upload id with other records is caught.
/// Each field is length-prefixed, so no two different batches encode the same.
fn upload_digest(records: &[proto::RecordUpload]) -> [u8; 32] {
    let mut buf = Vec::new();
    for r in records {
        for part in [
            r.record_id.as_bytes(),
            r.entity.as_bytes(),
            r.version.as_bytes(),
            &r.ciphertext.0,
        ] {
            buf.extend_from_slice(&(part.len() as u64).to_le_bytes());
            buf.extend_from_slice(part);
        }
    }
    auth::sha256(&buf)
}

// ---- sessions -------------------------------------------------------------------------------

fn access_token(
    state: &AppState,
    account_id: Uuid,
    device_id: Uuid,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> (proto::Token, DateTime<Utc>) {
    let expires = now + Duration::seconds(state.inner.config.access_token_ttl_secs as i64);
    let token = state.inner.signer.sign(&Claims {
        account_id,
        device_id,
        family_id,
        expires: expires.timestamp(),
    });
    (proto::Token(token), expires)
}

/// A sign-in: a new token family with its first refresh token, and an access token.
async fn start_session(
    state: &AppState,
    account_id: Uuid,
    device_id: Uuid,
) -> Result<proto::TokenPair, ApiError> {
    let now = state.now();
    let refresh_expires = now + Duration::seconds(state.inner.config.refresh_token_ttl_secs as i64);
    let (refresh_token, hash) = auth::new_refresh_token();
    let family_id = Uuid::now_v7();
    state
        .inner
        .storage
        .insert_refresh(&RefreshToken {
            hash,
            family_id,
            account_id,
            device_id,
            created_at: now,
            expires_at: refresh_expires,
        })
        .await?;
    let (access_token, access_expires_at) =
        access_token(state, account_id, device_id, family_id, now);
    Ok(proto::TokenPair {
        account_id,
        device_id,
        access_token,
        access_expires_at,
        refresh_token: proto::Token(refresh_token),
        refresh_expires_at: refresh_expires,
    })
}

async fn create_account(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<proto::CreateAccountRequest>,
) -> Result<(StatusCode, Json<proto::CreateAccountResponse>), ApiError> {
    check_label(&req.device_label)?;
    let secret_hash = check_secret(&req.device_secret)?;
    let recovery = req.recovery.as_ref().map(check_registration).transpose()?;
    let account_id = Uuid::now_v7();
    let device = NewDevice {
        device_id: Uuid::now_v7(),
        label: req.device_label,
        secret_hash,
        created_at: state.now(),
    };
    state
        .inner
        .storage
        .create_account_with_recovery(account_id, &device, recovery.as_ref(), state.now())
        .await?;
    let tokens = start_session(&state, account_id, device.device_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(proto::CreateAccountResponse {
            account_id,
            device_id: device.device_id,
            tokens,
        }),
    ))
}

async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<proto::LoginRequest>,
) -> Result<Json<proto::TokenPair>, ApiError> {
    let wrong = || {
        ApiError::unauthorized(
            codes::UNAUTHORIZED,
            "the device id or its credential is wrong",
        )
    };
    let presented = auth::sha256(&req.device_secret.0 .0);
    let device = state
        .inner
        .storage
        .device(req.device_id)
        .await?
        .ok_or_else(wrong)?;
    if !auth::same_hash(&presented, &device.secret_hash) {
        return Err(wrong());
    }
    if device.revoked_at.is_some() {
        return Err(ApiError::unauthorized(
            codes::DEVICE_REVOKED,
            "this device was removed from the account",
        ));
    }
    Ok(Json(
        start_session(&state, device.account_id, device.device_id).await?,
    ))
}

async fn refresh(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<proto::RefreshRequest>,
) -> Result<Json<proto::TokenPair>, ApiError> {
    let now = state.now();
    let (next_token, next_hash) = auth::new_refresh_token();
    let refresh_expires = now + Duration::seconds(state.inner.config.refresh_token_ttl_secs as i64);
    // The storage fills in the family, account and device from the presented token.
    let next = RefreshToken {
        hash: next_hash,
        family_id: Uuid::nil(),
        account_id: Uuid::nil(),
        device_id: Uuid::nil(),
        created_at: now,
        expires_at: refresh_expires,
    };
    let outcome = state
        .inner
        .storage
        .rotate_refresh(&auth::refresh_hash(&req.refresh_token.0), &next, now)
        .await?;
    match outcome {
        RotateOutcome::Rotated {
            account_id,
            device_id,
            family_id,
        } => {
            let (access_token, access_expires_at) =
                access_token(&state, account_id, device_id, family_id, now);
            Ok(Json(proto::TokenPair {
                account_id,
                device_id,
                access_token,
                access_expires_at,
                refresh_token: proto::Token(next_token),
                refresh_expires_at: refresh_expires,
            }))
        }
        RotateOutcome::Reused => Err(ApiError::unauthorized(
            codes::REFRESH_REUSED,
            "this refresh token was already used; every session of this sign-in is now ended",
        )
        .with_field("refresh_token")),
        RotateOutcome::Expired => Err(ApiError::unauthorized(
            codes::TOKEN_EXPIRED,
            "the refresh token has expired; sign in again",
        )
        .with_field("refresh_token")),
        RotateOutcome::Revoked | RotateOutcome::Unknown => Err(ApiError::unauthorized(
            codes::UNAUTHORIZED,
            "the refresh token is not valid; sign in again",
        )
        .with_field("refresh_token")),
    }
}

// ---- devices --------------------------------------------------------------------------------

async fn record_audit(state: &AppState, c: &Claims, action: &str, detail: String) {
    let entry = AuditEntry {
        id: 0,
        account_id: c.account_id,
        device_id: Some(c.device_id),
        action: action.to_owned(),
        detail,
        at: state.now(),
    };
    // A failed audit write must not hide data the caller may read, but it must be noticed.
    if let Err(e) = state.inner.storage.append_audit(&entry).await {
        eprintln!("satchel-hub: audit log write failed: {e}");
    }
}

async fn list_devices(
    State(state): State<AppState>,
    Caller(c): Caller,
) -> Result<Json<proto::DeviceList>, ApiError> {
    let devices = state.inner.storage.list_devices(c.account_id).await?;
    record_audit(
        &state,
        &c,
        "devices.list",
        format!("count={}", devices.len()),
    )
    .await;
    Ok(Json(proto::DeviceList {
        devices: devices
            .into_iter()
            .map(|d| proto::DeviceInfo {
                current: d.device_id == c.device_id,
                device_id: d.device_id,
                label: d.label,
                created_at: d.created_at,
                revoked_at: d.revoked_at,
            })
            .collect(),
    }))
}

async fn register_device(
    State(state): State<AppState>,
    Caller(c): Caller,
    ApiJson(req): ApiJson<proto::RegisterDeviceRequest>,
) -> Result<(StatusCode, Json<proto::DeviceInfo>), ApiError> {
    check_label(&req.device_label)?;
    let secret_hash = check_secret(&req.device_secret)?;
    let d = NewDevice {
        device_id: Uuid::now_v7(),
        label: req.device_label,
        secret_hash,
        created_at: state.now(),
    };
    state.inner.storage.add_device(c.account_id, &d).await?;
    Ok((
        StatusCode::CREATED,
        Json(proto::DeviceInfo {
            device_id: d.device_id,
            label: d.label,
            created_at: d.created_at,
            revoked_at: None,
            current: false,
        }),
    ))
}

fn path_uuid(raw: &str, field: &str) -> Result<Uuid, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::invalid(field, format!("{field} must be a UUID")))
}

async fn revoke_device(
    State(state): State<AppState>,
    Caller(c): Caller,
    Path(device_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let device_id = path_uuid(&device_id, "device_id")?;
    if state
        .inner
        .storage
        .revoke_device(c.account_id, device_id, state.now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("device in this account"))
    }
}

// ---- records --------------------------------------------------------------------------------

async fn upload(
    State(state): State<AppState>,
    Caller(c): Caller,
    ApiJson(req): ApiJson<proto::UploadRequest>,
) -> Result<Json<proto::UploadResponse>, ApiError> {
    let limits = &state.inner.config.limits;
    if req.records.len() > limits.max_batch_records {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::TOO_LARGE,
            format!(
                "an upload holds at most {} records; split it",
                limits.max_batch_records
            ),
        )
        .with_field("records"));
    }
    for (i, r) in req.records.iter().enumerate() {
        check_record(i, r, limits.max_record_bytes)?;
    }
    let batch = UploadBatch {
        upload_id: req.upload_id,
        digest: upload_digest(&req.records),
        records: req
            .records
            .into_iter()
            .map(|r| NewRecord {
                record_id: r.record_id,
                entity: r.entity,
                version: r.version,
                ciphertext: r.ciphertext.0,
            })
            .collect(),
    };
    let q = &state.inner.config.quota;
    let quota = Quota {
        max_records: q.max_records,
        max_bytes: q.max_bytes,
    };
    let outcome = state
        .inner
        .storage
        .upload(c.account_id, c.device_id, &batch, quota, state.now())
        .await?;
    let answer = |r: UploadResult, replayed: bool| {
        Json(proto::UploadResponse {
            upload_id: batch.upload_id,
            stored: r.stored,
            duplicates: r.duplicates,
            last_seq: r.last_seq,
            replayed,
        })
    };
    match outcome {
        UploadOutcome::Stored(r) => Ok(answer(r, false)),
        UploadOutcome::Replayed(r) => Ok(answer(r, true)),
        UploadOutcome::DigestMismatch => Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::CONFLICT,
            "this upload_id was used before for different records; use a new upload_id",
        )
        .with_field("upload_id")),
        UploadOutcome::QuotaExceeded {
            kind,
            limit,
            would_be,
        } => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::QUOTA_EXCEEDED,
            format!(
                "the account may hold {limit} {} at most; this upload would make it {would_be}. \
                 Nothing was stored.",
                kind.as_str()
            ),
        )
        .with_field("records")),
    }
}

async fn download(
    State(state): State<AppState>,
    Caller(c): Caller,
    ApiQuery(q): ApiQuery<proto::DownloadQuery>,
) -> Result<Json<proto::DownloadResponse>, ApiError> {
    let limits = &state.inner.config.limits;
    if q.after < 0 {
        return Err(ApiError::invalid("after", "after must be 0 or more"));
    }
    let limit = q
        .limit
        .unwrap_or(limits.default_page_size)
        .clamp(1, limits.max_page_size);
    // One more than asked, to know whether another page follows without a second query.
    let mut records = state
        .inner
        .storage
        .download(c.account_id, q.after, limit + 1)
        .await?;
    let has_more = records.len() > limit as usize;
    records.truncate(limit as usize);
    let next_cursor = records.last().map_or(q.after, |r| r.seq);
    record_audit(
        &state,
        &c,
        "records.download",
        format!("after={} count={}", q.after, records.len()),
    )
    .await;
    Ok(Json(proto::DownloadResponse {
        records: records
            .into_iter()
            .map(|r| proto::RecordDownload {
                seq: r.seq,
                record_id: r.record_id,
                entity: r.entity,
                version: r.version,
                ciphertext: proto::Bytes(r.ciphertext),
            })
            .collect(),
        next_cursor,
        has_more,
        limit,
    }))
}

async fn purge_record(
    State(state): State<AppState>,
    Caller(c): Caller,
    Path((entity, record_id)): Path<(String, String)>,
) -> Result<Json<proto::PurgeResponse>, ApiError> {
    let removed = state
        .inner
        .storage
        .purge_record(c.account_id, &entity, &record_id)
        .await?;
    record_audit(&state, &c, "records.purge", format!("removed={removed}")).await;
    Ok(Json(proto::PurgeResponse { removed }))
}

async fn usage(
    State(state): State<AppState>,
    Caller(c): Caller,
) -> Result<Json<proto::UsageResponse>, ApiError> {
    let u = state.inner.storage.usage(c.account_id).await?;
    let q = &state.inner.config.quota;
    Ok(Json(proto::UsageResponse {
        records: u.records,
        bytes: u.bytes,
        max_records: q.max_records,
        max_bytes: q.max_bytes,
    }))
}

#[derive(Debug, serde::Deserialize)]
struct AuditQuery {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    limit: Option<u32>,
}

async fn audit(
    State(state): State<AppState>,
    Caller(c): Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<proto::AuditResponse>, ApiError> {
    let limits = &state.inner.config.limits;
    let limit = q
        .limit
        .unwrap_or(limits.default_page_size)
        .clamp(1, limits.max_page_size);
    let mut entries = state
        .inner
        .storage
        .list_audit(c.account_id, q.after, limit + 1)
        .await?;
    let has_more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    let next_cursor = entries.last().map_or(q.after, |e| e.id);
    record_audit(&state, &c, "audit.list", format!("count={}", entries.len())).await;
    Ok(Json(proto::AuditResponse {
        entries: entries
            .into_iter()
            .map(|e| proto::AuditEntryDto {
                id: e.id,
                device_id: e.device_id,
                action: e.action,
                detail: e.detail,
                at: e.at,
            })
            .collect(),
        next_cursor,
        has_more,
    }))
}

// ---- pairing --------------------------------------------------------------------------------

fn check_lookup_id(id: &str) -> Result<(), ApiError> {
    if !(16..=128).contains(&id.len())
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::invalid(
            "lookup_id",
            "lookup_id must be 16 to 128 characters of A-Z, a-z, 0-9, - and _",
        ));
    }
    Ok(())
}

async fn put_pairing(
    State(state): State<AppState>,
    Caller(c): Caller,
    ApiJson(req): ApiJson<proto::PairingPut>,
) -> Result<(StatusCode, Json<proto::PairingPutResponse>), ApiError> {
    check_lookup_id(&req.lookup_id)?;
    let limits = &state.inner.config.limits;
    if req.blob.0.is_empty() || req.blob.0.len() > limits.max_record_bytes {
        return Err(ApiError::invalid(
            "blob",
            format!("blob must be 1 to {} bytes", limits.max_record_bytes),
        ));
    }
    let max = limits.max_pairing_ttl_secs;
    let ttl = req.ttl_secs.unwrap_or(max.min(300)).clamp(1, max);
    let now = state.now();
    let expires_at = now + Duration::seconds(i64::from(ttl));
    let slot = PairingSlot {
        lookup_id: req.lookup_id,
        account_id: c.account_id,
        blob: req.blob.0,
        created_at: now,
        expires_at,
    };
    if !state.inner.storage.put_pairing(&slot, now).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::CONFLICT,
            "a pairing slot with this lookup_id is waiting; make a new code",
        )
        .with_field("lookup_id"));
    }
    Ok((
        StatusCode::CREATED,
        Json(proto::PairingPutResponse { expires_at }),
    ))
}

/// Deliberately unauthenticated: the new device has no credential yet; the blob is the
/// credential, encrypted with a key only the code's holder can derive. It can be taken once.
async fn take_pairing(
    State(state): State<AppState>,
    Path(lookup_id): Path<String>,
) -> Result<Json<proto::PairingGetResponse>, ApiError> {
    check_lookup_id(&lookup_id)?;
    let now = state.now();
    let (account_id, blob) = state
        .inner
        .storage
        .take_pairing(&lookup_id, now)
        .await?
        .ok_or_else(|| ApiError::not_found("pairing slot (it may have expired or been used)"))?;
    let entry = AuditEntry {
        id: 0,
        account_id,
        device_id: None,
        action: "pairing.take".into(),
        detail: String::new(),
        at: now,
    };
    if let Err(e) = state.inner.storage.append_audit(&entry).await {
        eprintln!("satchel-hub: audit log write failed: {e}");
    }
    Ok(Json(proto::PairingGetResponse {
        blob: proto::Bytes(blob),
    }))
}

// ---- recovery -------------------------------------------------------------------------------

fn check_lookup(lookup: &str) -> Result<(), ApiError> {
    if !satchel_crypto::recovery::is_lookup(lookup) {
        return Err(ApiError::invalid(
            "lookup",
            "lookup must be 64 lowercase hex characters",
        ));
    }
    Ok(())
}

/// A device's registration, checked for shape only: the hub cannot tell a lookup made from a
/// real key from any other, and needs not.
pub(crate) fn check_registration(
    r: &proto::RecoveryRegistration,
) -> Result<RecoveryVerifier, ApiError> {
    check_lookup(&r.lookup).map_err(|e| e.with_field("recovery.lookup"))?;
    let verifier = hash_from_bytes(&r.verifier.0).ok_or_else(|| {
        ApiError::invalid("recovery.verifier", "verifier must be 32 bytes (base64)")
    })?;
    Ok(RecoveryVerifier {
        lookup: r.lookup.clone(),
        verifier,
    })
}

/// `PUT /v0/accounts/recovery`: a signed-in device registers (or replaces) its account's
/// verifier, so accounts made before recovery existed can add one.
async fn set_recovery(
    State(state): State<AppState>,
    Caller(c): Caller,
    ApiJson(req): ApiJson<proto::RecoveryRegistration>,
) -> Result<StatusCode, ApiError> {
    let r = check_registration(&req).map_err(|mut e| {
        // The body is the registration itself, so its fields have no `recovery.` prefix.
        e.field = e
            .field
            .map(|f| f.trim_start_matches("recovery.").to_owned());
        e
    })?;
    state
        .inner
        .storage
        .set_recovery(c.account_id, &r, state.now())
        .await?;
    record_audit(&state, &c, "recovery.set", String::new()).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v0/accounts/recover`, deliberately unauthenticated: every device may be lost, so the
/// proof derived from the phrase is the credential. An unknown lookup and a wrong proof are
/// one refusal, reached the same way (the verifier comparison runs against a stand-in when the
/// lookup is unknown, in constant time either way), so the route does not tell a prober which
/// lookups exist. The per-address rate limit applies, as to every route.
async fn recover(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<proto::RecoverRequest>,
) -> Result<(StatusCode, Json<proto::CreateAccountResponse>), ApiError> {
    use satchel_crypto::recovery::{verifier, RecoveryProof};
    check_label(&req.device_label)?;
    let secret_hash = check_secret(&req.device_secret)?;
    check_lookup(&req.lookup)?;
    let proof: [u8; 32] = req
        .proof
        .0
         .0
        .as_slice()
        .try_into()
        .map_err(|_| ApiError::invalid("proof", "proof must be 32 bytes (base64)"))?;
    let presented = verifier(&RecoveryProof::from_bytes(proof));
    let found = state.inner.storage.recovery(&req.lookup).await?;
    let (account_id, stored) = match found {
        Some((account_id, stored)) => (Some(account_id), stored),
        None => (None, [0u8; 32]),
    };
    let matches = auth::same_hash(&presented, &stored);
    let account_id = match account_id {
        Some(a) if matches => a,
        _ => return Err(ApiError::not_found("account for this recovery phrase")),
    };
    let now = state.now();
    let device = NewDevice {
        device_id: Uuid::now_v7(),
        label: req.device_label,
        secret_hash,
        created_at: now,
    };
    state.inner.storage.add_device(account_id, &device).await?;
    let entry = AuditEntry {
        id: 0,
        account_id,
        device_id: Some(device.device_id),
        action: "account.recover".into(),
        detail: String::new(),
        at: now,
    };
    if let Err(e) = state.inner.storage.append_audit(&entry).await {
        eprintln!("satchel-hub: audit log write failed: {e}");
    }
    let tokens = start_session(&state, account_id, device.device_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(proto::CreateAccountResponse {
            account_id,
            device_id: device.device_id,
            tokens,
        }),
    ))
}
