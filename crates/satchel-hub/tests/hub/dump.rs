//! The acceptance test for "nothing readable to steal": records encrypted on the "device"
//! (here with a throwaway ChaCha20-Poly1305 key, as the real client will) go through the hub,
//! then the whole database is dumped and searched for the plaintext. The search also looks for
//! the hex form, because dumps print binary columns as hex; and it must find the ciphertext,
//! which proves the dump really holds the records.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::common::*;

const PLAIN: [&str; 4] = [
    "Chan Tai Man",
    "陳大文",
    "Flat 12B, 33 Tai Po Road, Sha Tin",
    "+852 9123 4567",
];

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Uploads three contacts, encrypted; returns the ciphertexts.
async fn sync_encrypted_contacts(t: &TestHub) -> Vec<Vec<u8>> {
    let d = t.create_account().await;
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).unwrap();
    let aead = ChaCha20Poly1305::new(Key::from_slice(&key));
    let mut records = Vec::new();
    let mut cts = Vec::new();
    for (i, name) in ["Chan Tai Man", "陳大文", "Chan Tai Man"]
        .iter()
        .enumerate()
    {
        let id = format!("0190f5a4-0000-7000-8000-00000000000{i}");
        let version = format!("000000000001-00000{i}-laptop");
        let plain = serde_json::json!({
            "name": name,
            "address": PLAIN[2],
            "phone": PLAIN[3],
        })
        .to_string();
        let mut nonce = [0u8; 12];
        nonce[0] = i as u8;
        let aad = format!("contact|{id}|{version}");
        let mut ct = nonce.to_vec();
        ct.extend(
            aead.encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .unwrap(),
        );
        records.push(record(&id, &version, &ct));
        cts.push(ct);
    }
    let r = t.upload(&d, Uuid::now_v7(), &records).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The round trip works: what comes back decrypts to what went in.
    let back = t.download_all(&d, 10).await;
    let first = &back[0];
    let aad = format!("contact|{}|{}", first.record_id, first.version);
    let plain = aead
        .decrypt(
            Nonce::from_slice(&first.ciphertext.0[..12]),
            Payload {
                msg: &first.ciphertext.0[12..],
                aad: aad.as_bytes(),
            },
        )
        .unwrap();
    assert!(String::from_utf8(plain).unwrap().contains("Chan Tai Man"));
    cts
}

fn assert_no_plaintext(dump: &[u8], ciphertexts: &[Vec<u8>], what: &str) {
    let text = String::from_utf8_lossy(dump).to_lowercase();
    for p in PLAIN {
        let raw = dump.windows(p.len()).any(|w| w == p.as_bytes());
        assert!(!raw, "{what} contains {p:?} in plain text");
        assert!(
            !text.contains(&hex(p.as_bytes())),
            "{what} contains {p:?} as hex"
        );
    }
    for ct in ciphertexts {
        let raw = dump.windows(ct.len()).any(|w| w == ct.as_slice());
        assert!(
            raw || text.contains(&hex(ct)),
            "{what} does not hold the uploaded ciphertext, so it proves nothing"
        );
    }
}

#[tokio::test]
async fn the_sqlite_file_holds_no_plaintext() {
    let t = sqlite_hub(relaxed()).await;
    let cts = sync_encrypted_contacts(&t).await;
    // Every byte of every file (database, WAL, shared memory): stronger than any SQL dump,
    // since it includes free pages too.
    let dir = t.dir.as_ref().unwrap().path().to_path_buf();
    let mut dump = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        dump.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(!dump.is_empty());
    assert_no_plaintext(&dump, &cts, "the SQLite files");
}

#[cfg(feature = "system-tests")]
#[tokio::test]
async fn the_postgres_tables_hold_no_plaintext() {
    let t = postgres_hub(relaxed()).await;
    let cts = sync_encrypted_contacts(&t).await;
    let dump = postgres_dump(&t).await;
    assert!(
        String::from_utf8_lossy(&dump).contains("records"),
        "the dump has the records table"
    );
    assert_no_plaintext(&dump, &cts, "the PostgreSQL dump");
}

#[cfg(feature = "system-tests")]
async fn postgres_dump(t: &TestHub) -> Vec<u8> {
    let schema = t.schema.clone().unwrap();
    let url = pg_url();
    let pg_dump = std::process::Command::new("pg_dump")
        .args(["--no-owner", "--schema", &schema, "--dbname", &url])
        .output();
    match pg_dump {
        Ok(out) if out.status.success() => out.stdout,
        _ => select_everything(&url, &schema).await,
    }
}

/// Registers a recovery verifier and recovers with it. Returns what must never be stored (the
/// account key and the proof) and what must be (the verifier, so the search proves something).
async fn recover_once(t: &TestHub) -> ([Vec<u8>; 2], Vec<u8>) {
    use satchel_crypto::recovery;
    let k = crate::recovery::key(0x5A);
    let d = t.create_account().await;
    t.register_recovery(&d, &k).await;
    let r = t
        .call(
            reqwest::Method::POST,
            "/v0/accounts/recover",
            None,
            Some(crate::recovery::recover_body(&k, &k, &random_secret())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let proof = recovery::proof(&k);
    (
        [k.expose_bytes().to_vec(), proof.expose_bytes().to_vec()],
        recovery::verifier(&proof).to_vec(),
    )
}

fn assert_no_recovery_secret(dump: &[u8], secrets: &[Vec<u8>], verifier: &[u8], what: &str) {
    let text = String::from_utf8_lossy(dump).to_lowercase();
    let holds = |b: &[u8]| dump.windows(b.len()).any(|w| w == b) || text.contains(&hex(b));
    for s in secrets {
        assert!(
            !holds(s),
            "{what} holds the account key or the recovery proof"
        );
    }
    assert!(
        holds(verifier),
        "{what} does not hold the verifier, so it proves nothing"
    );
}

#[tokio::test]
async fn recovery_leaves_only_a_verifier_in_the_sqlite_file() {
    let t = sqlite_hub(relaxed()).await;
    let (secrets, verifier) = recover_once(&t).await;
    let mut dump = Vec::new();
    for entry in std::fs::read_dir(t.dir.as_ref().unwrap().path()).unwrap() {
        dump.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert_no_recovery_secret(&dump, &secrets, &verifier, "the SQLite files");
}

#[cfg(feature = "system-tests")]
#[tokio::test]
async fn recovery_leaves_only_a_verifier_in_postgres() {
    let t = postgres_hub(relaxed()).await;
    let (secrets, verifier) = recover_once(&t).await;
    let dump = postgres_dump(&t).await;
    assert_no_recovery_secret(&dump, &secrets, &verifier, "the PostgreSQL dump");
}

/// The fallback when pg_dump is missing: every row of every table of the schema, as text.
#[cfg(feature = "system-tests")]
async fn select_everything(url: &str, schema: &str) -> Vec<u8> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let tables = client
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
            &[&schema],
        )
        .await
        .unwrap();
    let mut out = String::new();
    for t in tables {
        let name: String = t.get(0);
        out.push_str(&format!("-- {name}\n"));
        for row in client
            .query(&format!("SELECT x::text FROM {schema}.{name} x"), &[])
            .await
            .unwrap()
        {
            out.push_str(&row.get::<_, String>(0));
            out.push('\n');
        }
    }
    out.into_bytes()
}
