//! The seam between the rate tables and the rules engine.
//!
//! Validation needs a few facts that live in the rate files (does a service reach a
//! destination, up to what weight) without depending on how tariffs are stored or versioned.
//! Tests can answer these from a small table; the app answers them from the loaded rate set.

use crate::model::Grams;
use crate::service::Service;

/// Facts about a tariff that the rules engine asks for.
pub trait TariffFacts {
    /// The heaviest item `service` accepts to the destination `(country, zone)`, where `zone`
    /// is the open-data `zoneCode` (equal to `country` unless the destination has sub-zones).
    /// `None` means the service does not serve that destination at all.
    fn weight_limit_g(&self, service: Service, country: &str, zone: &str) -> Option<Grams>;
}
