//! The rules engine: every problem with a shipment, a batch or an iMail posting, all at once.
//!
//! Each check reports a [`Problem`] with a stable `code` (`"R-049.return_address_not_hk"`), the
//! rule id it enforces (`"R-049"`, see `docs/reference/domain.md` §2 and `docs/rules.md`), the
//! path of the offending field (`"customs.lines[2].hs_code"`), a severity, a message key with
//! English and Traditional Chinese text ([`messages`]), parameters for the text, and where
//! Satchel can offer one, a [`Fix`]. Checks never stop at the first problem.
//!
//! The closed set of problems is [`RULES`]; every entry has text in both languages (tested).
//! Per-destination weight limits come through [`TariffFacts`], so this module knows nothing
//! about how rate files are stored.

pub mod messages;

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::address;
use crate::customs::{self, CustomsForm, CustomsThresholds};
use crate::model::{ContentCategory, Grams, Party, Posting, Shipment};
use crate::phone::{self, HkNumberKind, Lenient};
use crate::service::{LetterFormat, Service};
use crate::tariff::TariffFacts;

pub use messages::{message, Locale};

/// How serious a problem is: errors block the item; warnings are shown and may be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// A correction Satchel can apply for the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    /// Replace the field's text with `value`.
    Replace { value: String },
}

/// One problem found by the rules engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable machine code, `"<rule>.<what>"`.
    pub code: &'static str,
    /// The domain rule id, e.g. `"R-049"`.
    pub rule: &'static str,
    /// Path of the field, e.g. `"sender.country"`, `"customs.lines[2].hs_code"`, `"batch"`.
    pub field: String,
    pub severity: Severity,
    /// Key into [`messages::CATALOG`].
    pub message_key: &'static str,
    /// Values for the message's `{placeholders}`.
    pub params: BTreeMap<&'static str, String>,
    pub fix: Option<Fix>,
}

impl Problem {
    fn new(def: &RuleDef, field: String) -> Self {
        Self {
            code: def.code,
            rule: def.rule,
            field,
            severity: def.severity,
            message_key: def.message_key,
            params: BTreeMap::new(),
            fix: None,
        }
    }

    /// The problem's text in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        messages::message(self.message_key, locale, &self.params)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The definition of one problem kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleDef {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub message_key: &'static str,
}

macro_rules! rules {
    ($($name:ident = $code:literal, $rule:literal, $sev:ident;)*) => {
        /// Every problem kind, one constant each.
        pub mod rule {
            use super::{RuleDef, Severity};
            $(pub const $name: RuleDef = RuleDef {
                code: $code, rule: $rule, severity: Severity::$sev, message_key: $code,
            };)*
        }
        /// Every problem kind the engine can report.
        pub const RULES: &[RuleDef] = &[$(rule::$name),*];
    };
}

rules! {
    DUPLICATE_REFERENCE = "R-003.duplicate_reference", "R-003", Warning;
    WEIGHT_MISSING = "R-009.weight_missing", "R-009", Error;
    BATCH_OVER_500 = "R-033.batch_over_500", "R-033", Warning;
    OVER_20_PER_COUNTRY = "R-034.over_20_per_country", "R-034", Warning;
    CUSTOMS_MISSING = "R-038.customs_missing", "R-038", Error;
    CN23_REQUIRED_SDR = "R-038.cn23_required", "R-038", Warning;
    RETURN_ADDRESS_NOT_HK = "R-049.return_address_not_hk", "R-049", Error;
    MCN_RETURN_ADDRESS = "R-051.mcn_return_address", "R-051", Error;
    US_GOODS_SUSPENDED = "R-063.us_goods_suspended", "R-063", Error;
    US_ZIP_INVALID = "R-064.us_zip_invalid", "R-064", Error;
    US_OFFICE_OF_EXCHANGE = "R-065.office_of_exchange_from_ecship", "R-065", Warning;
    ICS2_NOT_PLAIN = "R-069.not_plain_english", "R-069", Error;
    ICS2_CHINESE = "R-069.chinese_characters", "R-069", Error;
    SMS_MOBILE_MISSING = "R-071.sms_mobile_missing", "R-071", Error;
    NOT_HK_MOBILE = "R-071.not_hk_mobile", "R-071", Error;
    PAGER_BLOCK = "R-071.pager_block", "R-071", Warning;
    PERSONAL_NUMBER_BLOCK = "R-071.personal_number_block", "R-071", Warning;
    FIXED_LINE = "R-071.fixed_line", "R-071", Error;
    NOT_KNOWN_MOBILE_RANGE = "R-071.not_known_mobile_range", "R-071", Warning;
    HS_CODE_FORMAT = "R-074.hs_code_format", "R-074", Error;
    HS_CODE_MISSING = "R-074.hs_code_missing", "R-074", Warning;
    OTHER_WITHOUT_EXPLANATION = "R-076.other_without_explanation", "R-076", Error;
    NO_CONTENT_LINES = "R-076.no_content_lines", "R-076", Error;
    DESCRIPTION_MISSING = "R-076.description_missing", "R-076", Error;
    QUANTITY_ZERO = "R-076.quantity_zero", "R-076", Error;
    VALUE_NEGATIVE = "R-076.value_negative", "R-076", Error;
    NET_WEIGHT_EXCEEDS_GROSS = "R-076.net_weight_exceeds_gross", "R-076", Error;
    VAGUE_DESCRIPTION = "R-077.vague_description", "R-077", Warning;
    NET_WEIGHT_MISSING = "R-078.net_weight_missing", "R-078", Warning;
    CURRENCY_MISSING = "R-079.currency_missing", "R-079", Error;
    MIXED_CURRENCIES = "R-079.mixed_currencies", "R-079", Warning;
    HS_CODE_REQUIRED = "R-080.hs_code_required", "R-080", Error;
    HS_CODE_NOT_8_DIGITS = "R-080.hs_code_not_8_digits", "R-080", Error;
    ORIGIN_MISSING = "R-081.origin_missing", "R-081", Error;
    ORIGIN_FORMAT = "R-081.origin_format", "R-081", Error;
    CN23_REQUIRED_SPEEDPOST = "R-082.cn23_required", "R-082", Warning;
    DUPLICATE_ITEM_NUMBER = "R-085.duplicate_item_number", "R-085", Error;
    CHINESE_IN_PARCEL_DECLARATION = "R-088.chinese_in_parcel_declaration", "R-088", Error;
    NON_DELIVERY_MISSING = "R-090.non_delivery_missing", "R-090", Error;
    DESTINATION_NOT_SERVED = "R-093.destination_not_served", "R-093", Error;
    INSURED_OVER_DECLARED = "R-115.insured_over_declared", "R-115", Error;
    DECLARED_NOT_HKD = "R-115.declared_not_hkd", "R-115", Warning;
    OVER_WEIGHT_LIMIT = "R-123.over_weight_limit", "R-123", Error;
    OVER_FORMAT_LIMIT = "R-123.over_format_limit", "R-123", Error;
    PARCEL_INSURED_OVER_VALUE = "R-136.insured_over_declared", "R-136", Error;
    POSTING_UNDER_20_ITEMS = "R-138.posting_under_20_items", "R-138", Error;
    DESTINATION_UNDER_5_ITEMS = "R-138.destination_under_5_items", "R-138", Error;
    AVERAGE_UNDER_100G = "R-139.average_under_100g", "R-139", Error;
    POSTING_UNDER_2KG = "R-140.posting_under_2kg", "R-140", Error;
    IMAIL_ITEM_OVER_2KG = "R-141.imail_item_over_2kg", "R-141", Error;
    PERMIT_MISSING = "R-144.permit_missing", "R-144", Error;
    PERMIT_FORMAT = "R-203.permit_format", "R-203", Error;
    MCN_LINE_FORMAT = "R-186.mcn_line_format", "R-186", Warning;
    BAG_OVER_LIMIT = "R-142.bag_over_limit", "R-142", Error;
    MIXED_DESTINATIONS = "R-148.mixed_destinations", "R-148", Error;
    ITEM_NOT_BAG_DESTINATION = "R-148.item_not_bag_destination", "R-148", Error;
    UNKNOWN_BAG = "R-148.unknown_bag", "R-148", Error;
    DUPLICATE_BAG_NUMBER = "R-148.duplicate_bag_number", "R-148", Error;
    BAG_WITHOUT_DESTINATION = "R-149.bag_without_destination", "R-149", Error;
    LETTER_SUM_OVER_900 = "R-169.letter_sum_over_900", "R-169", Error;
    LETTER_LONGEST_OVER_600 = "R-169.letter_longest_over_600", "R-169", Error;
    LETTER_BELOW_MINIMUM = "R-169.letter_below_minimum", "R-169", Error;
    PARCEL_LENGTH_OVER_XP = "R-172.parcel_length_over_xp", "R-172", Error;
    PARCEL_GIRTH_OVER_XP = "R-172.parcel_girth_over_xp", "R-172", Error;
    PARCEL_OVER_P = "R-172.parcel_over_p", "R-172", Warning;
    // Satchel's own rules (S-…): what a label cannot be printed without, where the operator's
    // pages say nothing explicit. Listed in docs/rules.md.
    NAME_MISSING = "S-001.name_missing", "S-001", Error;
    ADDRESS_MISSING = "S-002.address_missing", "S-002", Error;
    COUNTRY_UNKNOWN = "S-003.country_unknown", "S-003", Error;
}

// ---------------------------------------------------------------------------------------------
// Limits (domain.md §1, §5.6, R-033, R-034, R-138–)
// ---------------------------------------------------------------------------------------------

/// Weight limit of a letter-post format (§1): Small Letter 50 g, Large Letter 500 g,
/// Packet 2 kg. The same for local letter post (§5.6).
pub fn format_limit_g(format: LetterFormat) -> Grams {
    match format {
        LetterFormat::SmallLetter => 50,
        LetterFormat::LargeLetter => 500,
        LetterFormat::Packet => 2_000,
    }
}

/// A service-wide weight cap from §1, on top of the per-destination tariff limit.
pub fn service_cap_g(service: Service) -> Option<Grams> {
    match service {
        Service::Imail => Some(IMAIL_ITEM_MAX_G),
        Service::EExpress => Some(2_000),
        Service::LocalCourierPost => Some(5_000),
        Service::LocalParcel => Some(20_000),
        _ => service.format().map(format_limit_g),
    }
}

/// pieces of posting information per EC-Ship upload.
pub const BATCH_UPLOAD_MAX: usize = 500;
/// labels for one country/region prepared at one time.
pub const LABELS_PER_COUNTRY_MAX: usize = 20;
/// Where the figures come from (shown with the warnings).
pub const BATCH_LIMITS_SOURCE: &str = "EC-Ship FAQ";
///
pub const IMAIL_MIN_ITEMS: usize = 20;
pub const IMAIL_MIN_PER_DESTINATION: usize = 5;
///
pub const IMAIL_MIN_AVERAGE_G: u64 = 100;
///
pub const IMAIL_MIN_POSTING_G: u64 = 2_000;
///
pub const IMAIL_ITEM_MAX_G: Grams = 2_000;
/// 30 kg, or 20 kg to the United Kingdom and Switzerland.
pub fn imail_bag_limit_g(destination: &str) -> Grams {
    match destination.trim().to_ascii_uppercase().as_str() {
        "GB" | "CH" => 20_000,
        _ => 30_000,
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// Settings of the rules engine that the sources leave open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RulesConfig {
    /// CN22/CN23 value thresholds. The Speedpost figure is HK$3,000; the general
    /// 300 SDR figure in HK$ is unknown and `None` by default (no CN23 warning outside
    /// Speedpost until it is configured).
    pub customs: CustomsThresholds,
}

// ---------------------------------------------------------------------------------------------
// Shipments
// ---------------------------------------------------------------------------------------------

struct Out(Vec<Problem>);

impl Out {
    fn add(&mut self, def: &RuleDef, field: impl Into<String>) -> &mut Problem {
        self.0.push(Problem::new(def, field.into()));
        let last = self.0.len() - 1;
        &mut self.0[last]
    }
}

impl Problem {
    fn param(&mut self, name: &'static str, value: impl ToString) -> &mut Self {
        self.params.insert(name, value.to_string());
        self
    }

    fn with_fix(&mut self, fix: Option<Fix>) -> &mut Self {
        self.fix = fix;
        self
    }
}

/// Every problem with one item. `tariff` answers per-destination weight limits.
pub fn validate_shipment(
    s: &Shipment,
    tariff: &dyn TariffFacts,
    cfg: &RulesConfig,
) -> Vec<Problem> {
    let mut out = Out(Vec::new());
    check_weight(s, tariff, &mut out);
    check_size(s, &mut out);
    check_sender(s, &mut out);
    check_recipient(s, &mut out);
    check_us(s, &mut out);
    check_customs(s, cfg, &mut out);
    check_ics2(s, &mut out);
    check_insurance(s, &mut out);
    if matches!(s.service, Service::AirParcel | Service::SurfaceParcel) && s.non_delivery.is_none()
    {
        out.add(&rule::NON_DELIVERY_MISSING, "non_delivery");
    }
    out.0
}

fn check_weight(s: &Shipment, tariff: &dyn TariffFacts, out: &mut Out) {
    let w = s.parcel.weight_g;
    if w == 0 {
        out.add(&rule::WEIGHT_MISSING, "parcel.weight_g");
    }
    let (country, zone) = (s.country(), s.zone_code());
    // The most restrictive limit that the weight exceeds is reported, once.
    let mut exceeded: Option<(Grams, &RuleDef)> = None;
    // On a tie the service-wide rule (format, iMail item) wins over the tariff's figure.
    let mut consider = |limit: Grams, def: &'static RuleDef| {
        if w > limit && exceeded.is_none_or(|(l, _)| limit < l) {
            exceeded = Some((limit, def));
        }
    };
    if let Some(f) = s.service.format() {
        consider(format_limit_g(f), &rule::OVER_FORMAT_LIMIT);
    } else if s.service == Service::Imail {
        consider(IMAIL_ITEM_MAX_G, &rule::IMAIL_ITEM_OVER_2KG);
    } else if let Some(cap) = service_cap_g(s.service) {
        consider(cap, &rule::OVER_WEIGHT_LIMIT);
    }
    match tariff.weight_limit_g(s.service, &country, &zone) {
        None => {
            out.add(&rule::DESTINATION_NOT_SERVED, "recipient.country")
                .param("service", s.service.id())
                .param("country", &country)
                .param("zone", &zone);
        }
        Some(limit) => consider(limit, &rule::OVER_WEIGHT_LIMIT),
    }
    if let Some((limit, def)) = exceeded {
        out.add(def, "parcel.weight_g")
            .param("weight_g", w)
            .param("limit_g", limit);
    }
}

fn is_letter_post(service: Service) -> bool {
    service.format().is_some() || service == Service::Imail
}

fn check_size(s: &Shipment, out: &mut Out) {
    let Some(d) = s.parcel.dimensions else { return };
    let [l, w, h] = d.sorted();
    let field = "parcel.dimensions";
    if is_letter_post(s.service) {
        let sum = u64::from(l) + u64::from(w) + u64::from(h);
        if sum > 900 {
            out.add(&rule::LETTER_SUM_OVER_900, field)
                .param("sum_mm", sum);
        }
        if l > 600 {
            out.add(&rule::LETTER_LONGEST_OVER_600, field)
                .param("longest_mm", l);
        }
        if l < 140 || w < 90 {
            out.add(&rule::LETTER_BELOW_MINIMUM, field);
        }
    }
    if matches!(s.service, Service::AirParcel | Service::SurfaceParcel) {
        let length_girth = u64::from(l) + 2 * (u64::from(w) + u64::from(h));
        let xp_limit: u64 = if address::is_us_for_parcel_size(&s.recipient.country) {
            2_750
        } else {
            3_000
        };
        let mut over_xp = false;
        if l > 1_500 {
            over_xp = true;
            out.add(&rule::PARCEL_LENGTH_OVER_XP, field)
                .param("length_mm", l);
        }
        if length_girth > xp_limit {
            over_xp = true;
            out.add(&rule::PARCEL_GIRTH_OVER_XP, field)
                .param("length_girth_mm", length_girth)
                .param("limit_mm", xp_limit);
        }
        if !over_xp && (l > 1_050 || length_girth > 2_000) {
            out.add(&rule::PARCEL_OVER_P, field);
        }
    }
}

/// The free-text fields of a party, with their paths, that address rules look at. Postcode,
/// phone and e-mail are left out: how HKP treats punctuation in them is unknown (§13).
fn party_text<'a>(prefix: &str, p: &'a Party) -> Vec<(String, &'a str)> {
    let mut v = vec![
        (path(prefix, "name"), p.name.as_str()),
        (path(prefix, "company"), p.company.as_str()),
    ];
    for (i, l) in p.lines.iter().enumerate() {
        v.push((path(prefix, &format!("lines[{i}]")), l.as_str()));
    }
    v.push((path(prefix, "city"), p.city.as_str()));
    v.push((path(prefix, "state"), p.state.as_str()));
    v
}

/// Which side of a shipment a party is on: the rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A sender profile: the return address.
    Sender,
    /// A recipient (an address-book contact).
    Recipient,
}

/// Every problem with one address-book entry on its own, with field paths relative to the
/// party (`name`, `lines`, `country`, ...): what the address book and the importer check.
pub fn validate_party(role: Role, p: &Party) -> Vec<Problem> {
    let mut out = Out(Vec::new());
    check_party(role, "", p, &mut out);
    out.0
}

/// A sender profile as the first-run setup takes it: [`validate_party`] as a sender, and a Hong
/// Kong mobile able to receive the operator's SMS, which items to or via the EU, CH and
/// NO need. Asked once here so that an import does not stop on it later.
pub fn validate_sender_profile(p: &Party) -> Vec<Problem> {
    let mut out = Out(Vec::new());
    check_party(Role::Sender, "", p, &mut out);
    check_sms_mobile(&p.phone, "phone", &mut out);
    out.0
}

fn path(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

fn check_party(role: Role, prefix: &str, p: &Party, out: &mut Out) {
    if p.name.trim().is_empty() && p.company.trim().is_empty() {
        out.add(&rule::NAME_MISSING, path(prefix, "name"));
    }
    if p.lines.iter().all(|l| l.trim().is_empty()) {
        out.add(&rule::ADDRESS_MISSING, path(prefix, "lines"));
    }
    match role {
        Role::Sender => {
            if !address::is_hong_kong(&p.country) {
                out.add(&rule::RETURN_ADDRESS_NOT_HK, path(prefix, "country"));
            }
            for (field, text) in party_text(prefix, p) {
                if address::mentions_mcn(text) {
                    out.add(&rule::MCN_RETURN_ADDRESS, field);
                }
            }
        }
        Role::Recipient => {
            let country = p.country.trim().to_ascii_uppercase();
            if !address::is_country_code(&country) {
                out.add(&rule::COUNTRY_UNKNOWN, path(prefix, "country"))
                    .param("country", p.country.trim());
            } else if address::is_united_states(&country) && !address::is_us_zip(&p.postcode) {
                let fix =
                    address::normalise_us_zip(&p.postcode).map(|value| Fix::Replace { value });
                out.add(&rule::US_ZIP_INVALID, path(prefix, "postcode"))
                    .with_fix(fix);
            }
            check_mcn_lines(prefix, p, out);
        }
    }
}

/// a Hong Kong recipient collecting at a post office or iPostal Station has the line
/// `MCN: dddd dddd (SUBCODE)`, exactly; a line that carries an MCN in another shape is
/// flagged so the counter can find the item.
fn check_mcn_lines(prefix: &str, p: &Party, out: &mut Out) {
    if !address::is_hong_kong(&p.country) {
        return;
    }
    for (i, line) in p.lines.iter().enumerate() {
        if address::mentions_mcn(line) && !address::is_mcn_line(line.trim()) {
            out.add(&rule::MCN_LINE_FORMAT, path(prefix, &format!("lines[{i}]")))
                .param("line", line.trim());
        }
    }
}

fn check_sender(s: &Shipment, out: &mut Out) {
    check_party(Role::Sender, "sender", &s.sender, out);
}

/// Name and address of the recipient. The country is left to the tariff check and
/// the ZIP code to [`check_us`], which know the service.
fn check_recipient(s: &Shipment, out: &mut Out) {
    let p = &s.recipient;
    if p.name.trim().is_empty() && p.company.trim().is_empty() {
        out.add(&rule::NAME_MISSING, "recipient.name");
    }
    if p.lines.iter().all(|l| l.trim().is_empty()) {
        out.add(&rule::ADDRESS_MISSING, "recipient.lines");
    }
    check_mcn_lines("recipient", p, out);
}

fn check_us(s: &Shipment, out: &mut Out) {
    if s.service.is_local() || !address::is_united_states(&s.recipient.country) {
        return;
    }
    let zip = &s.recipient.postcode;
    if !address::is_us_zip(zip) {
        let fix = address::normalise_us_zip(zip).map(|value| Fix::Replace { value });
        out.add(&rule::US_ZIP_INVALID, "recipient.postcode")
            .with_fix(fix);
    }
    out.add(&rule::US_OFFICE_OF_EXCHANGE, "recipient.postcode");
    if let Some(c) = &s.customs {
        if c.category.is_goods() {
            out.add(&rule::US_GOODS_SUSPENDED, "customs.category");
        }
    }
}

fn is_commercial(c: ContentCategory) -> bool {
    matches!(
        c,
        ContentCategory::SaleOfGoods | ContentCategory::CommercialSample
    )
}

fn check_customs(s: &Shipment, cfg: &RulesConfig, out: &mut Out) {
    if s.service.is_local() {
        return;
    }
    let Some(c) = &s.customs else {
        out.add(&rule::CUSTOMS_MISSING, "customs");
        return;
    };
    let goods = c.category.is_goods();
    let speedpost_merch = s.service == Service::Speedpost && is_commercial(c.category);
    if c.category == ContentCategory::Other && c.explanation.trim().is_empty() {
        out.add(&rule::OTHER_WITHOUT_EXPLANATION, "customs.explanation");
    }
    if goods && c.lines.is_empty() {
        out.add(&rule::NO_CONTENT_LINES, "customs.lines");
    }
    let mut currencies = BTreeSet::new();
    let mut net_total: u64 = 0;
    for (i, line) in c.lines.iter().enumerate() {
        let p = format!("customs.lines[{i}]");
        let desc = line.description.trim();
        if desc.is_empty() {
            out.add(&rule::DESCRIPTION_MISSING, format!("{p}.description"));
        } else if goods && customs::is_vague_description(desc) {
            out.add(&rule::VAGUE_DESCRIPTION, format!("{p}.description"))
                .param("description", desc);
        }
        if line.quantity == 0 {
            out.add(&rule::QUANTITY_ZERO, format!("{p}.quantity"));
        }
        if line.value < Decimal::ZERO {
            out.add(&rule::VALUE_NEGATIVE, format!("{p}.value"));
        }
        let cur = line.currency.trim();
        if customs::is_currency_code(cur) {
            currencies.insert(cur.to_owned());
        } else {
            let upper = cur.to_ascii_uppercase();
            let fix = customs::is_currency_code(&upper).then_some(Fix::Replace { value: upper });
            out.add(&rule::CURRENCY_MISSING, format!("{p}.currency"))
                .with_fix(fix);
        }
        net_total += u64::from(line.net_weight_g);
        if !goods {
            continue;
        }
        if line.net_weight_g == 0 {
            out.add(&rule::NET_WEIGHT_MISSING, format!("{p}.net_weight_g"));
        }
        check_hs_code(&line.hs_code, speedpost_merch, &format!("{p}.hs_code"), out);
        let origin = line.origin_country.trim();
        if origin.is_empty() {
            if is_commercial(c.category) {
                out.add(&rule::ORIGIN_MISSING, format!("{p}.origin_country"));
            }
        } else if !customs::is_alpha2(origin) {
            let upper = origin.to_ascii_uppercase();
            let fix = customs::is_alpha2(&upper).then_some(Fix::Replace { value: upper });
            out.add(&rule::ORIGIN_FORMAT, format!("{p}.origin_country"))
                .param("origin", origin)
                .with_fix(fix);
        }
    }
    if currencies.len() > 1 {
        let list = currencies.iter().cloned().collect::<Vec<_>>().join(", ");
        out.add(&rule::MIXED_CURRENCIES, "customs.lines")
            .param("currencies", list);
    }
    if s.parcel.weight_g > 0 && net_total > u64::from(s.parcel.weight_g) {
        out.add(&rule::NET_WEIGHT_EXCEEDS_GROSS, "customs.lines")
            .param("net_g", net_total)
            .param("gross_g", s.parcel.weight_g);
    }
    if let Some(total) = declared_hkd(s) {
        if customs::required_form(s.service, total, &cfg.customs) == Some(CustomsForm::Cn23) {
            let (def, limit) = if s.service == Service::Speedpost {
                (
                    &rule::CN23_REQUIRED_SPEEDPOST,
                    cfg.customs.speedpost_cn23_over_hkd,
                )
            } else {
                (
                    &rule::CN23_REQUIRED_SDR,
                    cfg.customs.cn22_max_hkd.unwrap_or_default(),
                )
            };
            out.add(def, "customs.lines")
                .param("total", total)
                .param("limit", limit);
        }
    }
    let parcel = matches!(s.service, Service::AirParcel | Service::SurfaceParcel);
    let country = s.country();
    if parcel
        && !customs::chinese_allowed_in_parcel_declaration(&country)
        && !customs::is_ics2_destination(&country)
    {
        for (i, line) in c.lines.iter().enumerate() {
            if customs::has_han(&line.description) {
                out.add(
                    &rule::CHINESE_IN_PARCEL_DECLARATION,
                    format!("customs.lines[{i}].description"),
                );
            }
        }
        if customs::has_han(&c.explanation) {
            out.add(&rule::CHINESE_IN_PARCEL_DECLARATION, "customs.explanation");
        }
    }
}

fn check_hs_code(raw: &str, speedpost_merch: bool, field: &str, out: &mut Out) {
    let hs = raw.trim();
    if hs.is_empty() {
        let def = if speedpost_merch {
            &rule::HS_CODE_REQUIRED
        } else {
            &rule::HS_CODE_MISSING
        };
        out.add(def, field);
        return;
    }
    if !customs::is_valid_hs_code(hs) {
        let fix = customs::hs_code_digits(hs)
            .filter(|d| customs::is_valid_hs_code(d))
            .map(|value| Fix::Replace { value });
        out.add(&rule::HS_CODE_FORMAT, field)
            .param("code", hs)
            .with_fix(fix);
        return;
    }
    if speedpost_merch && hs.len() != customs::HS_SPEEDPOST_DIGITS {
        out.add(&rule::HS_CODE_NOT_8_DIGITS, field)
            .param("code", hs)
            .param("digits", hs.len());
    }
}

/// The declared total in HK$, when every content line is in HKD (no exchange rates offline).
fn declared_hkd(s: &Shipment) -> Option<Decimal> {
    let c = s.customs.as_ref()?;
    let all_hkd = !c.lines.is_empty()
        && c.lines
            .iter()
            .all(|l| l.currency.trim().eq_ignore_ascii_case("HKD"));
    all_hkd.then(|| c.total_value())
}

fn check_ics2(s: &Shipment, out: &mut Out) {
    if s.service.is_local() || !customs::is_ics2_destination(&s.recipient.country) {
        return;
    }
    let mut fields = party_text("sender", &s.sender);
    fields.extend(party_text("recipient", &s.recipient));
    if let Some(c) = &s.customs {
        for (i, l) in c.lines.iter().enumerate() {
            fields.push((
                format!("customs.lines[{i}].description"),
                l.description.as_str(),
            ));
        }
        fields.push(("customs.explanation".to_owned(), c.explanation.as_str()));
    }
    for (field, text) in fields {
        if customs::is_ics2_plain(text) {
            continue;
        }
        let clean = customs::ics2_clean(text);
        let def = if clean.removed_chinese {
            &rule::ICS2_CHINESE
        } else {
            &rule::ICS2_NOT_PLAIN
        };
        let fix = (!clean.text.is_empty()).then(|| Fix::Replace {
            value: clean.text.clone(),
        });
        out.add(def, field)
            .param("cleaned", &clean.text)
            .with_fix(fix);
    }
    check_sms_mobile(&s.sender.phone, "sender.phone", out);
}

fn check_sms_mobile(raw: &str, field: &str, out: &mut Out) {
    let national = match phone::lenient_hk_mobile(raw) {
        Lenient::Missing => {
            out.add(&rule::SMS_MOBILE_MISSING, field);
            return;
        }
        Lenient::NotHkMobile => {
            out.add(&rule::NOT_HK_MOBILE, field)
                .param("number", raw.trim());
            return;
        }
        Lenient::Plausible { national } => national,
    };
    let shown = phone::format_hk(&national);
    let def = match phone::strict_hk_kind(&national) {
        HkNumberKind::Mobile => return,
        HkNumberKind::Pager => &rule::PAGER_BLOCK,
        HkNumberKind::PersonalNumber => &rule::PERSONAL_NUMBER_BLOCK,
        HkNumberKind::FixedLine => &rule::FIXED_LINE,
        HkNumberKind::OtherService | HkNumberKind::Unknown => match national.as_bytes()[0] {
            b'7' => &rule::PAGER_BLOCK,
            b'8' => &rule::PERSONAL_NUMBER_BLOCK,
            _ => &rule::NOT_KNOWN_MOBILE_RANGE,
        },
    };
    out.add(def, field).param("number", shown);
}

fn check_insurance(s: &Shipment, out: &mut Out) {
    let Some(insured) = s.insured_value else {
        return;
    };
    if insured <= Decimal::ZERO || s.customs.is_none() {
        return;
    }
    match declared_hkd(s) {
        Some(declared) if insured > declared => {
            let def = if matches!(s.service, Service::AirParcel | Service::SurfaceParcel) {
                &rule::PARCEL_INSURED_OVER_VALUE
            } else {
                &rule::INSURED_OVER_DECLARED
            };
            out.add(def, "insured_value")
                .param("insured", insured)
                .param("declared", declared);
        }
        Some(_) => {}
        None => {
            out.add(&rule::DECLARED_NOT_HKD, "insured_value");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------

/// Problems of a set of items prepared together: the EC-Ship batch limits (warnings: Satchel
/// splits uploads) and duplicate references and item numbers. Per-item problems come from
/// [`validate_shipment`].
pub fn validate_batch(shipments: &[Shipment]) -> Vec<Problem> {
    let mut out = Out(Vec::new());
    if shipments.len() > BATCH_UPLOAD_MAX {
        out.add(&rule::BATCH_OVER_500, "batch")
            .param("count", shipments.len())
            .param("limit", BATCH_UPLOAD_MAX)
            .param("source", BATCH_LIMITS_SOURCE);
    }
    let mut per_country: BTreeMap<String, usize> = BTreeMap::new();
    for s in shipments {
        *per_country.entry(s.country()).or_default() += 1;
    }
    for (country, count) in per_country {
        if count > LABELS_PER_COUNTRY_MAX {
            out.add(
                &rule::OVER_20_PER_COUNTRY,
                format!("batch[country={country}]"),
            )
            .param("country", &country)
            .param("count", count)
            .param("limit", LABELS_PER_COUNTRY_MAX)
            .param("source", BATCH_LIMITS_SOURCE);
        }
    }
    let mut refs: BTreeMap<&str, usize> = BTreeMap::new();
    let mut numbers: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in shipments.iter().enumerate() {
        let r = s.reference.trim();
        if !r.is_empty() {
            if let Some(&first) = refs.get(r) {
                out.add(&rule::DUPLICATE_REFERENCE, format!("batch[{i}].reference"))
                    .param("reference", r)
                    .param("first", first + 1);
            } else {
                refs.insert(r, i);
            }
        }
        if let Some(n) = &s.item_number {
            let n = n.as_str();
            if let Some(&first) = numbers.get(n) {
                out.add(
                    &rule::DUPLICATE_ITEM_NUMBER,
                    format!("batch[{i}].item_number"),
                )
                .param("item_number", n)
                .param("first", first + 1);
            } else {
                numbers.insert(n, i);
            }
        }
    }
    out.0
}

// ---------------------------------------------------------------------------------------------
// iMail postings
// ---------------------------------------------------------------------------------------------

/// A permit account number as R-203 describes it: `PM` and then digits (the length is not
/// public, so any number of them).
/// Spaces and hyphens between the digits are how people write numbers, not part of them.
pub fn is_permit_number(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    t.len() > 2
        && t.is_char_boundary(2)
        && t[..2].eq_ignore_ascii_case("PM")
        && t[2..].bytes().all(|b| b.is_ascii_digit())
}

/// Every problem with an iMail posting: minimum quantities and weights, item and bag limits,
/// one destination per bag, and the permit number.
pub fn validate_posting(p: &Posting) -> Vec<Problem> {
    let mut out = Out(Vec::new());
    let n = p.items.len();
    if n < IMAIL_MIN_ITEMS {
        out.add(&rule::POSTING_UNDER_20_ITEMS, "items")
            .param("count", n)
            .param("min", IMAIL_MIN_ITEMS);
    }
    let mut per_dest: BTreeMap<String, usize> = BTreeMap::new();
    for item in &p.items {
        *per_dest
            .entry(item.destination.trim().to_ascii_uppercase())
            .or_default() += 1;
    }
    for (dest, count) in &per_dest {
        if *count < IMAIL_MIN_PER_DESTINATION {
            out.add(
                &rule::DESTINATION_UNDER_5_ITEMS,
                format!("items[destination={dest}]"),
            )
            .param("destination", dest)
            .param("count", count)
            .param("min", IMAIL_MIN_PER_DESTINATION);
        }
    }
    let total: u64 = p.items.iter().map(|i| u64::from(i.weight_g)).sum();
    if n > 0 && total < IMAIL_MIN_AVERAGE_G * n as u64 {
        out.add(&rule::AVERAGE_UNDER_100G, "items")
            .param("average_g", total / n as u64);
    }
    if total < IMAIL_MIN_POSTING_G {
        out.add(&rule::POSTING_UNDER_2KG, "items")
            .param("total_g", total);
    }

    // iMail is permit mail; R-203: a permit account number starts with `PM`.
    let permit = p.permit_no.trim();
    if permit.is_empty() {
        out.add(&rule::PERMIT_MISSING, "permit_no");
    } else if !is_permit_number(permit) {
        out.add(&rule::PERMIT_FORMAT, "permit_no")
            .param("permit", permit);
    }

    let mut bags: BTreeMap<u32, usize> = BTreeMap::new();
    for (bi, bag) in p.bags.iter().enumerate() {
        if bags.insert(bag.number, bi).is_some() {
            out.add(&rule::DUPLICATE_BAG_NUMBER, format!("bags[{bi}].number"))
                .param("bag", bag.number);
        }
    }
    for (i, item) in p.items.iter().enumerate() {
        if item.weight_g == 0 {
            out.add(&rule::WEIGHT_MISSING, format!("items[{i}].weight_g"));
        } else if item.weight_g > IMAIL_ITEM_MAX_G {
            out.add(&rule::IMAIL_ITEM_OVER_2KG, format!("items[{i}].weight_g"))
                .param("weight_g", item.weight_g);
        }
        let Some(number) = item.bag else { continue };
        match bags.get(&number).map(|&bi| &p.bags[bi]) {
            None => {
                out.add(&rule::UNKNOWN_BAG, format!("items[{i}].bag"))
                    .param("bag", number);
            }
            Some(bag) => {
                let bag_dest = bag.destination.trim();
                if !bag_dest.is_empty() && !bag_dest.eq_ignore_ascii_case(item.destination.trim()) {
                    out.add(&rule::ITEM_NOT_BAG_DESTINATION, format!("items[{i}].bag"))
                        .param("bag", number)
                        .param("destination", item.destination.trim().to_ascii_uppercase())
                        .param("bag_destination", bag_dest.to_ascii_uppercase());
                }
            }
        }
    }
    for (bi, bag) in p.bags.iter().enumerate() {
        let contents: Vec<_> = p
            .items
            .iter()
            .filter(|i| i.bag == Some(bag.number))
            .collect();
        let dests: BTreeSet<String> = contents
            .iter()
            .map(|i| i.destination.trim().to_ascii_uppercase())
            .collect();
        let bag_dest = bag.destination.trim().to_ascii_uppercase();
        if bag_dest.is_empty() {
            out.add(
                &rule::BAG_WITHOUT_DESTINATION,
                format!("bags[{bi}].destination"),
            )
            .param("bag", bag.number);
        }
        if dests.len() > 1 {
            out.add(&rule::MIXED_DESTINATIONS, format!("bags[{bi}]"))
                .param("bag", bag.number)
                .param(
                    "destinations",
                    dests.iter().cloned().collect::<Vec<_>>().join(", "),
                );
        }
        let weight: u64 = bag
            .weight_g
            .map(u64::from)
            .unwrap_or_else(|| contents.iter().map(|i| u64::from(i.weight_g)).sum());
        // The 20 kg limit applies if the bag or any item in it is for the UK or Switzerland.
        let limit = std::iter::once(bag_dest.as_str())
            .chain(dests.iter().map(String::as_str))
            .map(imail_bag_limit_g)
            .min()
            .unwrap_or(30_000);
        if weight > u64::from(limit) {
            let shown_dest = if bag_dest.is_empty() {
                dests.iter().cloned().collect::<Vec<_>>().join(", ")
            } else {
                bag_dest
            };
            out.add(&rule::BAG_OVER_LIMIT, format!("bags[{bi}].weight_g"))
                .param("bag", bag.number)
                .param("weight_g", weight)
                .param("limit_g", limit)
                .param("destination", shown_dest);
        }
    }
    out.0
}

#[cfg(test)]
mod tests;
