//! The nouns of the domain: parties, parcels, contents, shipments.
//!
//! Kept free of storage and wire concerns so that the store, the UI, the CLI and the rules
//! engine all talk about the same thing. Weights are integer grams, lengths integer
//! millimetres, money `rust_decimal` HK$ (never floats: postage is compared to the cent).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::s10::ItemNumber;
use crate::service::Service;

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

    /// The stable id (`sale_of_goods`), as the IPC contract, CSV files and the CLI write it.
    pub fn id(self) -> &'static str {
        match self {
            Self::Gift => "gift",
            Self::Documents => "documents",
            Self::CommercialSample => "commercial_sample",
            Self::ReturnedGoods => "returned_goods",
            Self::SaleOfGoods => "sale_of_goods",
            Self::Other => "other",
        }
    }

    /// A category as merchants and files write it: the id in any case, with spaces or hyphens
    /// for underscores ("Sale of goods", "sale-of-goods"). The one reader of categories, so a
    /// CSV file, the CLI and the editor accept the same words.
    pub fn from_id(text: &str) -> Option<ContentCategory> {
        let id = normalise_id(text);
        Self::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// `"Return by air"` → `"return_by_air"`: ids compared as a person might type them.
fn normalise_id(text: &str) -> String {
    text.trim().to_lowercase().replace(['-', ' '], "_")
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
        // Saturating: lines read from outside (a shop export, a peer) may add up past what a
        // Decimal holds; the rules then refuse the value instead of the app panicking.
        self.lines
            .iter()
            .fold(Decimal::ZERO, |sum, l| sum.saturating_add(l.value))
    }
}

/// What to do with a parcel that cannot be delivered (R-090: always required for Air/Surface
/// Parcel). Redirection to another address is not modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonDelivery {
    ReturnByAir,
    ReturnBySurface,
    Abandon,
}

impl NonDelivery {
    pub const ALL: [NonDelivery; 3] = [Self::ReturnByAir, Self::ReturnBySurface, Self::Abandon];

    /// The stable id (`return_by_air`).
    pub fn id(self) -> &'static str {
        match self {
            Self::ReturnByAir => "return_by_air",
            Self::ReturnBySurface => "return_by_surface",
            Self::Abandon => "abandon",
        }
    }

    /// An instruction by its id, read as [`ContentCategory::from_id`] reads categories;
    /// a bare "return" means by air, the usual choice.
    pub fn from_id(text: &str) -> Option<NonDelivery> {
        match normalise_id(text).as_str() {
            "return" => Some(Self::ReturnByAir),
            id => Self::ALL.into_iter().find(|n| n.id() == id),
        }
    }
}

/// One item as the merchant prepares it: the unit the rules engine validates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    /// The return address (R-049: must be in Hong Kong; R-051: not an MCN address).
    pub sender: Party,
    /// The addressee; `recipient.country` is the destination country.
    pub recipient: Party,
    pub service: Service,
    /// The open-data `zoneCode` of the destination (sub-zone, §5.4 item 2). Empty means "the
    /// same as the country", which is right for every destination without sub-zones.
    #[serde(default)]
    pub zone: String,
    pub parcel: Parcel,
    /// Required for international items (CN22/CN23, R-038); `None` for local ones.
    #[serde(default)]
    pub customs: Option<Customs>,
    /// Sum insured, if insurance is bought (R-115, R-136: never above the declared value).
    #[serde(default)]
    pub insured_value: Option<Hkd>,
    /// The merchant's own reference (order number); also the idempotency key on submit.
    #[serde(default)]
    pub reference: String,
    /// A sender-supplied or EC-Ship-assigned S10 number.
    #[serde(default)]
    pub item_number: Option<ItemNumber>,
    /// Required for Air/Surface Parcel.
    #[serde(default)]
    pub non_delivery: Option<NonDelivery>,
}

impl Shipment {
    /// The destination country (`recipient.country`), trimmed and upper-cased.
    pub fn country(&self) -> String {
        self.recipient.country.trim().to_ascii_uppercase()
    }

    /// The open-data zone to price and look up limits with: [`Shipment::zone`], or the country
    /// when no sub-zone was chosen.
    pub fn zone_code(&self) -> String {
        let z = self.zone.trim();
        if z.is_empty() {
            self.country()
        } else {
            z.to_ascii_uppercase()
        }
    }
}

/// One iMail item in a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingItem {
    #[serde(default)]
    pub reference: String,
    /// ISO alpha-2 destination country.
    pub destination: String,
    pub weight_g: Grams,
    /// Number of the [`Bag`] this item is in, once bagged.
    #[serde(default)]
    pub bag: Option<u32>,
}

/// One iMail mail bag: a single destination, at most 30 kg, 20 kg for the UK and
/// Switzerland.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bag {
    pub number: u32,
    /// ISO alpha-2 destination of every item in the bag.
    pub destination: String,
    /// Weighed bag weight; when absent the sum of its items' weights is used.
    #[serde(default)]
    pub weight_g: Option<Grams>,
}

/// An iMail posting: everything lodged under one permit at one time (R-143 counts all
/// consignments under the same permit account as one posting).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    #[serde(default)]
    pub permit_no: String,
    #[serde(default)]
    pub items: Vec<PostingItem>,
    #[serde(default)]
    pub bags: Vec<Bag>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_the_wire_names_and_read_back_as_merchants_write_them() {
        for c in ContentCategory::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.id());
            assert_eq!(ContentCategory::from_id(c.id()), Some(c));
        }
        for n in NonDelivery::ALL {
            assert_eq!(serde_json::to_value(n).unwrap(), n.id());
            assert_eq!(NonDelivery::from_id(n.id()), Some(n));
        }
        assert_eq!(
            ContentCategory::from_id(" Sale of goods "),
            Some(ContentCategory::SaleOfGoods)
        );
        assert_eq!(
            ContentCategory::from_id("commercial-sample"),
            Some(ContentCategory::CommercialSample)
        );
        assert_eq!(
            NonDelivery::from_id("Return"),
            Some(NonDelivery::ReturnByAir)
        );
        assert_eq!(ContentCategory::from_id("merchandise"), None);
    }
}
