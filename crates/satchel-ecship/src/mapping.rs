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
use satchel_core::model::{NonDelivery, Party, Shipment};
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use uuid::Uuid;

use crate::xml::{Node, LIST_ITEM};

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
    /// `shipCode` by [`Service::family`], overriding [`DEFAULT_SHIP_CODES`]. The services
    /// no public client shows a code for (iMail, the surface services) need an entry here
    /// before they can be submitted (§13, "the full `shipCode` table").
    pub ship_codes: BTreeMap<String, String>,
    /// `nonDeliveryOptions` by [`NonDelivery::id`], overriding [`DEFAULT_NON_DELIVERY`].
    pub non_delivery: BTreeMap<String, String>,
    /// How Speedpost orders are made (§13.1: public clients use `SoazPosting`).
    pub speedpost_route: SpeedpostRoute,
    /// `createSoazOrder` `service`. GUESS: `SPGDE`, one of the two Speedpost codes BDMall
    /// labels through SoazPosting (§10.7); the table is not public (§13).
    pub soaz_service: String,
}

/// Where a Speedpost order is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpeedpostRoute {
    /// `SoazPosting/createSoazOrder` and `getSoazAddressPack` (§10.4, §13.1: what the
    /// public clients do).
    #[default]
    Soaz,
    /// `Posting/createOrder` with shipCode `EMS`, like every other service.
    Posting,
}

impl SpeedpostRoute {
    pub fn id(self) -> &'static str {
        match self {
            SpeedpostRoute::Soaz => "soaz",
            SpeedpostRoute::Posting => "posting",
        }
    }

    pub fn from_id(id: &str) -> Option<SpeedpostRoute> {
        match id.trim() {
            "soaz" => Some(SpeedpostRoute::Soaz),
            "posting" => Some(SpeedpostRoute::Posting),
            _ => None,
        }
    }
}

/// `shipCode` by [`Service::family`] as seen in public clients (§10.7, §13.1; Medium). Only
/// the air letter-post family is mapped to `ARM`: one code for every letter format is a
/// GUESS (§13, shipCode table).
pub const DEFAULT_SHIP_CODES: &[(&str, &str)] = &[
    ("air_registered", "ARM"),    // OpenCart, BDMall
    ("air_parcel", "APL"),        // OpenCart
    ("speedpost", "EMS"),         // OpenCart, BDMall
    ("e_express", "AEX"),         // spapi, a Node sample (§13.1)
    ("local_parcel", "LPL"),      // OpenCart, BDMall
    ("local_courierpost", "LCP"), // OpenCart
];

/// `nonDeliveryOptions` by instruction. GUESS: the only public hint is `'1'` in a legacy
/// call with shipCode `APL` (§13.1, Low); `1`/`2`/`3` in the order R-090 lists the
/// instructions is a default to verify on the trial endpoint, and a setting.
pub const DEFAULT_NON_DELIVERY: &[(&str, &str)] = &[
    ("return_by_air", "1"),
    ("return_by_surface", "2"),
    ("abandon", "3"),
];

/// HKP codes that do not follow the "ISO alpha-2 + `A`" pattern, by open-data zone code
/// (§13.1: OpenCart's table has `XD` Ascension → `ACA`, `XB` Tristan da Cunha → `TAA`). For
/// the split countries (§10.7) the default is the table's "others" entry; a merchant who
/// ships to Hawaii or Western Australia sets the sub-zone's code in the configuration.
pub const DEFAULT_COUNTRY_CODES: &[(&str, &str)] = &[
    ("XD", "ACA"),
    ("XB", "TAA"),
    ("US", "USC"),
    ("AU", "AUB"),
    ("MY", "MYA"),
];

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
            ship_codes: BTreeMap::new(),
            non_delivery: BTreeMap::new(),
            speedpost_route: SpeedpostRoute::default(),
            soaz_service: "SPGDE".into(),
        }
    }
}

/// Why a request cannot be built from what Satchel knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error(
        "no EC-Ship shipCode is set for {0:?}: no public client shows one (domain.md §13); \
         enter the code EC-Ship gave you in the EC-Ship settings"
    )]
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
    #[error(
        "a Speedpost order made through SoazPosting holds at most {max} content lines and one \
         currency (domain.md §10.4, createSoazOrder); this one has {lines} lines in {currencies} \
         currencies"
    )]
    SoazContents {
        max: usize,
        lines: usize,
        currencies: usize,
    },
}

/// `shipCode` (§10.7, §13.1): the configured code for the service's family, else the one
/// public clients use, else [`MappingError::NoShipCode`] (never an invented code).
pub fn ship_code(service: Service, codes: &Codes) -> Result<String, MappingError> {
    let family = service.family();
    let configured = codes
        .ship_codes
        .get(family)
        .map(|c| c.trim())
        .filter(|c| !c.is_empty());
    configured
        .or_else(|| {
            DEFAULT_SHIP_CODES
                .iter()
                .find(|(f, _)| *f == family)
                .map(|(_, c)| *c)
        })
        .map(str::to_owned)
        .ok_or(MappingError::NoShipCode(service))
}

/// `nonDeliveryOptions` for an instruction: configured, else [`DEFAULT_NON_DELIVERY`].
pub fn non_delivery_code(instruction: NonDelivery, codes: &Codes) -> String {
    let id = instruction.id();
    codes
        .non_delivery
        .get(id)
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .or_else(|| {
            DEFAULT_NON_DELIVERY
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, c)| *c)
        })
        .unwrap_or_default()
        .to_owned()
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
    if let Some((_, c)) = DEFAULT_COUNTRY_CODES.iter().find(|(z, _)| *z == zone) {
        return Ok((*c).to_owned());
    }
    match zone.as_str() {
        "HK" => Ok("HKG".into()),
        // Mainland China is split by province (`CNA`…`CNJ`, §10.7) with no "others" code.
        "CN" => Err(MappingError::NoCountryCode(zone)),
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
    v.push(Node::leaf("shipCode", ship_code(shipment.service, codes)?));
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
    v.push(Node::leaf("shipCode", ship_code(s.service, codes)?));
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
    if let Some(nd) = s.non_delivery {
        // `nonDeliveryOptions`: "parcels need it" (§10.5, R-090); its codes are configuration
        // with a default to verify (§13.1, [`DEFAULT_NON_DELIVERY`]).
        v.push(Node::leaf(
            "nonDeliveryOptions",
            non_delivery_code(nd, codes),
        ));
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
                    name: LIST_ITEM,
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

/// At most this many content lines fit a `createSoazOrder` (`itemDesc1..4`, §10.4).
pub const SOAZ_MAX_LINES: usize = 4;

/// Up to four address lines: the street lines, then the state; more are joined into the
/// fourth so nothing typed is dropped. GUESS: the fields' lengths are not public (§13).
fn four_lines(p: &Party) -> Vec<String> {
    let mut all: Vec<String> = p
        .lines
        .iter()
        .map(|l| l.trim())
        .chain(std::iter::once(p.state.trim()))
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if all.len() > 4 {
        let rest = all.split_off(3).join(", ");
        all.push(rest);
    }
    all
}

/// `createSoazOrder` / `api30Req`: Speedpost through the SoazPosting service (§10.4,
/// §13.1). Field names are the soazposting client's (generated from the WSDL, High); the
/// `addressee…`/`imp…` fields are flat, as createOrder's `impEmail` is. `custOrdRef` carries
/// our shipment id as `refNo` does for createOrder. GUESS where marked.
pub fn soaz_order_fields(
    account: &Account,
    codes: &Codes,
    id: Uuid,
    shipment: &Shipment,
) -> Result<Vec<Node>, MappingError> {
    let s = shipment;
    let customs = s.customs.as_ref().ok_or(MappingError::NoCustoms)?;
    let mut currencies: Vec<&str> = customs.lines.iter().map(|l| l.currency.trim()).collect();
    currencies.sort_unstable();
    currencies.dedup();
    if customs.lines.len() > SOAZ_MAX_LINES || currencies.len() > 1 {
        return Err(MappingError::SoazContents {
            max: SOAZ_MAX_LINES,
            lines: customs.lines.len(),
            currencies: currencies.len(),
        });
    }
    // GUESS: the portal account is the `soazUsername` (§10.4 names the field only).
    let mut v = vec![
        Node::leaf("integratorUsername", &account.integrator_username),
        Node::leaf("soazUsername", &account.ecship_username),
        Node::leaf("custOrdRef", id.to_string()),
        Node::leaf("service", codes.soaz_service.trim()),
        // `M` and `B` are the values in the public samples (§10.4).
        Node::leaf("itemTypeCode", "M"),
        Node::leaf("sendAddrTypeCode", "B"),
        Node::leaf("addresseeCountry", hkp_country_code(&s.zone_code(), codes)?),
        Node::leaf("addresseeName", s.recipient.name.trim()),
    ];
    non_empty(&mut v, "addresseeCompanyName", &s.recipient.company);
    const ADDR: [&str; 4] = [
        "addresseeAddr1",
        "addresseeAddr2",
        "addresseeAddr3",
        "addresseeAddr4",
    ];
    for (n, line) in four_lines(&s.recipient).iter().enumerate() {
        non_empty(&mut v, ADDR[n], line);
    }
    non_empty(&mut v, "addresseeCity", &s.recipient.city);
    non_empty(&mut v, "addresseePostalCode", &s.recipient.postcode);
    non_empty(&mut v, "addresseeTelNo", &s.recipient.phone);
    non_empty(&mut v, "addresseeEmail", &s.recipient.email);

    v.push(Node::leaf("sendContactName", s.sender.name.trim()));
    const SEND: [&str; 4] = [
        "sendAddress1",
        "sendAddress2",
        "sendAddress3",
        "sendAddress4",
    ];
    for (n, line) in four_lines(&s.sender).iter().enumerate() {
        non_empty(&mut v, SEND[n], line);
    }
    non_empty(&mut v, "sendTelNo", &s.sender.phone);
    non_empty(&mut v, "sendEmail", &s.sender.email);

    // The CN23 item type: GUESS `O`/"Other" as in the samples, with our category's name as
    // the description so the form says what the merchant chose (§8.1).
    v.push(Node::leaf("cn23Flag", "Y"));
    v.push(Node::leaf("cn23ItemTypeCode", "O"));
    v.push(Node::leaf("cn23ItemTypeDesc", customs.category.id()));
    non_empty(&mut v, "comment", &customs.explanation);
    match s.insured_value {
        Some(sum) => {
            v.push(Node::leaf("insurFlag", "Y"));
            v.push(Node::leaf("insurAmt", sum.to_string()));
        }
        None => v.push(Node::leaf("insurFlag", "N")),
    }
    if let Some(c) = currencies.first() {
        v.push(Node::leaf("itemCurrCode1", *c));
    }
    const DESC: [&str; 4] = ["itemDesc1", "itemDesc2", "itemDesc3", "itemDesc4"];
    const QTY: [&str; 4] = ["itemQty1", "itemQty2", "itemQty3", "itemQty4"];
    const VALUE: [&str; 4] = ["itemValue1", "itemValue2", "itemValue3", "itemValue4"];
    const WGT: [&str; 4] = ["itemWgt1", "itemWgt2", "itemWgt3", "itemWgt4"];
    const HS: [&str; 4] = ["itemHSCode1", "itemHSCode2", "itemHSCode3", "itemHSCode4"];
    const CTY: [&str; 4] = [
        "itemCtyCode1",
        "itemCtyCode2",
        "itemCtyCode3",
        "itemCtyCode4",
    ];
    for (n, l) in customs.lines.iter().enumerate() {
        v.push(Node::leaf(DESC[n], l.description.trim()));
        v.push(Node::leaf(QTY[n], l.quantity.to_string()));
        v.push(Node::leaf(VALUE[n], l.value.to_string()));
        v.push(Node::leaf(WGT[n], kg(l.net_weight_g)));
        non_empty(&mut v, HS[n], &l.hs_code);
        if !l.origin_country.trim().is_empty() {
            v.push(Node::leaf(
                CTY[n],
                product_country(&l.origin_country, codes)?,
            ));
        }
    }
    Ok(sorted(v))
}

/// `getSoazAddressPack` / `api31Req` (§10.4): the Speedpost label for one item, created on
/// `created` (Hong Kong date, `yyyy-MM-dd`). Print mode `A` is BDMall's; one CN23 copy is
/// asked for. GUESS: `signature` is left out (its meaning is not public, §13).
pub fn soaz_address_pack_fields(
    account: &Account,
    item: &ItemNumber,
    created: chrono::NaiveDate,
) -> Vec<Node> {
    sorted(vec![
        Node::leaf("integratorUsername", &account.integrator_username),
        Node::leaf("soazUsername", &account.ecship_username),
        Node::leaf("itemNo", item.as_str()),
        Node::leaf("createDate", created.format("%Y-%m-%d").to_string()),
        Node::leaf("printMode", "A"),
        Node::leaf("cn22NoOfCopy", "0"),
        Node::leaf("cn23NoOfCopy", "1"),
    ])
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
    let mut v = cop_fields(account, items);
    v.push(Node::leaf("printMode", mode.code()));
    sorted(v)
}

/// `getCOP` / `api10Req` (§10.4: itemNo): the identity and the `itemNo` list that
/// [`address_pack_fields`] sends too.
pub fn cop_fields(account: &Account, items: &[ItemNumber]) -> Vec<Node> {
    let mut v = identity(account);
    v.push(Node::Group {
        name: "itemNo",
        children: items
            .iter()
            .map(|i| Node::leaf(LIST_ITEM, i.as_str()))
            .collect(),
    });
    sorted(v)
}

/// A code as EC-Ship's samples write them (`AEX`, `1`): 1–10 letters or digits. What the
/// EC-Ship screen and `satchel ecship setup` accept for a configured code.
pub fn is_code(v: &str) -> bool {
    let v = v.trim();
    (1..=10).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric())
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
    /// getSoazAddressPack: `COP`, the Speedpost label PDF (§10.4, §13.1).
    pub const SOAZ_ADDRESS_PACK: &str = "COP";
    /// getCOP: the Certificate of Posting PDF. GUESS: the reply field is not public (§10.4
    /// gives "—"); `cop`, after getSoazAddressPack's `COP`, and any Base64 field is accepted.
    pub const CERTIFICATE: &str = "cop";

    /// GUESS (§10.4 gives getItemNo's response as "—"; §13, the spec is not public): each
    /// match is an element named [`ITEM_NO_RECORD`] holding `refNo`, `itemNo` and `orderNo`,
    /// the names createOrder uses. The parser accepts any element with an `itemNo` child
    /// below the reply, so only the field names are load-bearing.
    pub const ITEM_NO_RECORD: &str = "itemList";
    pub const REF_NO: &str = "refNo";

    /// getTTInfo: one `trackingInfos` container whose records each have three positional
    /// children: number, date, detail (§13.1, BDMall; Medium). The records' and children's
    /// names are not load-bearing.
    pub const TT_CONTAINER: &str = "trackingInfos";
    /// getMTTInfo: `ttStatus` and `trackingDate` in the return record, not a list (§13.1,
    /// spapi; Medium).
    pub const TT_STATUS: &str = "ttStatus";
    pub const TRACKING_DATE: &str = "trackingDate";
    /// GUESS (§13): date-and-time formats accepted in tracking replies, HK local time.
    pub const DATE_TIME_FORMATS: &[&str] = &[
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ];
    /// An older reading of getMTTInfo: `milestoneList/milestone{…}` (§10.4, Low: an adapter
    /// whose author marks it inferred); still read when a server sends it.
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
            hkp_country_code("CN", &codes),
            Err(MappingError::NoCountryCode("CN".into()))
        );
        codes.country_overrides.insert("US".into(), "USA".into());
        assert_eq!(hkp_country_code("US", &codes).unwrap(), "USA");
        assert_eq!(product_country("CN", &codes).unwrap(), "CNG");
    }

    #[test]
    fn ship_codes_are_those_seen_then_configured_and_never_invented() {
        let mut codes = Codes::default();
        assert_eq!(ship_code(Service::Speedpost, &codes).unwrap(), "EMS");
        assert_eq!(ship_code(Service::EExpress, &codes).unwrap(), "AEX");
        assert_eq!(
            ship_code(Service::Imail, &codes),
            Err(MappingError::NoShipCode(Service::Imail))
        );
        assert_eq!(
            ship_code(Service::SurfaceParcel, &codes),
            Err(MappingError::NoShipCode(Service::SurfaceParcel))
        );
        codes.ship_codes.insert("imail".into(), "IML".into());
        codes.ship_codes.insert("e_express".into(), "AEP".into());
        assert_eq!(ship_code(Service::Imail, &codes).unwrap(), "IML");
        assert_eq!(ship_code(Service::EExpress, &codes).unwrap(), "AEP");
    }

    #[test]
    fn non_delivery_codes_have_defaults_and_settings() {
        let mut codes = Codes::default();
        assert_eq!(non_delivery_code(NonDelivery::ReturnByAir, &codes), "1");
        assert_eq!(non_delivery_code(NonDelivery::Abandon, &codes), "3");
        codes.non_delivery.insert("abandon".into(), "A".into());
        assert_eq!(non_delivery_code(NonDelivery::Abandon, &codes), "A");
    }

    #[test]
    fn pseudo_country_codes_follow_the_operator_table() {
        let codes = Codes::default();
        assert_eq!(hkp_country_code("XD", &codes).unwrap(), "ACA");
        assert_eq!(hkp_country_code("XB", &codes).unwrap(), "TAA");
        assert_eq!(hkp_country_code("US", &codes).unwrap(), "USC");
        assert!(hkp_country_code("CN", &codes).is_err());
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
