//! The product catalogue and shipping defaults (issue #14): what each SKU a shop sells is,
//! for customs, and how an order from the shop becomes a draft shipment.
//!
//! Shop exports carry no weights, HS codes or service. A merchant describes each product once
//! (English and Chinese description, HS code, origin, unit weight and value, category) and
//! Satchel fills every order's customs lines and weight from it; the shipping defaults add the
//! packaging and choose the service. A product is checked with the same rules as a content
//! line typed in the editor ([`validate_product`]), so a catalogue entry that passes makes
//! lines that pass.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::compare::{compare, CompareRequest};
use crate::model::{
    ContentCategory, ContentLine, Customs, Dimensions, Grams, Parcel, Party, Shipment,
};
use crate::rates::RateView;
use crate::service::{LetterFormat, Service};
use crate::shop::ShopOrder;
use crate::tariff::TariffFacts;
use crate::validate::{validate_shipment, Problem, RulesConfig};

/// One product as the merchant describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The shop's SKU, as its exports write it.
    pub sku: String,
    /// Plain English, specific: what the customs line says.
    pub description_en: String,
    #[serde(default)]
    pub description_zh: String,
    #[serde(default)]
    pub hs_code: String,
    /// ISO alpha-2 country of origin.
    #[serde(default)]
    pub origin: String,
    /// Net weight of one unit.
    pub unit_weight_g: Grams,
    /// Value of one unit, used when the order does not say what the customer paid.
    pub unit_value: Decimal,
    #[serde(default = "hkd")]
    pub currency: String,
    pub category: ContentCategory,
    /// Whether the description may go to the EU, Switzerland and Norway as written (plain
    /// English, R-069). Checked when set.
    #[serde(default = "yes")]
    pub eu_ok: bool,
}

fn hkd() -> String {
    "HKD".to_owned()
}

fn yes() -> bool {
    true
}

impl Product {
    /// The customs line for `quantity` units; `unit_price` is what the customer paid for one
    /// (in `currency`), the declared value when known.
    pub fn line(&self, quantity: u32, unit_price: Option<Decimal>, currency: &str) -> ContentLine {
        let (value, currency) = match unit_price {
            // Saturating: an absurd price in a shop export must become a value the rules
            // refuse, not a panic in the import (found by `cargo xtask fuzz`).
            Some(p) if !currency.is_empty() => (
                p.saturating_mul(Decimal::from(quantity)),
                currency.to_owned(),
            ),
            _ => (
                self.unit_value.saturating_mul(Decimal::from(quantity)),
                self.currency.clone(),
            ),
        };
        ContentLine {
            description: self.description_en.clone(),
            quantity,
            net_weight_g: self.unit_weight_g.saturating_mul(quantity),
            value,
            currency,
            hs_code: self.hs_code.clone(),
            origin_country: self.origin.clone(),
        }
    }
}

/// A product's field a problem is about, by its content-line field.
fn product_field(line_field: &str) -> Option<&'static str> {
    Some(match line_field {
        "description" => "description_en",
        "hs_code" => "hs_code",
        "origin_country" => "origin",
        "net_weight_g" => "unit_weight_g",
        "value" => "unit_value",
        "currency" => "currency",
        _ => return None,
    })
}

/// Every problem a content line made from `p` would have: the editor's own rules (R-069 when
/// it may go to the EU, R-074, R-077, R-080, R-081), named by the product's fields.
pub fn validate_product(p: &Product, tariff: &dyn TariffFacts) -> Vec<Problem> {
    // A Speedpost item to Germany asks the most of a content line: every line rule applies.
    let to = if p.eu_ok { "DE" } else { "JP" };
    let shipment = Shipment {
        sender: Party {
            name: "Catalogue check".into(),
            lines: vec!["1 Check Road".into()],
            city: "Hong Kong".into(),
            country: "HK".into(),
            phone: "91234567".into(),
            ..Party::default()
        },
        recipient: Party {
            name: "Catalogue check".into(),
            lines: vec!["1 Check Road".into()],
            city: "Berlin".into(),
            postcode: "10115".into(),
            country: to.into(),
            phone: "+49 30 1234567".into(),
            ..Party::default()
        },
        service: Service::Speedpost,
        zone: String::new(),
        parcel: Parcel {
            weight_g: p.unit_weight_g.max(1),
            dimensions: None,
        },
        customs: Some(Customs {
            category: p.category,
            lines: vec![p.line(1, None, "")],
            explanation: String::new(),
            invoice_no: String::new(),
        }),
        insured_value: None,
        reference: String::new(),
        item_number: None,
        non_delivery: None,
    };
    validate_shipment(&shipment, tariff, &RulesConfig::default())
        .into_iter()
        .filter_map(|mut problem| {
            let field = problem.field.strip_prefix("customs.lines[0].")?;
            problem.field = product_field(field)?.to_owned();
            Some(problem)
        })
        .collect()
}

/// A box the merchant packs in: its outer size and its own weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxSize {
    pub name: String,
    pub length_mm: u32,
    pub width_mm: u32,
    pub height_mm: u32,
    pub weight_g: Grams,
}

/// How an order becomes a complete draft once its products are known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defaults {
    /// Added to the goods' net weight (padding, label) when no box is named.
    pub packaging_g: Grams,
    /// Named box sizes; the first is the one an imported order is drafted in (its size is
    /// the parcel's, its weight replaces `packaging_g`). The editor can change it per item.
    #[serde(default)]
    pub boxes: Vec<BoxSize>,
    /// Services in order of preference; the first that can carry the item is used. Empty:
    /// the cheapest that can carry it.
    #[serde(default)]
    pub prefer: Vec<Service>,
    /// A preference for one destination (country code), used instead of `prefer` there.
    #[serde(default)]
    pub prefer_by_destination: std::collections::BTreeMap<String, Vec<Service>>,
    /// The category of lines whose product is unknown.
    pub category: ContentCategory,
}

impl Defaults {
    /// The services preferred for `country`, in order (empty: the cheapest).
    pub fn preference(&self, country: &str) -> &[Service] {
        self.prefer_by_destination
            .get(&country.trim().to_ascii_uppercase())
            .unwrap_or(&self.prefer)
    }
}

impl Default for Defaults {
    /// A tracked service for goods: e-Express where it is offered, else Air Registered small
    /// packet, else Air Parcel, else Speedpost; 50 g of packaging.
    fn default() -> Defaults {
        Defaults {
            packaging_g: 50,
            boxes: Vec::new(),
            prefer_by_destination: std::collections::BTreeMap::new(),
            prefer: vec![
                Service::EExpress,
                Service::AirRegistered(LetterFormat::Packet),
                Service::AirParcel,
                Service::Speedpost,
            ],
            category: ContentCategory::SaleOfGoods,
        }
    }
}

/// A draft made from an order, and the SKUs the catalogue does not know yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Drafted {
    pub shipment: Shipment,
    pub unknown_skus: Vec<String>,
}

/// The draft for `order`: customs lines and weight from the catalogue, the service by the
/// defaults' rule, the merchant's sender profile. A line whose product is unknown is kept
/// with the shop's title and no weight or HS code, so the draft shows what is missing rather
/// than losing the line.
pub fn draft(
    order: &ShopOrder,
    product: &dyn Fn(&str) -> Option<Product>,
    defaults: &Defaults,
    sender: &Party,
    view: &RateView<'_>,
) -> Drafted {
    let mut unknown_skus = Vec::new();
    let mut category = None;
    let mut known_weight: Grams = 0;
    let mut lines = Vec::with_capacity(order.lines.len());
    for l in &order.lines {
        match product(&l.sku).filter(|_| !l.sku.is_empty()) {
            Some(p) => {
                category.get_or_insert(p.category);
                let line = p.line(l.quantity, l.unit_price, &order.currency);
                known_weight = known_weight.saturating_add(line.net_weight_g);
                lines.push(line);
            }
            None => {
                if !l.sku.is_empty() && !unknown_skus.contains(&l.sku) {
                    unknown_skus.push(l.sku.clone());
                }
                let currency = if order.currency.is_empty() {
                    hkd()
                } else {
                    order.currency.clone()
                };
                lines.push(ContentLine {
                    description: l.title.clone(),
                    quantity: l.quantity,
                    net_weight_g: 0,
                    value: l
                        .unit_price
                        .unwrap_or_default()
                        .saturating_mul(Decimal::from(l.quantity)),
                    currency,
                    hs_code: String::new(),
                    origin_country: String::new(),
                });
            }
        }
    }
    let category = category.unwrap_or(defaults.category);
    // With nothing known the weight stays empty, so the draft says "weight missing" instead
    // of being priced for the box alone.
    let the_box = defaults.boxes.first();
    let tare = the_box.map_or(defaults.packaging_g, |b| b.weight_g);
    let weight_g = if known_weight > 0 {
        known_weight.saturating_add(tare)
    } else {
        0
    };
    let parcel = Parcel {
        weight_g,
        dimensions: the_box.map(|b| Dimensions {
            length: b.length_mm,
            width: b.width_mm,
            height: b.height_mm,
        }),
    };
    let service = choose_service(view, &order.recipient.country, parcel, category, defaults);
    Drafted {
        shipment: Shipment {
            sender: sender.clone(),
            recipient: order.recipient.clone(),
            service,
            zone: String::new(),
            parcel,
            customs: Some(Customs {
                category,
                lines,
                explanation: String::new(),
                invoice_no: String::new(),
            }),
            insured_value: None,
            reference: order.reference.clone(),
            item_number: None,
            non_delivery: None,
        },
        unknown_skus,
    }
}

/// The first preferred service (for the destination, else overall) that can carry the item,
/// or the cheapest; when none can (goods to the US, R-063; no weight yet) the first
/// preference, else Speedpost, so the draft exists and says why.
pub fn choose_service(
    view: &RateView<'_>,
    country: &str,
    parcel: Parcel,
    category: ContentCategory,
    defaults: &Defaults,
) -> Service {
    let options = compare(
        view,
        &CompareRequest {
            parcel,
            country: country.to_owned(),
            zone: None,
            category,
        },
    )
    .options;
    let prefer = defaults.preference(country);
    let preferred = prefer
        .iter()
        .find(|s| options.iter().any(|o| o.service == **s));
    preferred
        .copied()
        .or_else(|| options.first().map(|o| o.service))
        .or_else(|| prefer.first().copied())
        .unwrap_or(Service::Speedpost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rates::RateSet;

    #[test]
    fn a_price_too_large_to_multiply_saturates_instead_of_panicking() {
        // A shop export with an absurd unit price and two units (found by `cargo xtask fuzz`).
        let line = scarf().line(2, Some(Decimal::MAX), "HKD");
        assert_eq!(line.value, Decimal::MAX);
        let customs = crate::model::Customs {
            category: crate::model::ContentCategory::SaleOfGoods,
            lines: vec![line.clone(), line],
            explanation: String::new(),
            invoice_no: String::new(),
        };
        assert_eq!(customs.total_value(), Decimal::MAX);
    }

    fn scarf() -> Product {
        Product {
            sku: "SCARF-JADE".into(),
            description_en: "Silk scarf".into(),
            description_zh: "真絲圍巾".into(),
            hs_code: "62141000".into(),
            origin: "CN".into(),
            unit_weight_g: 120,
            unit_value: Decimal::from(180),
            currency: "HKD".into(),
            category: ContentCategory::SaleOfGoods,
            eu_ok: true,
        }
    }

    fn rules(p: &Product) -> Vec<(String, &'static str)> {
        let rates = RateSet::bundled();
        validate_product(p, &rates.latest())
            .into_iter()
            .map(|x| (x.field, x.rule))
            .collect()
    }

    #[test]
    fn a_product_is_checked_with_the_content_line_rules_named_by_its_fields() {
        assert_eq!(rules(&scarf()), []);
        let vague = Product {
            description_en: "Gift".into(),
            ..scarf()
        };
        assert_eq!(rules(&vague), [("description_en".to_owned(), "R-077")]);
        let punctuated = Product {
            description_en: "Pu-erh tea".into(),
            ..scarf()
        };
        assert_eq!(rules(&punctuated), [("description_en".to_owned(), "R-069")]);
        // Not sent to the EU as written: R-069 does not apply.
        assert_eq!(
            rules(&Product {
                eu_ok: false,
                ..punctuated
            }),
            []
        );
        let dotted = Product {
            hs_code: "6214.10".into(),
            ..scarf()
        };
        assert_eq!(rules(&dotted), [("hs_code".to_owned(), "R-074")]);
        let spelled = Product {
            origin: "China".into(),
            ..scarf()
        };
        assert_eq!(rules(&spelled), [("origin".to_owned(), "R-081")]);
    }
}
