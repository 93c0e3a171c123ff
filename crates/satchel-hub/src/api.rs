//! The v0 routes. Each handler is short: check the request, call the storage with the
//! caller's account id (taken only from the verified token, never from the request), answer.
//! Reads are written to the audit log.
//!
//! The layers around the routes keep the hub available to honest devices when others abuse
//! it (issue #18): a token bucket per client network, a request timeout, a cap on requests
//! handled at once, and a body limit per route (a few KiB everywhere but record upload).

use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use axum::body::{Body, HttpBody as _};
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State,
};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use satchel_hub_core::*;
use satchel_sync_proto::{self as proto, codes, paths};
use uuid::Uuid;

use crate::auth::{self, Claims, Signer, TokenError};
use crate::config::{HubConfig, Limits};
use crate::error::{limit_codes, ApiError};
use crate::rate::{client_net, RateLimiter};

/// The header that carries an invite code to `POST /v0/accounts` on an invite-only hub. A
/// header rather than a body field, so the v0 request body stays as it is, and rather than a
/// query parameter, which proxies write to their logs.
pub const INVITE_HEADER: &str = "satchel-invite";

/// How much of a refused body the hub reads and drops before answering 413 (see
/// [`drain`]).
const DRAIN_BYTES: usize = 1 << 20;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub storage: Arc<dyn HubStorage>,
    pub config: HubConfig,
    pub signer: Signer,
    /// Keyed by [`client_net`]: an IPv4 address or an IPv6 /64.
    pub per_ip: RateLimiter<IpAddr>,
    pub per_device: RateLimiter<Uuid>,
    pub per_account: RateLimiter<Uuid>,
    /// Account creations per client network, refilled over a day.
    pub new_accounts: RateLimiter<IpAddr>,
    /// SHA-256 of each configured invite code, so a comparison takes the same time whatever
    /// the presented code has in common with a real one.
    pub invite_hashes: Vec<[u8; 32]>,
    pub budget: StorageBudget,
}

/// The hub-wide total of stored ciphertext bytes that `quota.max_total_bytes` is checked
/// against. Summing every account on every upload would cost a pass over the accounts each
/// time, so the total is read from storage when it is older than `quota.total_refresh_secs`
/// and raised by each accepted upload in between (a purge is seen at the next read): it errs
/// on the side of refusing.
#[derive(Debug, Default)]
pub(crate) struct StorageBudget {
    bytes: AtomicU64,
    read_at: Mutex<Option<Instant>>,
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
        let (account_burst, account_per_sec) = r.account_bucket();
        let per_day = config.accounts.per_network_per_day;
        let invite_hashes = config
            .accounts
            .invite_codes
            .iter()
            .map(|c| auth::sha256(c.expose().trim().as_bytes()))
            .collect();
        AppState {
            inner: Arc::new(Inner {
                per_ip: RateLimiter::new(r.per_ip_burst, r.per_ip_per_sec),
                per_device: RateLimiter::new(r.per_device_burst, r.per_device_per_sec),
                per_account: RateLimiter::new(account_burst, account_per_sec),
                new_accounts: RateLimiter::new(per_day, f64::from(per_day) / 86_400.0),
                invite_hashes,
                budget: StorageBudget::default(),
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
    let server = &state.inner.config.server;
    let in_flight = server.max_in_flight as usize;
    let request_timeout = StdDuration::from_millis(server.request_timeout_ms);
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
        .route(paths::PAIRING_SLOT, get(take_pairing).delete(drop_pairing))
        .route(
            paths::PAIRING_ANSWER,
            get(read_pairing_answer).post(answer_pairing),
        )
        .route(paths::RECOVER, post(recover))
        .route(paths::RECOVERY, put(set_recovery))
        .route(paths::KEYS, get(key_state).post(rotate_key))
        .route(paths::KEY_GRANTS, post(add_grants))
        .route(paths::DEVICE_KEY, put(set_device_key))
        .fallback(|| async { ApiError::not_found("route") })
        // The last layer added runs first: the per-network bucket, then the timeout (answered
        // as JSON), then a turn among `max_in_flight`, then the route's body limit. (tower
        // takes the turn while the stack gets ready, so waiting for it is not timed.)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_body,
        ))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(in_flight))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            request_timeout,
        ))
        .layer(axum::middleware::map_response(explain_timeout))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_per_ip,
        ))
        .with_state(state)
}

/// The client's address: the connection's peer, or with `trust_forwarded_for` the last
/// X-Forwarded-For entry (the one the hub's own proxy appended; earlier entries are whatever
/// the client wrote). Plain values in, so tests can check it without a socket.
pub fn client_ip(
    trust_forwarded_for: bool,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> IpAddr {
    if trust_forwarded_for {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer.map(|p| p.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

fn request_net(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> IpAddr {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    client_net(client_ip(
        state.inner.config.trust_forwarded_for,
        headers,
        peer,
    ))
}

/// Every request, known route or not, costs its network (address, or IPv6 /64) one token.
async fn limit_per_ip(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let net = request_net(&state, req.headers(), req.extensions());
    match state.inner.per_ip.check(&net, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => ApiError::rate_limited(wait.as_secs_f64().ceil() as u64).into_response(),
    }
}

/// The caller's network ([`client_net`] of [`client_ip`]), for the limits handlers apply.
#[derive(Debug, Clone, Copy)]
pub struct ClientNet(pub IpAddr);

impl FromRequestParts<AppState> for ClientNet {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientNet(request_net(
            state,
            &parts.headers,
            &parts.extensions,
        )))
    }
}

/// The largest body a route takes. Only record upload needs megabytes; a pairing blob is one
/// record's worth; everything else, the unauthenticated routes included, is a few hundred
/// bytes, so a stranger cannot make the hub read megabytes before it knows who is asking.
pub fn body_limit(limits: &Limits, method: &Method, path: &str) -> usize {
    if *method == Method::POST && path == paths::RECORDS {
        limits.max_body_bytes
    } else if *method == Method::POST && path == paths::PAIRING {
        // The blob travels as base64, inside a small JSON object.
        limits.max_record_bytes.div_ceil(3) * 4 + limits.max_small_body_bytes
    } else {
        limits.max_small_body_bytes
    }
}

/// Sets the route's body limit for the extractors, and refuses at once a body whose declared
/// length is past it. A body sent without a length is cut off at the limit as it is read.
async fn limit_body(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let limit = body_limit(&state.inner.config.limits, req.method(), req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        // A client that asked to hear "100 Continue" first has sent no body: nothing to drain.
        let waits = req
            .headers()
            .get(header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if !waits {
            drain(req.into_body(), DRAIN_BYTES).await;
        }
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::TOO_LARGE,
            format!("the request body is larger than this route takes ({limit} bytes)"),
        )
        .into_response();
    }
    DefaultBodyLimit::max(limit).apply(&mut req);
    next.run(req).await
}

/// Reads and drops up to about `max` bytes of a refused body. A connection closed with unread
/// data in it is reset by the kernel, and the client may lose the answer with it; reading a
/// bounded amount first lets a client that merely sent too much read its 413.
async fn drain(mut body: Body, max: usize) {
    let mut seen = 0usize;
    while seen <= max {
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            Some(Ok(frame)) => seen += frame.data_ref().map_or(0, |d| d.len()),
            _ => break,
        }
    }
}

/// The timeout layer answers a bare 503; give it the error body every refusal has. Handlers
/// never answer 503 themselves, and their answers always carry a content type.
async fn explain_timeout(resp: Response) -> Response {
    if resp.status() == StatusCode::SERVICE_UNAVAILABLE
        && !resp.headers().contains_key(header::CONTENT_TYPE)
    {
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            limit_codes::TIMEOUT,
            "the request took too long (a slow upload, or a busy hub); retry later",
        );
        e.retry_after_secs = Some(1);
        return e.into_response();
    }
    resp
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
        let now = Instant::now();
        if let Err(wait) = state.inner.per_device.check(&claims.device_id, now) {
            return Err(ApiError::rate_limited(wait.as_secs_f64().ceil() as u64));
        }
        // An account's devices share one more bucket, so twenty devices of one account do not
        // get twenty devices' worth of requests.
        if let Err(wait) = state.inner.per_account.check(&claims.account_id, now) {
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
    // 256: devices seal their labels (issue #18, `satchel_crypto::label`: at most 227 chars).
    if n == 0 || n > 256 || label.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "device_label",
            "device_label must be 1 to 256 characters with no control characters",
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

/// Invite-only sign-up: the [`INVITE_HEADER`] must carry one of the configured codes. Every
/// code is compared, as a hash and in constant time, so the timing tells nothing about how
/// near a guess came.
fn check_invite(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if !state.inner.config.accounts.require_invite {
        return Ok(());
    }
    let presented = headers
        .get(INVITE_HEADER)
        .map(|v| auth::sha256(v.as_bytes()));
    let valid = presented.is_some_and(|p| {
        state
            .inner
            .invite_hashes
            .iter()
            .fold(false, |found, h| found | auth::same_hash(&p, h))
    });
    if valid {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            limit_codes::INVITE_REQUIRED,
            format!(
                "this hub creates accounts by invitation only: send the invite code you were \
                 given in the {INVITE_HEADER} header"
            ),
        ))
    }
}

async fn create_account(
    State(state): State<AppState>,
    ClientNet(net): ClientNet,
    headers: HeaderMap,
    ApiJson(req): ApiJson<proto::CreateAccountRequest>,
) -> Result<(StatusCode, Json<proto::CreateAccountResponse>), ApiError> {
    check_label(&req.device_label)?;
    let secret_hash = check_secret(&req.device_secret)?;
    let recovery = req.recovery.as_ref().map(check_registration).transpose()?;
    // A well-formed attempt costs its network one sign-up before the invite code is looked
    // at, so codes cannot be guessed faster than accounts could be made.
    if let Err(wait) = state.inner.new_accounts.check(&net, Instant::now()) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            limit_codes::TOO_MANY_ACCOUNTS,
            "this network has created as many accounts as the hub allows for now; retry after \
             the Retry-After delay",
        );
        e.retry_after_secs = Some((wait.as_secs_f64().ceil() as u64).max(1));
        return Err(e);
    }
    check_invite(&state, &headers)?;
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
    // An unknown device id and a wrong credential are one refusal, reached the same way: the
    // comparison runs against a stand-in hash when the id is unknown (no credential hashes to
    // all zeros), so neither the answer nor its timing tells a prober which ids exist.
    let found = state.inner.storage.device(req.device_id).await?;
    let stored = found.as_ref().map_or([0u8; 32], |d| d.secret_hash);
    let matches = auth::same_hash(&presented, &stored);
    let mut device = match found {
        Some(d) if matches => d,
        _ => return Err(wrong()),
    };
    // A removal that came due while nobody synced takes effect before this device gets in.
    if device.revoked_at.is_none()
        && state
            .inner
            .storage
            .apply_due_revocations(device.account_id, state.now())
            .await?
            > 0
    {
        device = state
            .inner
            .storage
            .device(device.device_id)
            .await?
            .ok_or_else(wrong)?;
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
    let storage = &state.inner.storage;
    storage
        .apply_due_revocations(c.account_id, state.now())
        .await?;
    let devices = storage.list_devices(c.account_id).await?;
    let pending = storage.pending_removals(c.account_id).await?;
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
            .map(|d| {
                let removal = pending.iter().find(|p| p.device_id == d.device_id);
                proto::DeviceInfo {
                    current: d.device_id == c.device_id,
                    device_id: d.device_id,
                    label: d.label,
                    created_at: d.created_at,
                    revoked_at: d.revoked_at,
                    removal_at: removal.map(|p| p.effective_at),
                    removal_asked_by: removal.map(|p| p.asked_by),
                }
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
    let max = state.inner.config.limits.max_devices_per_account;
    if max > 0 {
        // Checked before the insert rather than inside it: two registrations racing can pass
        // the cap by one, which bounds the table just as well.
        let active = state
            .inner
            .storage
            .list_devices(c.account_id)
            .await?
            .iter()
            .filter(|d| d.revoked_at.is_none())
            .count();
        if active >= max as usize {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                limit_codes::TOO_MANY_DEVICES,
                format!(
                    "an account may have {max} devices on this hub; remove one it no longer \
                     uses to add another"
                ),
            ));
        }
    }
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
            removal_at: None,
            removal_asked_by: None,
        }),
    ))
}

fn path_uuid(raw: &str, field: &str) -> Result<Uuid, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::invalid(field, format!("{field} must be a UUID")))
}

/// Whether `a` joined the account before `b` (ids are UUIDv7, so they break a tie in time).
fn joined_before(a: &Device, b: &Device) -> bool {
    (a.created_at, a.device_id) < (b.created_at, b.device_id)
}

/// `DELETE /v0/devices/{id}`. The asking device itself and devices that joined after it go
/// at once (204). A device that joined before it is removed only after
/// `limits.revoke_older_after_secs` (202 with the time), and every device's list shows the
/// request meanwhile: one stolen device cannot shut out the owner's older ones, while the owner
/// can remove the newer device at once, which drops its request. Every removal makes the
/// account's key due for rotation (issue #18).
async fn revoke_device(
    State(state): State<AppState>,
    Caller(c): Caller,
    Path(device_id): Path<String>,
) -> Result<Response, ApiError> {
    let device_id = path_uuid(&device_id, "device_id")?;
    let storage = &state.inner.storage;
    let devices = storage.list_devices(c.account_id).await?;
    let target = devices.iter().find(|d| d.device_id == device_id);
    let asker = devices.iter().find(|d| d.device_id == c.device_id);
    let delay = state.inner.config.limits.revoke_older_after_secs;
    if let (Some(target), Some(asker)) = (target, asker) {
        if target.revoked_at.is_none() && delay > 0 && joined_before(target, asker) {
            // At most a year: a misconfigured delay must not overflow the clock.
            let delay = i64::try_from(delay.min(365 * 86_400)).unwrap_or(0);
            let at = state.now() + Duration::seconds(delay);
            let Some(at) = storage
                .defer_revocation(c.account_id, device_id, c.device_id, at)
                .await?
            else {
                return Err(ApiError::not_found("device in this account"));
            };
            record_audit(&state, &c, "devices.remove_requested", String::new()).await;
            return Ok((
                StatusCode::ACCEPTED,
                Json(proto::RevokeResponse {
                    effective_at: Some(at),
                }),
            )
                .into_response());
        }
    }
    if storage
        .revoke_device(c.account_id, device_id, state.now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
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
    // Nothing goes up under a key a removed device holds (issue #18): not while a removal waits
    // for its rotation, and not under an older epoch. A client too old to say its epoch is
    // taken only while the account has never rotated.
    let keys = state
        .inner
        .storage
        .key_state(c.account_id, c.device_id)
        .await?;
    let stale = match req.key_epoch {
        Some(e) => e != keys.epoch,
        None => keys.epoch > 0,
    };
    if keys.rotation_due || stale {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::KEY_CHANGED,
            "the account has a new key since a device was removed; fetch it and upload again",
        )
        .with_field("key_epoch"));
    }
    let incoming: u64 = req
        .records
        .iter()
        .map(|r| r.ciphertext.0.len() as u64)
        .sum();
    check_budget(&state, incoming).await?;
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
        UploadOutcome::Stored(r) => {
            if r.stored > 0 {
                // Duplicates among them stored nothing; the next read of the total corrects.
                state
                    .inner
                    .budget
                    .bytes
                    .fetch_add(incoming, Ordering::Relaxed);
            }
            Ok(answer(r, false))
        }
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

/// Refuses an upload that would take the hub past `quota.max_total_bytes` (see
/// [`StorageBudget`]). With the hub full, devices keep their data and retry later (507 is a
/// server status, which clients retry).
async fn check_budget(state: &AppState, incoming: u64) -> Result<(), ApiError> {
    let q = &state.inner.config.quota;
    if q.max_total_bytes == 0 {
        return Ok(());
    }
    let budget = &state.inner.budget;
    let refresh = StdDuration::from_secs(q.total_refresh_secs);
    let stale = budget
        .read_at
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_none_or(|at| at.elapsed() >= refresh);
    if stale {
        let total = state.inner.storage.total_usage().await?;
        budget.bytes.store(total.bytes, Ordering::Relaxed);
        *budget.read_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }
    let used = budget.bytes.load(Ordering::Relaxed);
    if used.saturating_add(incoming) > q.max_total_bytes {
        let mut e = ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            limit_codes::STORAGE_FULL,
            "the hub holds as much as its operator allows; nothing was stored, the records \
             stay on this device. Retry later.",
        );
        e.retry_after_secs = Some(q.total_refresh_secs);
        return Err(e.with_field("records"));
    }
    Ok(())
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

/// A SPAKE2 message and a public key are 66 bytes; room for a later version, no more.
const MAX_PAIRING_ANSWER: usize = 256;

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
        answerable: req.answerable,
    };
    // A lookup id that is taken gets the answer a free one gets, and stores nothing: a 409
    // would tell any signed-in prober that a pairing is under way there. Except a typed code's
    // nameplate (issue #18), which is public by design (anyone may answer the offer under it,
    // and the code's secret part never reaches the hub): there the 409 tells the first device
    // to make another code.
    let answerable = slot.answerable;
    if !state.inner.storage.put_pairing(&slot, now).await? && answerable {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::CONFLICT,
            "this pairing lookup id is in use; make another code",
        ));
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
    audit_pairing(&state, account_id, "pairing.take", now).await;
    Ok(Json(proto::PairingGetResponse {
        blob: proto::Bytes(blob),
    }))
}

/// An unauthenticated touch of a slot goes into its owner's audit log; a failed write does
/// not fail the pairing.
async fn audit_pairing(state: &AppState, account_id: Uuid, action: &str, now: DateTime<Utc>) {
    let entry = AuditEntry {
        id: 0,
        account_id,
        device_id: None,
        action: action.into(),
        detail: String::new(),
        at: now,
    };
    if let Err(e) = state.inner.storage.append_audit(&entry).await {
        eprintln!("satchel-hub: audit log write failed: {e}");
    }
}

/// Deliberately unauthenticated, like [`take_pairing`]: the new device's half of a typed
/// code's SPAKE2 exchange (issue #18). One answer per slot: a second one, or one for a slot
/// that is gone, is a 404 and stores nothing. The first device's message comes back.
async fn answer_pairing(
    State(state): State<AppState>,
    Path(lookup_id): Path<String>,
    ApiJson(req): ApiJson<proto::PairingAnswer>,
) -> Result<Json<proto::PairingGetResponse>, ApiError> {
    check_lookup_id(&lookup_id)?;
    if req.blob.0.is_empty() || req.blob.0.len() > MAX_PAIRING_ANSWER {
        return Err(ApiError::invalid(
            "blob",
            format!("an answer is 1 to {MAX_PAIRING_ANSWER} bytes"),
        ));
    }
    let now = state.now();
    let (account_id, blob) = state
        .inner
        .storage
        .answer_pairing(&lookup_id, &req.blob.0, now)
        .await?
        .ok_or_else(|| {
            ApiError::not_found("pairing slot (it may have expired, or been answered already)")
        })?;
    audit_pairing(&state, account_id, "pairing.answer", now).await;
    Ok(Json(proto::PairingGetResponse {
        blob: proto::Bytes(blob),
    }))
}

/// Drops a slot the caller's account parked: a device that joined by the QR code takes the
/// typed code's offer away, so nobody can answer it. 404 for any other slot.
async fn drop_pairing(
    State(state): State<AppState>,
    Caller(c): Caller,
    Path(lookup_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    check_lookup_id(&lookup_id)?;
    if state
        .inner
        .storage
        .drop_pairing(c.account_id, &lookup_id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("pairing slot"))
    }
}

/// The answer left in a slot the caller's account parked, once there is one (404 until then).
async fn read_pairing_answer(
    State(state): State<AppState>,
    Caller(c): Caller,
    Path(lookup_id): Path<String>,
) -> Result<Json<proto::PairingGetResponse>, ApiError> {
    check_lookup_id(&lookup_id)?;
    let answer = state
        .inner
        .storage
        .pairing_answer(c.account_id, &lookup_id, state.now())
        .await?
        .ok_or_else(|| ApiError::not_found("pairing answer (none yet, or the slot expired)"))?;
    Ok(Json(proto::PairingGetResponse {
        blob: proto::Bytes(answer),
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
    let storage = &state.inner.storage;
    // Once set, the verifier changes only with the key (`POST /v0/keys`, which must reach every
    // device): a stolen device must not swap the owner's phrase for its own. Repeating the
    // registration of the verifier already set is harmless.
    if storage
        .key_state(c.account_id, c.device_id)
        .await?
        .recovery_set
        && storage
            .recovery(&r.lookup)
            .await?
            .is_none_or(|(account, v)| account != c.account_id || v != r.verifier)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            limit_codes::RECOVERY_SET,
            "this account's recovery phrase is set; it changes only when the account key does \
             (removing a device)",
        ));
    }
    storage.set_recovery(c.account_id, &r, state.now()).await?;
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
    // Not held to `limits.max_devices_per_account`: recovery is how an owner whose devices are
    // all lost (and still listed) gets back in, and only the phrase's holder gets this far.
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

// ---- key rotation (issue #18) ---------------------------------------------------------------

const PUBLIC_KEY_LEN: usize = 32;
const KEY_TAG_LEN: usize = 32;
/// A grant is a version byte, an ephemeral public key, a nonce and a sealed 32-byte key
/// (`satchel_crypto::rotation`); the hub checks the length only.
const GRANT_LEN: usize = 1 + 32 + 24 + 32 + 16;

fn check_device_key(k: &proto::DeviceKeyDto) -> Result<DeviceKey, ApiError> {
    if k.public_key.0.len() != PUBLIC_KEY_LEN {
        return Err(ApiError::invalid(
            "public_key",
            "public_key must be 32 bytes (base64)",
        ));
    }
    if k.tag.0.len() != KEY_TAG_LEN {
        return Err(ApiError::invalid("tag", "tag must be 32 bytes (base64)"));
    }
    Ok(DeviceKey {
        public_key: k.public_key.0.clone(),
        tag: k.tag.0.clone(),
    })
}

fn check_grants(grants: &[proto::KeyGrantDto], max: usize) -> Result<Vec<KeyGrant>, ApiError> {
    if grants.len() > max {
        return Err(ApiError::invalid(
            "grants",
            format!("at most {max} grants, one per device"),
        ));
    }
    grants
        .iter()
        .enumerate()
        .map(|(i, g)| {
            if g.grant.0.len() != GRANT_LEN {
                return Err(ApiError::invalid(
                    format!("grants[{i}].grant"),
                    format!("a grant is {GRANT_LEN} bytes (base64)"),
                ));
            }
            Ok(KeyGrant {
                device_id: g.device_id,
                blob: g.grant.0.clone(),
            })
        })
        .collect()
}

fn max_grants(state: &AppState) -> usize {
    // Recovery may add devices past the cap, so allow some headroom over it; the body limit
    // bounds the request anyway.
    (state.inner.config.limits.max_devices_per_account as usize).max(20) * 2
}

/// `PUT /v0/devices/key`: the calling device registers its own public key, or a new one when
/// its keychain lost the secret (which drops its grants: they were sealed to the old key). Only
/// the device's own token can, so only the device (or whoever holds it, who has its keys
/// anyway) changes what its grants are sealed to.
async fn set_device_key(
    State(state): State<AppState>,
    Caller(c): Caller,
    ApiJson(req): ApiJson<proto::DeviceKeyDto>,
) -> Result<StatusCode, ApiError> {
    let key = check_device_key(&req)?;
    if state
        .inner
        .storage
        .set_device_key(c.account_id, c.device_id, &key)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("live device in this account"))
    }
}

/// `GET /v0/keys`: what a device needs to follow key rotations.
async fn key_state(
    State(state): State<AppState>,
    Caller(c): Caller,
) -> Result<Json<proto::KeyStateResponse>, ApiError> {
    let storage = &state.inner.storage;
    storage
        .apply_due_revocations(c.account_id, state.now())
        .await?;
    let k = storage.key_state(c.account_id, c.device_id).await?;
    Ok(Json(proto::KeyStateResponse {
        rotation_due: k.rotation_due,
        epoch: k.epoch,
        keyring: k.keyring.map(proto::Bytes),
        grant: k.grant.map(proto::Bytes),
        devices: k
            .devices
            .into_iter()
            .map(|d| proto::DeviceKeyEntry {
                device_id: d.device_id,
                key: d.key.map(|k| proto::DeviceKeyDto {
                    public_key: proto::Bytes(k.public_key),
                    tag: proto::Bytes(k.tag),
                }),
                granted: d.granted,
            })
            .collect(),
    }))
}

/// `POST /v0/keys`: moves the account to a new key. Every live device that registered a key
/// must get a grant, so a rotation cannot quietly shut a device out: only revoking does that.
async fn rotate_key(
    State(state): State<AppState>,
    Caller(c): Caller,
    ApiJson(req): ApiJson<proto::RotateKeyRequest>,
) -> Result<StatusCode, ApiError> {
    if req.epoch < 1 {
        return Err(ApiError::invalid("epoch", "epoch must be 1 or more"));
    }
    if req.keyring.0.len() < 1 + 24 + 16 {
        return Err(ApiError::invalid("keyring", "keyring is too short"));
    }
    let grants = check_grants(&req.grants, max_grants(&state))?;
    let recovery = req.recovery.as_ref().map(check_registration).transpose()?;
    let current = state
        .inner
        .storage
        .key_state(c.account_id, c.device_id)
        .await?;
    // A device that holds the current key must get the new one: a rotation cannot shut out
    // a device that has the key; only removing it does. (A device never granted the current
    // key, such as one whose key no device vouches for, is not owed one.)
    if let Some(missing) = current
        .devices
        .iter()
        .find(|d| d.granted && !grants.iter().any(|g| g.device_id == d.device_id))
    {
        return Err(ApiError::invalid(
            "grants",
            format!(
                "device {} holds the current key and no grant: a new key must reach every \
                 device that stays",
                missing.device_id
            ),
        ));
    }
    // The old verifier is derived from a key the removed device holds: it must go.
    if current.recovery_set && recovery.is_none() {
        return Err(ApiError::invalid(
            "recovery",
            "the account has a recovery phrase: a new key needs the new phrase's verifier",
        ));
    }
    let rotation = KeyRotation {
        epoch: req.epoch,
        keyring: req.keyring.0,
        grants,
        recovery,
    };
    if !state
        .inner
        .storage
        .rotate_key(c.account_id, &rotation, state.now())
        .await?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::CONFLICT,
            format!(
                "the account is not at key epoch {}, or no device was removed since its key \
                 last changed",
                req.epoch - 1
            ),
        ));
    }
    record_audit(&state, &c, "keys.rotate", format!("epoch={}", req.epoch)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v0/keys/grants`: grants for devices that registered their key after the rotation.
async fn add_grants(
    State(state): State<AppState>,
    Caller(c): Caller,
    ApiJson(req): ApiJson<proto::AddGrantsRequest>,
) -> Result<Json<proto::AddGrantsResponse>, ApiError> {
    let grants = check_grants(&req.grants, max_grants(&state))?;
    let stored = state
        .inner
        .storage
        .add_grants(c.account_id, req.epoch, &grants, state.now())
        .await?;
    Ok(Json(proto::AddGrantsResponse { stored }))
}
