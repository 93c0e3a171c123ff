//! The simulator's REST tracking API (domain.md §10.6): tokens that expire, and a refusal
//! (HTTP 429) for any request less than `min_interval` after the previous one with the same
//! token. Body shapes are satchel-ecship's GUESSes (`satchel_ecship::rest`).

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::Rng;
use satchel_core::s10::ItemNumber;
use satchel_ecship::rest::{
    AuthRequest, AuthResponse, RestEvent, TrackedItem, TrackingRequest, TrackingResponse,
    TOKEN_HEADER,
};

use crate::soap::{script, SCRIPT};
use crate::{AppState, RestToken};

async fn latency(st: &AppState) {
    let ms = st.lock().faults.latency_ms;
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

pub(crate) async fn authenticate(
    State(st): State<AppState>,
    Json(req): Json<AuthRequest>,
) -> Response {
    latency(&st).await;
    let mut g = st.lock();
    g.stats.rest_requests += 1;
    if st.cfg_accounts.get(&req.username) != Some(&req.password) {
        g.stats.unauthorized += 1;
        return (
            StatusCode::UNAUTHORIZED,
            "ecship-simulator: unknown username or key\n",
        )
            .into_response();
    }
    let bytes: [u8; 16] = g.rng.random();
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    g.tokens.insert(
        token.clone(),
        RestToken {
            expires: Instant::now() + st.token_lifetime,
            last: None,
        },
    );
    g.stats.tokens_issued += 1;
    Json(AuthResponse {
        token,
        expires_in: Some(st.token_lifetime.as_secs()),
    })
    .into_response()
}

pub(crate) async fn mail_tracking(
    State(st): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<TrackingRequest>,
) -> Response {
    latency(&st).await;
    let now = Instant::now();
    let mut g = st.lock();
    g.stats.rest_requests += 1;
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    let Some(t) = g.tokens.get_mut(&token).filter(|t| t.expires > now) else {
        g.stats.unauthorized += 1;
        return (
            StatusCode::UNAUTHORIZED,
            "ecship-simulator: token missing or expired\n",
        )
            .into_response();
    };
    let too_soon = t
        .last
        .is_some_and(|l| now.duration_since(l) < st.min_interval);
    t.last = Some(now);
    if too_soon {
        g.stats.rate_limited += 1;
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "ecship-simulator: more than one request per 100 ms\n",
        )
            .into_response();
    }
    let items = req
        .item_nos
        .iter()
        .map(|n| {
            let found = ItemNumber::parse(n)
                .ok()
                .and_then(|i| g.orders.iter().find(|o| o.item_no == i));
            match found {
                Some(o) => TrackedItem {
                    item_no: o.item_no.as_str().to_owned(),
                    status: "found".into(),
                    events: script(st.tracking_step, o.created, o.created_at)
                        .into_iter()
                        .map(|(at, k)| RestEvent {
                            date_time: at,
                            status: SCRIPT[k].0.into(),
                            description: SCRIPT[k].2.into(),
                            location: "Hong Kong".into(),
                        })
                        .collect(),
                },
                None => TrackedItem {
                    item_no: n.clone(),
                    status: "not found".into(),
                    events: Vec::new(),
                },
            }
        })
        .collect();
    Json(TrackingResponse { items }).into_response()
}
