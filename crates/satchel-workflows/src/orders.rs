//! Orders in from where merchants sell (issue #14): a shop's order export, read as the
//! platform wrote it, turned into draft shipments with the product catalogue and the shipping
//! defaults, and written in one transaction.
//!
//! Both front ends run this: the app's import wizard (which sends a recognised shop export
//! here instead of the column-mapping import) and `satchel shipments import`. Every order that
//! has an address becomes a draft, even with problems, so nothing imported silently
//! disappears; lines that should not be posted are skipped and counted by reason.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use satchel_core::catalogue::{self, Product};
use satchel_core::shop::{self, Platform, ShopOrder, ShopOrders, SkipReason};
use satchel_store::csv_io::{read_records, read_workbook_records, DuplicatePolicy};
use satchel_store::{OrderDraft, OrdersImport, Store};

use crate::{shipments, Engine};

/// The orders of a shop export; `Ok(None)` when the file is not one (the caller falls back to
/// the column-mapping import).
pub fn read(text: &str, engine: &Engine) -> Result<Option<ShopOrders>, satchel_store::Error> {
    from_records(read_records(text)?, engine)
}

/// [`read`] for an Excel workbook (`.xlsx`, as SHOPLINE exports): its first sheet.
pub fn read_workbook(
    bytes: &[u8],
    engine: &Engine,
) -> Result<Option<ShopOrders>, satchel_store::Error> {
    from_records(read_workbook_records(bytes)?, engine)
}

fn from_records(
    records: Vec<(usize, Vec<String>)>,
    engine: &Engine,
) -> Result<Option<ShopOrders>, satchel_store::Error> {
    let cells: Vec<Vec<String>> = records.iter().take(5).map(|(_, r)| r.clone()).collect();
    let Some((at, platform)) = shop::find_header(&cells) else {
        return Ok(None);
    };
    let headers = &records[at].1;
    let country = |w: &str| shop::country_code(&engine.destinations, w);
    Ok(Some(shop::read(
        platform,
        headers,
        &records[at + 1..],
        &country,
    )))
}

/// An SKU the catalogue does not know, with what the shop calls it and how many orders use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSku {
    pub sku: String,
    pub title: String,
    pub orders: usize,
}

/// A file read and drafted, before anything is written.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub platform: Platform,
    pub drafts: Vec<OrderDraft>,
    /// Lines skipped, counted by reason.
    pub skipped: BTreeMap<SkipReason, usize>,
    /// Orders that cannot become a shipment: file line, order and why.
    pub unusable: Vec<shop::Unusable>,
    pub unknown_skus: Vec<UnknownSku>,
    /// Drafts with no error (their SKUs known, every rule met).
    pub complete: usize,
    pub line_items: usize,
}

impl Prepared {
    pub fn with_problems(&self) -> usize {
        self.drafts.len() - self.complete
    }
}

/// Drafts every order of `orders` with the catalogue and defaults in `store`, checked with the
/// editor's rules on `today`.
pub fn prepare(
    store: &Store,
    engine: &Engine,
    orders: ShopOrders,
    today: NaiveDate,
) -> Result<Prepared, satchel_store::Error> {
    let products: HashMap<String, Product> = store
        .products()?
        .into_iter()
        .map(|p| (p.sku.clone(), p))
        .collect();
    let defaults = store.shipping_defaults()?;
    let sender = store
        .default_sender()?
        .map(|c| c.input.party)
        .unwrap_or_default();
    let view = engine.rates.as_of(today);
    let mut unknown: BTreeMap<String, UnknownSku> = BTreeMap::new();
    let mut skipped = BTreeMap::new();
    for s in &orders.skipped {
        *skipped.entry(s.reason).or_insert(0) += 1;
    }
    let mut drafts = Vec::with_capacity(orders.orders.len());
    let mut complete = 0;
    let mut line_items = 0;
    for order in orders.orders {
        line_items += order.lines.len();
        let d = catalogue::draft(
            &order,
            &|sku| products.get(sku).cloned(),
            &defaults,
            &sender,
            &view,
        );
        for sku in &d.unknown_skus {
            let title = order
                .lines
                .iter()
                .find(|l| &l.sku == sku)
                .map(|l| l.title.clone())
                .unwrap_or_default();
            unknown
                .entry(sku.clone())
                .or_insert(UnknownSku {
                    sku: sku.clone(),
                    title,
                    orders: 0,
                })
                .orders += 1;
        }
        let assessment = shipments::assess(engine, &d.shipment, today);
        if !assessment.has_errors() {
            complete += 1;
        }
        drafts.push(OrderDraft {
            order,
            shipment: d.shipment,
            assessment,
        });
    }
    Ok(Prepared {
        platform: orders.platform,
        drafts,
        skipped,
        unusable: orders.unusable,
        unknown_skus: unknown.into_values().collect(),
        complete,
        line_items,
    })
}

/// Imports a prepared file in one transaction.
pub fn import(
    store: &mut Store,
    prepared: &Prepared,
    policy: DuplicatePolicy,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<OrdersImport, satchel_store::Error> {
    store.import_orders(prepared.platform, &prepared.drafts, policy, progress)
}

/// After `sku` was added to the catalogue: the drafts imported with it unknown get its
/// customs line and weight, and are checked again. Lines the merchant already filled in are
/// left as they are. Returns the drafts that changed.
pub fn complete_with(
    store: &mut Store,
    engine: &Engine,
    sku: &str,
    today: NaiveDate,
) -> Result<Vec<String>, satchel_store::Error> {
    let Some(product) = store.product(sku)? else {
        return Ok(Vec::new());
    };
    let defaults = store.shipping_defaults()?;
    let view = engine.rates.as_of(today);
    let mut changed = Vec::new();
    for (id, order) in store.orders_with_sku(sku)? {
        let Some(rec) = store.shipment(&id)? else {
            continue;
        };
        let mut draft = rec.draft.clone();
        let was_weighed = draft.shipment.parcel.weight_g > 0;
        let tare = defaults
            .boxes
            .first()
            .map_or(defaults.packaging_g, |b| b.weight_g);
        if fill(&mut draft.shipment, &order, &product, tare) {
            let s = &mut draft.shipment;
            if !was_weighed {
                // The service was chosen without a weight; choose it again now there is one.
                let category = s.customs.as_ref().map_or(defaults.category, |c| c.category);
                s.service = catalogue::choose_service(
                    &view,
                    &s.recipient.country,
                    s.parcel,
                    category,
                    &defaults,
                );
            }
            let assessment = shipments::assess(engine, &draft.shipment, today);
            store.update_shipment(&id, &draft, &assessment)?;
            changed.push(id);
        }
    }
    Ok(changed)
}

/// Completes every imported draft whose waiting SKU is now in the catalogue (after a sync
/// brought products from another device). Returns how many drafts changed.
pub fn complete_waiting(
    store: &mut Store,
    engine: &Engine,
    today: NaiveDate,
) -> Result<usize, satchel_store::Error> {
    let mut changed = std::collections::BTreeSet::new();
    for sku in store.catalogued_order_skus()? {
        changed.extend(complete_with(store, engine, &sku, today)?);
    }
    Ok(changed.len())
}

/// Fills the placeholder lines of `order`'s `product` in `s` (no weight, no HS code: as the
/// import left them). True when something changed.
fn fill(
    s: &mut satchel_core::model::Shipment,
    order: &ShopOrder,
    product: &Product,
    packaging_g: u32,
) -> bool {
    let Some(customs) = s.customs.as_mut() else {
        return false;
    };
    let was_weighed = s.parcel.weight_g > 0;
    let mut added = 0u32;
    for (i, l) in order.lines.iter().enumerate() {
        let Some(line) = customs.lines.get_mut(i) else {
            break;
        };
        let placeholder = l.sku == product.sku && line.net_weight_g == 0 && line.hs_code.is_empty();
        if placeholder {
            *line = product.line(l.quantity, l.unit_price, &order.currency);
            added = added.saturating_add(line.net_weight_g);
        }
    }
    if added == 0 {
        return false;
    }
    s.parcel.weight_g = if was_weighed {
        s.parcel.weight_g.saturating_add(added)
    } else {
        added.saturating_add(packaging_g)
    };
    true
}

/// What adding products to the catalogue did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueReport {
    pub saved: usize,
    /// Products not saved: where (a file line or the SKU) and every problem, named by field
    /// and rule.
    pub refused: Vec<(String, String)>,
    /// Drafts whose unknown lines the new products filled.
    pub drafts_completed: usize,
}

/// Checks each product with the content-line rules, saves the ones without errors in one
/// transaction, then completes the drafts waiting for them.
pub fn add_products(
    store: &mut Store,
    engine: &Engine,
    items: Vec<(String, Result<Product, String>)>,
    today: NaiveDate,
) -> Result<CatalogueReport, satchel_store::Error> {
    let view = engine.rates.as_of(today);
    let mut report = CatalogueReport::default();
    let mut good = Vec::new();
    for (at, item) in items {
        let problems = match &item {
            Err(why) => vec![why.clone()],
            Ok(p) if p.sku.trim().is_empty() => {
                vec!["sku: a product needs the SKU its shop writes".to_owned()]
            }
            Ok(p) => catalogue::validate_product(p, &view)
                .into_iter()
                .filter(|x| x.is_error())
                .map(|x| {
                    format!(
                        "{} ({}): {}",
                        x.field,
                        x.rule,
                        x.message(satchel_core::validate::Locale::En)
                    )
                })
                .collect(),
        };
        match item {
            Ok(p) if problems.is_empty() => good.push(p),
            _ => report.refused.push((at, problems.join("; "))),
        }
    }
    report.saved = store.save_products(&good)?;
    let mut completed = std::collections::BTreeSet::new();
    for p in &good {
        completed.extend(complete_with(store, engine, &p.sku, today)?);
    }
    report.drafts_completed = completed.len();
    Ok(report)
}

/// What the wizard shows of a prepared file.
pub fn file_dto(p: &Prepared) -> satchel_ipc::ShopFileDto {
    satchel_ipc::ShopFileDto {
        platform: p.platform.id().to_owned(),
        platform_name: p.platform.name().to_owned(),
        orders: (p.drafts.len() + p.unusable.len()) as u32,
        line_items: p.line_items as u32,
        complete: p.complete as u32,
        with_problems: p.with_problems() as u32,
        skipped: p
            .skipped
            .iter()
            .map(|(r, n)| satchel_ipc::SkipCountDto {
                reason: r.id().to_owned(),
                count: *n as u32,
            })
            .collect(),
        unusable: p
            .unusable
            .iter()
            .map(|u| satchel_ipc::UnusableOrderDto {
                line: u.line as u32,
                order: u.reference.clone(),
                reason: u.reason.clone(),
            })
            .collect(),
        unknown_skus: p
            .unknown_skus
            .iter()
            .map(|u| satchel_ipc::UnknownSkuDto {
                sku: u.sku.clone(),
                title: u.title.clone(),
                orders: u.orders as u32,
            })
            .collect(),
    }
}

/// A product as the window sends and shows it.
pub fn product_dto(p: &Product) -> satchel_ipc::ProductDto {
    satchel_ipc::ProductDto {
        sku: p.sku.clone(),
        description_en: p.description_en.clone(),
        description_zh: p.description_zh.clone(),
        hs_code: p.hs_code.clone(),
        origin: p.origin.clone(),
        unit_weight_g: p.unit_weight_g,
        unit_value: crate::convert::money(p.unit_value),
        currency: p.currency.clone(),
        category: p.category.id().to_owned(),
        eu_ok: p.eu_ok,
    }
}

/// The window's product, read: a value or category it cannot be is named by its field.
pub fn product_from_dto(d: &satchel_ipc::ProductDto) -> Result<Product, String> {
    let unit_value = match d.unit_value.trim() {
        "" => rust_decimal::Decimal::ZERO,
        v => v
            .parse()
            .map_err(|_| format!("unit_value: \"{v}\" is not an amount"))?,
    };
    let category = satchel_core::model::ContentCategory::from_id(&d.category)
        .ok_or_else(|| format!("category: \"{}\" is not a content category", d.category))?;
    Ok(Product {
        sku: d.sku.trim().to_owned(),
        description_en: d.description_en.trim().to_owned(),
        description_zh: d.description_zh.trim().to_owned(),
        hs_code: d.hs_code.trim().to_owned(),
        origin: d.origin.trim().to_ascii_uppercase(),
        unit_weight_g: d.unit_weight_g,
        unit_value,
        currency: match d.currency.trim() {
            "" => "HKD".to_owned(),
            c => c.to_ascii_uppercase(),
        },
        category,
        eu_ok: d.eu_ok,
    })
}

/// A catalogue report as the window shows it.
pub fn catalogue_dto(r: &CatalogueReport) -> satchel_ipc::CatalogueReportDto {
    satchel_ipc::CatalogueReportDto {
        saved: r.saved as u32,
        drafts_completed: r.drafts_completed as u32,
        refused: r
            .refused
            .iter()
            .map(|(at, problems)| satchel_ipc::RefusedRowDto {
                at: at.clone(),
                problems: problems.clone(),
            })
            .collect(),
    }
}

/// The shipping defaults as the window shows them.
pub fn defaults_dto(d: &catalogue::Defaults) -> satchel_ipc::ShippingDefaultsDto {
    let ids = |v: &[satchel_core::service::Service]| v.iter().map(|s| s.id()).collect();
    satchel_ipc::ShippingDefaultsDto {
        packaging_g: d.packaging_g,
        prefer: ids(&d.prefer),
        prefer_by_destination: d
            .prefer_by_destination
            .iter()
            .map(
                |(country, services)| satchel_ipc::DestinationPreferenceDto {
                    country: country.clone(),
                    services: ids(services),
                },
            )
            .collect(),
        boxes: d
            .boxes
            .iter()
            .map(|b| satchel_ipc::BoxDto {
                name: b.name.clone(),
                length_mm: b.length_mm,
                width_mm: b.width_mm,
                height_mm: b.height_mm,
                weight_g: b.weight_g,
            })
            .collect(),
    }
}

/// Reads the window's (or the terminal's) shipping defaults: an unknown service id, a country
/// that is not a code or a box without a size is named by its field.
pub fn defaults_from_dto(
    d: &satchel_ipc::ShippingDefaultsDto,
) -> Result<catalogue::Defaults, satchel_ipc::CommandError> {
    use satchel_core::service::Service;
    use satchel_ipc::{CommandError, Refused};
    let refuse =
        |field: String, message: String| CommandError::new(field, Refused::StoreRule { message });
    let services = |field: &str, ids: &[String]| -> Result<Vec<Service>, CommandError> {
        ids.iter()
            .map(|id| id.trim())
            .filter(|id| !id.is_empty())
            .map(|id| {
                Service::from_id(id).ok_or_else(|| {
                    refuse(
                        field.to_owned(),
                        format!("\"{id}\" is not a service id (e.g. e_express, speedpost, air_registered.packet)"),
                    )
                })
            })
            .collect()
    };
    let mut by_destination = std::collections::BTreeMap::new();
    for p in &d.prefer_by_destination {
        let country = p.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(refuse(
                "prefer_by_destination".into(),
                format!("\"{}\" is not a 2-letter country code", p.country),
            ));
        }
        let field = format!("prefer_by_destination.{country}");
        by_destination.insert(country, services(&field, &p.services)?);
    }
    let mut boxes = Vec::new();
    for (i, b) in d.boxes.iter().enumerate() {
        if b.name.trim().is_empty() {
            continue;
        }
        if b.length_mm == 0 || b.width_mm == 0 || b.height_mm == 0 {
            return Err(refuse(
                format!("boxes[{i}]"),
                format!(
                    "box \"{}\" needs its length, width and height in mm",
                    b.name
                ),
            ));
        }
        boxes.push(catalogue::BoxSize {
            name: b.name.trim().to_owned(),
            length_mm: b.length_mm,
            width_mm: b.width_mm,
            height_mm: b.height_mm,
            weight_g: b.weight_g,
        });
    }
    Ok(catalogue::Defaults {
        packaging_g: d.packaging_g,
        boxes,
        prefer: services("prefer", &d.prefer)?,
        prefer_by_destination: by_destination,
        category: catalogue::Defaults::default().category,
    })
}
