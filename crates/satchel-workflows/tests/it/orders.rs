//! Issue #14: shop order exports, in each platform's real layout, imported as drafts on a real
//! SQLite file: one shipment per order with its content lines, skipped lines counted by
//! reason, the catalogue filling customs lines and weights, and a re-import that changes
//! nothing.

use chrono::NaiveDate;
use satchel_core::shop::{Platform, SkipReason};
use satchel_fixtures::shop;
use satchel_store::csv_io::DuplicatePolicy;
use satchel_store::{ContactInput, ContactKind, ShipmentFilter, Store};
use satchel_workflows::orders::{self, Prepared};
use satchel_workflows::Engine;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
}

fn store_with_sender(dir: &tempfile::TempDir) -> Store {
    let mut store = Store::open(dir.path().join("satchel.db")).unwrap();
    store
        .create_contact(ContactInput {
            kind: ContactKind::Sender,
            party: satchel_fixtures::hk_sender("Little Shop"),
            notes: String::new(),
            tags: vec![],
            is_default: true,
        })
        .unwrap();
    store
}

fn prepare(store: &Store, engine: &Engine, text: &str) -> Prepared {
    let read = orders::read(text, engine).unwrap().expect("a shop export");
    orders::prepare(store, engine, read, today()).unwrap()
}

/// Each draft as `reference country weight [lines] service {error rules}`.
fn summary(p: &Prepared) -> Vec<String> {
    p.drafts
        .iter()
        .map(|d| {
            let s = &d.shipment;
            let lines: Vec<String> = s
                .customs
                .as_ref()
                .unwrap()
                .lines
                .iter()
                .map(|l| {
                    format!(
                        "{} x {} {}g {} {}",
                        l.quantity, l.description, l.net_weight_g, l.value, l.currency
                    )
                })
                .collect();
            let mut rules: Vec<&str> = d
                .assessment
                .problems
                .iter()
                .filter(|p| p.error)
                .map(|p| p.rule.as_str())
                .collect();
            rules.dedup();
            format!(
                "{} {} {}g [{}] {} {{{}}}",
                s.reference,
                s.recipient.country,
                s.parcel.weight_g,
                lines.join("; "),
                s.service.id(),
                rules.join(",")
            )
        })
        .collect()
}

fn setup() -> (tempfile::TempDir, Store, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_sender(&dir);
    store.save_products(&shop::catalogue()).unwrap();
    (dir, store, Engine::load())
}

fn skipped(p: &Prepared) -> Vec<(SkipReason, usize)> {
    p.skipped.iter().map(|(r, n)| (*r, *n)).collect()
}

#[test]
fn a_shopify_export_becomes_one_draft_per_order_with_its_lines() {
    let (_dir, store, engine) = setup();
    let p = prepare(&store, &engine, shop::SHOPIFY);
    assert_eq!(p.platform, Platform::Shopify);
    assert_eq!(
        summary(&p),
        [
            // Two line items of one order: one shipment, two content lines, the goods' weight
            // plus 50 g of packaging.
            "#1001 JP 540g [2 x Silk scarf 240g 360.00 HKD; 1 x Pu-erh tea leaves in a tin 250g \
             200.00 HKD] e_express {}",
            // Goods to the US: a draft all the same, showing why it cannot go.
            "#1002 US 170g [1 x Silk scarf 120g 180.00 HKD] e_express {R-063}",
            "#1004 TW 300g [1 x Pu-erh tea leaves in a tin 250g 200.00 HKD] \
             air_registered.packet {}",
        ]
    );
    // The cancelled order and the gift card are left out, and counted.
    assert_eq!(
        skipped(&p),
        [(SkipReason::Cancelled, 1), (SkipReason::NotShipping, 1)]
    );
    assert_eq!((p.complete, p.with_problems()), (2, 1));
    let boston = &p.drafts[1].shipment.recipient;
    assert_eq!(boston.postcode, "02134", "Shopify's apostrophe is dropped");
    let taipei = &p.drafts[2].shipment.recipient;
    assert_eq!(taipei.name, "林美玲 Lin Mei-ling");
    assert_eq!(taipei.lines, ["忠孝東路四段100號5樓", "大安區"]);
    assert_eq!(taipei.phone, "+886 912 345 678", "full-width digits folded");
}

#[test]
fn woocommerce_etsy_ebay_and_shopline_exports_are_read_as_they_come() {
    let (_dir, store, engine) = setup();

    let woo = prepare(&store, &engine, shop::WOOCOMMERCE);
    assert_eq!(woo.platform, Platform::WooCommerce);
    assert_eq!(
        summary(&woo),
        [
            "2041 DE 670g [1 x Silk scarf 120g 180.00 HKD; 2 x Pu-erh tea leaves in a tin 500g \
          400.00 HKD] e_express {R-069}"
        ]
    );
    assert_eq!(skipped(&woo), [(SkipReason::Cancelled, 1)]);
    // An order with no address cannot be a shipment: reported with the field and why.
    assert_eq!(woo.unusable.len(), 1);
    assert_eq!(woo.unusable[0].reference, "2043");
    assert!(woo.unusable[0].reason.starts_with("recipient address"));

    let etsy = prepare(&store, &engine, shop::ETSY_ITEMS);
    assert_eq!(etsy.platform, Platform::EtsyItems);
    assert_eq!(
        summary(&etsy),
        [
            // Its two item rows are apart in the file; "France" is FR.
            "3301001 FR 420g [1 x Silk scarf 120g 180.00 HKD; 1 x Pu-erh tea leaves in a tin \
             250g 200.00 HKD] e_express {R-069}",
            "3301002 SG 550g [2 x Pu-erh tea leaves in a tin 500g 400.00 HKD] e_express {}",
        ]
    );
    assert_eq!(skipped(&etsy), [(SkipReason::Fulfilled, 1)]);

    // eBay: the blank first line, the padding row and the footer are not orders; a summary
    // row carries the address but is not a line; "AU $38.00" is 38.00 AUD.
    let ebay = prepare(&store, &engine, shop::EBAY);
    assert_eq!(ebay.platform, Platform::Ebay);
    assert_eq!(
        summary(&ebay),
        [
            "07-13001-00001 AU 170g [1 x Silk scarf 120g 38.00 AUD] e_express {}",
            "07-13001-00002 NZ 670g [1 x Silk scarf 120g 38.00 AUD; 2 x Pu-erh tea leaves in a \
             tin 500g 82.00 AUD] e_express {}",
        ]
    );

    let shopline = prepare(&store, &engine, shop::SHOPLINE);
    assert_eq!(shopline.platform, Platform::Shopline);
    assert_eq!(
        summary(&shopline),
        [
            "#20261204001 TW 420g [1 x Pu-erh tea leaves in a tin 250g 200 HKD; 1 x Silk scarf \
          120g 180 HKD] air_registered.packet {}"
        ]
    );
    assert_eq!(shopline.drafts[0].shipment.recipient.name, "陳大文");
    assert_eq!(skipped(&shopline), [(SkipReason::Cancelled, 1)]);
}

#[test]
fn importing_the_same_export_twice_changes_nothing() {
    let (_dir, mut store, engine) = setup();
    let p = prepare(&store, &engine, shop::SHOPIFY);
    let first = orders::import(&mut store, &p, DuplicatePolicy::Overwrite, &mut |_, _| {}).unwrap();
    assert_eq!(first.imported, 3);
    let logged = store.changes_since(0, 100_000).unwrap().len();

    let again = prepare(&store, &engine, shop::SHOPIFY);
    let second = orders::import(
        &mut store,
        &again,
        DuplicatePolicy::Overwrite,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(
        (second.imported, second.updated, second.unchanged),
        (0, 0, 3)
    );
    assert_eq!(store.changes_since(0, 100_000).unwrap().len(), logged);
    let listed = store.list_shipments(&ShipmentFilter::default()).unwrap();
    assert_eq!(listed.len(), 3);
}

#[test]
fn unknown_skus_are_listed_once_and_adding_them_completes_the_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_sender(&dir);
    let engine = Engine::load();
    let p = prepare(&store, &engine, shop::SHOPIFY);
    let unknown: Vec<(&str, usize)> = p
        .unknown_skus
        .iter()
        .map(|u| (u.sku.as_str(), u.orders))
        .collect();
    assert_eq!(unknown, [("SCARF-JADE", 2), ("TEA-PUER", 2)]);
    assert_eq!(p.complete, 0, "no weight, no HS code yet");
    orders::import(&mut store, &p, DuplicatePolicy::Review, &mut |_, _| {}).unwrap();

    store.save_products(&shop::catalogue()).unwrap();
    for sku in ["SCARF-JADE", "TEA-PUER"] {
        orders::complete_with(&mut store, &engine, sku, today()).unwrap();
    }
    let rec = |reference: &str| {
        store
            .list_shipments(&ShipmentFilter::default())
            .unwrap()
            .into_iter()
            .find(|r| r.draft.shipment.reference == reference)
            .unwrap()
    };
    let tokyo = rec("#1001");
    assert_eq!(tokyo.draft.shipment.parcel.weight_g, 540);
    assert!(!tokyo.assessment.has_errors(), "{:?}", tokyo.assessment);
    // The service was chosen without a weight at import; with one, the defaults' rule again
    // picks what it picks when the catalogue is known up front.
    assert_eq!(
        rec("#1004").draft.shipment.service.id(),
        "air_registered.packet"
    );
    let lines = &tokyo.draft.shipment.customs.as_ref().unwrap().lines;
    assert_eq!(lines[0].hs_code, "62141000");
    assert_eq!(lines[1].description, "Pu-erh tea leaves in a tin");
}

/// The catalogue syncs like the address book (issue #14): the phone imported the shop's
/// orders before knowing the SKUs; the laptop describes them; after a sync through a real hub
/// the phone's drafts are complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_from_another_device_complete_the_drafts_waiting_for_them() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = crate::start_hub(tmp.path()).await;
    let (laptop_db, laptop) = crate::tariff_sync::device(&hub, tmp.path().join("laptop.db"));
    let (phone_db, phone) = crate::tariff_sync::device(&hub, tmp.path().join("phone.db"));
    laptop.create_account("laptop").await.unwrap();
    let offer = laptop.offer_pairing("phone").await.unwrap();
    phone.join_with_code(&offer.qr_payload).await.unwrap();
    let engine = Engine::load();
    {
        let mut s = phone_db.lock().unwrap();
        s.create_contact(ContactInput {
            kind: ContactKind::Sender,
            party: satchel_fixtures::hk_sender("Little Shop"),
            notes: String::new(),
            tags: vec![],
            is_default: true,
        })
        .unwrap();
        let p = prepare(&s, &engine, shop::SHOPIFY);
        assert_eq!(p.complete, 0);
        orders::import(&mut s, &p, DuplicatePolicy::Review, &mut |_, _| {}).unwrap();
    }
    laptop_db
        .lock()
        .unwrap()
        .save_products(&shop::catalogue())
        .unwrap();
    laptop.sync_now().await.unwrap();
    phone.sync_now().await.unwrap();

    let mut s = phone_db.lock().unwrap();
    assert_eq!(s.products().unwrap(), shop::catalogue());
    assert_eq!(
        orders::complete_waiting(&mut s, &engine, today()).unwrap(),
        3
    );
    let drafts = s.list_shipments(&ShipmentFilter::default()).unwrap();
    let tokyo = drafts
        .iter()
        .find(|r| r.draft.shipment.reference == "#1001")
        .unwrap();
    assert_eq!(tokyo.draft.shipment.parcel.weight_g, 540);
    assert!(!tokyo.assessment.has_errors(), "{:?}", tokyo.assessment);
    // Done once: nothing is waiting any more.
    assert_eq!(
        orders::complete_waiting(&mut s, &engine, today()).unwrap(),
        0
    );
}

/// The shipping defaults the merchant sets decide the box and the service: Japan by
/// Speedpost, everything else by the general preference; an unknown service id is refused by
/// its field.
#[test]
fn the_merchants_shipping_defaults_choose_the_box_and_the_service() {
    let (_dir, mut store, engine) = setup();
    let mut d = orders::defaults_dto(&store.shipping_defaults().unwrap());
    d.prefer_by_destination = vec![satchel_ipc::DestinationPreferenceDto {
        country: "jp".into(),
        services: vec!["speedpost".into()],
    }];
    d.boxes = vec![satchel_ipc::BoxDto {
        name: "small".into(),
        length_mm: 250,
        width_mm: 180,
        height_mm: 60,
        weight_g: 90,
    }];
    store
        .set_shipping_defaults(&orders::defaults_from_dto(&d).unwrap())
        .unwrap();
    let p = prepare(&store, &engine, shop::SHOPIFY);
    let tokyo = &p.drafts[0].shipment;
    assert_eq!(tokyo.service.id(), "speedpost");
    assert_eq!(tokyo.parcel.weight_g, 490 + 90, "the goods and the box");
    let dims = tokyo.parcel.dimensions.unwrap();
    assert_eq!((dims.length, dims.width, dims.height), (250, 180, 60));
    assert_eq!(p.drafts[2].shipment.service.id(), "air_registered.packet");

    d.prefer = vec!["carrier_pigeon".into()];
    let refused = orders::defaults_from_dto(&d).unwrap_err();
    assert_eq!(refused.field, "prefer");
}

/// SHOPLINE writes Excel: the workbook reads exactly as the same report saved as CSV, and a
/// file that is not a workbook is refused, saying so.
#[test]
fn a_shopline_workbook_reads_as_its_csv_does() {
    let (_dir, store, engine) = setup();
    let read = orders::read_workbook(shop::SHOPLINE_XLSX, &engine)
        .unwrap()
        .expect("a shop export");
    let from_workbook = orders::prepare(&store, &engine, read, today()).unwrap();
    let from_csv = prepare(&store, &engine, shop::SHOPLINE);
    assert_eq!(from_workbook.platform, Platform::Shopline);
    assert_eq!(summary(&from_workbook), summary(&from_csv));
    assert_eq!(skipped(&from_workbook), skipped(&from_csv));

    let refused = orders::read_workbook(b"PK not really a workbook", &engine).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("not a readable .xlsx workbook"),
        "{refused}"
    );
}
