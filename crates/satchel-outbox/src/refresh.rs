//! Fetching tracking events for stored shipments and keeping them in the store.
//!
//! Why one module for the app and the CLI: both refresh on demand, the app also does it
//! periodically, and all of them must respect the tracking API's limits (domain.md §10.6: one
//! request per 100 ms, batched item numbers, a 15-minute token). With a tracking base URL
//! configured, the REST client batches every item into as few requests as it can; without one,
//! the SOAP `getTTInfo` is asked once per item, sequentially, and the first unanswered request
//! stops the round (one timeout is enough to know the merchant is offline).

use std::collections::HashMap;

use satchel_core::s10::ItemNumber;
use satchel_keychain::{SecretStore, ECSHIP_API_KEY, ECSHIP_INTEGRATOR_USERNAME};
use satchel_store::{ShipmentState, TrackingEvent};

use satchel_net::ecship::EcshipClient;
use satchel_net::settings::{EcshipSettings, SetupError};
use satchel_net::tracking::{TrackingClient, TrackingConfig, TrackingError};
use satchel_store::StoreAccess;

/// States in which a parcel is (or is about to be) in the post and worth tracking.
pub const TRACKED_STATES: [ShipmentState; 3] = [
    ShipmentState::Numbered,
    ShipmentState::Printed,
    ShipmentState::Posted,
];

/// What a refresh did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RefreshReport {
    /// Shipments whose timeline was replaced with EC-Ship's.
    pub updated: usize,
    /// Per shipment: why it could not be refreshed (offline, refused).
    pub errors: Vec<(String, Stale)>,
}

/// Why one shipment's timeline was not refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// No answer at all (offline), as opposed to an answer that said no.
    pub offline: bool,
    pub text: String,
}

/// An EC-Ship event as the store keeps it (`at` as ISO 8601 local time).
pub fn stored_event(
    at: chrono::NaiveDateTime,
    code: String,
    description: String,
    location: String,
) -> TrackingEvent {
    TrackingEvent {
        at: at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        code,
        description,
        location,
    }
}

/// Fetches every item's events: REST when a tracking address is set (it batches items and
/// keeps to 1 request per 100 ms), else getTTInfo one item at a time.
pub async fn fetch(
    settings: &EcshipSettings,
    kc: &dyn SecretStore,
    client: &EcshipClient,
    items: &[ItemNumber],
) -> HashMap<String, Result<Vec<TrackingEvent>, Stale>> {
    let mut out = HashMap::new();
    let base = settings.tracking_base_url.trim();
    if !base.is_empty() {
        let creds = (
            kc.get(ECSHIP_INTEGRATOR_USERNAME).ok().flatten(),
            kc.get(ECSHIP_API_KEY).ok().flatten(),
        );
        let result = match creds {
            (Some(user), Some(key)) => {
                match TrackingClient::new(TrackingConfig::new(base), user.expose(), key.expose()) {
                    Ok(tc) => tc.track(items).await,
                    Err(e) => Err(e),
                }
            }
            _ => Err(TrackingError::Unauthorized),
        };
        match result {
            Ok(list) => {
                for it in list {
                    let events = it
                        .events
                        .into_iter()
                        .map(|e| stored_event(e.at, e.code, e.description, e.location))
                        .collect();
                    out.insert(it.item_no, Ok(events));
                }
                for item in items {
                    out.entry(item.as_str().to_owned()).or_insert(Err(Stale {
                        offline: false,
                        text: "the tracking API returned nothing for this item".into(),
                    }));
                }
            }
            Err(e) => {
                let stale = Stale {
                    offline: matches!(e, TrackingError::Transport(_)),
                    text: e.to_string(),
                };
                for item in items {
                    out.insert(item.as_str().to_owned(), Err(stale.clone()));
                }
            }
        }
        return out;
    }
    let mut offline: Option<Stale> = None;
    for item in items {
        if let Some(s) = &offline {
            // One unanswered request is enough to know: do not wait out a timeout per item.
            out.insert(item.as_str().to_owned(), Err(s.clone()));
            continue;
        }
        let r = match client.tt_info(item).await {
            Ok(events) => Ok(events
                .into_iter()
                .map(|e| stored_event(e.at, e.code, e.description, e.location))
                .collect()),
            Err(e) => {
                let stale = Stale {
                    offline: e.outcome_unknown(),
                    text: e.to_string(),
                };
                if stale.offline {
                    offline = Some(stale.clone());
                }
                Err(stale)
            }
        };
        out.insert(item.as_str().to_owned(), r);
    }
    out
}

/// Refreshes the timelines of `ids` (shipments without an item number are skipped). Reads
/// the keychain, so call it off the async runtime's worker threads or accept a short block.
pub async fn refresh_tracking(
    store: &impl StoreAccess,
    settings: &EcshipSettings,
    keychain: &dyn SecretStore,
    ids: &[String],
) -> Result<RefreshReport, SetupError> {
    let items: Vec<(String, ItemNumber)> = store.with_store(|s| {
        ids.iter()
            .filter_map(|id| {
                let rec = s.shipment(id).ok()??;
                Some((rec.id, rec.draft.shipment.item_number?))
            })
            .collect()
    });
    let mut report = RefreshReport::default();
    if items.is_empty() {
        return Ok(report);
    }
    let client = settings.client(keychain)?;
    let numbers: Vec<ItemNumber> = items.iter().map(|(_, n)| n.clone()).collect();
    let mut fetched = fetch(settings, keychain, &client, &numbers).await;
    for (id, number) in &items {
        match fetched.remove(number.as_str()) {
            Some(Ok(events)) => match store.with_store(|s| s.save_tracking(id, &events)) {
                Ok(()) => report.updated += 1,
                Err(e) => report.errors.push((
                    id.clone(),
                    Stale {
                        offline: false,
                        text: e.to_string(),
                    },
                )),
            },
            Some(Err(stale)) => report.errors.push((id.clone(), stale)),
            None => {}
        }
    }
    Ok(report)
}

/// The shipments worth tracking now: numbered, printed or posted, with an item number.
pub fn tracked_ids(store: &impl StoreAccess) -> Vec<String> {
    store.with_store(|s| {
        s.list_shipments(&satchel_store::ShipmentFilter {
            states: TRACKED_STATES.to_vec(),
            ..Default::default()
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.draft.shipment.item_number.is_some())
        .map(|r| r.id)
        .collect()
    })
}
