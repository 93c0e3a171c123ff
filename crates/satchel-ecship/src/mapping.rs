//! The one table from Satchel's model to EC-Ship fields.
//!
//! Field names come from domain.md §10.4 and §10.5 (names High, meanings partly inferred).
//! Each value marked **GUESS** has no public specification behind it; the comment says which
//! line of §13 ("Unknown (no public source known) — do not invent") leaves it open. Values for
//! which not even a sample exists are [`Codes`] the merchant's configuration must supply, or a
//! [`MappingError`]; none is invented here.
//!
//! Fields are emitted in alphabetical order, as in the `api01Req` sample of §10.3 (which is
//! the order Axis-style beans serialize in). GUESS: that the server requires an order at all
//! is unknown (§13, the spec's appendices and field rules are not public).

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use satchel_core::model::{Party, Shipment};
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use uuid::Uuid;

use crate::xml::Node;

/// Which identity field(s) the body carries (§10.3 "Account identity in the body": BDMall
/// sends `hkpId`, spapi both; "Support both and make the choice configurable").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Identity {
    #[default]
    EcshipUsername,
    HkpId,
    Both,
}

/// The merchant's EC-Ship API account.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Account {
    /// `ecshipUsername`: the portal account.
    pub ecship_username: String,
    /// `hkpId`: probably the HKP single-sign-on id (§10.3, Low).
    pub hkp_id: String,
    /// `integratorUsername`: the API user; also `wsse:Username`.
    pub integrator_username: String,
    /// The API key: the secret behind the PasswordDigest, never sent in the body (§10.3).
    pub api_key: String,
    pub identity: Identity,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("ecship_username", &self.ecship_username)
            .field("hkp_id", &self.hkp_id)
            .field("integrator_username", &self.integrator_username)
            .field("api_key", &"<redacted>")
            .field("identity", &self.identity)
            .finish()
    }
}

/// Code values that are configuration because no public table exists (§13: "the full
/// `shipCode` / `mailType` / `itemCategory` / `payFlag` tables"). [`Codes::default`] holds the
/// values seen in public samples where there are any, and `None` where there are none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codes {
    /// `payFlag`. GUESS: `OC` is the Node sample's value (§10.5); the table is unknown (§13).
    pub pay_flag: Option<String>,
    /// `itemCategory`. GUESS: `M` "in the samples" (§10.5); the table is unknown (§13).
    pub item_category: Option<String>,
    /// `senderCountry`. GUESS: "Hong Kong SAR" from the Node sample (§10.5); whether it is
    /// free text or a code is unknown (§13, field rules not public).
    pub sender_country: String,
    /// `getItemNo` `searchType` for "by reference". No source gives any value (§10.4 names
    /// the field only; §13: the spec's code appendices are unknown), so no default.
    pub search_type_ref_no: Option<String>,
    /// `getItemNo` `sortOrder`. No source gives any value (§10.4, §13), so no default.
    pub sort_order: Option<String>,
    /// getTTInfo `language`. No source gives its values (§10.4 names the field; §13), so
    /// no default and the field is left out when unset.
    pub tracking_language: Option<String>,
    /// HKP 3-letter `countryCode` by open-data zone code (`Shipment::zone_code`, e.g. `US`
    /// or a sub-zone), overriding [`hkp_country_code`]'s rule (§10.7: "Keep a configurable
    /// table of ISO2 + sub-zone → HKP code").
    pub country_overrides: BTreeMap<String, String>,
}

impl Default for Codes {
    fn default() -> Self {
        Codes {
            pay_flag: Some("OC".into()),
            item_category: Some("M".into()),
            sender_country: "Hong Kong SAR".into(),
            search_type_ref_no: None,
            sort_order: None,
            tracking_language: None,
            country_overrides: BTreeMap::new(),
        }
    }
}

/// Why a request cannot be built from what Satchel knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("no EC-Ship shipCode is known for {0:?} (domain.md §10.7, §13)")]
    NoShipCode(Service),
    #[error(
        "no HKP country code is known for zone {0}; add it to the country table (domain.md §10.7)"
    )]
    NoCountryCode(String),
    #[error("{0} has no public code table (domain.md §13); set it in the EC-Ship configuration")]
    Unconfigured(&'static str),
    #[error("{0} cannot be mapped: its EC-Ship codes are not public (domain.md §13)")]
    Unknown(&'static str),
    #[error("an international shipment needs its customs declaration")]
    NoCustoms,
}

/// `shipCode` (§10.7, Medium: "Code tables seen in clients").
pub fn ship_code(service: Service) -> Result<&'static str, MappingError> {
    Ok(match service {
        // `ARM` Air Registered Mail (OpenCart, BDMall). GUESS: one code for every letter
        // format; whether formats have codes of their own is unknown (§13, shipCode table).
        Service::AirRegistered(_) => "ARM",
        Service::AirParcel => "APL",        // OpenCart
        Service::Speedpost => "EMS",        // OpenCart, BDMall
        Service::LocalParcel => "LPL",      // OpenCart, BDMall
        Service::LocalCourierPost => "LCP", // OpenCart
        // §13: "the `shipCode` that maps to "e-Express+"" and iMail's `shipCode` are unknown;
        // the rest appear in no client at all.
        other => return Err(MappingError::NoShipCode(other)),
    })
}

/// `mailType`. BDMall "sends `D1` for local items and `E` for international ones" (§10.5);
/// GUESS: that this suits every service (§13, mailType table).
pub fn mail_type(service: Service) -> &'static str {
    if service.is_local() {
        "D1"
    } else {
        "E"
    }
}

/// HKP 3-letter country code for an open-data zone code (§10.7). Order: the configured
/// table; `HK` → `HKG`; the countries §10.7 lists as split (US, AU, MY, CN) only from the
/// table; otherwise GUESS: ISO alpha-2 + `A` ("mostly", §10.7; §13 leaves the code tables
/// unknown, so the configured table wins wherever the rule is wrong).
pub fn hkp_country_code(zone: &str, codes: &Codes) -> Result<String, MappingError> {
    let zone = zone.trim().to_ascii_uppercase();
    if let Some(c) = codes.country_overrides.get(&zone) {
        return Ok(c.clone());
    }
    match zone.as_str() {
        "HK" => Ok("HKG".into()),
        "US" | "AU" | "MY" | "CN" => Err(MappingError::NoCountryCode(zone)),
        z if z.len() == 2 && z.bytes().all(|b| b.is_ascii_uppercase()) => Ok(format!("{z}A")),
        _ => Err(MappingError::NoCountryCode(zone)),
    }
}

/// `productCountry` (origin of goods). §10.5's samples are `HKG` and `CNG`. GUESS: `CNG`
/// for all of mainland China as an origin, and the destination rule otherwise (§13).
fn product_country(iso2: &str, codes: &Codes) -> Result<String, MappingError> {
    match iso2.trim().to_ascii_uppercase().as_str() {
        "CN" if !codes.country_overrides.contains_key("CN") => Ok("CNG".into()),
        other => hkp_country_code(other, codes),
    }
}

/// Grams as kg with no trailing zeros (`weight`, `productWeight` are "kg decimal", §10.4;
/// the §10.3 sample sends `0.5`).
pub fn kg(grams: u32) -> String {
    Decimal::new(i64::from(grams), 3).normalize().to_string()
}

fn identity(account: &Account) -> Vec<Node> {
    let mut v = vec![Node::leaf(
        "integratorUsername",
        &account.integrator_username,
    )];
    if account.identity != Identity::HkpId {
        v.push(Node::leaf("ecshipUsername", &account.ecship_username));
    }
    if account.identity != Identity::EcshipUsername {
        v.push(Node::leaf("hkpId", &account.hkp_id));
    }
    v
}

fn sorted(mut v: Vec<Node>) -> Vec<Node> {
    v.sort_by_key(|n| n.name());
    v
}

/// GUESS: company, street lines and state joined with ", " into one `…Address` field; the
/// field's length and line rules are unknown (§13, field lengths).
fn address(p: &Party) -> String {
    std::iter::once(p.company.as_str())
        .chain(p.lines.iter().map(String::as_str))
        .chain(std::iter::once(p.state.as_str()))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn non_empty(v: &mut Vec<Node>, name: &'static str, value: &str) {
    if !value.trim().is_empty() {
        v.push(Node::leaf(name, value.trim()));
    }
}

/// `getTotalPostage` / `api01Req` (§10.3 sample, §10.4). `mailType`, `mailSize` and the
/// insurance fields are left out: their codes are unknown (§13).
pub fn total_postage_fields(
    account: &Account,
    codes: &Codes,
    shipment: &Shipment,
) -> Result<Vec<Node>, MappingError> {
    let mut v = identity(account);
    v.push(Node::leaf(
        "countryCode",
        hkp_country_code(&shipment.zone_code(), codes)?,
    ));
    v.push(Node::leaf("shipCode", ship_code(shipment.service)?));
    v.push(Node::leaf("weight", kg(shipment.parcel.weight_g)));
    Ok(sorted(v))
}

/// `createOrder` / `api02Req` (§10.5). `refNo` is our shipment id, so a retried submission
/// can be recognised (§10.4 "Make submissions idempotent through `refNo`").
pub fn create_order_fields(
    account: &Account,
    codes: &Codes,
    id: Uuid,
    shipment: &Shipment,
) -> Result<Vec<Node>, MappingError> {
    let s = shipment;
    let mut v = identity(account);
    v.push(Node::leaf("refNo", id.to_string()));
    v.push(Node::leaf("shipCode", ship_code(s.service)?));
    v.push(Node::leaf("mailType", mail_type(s.service)));
    v.push(Node::leaf(
        "countryCode",
        hkp_country_code(&s.zone_code(), codes)?,
    ));
    let item_category = codes
        .item_category
        .as_deref()
        .ok_or(MappingError::Unconfigured("itemCategory"))?;
    v.push(Node::leaf("itemCategory", item_category));
    let pay_flag = codes
        .pay_flag
        .as_deref()
        .ok_or(MappingError::Unconfigured("payFlag"))?;
    v.push(Node::leaf("payFlag", pay_flag));
    if let Some(item) = &s.item_number {
        // "`itemNo` (a supplied barcode)" (§10.5).
        v.push(Node::leaf("itemNo", item.as_str()));
    }
    if let Some(sum) = s.insured_value {
        // `insurAmount` in HK$. `insurTypeCode` is left out: its codes are unknown (§13).
        v.push(Node::leaf("insurAmount", sum.to_string()));
    }
    if s.non_delivery.is_some() {
        // `nonDeliveryOptions`: "parcels need it" (§10.5, R-090) but no client shows its
        // values (§13: code tables unknown). Refuse rather than send an invented code.
        return Err(MappingError::Unknown("nonDeliveryOptions"));
    }

    // Sender (§10.5). `senderContactNoAreaCode` left out: its format is unknown (§13).
    v.push(Node::leaf("senderName", s.sender.name.trim()));
    v.push(Node::leaf("senderAddress", address(&s.sender)));
    v.push(Node::leaf("senderCountry", &codes.sender_country));
    non_empty(&mut v, "senderContactNo", &s.sender.phone);
    non_empty(&mut v, "senderEmail", &s.sender.email);

    // Recipient (§10.5). `recipientContactNoAreaCode` left out, as for the sender.
    v.push(Node::leaf("recipientName", s.recipient.name.trim()));
    v.push(Node::leaf("recipientAddress", address(&s.recipient)));
    non_empty(&mut v, "recipientCity", &s.recipient.city);
    non_empty(&mut v, "recipientPostalNo", &s.recipient.postcode);
    non_empty(&mut v, "recipientContactNo", &s.recipient.phone);
    non_empty(&mut v, "recipientEmail", &s.recipient.email);

    match &s.customs {
        Some(c) => {
            // GUESS: `invoiceNumber` is the commercial invoice number and
            // `declarationComments` the CN22/CN23 explanation; meanings are inferred (§10.5
            // heading; §13, field rules).
            non_empty(&mut v, "invoiceNumber", &c.invoice_no);
            non_empty(&mut v, "declarationComments", &c.explanation);
            let mut items = Vec::with_capacity(c.lines.len());
            for l in &c.lines {
                // `products` → repeated `item` (§10.5); `productValue` is the line's value
                // as declared. GUESS: per line, not per unit (§13, field rules).
                let mut f = vec![
                    Node::leaf("contentDesc", l.description.trim()),
                    Node::leaf("currencyCode", l.currency.trim()),
                    Node::leaf("productQty", l.quantity.to_string()),
                    Node::leaf("productValue", l.value.to_string()),
                    Node::leaf("productWeight", kg(l.net_weight_g)),
                ];
                if !l.origin_country.trim().is_empty() {
                    f.push(Node::leaf(
                        "productCountry",
                        product_country(&l.origin_country, codes)?,
                    ));
                }
                non_empty(&mut f, "productTariffCode", &l.hs_code);
                items.push(Node::Group {
                    name: "item",
                    children: sorted(f),
                });
            }
            v.push(Node::Group {
                name: "products",
                children: items,
            });
        }
        None if !s.service.is_local() => return Err(MappingError::NoCustoms),
        None => {}
    }
    Ok(sorted(v))
}

/// `getItemNo` / `api26Req` by our reference (§10.4: searchParam, searchType, sortOrder).
pub fn item_no_fields(
    account: &Account,
    codes: &Codes,
    id: Uuid,
) -> Result<Vec<Node>, MappingError> {
    let mut v = identity(account);
    v.push(Node::leaf("searchParam", id.to_string()));
    let t = codes
        .search_type_ref_no
        .as_deref()
        .ok_or(MappingError::Unconfigured("searchType"))?;
    v.push(Node::leaf("searchType", t));
    let o = codes
        .sort_order
        .as_deref()
        .ok_or(MappingError::Unconfigured("sortOrder"))?;
    v.push(Node::leaf("sortOrder", o));
    Ok(sorted(v))
}

/// `cancelOrder` / `api03Req` (§10.4: itemNo, orderNo).
pub fn cancel_order_fields(account: &Account, item_no: &ItemNumber, order_no: &str) -> Vec<Node> {
    let mut v = identity(account);
    v.push(Node::leaf("itemNo", item_no.as_str()));
    v.push(Node::leaf("orderNo", order_no.trim()));
    sorted(v)
}

/// `getAddressPack` `printMode` (§10.4: "`0` = 1 label per page, `2` = 3 labels per page
/// ("for e-Express to the US only", spapi comment)").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrintMode {
    #[default]
    OnePerPage,
    ThreePerPage,
}

impl PrintMode {
    pub fn code(self) -> &'static str {
        match self {
            PrintMode::OnePerPage => "0",
            PrintMode::ThreePerPage => "2",
        }
    }
}

/// `getAddressPack` / `api11Req` (§10.4: "itemNo → `<item>` list; printMode"). GUESS: the
/// list is one `itemNo` element holding one `item` element per number; the Node sample's
/// exact nesting is not reproduced in domain.md (§13, field rules not public).
pub fn address_pack_fields(account: &Account, items: &[ItemNumber], mode: PrintMode) -> Vec<Node> {
    let mut v = identity(account);
    v.push(Node::Group {
        name: "itemNo",
        children: items
            .iter()
            .map(|i| Node::leaf("item", i.as_str()))
            .collect(),
    });
    v.push(Node::leaf("printMode", mode.code()));
    sorted(v)
}

/// `getTTInfo` / `api05Req` (§10.4: itemNo, language). `language` is sent only when
/// configured: its values are unknown (§13).
pub fn tt_info_fields(account: &Account, codes: &Codes, item: &ItemNumber) -> Vec<Node> {
    let mut v = identity(account);
    v.push(Node::leaf("itemNo", item.as_str()));
    if let Some(l) = &codes.tracking_language {
        v.push(Node::leaf("language", l));
    }
    sorted(v)
}

/// `getMTTInfo` / `api04Req` (§10.4: itemNo).
pub fn mtt_info_fields(account: &Account, item: &ItemNumber) -> Vec<Node> {
    let mut v = identity(account);
    v.push(Node::leaf("itemNo", item.as_str()));
    sorted(v)
}

/// Element names read from replies: the one table for the parsers in `response.rs` (and the
/// simulator, which writes what we read). Names marked High are the `<op>Return` fields of
/// domain.md §10.4; the rest are GUESS and say why.
pub mod reply {
    /// `status`, `errMessage` (§10.4, High: "Every client treats `status == "0"` as success
    /// and shows `errMessage` otherwise").
    pub const STATUS: &str = "status";
    pub const ERR_MESSAGE: &str = "errMessage";
    pub const STATUS_OK: &str = "0";
    /// getTotalPostage (§10.4, High).
    pub const TOTAL_POSTAGE: &str = "totalPostage";
    pub const ADDITIONAL_CHARGE: &str = "additionalCharge";
    pub const INSURANCE_PREMIUM_FEE: &str = "insurancePremiumFee";
    /// createOrder (§10.4, High).
    pub const ITEM_NO: &str = "itemNo";
    pub const ORDER_NO: &str = "orderNo";
    pub const DELIVERY_CHARGE: &str = "deliveryCharge";
    pub const INSUR_PERM_FEE: &str = "insurPermFee";
    /// getAddressPack: `ap`, the Base64 PDF (§10.4, High).
    pub const ADDRESS_PACK: &str = "ap";

    /// GUESS (§10.4 gives getItemNo's response as "—"; §13, the spec is not public): each
    /// match is an element named [`ITEM_NO_RECORD`] holding `refNo`, `itemNo` and `orderNo`,
    /// the names createOrder uses. The parser accepts any element with an `itemNo` child
    /// below the reply, so only the field names are load-bearing.
    pub const ITEM_NO_RECORD: &str = "itemList";
    pub const REF_NO: &str = "refNo";

    /// getTTInfo: `trackingInfos[]` is High (§10.4); what one holds is not public. GUESS
    /// (§13): the milestone field names of getMTTInfo below.
    pub const TT_RECORD: &str = "trackingInfos";
    /// getMTTInfo: `milestoneList/milestone{milestoneNo, milestoneName,
    /// milestoneDescription, eventDate, eventTime, eventLocation}` (§10.4, Low: an adapter
    /// whose author marks it inferred).
    pub const MTT_RECORD: &str = "milestone";
    pub const EVENT_CODE: &str = "milestoneNo";
    pub const EVENT_NAME: &str = "milestoneName";
    pub const EVENT_DESCRIPTION: &str = "milestoneDescription";
    pub const EVENT_DATE: &str = "eventDate";
    pub const EVENT_TIME: &str = "eventTime";
    pub const EVENT_LOCATION: &str = "eventLocation";
    /// GUESS (§13): date `yyyy-MM-dd` and time `HH:mm[:ss]`, HK local time, as BDMall's
    /// `createDate` format (§10.4) suggests; also accepted `dd/MM/yyyy`.
    pub const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"];
    pub const TIME_FORMATS: &[&str] = &["%H:%M:%S", "%H:%M", "%H%M%S", "%H%M"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kg_has_no_trailing_zeros() {
        assert_eq!(kg(500), "0.5");
        assert_eq!(kg(2000), "2");
        assert_eq!(kg(1234), "1.234");
        assert_eq!(kg(0), "0");
    }

    #[test]
    fn country_codes() {
        let mut codes = Codes::default();
        assert_eq!(hkp_country_code("jp", &codes).unwrap(), "JPA");
        assert_eq!(hkp_country_code("HK", &codes).unwrap(), "HKG");
        assert_eq!(
            hkp_country_code("US", &codes),
            Err(MappingError::NoCountryCode("US".into()))
        );
        codes.country_overrides.insert("US".into(), "USC".into());
        assert_eq!(hkp_country_code("US", &codes).unwrap(), "USC");
        assert_eq!(product_country("CN", &codes).unwrap(), "CNG");
    }

    #[test]
    fn ship_codes_are_only_those_seen() {
        assert_eq!(ship_code(Service::Speedpost), Ok("EMS"));
        assert_eq!(
            ship_code(Service::EExpress),
            Err(MappingError::NoShipCode(Service::EExpress))
        );
        assert!(ship_code(Service::Imail).is_err());
    }

    #[test]
    fn api_key_is_redacted_in_debug() {
        let a = Account {
            api_key: "s3cret".into(),
            ..Account::default()
        };
        assert!(!format!("{a:?}").contains("s3cret"));
    }
}
