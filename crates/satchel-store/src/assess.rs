//! How a draft is assessed before it is stored: every rule from the domain engine, and the
//! price of the chosen service from the rate files in force on the day.
//!
//! The shell's editor, its importer and the CLI all store shipments, and must store the same
//! verdict for the same draft, so the one recipe lives here, next to the types it fills.

use chrono::NaiveDate;
use satchel_core::model::Shipment;
use satchel_core::rates::RateSet;
use satchel_core::validate::{validate_shipment, RulesConfig};

use crate::shipments::{Assessment, StoredProblem, StoredQuote};

/// Validates `s` and prices its service with the tariffs in force on `today` (Hong Kong
/// date, passed in). No quote when the service cannot carry the item.
pub fn assess(s: &Shipment, rates: &RateSet, cfg: &RulesConfig, today: NaiveDate) -> Assessment {
    let view = rates.as_of(today);
    let problems = validate_shipment(s, &view, cfg)
        .iter()
        .map(StoredProblem::from)
        .collect();
    let quote = view
        .quote(s.service, &s.country(), &s.zone_code(), s.parcel.weight_g)
        .ok()
        .map(|q| StoredQuote {
            service: s.service.id(),
            amount: q.estimate,
            rates_as_of: q.tariff_date.date(),
            quoted_on: today,
        });
    Assessment { problems, quote }
}
