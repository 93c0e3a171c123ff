//! The nouns of the domain: parties, parcels, contents, shipments.
//!
//! Kept free of storage and wire concerns so that the store, the UI, the CLI and the rules
//! engine all talk about the same thing. Weights are integer grams, lengths integer
//! millimetres, money `rust_decimal` HK$ (never floats: postage is compared to the cent).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Weight in integer grams. The rate files give kg with three decimals, i.e. whole grams.
pub type Grams = u32;
/// Length in integer millimetres.
pub type Millimetres = u32;
/// An amount of Hong Kong dollars.
pub type Hkd = Decimal;

/// A person or business at one end of a shipment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    #[serde(default)]
    pub company: String,
    /// Street address lines, first line first.
    #[serde(default)]
    pub lines: Vec<String>,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub postcode: String,
    /// ISO 3166-1 alpha-2 (`HK`, `US`, ...).
    pub country: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// Outer dimensions of the item, in millimetres, longest first is not required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimensions {
    pub length: Millimetres,
    pub width: Millimetres,
    pub height: Millimetres,
}

impl Dimensions {
    /// Sides sorted longest first.
    pub fn sorted(&self) -> [Millimetres; 3] {
        let mut s = [self.length, self.width, self.height];
        s.sort_unstable_by(|a, b| b.cmp(a));
        s
    }
}

/// The physical item as the merchant declares it (R-009: the counter scale prevails, R-010).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcel {
    pub weight_g: Grams,
    #[serde(default)]
    pub dimensions: Option<Dimensions>,
}

/// Customs category of the contents (CN22/CN23 boxes, domain.md §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentCategory {
    Gift,
    Documents,
    CommercialSample,
    ReturnedGoods,
    SaleOfGoods,
    Other,
}

impl ContentCategory {
    pub const ALL: [ContentCategory; 6] = [
        Self::Gift,
        Self::Documents,
        Self::CommercialSample,
        Self::ReturnedGoods,
        Self::SaleOfGoods,
        Self::Other,
    ];

    /// Whether the item carries goods (everything but documents), which drives the US
    /// suspension and the EU/CH/NO e-customs rules.
    pub fn is_goods(self) -> bool {
        self != Self::Documents
    }
}

/// One line of the customs declaration (domain.md §8.1 suggested model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentLine {
    pub description: String,
    pub quantity: u32,
    pub net_weight_g: Grams,
    /// Value of the whole line (all units), in `currency`.
    pub value: Decimal,
    /// ISO 4217; HKD unless the merchant says otherwise.
    #[serde(default = "hkd")]
    pub currency: String,
    #[serde(default)]
    pub hs_code: String,
    /// ISO alpha-2 country where the goods were produced.
    #[serde(default)]
    pub origin_country: String,
}

fn hkd() -> String {
    "HKD".to_owned()
}

/// The customs part of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customs {
    pub category: ContentCategory,
    #[serde(default)]
    pub lines: Vec<ContentLine>,
    /// Free text required when the category is `Other`.
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub invoice_no: String,
}

impl Customs {
    /// Total declared value; lines in other currencies are summed as written (the UI keeps
    /// one currency per shipment).
    pub fn total_value(&self) -> Decimal {
        self.lines.iter().map(|l| l.value).sum()
    }
}
