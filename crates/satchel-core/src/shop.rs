//! Shop order exports (issue #14): the order files merchants download from where they sell,
//! read as the platform writes them, with no column mapping.
//!
//! A merchant's day starts with the orders in their shop, so Satchel reads the export itself:
//! it recognises the platform by its header row ([`detect`]), groups line items into orders
//! (Shopify repeats the order name on each line item with the address only on the first; eBay
//! writes a summary row before the items), skips what should not be posted (cancelled,
//! refunded, already fulfilled, not shipped) with the reason, and normalises what the rules
//! check (country names to codes, Shopify's leading apostrophe on ZIPs, full-width
//! characters). The column names are the platforms' own, from real exports (see
//! `docs/shop-exports.md`); nothing here guesses a column by position.
//!
//! Pure: the caller reads the file and turns country names into codes (it knows the
//! destinations of the rate files), so this module builds for wasm32 like the rest of the core.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::Party;

/// Where an order file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Shopify: Orders → Export (one row per line item).
    Shopify,
    /// WooCommerce's Customer/Order/Coupon Export (one row per order or per item), or the
    /// Advanced Order Export plugin's default fields.
    WooCommerce,
    /// Etsy: Download Data → Sold Orders (one row per order).
    EtsyOrders,
    /// Etsy: Download Data → Sold Order Items (one row per item).
    EtsyItems,
    /// eBay Seller Hub: Orders → Download report.
    Ebay,
    /// SHOPLINE (shoplineapp.com) order report, with its Chinese column names, saved as CSV.
    Shopline,
}

impl Platform {
    pub const ALL: [Platform; 6] = [
        Platform::Shopify,
        Platform::WooCommerce,
        Platform::EtsyOrders,
        Platform::EtsyItems,
        Platform::Ebay,
        Platform::Shopline,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Platform::Shopify => "shopify",
            Platform::WooCommerce => "woocommerce",
            Platform::EtsyOrders => "etsy_orders",
            Platform::EtsyItems => "etsy_items",
            Platform::Ebay => "ebay",
            Platform::Shopline => "shopline",
        }
    }

    /// What the merchant calls the file.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Shopify => "Shopify order export",
            Platform::WooCommerce => "WooCommerce order export",
            Platform::EtsyOrders => "Etsy Sold Orders",
            Platform::EtsyItems => "Etsy Sold Order Items",
            Platform::Ebay => "eBay orders report",
            Platform::Shopline => "SHOPLINE order report",
        }
    }

    /// Headers that together identify the platform's file (after [`header_key`]).
    fn signature(self) -> &'static [&'static [&'static str]] {
        match self {
            Platform::Shopify => &[&["name", "lineitem name", "shipping address1"]],
            Platform::WooCommerce => &[
                &["order id", "shipping first name", "shipping address 1"],
                &["order number", "order status", "address 1&2 (shipping)"],
            ],
            Platform::EtsyOrders => &[&["buyer user id", "order id", "street 1"]],
            Platform::EtsyItems => &[&["transaction id", "listing id", "ship address1"]],
            Platform::Ebay => &[
                &["sales record number", "order number", "ship to address 1"],
                &["sales record number", "order number", "post to address 1"],
            ],
            Platform::Shopline => &[&["訂單號碼", "收件人", "地址 1"]],
        }
    }
}

/// A header or alias as compared: trimmed, lower case, full-width forms folded, `_` as a
/// space, spaces collapsed, quotes and a byte-order mark dropped.
pub fn header_key(h: &str) -> String {
    fold_width(h.trim_start_matches('\u{feff}'))
        .trim()
        .trim_matches('"')
        .to_lowercase()
        .replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The platform whose export has these headers.
pub fn detect(headers: &[String]) -> Option<Platform> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    Platform::ALL.into_iter().find(|p| {
        p.signature()
            .iter()
            .any(|sig| sig.iter().all(|s| keys.iter().any(|k| k == s)))
    })
}

/// The header row of an order export and its platform, among the first rows of a file (the
/// eBay report starts with a blank line).
pub fn find_header(records: &[Vec<String>]) -> Option<(usize, Platform)> {
    records
        .iter()
        .take(5)
        .enumerate()
        .find_map(|(i, r)| detect(r).map(|p| (i, p)))
}

/// Why a line of the file is not posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Cancelled,
    Refunded,
    /// Already fulfilled (shipped) in the shop.
    Fulfilled,
    /// A line that needs no shipping (a digital item, a gift card).
    NotShipping,
    /// Not paid yet (pending payment, failed).
    Unpaid,
}

impl SkipReason {
    /// The stable id the window and `--json` use.
    pub fn id(self) -> &'static str {
        match self {
            SkipReason::Cancelled => "cancelled",
            SkipReason::Refunded => "refunded",
            SkipReason::Fulfilled => "fulfilled",
            SkipReason::NotShipping => "not_shipping",
            SkipReason::Unpaid => "unpaid",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            SkipReason::Cancelled => "cancelled",
            SkipReason::Refunded => "refunded",
            SkipReason::Fulfilled => "already fulfilled",
            SkipReason::NotShipping => "needs no shipping",
            SkipReason::Unpaid => "not paid",
        }
    }
}

/// One line item of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The shop's SKU; empty when the listing has none.
    pub sku: String,
    pub title: String,
    pub quantity: u32,
    /// Price of one unit, in the order's currency, when the file gives it.
    pub unit_price: Option<Decimal>,
}

/// An order to post: who to, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopOrder {
    /// The shop's order number, as the merchant sees it ("#1001"): the shipment's reference.
    pub reference: String,
    /// The file line the order starts on.
    pub line: usize,
    pub recipient: Party,
    /// ISO 4217, or empty when the file does not say.
    pub currency: String,
    pub lines: Vec<OrderLine>,
}

/// A line left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub line: usize,
    pub reference: String,
    pub reason: SkipReason,
}

/// An order that cannot become a shipment at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unusable {
    pub line: usize,
    pub reference: String,
    /// The field at fault and why, in English (e.g. "recipient address: the order has none").
    pub reason: String,
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopOrders {
    pub platform: Platform,
    pub orders: Vec<ShopOrder>,
    pub skipped: Vec<Skipped>,
    pub unusable: Vec<Unusable>,
}

/// Turns a country as written ("United States", "美國", "us") into its code, or `None`.
pub type CountryCode<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Reads the rows of a `platform` export (`rows`: file line and cells, after the header).
pub fn read(
    platform: Platform,
    headers: &[String],
    rows: &[(usize, Vec<String>)],
    country: CountryCode<'_>,
) -> ShopOrders {
    let cols = Cols::new(headers);
    let mut out = ShopOrders {
        platform,
        orders: Vec::new(),
        skipped: Vec::new(),
        unusable: Vec::new(),
    };
    // Orders in the order they first appear; rows of one order may be apart (Etsy items).
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut building: Vec<Building> = Vec::new();
    for (line, cells) in rows {
        let row = Row { cols: &cols, cells };
        let Some(r) = read_row(platform, &row) else {
            continue;
        };
        let at = *index.entry(r.key.clone()).or_insert_with(|| {
            building.push(Building {
                line: *line,
                reference: r.key.clone(),
                ..Building::default()
            });
            building.len() - 1
        });
        let b = &mut building[at];
        if b.recipient.is_none() && r.recipient.lines.iter().any(|l| !l.is_empty()) {
            b.recipient = Some(r.recipient);
        }
        if b.currency.is_empty() {
            b.currency = r.currency;
        }
        if b.order_skip.is_none() {
            b.order_skip = r.order_skip;
        }
        for (item, skip) in r.items {
            match skip.or(b.order_skip) {
                Some(reason) => b.skipped.push((*line, reason)),
                None => b.lines.push(item),
            }
        }
    }
    for b in building {
        // A skip said on the order's first row applies to lines read before it too.
        let lines = if let Some(reason) = b.order_skip {
            for _ in &b.lines {
                out.skipped.push(Skipped {
                    line: b.line,
                    reference: b.reference.clone(),
                    reason,
                });
            }
            Vec::new()
        } else {
            b.lines
        };
        for (line, reason) in b.skipped {
            out.skipped.push(Skipped {
                line,
                reference: b.reference.clone(),
                reason,
            });
        }
        if lines.is_empty() {
            continue;
        }
        let Some(mut recipient) = b.recipient else {
            out.unusable.push(Unusable {
                line: b.line,
                reference: b.reference,
                reason: "recipient address: the order has no shipping address".into(),
            });
            continue;
        };
        let written = recipient.country.clone();
        match country(&written) {
            Some(code) => recipient.country = code,
            None => {
                out.unusable.push(Unusable {
                    line: b.line,
                    reference: b.reference,
                    reason: format!(
                        "recipient country: \"{written}\" is not a destination Satchel knows"
                    ),
                });
                continue;
            }
        }
        out.orders.push(ShopOrder {
            reference: b.reference,
            line: b.line,
            recipient,
            currency: b.currency,
            lines,
        });
    }
    out
}

#[derive(Default)]
struct Building {
    line: usize,
    reference: String,
    recipient: Option<Party>,
    currency: String,
    order_skip: Option<SkipReason>,
    lines: Vec<OrderLine>,
    skipped: Vec<(usize, SkipReason)>,
}

/// What one row says.
struct RowRead {
    key: String,
    recipient: Party,
    currency: String,
    /// A reason that holds for the whole order (cancelled, refunded, fulfilled).
    order_skip: Option<SkipReason>,
    items: Vec<(OrderLine, Option<SkipReason>)>,
}

struct Cols(HashMap<String, usize>);

impl Cols {
    fn new(headers: &[String]) -> Cols {
        let mut m = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            m.entry(header_key(h)).or_insert(i);
        }
        Cols(m)
    }
}

struct Row<'a> {
    cols: &'a Cols,
    cells: &'a [String],
}

impl Row<'_> {
    /// The first of `names` the file has, cleaned; empty when none.
    fn get(&self, names: &[&str]) -> String {
        names
            .iter()
            .find_map(|n| self.cols.0.get(&header_key(n)))
            .and_then(|&i| self.cells.get(i))
            .map(|s| clean(s))
            .unwrap_or_default()
    }

    fn has(&self, names: &[&str]) -> bool {
        !self.get(names).is_empty()
    }
}

/// Full-width ASCII forms and the ideographic space as plain ASCII (R-078 wants Latin
/// addresses; phones typed on a Chinese keyboard come full-width).
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// A cell as the rules want it: full-width folded, spaces collapsed, trimmed.
fn clean(s: &str) -> String {
    fold_width(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Shopify writes numeric ZIPs (and some phones) with a leading apostrophe (`'02134`) so
/// spreadsheets keep them as text; the apostrophe is not part of the value.
fn without_apostrophe(s: String) -> String {
    s.strip_prefix('\'').map(str::to_owned).unwrap_or(s)
}

/// Money as the platforms write it: `25.00`, `$25.00`, `AU $3,000.00`, `EUR 90,00`.
pub fn money(s: &str) -> Option<Decimal> {
    let digits: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    let normal = match (digits.rfind('.'), digits.rfind(',')) {
        (Some(_), _) => digits.replace(',', ""),
        (None, Some(c)) if digits.len() - c - 1 == 2 => digits.replace(',', "."),
        _ => digits.replace(',', ""),
    };
    normal.parse().ok()
}

/// The currency an eBay amount is written in (`$` alone is US dollars on the US site).
fn currency_of(s: &str) -> String {
    let prefix: String = s
        .chars()
        .take_while(|c| !c.is_ascii_digit())
        .filter(|c| !c.is_whitespace())
        .collect();
    match prefix.as_str() {
        "$" | "US$" => "USD",
        "AU$" => "AUD",
        "C$" => "CAD",
        "£" => "GBP",
        "€" | "EUR" => "EUR",
        "HK$" => "HKD",
        _ => "",
    }
    .to_owned()
}

fn quantity(s: &str) -> u32 {
    s.parse().ok().filter(|q| *q > 0).unwrap_or(1)
}

fn party(row: &Row<'_>, f: &PartyCols) -> Party {
    let name = match f.first_last {
        Some((first, last)) => clean(&format!("{} {}", row.get(first), row.get(last))),
        None => row.get(f.name),
    };
    Party {
        name,
        company: row.get(f.company),
        lines: [row.get(f.line1), row.get(f.line2)]
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect(),
        city: row.get(f.city),
        state: row.get(f.state),
        postcode: without_apostrophe(row.get(f.postcode)),
        country: row.get(f.country),
        phone: without_apostrophe(row.get(f.phone)),
        email: row.get(f.email),
    }
}

/// Where a platform keeps the shipping address.
struct PartyCols {
    name: &'static [&'static str],
    first_last: Option<(&'static [&'static str], &'static [&'static str])>,
    company: &'static [&'static str],
    line1: &'static [&'static str],
    line2: &'static [&'static str],
    city: &'static [&'static str],
    state: &'static [&'static str],
    postcode: &'static [&'static str],
    country: &'static [&'static str],
    phone: &'static [&'static str],
    email: &'static [&'static str],
}

const SHOPIFY: PartyCols = PartyCols {
    name: &["Shipping Name"],
    first_last: None,
    company: &["Shipping Company"],
    line1: &["Shipping Address1"],
    line2: &["Shipping Address2"],
    city: &["Shipping City"],
    state: &["Shipping Province"],
    postcode: &["Shipping Zip"],
    country: &["Shipping Country"],
    phone: &["Shipping Phone", "Phone"],
    email: &["Email"],
};

const WOO: PartyCols = PartyCols {
    name: &[],
    first_last: Some((
        &["shipping_first_name", "First Name (Shipping)"],
        &["shipping_last_name", "Last Name (Shipping)"],
    )),
    company: &["shipping_company", "Company (Shipping)"],
    line1: &["shipping_address_1", "Address 1&2 (Shipping)"],
    line2: &["shipping_address_2"],
    city: &["shipping_city", "City (Shipping)"],
    state: &["shipping_state", "State Code (Shipping)"],
    postcode: &["shipping_postcode", "Postcode (Shipping)"],
    country: &["shipping_country", "Country Code (Shipping)"],
    phone: &["shipping_phone", "billing_phone", "Phone (Billing)"],
    email: &["billing_email", "Email (Billing)"],
};

const ETSY_ORDERS: PartyCols = PartyCols {
    name: &["Full Name"],
    first_last: None,
    company: &[],
    line1: &["Street 1"],
    line2: &["Street 2"],
    city: &["Ship City", "Delivery City"],
    state: &["Ship State", "Delivery State"],
    postcode: &["Ship Zipcode", "Delivery Zipcode"],
    country: &["Ship Country", "Delivery Country"],
    phone: &[],
    email: &[],
};

const ETSY_ITEMS: PartyCols = PartyCols {
    name: &["Ship Name"],
    first_last: None,
    company: &[],
    line1: &["Ship Address1"],
    line2: &["Ship Address2"],
    city: &["Ship City"],
    state: &["Ship State"],
    postcode: &["Ship Zipcode"],
    country: &["Ship Country"],
    phone: &[],
    email: &[],
};

const EBAY: PartyCols = PartyCols {
    name: &["Ship To Name", "Post to name"],
    first_last: None,
    company: &[],
    line1: &["Ship To Address 1", "Post to address 1"],
    line2: &["Ship To Address 2", "Post to address 2"],
    city: &["Ship To City", "Post to city"],
    state: &["Ship To State", "Post to county"],
    postcode: &["Ship To Zip", "Post to postcode"],
    country: &["Ship To Country", "Post to country"],
    phone: &["Ship To Phone", "Post to phone"],
    email: &["Buyer Email"],
};

const SHOPLINE: PartyCols = PartyCols {
    name: &["收件人"],
    first_last: None,
    company: &[],
    line1: &["地址 1"],
    line2: &["地址 2"],
    city: &["城市"],
    state: &["地區/州/省份"],
    postcode: &["郵政編號（如適用)", "郵政編號(如適用)"],
    country: &["國家／地區", "國家/地區"],
    phone: &["收件人電話號碼"],
    email: &["電郵"],
};

fn read_row(platform: Platform, row: &Row<'_>) -> Option<RowRead> {
    match platform {
        Platform::Shopify => shopify(row),
        Platform::WooCommerce => woocommerce(row),
        Platform::EtsyOrders => etsy_orders(row),
        Platform::EtsyItems => etsy_items(row),
        Platform::Ebay => ebay(row),
        Platform::Shopline => shopline(row),
    }
}

fn line(row: &Row<'_>, sku: &[&str], title: &[&str], qty: &[&str], price: &[&str]) -> OrderLine {
    OrderLine {
        sku: row.get(sku),
        title: row.get(title),
        quantity: quantity(&row.get(qty)),
        unit_price: money(&row.get(price)),
    }
}

fn shopify(row: &Row<'_>) -> Option<RowRead> {
    let key = row.get(&["Name"]);
    if key.is_empty() {
        return None;
    }
    let financial = row.get(&["Financial Status"]).to_lowercase();
    let order_skip = if row.has(&["Cancelled at"]) {
        Some(SkipReason::Cancelled)
    } else if matches!(financial.as_str(), "refunded" | "voided") {
        Some(SkipReason::Refunded)
    } else if row
        .get(&["Fulfillment Status"])
        .eq_ignore_ascii_case("fulfilled")
    {
        Some(SkipReason::Fulfilled)
    } else {
        None
    };
    let item = line(
        row,
        &["Lineitem sku"],
        &["Lineitem name"],
        &["Lineitem quantity"],
        &["Lineitem price"],
    );
    let skip = if row
        .get(&["Lineitem requires shipping"])
        .eq_ignore_ascii_case("false")
    {
        Some(SkipReason::NotShipping)
    } else if row
        .get(&["Lineitem fulfillment status"])
        .eq_ignore_ascii_case("fulfilled")
    {
        Some(SkipReason::Fulfilled)
    } else {
        None
    };
    Some(RowRead {
        key,
        recipient: party(row, &SHOPIFY),
        currency: row.get(&["Currency"]).to_uppercase(),
        order_skip,
        items: vec![(item, skip)],
    })
}

fn woo_status(status: &str) -> Option<SkipReason> {
    match status.to_lowercase().trim_start_matches("wc-") {
        "cancelled" => Some(SkipReason::Cancelled),
        "refunded" => Some(SkipReason::Refunded),
        "completed" => Some(SkipReason::Fulfilled),
        "pending" | "pending payment" | "failed" | "checkout-draft" => Some(SkipReason::Unpaid),
        _ => None,
    }
}

fn woocommerce(row: &Row<'_>) -> Option<RowRead> {
    let key = row.get(&["order_number", "Order Number", "order_id"]);
    if key.is_empty() {
        return None;
    }
    let order_skip = woo_status(&row.get(&["status", "Order Status"]));
    let items = if row.has(&["line_items"]) {
        // One row per order: `name:..|sku:..|quantity:..|total:..` per item, items joined by `;`.
        row.get(&["line_items"])
            .split(';')
            .filter(|i| !i.trim().is_empty())
            .map(|item| {
                let kv: HashMap<&str, &str> = item
                    .split('|')
                    .filter_map(|p| p.split_once(':'))
                    .map(|(k, v)| (k.trim(), v.trim()))
                    .collect();
                let quantity = quantity(kv.get("quantity").unwrap_or(&""));
                let total = kv.get("total").and_then(|t| money(t));
                (
                    OrderLine {
                        sku: kv.get("sku").unwrap_or(&"").to_string(),
                        title: clean(kv.get("name").unwrap_or(&"")),
                        quantity,
                        unit_price: total.map(|t| t / Decimal::from(quantity)),
                    },
                    None,
                )
            })
            .collect()
    } else {
        vec![(
            line(
                row,
                &["item_sku", "SKU"],
                &["item_name", "Item Name", "Name"],
                &["item_quantity", "Quantity (- Refund)", "Quantity"],
                &["item_price", "Item Cost"],
            ),
            None,
        )]
    };
    Some(RowRead {
        key,
        recipient: party(row, &WOO),
        currency: row.get(&["order_currency"]).to_uppercase(),
        order_skip,
        items,
    })
}

fn etsy_orders(row: &Row<'_>) -> Option<RowRead> {
    let key = row.get(&["Order ID"]);
    if key.is_empty() {
        return None;
    }
    let status = row.get(&["Status"]).to_lowercase();
    let order_skip = if status.contains("cancel") {
        Some(SkipReason::Cancelled)
    } else if status.contains("refund") {
        Some(SkipReason::Refunded)
    } else if row.has(&["Date Shipped", "Date Posted"]) {
        Some(SkipReason::Fulfilled)
    } else {
        None
    };
    // The file has no line items, only the SKUs and a count: one line per SKU.
    let skus: Vec<String> = row
        .get(&["SKU"])
        .split(',')
        .map(clean)
        .filter(|s| !s.is_empty())
        .collect();
    let count = quantity(&row.get(&["Number of Items"]));
    let items = if skus.len() <= 1 {
        let sku = skus.into_iter().next().unwrap_or_default();
        vec![(
            OrderLine {
                title: if sku.is_empty() {
                    format!("Etsy order {key}")
                } else {
                    sku.clone()
                },
                sku,
                quantity: count,
                unit_price: None,
            },
            None,
        )]
    } else {
        skus.into_iter()
            .map(|sku| {
                (
                    OrderLine {
                        title: sku.clone(),
                        sku,
                        quantity: 1,
                        unit_price: None,
                    },
                    None,
                )
            })
            .collect()
    };
    Some(RowRead {
        key,
        recipient: party(row, &ETSY_ORDERS),
        currency: row.get(&["Currency"]).to_uppercase(),
        order_skip,
        items,
    })
}

fn etsy_items(row: &Row<'_>) -> Option<RowRead> {
    let key = row.get(&["Order ID"]);
    if key.is_empty() {
        return None;
    }
    let skip = row.has(&["Date Shipped"]).then_some(SkipReason::Fulfilled);
    Some(RowRead {
        key,
        recipient: party(row, &ETSY_ITEMS),
        currency: row.get(&["Currency"]).to_uppercase(),
        order_skip: None,
        items: vec![(
            line(row, &["SKU"], &["Item Name"], &["Quantity"], &["Price"]),
            skip,
        )],
    })
}

fn ebay(row: &Row<'_>) -> Option<RowRead> {
    // The footer ("2,record(s) downloaded", "Seller ID : …") and the padding row are not orders.
    if row.cells.iter().any(|c| c.contains("record(s) downloaded"))
        || row
            .cells
            .first()
            .is_some_and(|c| c.trim_start().starts_with("Seller ID"))
    {
        return None;
    }
    let key = match row.get(&["Order Number", "Order number"]) {
        k if k.is_empty() => row.get(&["Sales Record Number", "Sales record number"]),
        k => k,
    };
    if key.is_empty() {
        return None;
    }
    let order_skip = row
        .has(&["Shipped On Date", "Dispatched on date"])
        .then_some(SkipReason::Fulfilled);
    let sold_for = row.get(&["Sold For", "Sold for"]);
    // A multi-item order's summary row names no item: it carries the address only.
    let items = if row.has(&["Item Title", "Item title"]) {
        vec![(
            OrderLine {
                sku: row.get(&["Custom Label", "Custom label"]),
                title: row.get(&["Item Title", "Item title"]),
                quantity: quantity(&row.get(&["Quantity"])),
                unit_price: money(&sold_for),
            },
            None,
        )]
    } else {
        Vec::new()
    };
    Some(RowRead {
        key,
        recipient: party(row, &EBAY),
        currency: currency_of(&sold_for),
        order_skip,
        items,
    })
}

fn shopline(row: &Row<'_>) -> Option<RowRead> {
    let key = row.get(&["訂單號碼"]);
    if key.is_empty() {
        return None;
    }
    let delivery = row.get(&["送貨狀態"]);
    let order_skip = if row.get(&["訂單狀態"]) == "已取消" {
        Some(SkipReason::Cancelled)
    } else if row.get(&["付款狀態"]).contains("退款") {
        Some(SkipReason::Refunded)
    } else if matches!(delivery.as_str(), "已發貨" | "已到達" | "已取貨") {
        Some(SkipReason::Fulfilled)
    } else {
        None
    };
    Some(RowRead {
        key,
        recipient: party(row, &SHOPLINE),
        currency: row.get(&["貨幣"]).to_uppercase(),
        order_skip,
        items: vec![(
            line(
                row,
                &["商品貨號"],
                &["商品名稱"],
                &["數量"],
                &["商品結帳價"],
            ),
            None,
        )],
    })
}

/// Country names as shops write them that differ from the operator's tables; the rest are
/// matched against the rate files' destination names by the caller.
pub fn common_country_code(name: &str) -> Option<&'static str> {
    let n = header_key(name);
    Some(match n.as_str() {
        "united states" | "united states of america" | "usa" | "u.s.a." | "美國" => "US",
        "united kingdom" | "uk" | "great britain" | "英國" => "GB",
        "hong kong" | "hong kong sar" | "hong kong sar china" | "香港" => "HK",
        "macau" | "macao" | "macau sar" | "澳門" => "MO",
        "taiwan" | "台灣" | "臺灣" => "TW",
        "china" | "mainland china" | "中國" | "中國大陸" => "CN",
        "south korea" | "korea" | "korea, republic of" | "republic of korea" | "韓國" => "KR",
        "japan" | "日本" => "JP",
        "singapore" | "新加坡" => "SG",
        "australia" | "澳洲" | "澳大利亞" => "AU",
        "canada" | "加拿大" => "CA",
        "germany" | "德國" => "DE",
        "france" | "法國" => "FR",
        "netherlands" | "the netherlands" | "荷蘭" => "NL",
        "new zealand" | "新西蘭" | "紐西蘭" => "NZ",
        "malaysia" | "馬來西亞" => "MY",
        _ => return None,
    })
}

/// The country code a shop wrote, as a name ("United States", "台灣") or a code, found among
/// `destinations` by either of their names.
pub fn country_code(
    destinations: &[crate::destination::Destination],
    written: &str,
) -> Option<String> {
    let w = written.trim();
    if let Some(code) = common_country_code(w) {
        return Some(code.to_owned());
    }
    if w.len() == 2 && w.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(w.to_ascii_uppercase());
    }
    let key = header_key(w);
    destinations
        .iter()
        .find(|d| header_key(&d.name_en) == key || header_key(&d.name_tc) == key)
        .map(|d| d.code.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn money_reads_what_the_platforms_write() {
        assert_eq!(money("25.00"), Some(Decimal::new(2500, 2)));
        assert_eq!(money("$25.00"), Some(Decimal::new(2500, 2)));
        assert_eq!(money("AU $3,000.00"), Some(Decimal::new(300_000, 2)));
        assert_eq!(money("EUR 90,00"), Some(Decimal::new(9000, 2)));
        assert_eq!(money("1,200"), Some(Decimal::from(1200)));
        assert_eq!(money(""), None);
        assert_eq!(currency_of("AU $3,000.00"), "AUD");
        assert_eq!(currency_of("$25.00"), "USD");
    }

    #[test]
    fn full_width_forms_fold_and_apostrophe_zips_lose_the_apostrophe() {
        assert_eq!(clean("＋８５２　９１２３　４５６７"), "+852 9123 4567");
        assert_eq!(without_apostrophe("'02134".into()), "02134");
        assert_eq!(without_apostrophe("CV37 6LE".into()), "CV37 6LE");
    }

    #[test]
    fn unknown_headers_are_not_a_platform() {
        assert_eq!(detect(&s(&["name", "address", "country"])), None);
        assert_eq!(
            detect(&s(&["\u{feff}Name", "Lineitem name", "Shipping Address1"])),
            Some(Platform::Shopify)
        );
    }
}
