//! The hub storage's backend-agnostic test suite (tests only; never shipped). It lives in its
//! own crate so that `satchel-hub-core` stays free of tokio and test code.
//!
//! Every backend's tests call [`conformance_tests!`] with an
//! async constructor for a fresh, empty storage; each case below becomes one `#[tokio::test]`
//! there. A case panics (fails) when the backend breaks a rule of the trait.
//!
//! The cases exercise behaviour a device would notice: a retried upload stores nothing twice,
//! paging never skips or repeats a record, an over-quota upload leaves nothing behind, a reused
//! refresh token kills its whole family, and no account ever sees another's data.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use satchel_hub_core::*;

/// Generates one `#[tokio::test]` per conformance case. `$make` is a path to an
/// `async fn() -> impl HubStorage` that returns a fresh, empty storage.
#[macro_export]
macro_rules! conformance_tests {
    ($make:path) => {
        $crate::conformance_tests!(@cases $make;
            accounts_and_devices,
            device_ids_are_unique,
            refresh_rotation_and_reuse_detection,
            refresh_token_expiry,
            revoking_a_device_ends_its_sessions_at_once,
            sessions_are_scoped_to_their_account,
            uploads_are_idempotent,
            download_pages_through_a_thousand_records,
            accounts_never_see_each_other,
            record_quota_is_enforced_atomically,
            byte_quota_is_enforced_atomically,
            purge_gives_quota_back,
            total_usage_sums_every_account,
            pairing_slot_is_taken_once_and_expires,
            a_pairing_slot_takes_one_answer_for_its_owner_only,
            audit_log_is_per_account_and_ordered,
            concurrent_uploads_keep_cursors_gapless,
            pruning_forgets_only_what_is_old,
            recovery_verifier_names_one_account,
            key_rotation_grants_only_live_devices_and_moves_one_epoch_at_a_time,
            removals_wait_and_an_asker_removed_first_drops_them
        );
    };
    (@cases $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::$case($make().await).await;
            }
        )*
    };
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
}

fn hash(tag: &str) -> Hash {
    let mut h = [0u8; 32];
    for (i, b) in tag.bytes().enumerate() {
        h[i % 32] ^= b.wrapping_add(i as u8);
    }
    h[31] = tag.len() as u8;
    h
}

fn device(label: &str) -> NewDevice {
    NewDevice {
        device_id: Uuid::now_v7(),
        label: label.into(),
        secret_hash: hash(label),
        created_at: t0(),
    }
}

async fn account<S: HubStorage>(s: &S) -> (Uuid, Uuid) {
    let a = Uuid::now_v7();
    let d = device("first device");
    s.create_account(a, &d, t0()).await.unwrap();
    (a, d.device_id)
}

fn record(id: &str, version: &str, bytes: &[u8]) -> NewRecord {
    NewRecord {
        record_id: id.into(),
        entity: "contact".into(),
        version: version.into(),
        ciphertext: bytes.to_vec(),
    }
}

fn batch(records: Vec<NewRecord>) -> UploadBatch {
    let mut digest = [0u8; 32];
    for r in &records {
        let h = hash(&format!("{}{}{:?}", r.record_id, r.version, r.ciphertext));
        for i in 0..32 {
            digest[i] ^= h[i];
        }
    }
    UploadBatch {
        upload_id: Uuid::now_v7(),
        digest,
        records,
    }
}

const BIG: Quota = Quota {
    max_records: 1_000_000,
    max_bytes: 1 << 40,
};

fn refresh(a: Uuid, d: Uuid, family: Uuid, tag: &str, expires: DateTime<Utc>) -> RefreshToken {
    RefreshToken {
        hash: hash(tag),
        family_id: family,
        account_id: a,
        device_id: d,
        created_at: t0(),
        expires_at: expires,
    }
}

async fn all_records<S: HubStorage>(s: &S, a: Uuid) -> Vec<StoredRecord> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = s.download(a, after, 97).await.unwrap();
        if page.is_empty() {
            return out;
        }
        after = page.last().unwrap().seq;
        out.extend(page);
    }
}

pub async fn accounts_and_devices<S: HubStorage>(s: S) {
    let (a, d1) = account(&s).await;
    let got = s
        .device(d1)
        .await
        .unwrap()
        .expect("the first device is stored");
    assert_eq!(got.account_id, a);
    assert_eq!(got.label, "first device");
    assert_eq!(got.secret_hash, hash("first device"));
    assert_eq!(got.revoked_at, None);

    let d2 = device("second device");
    s.add_device(a, &d2).await.unwrap();
    let listed: BTreeSet<Uuid> = s
        .list_devices(a)
        .await
        .unwrap()
        .iter()
        .map(|d| d.device_id)
        .collect();
    assert_eq!(listed, BTreeSet::from([d1, d2.device_id]));

    let later = t0() + Duration::minutes(5);
    assert!(s.revoke_device(a, d2.device_id, later).await.unwrap());
    assert!(s
        .revoke_device(a, d2.device_id, later + Duration::hours(1))
        .await
        .unwrap());
    let revoked = s.device(d2.device_id).await.unwrap().unwrap();
    assert_eq!(
        revoked.revoked_at,
        Some(later),
        "revoking twice keeps the first time"
    );
    assert!(s.device(Uuid::now_v7()).await.unwrap().is_none());
    assert!(!s.revoke_device(a, Uuid::now_v7(), later).await.unwrap());
    assert!(matches!(
        s.add_device(Uuid::now_v7(), &device("orphan")).await,
        Err(StorageError::NoAccount)
    ));
}

pub async fn device_ids_are_unique<S: HubStorage>(s: S) {
    let (a, d1) = account(&s).await;
    let mut dup = device("copy");
    dup.device_id = d1;
    assert!(matches!(
        s.add_device(a, &dup).await,
        Err(StorageError::Conflict(_))
    ));
    assert!(matches!(
        s.create_account(Uuid::now_v7(), &dup, t0()).await,
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(s.list_devices(a).await.unwrap().len(), 1);
}

pub async fn refresh_rotation_and_reuse_detection<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    let fam = Uuid::now_v7();
    let exp = t0() + Duration::days(30);
    s.insert_refresh(&refresh(a, d, fam, "r1", exp))
        .await
        .unwrap();
    assert_eq!(
        s.session_state(a, d, fam).await.unwrap(),
        SessionState::Active
    );

    // The caller's account/device/family on `next` are overwritten from the old token.
    let wrong = refresh(Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), "r2", exp);
    let out = s.rotate_refresh(&hash("r1"), &wrong, t0()).await.unwrap();
    assert_eq!(
        out,
        RotateOutcome::Rotated {
            account_id: a,
            device_id: d,
            family_id: fam
        }
    );
    let out = s
        .rotate_refresh(&hash("r2"), &refresh(a, d, fam, "r3", exp), t0())
        .await
        .unwrap();
    assert!(matches!(out, RotateOutcome::Rotated { .. }), "{out:?}");

    // r1 again: a copy is in someone else's hands.
    let out = s
        .rotate_refresh(&hash("r1"), &refresh(a, d, fam, "r4", exp), t0())
        .await
        .unwrap();
    assert_eq!(out, RotateOutcome::Reused);
    assert_eq!(
        s.session_state(a, d, fam).await.unwrap(),
        SessionState::FamilyRevoked
    );
    // The legitimate newest token dies with the family.
    let out = s
        .rotate_refresh(&hash("r3"), &refresh(a, d, fam, "r5", exp), t0())
        .await
        .unwrap();
    assert_eq!(out, RotateOutcome::Revoked);
    let out = s
        .rotate_refresh(&hash("never issued"), &refresh(a, d, fam, "r6", exp), t0())
        .await
        .unwrap();
    assert_eq!(out, RotateOutcome::Unknown);

    // Another login of the same device is a separate family and still works.
    let fam2 = Uuid::now_v7();
    s.insert_refresh(&refresh(a, d, fam2, "s1", exp))
        .await
        .unwrap();
    assert_eq!(
        s.session_state(a, d, fam2).await.unwrap(),
        SessionState::Active
    );
}

pub async fn refresh_token_expiry<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    let fam = Uuid::now_v7();
    s.insert_refresh(&refresh(a, d, fam, "e1", t0() + Duration::hours(1)))
        .await
        .unwrap();
    let out = s
        .rotate_refresh(
            &hash("e1"),
            &refresh(a, d, fam, "e2", t0() + Duration::hours(3)),
            t0() + Duration::hours(2),
        )
        .await
        .unwrap();
    assert_eq!(out, RotateOutcome::Expired);
}

pub async fn revoking_a_device_ends_its_sessions_at_once<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    let fam = Uuid::now_v7();
    let exp = t0() + Duration::days(30);
    s.insert_refresh(&refresh(a, d, fam, "v1", exp))
        .await
        .unwrap();
    assert!(s.revoke_device(a, d, t0()).await.unwrap());
    assert_eq!(
        s.session_state(a, d, fam).await.unwrap(),
        SessionState::DeviceRevoked
    );
    let out = s
        .rotate_refresh(&hash("v1"), &refresh(a, d, fam, "v2", exp), t0())
        .await
        .unwrap();
    assert_eq!(out, RotateOutcome::Revoked);
}

pub async fn sessions_are_scoped_to_their_account<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    let (b, db) = account(&s).await;
    let fam = Uuid::now_v7();
    s.insert_refresh(&refresh(a, d, fam, "x1", t0() + Duration::days(1)))
        .await
        .unwrap();
    assert_eq!(
        s.session_state(b, d, fam).await.unwrap(),
        SessionState::Unknown
    );
    assert_eq!(
        s.session_state(a, db, fam).await.unwrap(),
        SessionState::Unknown
    );
    assert_eq!(
        s.session_state(a, d, Uuid::now_v7()).await.unwrap(),
        SessionState::Unknown
    );
    // B cannot revoke A's device.
    assert!(!s.revoke_device(b, d, t0()).await.unwrap());
    assert_eq!(
        s.session_state(a, d, fam).await.unwrap(),
        SessionState::Active
    );
}

pub async fn uploads_are_idempotent<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    let b1 = batch(vec![
        record("r1", "v1", b"one"),
        record("r2", "v1", b"two"),
        record("r1", "v2", b"one again"),
    ]);
    let first = s.upload(a, d, &b1, BIG, t0()).await.unwrap();
    let expected = UploadResult {
        stored: 3,
        duplicates: 0,
        last_seq: 3,
    };
    assert_eq!(first, UploadOutcome::Stored(expected));
    assert_eq!(
        s.upload(a, d, &b1, BIG, t0()).await.unwrap(),
        UploadOutcome::Replayed(expected)
    );
    assert_eq!(all_records(&s, a).await.len(), 3);
    assert_eq!(
        s.usage(a).await.unwrap(),
        Usage {
            records: 3,
            bytes: 15
        }
    );

    let mut reused = batch(vec![record("r9", "v1", b"other")]);
    reused.upload_id = b1.upload_id;
    assert_eq!(
        s.upload(a, d, &reused, BIG, t0()).await.unwrap(),
        UploadOutcome::DigestMismatch
    );

    // The same records under a new upload id (a client that lost its state) are duplicates.
    let again = batch(b1.records.clone());
    assert_eq!(
        s.upload(a, d, &again, BIG, t0()).await.unwrap(),
        UploadOutcome::Stored(UploadResult {
            stored: 0,
            duplicates: 3,
            last_seq: 3
        })
    );
    let got = all_records(&s, a).await;
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].ciphertext, b"one again");
    assert_eq!(got[2].record_id, "r1");
    assert_eq!(got[2].version, "v2");
    assert_eq!(got[2].entity, "contact");
}

pub async fn download_pages_through_a_thousand_records<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    for chunk in 0..10 {
        let recs = (0..100)
            .map(|i| {
                let n = chunk * 100 + i;
                record(&format!("rec-{n:04}"), "v1", format!("ct-{n}").as_bytes())
            })
            .collect();
        s.upload(a, d, &batch(recs), BIG, t0()).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut after = 0;
    let mut pages = 0;
    loop {
        let page = s.download(a, after, 128).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 128);
        pages += 1;
        for r in &page {
            assert!(r.seq > after, "seq went backwards");
            after = r.seq;
            seen.push(r.record_id.clone());
        }
    }
    assert_eq!(pages, 8);
    let expected: Vec<String> = (0..1000).map(|n| format!("rec-{n:04}")).collect();
    assert_eq!(
        seen, expected,
        "every record once, in upload order, across pages"
    );
}

pub async fn accounts_never_see_each_other<S: HubStorage>(s: S) {
    let (a, da) = account(&s).await;
    let (b, db) = account(&s).await;
    s.upload(
        a,
        da,
        &batch(vec![record("shared-id", "v1", b"A's secret")]),
        BIG,
        t0(),
    )
    .await
    .unwrap();
    assert!(s.download(b, 0, 100).await.unwrap().is_empty());

    // B writing the same id and version lands in B's space and leaves A's untouched.
    let out = s
        .upload(
            b,
            db,
            &batch(vec![record("shared-id", "v1", b"B's data")]),
            BIG,
            t0(),
        )
        .await
        .unwrap();
    assert!(matches!(out, UploadOutcome::Stored(r) if r.stored == 1));
    assert_eq!(
        s.purge_record(b, "contact", "shared-id").await.unwrap(),
        1,
        "B purges only its own copy"
    );
    let a_has = all_records(&s, a).await;
    assert_eq!(a_has.len(), 1);
    assert_eq!(a_has[0].ciphertext, b"A's secret");

    // The same upload id in two accounts are two uploads.
    let mut bb = batch(vec![record("x", "v1", b"b")]);
    let ab = batch(vec![record("y", "v1", b"a")]);
    bb.upload_id = ab.upload_id;
    assert!(matches!(
        s.upload(a, da, &ab, BIG, t0()).await.unwrap(),
        UploadOutcome::Stored(_)
    ));
    assert!(matches!(
        s.upload(b, db, &bb, BIG, t0()).await.unwrap(),
        UploadOutcome::Stored(_)
    ));

    let b_devices: Vec<Uuid> = s
        .list_devices(b)
        .await
        .unwrap()
        .iter()
        .map(|d| d.device_id)
        .collect();
    assert_eq!(b_devices, vec![db]);
    assert_eq!(s.usage(a).await.unwrap().records, 2);
    assert_eq!(s.usage(b).await.unwrap().records, 1);
}

pub async fn record_quota_is_enforced_atomically<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    let q = Quota {
        max_records: 5,
        max_bytes: 1 << 20,
    };
    let three = |p: &str| {
        batch(
            (0..3)
                .map(|i| record(&format!("{p}{i}"), "v1", b"xx"))
                .collect(),
        )
    };
    assert!(matches!(
        s.upload(a, d, &three("a"), q, t0()).await.unwrap(),
        UploadOutcome::Stored(_)
    ));
    let over = three("b");
    assert_eq!(
        s.upload(a, d, &over, q, t0()).await.unwrap(),
        UploadOutcome::QuotaExceeded {
            kind: QuotaKind::Records,
            limit: 5,
            would_be: 6
        }
    );
    assert_eq!(s.usage(a).await.unwrap().records, 3);
    assert_eq!(
        all_records(&s, a).await.len(),
        3,
        "nothing of the batch stays"
    );
    // The refused upload id was not burned: it works once there is room.
    let bigger = Quota {
        max_records: 6,
        ..q
    };
    assert!(matches!(
        s.upload(a, d, &over, bigger, t0()).await.unwrap(),
        UploadOutcome::Stored(UploadResult { stored: 3, .. })
    ));
}

pub async fn byte_quota_is_enforced_atomically<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    let q = Quota {
        max_records: 100,
        max_bytes: 100,
    };
    let out = s
        .upload(a, d, &batch(vec![record("a", "v1", &[7; 60])]), q, t0())
        .await
        .unwrap();
    assert!(matches!(out, UploadOutcome::Stored(_)));
    let out = s
        .upload(
            a,
            d,
            &batch(vec![
                record("b", "v1", &[7; 30]),
                record("c", "v1", &[7; 30]),
            ]),
            q,
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(
        out,
        UploadOutcome::QuotaExceeded {
            kind: QuotaKind::Bytes,
            limit: 100,
            would_be: 120
        }
    );
    assert_eq!(
        s.usage(a).await.unwrap(),
        Usage {
            records: 1,
            bytes: 60
        }
    );
}

pub async fn purge_gives_quota_back<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    s.upload(
        a,
        d,
        &batch(vec![
            record("p", "v1", b"1234"),
            record("p", "v2", b"56"),
            record("q", "v1", b"7"),
        ]),
        BIG,
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(s.purge_record(a, "shipment", "p").await.unwrap(), 0);
    assert_eq!(s.purge_record(a, "contact", "p").await.unwrap(), 2);
    assert_eq!(
        s.usage(a).await.unwrap(),
        Usage {
            records: 1,
            bytes: 1
        }
    );
    let left = all_records(&s, a).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].record_id, "q");
    // A new upload still gets a higher seq than anything handed out before.
    let out = s
        .upload(a, d, &batch(vec![record("r", "v1", b"8")]), BIG, t0())
        .await
        .unwrap();
    assert_eq!(
        out,
        UploadOutcome::Stored(UploadResult {
            stored: 1,
            duplicates: 0,
            last_seq: 4
        })
    );
}

/// The hub's storage budget reads this total, so it must follow uploads and purges of every
/// account.
pub async fn total_usage_sums_every_account<S: HubStorage>(s: S) {
    assert_eq!(s.total_usage().await.unwrap(), Usage::default());
    let (a, da) = account(&s).await;
    let (b, db) = account(&s).await;
    assert_eq!(s.total_usage().await.unwrap(), Usage::default());
    s.upload(
        a,
        da,
        &batch(vec![record("p", "v1", b"1234"), record("q", "v1", b"56")]),
        BIG,
        t0(),
    )
    .await
    .unwrap();
    s.upload(b, db, &batch(vec![record("p", "v1", b"789")]), BIG, t0())
        .await
        .unwrap();
    assert_eq!(
        s.total_usage().await.unwrap(),
        Usage {
            records: 3,
            bytes: 9
        }
    );
    assert_eq!(s.purge_record(a, "contact", "p").await.unwrap(), 1);
    assert_eq!(
        s.total_usage().await.unwrap(),
        Usage {
            records: 2,
            bytes: 5
        }
    );
}

pub async fn pairing_slot_is_taken_once_and_expires<S: HubStorage>(s: S) {
    let (a, _) = account(&s).await;
    let slot = |id: &str, exp: DateTime<Utc>| PairingSlot {
        lookup_id: id.into(),
        account_id: a,
        blob: format!("blob for {id}").into_bytes(),
        created_at: t0(),
        expires_at: exp,
        answerable: false,
    };
    let lookup = format!("lookup-{}", Uuid::now_v7().simple());
    let exp = t0() + Duration::minutes(10);
    assert!(s.put_pairing(&slot(&lookup, exp), t0()).await.unwrap());
    assert!(
        !s.put_pairing(&slot(&lookup, exp), t0()).await.unwrap(),
        "a live slot is not overwritten"
    );
    assert_eq!(
        s.take_pairing(&lookup, t0()).await.unwrap(),
        Some((a, format!("blob for {lookup}").into_bytes()))
    );
    assert_eq!(s.take_pairing(&lookup, t0()).await.unwrap(), None);

    let stale = format!("stale-{}", Uuid::now_v7().simple());
    assert!(s.put_pairing(&slot(&stale, exp), t0()).await.unwrap());
    let after = exp + Duration::seconds(1);
    assert_eq!(s.take_pairing(&stale, after).await.unwrap(), None);
    assert!(
        s.put_pairing(&slot(&stale, after + Duration::minutes(10)), after)
            .await
            .unwrap(),
        "an expired slot is replaced"
    );
}

/// Typed pairing codes (issue #18): the one device that answers gets the first device's
/// message; the answer is for the account that parked the slot, and only until it expires. The
/// slot's lookup id is public, so nobody can take it, and only such a slot takes an answer.
pub async fn a_pairing_slot_takes_one_answer_for_its_owner_only<S: HubStorage>(s: S) {
    let (a, _) = account(&s).await;
    let (b, _) = account(&s).await;
    let lookup = format!("plate-{}", Uuid::now_v7().simple());
    let exp = t0() + Duration::minutes(10);
    let offer = PairingSlot {
        lookup_id: lookup.clone(),
        account_id: a,
        blob: b"offer".to_vec(),
        created_at: t0(),
        expires_at: exp,
        answerable: true,
    };
    assert!(s.put_pairing(&offer, t0()).await.unwrap());
    assert_eq!(s.pairing_answer(a, &lookup, t0()).await.unwrap(), None);
    assert_eq!(
        s.take_pairing(&lookup, t0()).await.unwrap(),
        None,
        "an answerable slot is never taken"
    );
    assert_eq!(
        s.answer_pairing(&lookup, b"first", t0()).await.unwrap(),
        Some((a, b"offer".to_vec()))
    );
    assert_eq!(
        s.answer_pairing(&lookup, b"second", t0()).await.unwrap(),
        None,
        "one answer per slot"
    );
    assert_eq!(
        s.pairing_answer(a, &lookup, t0()).await.unwrap(),
        Some(b"first".to_vec())
    );
    assert_eq!(s.pairing_answer(b, &lookup, t0()).await.unwrap(), None);
    assert_eq!(s.pairing_answer(a, &lookup, exp).await.unwrap(), None);
    let missing = format!("none-{}", Uuid::now_v7().simple());
    assert_eq!(s.answer_pairing(&missing, b"x", t0()).await.unwrap(), None);
    let late = format!("late-{}", Uuid::now_v7().simple());
    assert!(s
        .put_pairing(
            &PairingSlot {
                lookup_id: late.clone(),
                ..offer.clone()
            },
            t0()
        )
        .await
        .unwrap());
    assert_eq!(s.answer_pairing(&late, b"x", exp).await.unwrap(), None);
    // Its owner may drop it; nobody else.
    let dropped = format!("drop-{}", Uuid::now_v7().simple());
    let mine = PairingSlot {
        lookup_id: dropped.clone(),
        ..offer.clone()
    };
    assert!(s.put_pairing(&mine, t0()).await.unwrap());
    assert!(!s.drop_pairing(b, &dropped).await.unwrap());
    assert!(s.drop_pairing(a, &dropped).await.unwrap());
    assert_eq!(s.answer_pairing(&dropped, b"x", t0()).await.unwrap(), None);
    // A slot made to be taken (a QR code's, an approval) takes no answer, and stays.
    let taken = format!("taken-{}", Uuid::now_v7().simple());
    let plain = PairingSlot {
        lookup_id: taken.clone(),
        answerable: false,
        ..offer.clone()
    };
    assert!(s.put_pairing(&plain, t0()).await.unwrap());
    assert_eq!(s.answer_pairing(&taken, b"x", t0()).await.unwrap(), None);
    assert_eq!(
        s.take_pairing(&taken, t0()).await.unwrap(),
        Some((a, b"offer".to_vec()))
    );
}

pub async fn audit_log_is_per_account_and_ordered<S: HubStorage>(s: S) {
    let (a, da) = account(&s).await;
    let (b, _) = account(&s).await;
    for i in 0..5 {
        s.append_audit(&AuditEntry {
            id: 0,
            account_id: a,
            device_id: Some(da),
            action: "records.download".into(),
            detail: format!("after={i}"),
            at: t0() + Duration::seconds(i),
        })
        .await
        .unwrap();
    }
    s.append_audit(&AuditEntry {
        id: 0,
        account_id: b,
        device_id: None,
        action: "pairing.take".into(),
        detail: String::new(),
        at: t0(),
    })
    .await
    .unwrap();
    let first = s.list_audit(a, 0, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(first[0].detail, "after=0");
    assert_eq!(first[0].device_id, Some(da));
    assert_eq!(first[0].at, t0());
    let rest = s.list_audit(a, first[2].id, 100).await.unwrap();
    assert_eq!(
        rest.iter().map(|e| e.detail.as_str()).collect::<Vec<_>>(),
        ["after=3", "after=4"]
    );
    let bs = s.list_audit(b, 0, 100).await.unwrap();
    assert_eq!(bs.len(), 1);
    assert_eq!(bs[0].device_id, None);
}

pub async fn concurrent_uploads_keep_cursors_gapless<S: HubStorage>(s: S) {
    let s = Arc::new(s);
    let (a, d) = account(&*s).await;
    let mut tasks = Vec::new();
    for w in 0..6 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            for k in 0..10 {
                let recs = (0..5)
                    .map(|i| record(&format!("w{w}-k{k}-i{i}"), "v1", b"c"))
                    .collect();
                let out = s.upload(a, d, &batch(recs), BIG, t0()).await.unwrap();
                assert!(matches!(out, UploadOutcome::Stored(r) if r.stored == 5));
            }
        }));
    }
    // A reader paging while writers commit must never move its cursor past a record it has
    // not seen yet.
    let reader = {
        let s = Arc::clone(&s);
        tokio::spawn(async move {
            let mut after = 0;
            let mut seen = 0;
            for _ in 0..2000 {
                let page = s.download(a, after, 7).await.unwrap();
                for r in &page {
                    assert_eq!(r.seq, after + 1, "a reader saw a gap");
                    after = r.seq;
                    seen += 1;
                }
                if seen == 300 {
                    break;
                }
                tokio::task::yield_now().await;
            }
            seen
        })
    };
    for t in tasks {
        t.await.unwrap();
    }
    let seen_live = reader.await.unwrap();
    let all = all_records(&*s, a).await;
    assert_eq!(all.len(), 300);
    for (i, r) in all.iter().enumerate() {
        assert_eq!(r.seq, i as i64 + 1);
    }
    assert!(seen_live <= 300);
}

pub async fn pruning_forgets_only_what_is_old<S: HubStorage>(s: S) {
    let (a, d) = account(&s).await;
    let old = batch(vec![record("o", "v1", b"old")]);
    s.upload(a, d, &old, BIG, t0()).await.unwrap();
    let new = batch(vec![record("n", "v1", b"new")]);
    let later = t0() + Duration::days(40);
    s.upload(a, d, &new, BIG, later).await.unwrap();
    for (at, detail) in [(t0(), "old"), (later, "new")] {
        s.append_audit(&AuditEntry {
            id: 0,
            account_id: a,
            device_id: Some(d),
            action: "records.download".into(),
            detail: detail.into(),
            at,
        })
        .await
        .unwrap();
    }
    let lookup = format!("prune-{}", Uuid::now_v7().simple());
    s.put_pairing(
        &PairingSlot {
            lookup_id: lookup.clone(),
            account_id: a,
            blob: b"b".to_vec(),
            created_at: t0(),
            expires_at: t0() + Duration::minutes(5),
            answerable: false,
        },
        t0(),
    )
    .await
    .unwrap();

    let cut = t0() + Duration::days(30);
    let pruned = s.prune(cut, cut, later).await.unwrap();
    assert_eq!(
        pruned,
        Pruned {
            uploads: 1,
            audit_entries: 1,
            pairing_slots: 1
        }
    );
    let audit = s.list_audit(a, 0, 10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].detail, "new");
    // The records themselves stay; a late retry of the forgotten upload stores nothing new.
    assert_eq!(all_records(&s, a).await.len(), 2);
    assert_eq!(
        s.upload(a, d, &old, BIG, later).await.unwrap(),
        UploadOutcome::Stored(UploadResult {
            stored: 0,
            duplicates: 1,
            last_seq: 2
        })
    );
    // The recent upload is still remembered.
    assert!(matches!(
        s.upload(a, d, &new, BIG, later).await.unwrap(),
        UploadOutcome::Replayed(_)
    ));
}

fn recovery(tag: &str) -> RecoveryVerifier {
    RecoveryVerifier {
        lookup: format!("{:0>64}", tag),
        verifier: hash(tag),
    }
}

pub async fn recovery_verifier_names_one_account<S: HubStorage>(s: S) {
    let a = Uuid::now_v7();
    let first = device("recovering laptop");
    s.create_account_with_recovery(a, &first, Some(&recovery("a1")), t0())
        .await
        .unwrap();
    assert_eq!(
        s.recovery(&recovery("a1").lookup).await.unwrap(),
        Some((a, hash("a1")))
    );
    assert_eq!(s.recovery(&recovery("nobody").lookup).await.unwrap(), None);

    // An account made without one (before recovery existed) adds it later.
    let (b, _) = account(&s).await;
    s.set_recovery(b, &recovery("b1"), t0()).await.unwrap();
    assert_eq!(
        s.recovery(&recovery("b1").lookup).await.unwrap(),
        Some((b, hash("b1")))
    );

    // Replacing it retires the old lookup at once.
    s.set_recovery(a, &recovery("a2"), t0()).await.unwrap();
    assert_eq!(s.recovery(&recovery("a1").lookup).await.unwrap(), None);
    assert_eq!(
        s.recovery(&recovery("a2").lookup).await.unwrap(),
        Some((a, hash("a2")))
    );
    // Setting the same one again is harmless.
    s.set_recovery(a, &recovery("a2"), t0()).await.unwrap();

    // No account can take over another's lookup, at creation or later.
    assert!(matches!(
        s.set_recovery(b, &recovery("a2"), t0()).await,
        Err(StorageError::Conflict(_))
    ));
    let c = Uuid::now_v7();
    assert!(matches!(
        s.create_account_with_recovery(c, &device("thief"), Some(&recovery("a2")), t0())
            .await,
        Err(StorageError::Conflict(_))
    ));
    assert!(
        s.usage(c).await.is_err(),
        "a refused creation leaves no account behind"
    );
    assert_eq!(
        s.recovery(&recovery("a2").lookup).await.unwrap(),
        Some((a, hash("a2")))
    );
    assert_eq!(
        s.recovery(&recovery("b1").lookup).await.unwrap(),
        Some((b, hash("b1")))
    );
    assert!(matches!(
        s.set_recovery(Uuid::now_v7(), &recovery("orphan"), t0())
            .await,
        Err(StorageError::NoAccount)
    ));
}

fn device_key(tag: &str) -> DeviceKey {
    DeviceKey {
        public_key: format!("public key {tag}").into_bytes(),
        tag: format!("tag {tag}").into_bytes(),
    }
}

fn grant(device_id: Uuid, tag: &str) -> KeyGrant {
    KeyGrant {
        device_id,
        blob: format!("sealed {tag}").into_bytes(),
    }
}

fn key_info(device_id: Uuid, key: Option<DeviceKey>, granted: bool) -> DeviceKeyInfo {
    DeviceKeyInfo {
        device_id,
        key,
        granted,
    }
}

/// A device added `minutes` after the first, so the order of `key_state` is known.
fn later_device(label: &str, minutes: i64) -> NewDevice {
    NewDevice {
        created_at: t0() + Duration::minutes(minutes),
        ..device(label)
    }
}

pub async fn key_rotation_grants_only_live_devices_and_moves_one_epoch_at_a_time<S: HubStorage>(
    s: S,
) {
    let a = Uuid::now_v7();
    let first = device("first device");
    let d1 = first.device_id;
    s.create_account_with_recovery(a, &first, Some(&recovery("k0")), t0())
        .await
        .unwrap();
    let d2 = later_device("second device", 1);
    s.add_device(a, &d2).await.unwrap();
    let d2 = d2.device_id;
    let gone = later_device("revoked device", 2);
    s.add_device(a, &gone).await.unwrap();
    let gone = gone.device_id;
    let (b, b1) = account(&s).await;

    // A fresh account is at the key it was made with.
    assert_eq!(
        s.key_state(a, d1).await.unwrap(),
        KeyState {
            epoch: 0,
            keyring: None,
            grant: None,
            devices: vec![
                key_info(d1, None, false),
                key_info(d2, None, false),
                key_info(gone, None, false),
            ],
            rotation_due: false,
            recovery_set: true,
        }
    );

    // A device sets its own key (and may replace it: it lost its secret), and only a live
    // device of the account.
    assert!(s
        .set_device_key(a, d1, &device_key("swapped"))
        .await
        .unwrap());
    assert!(s.set_device_key(a, d1, &device_key("d1")).await.unwrap());
    assert!(s.set_device_key(a, d2, &device_key("d2")).await.unwrap());
    assert!(s.revoke_device(a, gone, t0()).await.unwrap());
    assert!(!s
        .set_device_key(a, gone, &device_key("gone"))
        .await
        .unwrap());
    assert!(!s
        .set_device_key(a, b1, &device_key("a on b"))
        .await
        .unwrap());
    assert!(!s
        .set_device_key(b, d1, &device_key("b on a"))
        .await
        .unwrap());
    let before = s.key_state(a, d1).await.unwrap();
    assert_eq!(
        before.devices,
        vec![
            key_info(d1, Some(device_key("d1")), false),
            key_info(d2, Some(device_key("d2")), false),
        ],
        "only live devices, with their keys"
    );
    assert!(before.rotation_due, "a revocation makes the key due");
    assert_eq!(
        s.key_state(b, b1).await.unwrap().devices,
        vec![key_info(b1, None, false)]
    );

    // Skipping an epoch is refused and writes nothing.
    let rotation = KeyRotation {
        epoch: 1,
        keyring: b"keyring 1".to_vec(),
        grants: vec![grant(d1, "1 d1"), grant(gone, "1 gone"), grant(b1, "1 b1")],
        recovery: Some(recovery("k1")),
    };
    let skipping = KeyRotation {
        epoch: 2,
        ..rotation.clone()
    };
    assert!(!s.rotate_key(a, &skipping, t0()).await.unwrap());
    assert_eq!(s.key_state(a, d1).await.unwrap(), before);
    assert_eq!(s.recovery(&recovery("k1").lookup).await.unwrap(), None);
    assert_eq!(
        s.recovery(&recovery("k0").lookup).await.unwrap(),
        Some((a, hash("k0")))
    );

    // The next epoch: only the live device of this account gets its grant.
    assert!(s.rotate_key(a, &rotation, t0()).await.unwrap());
    let rotated = s.key_state(a, d1).await.unwrap();
    assert_eq!(
        rotated,
        KeyState {
            epoch: 1,
            keyring: Some(b"keyring 1".to_vec()),
            grant: Some(grant(d1, "1 d1").blob),
            devices: vec![
                key_info(d1, Some(device_key("d1")), true),
                key_info(d2, Some(device_key("d2")), false),
            ],
            rotation_due: false,
            recovery_set: true,
        }
    );
    assert_eq!(s.key_state(a, d2).await.unwrap().grant, None);
    assert_eq!(
        s.key_state(a, gone).await.unwrap().grant,
        None,
        "a revoked device gets no grant"
    );
    // The old phrase's lookup dies with the old key.
    assert_eq!(s.recovery(&recovery("k0").lookup).await.unwrap(), None);
    assert_eq!(
        s.recovery(&recovery("k1").lookup).await.unwrap(),
        Some((a, hash("k1")))
    );

    // A device that rotated from the same epoch, second, is told so and stores nothing.
    let late = KeyRotation {
        keyring: b"late keyring".to_vec(),
        grants: vec![grant(d2, "late d2")],
        recovery: Some(recovery("late")),
        ..rotation.clone()
    };
    assert!(!s.rotate_key(a, &late, t0()).await.unwrap());
    assert_eq!(s.key_state(a, d1).await.unwrap(), rotated);
    assert_eq!(s.recovery(&recovery("late").lookup).await.unwrap(), None);

    // A device that registered its key after the rotation gets the key; a device that has a
    // grant keeps it; revoked and foreign devices still get nothing.
    let d3 = later_device("third device", 3);
    s.add_device(a, &d3).await.unwrap();
    let d3 = d3.device_id;
    assert!(s.set_device_key(a, d3, &device_key("d3")).await.unwrap());
    let added = s
        .add_grants(
            a,
            1,
            &[
                grant(d1, "1 d1 again"),
                grant(d3, "1 d3"),
                grant(gone, "1 gone"),
                grant(b1, "1 b1"),
            ],
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(added, 1);
    assert_eq!(
        s.key_state(a, d1).await.unwrap().grant,
        Some(grant(d1, "1 d1").blob)
    );
    assert_eq!(
        s.key_state(a, d3).await.unwrap().grant,
        Some(grant(d3, "1 d3").blob)
    );
    for stale in [0, 2] {
        assert_eq!(
            s.add_grants(a, stale, &[grant(d2, "wrong epoch")], t0())
                .await
                .unwrap(),
            0,
            "a grant of epoch {stale} while the account is at 1"
        );
    }
    assert_eq!(
        s.key_state(a, d3).await.unwrap().devices,
        vec![
            key_info(d1, Some(device_key("d1")), true),
            key_info(d2, Some(device_key("d2")), false),
            key_info(d3, Some(device_key("d3")), true),
        ]
    );

    // No removal since the last rotation: nothing to rotate for.
    let undue = KeyRotation {
        epoch: 2,
        keyring: b"undue".to_vec(),
        grants: vec![grant(d1, "undue d1")],
        recovery: None,
    };
    assert!(!s.rotate_key(a, &undue, t0()).await.unwrap());
    assert_eq!(s.key_state(a, d1).await.unwrap().epoch, 1);

    // The other account saw none of it: when it reaches epoch 1 itself, the grant offered to
    // its device by account `a` is not there, and `a`'s devices never show.
    let b_gone = later_device("b's lost phone", 4);
    s.add_device(b, &b_gone).await.unwrap();
    assert!(s.revoke_device(b, b_gone.device_id, t0()).await.unwrap());
    assert!(s
        .rotate_key(
            b,
            &KeyRotation {
                epoch: 1,
                keyring: b"b keyring".to_vec(),
                grants: Vec::new(),
                recovery: None,
            },
            t0(),
        )
        .await
        .unwrap());
    assert_eq!(
        s.key_state(b, b1).await.unwrap(),
        KeyState {
            epoch: 1,
            keyring: Some(b"b keyring".to_vec()),
            grant: None,
            devices: vec![key_info(b1, None, false)],
            rotation_due: false,
            recovery_set: false,
        }
    );
    assert_eq!(
        s.key_state(b, d1).await.unwrap().grant,
        None,
        "another account's device's grant is not this account's"
    );

    // A rotation whose recovery lookup another account holds is refused whole.
    let d4 = later_device("fourth device", 5);
    s.add_device(a, &d4).await.unwrap();
    assert!(s.revoke_device(a, d4.device_id, t0()).await.unwrap());
    s.set_recovery(b, &recovery("b phrase"), t0())
        .await
        .unwrap();
    let taken = KeyRotation {
        epoch: 2,
        keyring: b"keyring 2".to_vec(),
        grants: vec![grant(d2, "2 d2")],
        recovery: Some(recovery("b phrase")),
    };
    assert!(matches!(
        s.rotate_key(a, &taken, t0()).await,
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(s.key_state(a, d2).await.unwrap().epoch, 1);
    assert_eq!(s.key_state(a, d2).await.unwrap().grant, None);
    assert_eq!(
        s.recovery(&recovery("k1").lookup).await.unwrap(),
        Some((a, hash("k1")))
    );

    let nobody = Uuid::now_v7();
    assert!(matches!(
        s.key_state(nobody, d1).await,
        Err(StorageError::NoAccount)
    ));
    assert!(matches!(
        s.rotate_key(nobody, &rotation, t0()).await,
        Err(StorageError::NoAccount)
    ));
    assert!(matches!(
        s.add_grants(nobody, 0, &[grant(d1, "nobody")], t0()).await,
        Err(StorageError::NoAccount)
    ));
    assert!(!s
        .set_device_key(nobody, d2, &device_key("nobody"))
        .await
        .unwrap());

    // Devices rotating at once: exactly one moves the account on.
    let s = Arc::new(s);
    let mut tasks = Vec::new();
    for w in 0..4 {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            let next = KeyRotation {
                epoch: 2,
                keyring: format!("keyring 2 from {w}").into_bytes(),
                grants: vec![grant(d1, &format!("2 d1 from {w}"))],
                recovery: None,
            };
            s.rotate_key(a, &next, t0()).await.unwrap()
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1, "one rotation per epoch");
    let last = s.key_state(a, d1).await.unwrap();
    assert_eq!(last.epoch, 2);
    let winner = last.keyring.expect("the winner's keyring");
    let w = String::from_utf8(winner).unwrap();
    let w = w.strip_prefix("keyring 2 from ").unwrap();
    assert_eq!(last.grant, Some(grant(d1, &format!("2 d1 from {w}")).blob));
    assert_eq!(
        last.devices,
        vec![
            key_info(d1, Some(device_key("d1")), true),
            key_info(d2, Some(device_key("d2")), false),
            key_info(d3, Some(device_key("d3")), false),
        ],
        "the grant of the rotation refused for its recovery lookup was rolled back"
    );
    // A device that replaces its key loses its grant (sealed to the old one) until another
    // device grants the current key again.
    assert!(s
        .set_device_key(a, d1, &device_key("d1 anew"))
        .await
        .unwrap());
    let after = s.key_state(a, d1).await.unwrap();
    assert_eq!(after.grant, None);
    assert_eq!(
        after.devices[0],
        key_info(d1, Some(device_key("d1 anew")), false)
    );
    assert_eq!(
        s.add_grants(a, 2, &[grant(d1, "2 d1 anew")], t0())
            .await
            .unwrap(),
        1
    );
}

pub async fn removals_wait_and_an_asker_removed_first_drops_them<S: HubStorage>(s: S) {
    let acc = Uuid::now_v7();
    let first = device("first device");
    let a = first.device_id;
    s.create_account_with_recovery(acc, &first, Some(&recovery("r0")), t0())
        .await
        .unwrap();
    let b = later_device("second device", 1);
    s.add_device(acc, &b).await.unwrap();
    let b = b.device_id;
    let c = later_device("third device", 2);
    s.add_device(acc, &c).await.unwrap();
    let c = c.device_id;
    let (other, other_dev) = account(&s).await;

    let fresh = s.key_state(acc, a).await.unwrap();
    assert!(!fresh.rotation_due);
    assert!(fresh.recovery_set);
    let fresh = s.key_state(other, other_dev).await.unwrap();
    assert!(!fresh.rotation_due);
    assert!(!fresh.recovery_set, "made without a recovery phrase");

    let fam = Uuid::now_v7();
    let exp = t0() + Duration::days(30);
    s.insert_refresh(&refresh(acc, a, fam, "pr1", exp))
        .await
        .unwrap();

    // The newest device asks to remove the oldest: the removal waits, and asking again (even
    // for later) does not move it.
    let due = t0() + Duration::days(3);
    assert_eq!(s.defer_revocation(acc, a, c, due).await.unwrap(), Some(due));
    assert_eq!(
        s.defer_revocation(acc, a, c, due + Duration::days(1))
            .await
            .unwrap(),
        Some(due),
        "a pending removal keeps its first time"
    );
    let pending = vec![PendingRemoval {
        device_id: a,
        asked_by: c,
        effective_at: due,
    }];
    assert_eq!(s.pending_removals(acc).await.unwrap(), pending);
    assert!(s.pending_removals(other).await.unwrap().is_empty());

    // Not yet due: nothing happens, in this account or through another.
    assert_eq!(
        s.apply_due_revocations(acc, t0() + Duration::days(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(s.apply_due_revocations(other, due).await.unwrap(), 0);
    assert_eq!(s.device(a).await.unwrap().unwrap().revoked_at, None);
    assert_eq!(
        s.session_state(acc, a, fam).await.unwrap(),
        SessionState::Active
    );
    assert!(!s.key_state(acc, b).await.unwrap().rotation_due);
    assert_eq!(s.pending_removals(acc).await.unwrap(), pending);

    // Due: revoked as `revoke_device` would, sessions and all, and the key is due.
    assert_eq!(s.apply_due_revocations(acc, due).await.unwrap(), 1);
    assert_eq!(s.device(a).await.unwrap().unwrap().revoked_at, Some(due));
    assert_eq!(
        s.session_state(acc, a, fam).await.unwrap(),
        SessionState::DeviceRevoked
    );
    assert_eq!(
        s.rotate_refresh(&hash("pr1"), &refresh(acc, a, fam, "pr2", exp), due)
            .await
            .unwrap(),
        RotateOutcome::Revoked
    );
    assert!(s.pending_removals(acc).await.unwrap().is_empty());
    assert_eq!(
        s.apply_due_revocations(acc, due + Duration::days(1))
            .await
            .unwrap(),
        0,
        "carried out once"
    );
    let k = s.key_state(acc, b).await.unwrap();
    assert!(k.rotation_due);
    assert_eq!(
        k.devices.iter().map(|d| d.device_id).collect::<Vec<_>>(),
        vec![b, c]
    );
    assert!(!s.key_state(other, other_dev).await.unwrap().rotation_due);

    // A rotation clears it; revoking the revoked device again does not set it back.
    let rotation = KeyRotation {
        epoch: 1,
        keyring: b"keyring 1".to_vec(),
        grants: Vec::new(),
        recovery: None,
    };
    assert!(s.rotate_key(acc, &rotation, due).await.unwrap());
    let k = s.key_state(acc, b).await.unwrap();
    assert_eq!((k.epoch, k.rotation_due, k.recovery_set), (1, false, true));
    assert!(s
        .revoke_device(acc, a, due + Duration::days(1))
        .await
        .unwrap());
    assert!(!s.key_state(acc, b).await.unwrap().rotation_due);
    assert_eq!(s.device(a).await.unwrap().unwrap().revoked_at, Some(due));

    // The asker is removed first (a newer device goes at once): its request is dropped.
    let later = due + Duration::days(1);
    let b_due = later + Duration::days(3);
    assert_eq!(
        s.defer_revocation(acc, b, c, b_due).await.unwrap(),
        Some(b_due)
    );
    assert_eq!(s.pending_removals(acc).await.unwrap().len(), 1);
    assert!(s.revoke_device(acc, c, later).await.unwrap());
    assert!(s.key_state(acc, b).await.unwrap().rotation_due);
    assert!(s.pending_removals(acc).await.unwrap().is_empty());
    assert_eq!(
        s.apply_due_revocations(acc, later + Duration::days(30))
            .await
            .unwrap(),
        0
    );
    assert_eq!(s.device(b).await.unwrap().unwrap().revoked_at, None);
    assert!(s.pending_removals(acc).await.unwrap().is_empty());

    // Only a live device of the account can be held for removal.
    assert_eq!(s.defer_revocation(acc, a, b, b_due).await.unwrap(), None);
    assert_eq!(
        s.defer_revocation(acc, other_dev, b, b_due).await.unwrap(),
        None
    );
    assert_eq!(
        s.defer_revocation(other, b, other_dev, b_due)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.defer_revocation(Uuid::now_v7(), b, b, b_due)
            .await
            .unwrap(),
        None
    );
    assert!(s.pending_removals(acc).await.unwrap().is_empty());
    assert!(s.pending_removals(other).await.unwrap().is_empty());
    assert!(!s.key_state(other, other_dev).await.unwrap().rotation_due);
}
