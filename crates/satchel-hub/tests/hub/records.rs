//! Uploading and downloading records: idempotent retries, cursors over many pages, caps and
//! quotas, and the audit log of reads.

use reqwest::{Method, StatusCode};
use satchel_sync_proto as proto;
use serde_json::json;
use uuid::Uuid;

use crate::common::*;

#[tokio::test]
async fn repeating_an_upload_stores_nothing_and_answers_the_same_sqlite() {
    repeating_an_upload_stores_nothing_and_answers_the_same(sqlite_hub(relaxed()).await).await;
}

#[cfg(feature = "system-tests")]
#[tokio::test]
async fn repeating_an_upload_stores_nothing_and_answers_the_same_postgres() {
    repeating_an_upload_stores_nothing_and_answers_the_same(postgres_hub(relaxed()).await).await;
}

async fn repeating_an_upload_stores_nothing_and_answers_the_same(t: TestHub) {
    let d = t.create_account().await;
    let up = Uuid::now_v7();
    let recs = [
        record("c1", "000000000001-000000-dev", b"ct-1"),
        record("c2", "000000000001-000001-dev", b"ct-2"),
    ];
    let first = t.upload(&d, up, &recs).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let first: proto::UploadResponse = first.json();
    assert_eq!((first.stored, first.duplicates, first.last_seq), (2, 0, 2));
    assert!(!first.replayed);

    let again: proto::UploadResponse = t.upload(&d, up, &recs).await.json();
    assert_eq!(
        again,
        proto::UploadResponse {
            replayed: true,
            ..first.clone()
        }
    );
    assert_eq!(t.download_all(&d, 10).await.len(), 2);
    let usage: proto::UsageResponse = t
        .call(Method::GET, "/v0/usage", Some(&d.access), None)
        .await
        .json();
    assert_eq!((usage.records, usage.bytes), (2, 8));

    let r = t
        .upload(&d, up, &[record("c3", "000000000002-000000-dev", b"other")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["field"], "upload_id");
}

#[tokio::test]
async fn a_thousand_records_page_out_once_each_in_order_sqlite() {
    a_thousand_records_page_out_once_each_in_order(sqlite_hub(relaxed()).await).await;
}

#[cfg(feature = "system-tests")]
#[tokio::test]
async fn a_thousand_records_page_out_once_each_in_order_postgres() {
    a_thousand_records_page_out_once_each_in_order(postgres_hub(relaxed()).await).await;
}

async fn a_thousand_records_page_out_once_each_in_order(t: TestHub) {
    let d = t.create_account().await;
    for chunk in 0..4 {
        let recs: Vec<_> = (0..250)
            .map(|i| {
                let n = chunk * 250 + i;
                record(&format!("rec-{n:04}"), "v1", format!("ct-{n}").as_bytes())
            })
            .collect();
        let r = t.upload(&d, Uuid::now_v7(), &recs).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let mut after = 0;
    let mut pages = 0;
    let mut ids = Vec::new();
    loop {
        let r: proto::DownloadResponse = t
            .call(
                Method::GET,
                &format!("/v0/records?after={after}&limit=100"),
                Some(&d.access),
                None,
            )
            .await
            .json();
        pages += 1;
        assert_eq!(r.limit, 100);
        ids.extend(r.records.iter().map(|x| x.record_id.clone()));
        assert!(r.records.iter().all(|x| x.seq > after));
        after = r.next_cursor;
        if !r.has_more {
            break;
        }
    }
    assert_eq!(pages, 10);
    let expected: Vec<String> = (0..1000).map(|n| format!("rec-{n:04}")).collect();
    assert_eq!(ids, expected);

    // Asking for everything at once gets the capped page size.
    let r: proto::DownloadResponse = t
        .call(
            Method::GET,
            "/v0/records?after=0&limit=100000",
            Some(&d.access),
            None,
        )
        .await
        .json();
    assert_eq!(r.limit, 500);
    assert_eq!(r.records.len(), 500);
    assert!(r.has_more);
}

#[tokio::test]
async fn an_over_quota_upload_is_refused_clearly_and_stores_nothing() {
    let mut cfg = relaxed();
    cfg.quota.max_records = 10;
    let t = sqlite_hub(cfg).await;
    let d = t.create_account().await;
    let recs: Vec<_> = (0..11)
        .map(|i| record(&format!("q{i}"), "v1", b"x"))
        .collect();
    let r = t.upload(&d, Uuid::now_v7(), &recs).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "quota_exceeded");
    let msg = r.body["message"].as_str().unwrap();
    assert!(msg.contains("10 records") && msg.contains("11"), "{msg}");
    assert!(t.download_all(&d, 50).await.is_empty());
}

#[tokio::test]
async fn bad_records_are_refused_naming_the_field() {
    let mut cfg = relaxed();
    cfg.limits.max_batch_records = 3;
    cfg.limits.max_record_bytes = 16;
    let t = sqlite_hub(cfg).await;
    let d = t.create_account().await;
    let cases = [
        (
            vec![
                record("ok", "v1", b"x"),
                json!({"record_id": "a", "entity": "contact", "version": "v", "ciphertext": "!!"}),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "records[1].ciphertext",
        ),
        (
            vec![record("ok", "v1", &[0; 17])],
            StatusCode::PAYLOAD_TOO_LARGE,
            "records[0].ciphertext",
        ),
        (
            vec![
                json!({"record_id": "a", "entity": "Contact!", "version": "v", "ciphertext": b64(b"x")}),
            ],
            StatusCode::BAD_REQUEST,
            "records[0].entity",
        ),
        (
            vec![record("a/b", "v1", b"x")],
            StatusCode::BAD_REQUEST,
            "records[0].record_id",
        ),
        (
            (0..4)
                .map(|i| record(&format!("r{i}"), "v1", b"x"))
                .collect(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "records",
        ),
    ];
    for (recs, status, field) in cases {
        let r = t.upload(&d, Uuid::now_v7(), &recs).await;
        assert_eq!(r.status, status, "{field}: {}", r.body);
        assert_eq!(r.body["field"], field, "{}", r.body);
    }
    assert!(t.download_all(&d, 50).await.is_empty());
}

#[tokio::test]
async fn reads_are_in_the_audit_log_with_who_and_when() {
    let t = sqlite_hub(relaxed()).await;
    let laptop = t.create_account().await;
    let phone = t.add_device(&laptop).await;
    t.upload(&laptop, Uuid::now_v7(), &[record("a", "v1", b"x")])
        .await;
    t.download_all(&phone, 10).await;
    let r: proto::AuditResponse = t
        .call(Method::GET, "/v0/audit", Some(&laptop.access), None)
        .await
        .json();
    let read = r
        .entries
        .iter()
        .find(|e| e.action == "records.download")
        .expect("the phone's read is logged");
    assert_eq!(read.device_id, Some(phone.device_id));
    assert_eq!(read.detail, "after=0 count=1");
    assert!(chrono::Utc::now() - read.at < chrono::Duration::minutes(5));
}

#[tokio::test]
async fn unknown_routes_answer_json_not_found() {
    let t = sqlite_hub(relaxed()).await;
    let r = t.call(Method::GET, "/v1/records", None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
}
