//! The targets: every parser that reads what Satchel did not write itself, each called
//! through its crate's public API the way the app calls it, followed by the pure steps that
//! take the parsed result further (a rate file is compared and priced, a shop order drafted
//! and checked, a merged record read back and checked), since a value that parses can still
//! break what comes next.
//!
//! Text parsers get the input through `String::from_utf8_lossy`, as the app's readers do with
//! files and replies that are not UTF-8.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::Result;
use chrono::NaiveDate;
use satchel_core::catalogue::{self, Defaults, Product};
use satchel_core::compare::{compare, CompareRequest};
use satchel_core::destination::{self, Destination};
use satchel_core::model::{ContentCategory, Parcel, Shipment};
use satchel_core::postage;
use satchel_core::rates::{self, RateSet, Source};
use satchel_core::s10::ItemNumber;
use satchel_core::shop;
use satchel_core::validate::RulesConfig;
use satchel_crypto::opaque;
use satchel_crypto::pairing::{self, PairingCode};
use satchel_crypto::RecordMeta;
use satchel_ecship::response;
use satchel_ecship::rest::{AuthResponse, TokenCache, TrackingResponse};
use satchel_ecship::TrackingEvent;
use satchel_store::csv_io::{self, DuplicatePolicy, Table};
use satchel_store::{Assessment, Hlc, RemoteChange, Store};
use satchel_sync_proto::DownloadResponse;
use serde_json::{Map, Value};

use crate::seeds;

/// Runs one input through a target.
pub type Run = Box<dyn FnMut(&[u8])>;

/// A parser to fuzz.
#[derive(Debug)]
pub struct Target {
    pub name: &'static str,
    /// What it reads, for `--list`.
    pub about: &'static str,
    /// The seeds made from the repository's fixtures, given a scratch folder (the files of
    /// `corpus/<name>/` are added to them).
    pub seeds: fn(&Path) -> Result<Vec<Vec<u8>>>,
    /// Words of the input's own format, spliced in by the mutator.
    pub tokens: &'static [&'static [u8]],
    /// Sets up what the parser needs (a store, say) in a scratch folder, once per run.
    pub setup: fn(&Path) -> Result<Run>,
}

/// Every target, in the order a run goes through them.
pub const ALL: &[Target] = &[
    Target {
        name: "rates",
        about: "an operator open-data rate file (fetched or loaded): parsed, compared with the \
                bundled tariffs, priced",
        seeds: seeds::rate_files,
        tokens: &[
            b"\"lastUpdateDate\"",
            b"\"data\"",
            b"\"serviceCode\"",
            b"\"serviceNameEN\"",
            b"\"trackingLevel\"",
            b"\"postage\"",
            b"\"destinationCode\"",
            b"\"zoneCode\"",
            b"\"wgtLimit\"",
            b"\"weightStep\"",
            b"\"weightFrom\"",
            b"\"weightTo\"",
            b"\"amount\"",
            b"\"additionalWeight\"",
            b"\"additionalAmount\"",
            b"\"handleFee\"",
            b"(Packet)",
            b"(Small Letter)",
            b"IML",
            b"AIR_REG",
            b"LOC_ORD",
            b"\"0.000\"",
            b"\"4294967.295\"",
            b"\"42949672.95\"",
        ],
        setup: rates_setup,
    },
    Target {
        name: "shop-orders",
        about: "a shop's order export (Shopify, WooCommerce, Etsy, eBay, SHOPLINE; CSV or \
                .xlsx): read, drafted with the catalogue, checked and priced",
        seeds: seeds::shop_exports,
        tokens: &[
            b"Lineitem price",
            b"Lineitem quantity",
            b"Shipping Country",
            b"Financial Status",
            b"line_items",
            b"name:a|sku:SCARF-JADE|quantity:2|total:",
            b"SCARF-JADE",
            b"TEA-PUER",
            b"record(s) downloaded",
            b"Seller ID",
            b"AU $",
            "\u{8a02}\u{55ae}\u{865f}\u{78bc}".as_bytes(),
            b"United States",
            b"HK",
            b"\"\"\"",
        ],
        setup: shop_setup,
    },
    Target {
        name: "csv-import",
        about: "a CSV file imported into the address book, the shipments or the product \
                catalogue: previewed and imported into a scratch store",
        seeds: seeds::csv_files,
        tokens: &[
            b"name",
            b"country",
            b"kind",
            b"sender",
            b"service",
            b"weight_g",
            b"value",
            b"insured_value",
            b"category",
            b"reference",
            b"speedpost",
            b"air_registered.packet",
            b"sale_of_goods",
            b"sku",
            "\u{6536}\u{4ef6}\u{4eba}".as_bytes(),
            b"'=1+1",
        ],
        setup: csv_setup,
    },
    Target {
        name: "ecship-soap",
        about: "an EC-Ship SOAP reply, read by every reply parser (postage, orders, item \
                numbers, cancel, labels, certificate, tracking)",
        seeds: seeds::none,
        tokens: &[
            b"<soapenv:Body>",
            b"</soapenv:Body>",
            b"<soapenv:Fault>",
            b"<ns1:status>0</ns1:status>",
            b"<ns1:status>1</ns1:status>",
            b"<ns1:errMessage>",
            b"<ns1:itemNo>RR123456785HK</ns1:itemNo>",
            b"<ns1:orderNo>A1</ns1:orderNo>",
            b"<ns1:totalPostage>",
            b"<ns1:trackingInfos>",
            b"<ns1:milestone>",
            b"<ns1:eventDate>",
            b"<ns1:trackingDate>",
            b"<ns1:ttStatus>",
            b"<ns1:ap>",
            b"<ns1:cop>",
            b"JVBERi0x",
            b"xmlns:ns1=\"x\"",
        ],
        setup: soap_setup,
    },
    Target {
        name: "tracking-rest",
        about: "a reply of the REST tracking API (authenticate, mailTracking)",
        seeds: seeds::tracking_replies,
        tokens: &[
            b"\"items\"",
            b"\"itemNo\"",
            b"\"status\"",
            b"\"events\"",
            b"\"dateTime\"",
            b"\"description\"",
            b"\"location\"",
            b"\"token\"",
            b"\"expiresIn\"",
            b"2024-03-01T09:15:00",
        ],
        setup: tracking_setup,
    },
    Target {
        name: "sync-page",
        about: "a page of records from the sync hub (record formats 1 and 2): decoded, each \
                envelope opened and its version and fields read; a record's frame decoded",
        seeds: seeds::sync_pages,
        tokens: &[
            b"\"records\"",
            b"\"seq\"",
            b"\"record_id\"",
            b"\"entity\"",
            b"\"version\"",
            b"\"ciphertext\"",
            b"\"sealed\"",
            b"\"next_cursor\"",
            b"\"has_more\"",
            b"\"limit\"",
            b"AQ==",
            b"====",
        ],
        setup: sync_page_setup,
    },
    Target {
        name: "sync-change",
        about: "a change from another device as the store receives it: merged into a scratch \
                store, read back and checked; tariff parts put back together and parsed",
        seeds: seeds::peer_changes,
        tokens: &[
            b"\"entity\"",
            b"\"record_id\"",
            b"\"version\"",
            b"\"fields\"",
            b"\"contact\"",
            b"\"shipment\"",
            b"\"product\"",
            b"\"tariff_part\"",
            b"\"deleted\":true",
            b"\"state\"",
            b"\"history\"",
            b"\"body\"",
            b"\"ecship\"",
            b"\"is_default\":true",
            b"000000000000-000000-",
            b"ffffffffffff-ffffff-",
        ],
        setup: sync_change_setup,
    },
    Target {
        name: "pairing",
        about: "a pairing code as typed or scanned from a QR code, and a pairing blob from \
                the hub",
        seeds: seeds::pairing_inputs,
        tokens: &[
            b"satchel-pair:v1:",
            b"-",
            b"O",
            b"I",
            b"L",
            b"U",
            b"\x01\x00\x00\x00\x40\x00\x00\x00\x01\x00\x00\x00\x01",
            b"\x01\x00\x04\x00\x00\x00\x00\x00\x0a\x00\x00\x00\x04",
        ],
        setup: pairing_setup,
    },
];

/// The target called `name`.
pub fn find(name: &str) -> Option<&'static Target> {
    ALL.iter().find(|t| t.name == name)
}

/// The day every check runs on: inside the bundled tariffs' time, and fixed so runs repeat.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).expect("a valid date")
}

/// The bundled tariffs, read once.
fn bundled() -> &'static RateSet {
    static SET: OnceLock<RateSet> = OnceLock::new();
    SET.get_or_init(RateSet::bundled)
}

/// The destinations of the bundled tariffs, as the app lists them.
fn destinations() -> &'static [Destination] {
    static LIST: OnceLock<Vec<Destination>> = OnceLock::new();
    LIST.get_or_init(|| destination::destinations(&bundled().as_of(today())))
}

/// The fixtures' product catalogue.
fn products() -> &'static [Product] {
    static LIST: OnceLock<Vec<Product>> = OnceLock::new();
    LIST.get_or_init(satchel_fixtures::shop::catalogue)
}

fn product(sku: &str) -> Option<Product> {
    products().iter().find(|p| p.sku == sku).cloned()
}

/// The app's assessment of a shipment (validation and the price of its service).
fn assess(s: &Shipment) -> Assessment {
    satchel_store::assess::assess(s, bundled(), &RulesConfig::default(), today())
}

fn boxed(f: fn(&[u8])) -> Result<Run> {
    let run: Run = Box::new(f);
    Ok(run)
}

fn rates_setup(_: &Path) -> Result<Run> {
    boxed(rate_file)
}

/// A rate file as fetched from the operator's open data or loaded by the merchant: parsed,
/// compared with the bundled tariffs (`rates::against` decides whether it is kept), priced at
/// the weights where its prices change, and compared across services.
fn rate_file(data: &[u8]) {
    let json = String::from_utf8_lossy(data);
    let mut file = RateSet::new();
    let source = Source::File {
        name: "fuzzed.json".to_owned(),
    };
    if file.load("fuzzed.json", &json, source).is_err() {
        return;
    }
    let _ = rates::against(bundled(), &file);
    let view = file.latest();
    for table in view.tables() {
        for entry in table.entries() {
            let limit = entry.limit_g();
            for weight in [0, 1, 20, limit, limit.saturating_add(1), u32::MAX] {
                let _ = postage::price_entry(entry, weight);
            }
            for weight in entry.step_bounds() {
                let _ = postage::price_entry(entry, weight);
            }
        }
    }
    for country in ["US", "HK", "GB", "CN"] {
        let request = CompareRequest {
            parcel: Parcel {
                weight_g: 500,
                dimensions: None,
            },
            country: country.to_owned(),
            zone: None,
            category: ContentCategory::SaleOfGoods,
        };
        let _ = compare(&view, &request);
    }
}

fn shop_setup(_: &Path) -> Result<Run> {
    boxed(shop_export)
}

/// A shop's order export as the import wizard reads it (`satchel_workflows::orders`): the
/// records of a CSV file or of a workbook's first sheet, the platform found by its header
/// row, the orders read; then each order drafted with the catalogue and the default shipping
/// rules and checked as the editor checks a draft.
fn shop_export(data: &[u8]) {
    let records = if data.starts_with(b"PK") {
        csv_io::read_workbook_records(data)
    } else {
        csv_io::read_records(&String::from_utf8_lossy(data))
    };
    let Ok(records) = records else {
        return;
    };
    let first: Vec<Vec<String>> = records
        .iter()
        .take(5)
        .map(|(_, cells)| cells.clone())
        .collect();
    let Some((at, platform)) = shop::find_header(&first) else {
        return;
    };
    let (Some((_, headers)), Some(rows)) = (records.get(at), records.get(at + 1..)) else {
        return;
    };
    let orders = shop::read(platform, headers, rows, &country_code);
    let view = bundled().as_of(today());
    let defaults = Defaults::default();
    let sender = satchel_fixtures::hk_sender("Little Shop");
    for order in &orders.orders {
        let drafted = catalogue::draft(order, &product, &defaults, &sender, &view);
        let _ = assess(&drafted.shipment);
    }
}

fn country_code(written: &str) -> Option<String> {
    shop::country_code(destinations(), written)
}

/// A scratch store with a default sender, recipients, shipments and the catalogue, so that
/// an import finds duplicates and a sender: the paths a real import takes.
fn csv_setup(scratch: &Path) -> Result<Run> {
    let mut store = seeds::fixture_store(&scratch.join("csv-import.sqlite"))?;
    let run: Run = Box::new(move |data: &[u8]| {
        let text = String::from_utf8_lossy(data);
        for table in [Table::Contacts, Table::Shipments] {
            let _ = store.preview_import(table, &text, None, 20, Some(&assess));
            let _ = store.import(
                table,
                &text,
                None,
                DuplicatePolicy::Overwrite,
                Some(&assess),
                &mut |_, _| {},
            );
        }
        let _ = satchel_store::catalogue::read_products(&text);
    });
    Ok(run)
}

fn soap_setup(_: &Path) -> Result<Run> {
    boxed(soap_reply)
}

/// An EC-Ship reply, through every reply parser (the client picks one by the request it
/// sent; a server or proxy may answer anything).
fn soap_reply(data: &[u8]) {
    let xml = String::from_utf8_lossy(data);
    let _ = response::parse_total_postage(&xml);
    let _ = response::parse_create_order(&xml);
    let _ = response::parse_get_item_no(&xml);
    let _ = response::parse_cancel_order(&xml);
    let _ = response::parse_soaz_order(&xml);
    let _ = response::parse_address_pack(&xml);
    let _ = response::parse_soaz_address_pack(&xml);
    let _ = response::parse_cop(&xml);
    let _ = response::parse_tt_info(&xml);
    let _ = response::parse_mtt_info(&xml);
}

fn tracking_setup(_: &Path) -> Result<Run> {
    boxed(tracking_reply)
}

/// A REST tracking reply as `satchel_net::tracking` reads it: `mailTracking`'s items with
/// their events sorted, and `authenticate`'s token kept for its stated lifetime.
fn tracking_reply(data: &[u8]) {
    if let Ok(reply) = serde_json::from_slice::<TrackingResponse>(data) {
        for item in reply.items {
            let _ = ItemNumber::parse(&item.item_no);
            let mut events: Vec<TrackingEvent> = item
                .events
                .into_iter()
                .map(|e| TrackingEvent {
                    at: e.date_time,
                    code: e.status,
                    description: e.description,
                    location: e.location,
                })
                .collect();
            events.sort_by_key(|e| e.at);
        }
    }
    if let Ok(auth) = serde_json::from_slice::<AuthResponse>(data) {
        let mut tokens = TokenCache::default();
        let lifetime = auth.expires_in.map(|s| s.saturating_mul(1000));
        tokens.store(auth.token, u64::MAX - 1000, lifetime);
        let _ = tokens.get(u64::MAX - 1);
        tokens.store(String::new(), 0, lifetime);
        let _ = tokens.get(1);
    }
}

fn sync_page_setup(_: &Path) -> Result<Run> {
    boxed(sync_page)
}

/// A page from the hub as `satchel_sync` pulls it (`records::open_record`): the JSON, then
/// every record opened with the account key, in record format 2 when its entity says so and
/// format 1 otherwise, its version read as a clock stamp and its fields as JSON. Then the
/// input as the frame inside a format-2 envelope: only a device with the key can seal one,
/// but the frame decoder reads lengths from it, so it gets arbitrary bytes too.
fn sync_page(data: &[u8]) {
    let key = seeds::account_key();
    if let Ok(page) = serde_json::from_slice::<DownloadResponse>(data) {
        for r in &page.records {
            let meta = RecordMeta {
                entity: &r.entity,
                record_id: &r.record_id,
                version: &r.version,
            };
            let opened = if r.entity == opaque::OPAQUE_ENTITY {
                opaque::open_record(&key, &meta, &r.ciphertext.0).map(|f| (f.version, f.body))
            } else {
                satchel_crypto::open(&key, &meta, &r.ciphertext.0).map(|p| (r.version.clone(), p))
            };
            let Ok((version, plaintext)) = opened else {
                continue;
            };
            if version.parse::<Hlc>().is_ok() {
                let _ = serde_json::from_slice::<Map<String, Value>>(&plaintext);
            }
        }
    }
    let ids = opaque::hub_ids(&key, "contact", "fuzzed", "000000000000-000000-fuzz");
    let envelope = satchel_crypto::seal_deterministic(&key, &ids.meta(), data);
    let _ = opaque::open_record(&key, &ids.meta(), &envelope);
}

/// A scratch store that receives peer changes; each input is one change, merged as one page.
fn sync_change_setup(scratch: &Path) -> Result<Run> {
    let mut store = Store::open(scratch.join("peer.sqlite"))?;
    let mut page = 0u64;
    let run: Run = Box::new(move |data: &[u8]| {
        let Some(change) = peer_change(data) else {
            return;
        };
        page += 1;
        let _ = store.apply_remote_page(std::slice::from_ref(&change), &page.to_string());
        // Read back what was merged, and check a merged shipment as this device will.
        match change.entity.as_str() {
            "contact" => {
                let _ = store.contact(&change.record_id);
            }
            "shipment" => {
                if let Ok(Some(record)) = store.shipment(&change.record_id) {
                    let _ = assess(&record.draft.shipment);
                }
            }
            "product" => {
                let _ = store.products();
            }
            _ => {}
        }
        // Tariff files whose parts are all in, as `satchel_workflows::tariffs::adopt_synced`
        // takes them: parsed, then settled so they are not staged again.
        if let Ok(files) = store.synced_tariffs() {
            for file in files {
                if let Ok(body) = &file.body {
                    let source = Source::File {
                        name: file.name.clone(),
                    };
                    let _ = RateSet::new().load(&file.name, body, source);
                }
                let _ = store.settle_synced_tariff(&file.key, None, "fuzzed");
            }
        }
    });
    Ok(run)
}

/// A change as the sync engine hands it to the store: entity, id and version from the hub's
/// page, the fields from the opened envelope; here all four in one JSON object. What the
/// engine refuses before the store sees it (a version that is not a clock stamp, fields that
/// are not an object) is refused here too.
fn peer_change(data: &[u8]) -> Option<RemoteChange> {
    let Value::Object(mut change) = serde_json::from_slice::<Value>(data).ok()? else {
        return None;
    };
    let text = |v: Option<Value>| match v {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let Some(Value::Object(fields)) = change.remove("fields") else {
        return None;
    };
    let hlc = text(change.remove("version")).parse::<Hlc>().ok()?;
    Some(RemoteChange {
        entity: text(change.remove("entity")),
        record_id: text(change.remove("record_id")),
        hlc,
        fields,
    })
}

fn pairing_setup(_: &Path) -> Result<Run> {
    boxed(pairing_input)
}

/// What `satchel_sync`'s `join_with_code` reads: the code as typed or scanned (a QR payload,
/// else a typed code), and the blob the hub hands back, opened with the fixtures' code.
fn pairing_input(data: &[u8]) {
    let typed = String::from_utf8_lossy(data);
    if let Ok((code, scanned)) =
        pairing::read_qr(&typed).or_else(|_| PairingCode::parse(&typed).map(|c| (c, None)))
    {
        let _ = (code.display(), code.qr_payload());
        let _ = code.nameplate_lookup();
        if let Some(s) = scanned {
            let _ = (s.lookup_id(), s.qr_payload(&code));
            let _ = pairing::accept_scanned(&s, data);
        }
    }
    // A hostile offer (what the new device reads) and a hostile answer (what the first reads).
    let (joiner, _) = pairing::typed_answer(&seeds::pairing_code(), &[9; 32], &mut seeds::rng());
    let _ = joiner.finish(data);
    let _ = pairing::open_typed_answer(&seeds::pairing_code(), &seeds::offer_seed(), data);
    let _ = pairing::accept_scanned(&seeds::qr_secret(), data);
}
