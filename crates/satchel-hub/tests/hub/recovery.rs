//! Recovery with the phrase when every device is lost: a device holding only what the phrase
//! derives (lookup and proof) signs back into its own account, and nothing else does; the
//! refusals do not tell a prober which lookups exist.

use reqwest::{Method, StatusCode};
use satchel_crypto::recovery;
use satchel_crypto::AccountKey;
use satchel_sync_proto as proto;
use serde_json::{json, Value};

use crate::common::*;

pub fn key(byte: u8) -> AccountKey {
    AccountKey::from_bytes([byte; 32])
}

/// The body of `PUT /v0/accounts/recovery` for `key`.
pub fn registration(key: &AccountKey) -> Value {
    let (lookup, verifier) = recovery::registration(key);
    json!({ "lookup": lookup, "verifier": b64(&verifier) })
}

/// The body of `POST /v0/accounts/recover`: `lookup_of`'s lookup with `proof_of`'s proof.
pub fn recover_body(lookup_of: &AccountKey, proof_of: &AccountKey, secret: &[u8]) -> Value {
    json!({
        "lookup": recovery::lookup(lookup_of),
        "proof": b64(recovery::proof(proof_of).expose_bytes()),
        "device_label": "new phone",
        "device_secret": b64(secret),
    })
}

impl TestHub {
    pub async fn register_recovery(&self, d: &Device, key: &AccountKey) {
        let r = self
            .call(
                Method::PUT,
                "/v0/accounts/recovery",
                Some(&d.access),
                Some(registration(key)),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
}

#[tokio::test]
async fn a_lost_account_comes_back_with_the_phrase_sqlite() {
    a_lost_account_comes_back_with_the_phrase(sqlite_hub(relaxed()).await).await;
}

#[cfg(feature = "system-tests")]
#[tokio::test]
async fn a_lost_account_comes_back_with_the_phrase_postgres() {
    a_lost_account_comes_back_with_the_phrase(postgres_hub(relaxed()).await).await;
}

async fn a_lost_account_comes_back_with_the_phrase(t: TestHub) {
    let k = key(41);
    let a = t.create_account().await;
    t.register_recovery(&a, &k).await;
    t.upload(&a, uuid::Uuid::now_v7(), &[record("r1", "v1", b"SEALED")])
        .await;

    let secret = random_secret();
    let r = t
        .call(
            Method::POST,
            "/v0/accounts/recover",
            None,
            Some(recover_body(&k, &k, &secret)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let resp: proto::CreateAccountResponse = r.json();
    assert_eq!(resp.account_id, a.account_id);
    assert_eq!(resp.tokens.account_id, a.account_id);
    assert_ne!(resp.device_id, a.device_id);
    let c = Device {
        account_id: resp.account_id,
        device_id: resp.device_id,
        secret: secret.clone(),
        access: resp.tokens.access_token.0,
        refresh: resp.tokens.refresh_token.0,
    };
    let has = t.download_all(&c, 10).await;
    assert_eq!(has.len(), 1);
    assert_eq!(has[0].ciphertext.0, b"SEALED");
    // The recovered device is an ordinary device: its credential signs it in again, and the
    // merchant sees it (and can revoke the lost ones) in the device list.
    t.login(a.account_id, c.device_id, secret).await;
    let list: proto::DeviceList = t
        .call(Method::GET, "/v0/devices", Some(&c.access), None)
        .await
        .json();
    assert_eq!(list.devices.len(), 2);
    let audit: proto::AuditResponse = t
        .call(Method::GET, "/v0/audit", Some(&a.access), None)
        .await
        .json();
    assert!(audit
        .entries
        .iter()
        .any(|e| e.action == "account.recover" && e.device_id == Some(c.device_id)));

    // Once set, the verifier is not replaced on its own (issue #18: a stolen device must not
    // swap the owner's phrase for its own); registering the same one again is harmless.
    let k2 = key(42);
    let r = t
        .call(
            Method::PUT,
            "/v0/accounts/recovery",
            Some(&c.access),
            Some(registration(&k2)),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.body["code"], "recovery_set");
    t.register_recovery(&c, &k).await;
    // It changes with the key (after a removal), and the old phrase is retired at once.
    let lost = t.add_device(&c).await;
    let r = t
        .call(
            Method::DELETE,
            &format!("/v0/devices/{}", lost.device_id),
            Some(&c.access),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = t
        .call(
            Method::POST,
            "/v0/keys",
            Some(&c.access),
            Some(json!({
                "epoch": 1,
                "keyring": b64(&[1; 64]),
                "grants": [],
                "recovery": registration(&k2),
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = t
        .call(
            Method::POST,
            "/v0/accounts/recover",
            None,
            Some(recover_body(&k, &k, &random_secret())),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = t
        .call(
            Method::POST,
            "/v0/accounts/recover",
            None,
            Some(recover_body(&k2, &k2, &random_secret())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn an_account_created_with_a_registration_recovers_at_once() {
    let t = sqlite_hub(relaxed()).await;
    let k = key(11);
    let r = t
        .call(
            Method::POST,
            "/v0/accounts",
            None,
            Some(json!({
                "device_label": "shop laptop",
                "device_secret": b64(&random_secret()),
                "recovery": registration(&k),
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made: proto::CreateAccountResponse = r.json();
    let r = t
        .call(
            Method::POST,
            "/v0/accounts/recover",
            None,
            Some(recover_body(&k, &k, &random_secret())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let back: proto::CreateAccountResponse = r.json();
    assert_eq!(back.account_id, made.account_id);

    // A malformed registration refuses the whole creation, naming the field.
    let r = t
        .call(
            Method::POST,
            "/v0/accounts",
            None,
            Some(json!({
                "device_label": "shop laptop",
                "device_secret": b64(&random_secret()),
                "recovery": { "lookup": "nope", "verifier": b64(&[0; 32]) },
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["field"], "recovery.lookup");
    // Another account cannot be made under a lookup already taken.
    let r = t
        .call(
            Method::POST,
            "/v0/accounts",
            None,
            Some(json!({
                "device_label": "thief",
                "device_secret": b64(&random_secret()),
                "recovery": registration(&k),
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}

#[tokio::test]
async fn a_wrong_proof_and_an_unknown_lookup_get_the_same_refusal() {
    let t = sqlite_hub(relaxed()).await;
    let k = key(7);
    let a = t.create_account().await;
    t.register_recovery(&a, &k).await;

    let wrong_proof = t
        .call(
            Method::POST,
            "/v0/accounts/recover",
            None,
            Some(recover_body(&k, &key(8), &random_secret())),
        )
        .await;
    let unknown = t
        .call(
            Method::POST,
            "/v0/accounts/recover",
            None,
            Some(recover_body(&key(9), &key(9), &random_secret())),
        )
        .await;
    assert_eq!(wrong_proof.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong_proof.code(), "not_found");
    assert_eq!(
        wrong_proof.body, unknown.body,
        "the refusals must not differ"
    );
    assert_eq!(wrong_proof.status, unknown.status);
    for r in [&wrong_proof, &unknown] {
        assert!(!r.body.to_string().contains(&a.account_id.to_string()));
    }
    // Neither attempt added a device.
    let list: proto::DeviceList = t
        .call(Method::GET, "/v0/devices", Some(&a.access), None)
        .await
        .json();
    assert_eq!(list.devices.len(), 1);
}

#[tokio::test]
async fn malformed_recovery_requests_name_their_field() {
    let t = sqlite_hub(relaxed()).await;
    let a = t.create_account().await;
    let k = key(3);
    let cases = [
        (
            json!({ "lookup": "ABC", "proof": b64(&[0; 32]),
                    "device_label": "x", "device_secret": b64(&random_secret()) }),
            "lookup",
        ),
        (
            json!({ "lookup": recovery::lookup(&k), "proof": b64(&[0; 31]),
                    "device_label": "x", "device_secret": b64(&random_secret()) }),
            "proof",
        ),
        (
            json!({ "lookup": recovery::lookup(&k), "proof": b64(&[0; 32]),
                    "device_label": "", "device_secret": b64(&random_secret()) }),
            "device_label",
        ),
    ];
    for (body, field) in cases {
        let r = t
            .call(Method::POST, "/v0/accounts/recover", None, Some(body))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["field"], field);
    }
    let r = t
        .call(
            Method::PUT,
            "/v0/accounts/recovery",
            Some(&a.access),
            Some(json!({ "lookup": recovery::lookup(&k), "verifier": b64(&[1; 8]) })),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["field"], "verifier");
    let r = t
        .call(
            Method::PUT,
            "/v0/accounts/recovery",
            None,
            Some(registration(&k)),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "registering needs a token"
    );
}
