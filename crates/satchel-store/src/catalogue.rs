//! The product catalogue, the shipping defaults and shop orders turned into drafts (issue #14).
//!
//! The workflow reads a shop's export and builds each order's draft with the domain engine
//! (`satchel_core::shop`, `satchel_core::catalogue`); this module keeps the catalogue and
//! writes a whole import in ONE transaction, like the CSV import: a killed import leaves
//! nothing, and the order number is the shipment's reference, so importing the same export
//! again creates nothing twice (an order whose draft would not change is left alone; a
//! changed one follows the duplicate policy). The order as read is kept next to its shipment,
//! so a product added later fills the lines that were unknown at import.

use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use satchel_core::catalogue::{Defaults, Product};
use satchel_core::model::{ContentCategory, Shipment};
use satchel_core::shop::{Platform, ShopOrder};
use serde_json::{Map, Value};

use crate::csv_io::{DuplicatePolicy, DuplicateRow};
use crate::merge::{ApplyReport, RemoteChange, Skipped};
use crate::shipments::{Assessment, ShipmentDraft, ShipmentState};
use crate::{ContactInput, ContactKind, Error, Result, Store, Writer};

/// The synced entity of a catalogue product.
pub const PRODUCT: &str = "product";

const DEFAULTS_KEY: &str = "shipping_defaults";

/// One order ready to be written: the order as read, its draft and the draft's check.
#[derive(Debug, Clone)]
pub struct OrderDraft {
    pub order: ShopOrder,
    pub shipment: Shipment,
    pub assessment: Assessment,
}

/// What an order import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrdersImport {
    pub imported: usize,
    pub updated: usize,
    /// Orders already imported whose draft would be the same: nothing written.
    pub unchanged: usize,
    pub kept_existing: usize,
    /// Changed orders held back for the merchant (policy `review`).
    pub duplicates: Vec<DuplicateRow>,
}

fn product_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Product> {
    let value: String = r.get(6)?;
    let category: String = r.get(8)?;
    Ok(Product {
        sku: r.get(0)?,
        description_en: r.get(1)?,
        description_zh: r.get(2)?,
        hs_code: r.get(3)?,
        origin: r.get(4)?,
        unit_weight_g: r.get(5)?,
        unit_value: value.parse().unwrap_or_default(),
        currency: r.get(7)?,
        category: ContentCategory::from_id(&category).unwrap_or(ContentCategory::SaleOfGoods),
        eu_ok: r.get(9)?,
    })
}

const PRODUCT_COLUMNS: &str = "sku, description_en, description_zh, hs_code, origin, \
                               unit_weight_g, unit_value, currency, category, eu_ok";

impl Store {
    /// Every product, by SKU.
    pub fn products(&self) -> Result<Vec<Product>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {PRODUCT_COLUMNS} FROM products WHERE description_en <> '' ORDER BY sku"
        ))?;
        let rows = st.query_map([], product_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn product(&self, sku: &str) -> Result<Option<Product>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {PRODUCT_COLUMNS} FROM products WHERE sku = ?1 AND description_en <> ''"
            ))?
            .query_row([sku.trim()], product_from_row)
            .optional()?)
    }

    /// Adds or replaces products, all in one transaction. The caller has checked them. Each
    /// changed field is stamped and logged, so the merchant's other devices get it. Returns
    /// how many products changed.
    pub fn save_products(&mut self, products: &[Product]) -> Result<usize> {
        self.write(|w| {
            let mut n = 0;
            for p in products {
                let sku = p.sku.trim();
                if sku.is_empty() {
                    return Err(Error::Rule {
                        field: "sku",
                        rule: "CATALOGUE",
                        message: "a product needs the SKU its shop writes".into(),
                    });
                }
                let id = product_id(sku);
                let (mut values, mut clocks, hlc) = load_product_row(&w.tx, &id)?
                    .unwrap_or_else(|| (Map::new(), Map::new(), String::new()));
                let new = product_fields(&Product {
                    sku: sku.to_owned(),
                    ..p.clone()
                });
                let mut changed = Map::new();
                for (k, v) in &new {
                    if values.get(k) != Some(v) {
                        changed.insert(k.clone(), v.clone());
                    }
                }
                if changed.is_empty() {
                    continue;
                }
                let stamp = w.stamp();
                for (k, v) in &changed {
                    values.insert(k.clone(), v.clone());
                    clocks.insert(k.clone(), Value::String(stamp.to_string()));
                }
                // The SKU rides on every change: a peer can place a change that overtook the
                // product's creation.
                changed.insert("sku".into(), Value::String(sku.to_owned()));
                let latest = std::cmp::max(hlc, stamp.to_string());
                values.insert("sku".into(), Value::String(sku.to_owned()));
                write_product_row(w, &id, &values, &clocks, &latest)?;
                w.log(PRODUCT, &id, &stamp, &changed)?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// The shipping defaults (packaging weight, service preference); the built-in ones until
    /// the merchant sets them.
    pub fn shipping_defaults(&self) -> Result<Defaults> {
        Ok(self
            .meta(DEFAULTS_KEY)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub fn set_shipping_defaults(&mut self, d: &Defaults) -> Result<()> {
        self.set_meta(DEFAULTS_KEY, &serde_json::to_string(d)?)
    }

    /// Writes the drafts of one order export in one transaction (see the module doc).
    pub fn import_orders(
        &mut self,
        platform: Platform,
        drafts: &[OrderDraft],
        policy: DuplicatePolicy,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<OrdersImport> {
        let sender = self.default_sender()?.ok_or_else(|| Error::Rule {
            field: "sender",
            rule: "R-049",
            message: "set a default sender profile (a Hong Kong return address) before \
                      importing orders"
                .into(),
        })?;
        let total = drafts.len();
        let mut report = OrdersImport::default();
        self.write(|w| {
            for (n, d) in drafts.iter().enumerate() {
                if n % 250 == 0 {
                    progress(n, total);
                }
                let contact = ContactInput {
                    kind: ContactKind::Recipient,
                    party: d.shipment.recipient.clone(),
                    notes: String::new(),
                    tags: Vec::new(),
                    is_default: false,
                }
                .normalised();
                let draft = ShipmentDraft {
                    recipient_id: w.find_duplicate(&contact)?,
                    sender_id: Some(sender.id.clone()),
                    shipment: d.shipment.clone(),
                };
                let order_json = serde_json::to_string(&d.order)?;
                let id = match w.shipment_with_reference(&d.order.reference)? {
                    None => {
                        report.imported += 1;
                        w.insert_shipment(&draft, &d.assessment)?
                    }
                    Some(id) => {
                        let (existing, _) = w.load_shipment(&id)?;
                        let same = serde_json::to_value(&existing.draft.shipment)?
                            == serde_json::to_value(&draft.shipment)?;
                        match policy {
                            _ if same => {
                                report.unchanged += 1;
                                continue;
                            }
                            DuplicatePolicy::KeepExisting => {
                                report.kept_existing += 1;
                                continue;
                            }
                            DuplicatePolicy::Review => {
                                report.duplicates.push(DuplicateRow {
                                    line: d.order.line,
                                    existing_id: id,
                                });
                                continue;
                            }
                            DuplicatePolicy::Overwrite => {
                                match w.update_shipment(&id, &draft, &d.assessment) {
                                    Ok(()) => report.updated += 1,
                                    // Submitted items are not rewritten by an import.
                                    Err(Error::Transition { .. }) => {
                                        report.kept_existing += 1;
                                        continue;
                                    }
                                    Err(e) => return Err(e),
                                }
                                id
                            }
                        }
                    }
                };
                w.tx.prepare_cached(
                    "INSERT INTO shop_orders (shipment_id, platform, order_json)
                     VALUES (?1, ?2, ?3)
                     ON CONFLICT (shipment_id) DO UPDATE SET
                       platform = excluded.platform, order_json = excluded.order_json",
                )?
                .execute(params![id, platform.id(), order_json])?;
            }
            Ok(())
        })?;
        progress(total, total);
        Ok(report)
    }

    /// SKUs in the catalogue that drafts imported from a shop order use: the ones a product
    /// that arrived from another device may complete.
    pub fn catalogued_order_skus(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT json_extract(l.value, '$.sku')
             FROM shop_orders o JOIN shipments s ON s.id = o.shipment_id,
                  json_each(o.order_json, '$.lines') l
             JOIN products p ON p.sku = json_extract(l.value, '$.sku')
             WHERE s.deleted = 0 AND s.state IN (?1, ?2) AND p.description_en <> ''",
        )?;
        let rows = st.query_map(
            params![ShipmentState::Draft.id(), ShipmentState::Ready.id()],
            |r| r.get::<_, String>(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Drafts and ready shipments imported from a shop order that has a line with `sku`:
    /// the ones a product just added to the catalogue can complete.
    pub fn orders_with_sku(&self, sku: &str) -> Result<Vec<(String, ShopOrder)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT o.shipment_id, o.order_json
             FROM shop_orders o JOIN shipments s ON s.id = o.shipment_id,
                  json_each(o.order_json, '$.lines') l
             WHERE json_extract(l.value, '$.sku') = ?1 AND s.deleted = 0
               AND s.state IN (?2, ?3)",
        )?;
        let rows = st.query_map(
            params![sku, ShipmentState::Draft.id(), ShipmentState::Ready.id()],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row?;
            out.push((id, serde_json::from_str(&json)?));
        }
        Ok(out)
    }
}

/// The catalogue's CSV columns, in export order; an export imports back unchanged.
pub const PRODUCT_CSV_COLUMNS: [&str; 10] = [
    "sku",
    "description_en",
    "description_zh",
    "hs_code",
    "origin",
    "unit_weight_g",
    "unit_value",
    "currency",
    "category",
    "eu_ok",
];

/// Reads a catalogue CSV: each data row (with its line in the file) as a product, or the cell
/// that could not be read, named.
pub fn read_products(text: &str) -> Result<Vec<(usize, std::result::Result<Product, String>)>> {
    let file = crate::csv_io::read_csv(text)?;
    let col = |name: &str| {
        file.headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let cols: Vec<Option<usize>> = PRODUCT_CSV_COLUMNS.iter().map(|c| col(c)).collect();
    if cols[0].is_none() || cols[1].is_none() {
        return Err(Error::Csv(
            "a catalogue needs at least the columns sku and description_en".into(),
        ));
    }
    Ok(file
        .rows
        .iter()
        .map(|(line, values)| {
            let get = |i: usize| {
                cols[i]
                    .and_then(|c| values.get(c))
                    .map_or("", |s| crate::csv_io::unneutralise(s.trim()))
                    .to_owned()
            };
            let product = (|| {
                let weight = get(5);
                let unit_weight_g = if weight.is_empty() {
                    0
                } else {
                    weight
                        .parse()
                        .map_err(|_| format!("unit_weight_g: \"{weight}\" is not whole grams"))?
                };
                let value = get(6);
                let unit_value = if value.is_empty() {
                    rust_decimal::Decimal::ZERO
                } else {
                    value
                        .replace(',', "")
                        .parse()
                        .map_err(|_| format!("unit_value: \"{value}\" is not an amount"))?
                };
                let category = match get(8) {
                    c if c.is_empty() => ContentCategory::SaleOfGoods,
                    c => ContentCategory::from_id(&c)
                        .ok_or_else(|| format!("category: \"{c}\" is not a content category"))?,
                };
                Ok(Product {
                    sku: get(0),
                    description_en: get(1),
                    description_zh: get(2),
                    hs_code: get(3),
                    origin: get(4).to_ascii_uppercase(),
                    unit_weight_g,
                    unit_value,
                    currency: match get(7) {
                        c if c.is_empty() => "HKD".to_owned(),
                        c => c.to_ascii_uppercase(),
                    },
                    category,
                    eu_ok: !matches!(get(9).to_lowercase().as_str(), "false" | "no" | "0"),
                })
            })();
            // The header is the file's first line.
            (line + 1, product)
        })
        .collect())
}

impl Store {
    /// The catalogue as CSV (with a byte-order mark, for Excel), in [`PRODUCT_CSV_COLUMNS`].
    pub fn export_products(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| Error::Csv(e.to_string());
        w.write_record(PRODUCT_CSV_COLUMNS).map_err(csv_err)?;
        for p in self.products()? {
            crate::csv_io::write_row(
                &mut w,
                [
                    p.sku,
                    p.description_en,
                    p.description_zh,
                    p.hs_code,
                    p.origin,
                    p.unit_weight_g.to_string(),
                    p.unit_value.to_string(),
                    p.currency,
                    p.category.id().to_owned(),
                    p.eu_ok.to_string(),
                ],
            )?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Csv(e.to_string()))?;
        Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
    }
}

// ---------------------------------------------------------------------------------------------
// Sync: the catalogue travels like the address book, field by field.

/// A product's record id: derived from its SKU, so the same SKU added on two devices is one
/// record whose fields merge, never two rows fighting over one SKU.
pub fn product_id(sku: &str) -> String {
    crate::tariffs::content_id(&[b"satchel/product/v1", sku.as_bytes()])
}

/// The synced fields of a product, as stored and as sent.
const PRODUCT_FIELDS: &[&str] = &[
    "description_en",
    "description_zh",
    "hs_code",
    "origin",
    "unit_weight_g",
    "unit_value",
    "currency",
    "category",
    "eu_ok",
];

fn product_fields(p: &Product) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "description_en".into(),
        Value::from(p.description_en.clone()),
    );
    m.insert(
        "description_zh".into(),
        Value::from(p.description_zh.clone()),
    );
    m.insert("hs_code".into(), Value::from(p.hs_code.clone()));
    m.insert("origin".into(), Value::from(p.origin.clone()));
    m.insert("unit_weight_g".into(), Value::from(p.unit_weight_g));
    m.insert("unit_value".into(), Value::from(p.unit_value.to_string()));
    m.insert("currency".into(), Value::from(p.currency.clone()));
    m.insert("category".into(), Value::from(p.category.id()));
    m.insert("eu_ok".into(), Value::from(p.eu_ok));
    m
}

/// Whether a peer's value can be the field's: checked before anything is written.
fn product_value_ok(field: &str, v: &Value) -> bool {
    let text = |max: usize| v.as_str().is_some_and(|s| s.chars().count() <= max);
    match field {
        "description_en" | "description_zh" => text(500),
        "hs_code" | "origin" | "currency" => text(20),
        "unit_weight_g" => v.as_u64().is_some_and(|g| g <= 1_000_000),
        "unit_value" => v.as_str().is_some_and(|s| s.parse::<Decimal>().is_ok()),
        "category" => v
            .as_str()
            .is_some_and(|c| ContentCategory::from_id(c).is_some()),
        "eu_ok" => v.is_boolean(),
        _ => true,
    }
}

type ProductRow = (Map<String, Value>, Map<String, Value>, String);

fn load_product_row(tx: &rusqlite::Connection, id: &str) -> Result<Option<ProductRow>> {
    let row = tx
        .prepare_cached(&format!(
            "SELECT {PRODUCT_COLUMNS}, clocks, hlc FROM products WHERE id = ?1"
        ))?
        .query_row([id], |r| {
            Ok((
                product_from_row(r)?,
                r.get::<_, String>(10)?,
                r.get::<_, String>(11)?,
            ))
        })
        .optional()?;
    let Some((p, clocks, hlc)) = row else {
        return Ok(None);
    };
    let clocks = serde_json::from_str(&clocks).unwrap_or_default();
    Ok(Some((product_fields(&p), clocks, hlc)))
}

fn write_product_row(
    w: &Writer<'_>,
    id: &str,
    values: &Map<String, Value>,
    clocks: &Map<String, Value>,
    hlc: &str,
) -> Result<()> {
    let sku = values.get("sku").and_then(Value::as_str).map(str::to_owned);
    let text = |k: &str| {
        values
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    w.tx.prepare_cached(
        "INSERT INTO products (sku, id, description_en, description_zh, hs_code, origin,
           unit_weight_g, unit_value, currency, category, eu_ok, updated_ms, hlc, clocks)
         VALUES (coalesce(?1, (SELECT sku FROM products WHERE id = ?2)), ?2, ?3, ?4, ?5, ?6,
           ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET
           description_en = excluded.description_en, description_zh = excluded.description_zh,
           hs_code = excluded.hs_code, origin = excluded.origin,
           unit_weight_g = excluded.unit_weight_g, unit_value = excluded.unit_value,
           currency = excluded.currency, category = excluded.category, eu_ok = excluded.eu_ok,
           updated_ms = excluded.updated_ms, hlc = excluded.hlc, clocks = excluded.clocks",
    )?
    .execute(params![
        sku,
        id,
        text("description_en"),
        text("description_zh"),
        text("hs_code"),
        text("origin"),
        values
            .get("unit_weight_g")
            .and_then(Value::as_u64)
            .map_or(0, |g| g.min(i64::MAX as u64) as i64),
        match text("unit_value") {
            v if v.is_empty() => "0".to_owned(),
            v => v,
        },
        match text("currency") {
            c if c.is_empty() => "HKD".to_owned(),
            c => c,
        },
        match text("category") {
            c if c.is_empty() => ContentCategory::SaleOfGoods.id().to_owned(),
            c => c,
        },
        values.get("eu_ok").and_then(Value::as_bool).unwrap_or(true),
        w.now_ms as i64,
        hlc,
        Value::Object(clocks.clone()).to_string(),
    ])?;
    Ok(())
}

/// Merges a peer's product change: per field, the later stamp wins (see `merge.rs`).
pub(crate) fn merge_product(
    w: &mut Writer<'_>,
    c: &RemoteChange,
    report: &mut ApplyReport,
) -> Result<()> {
    let skip = |report: &mut ApplyReport, reason: String| {
        report.skipped.push(Skipped {
            entity: c.entity.clone(),
            record_id: c.record_id.clone(),
            reason,
        });
    };
    let sku = c
        .fields
        .get("sku")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.chars().count() <= 200);
    let Some(sku) = sku else {
        skip(report, "field `sku` has the wrong type".into());
        return Ok(());
    };
    if product_id(sku) != c.record_id {
        skip(report, "record id does not match field `sku`".into());
        return Ok(());
    }
    if let Some((field, _)) = c
        .fields
        .iter()
        .find(|(k, v)| PRODUCT_FIELDS.contains(&k.as_str()) && !product_value_ok(k, v))
    {
        skip(report, format!("field `{field}` has the wrong type"));
        return Ok(());
    }
    let (mut values, mut clocks, hlc, created) = match load_product_row(&w.tx, &c.record_id)? {
        Some((v, c, h)) => (v, c, h, false),
        None => {
            report.records_created += 1;
            (Map::new(), Map::new(), String::new(), true)
        }
    };
    values.insert("sku".into(), Value::from(sku));
    let mut taken = 0;
    for (k, v) in &c.fields {
        if !PRODUCT_FIELDS.contains(&k.as_str()) {
            continue;
        }
        let newer = clocks
            .get(k)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<crate::Hlc>().ok())
            .is_none_or(|cur| cur < c.hlc);
        if newer {
            values.insert(k.clone(), v.clone());
            clocks.insert(k.clone(), Value::String(c.hlc.to_string()));
            report.fields_applied += 1;
            taken += 1;
        } else {
            report.fields_stale += 1;
        }
    }
    if taken == 0 && !created {
        return Ok(());
    }
    let latest = std::cmp::max(hlc, c.hlc.to_string());
    write_product_row(w, &c.record_id, &values, &clocks, &latest)
}
