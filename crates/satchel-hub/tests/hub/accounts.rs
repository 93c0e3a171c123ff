//! Accounts, devices and tokens: what a merchant's devices go through to sign in, and what
//! happens to a lost phone once it is removed.

use reqwest::{Method, StatusCode};
use satchel_sync_proto as proto;
use serde_json::json;
use uuid::Uuid;

use crate::common::*;

#[tokio::test]
async fn a_device_signs_in_with_its_credential_and_nothing_else() {
    let t = sqlite_hub(relaxed()).await;
    let d = t.create_account().await;
    let again = t.login(d.account_id, d.device_id, d.secret.clone()).await;
    assert_ne!(again.access, d.access);

    let mut wrong = d.secret.clone();
    wrong[0] ^= 1;
    let r = t
        .call(
            Method::POST,
            "/v0/auth/login",
            None,
            Some(json!({ "device_id": d.device_id, "device_secret": b64(&wrong) })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthorized");

    let r = t.call(Method::GET, "/v0/devices", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t
        .call(Method::GET, "/v0/devices", Some("v0.e30.AAAA"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = t
        .call(Method::GET, "/v0/devices", Some(&d.access), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let list: proto::DeviceList = r.json();
    assert_eq!(list.devices.len(), 1);
    assert!(list.devices[0].current);
    assert_eq!(list.devices[0].label, "shop laptop");
}

#[tokio::test]
async fn a_short_device_secret_is_refused_naming_the_field() {
    let t = sqlite_hub(relaxed()).await;
    let r = t
        .call(
            Method::POST,
            "/v0/accounts",
            None,
            Some(json!({ "device_label": "x", "device_secret": b64(b"too short") })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["field"], "device_secret");
    let r = t
        .call(
            Method::POST,
            "/v0/accounts",
            None,
            Some(json!({ "device_label": "x", "device_secret": "***not base64***" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["field"], "device_secret", "{}", r.body);
}

#[tokio::test]
async fn a_revoked_device_is_refused_at_once() {
    let t = sqlite_hub(relaxed()).await;
    let laptop = t.create_account().await;
    let phone = t.add_device(&laptop).await;
    let r = t
        .call(Method::GET, "/v0/records", Some(&phone.access), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let r = t
        .call(
            Method::DELETE,
            &format!("/v0/devices/{}", phone.device_id),
            Some(&laptop.access),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // The phone's access token has minutes left, and still stops working now.
    let r = t
        .call(Method::GET, "/v0/records", Some(&phone.access), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "device_revoked");
    let r = t
        .call(
            Method::POST,
            "/v0/auth/refresh",
            None,
            Some(json!({ "refresh_token": phone.refresh })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t
        .call(
            Method::POST,
            "/v0/auth/login",
            None,
            Some(json!({ "device_id": phone.device_id, "device_secret": b64(&phone.secret) })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "device_revoked");

    // The laptop is unaffected and sees the phone as revoked.
    let r = t
        .call(Method::GET, "/v0/devices", Some(&laptop.access), None)
        .await;
    let list: proto::DeviceList = r.json();
    let p = list
        .devices
        .iter()
        .find(|d| d.device_id == phone.device_id)
        .unwrap();
    assert!(p.revoked_at.is_some());
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_sign_in() {
    let t = sqlite_hub(relaxed()).await;
    let d = t.create_account().await;
    let other_login = t.login(d.account_id, d.device_id, d.secret.clone()).await;

    let refresh = |tok: String| {
        let t = &t;
        async move {
            t.call(
                Method::POST,
                "/v0/auth/refresh",
                None,
                Some(json!({ "refresh_token": tok })),
            )
            .await
        }
    };
    let r = refresh(d.refresh.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let second: proto::TokenPair = r.json();
    assert_ne!(
        second.refresh_token.0, d.refresh,
        "the refresh token rotates"
    );
    let r = t
        .call(Method::GET, "/v0/usage", Some(&second.access_token.0), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Someone replays the first refresh token: the whole sign-in dies, including the
    // legitimate holder's newest tokens.
    let r = refresh(d.refresh.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "refresh_token_reused");
    assert_eq!(r.body["field"], "refresh_token");
    let r = t
        .call(Method::GET, "/v0/usage", Some(&second.access_token.0), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refresh(second.refresh_token.0).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.call(Method::GET, "/v0/usage", Some(&d.access), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // A separate sign-in of the same device is a separate family and lives on.
    let r = t
        .call(Method::GET, "/v0/usage", Some(&other_login.access), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        refresh("r0.not-a-token".into()).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn pairing_hands_a_blob_to_the_new_device_once_and_is_audited() {
    let t = sqlite_hub(relaxed()).await;
    let d = t.create_account().await;
    let lookup = format!("pair-{}", Uuid::now_v7().simple());
    let r = t
        .call(
            Method::POST,
            "/v0/pairing",
            Some(&d.access),
            Some(json!({ "lookup_id": lookup, "blob": b64(b"sealed key"), "ttl_secs": 99999 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let put: proto::PairingPutResponse = r.json();
    let ttl = put.expires_at - chrono::Utc::now();
    assert!(ttl <= chrono::Duration::seconds(600), "the ttl is capped");

    let r = t
        .call(Method::GET, &format!("/v0/pairing/{lookup}"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let got: proto::PairingGetResponse = r.json();
    assert_eq!(got.blob.0, b"sealed key");
    let r = t
        .call(Method::GET, &format!("/v0/pairing/{lookup}"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = t
        .call(Method::GET, "/v0/audit", Some(&d.access), None)
        .await;
    let audit: proto::AuditResponse = r.json();
    assert!(audit.entries.iter().any(|e| e.action == "pairing.take"));

    let r = t
        .call(
            Method::POST,
            "/v0/pairing",
            Some(&d.access),
            Some(json!({ "lookup_id": "short", "blob": b64(b"x") })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["field"], "lookup_id");
}

/// A typed code's exchange (issue #18): one answer per slot, handed the offer in return; the
/// answer waits for the first device, and the owner's audit log shows it.
#[tokio::test]
async fn a_typed_code_slot_takes_one_answer_and_keeps_it_for_its_owner() {
    let t = sqlite_hub(relaxed()).await;
    let d = t.create_account().await;
    let plate = format!("plate-{}", Uuid::now_v7().simple());
    let answer_path = format!("/v0/pairing/{plate}/answer");
    let r = t
        .call(
            Method::POST,
            "/v0/pairing",
            Some(&d.access),
            Some(
                json!({ "lookup_id": plate, "blob": b64(b"spake2 message A"), "answerable": true }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = t
        .call(Method::GET, &answer_path, Some(&d.access), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "no answer yet");
    // Its lookup id is the code's public nameplate: nobody may take the offer away.
    let r = t
        .call(Method::GET, &format!("/v0/pairing/{plate}"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = t
        .call(
            Method::POST,
            &answer_path,
            None,
            Some(json!({ "blob": b64(b"spake2 message B") })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["blob"], b64(b"spake2 message A"));
    let again = t
        .call(
            Method::POST,
            &answer_path,
            None,
            Some(json!({ "blob": b64(b"a second guess") })),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "one answer per slot");
    let too_big = t
        .call(
            Method::POST,
            &format!("/v0/pairing/other-{}/answer", Uuid::now_v7().simple()),
            None,
            Some(json!({ "blob": b64(&[7; 300]) })),
        )
        .await;
    assert_eq!(too_big.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_big.body["field"], "blob");

    let r = t
        .call(Method::GET, &answer_path, Some(&d.access), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["blob"], b64(b"spake2 message B"));
    let r = t.call(Method::GET, &answer_path, None, None).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the answer is the owner's"
    );
    let r = t
        .call(Method::GET, &format!("/v0/pairing/{plate}"), None, None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "an answered slot is not taken"
    );

    let audit: proto::AuditResponse = t
        .call(Method::GET, "/v0/audit", Some(&d.access), None)
        .await
        .json();
    assert!(audit.entries.iter().any(|e| e.action == "pairing.answer"));
}
