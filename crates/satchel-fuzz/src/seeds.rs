//! Seeds made from the repository's fixtures: the bundled rate files and the newer versions
//! the tariff tests use, the shop exports of `satchel-fixtures`, and what a real store holds
//! (exports, change-log entries, sealed sync pages) after the fixtures' parties, shipments,
//! catalogue and a tariff file were written to it. EC-Ship's replies have no fixture files
//! (the tests write them inline), so theirs live in `corpus/ecship-soap/`.

use std::path::Path;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use satchel_core::catalogue::Defaults;
use satchel_core::model::Party;
use satchel_core::rates::{RateSet, Source, BUNDLED};
use satchel_crypto::opaque::{self, Frame};
use satchel_crypto::pairing::{self, PairingCode};
use satchel_crypto::{AccountKey, RecordMeta};
use satchel_ecship::rest::{AuthResponse, RestEvent, TrackedItem, TrackingResponse};
use satchel_fixtures as fx;
use satchel_store::{
    Assessment, Change, ContactInput, ContactKind, NewTariff, ShipmentDraft, ShipmentFilter,
    ShipmentState, Store,
};
use satchel_sync_proto::Bytes;
use serde_json::{json, Value};

/// Seeds a CSPRNG for the seeds that need randomness, so every run starts alike.
const RNG_SEED: u64 = 18;

/// The account key the sync seeds are sealed with and the targets open them with.
pub fn account_key() -> AccountKey {
    AccountKey::from_bytes([0x5a; 32])
}

/// The pairing code the typed offer and answer seeds are made for.
pub fn pairing_code() -> PairingCode {
    PairingCode::generate(&mut ChaCha20Rng::seed_from_u64(RNG_SEED))
}

/// The QR secret the seeds' scanned payload and blob are made with (issue #18).
pub fn qr_secret() -> satchel_crypto::QrSecret {
    satchel_crypto::QrSecret::generate(&mut ChaCha20Rng::seed_from_u64(RNG_SEED + 1))
}

/// The seed of the first device's SPAKE2 state behind the seeds' typed offer (issue #18).
pub fn offer_seed() -> satchel_crypto::OfferSeed {
    satchel_crypto::OfferSeed::from_bytes([0x3c; 32])
}

/// A fixed RNG for targets that need randomness: a run must replay byte for byte.
pub fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(RNG_SEED + 2)
}

/// No built-in seeds: the target's corpus folder holds them.
pub fn none(_: &Path) -> Result<Vec<Vec<u8>>> {
    Ok(Vec::new())
}

/// Every bundled rate file and the two newer versions of `satchel_fixtures::tariffs`; files
/// over 64 KiB cut to five destinations per service, so that a mutated file parses in well
/// under a millisecond and the run tries many more of them.
pub fn rate_files(_: &Path) -> Result<Vec<Vec<u8>>> {
    let mut files: Vec<String> = BUNDLED.iter().map(|(_, json)| (*json).to_owned()).collect();
    files.push(fx::tariffs::letter_revision_2022());
    files.push(fx::tariffs::e_express_with_italy_2024());
    let mut seeds = Vec::new();
    for file in &files {
        seeds.push(shortened(file)?);
    }
    Ok(seeds)
}

fn shortened(file: &str) -> Result<Vec<u8>> {
    if file.len() <= 64 * 1024 {
        return Ok(file.as_bytes().to_vec());
    }
    let body = file.strip_prefix('\u{feff}').unwrap_or(file);
    let mut v: Value = serde_json::from_str(body).context("a bundled rate file")?;
    if let Some(services) = v.get_mut("data").and_then(Value::as_array_mut) {
        for service in services {
            if let Some(postage) = service.get_mut("postage").and_then(Value::as_array_mut) {
                postage.truncate(5);
            }
        }
    }
    Ok(serde_json::to_vec(&v)?)
}

/// The shop exports of `satchel_fixtures::shop`, the workbook included.
pub fn shop_exports(_: &Path) -> Result<Vec<Vec<u8>>> {
    use satchel_fixtures::shop::{EBAY, ETSY_ITEMS, SHOPIFY, SHOPLINE, SHOPLINE_XLSX, WOOCOMMERCE};
    let mut seeds: Vec<Vec<u8>> = [SHOPIFY, WOOCOMMERCE, ETSY_ITEMS, EBAY, SHOPLINE]
        .iter()
        .map(|csv| csv.as_bytes().to_vec())
        .collect();
    seeds.push(SHOPLINE_XLSX.to_vec());
    Ok(seeds)
}

/// What a merchant imports: Satchel's own exports of a real store (contacts, shipments,
/// products; an export imports back unchanged), and shop exports, which reach the same
/// reader when their columns are mapped by hand.
pub fn csv_files(scratch: &Path) -> Result<Vec<Vec<u8>>> {
    let store = fixture_store(&scratch.join("csv-seeds.sqlite"))?;
    let mut seeds = vec![
        store.export_contacts()?.into_bytes(),
        store
            .export_shipments(&ShipmentFilter::default())?
            .into_bytes(),
        store.export_products()?.into_bytes(),
    ];
    seeds.extend(
        [fx::shop::SHOPIFY, fx::shop::SHOPLINE]
            .iter()
            .map(|csv| csv.as_bytes().to_vec()),
    );
    Ok(seeds)
}

/// Every change the fixture store logged (contacts, a deletion, shipments and their states,
/// products, a tariff file's parts), as a peer's change.
pub fn peer_changes(scratch: &Path) -> Result<Vec<Vec<u8>>> {
    let store = fixture_store(&scratch.join("peer-seeds.sqlite"))?;
    let mut seeds = Vec::new();
    for c in store.changes_since(0, 10_000)? {
        let change = json!({
            "entity": c.entity,
            "record_id": c.record_id,
            "version": c.hlc.to_string(),
            "fields": c.fields,
        });
        seeds.push(serde_json::to_vec(&change)?);
    }
    Ok(seeds)
}

/// Pages of the fixture store's changes as the hub hands them out: sealed in record format 2
/// (what Satchel writes), one page in format 1 (what an older Satchel wrote), an empty page;
/// and the frames inside format-2 envelopes, which the target also opens on their own. Built
/// as JSON values rather than the protocol's structs, so a field the protocol gains later
/// (with its default) does not stop this from building.
pub fn sync_pages(scratch: &Path) -> Result<Vec<Vec<u8>>> {
    let store = fixture_store(&scratch.join("page-seeds.sqlite"))?;
    let changes = store.changes_since(0, 10_000)?;
    let key = account_key();
    let mut current = Vec::new();
    let mut older = Vec::new();
    let mut frames = Vec::new();
    for (seq, c) in (1i64..).zip(&changes) {
        let (wire, frame) = sealed(&key, seq, c)?;
        current.push(wire);
        frames.push(frame);
        older.push(sealed_v1(&key, seq, c)?);
    }
    let mut seeds = vec![page(&[], false)?];
    for chunk in current.chunks(4) {
        seeds.push(page(chunk, true)?);
    }
    seeds.push(page(&current, false)?);
    seeds.push(page(&older, false)?);
    seeds.extend(frames.into_iter().take(8));
    Ok(seeds)
}

/// A page of `records` (each `(seq, record as JSON)`), as `GET /v0/records` answers.
fn page(records: &[(i64, Value)], has_more: bool) -> Result<Vec<u8>> {
    let next_cursor = records.last().map_or(0, |(seq, _)| *seq);
    let list: Vec<&Value> = records.iter().map(|(_, r)| r).collect();
    let reply = json!({
        "records": list,
        "next_cursor": next_cursor,
        "has_more": has_more,
        "limit": 500,
    });
    Ok(serde_json::to_vec(&reply)?)
}

/// One record of a page.
fn record(seq: i64, entity: &str, record_id: &str, version: &str, envelope: Vec<u8>) -> Value {
    json!({
        "seq": seq,
        "record_id": record_id,
        "entity": entity,
        "version": version,
        "ciphertext": Bytes(envelope),
    })
}

/// A change sealed as `satchel_sync` seals it (record format 2), and the frame inside.
fn sealed(key: &AccountKey, seq: i64, c: &Change) -> Result<((i64, Value), Vec<u8>)> {
    let frame = Frame {
        entity: c.entity.clone(),
        record_id: c.record_id.clone(),
        version: c.hlc.to_string(),
        body: serde_json::to_vec(&c.fields)?,
    };
    let (ids, envelope) = opaque::seal_record(key, &frame);
    let inside = satchel_crypto::open(key, &ids.meta(), &envelope)?;
    let wire = record(
        seq,
        opaque::OPAQUE_ENTITY,
        &ids.record_id,
        &ids.version,
        envelope,
    );
    Ok(((seq, wire), inside))
}

/// A change sealed as Satchel did before record format 2: entity, id and version in clear.
fn sealed_v1(key: &AccountKey, seq: i64, c: &Change) -> Result<(i64, Value)> {
    let version = c.hlc.to_string();
    let plaintext = serde_json::to_vec(&c.fields)?;
    let meta = RecordMeta {
        entity: &c.entity,
        record_id: &c.record_id,
        version: &version,
    };
    let envelope = satchel_crypto::seal_deterministic(key, &meta, &plaintext);
    Ok((
        seq,
        record(seq, &c.entity, &c.record_id, &version, envelope),
    ))
}

/// Replies of the REST tracking API in the shape `satchel_ecship::rest` reads (the
/// simulator's shape): items with events, an item without, tokens with and without a
/// lifetime.
pub fn tracking_replies(_: &Path) -> Result<Vec<Vec<u8>>> {
    let at = |day: u32, hour: u32, minute: u32| {
        NaiveDate::from_ymd_opt(2024, 3, day)
            .and_then(|d| d.and_hms_opt(hour, minute, 0))
            .context("a valid date")
    };
    let event = |date_time, status: &str, description: &str, location: &str| RestEvent {
        date_time,
        status: status.to_owned(),
        description: description.to_owned(),
        location: location.to_owned(),
    };
    let tracked = TrackingResponse {
        items: vec![
            TrackedItem {
                item_no: "RR123456785HK".to_owned(),
                status: "5".to_owned(),
                events: vec![
                    event(at(2, 9, 15)?, "2", "Departed Hong Kong", "Hong Kong"),
                    event(at(1, 17, 0)?, "0", "Posted", "香港"),
                    event(at(4, 10, 0)?, "5", "Delivered", "Tokyo"),
                ],
            },
            TrackedItem {
                item_no: "LX123456785HK".to_owned(),
                status: String::new(),
                events: Vec::new(),
            },
        ],
    };
    let empty = TrackingResponse { items: Vec::new() };
    let token = |expires_in| AuthResponse {
        token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl".to_owned(),
        expires_in,
    };
    Ok(vec![
        serde_json::to_vec(&tracked)?,
        serde_json::to_vec(&empty)?,
        serde_json::to_vec(&token(Some(900)))?,
        serde_json::to_vec(&token(None))?,
    ])
}

/// A pairing code as shown, typed (lower case, spaced, look-alike letters) and in its QR
/// payloads, a typed code's SPAKE2 offer and answer, and a scanned code's blob.
pub fn pairing_inputs(_: &Path) -> Result<Vec<Vec<u8>>> {
    let code = pairing_code();
    let shown = code.display();
    let mut seeds = vec![
        code.qr_payload().into_bytes(),
        shown.as_bytes().to_vec(),
        shown.to_lowercase().into_bytes(),
        shown.replace('-', " ").into_bytes(),
        shown.replace('0', "O").replace('1', "l").into_bytes(),
    ];
    let mut rng = ChaCha20Rng::seed_from_u64(RNG_SEED);
    seeds.push(pairing::typed_offer(&code, &offer_seed()));
    let device = satchel_crypto::DeviceSecretKey::generate(&mut rng).public();
    seeds.push(pairing::typed_answer(&code, &device, &mut rng).1);
    seeds.push(qr_secret().qr_payload(&code).into_bytes());
    seeds.push(pairing::offer_scanned(
        &account_key(),
        &qr_secret(),
        &mut rng,
    ));
    Ok(seeds)
}

fn contact(kind: ContactKind, party: Party) -> ContactInput {
    ContactInput {
        kind,
        party,
        notes: String::new(),
        tags: Vec::new(),
        is_default: kind == ContactKind::Sender,
    }
}

/// A store at `path` with one of everything the fixtures describe: a default sender,
/// recipients (one of them deleted), shipments with references (one marked ready), the
/// product catalogue, shipping defaults and a tariff file.
pub fn fixture_store(path: &Path) -> Result<Store> {
    let mut store = Store::open(path)?;
    let sender =
        store.create_contact(contact(ContactKind::Sender, fx::hk_sender("Little Shop")))?;
    let tokyo = store.create_contact(contact(
        ContactKind::Recipient,
        fx::tokyo_recipient("Akiko Sato"),
    ))?;
    store.create_contact(contact(ContactKind::Recipient, fx::taipei_recipient()))?;
    let gone = store.create_contact(contact(
        ContactKind::Recipient,
        fx::tokyo_recipient("Moved Away"),
    ))?;
    store.delete_contact(&gone.id)?;
    let mut scarves = fx::speedpost(
        fx::hk_sender("Little Shop"),
        fx::tokyo_recipient("Akiko Sato"),
        fx::silk_scarf("Silk scarf", 2, 240),
    );
    scarves.reference = "#1001".to_owned();
    for (i, shipment) in [
        scarves,
        fx::numbered_order(7, 480),
        fx::toy_car_sale("陳大文 & <Co>"),
    ]
    .into_iter()
    .enumerate()
    {
        let draft = ShipmentDraft {
            shipment,
            recipient_id: Some(tokyo.id.clone()),
            sender_id: Some(sender.id.clone()),
        };
        let record = store.create_shipment(&draft, &Assessment::default())?;
        if i == 0 {
            // Not every state change is allowed from every state; a draft is enough then.
            let _ = store.set_shipment_state(&record.id, ShipmentState::Ready);
        }
    }
    store.save_products(&fx::shop::catalogue())?;
    store.set_shipping_defaults(&Defaults::default())?;
    let &(name, body) = BUNDLED
        .iter()
        .find(|(name, _)| name.contains("local-LCP"))
        .context("the bundled local courier file")?;
    let source = Source::File {
        name: name.to_owned(),
    };
    let info = RateSet::new().load(name, body, source.clone())?;
    let last_update = info.last_update.to_string();
    let file = NewTariff {
        name,
        last_update: &last_update,
        source: &source,
        body,
    };
    store.save_tariffs(&[file], &[])?;
    Ok(store)
}
