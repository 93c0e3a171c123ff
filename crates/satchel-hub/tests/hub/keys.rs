//! Key rotation and device removal over HTTP (issue #18): a device registers its own public
//! key; uploads wait while a removal waits for its rotation; a rotation must grant the new key
//! to every device that holds the current one; a newer device asking
//! to remove an older one only files a request every device sees, which dies with the asker;
//! every removal makes the key due for rotation.

use reqwest::{Method, StatusCode};
use satchel_sync_proto as proto;
use serde_json::json;
use uuid::Uuid;

use crate::common::*;

const GRANT_LEN: usize = 105;

async fn register_key(t: &TestHub, d: &Device, byte: u8) -> Reply {
    t.call(
        Method::PUT,
        "/v0/devices/key",
        Some(&d.access),
        Some(json!({ "public_key": b64(&[byte; 32]), "tag": b64(&[byte ^ 0xff; 32]) })),
    )
    .await
}

async fn keys(t: &TestHub, d: &Device) -> proto::KeyStateResponse {
    let r = t.call(Method::GET, "/v0/keys", Some(&d.access), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn grant(device: Uuid) -> serde_json::Value {
    json!({ "device_id": device, "grant": b64(&[3; GRANT_LEN]) })
}

async fn rotate(t: &TestHub, d: &Device, epoch: i64, grants: Vec<serde_json::Value>) -> Reply {
    t.call(
        Method::POST,
        "/v0/keys",
        Some(&d.access),
        Some(json!({ "epoch": epoch, "keyring": b64(&[9; 72]), "grants": grants })),
    )
    .await
}

#[tokio::test]
async fn a_rotation_reaches_every_keyed_device_and_a_newer_device_only_asks() {
    let t = sqlite_hub(relaxed()).await;
    let laptop = t.create_account().await;
    let tablet = t.add_device(&laptop).await;
    let phone = t.add_device(&laptop).await;

    // A device registers its own key (again when its keychain lost the secret), checked for
    // shape only.
    for byte in [2, 1] {
        let r = register_key(&t, &tablet, byte).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    let r = t
        .call(
            Method::PUT,
            "/v0/devices/key",
            Some(&phone.access),
            Some(json!({ "public_key": b64(&[1; 31]), "tag": b64(&[1; 32]) })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["field"], "public_key");
    assert_eq!(
        register_key(&t, &phone, 4).await.status,
        StatusCode::NO_CONTENT
    );
    let k = keys(&t, &laptop).await;
    assert_eq!((k.epoch, k.rotation_due, k.devices.len()), (0, false, 3));
    let tablet_entry = k
        .devices
        .iter()
        .find(|d| d.device_id == tablet.device_id)
        .unwrap();
    assert_eq!(tablet_entry.key.as_ref().unwrap().public_key.0, [1; 32]);

    // The phone (newest) asks to remove the laptop: filed, shown to all, not done.
    let r = t
        .call(
            Method::DELETE,
            &format!("/v0/devices/{}", laptop.device_id),
            Some(&phone.access),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let pending: proto::RevokeResponse = r.json();
    let at = pending.effective_at.unwrap();
    assert!(at > chrono::Utc::now() + chrono::Duration::hours(71));
    let list: proto::DeviceList = t
        .call(Method::GET, "/v0/devices", Some(&tablet.access), None)
        .await
        .json();
    let l = list
        .devices
        .iter()
        .find(|d| d.device_id == laptop.device_id)
        .unwrap();
    assert_eq!(
        (l.removal_at, l.removal_asked_by),
        (Some(at), Some(phone.device_id))
    );
    assert!(l.revoked_at.is_none());
    assert_eq!(
        t.call(Method::GET, "/v0/records", Some(&laptop.access), None)
            .await
            .status,
        StatusCode::OK
    );

    // The laptop removes the phone at once; the phone's request dies with it and the key is
    // due for rotation.
    let r = t
        .call(
            Method::DELETE,
            &format!("/v0/devices/{}", phone.device_id),
            Some(&laptop.access),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let list: proto::DeviceList = t
        .call(Method::GET, "/v0/devices", Some(&laptop.access), None)
        .await
        .json();
    assert!(list.devices.iter().all(|d| d.removal_at.is_none()));
    let k = keys(&t, &laptop).await;
    assert!(k.rotation_due);
    assert_eq!(k.devices.len(), 2);
    // Uploads wait for the rotation: nothing goes up under a key the phone holds.
    let r = t
        .upload(&tablet, Uuid::now_v7(), &[record("r1", "v1", b"SEALED")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.code(), "key_changed");

    // The tablet holds the current key (its grant says so), so a rotation that leaves it
    // without the new one is refused, and so is a grant of the wrong size; the one that
    // reaches the tablet moves the epoch once.
    let r = t
        .call(
            Method::POST,
            "/v0/keys/grants",
            Some(&laptop.access),
            Some(json!({ "epoch": 0, "grants": [grant(tablet.device_id)] })),
        )
        .await;
    assert_eq!(r.body["stored"], 1, "{}", r.body);
    let r = rotate(&t, &laptop, 1, vec![]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["field"], "grants");
    let r = rotate(
        &t,
        &laptop,
        1,
        vec![json!({ "device_id": tablet.device_id, "grant": b64(&[3; 40]) })],
    )
    .await;
    assert_eq!(r.body["field"], "grants[0].grant");
    let r = rotate(
        &t,
        &laptop,
        1,
        vec![grant(tablet.device_id), grant(phone.device_id)],
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = rotate(&t, &laptop, 1, vec![grant(tablet.device_id)]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let k = keys(&t, &tablet).await;
    assert_eq!((k.epoch, k.rotation_due), (1, false));
    // Uploads go on under the new epoch only.
    let tries = [
        (None, StatusCode::CONFLICT),
        (Some(0), StatusCode::CONFLICT),
        (Some(1), StatusCode::OK),
    ];
    for (i, (epoch, status)) in tries.into_iter().enumerate() {
        let r = t
            .call(
                Method::POST,
                "/v0/records",
                Some(&tablet.access),
                Some(json!({
                    "upload_id": Uuid::now_v7(),
                    "records": [record("r1", &format!("v{i}"), b"SEALED")],
                    "key_epoch": epoch,
                })),
            )
            .await;
        assert_eq!(r.status, status, "epoch {epoch:?}: {}", r.body);
    }
    assert_eq!(k.grant.unwrap().0, [3; GRANT_LEN]);
    assert_eq!(k.keyring.unwrap().0, [9; 72]);
    // The removed phone got nothing, and cannot ask.
    let r = t
        .call(Method::GET, "/v0/keys", Some(&phone.access), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The laptop's own key, registered after the rotation, is granted by a holder later.
    assert_eq!(
        register_key(&t, &laptop, 7).await.status,
        StatusCode::NO_CONTENT
    );
    let k = keys(&t, &tablet).await;
    let l = k
        .devices
        .iter()
        .find(|d| d.device_id == laptop.device_id)
        .unwrap();
    assert!(!l.granted);
    let r = t
        .call(
            Method::POST,
            "/v0/keys/grants",
            Some(&tablet.access),
            Some(json!({ "epoch": 1, "grants": [grant(laptop.device_id)] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["stored"], 1);
    assert!(keys(&t, &laptop).await.grant.is_some());
}
