//! Account B against everything of account A, on every route: B can neither read, list,
//! overwrite nor delete A's records or devices. The table must name every route of
//! `satchel_sync_proto::paths`, so a new route cannot be added without a row here.

use reqwest::{Method, StatusCode};
use satchel_sync_proto::{self as proto, paths};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::*;
use crate::recovery::{key, recover_body, registration};

struct Case {
    route: &'static str,
    method: Method,
    /// Path with A's identifiers filled in.
    path: String,
    body: Option<Value>,
    /// Whether B's token goes along (the pairing fetch and sign-in routes take none).
    as_b: bool,
    /// Statuses B may get; anything else fails.
    allowed: &'static [StatusCode],
}

#[tokio::test]
async fn account_b_cannot_touch_account_a_on_any_route_sqlite() {
    account_b_cannot_touch_account_a_on_any_route(sqlite_hub(relaxed()).await).await;
}

#[cfg(feature = "system-tests")]
#[tokio::test]
async fn account_b_cannot_touch_account_a_on_any_route_postgres() {
    account_b_cannot_touch_account_a_on_any_route(postgres_hub(relaxed()).await).await;
}

async fn account_b_cannot_touch_account_a_on_any_route(t: TestHub) {
    let a = t.create_account().await;
    let a_phone = t.add_device(&a).await;
    let b = t.create_account().await;

    let a_upload = Uuid::now_v7();
    let a_records = [
        record("a-rec-1", "v1", b"A-CIPHERTEXT-ONE"),
        record("a-rec-2", "v1", b"A-CIPHERTEXT-TWO"),
    ];
    assert_eq!(
        t.upload(&a, a_upload, &a_records).await.status,
        StatusCode::OK
    );
    let a_lookup = format!("a-pairing-{}", Uuid::now_v7().simple());
    let r = t
        .call(
            Method::POST,
            "/v0/pairing",
            Some(&a.access),
            Some(json!({ "lookup_id": a_lookup, "blob": b64(b"A-PAIRING-BLOB") })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // A typed code's slot that A's new device has answered (issue #18).
    let a_plate = format!("a-plate-{}", Uuid::now_v7().simple());
    let r = t
        .call(
            Method::POST,
            "/v0/pairing",
            Some(&a.access),
            Some(json!({ "lookup_id": a_plate, "blob": b64(b"A-PAKE-OFFER"), "answerable": true })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = t
        .call(
            Method::POST,
            &format!("/v0/pairing/{a_plate}/answer"),
            None,
            Some(json!({ "blob": b64(b"A-PAKE-ANSWER") })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    t.download_all(&a, 10).await; // something in A's audit log
    let (a_key, b_key) = (key(0xA1), key(0xB2));
    t.register_recovery(&a, &a_key).await;
    t.register_recovery(&b, &b_key).await;

    let a_secret_markers = [
        a.device_id.to_string(),
        a_phone.device_id.to_string(),
        a.account_id.to_string(),
        b64(b"A-CIPHERTEXT-ONE"),
        b64(b"A-CIPHERTEXT-TWO"),
        b64(b"A-PAIRING-BLOB"),
        b64(b"A-PAKE-OFFER"),
        b64(b"A-PAKE-ANSWER"),
        satchel_crypto::recovery::lookup(&a_key),
    ];
    let ok = &[StatusCode::OK];
    let cases = vec![
        Case {
            route: paths::ACCOUNTS,
            method: Method::POST,
            path: "/v0/accounts".into(),
            body: Some(json!({ "device_label": "b2", "device_secret": b64(&random_secret()) })),
            as_b: false,
            allowed: &[StatusCode::CREATED],
        },
        Case {
            route: paths::LOGIN,
            method: Method::POST,
            path: "/v0/auth/login".into(),
            // B knows A's device id (say, from a screenshot) but not its credential.
            body: Some(json!({ "device_id": a.device_id, "device_secret": b64(&b.secret) })),
            as_b: false,
            allowed: &[StatusCode::UNAUTHORIZED],
        },
        Case {
            route: paths::REFRESH,
            method: Method::POST,
            path: "/v0/auth/refresh".into(),
            body: Some(json!({ "refresh_token": format!("{}x", a.refresh) })),
            as_b: false,
            allowed: &[StatusCode::UNAUTHORIZED],
        },
        Case {
            route: paths::DEVICES,
            method: Method::GET,
            path: "/v0/devices".into(),
            body: None,
            as_b: true,
            allowed: ok,
        },
        Case {
            route: paths::DEVICES,
            method: Method::POST,
            path: "/v0/devices".into(),
            body: Some(
                json!({ "device_label": "b-extra", "device_secret": b64(&random_secret()) }),
            ),
            as_b: true,
            allowed: &[StatusCode::CREATED],
        },
        Case {
            route: paths::DEVICE,
            method: Method::DELETE,
            path: format!("/v0/devices/{}", a_phone.device_id),
            body: None,
            as_b: true,
            allowed: &[StatusCode::NOT_FOUND],
        },
        Case {
            route: paths::RECORDS,
            method: Method::GET,
            path: "/v0/records?after=0&limit=500".into(),
            body: None,
            as_b: true,
            allowed: ok,
        },
        Case {
            route: paths::RECORDS,
            method: Method::POST,
            path: "/v0/records".into(),
            // Same upload id, record id and version as A's, other content.
            body: Some(json!({
                "upload_id": a_upload,
                "records": [record("a-rec-1", "v1", b"B-OVERWRITE")],
            })),
            as_b: true,
            allowed: ok,
        },
        Case {
            route: paths::RECORD,
            method: Method::DELETE,
            path: "/v0/records/contact/a-rec-2".into(),
            body: None,
            as_b: true,
            allowed: ok,
        },
        Case {
            route: paths::USAGE,
            method: Method::GET,
            path: "/v0/usage".into(),
            body: None,
            as_b: true,
            allowed: ok,
        },
        Case {
            route: paths::AUDIT,
            method: Method::GET,
            path: "/v0/audit?after=0".into(),
            body: None,
            as_b: true,
            allowed: ok,
        },
        Case {
            route: paths::PAIRING,
            method: Method::POST,
            path: "/v0/pairing".into(),
            body: Some(json!({ "lookup_id": a_lookup, "blob": b64(b"B-BLOB") })),
            as_b: true,
            // Answered like a free lookup id (no 409 to tell B a code is live); A's blob
            // stays, as checked below.
            allowed: &[StatusCode::CREATED],
        },
        Case {
            route: paths::PAIRING_ANSWER,
            method: Method::GET,
            path: format!("/v0/pairing/{a_plate}/answer"),
            body: None,
            as_b: true,
            allowed: &[StatusCode::NOT_FOUND],
        },
        Case {
            route: paths::PAIRING_ANSWER,
            method: Method::POST,
            // A second answer to A's slot: refused, and A's first answer stays.
            path: format!("/v0/pairing/{a_plate}/answer"),
            body: Some(json!({ "blob": b64(b"B-ANSWER") })),
            as_b: false,
            allowed: &[StatusCode::NOT_FOUND],
        },
        Case {
            route: paths::PAIRING_SLOT,
            method: Method::DELETE,
            // A's slot, checked below to be still there.
            path: format!("/v0/pairing/{a_lookup}"),
            body: None,
            as_b: true,
            allowed: &[StatusCode::NOT_FOUND],
        },
        Case {
            route: paths::PAIRING_SLOT,
            method: Method::GET,
            path: format!("/v0/pairing/b-guess-{}", Uuid::now_v7().simple()),
            body: None,
            as_b: false,
            allowed: &[StatusCode::NOT_FOUND],
        },
        Case {
            route: paths::RECOVER,
            method: Method::POST,
            path: "/v0/accounts/recover".into(),
            // B knows A's lookup but holds only its own key, so only its own proof.
            body: Some(recover_body(&a_key, &b_key, &random_secret())),
            as_b: false,
            allowed: &[StatusCode::NOT_FOUND],
        },
        Case {
            route: paths::RECOVERY,
            method: Method::PUT,
            path: "/v0/accounts/recovery".into(),
            // B tries to file A's lookup under its own account, to catch A's recovery.
            body: Some(registration(&a_key)),
            as_b: true,
            // 403 since issue #18: B's own verifier is set, so it is not replaced at all.
            allowed: &[StatusCode::CONFLICT, StatusCode::FORBIDDEN],
        },
        Case {
            route: paths::KEYS,
            method: Method::GET,
            path: "/v0/keys".into(),
            body: None,
            as_b: true,
            allowed: ok,
        },
        Case {
            route: paths::KEYS,
            method: Method::POST,
            path: "/v0/keys".into(),
            // B names A's phone in a rotation of its own: B's account has no removal to
            // rotate for, and A's keys are not touched either way (checked below).
            body: Some(json!({
                "epoch": 1,
                "keyring": b64(&[9; 64]),
                "grants": [{ "device_id": a_phone.device_id, "grant": b64(&[3; 105]) }],
                "recovery": registration(&b_key),
            })),
            as_b: true,
            allowed: &[StatusCode::CONFLICT],
        },
        Case {
            route: paths::KEY_GRANTS,
            method: Method::POST,
            path: "/v0/keys/grants".into(),
            body: Some(json!({
                "epoch": 0,
                "grants": [{ "device_id": a.device_id, "grant": b64(&[3; 105]) }],
            })),
            as_b: true,
            allowed: ok,
        },
        Case {
            route: paths::DEVICE_KEY,
            method: Method::PUT,
            path: "/v0/devices/key".into(),
            body: Some(json!({ "public_key": b64(&[5; 32]), "tag": b64(&[6; 32]) })),
            as_b: true,
            allowed: &[StatusCode::NO_CONTENT],
        },
    ];

    let every_route = [
        paths::ACCOUNTS,
        paths::LOGIN,
        paths::REFRESH,
        paths::DEVICES,
        paths::DEVICE,
        paths::RECORDS,
        paths::RECORD,
        paths::USAGE,
        paths::AUDIT,
        paths::PAIRING,
        paths::PAIRING_SLOT,
        paths::PAIRING_ANSWER,
        paths::RECOVER,
        paths::RECOVERY,
        paths::KEYS,
        paths::KEY_GRANTS,
        paths::DEVICE_KEY,
    ];
    for route in every_route {
        assert!(
            cases.iter().any(|c| c.route == route),
            "no cross-account case for {route}"
        );
    }

    for c in &cases {
        let token = c.as_b.then_some(b.access.as_str());
        let r = t
            .call(c.method.clone(), &c.path, token, c.body.clone())
            .await;
        assert!(
            c.allowed.contains(&r.status),
            "{} {}: B got {} {}",
            c.method,
            c.path,
            r.status,
            r.body
        );
        let text = r.body.to_string();
        for m in &a_secret_markers {
            assert!(
                !text.contains(m.as_str()),
                "{} {} leaked A's data ({m}): {text}",
                c.method,
                c.path
            );
        }
        if c.route == paths::RECORD {
            assert_eq!(r.body["removed"], 0, "B removed nothing of A's");
        }
    }

    // A's world is exactly as it was.
    let a_has = t.download_all(&a, 100).await;
    assert_eq!(a_has.len(), 2);
    assert_eq!(a_has[0].record_id, "a-rec-1");
    assert_eq!(a_has[0].ciphertext.0, b"A-CIPHERTEXT-ONE");
    assert_eq!(a_has[1].ciphertext.0, b"A-CIPHERTEXT-TWO");
    let r = t
        .call(Method::GET, "/v0/devices", Some(&a_phone.access), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "A's phone was not revoked by B");
    let devices: proto::DeviceList = r.json();
    assert_eq!(devices.devices.len(), 2);
    assert!(devices.devices.iter().all(|d| d.revoked_at.is_none()));
    // B's rotation and grants left A's keys alone.
    let keys: proto::KeyStateResponse = t
        .call(Method::GET, "/v0/keys", Some(&a_phone.access), None)
        .await
        .json();
    assert_eq!(keys.epoch, 0);
    assert!(keys.grant.is_none() && keys.devices.iter().all(|d| !d.granted && d.key.is_none()));
    let usage: proto::UsageResponse = t
        .call(Method::GET, "/v0/usage", Some(&a.access), None)
        .await
        .json();
    assert_eq!(usage.records, 2);
    let r = t
        .call(Method::GET, &format!("/v0/pairing/{a_lookup}"), None, None)
        .await;
    let blob: proto::PairingGetResponse = r.json();
    assert_eq!(
        blob.blob.0, b"A-PAIRING-BLOB",
        "B did not replace A's pairing blob"
    );
    let r = t
        .call(
            Method::GET,
            &format!("/v0/pairing/{a_plate}/answer"),
            Some(&a_phone.access),
            None,
        )
        .await;
    let answer: proto::PairingGetResponse = r.json();
    assert_eq!(answer.blob.0, b"A-PAKE-ANSWER", "A's answer is A's");
    let audit: proto::AuditResponse = t
        .call(Method::GET, "/v0/audit", Some(&b.access), None)
        .await
        .json();
    assert!(audit
        .entries
        .iter()
        .all(|e| e.device_id == Some(b.device_id)));

    // A's proof opens A's account and nothing else: not under B's lookup, and under its own
    // lookup it yields A, whose records are A's.
    let r = t
        .call(
            Method::POST,
            "/v0/accounts/recover",
            None,
            Some(recover_body(&b_key, &a_key, &random_secret())),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = t
        .call(
            Method::POST,
            "/v0/accounts/recover",
            None,
            Some(recover_body(&a_key, &a_key, &random_secret())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let back: proto::CreateAccountResponse = r.json();
    assert_eq!(back.account_id, a.account_id);
    assert_ne!(back.account_id, b.account_id);

    // B's own upload, made with A's upload id, is B's: a real store, not A's replayed answer.
    let b_has = t.download_all(&b, 100).await;
    assert_eq!(b_has.len(), 1);
    assert_eq!(b_has[0].ciphertext.0, b"B-OVERWRITE");
}

#[tokio::test]
async fn a_token_cannot_be_edited_to_speak_for_another_account() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let t = sqlite_hub(relaxed()).await;
    let a = t.create_account().await;
    let b = t.create_account().await;
    t.upload(&a, Uuid::now_v7(), &[record("x", "v1", b"A")])
        .await;

    let parts: Vec<&str> = b.access.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["a"] = json!(a.account_id);
    claims["d"] = json!(a.device_id);
    let forged = format!(
        "v0.{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap()),
        parts[2]
    );
    let r = t
        .call(Method::GET, "/v0/records", Some(&forged), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(!r.body.to_string().contains(&b64(b"A")));
}
