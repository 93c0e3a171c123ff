//! Shipments: live checking of a draft, saving it with its assessment, the list, and the
//! lifecycle moves (ready, copy, delete).
//!
//! A draft is checked by the same engine call whether it is typed in the editor
//! (`check_draft`), saved (`save_shipment`) or imported from CSV ([`assess`]), so the window,
//! the import report and the stored assessment never disagree.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use satchel_core::model::{ContentLine, Customs, Dimensions, NonDelivery, Parcel, Shipment};
use satchel_core::service::Service;
use satchel_core::validate::{self, Role, RulesConfig};
use satchel_ipc::wording::Unreadable;
use satchel_ipc::{
    CommandError, CompareRequest, ContentLineDto, DraftCheck, ExportFile, JobDto, LabelPrintDto,
    ProblemDto, Refused, SaveShipmentRequest, ServiceName, SetStateRequest, ShipmentDraftDto,
    ShipmentDto, ShipmentFilterRequest, ShipmentSummary, StoredQuoteDto,
};
use satchel_store::{Assessment, Error, ShipmentDraft, ShipmentFilter, ShipmentRecord, Store};

use crate::convert::{date, hk_time, money, party, party_dto, problem, stored_problem};
use crate::quote;
use crate::store::store_error;
use crate::Engine;

// ---------------------------------------------------------------------------------------------
// Reading what the editor sent
// ---------------------------------------------------------------------------------------------

/// A draft read into the domain model, with what could not be read. `shipment` is `None`
/// only when no service is chosen: the model cannot hold a shipment without one.
#[derive(Debug)]
pub struct Parsed {
    pub shipment: Option<Shipment>,
    /// Values that could not be read (not a domain rule, so no rule id).
    pub input: Vec<ProblemDto>,
}

/// A decimal string; empty is `None`. Unreadable text is reported against `field`.
fn amount(text: &str, field: &str, input: &mut Vec<ProblemDto>) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match Decimal::from_str(t) {
        Ok(d) => Some(d),
        Err(_) => {
            input.push(Unreadable::Amount.problem(field));
            None
        }
    }
}

pub fn parse_draft(d: &ShipmentDraftDto) -> Parsed {
    let mut input = Vec::new();
    let service = match d.service.trim() {
        "" => {
            input.push(Unreadable::ServiceMissing.problem("service"));
            None
        }
        id => {
            let s = Service::from_id(id);
            if s.is_none() {
                let value = id.to_owned();
                input.push(Unreadable::ServiceUnknown { value }.problem("service"));
            }
            s
        }
    };
    let category = match quote::parse_category(d.category.trim()) {
        Ok(c) => Some(c),
        Err(_) => {
            let value = d.category.trim().to_owned();
            input.push(Unreadable::Category { value }.problem("customs.category"));
            None
        }
    };
    let non_delivery = match d.non_delivery.trim() {
        "" => None,
        t => {
            let parsed = NonDelivery::from_id(t);
            if parsed.is_none() {
                let value = t.to_owned();
                input.push(Unreadable::NonDelivery { value }.problem("non_delivery"));
            }
            parsed
        }
    };
    let lines: Vec<ContentLine> = d
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| ContentLine {
            description: l.description.clone(),
            quantity: l.quantity,
            net_weight_g: l.net_weight_g,
            value: amount(&l.value, &format!("customs.lines[{i}].value"), &mut input)
                .unwrap_or_default(),
            currency: l.currency.clone(),
            hs_code: l.hs_code.clone(),
            origin_country: l.origin_country.clone(),
        })
        .collect();
    let insured_value = amount(&d.insured_value, "insured_value", &mut input);
    let shipment = service.map(|service| Shipment {
        sender: party(d.sender.clone()),
        recipient: party(d.recipient.clone()),
        service,
        zone: d.zone.trim().to_owned(),
        parcel: Parcel {
            weight_g: d.weight_g,
            dimensions: d.dimensions_mm.map(|[length, width, height]| Dimensions {
                length,
                width,
                height,
            }),
        },
        // Local mail has no customs declaration (R-038 applies abroad only).
        customs: (!service.is_local()).then(|| Customs {
            category: category.unwrap_or(satchel_core::model::ContentCategory::SaleOfGoods),
            lines,
            explanation: d.explanation.clone(),
            invoice_no: String::new(),
        }),
        insured_value,
        reference: d.reference.trim().to_owned(),
        item_number: None,
        non_delivery,
    });
    Parsed { shipment, input }
}

/// What the store can hold of the draft, or a refusal naming the first field it cannot.
fn shipment_for_store(d: &ShipmentDraftDto) -> Result<Shipment, CommandError> {
    let parsed = parse_draft(d);
    match (parsed.input.into_iter().next(), parsed.shipment) {
        (None, Some(s)) => Ok(s),
        (Some(p), _) => Err(CommandError::invalid(vec![p])),
        (None, None) => unreachable!("a draft without a service has an input problem"),
    }
}

// ---------------------------------------------------------------------------------------------
// Checking and pricing
// ---------------------------------------------------------------------------------------------

/// The domain engine's verdict on one shipment today: every problem, and the price of the
/// chosen service with the date of the rate file it came from. The store's recipe, shared
/// with the CLI, so a draft saved here and one imported from a terminal carry the same.
pub fn assess(engine: &Engine, s: &Shipment, today: NaiveDate) -> Assessment {
    satchel_store::assess::assess(s, &engine.rates, &RulesConfig::default(), today)
}

/// Runs this device's rules on every shipment that arrived from another device unchecked
/// (S-005) or changed there (`ids`, from the sync report), and stores the result; returns how
/// many were checked. Until then such a shipment can be neither marked ready nor submitted
/// (issue #17).
pub fn reassess_merged(
    store: &mut Store,
    engine: &Engine,
    ids: &[String],
    today: NaiveDate,
) -> usize {
    let mut todo: Vec<String> = store.unchecked_shipments().unwrap_or_default();
    todo.extend(ids.iter().cloned());
    todo.sort();
    todo.dedup();
    let mut checked = 0;
    for id in todo {
        let Ok(Some(rec)) = store.shipment(&id) else {
            continue;
        };
        let a = assess(engine, &rec.draft.shipment, today);
        if store.set_assessment(&id, &a).is_ok() {
            checked += 1;
        }
    }
    checked
}

/// `check_draft`: problems in both languages, the comparison, the service and zone choices.
pub fn check(engine: &Engine, d: &ShipmentDraftDto, today: NaiveDate) -> DraftCheck {
    let parsed = parse_draft(d);
    let mut problems = parsed.input;
    match &parsed.shipment {
        Some(s) => problems.extend(
            validate::validate_shipment(s, &engine.rates.as_of(today), &RulesConfig::default())
                .iter()
                .map(problem),
        ),
        // No service yet: the addresses can still be checked on their own.
        None => {
            for (role, prefix, p) in [
                (Role::Sender, "sender", &d.sender),
                (Role::Recipient, "recipient", &d.recipient),
            ] {
                for mut pr in validate::validate_party(role, &party(p.clone())) {
                    pr.field = format!("{prefix}.{}", pr.field);
                    problems.push(problem(&pr));
                }
            }
        }
    }
    let country = d.recipient.country.trim().to_ascii_uppercase();
    let comparison = (!country.is_empty() && d.weight_g > 0)
        .then(|| {
            quote::compare(
                &engine.rates,
                &engine.calendar,
                CompareRequest {
                    country: country.clone(),
                    zone: Some(d.zone.trim().to_owned()).filter(|z| !z.is_empty()),
                    weight_g: d.weight_g,
                    dimensions_mm: d.dimensions_mm,
                    category: d.category.trim().to_owned(),
                },
                today,
            )
            .ok()
        })
        .flatten();
    let zones = engine
        .destinations
        .iter()
        .find(|dest| dest.code.as_str() == country && dest.has_sub_zones())
        .map(|dest| quote::choices(dest).collect())
        .unwrap_or_default();
    DraftCheck {
        problems,
        comparison,
        services: services(engine, today),
        zones,
        insurance: parsed
            .shipment
            .as_ref()
            .and_then(crate::calendar::insurance),
    }
}

/// Every service with a tariff in force today, in the engine's order.
fn services(engine: &Engine, today: NaiveDate) -> Vec<ServiceName> {
    engine
        .rates
        .as_of(today)
        .tables()
        .map(|t| ServiceName {
            id: t.service().id(),
            name_en: t.name_en().to_owned(),
            name_zh_hk: t.name_tc().to_owned(),
        })
        .collect()
}

fn service_name(engine: &Engine, today: NaiveDate, s: Service) -> ServiceName {
    engine
        .rates
        .as_of(today)
        .table(s)
        .map(|t| ServiceName {
            id: s.id(),
            name_en: t.name_en().to_owned(),
            name_zh_hk: t.name_tc().to_owned(),
        })
        .unwrap_or_else(|| ServiceName {
            id: s.id(),
            name_en: s.id(),
            name_zh_hk: s.id(),
        })
}

// ---------------------------------------------------------------------------------------------
// Store calls
// ---------------------------------------------------------------------------------------------

/// Saves a new draft (no id) or an edit, with today's assessment.
pub fn save(
    store: &mut Store,
    engine: &Engine,
    r: SaveShipmentRequest,
    today: NaiveDate,
) -> Result<ShipmentDto, CommandError> {
    let shipment = shipment_for_store(&r.draft)?;
    let assessment = assess(engine, &shipment, today);
    let nonempty = |id: &Option<String>| id.clone().filter(|i| !i.trim().is_empty());
    let draft = ShipmentDraft {
        shipment,
        recipient_id: nonempty(&r.draft.recipient_id),
        sender_id: nonempty(&r.draft.sender_id),
    };
    let rec = match r.id.as_deref().filter(|id| !id.is_empty()) {
        None => store.create_shipment(&draft, &assessment),
        Some(id) => store.update_shipment(id, &draft, &assessment),
    }
    .map_err(store_error)?;
    Ok(shipment_dto(&rec, today))
}

pub fn get(store: &Store, id: &str, today: NaiveDate) -> Result<ShipmentDto, CommandError> {
    match store.shipment(id).map_err(store_error)? {
        Some(rec) => {
            let mut dto = shipment_dto(&rec, today);
            dto.prints = store
                .label_prints(id)
                .map_err(store_error)?
                .into_iter()
                .map(|p| LabelPrintDto {
                    at: hk_time(p.printed_ms),
                    who: p.who,
                    copies: p.copies,
                    operator_label: p.operator_label,
                })
                .collect();
            Ok(dto)
        }
        None => Err(store_error(Error::NotFound {
            entity: "shipment",
            id: id.to_owned(),
        })),
    }
}

pub fn set_state(
    store: &mut Store,
    r: &SetStateRequest,
    today: NaiveDate,
) -> Result<ShipmentDto, CommandError> {
    let rec = store
        .set_shipment_state(&r.id, r.state)
        .map_err(store_error)?;
    Ok(shipment_dto(&rec, today))
}

fn filter(r: &ShipmentFilterRequest) -> Result<ShipmentFilter, CommandError> {
    let day = |text: &str, field: &str| -> Result<Option<NaiveDate>, CommandError> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        satchel_core::dates::parse(t).map(Some).ok_or_else(|| {
            let value = t.to_owned();
            CommandError::new(field, Refused::DateFormat { value })
        })
    };
    let destination = r.destination.trim().to_ascii_uppercase();
    Ok(ShipmentFilter {
        states: r.state.into_iter().collect(),
        from: day(&r.from, "from")?,
        to: day(&r.to, "to")?,
        destination: (!destination.is_empty()).then_some(destination),
        limit: 0,
        // The list shows Hong Kong times, so its date filter means Hong Kong days.
        utc_offset_secs: crate::clock::HK_OFFSET_SECS,
        ids: r.ids.clone(),
        errors: r.problems,
    })
}

pub fn list(
    store: &Store,
    engine: &Engine,
    r: &ShipmentFilterRequest,
    today: NaiveDate,
) -> Result<Vec<ShipmentSummary>, CommandError> {
    let f = filter(r)?;
    let recs = store.list_shipments(&f).map_err(store_error)?;
    let jobs: std::collections::HashMap<String, JobDto> = store
        .latest_jobs()
        .map_err(store_error)?
        .into_iter()
        .map(|j| {
            (
                j.shipment_id.clone(),
                JobDto {
                    kind: j.kind,
                    state: j.state,
                    attempts: j.attempts,
                    error: j.last_error,
                    error_kind: j.error_kind,
                    price_of_record: j.price_of_record.map(crate::convert::money),
                },
            )
        })
        .collect();
    Ok(recs
        .iter()
        .map(|rec| {
            let s = &rec.draft.shipment;
            let count = |error: bool| {
                rec.assessment
                    .problems
                    .iter()
                    .filter(|p| p.error == error)
                    .count() as u32
            };
            ShipmentSummary {
                id: rec.id.clone(),
                state: rec.state,
                reference: s.reference.clone(),
                recipient: if s.recipient.name.trim().is_empty() {
                    s.recipient.company.clone()
                } else {
                    s.recipient.name.clone()
                },
                destination: s.country(),
                service: service_name(engine, today, s.service),
                weight_g: s.parcel.weight_g,
                postage: rec.assessment.quote.as_ref().map(|q| money(q.amount)),
                errors: count(true),
                warnings: count(false),
                created: hk_time(rec.created_ms),
                item_number: s.item_number.as_ref().map(|n| n.as_str().to_owned()),
                job: jobs.get(&rec.id).cloned(),
            }
        })
        .collect())
}

pub fn export(
    store: &Store,
    r: &ShipmentFilterRequest,
    today: NaiveDate,
) -> Result<ExportFile, CommandError> {
    let text = store.export_shipments(&filter(r)?).map_err(store_error)?;
    Ok(ExportFile {
        file_name: format!("satchel-shipments-{}.csv", date(today)),
        text,
    })
}

// ---------------------------------------------------------------------------------------------
// Back to DTOs
// ---------------------------------------------------------------------------------------------

pub fn draft_dto(d: &ShipmentDraft) -> ShipmentDraftDto {
    let s = &d.shipment;
    let customs = s.customs.as_ref();
    ShipmentDraftDto {
        sender_id: d.sender_id.clone(),
        sender: party_dto(&s.sender),
        recipient_id: d.recipient_id.clone(),
        recipient: party_dto(&s.recipient),
        service: s.service.id(),
        zone: s.zone.clone(),
        weight_g: s.parcel.weight_g,
        dimensions_mm: s.parcel.dimensions.map(|d| [d.length, d.width, d.height]),
        category: customs
            .map(|c| c.category.id().to_owned())
            .unwrap_or_default(),
        explanation: customs.map(|c| c.explanation.clone()).unwrap_or_default(),
        lines: customs
            .map(|c| {
                c.lines
                    .iter()
                    .map(|l| ContentLineDto {
                        description: l.description.clone(),
                        quantity: l.quantity,
                        net_weight_g: l.net_weight_g,
                        value: l.value.to_string(),
                        currency: l.currency.clone(),
                        hs_code: l.hs_code.clone(),
                        origin_country: l.origin_country.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        insured_value: s.insured_value.map(|v| v.to_string()).unwrap_or_default(),
        reference: s.reference.clone(),
        non_delivery: s
            .non_delivery
            .map(|n| n.id().to_owned())
            .unwrap_or_default(),
    }
}

/// A stored shipment for the window, with its cover and its calendar as of `today`.
pub fn shipment_dto(rec: &ShipmentRecord, today: NaiveDate) -> ShipmentDto {
    ShipmentDto {
        id: rec.id.clone(),
        state: rec.state,
        draft: draft_dto(&rec.draft),
        problems: rec.assessment.problems.iter().map(stored_problem).collect(),
        quote: rec.assessment.quote.as_ref().map(|q| StoredQuoteDto {
            service: q.service.clone(),
            amount: money(q.amount),
            rates_as_of: date(q.rates_as_of),
            quoted_on: date(q.quoted_on),
        }),
        created: hk_time(rec.created_ms),
        updated: hk_time(rec.updated_ms),
        item_number: rec
            .draft
            .shipment
            .item_number
            .as_ref()
            .map(|n| n.as_str().to_owned()),
        insurance: crate::calendar::insurance(&rec.draft.shipment),
        windows: crate::calendar::windows(rec, today),
        prints: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts;
    use crate::contacts::tests::{saved, shop, temp_store, tokyo};
    use satchel_ipc::ShipmentState;

    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// Tea to Tokyo by Speedpost from the default sender, as the editor would send it.
    fn draft(store: &mut Store) -> ShipmentDraftDto {
        let r = saved(contacts::save(store, tokyo()).unwrap());
        let s = saved(contacts::save(store, shop()).unwrap());
        ShipmentDraftDto {
            sender_id: Some(s.id),
            sender: s.party,
            recipient_id: Some(r.id),
            recipient: r.party,
            service: "speedpost".into(),
            weight_g: 450,
            category: "sale_of_goods".into(),
            lines: vec![ContentLineDto {
                description: "Oolong tea".into(),
                quantity: 2,
                net_weight_g: 400,
                value: "300".into(),
                currency: "HKD".into(),
                hs_code: "09023000".into(),
                origin_country: "CN".into(),
            }],
            reference: "ORDER-1".into(),
            ..ShipmentDraftDto::default()
        }
    }

    #[test]
    fn a_missing_recipient_name_is_s001_on_recipient_name() {
        let (_dir, mut store) = temp_store();
        let engine = Engine::load();
        let mut d = draft(&mut store);
        let ok = check(&engine, &d, monday());
        assert!(
            ok.problems.iter().all(|p| !p.error),
            "a complete draft: {:?}",
            ok.problems
        );
        d.recipient.name.clear();
        let bad = check(&engine, &d, monday());
        let p = bad
            .problems
            .iter()
            .find(|p| p.field == "recipient.name")
            .expect("S-001 on recipient.name");
        assert_eq!(p.rule, "S-001");
        assert!(p.error);
        assert_ne!(p.message_en, p.message_zh_hk);
    }

    #[test]
    fn the_check_prices_every_service_and_lists_them_for_the_picker() {
        let (_dir, mut store) = temp_store();
        let engine = Engine::load();
        let d = draft(&mut store);
        let c = check(&engine, &d, monday());
        let cmp = c.comparison.expect("a comparison for JP, 450 g");
        assert!(cmp.options.iter().any(|o| o.id == "speedpost"));
        assert!(c.services.iter().any(|s| s.id == "speedpost"));
        // Parcels price some Japanese addresses as their own zone, so Japan is split; the
        // zone named like the country comes first.
        assert_eq!(
            c.zones.first().map(|z| z.zone.as_str()),
            Some("JP"),
            "{:?}",
            c.zones
        );
    }

    #[test]
    fn without_a_service_the_addresses_are_still_checked() {
        let engine = Engine::load();
        let d = ShipmentDraftDto {
            category: "gift".into(),
            ..ShipmentDraftDto::default()
        };
        let c = check(&engine, &d, monday());
        let fields: Vec<&str> = c.problems.iter().map(|p| p.field.as_str()).collect();
        assert!(fields.contains(&"service"), "{fields:?}");
        assert!(fields.contains(&"recipient.name"), "{fields:?}");
        assert!(fields.contains(&"sender.country"), "{fields:?}");
        assert!(c.comparison.is_none());
    }

    #[test]
    fn a_split_destination_offers_its_zones() {
        let engine = Engine::load();
        let mut d = ShipmentDraftDto::default();
        d.recipient.country = "us".into();
        let c = check(&engine, &d, monday());
        assert!(c.zones.len() > 1, "{:?}", c.zones);
    }

    #[test]
    fn an_unreadable_amount_names_its_line() {
        let (_dir, mut store) = temp_store();
        let engine = Engine::load();
        let mut d = draft(&mut store);
        d.lines[0].value = "three hundred".into();
        let c = check(&engine, &d, monday());
        assert!(c
            .problems
            .iter()
            .any(|p| p.field == "customs.lines[0].value" && p.code == "input.amount"));
        let err = save(
            &mut store,
            &engine,
            SaveShipmentRequest { id: None, draft: d },
            monday(),
        )
        .unwrap_err();
        assert_eq!(err.field, "customs.lines[0].value");
    }

    #[test]
    fn saved_with_its_quote_listed_marked_ready_copied_and_deleted() {
        let (_dir, mut store) = temp_store();
        let engine = Engine::load();
        let d = draft(&mut store);
        let rec = save(
            &mut store,
            &engine,
            SaveShipmentRequest {
                id: None,
                draft: d.clone(),
            },
            monday(),
        )
        .unwrap();
        assert_eq!(rec.state, ShipmentState::Draft);
        assert_eq!(rec.draft, {
            let mut want = d.clone();
            want.lines[0].value = "300".into();
            want
        });
        let q = rec.quote.clone().expect("a stored quote");
        assert_eq!(q.service, "speedpost");
        assert_eq!(q.quoted_on, "2026-11-23");
        let view = engine.rates.as_of(monday());
        let want = view.quote(Service::Speedpost, "JP", "JP", 450).unwrap();
        assert_eq!(q.amount, money(want.estimate));
        assert_eq!(q.rates_as_of, date(want.tariff_date.date()));

        let all = list(&store, &engine, &ShipmentFilterRequest::default(), monday()).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].recipient, "陳小明 Chan Siu Ming");
        assert_eq!(all[0].destination, "JP");
        assert_eq!(all[0].postage.as_deref(), Some(q.amount.as_str()));
        let to_us = ShipmentFilterRequest {
            destination: "us".into(),
            ..ShipmentFilterRequest::default()
        };
        assert!(list(&store, &engine, &to_us, monday()).unwrap().is_empty());
        // Day first is read (issue #15); a month-first date is refused, naming the field.
        let day_first = ShipmentFilterRequest {
            from: "23/11/2026".into(),
            ..ShipmentFilterRequest::default()
        };
        assert_eq!(
            list(&store, &engine, &day_first, monday()).unwrap().len(),
            1
        );
        let bad_date = ShipmentFilterRequest {
            from: "11/23/2026".into(),
            ..ShipmentFilterRequest::default()
        };
        assert_eq!(
            list(&store, &engine, &bad_date, monday())
                .unwrap_err()
                .field,
            "from"
        );

        let ready = set_state(
            &mut store,
            &SetStateRequest {
                id: rec.id.clone(),
                state: ShipmentState::Ready,
            },
            monday(),
        )
        .unwrap();
        assert_eq!(ready.state, ShipmentState::Ready);
        let only_ready = ShipmentFilterRequest {
            state: Some(ShipmentState::Ready),
            ..ShipmentFilterRequest::default()
        };
        assert_eq!(
            list(&store, &engine, &only_ready, monday()).unwrap().len(),
            1
        );

        let copy = shipment_dto(&store.copy_shipment(&rec.id).unwrap(), monday());
        assert_ne!(copy.id, rec.id);
        assert_eq!(
            copy.draft.reference, "",
            "each item needs its own reference"
        );
        store.delete_shipment(&copy.id).unwrap();
        assert_eq!(get(&store, &copy.id, monday()).unwrap_err().field, "id");

        let csv = export(&store, &ShipmentFilterRequest::default(), monday()).unwrap();
        assert_eq!(csv.file_name, "satchel-shipments-2026-11-23.csv");
        assert!(csv.text.contains("ORDER-1"));
    }

    #[test]
    fn a_draft_with_errors_cannot_be_marked_ready() {
        let (_dir, mut store) = temp_store();
        let engine = Engine::load();
        let mut d = draft(&mut store);
        d.recipient.name.clear();
        let rec = save(
            &mut store,
            &engine,
            SaveShipmentRequest { id: None, draft: d },
            monday(),
        )
        .unwrap();
        assert!(rec.problems.iter().any(|p| p.rule == "S-001"));
        let err = set_state(
            &mut store,
            &SetStateRequest {
                id: rec.id,
                state: ShipmentState::Ready,
            },
            monday(),
        )
        .unwrap_err();
        assert_eq!(err.field, "state");
    }

    #[test]
    fn merged_shipments_are_checked_here() {
        let (_dir, mut store) = temp_store();
        let engine = Engine::load();
        let r = saved(contacts::save(&mut store, tokyo()).unwrap());
        let s = saved(contacts::save(&mut store, shop()).unwrap());
        let draft = ShipmentDraftDto {
            sender_id: Some(s.id.clone()),
            sender: s.party.clone(),
            recipient_id: Some(r.id.clone()),
            recipient: r.party.clone(),
            service: "speedpost".into(),
            weight_g: 450,
            category: "gift".into(),
            ..ShipmentDraftDto::default()
        };
        let id = save(
            &mut store,
            &engine,
            SaveShipmentRequest { id: None, draft },
            monday(),
        )
        .unwrap()
        .id;
        // As the merge leaves a shipment another device changed.
        store
            .set_assessment(&id, &satchel_store::Assessment::not_checked_here())
            .unwrap();
        assert_eq!(reassess_merged(&mut store, &engine, &[], monday()), 1);
        let rec = store.shipment(&id).unwrap().unwrap();
        assert!(!rec.assessment.is_unchecked());
        assert!(
            rec.assessment.problems.iter().any(|p| p.rule == "R-076"),
            "this device's rules ran: {:?}",
            rec.assessment.problems
        );
    }
}
