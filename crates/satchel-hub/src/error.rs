//! Every refusal the hub sends: a status, a stable code, a message that names the field at
//! fault, and never a value from the request (it could be someone's name).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use satchel_hub_core::StorageError;
use satchel_sync_proto::{codes, ErrorBody};

/// Codes of the refusals that keep the hub available under abuse (issue #18). They travel in
/// `ErrorBody::code` like those of `satchel_sync_proto::codes` and are as stable; a client that
/// does not know one still acts on the status (5xx and 429 are worth a retry later, the rest
/// are not).
pub mod limit_codes {
    /// 403: the account has `limits.max_devices_per_account` devices already.
    pub const TOO_MANY_DEVICES: &str = "too_many_devices";
    /// 429 with Retry-After: the client's network created its share of accounts for now.
    pub const TOO_MANY_ACCOUNTS: &str = "too_many_accounts";
    /// 403: the hub is invite-only and the request carried no valid `Satchel-Invite` header.
    pub const INVITE_REQUIRED: &str = "invite_required";
    /// 507: the hub holds `quota.max_total_bytes` of ciphertext already.
    pub const STORAGE_FULL: &str = "storage_full";
    /// 503: the request took longer than `server.request_timeout_ms`.
    pub const TIMEOUT: &str = "timeout";
    /// `PUT /v0/accounts/recovery` on an account whose verifier is set (issue #18).
    pub const RECOVERY_SET: &str = "recovery_set";
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, codes::INVALID, message);
        e.field = Some(field.into());
        e
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!("no such {what}"),
        )
    }

    pub fn rate_limited(retry_after_secs: u64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            codes::RATE_LIMITED,
            "too many requests; slow down and retry after the Retry-After delay",
        );
        e.retry_after_secs = Some(retry_after_secs.max(1));
        e
    }

    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> ApiError {
        match e {
            StorageError::Conflict(what) => ApiError::new(
                StatusCode::CONFLICT,
                codes::CONFLICT,
                format!("{what} already exists"),
            ),
            StorageError::NoAccount => ApiError::unauthorized(
                codes::UNAUTHORIZED,
                "the account of this token no longer exists",
            ),
            StorageError::Backend(m) => {
                // Driver messages carry no request data; the client gets none of it anyway.
                eprintln!("satchel-hub: storage error: {m}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    codes::INTERNAL,
                    "the hub's storage failed; retry later",
                )
            }
        }
    }
}

/// serde's messages quote the offending value (`invalid type: string "Chan Tai Man"`); keep
/// the shape of the message and drop whatever was quoted.
pub fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '"' | '`' => {
                if !quoted {
                    out.push('…');
                }
                quoted = !quoted;
            }
            _ if !quoted => out.push(c),
            _ => {}
        }
    }
    out
}

/// Splits axum's "…: records[0].ciphertext: not valid base64 at line 1 column 9" into the
/// field path and the reason.
fn field_and_reason(text: &str) -> (Option<String>, String) {
    let detail = text.split_once("target type: ").map_or(text, |(_, d)| d);
    match detail.split_once(": ") {
        Some((path, reason))
            if !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._[]".contains(c)) =>
        {
            (Some(path.to_owned()), scrub(reason))
        }
        _ => (None, scrub(detail)),
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        let status = r.status();
        let (field, reason) = field_and_reason(&r.body_text());
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            codes::TOO_LARGE
        } else {
            codes::INVALID
        };
        let mut e = ApiError::new(
            if status.is_client_error() {
                status
            } else {
                StatusCode::BAD_REQUEST
            },
            code,
            format!("the request body was refused: {reason}"),
        );
        e.field = field;
        e
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        let (field, reason) = field_and_reason(&r.body_text());
        let mut e = ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID,
            format!("the query string was refused: {reason}"),
        );
        e.field = field;
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_owned(),
            message: self.message,
            field: self.field,
        };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after_secs {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_never_reach_the_client() {
        let (field, reason) = field_and_reason(
            "Failed to deserialize the JSON body into the target type: device_label: \
             invalid type: string \"Chan Tai Man\", expected u32 at line 1 column 30",
        );
        assert_eq!(field.as_deref(), Some("device_label"));
        assert!(!reason.contains("Chan"), "{reason}");
        assert!(reason.contains("invalid type: string …"), "{reason}");
    }
}
