//! "Which service should I use?": every service that can carry one item, cheapest first.
//!
//! The comparison screen and `satchel quote` both need the same answer, including *why* a
//! service is missing (a merchant who does not see Speedpost wants to know it is the weight
//! limit, not a bug). So each service ends up either in `options` with its prices and
//! delivery window, or in `excluded` with a typed reason. Delivery windows are given only
//! where a source states one (iMail R-157, e-Express+ R-094); everything else is `None`
//! ("unknown"), never an invented figure.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::destination::Code;
use crate::model::{ContentCategory, Grams, Hkd, Parcel};
use crate::postage::{PostageError, QuoteBasis};
use crate::rates::{service_slot, RateView};
use crate::service::Service;

/// One item to price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRequest {
    pub parcel: Parcel,
    /// Destination country (`destinationCode`), e.g. `US`; `HK` for local mail.
    pub country: String,
    /// Sub-zone (`zoneCode`) where the country is split (§5.4 item 2); defaults to `country`.
    #[serde(default)]
    pub zone: Option<String>,
    pub category: ContentCategory,
}

/// A delivery-time range in working days, as stated by the operator (reference only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeliveryWindow {
    pub min_days: u16,
    pub max_days: u16,
    /// Pledge wording (§4.1): count Mon–Sat, skipping HK general holidays.
    pub unit: &'static str,
    pub rule: &'static str,
}

const PLEDGE_DAYS: &str = "working days (Mon–Sat, excluding HK general holidays; §4.1)";

/// The stated delivery window of a service, if a source gives one.
pub fn delivery_window(service: Service) -> Option<DeliveryWindow> {
    match service {
        Service::Imail => Some(DeliveryWindow {
            min_days: 4,
            max_days: 24,
            unit: PLEDGE_DAYS,
            rule: "R-157",
        }),
        Service::EExpress => Some(DeliveryWindow {
            min_days: 7,
            max_days: 14,
            unit: PLEDGE_DAYS,
            rule: "R-094",
        }),
        _ => None,
    }
}

/// A service that can carry the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceOption {
    pub service: Service,
    /// [`Service::id`], for the CLI and IPC.
    pub id: String,
    /// `serviceNameEN` / `serviceNameTC` of the tariff.
    pub name_en: String,
    pub name_tc: String,
    /// Tariff price (estimate).
    pub estimate: Hkd,
    /// Counter price: rounded down to HK$0.10.
    pub counter: Hkd,
    pub basis: QuoteBasis,
    /// `lastUpdateDate` of the tariff used.
    pub tariff_date: NaiveDateTime,
    /// `None` = no source states one.
    pub delivery: Option<DeliveryWindow>,
}

/// Why a service is not offered for this item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Exclusion {
    /// goods to the US are suspended on every service; documents are unaffected.
    UsGoodsSuspended,
    /// A local service and a destination outside Hong Kong.
    LocalOnly,
    /// An international service and a Hong Kong address.
    InternationalOnly,
    /// No tariff of this service is in force on the date.
    NoTariff,
    /// The tariff has no entry for the destination.
    NotServed,
    /// Heavier than min(wgtLimit, last step) (§5.4 item 7), or zero.
    OverLimit { limit_g: Grams },
    /// Conflicting published steps (§5.4 item 9): price from the API only.
    AmbiguousRate { first: Hkd, second: Hkd },
    /// Beyond a published size limit (R-169 letter post, R-172 parcels).
    OverSize { rule: &'static str },
    /// The destination code is not two letters.
    InvalidDestination,
    /// A gap in the published steps.
    NoStep,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub service: Service,
    pub id: String,
    #[serde(flatten)]
    pub reason: Exclusion,
    /// A sentence for the UI.
    pub message: String,
}

/// The answer for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub country: String,
    pub zone: String,
    pub weight_g: Grams,
    /// The date the tariffs were chosen for (`None` = latest loaded).
    pub as_of: Option<NaiveDate>,
    /// Cheapest first; ties in [`Service::all`] order.
    pub options: Vec<ServiceOption>,
    /// In [`Service::all`] order.
    pub excluded: Vec<Excluded>,
}

fn size_exclusion(service: Service, parcel: &Parcel) -> Option<&'static str> {
    let dims = parcel.dimensions?;
    let [l, w, h] = dims.sorted();
    // letters and small packets, and iMail items: L + W + D ≤ 900 mm, longest ≤ 600.
    let letter_post = service.format().is_some() || service == Service::Imail;
    if letter_post && (l + w + h > 900 || l > 600) {
        return Some("R-169");
    }
    // the most generous parcel size (XP: length ≤ 1.5 m, length + girth ≤ 3 m);
    // which destinations accept XP is not in the data, so only this outer bound is enforced.
    if matches!(service, Service::AirParcel | Service::SurfaceParcel)
        && (l > 1500 || u64::from(l) + 2 * (u64::from(w) + u64::from(h)) > 3000)
    {
        return Some("R-172");
    }
    None
}

/// Prices `req` with every service in `view`.
pub fn compare(view: &RateView<'_>, req: &CompareRequest) -> Comparison {
    let country = req.country.trim().to_uppercase();
    let zone = req
        .zone
        .as_deref()
        .map(|z| z.trim().to_uppercase())
        .filter(|z| !z.is_empty())
        .unwrap_or_else(|| country.clone());
    let weight_g = req.parcel.weight_g;
    let codes = Code::parse(&country).zip(Code::parse(&zone));
    let is_hk = country == "HK";

    let mut options = Vec::new();
    let mut excluded = Vec::new();
    for service in Service::all() {
        let exclude = |reason: Exclusion, message: String| Excluded {
            service,
            id: service.id(),
            reason,
            message,
        };
        let name = service.id();
        if country == "US" && req.category.is_goods() {
            excluded.push(exclude(
                Exclusion::UsGoodsSuspended,
                "goods to the US are suspended on all services; documents only (R-063)".into(),
            ));
            continue;
        }
        if service.is_local() && !is_hk {
            excluded.push(exclude(
                Exclusion::LocalOnly,
                format!("{name} delivers in Hong Kong only"),
            ));
            continue;
        }
        if !service.is_local() && is_hk {
            excluded.push(exclude(
                Exclusion::InternationalOnly,
                format!("{name} is for destinations outside Hong Kong"),
            ));
            continue;
        }
        let Some((dest, zone_code)) = codes else {
            excluded.push(exclude(
                Exclusion::InvalidDestination,
                format!("{country:?}/{zone:?} is not a destination code"),
            ));
            continue;
        };
        if let Some(rule) = size_exclusion(service, &req.parcel) {
            excluded.push(exclude(
                Exclusion::OverSize { rule },
                format!("the item is larger than {name} accepts ({rule})"),
            ));
            continue;
        }
        match view.quote_codes(service, dest, zone_code, weight_g) {
            Ok(q) => {
                let table = view.table(service);
                options.push(ServiceOption {
                    service,
                    id: name,
                    name_en: table.map(|t| t.name_en().to_owned()).unwrap_or_default(),
                    name_tc: table.map(|t| t.name_tc().to_owned()).unwrap_or_default(),
                    estimate: q.estimate,
                    counter: q.counter,
                    basis: q.basis,
                    tariff_date: q.tariff_date,
                    delivery: delivery_window(service),
                });
            }
            Err(e) => {
                let reason = match &e {
                    PostageError::NoTariff { .. } => Exclusion::NoTariff,
                    PostageError::InvalidCode { .. } => Exclusion::InvalidDestination,
                    PostageError::NotServed { .. } => Exclusion::NotServed,
                    PostageError::OverLimit { limit_g, .. } => {
                        Exclusion::OverLimit { limit_g: *limit_g }
                    }
                    PostageError::AmbiguousRate { first, second, .. } => Exclusion::AmbiguousRate {
                        first: *first,
                        second: *second,
                    },
                    PostageError::NoStep { .. } => Exclusion::NoStep,
                };
                excluded.push(exclude(reason, e.to_string()));
            }
        }
    }
    options.sort_by_key(|o| (o.estimate, service_slot(o.service)));
    Comparison {
        country,
        zone,
        weight_g,
        as_of: view.date(),
        options,
        excluded,
    }
}
