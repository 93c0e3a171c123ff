//! `satchel quote` and `satchel compare`: the price of one item.
//!
//! Both go through `compare::compare`, even for a single `--service`, so the CLI gives the
//! same verdict as the comparison screen: a service refused for the US goods suspension
//! for size or for weight is refused here too, with the same reason. `quote` answers
//! "how much" (one service, or the available ones); `compare` also lists every excluded
//! service and why, because "where is Speedpost?" is the question that follows a comparison.

use anyhow::{anyhow, bail};
use chrono::{NaiveDate, NaiveDateTime};
use satchel_core::compare::{self, CompareRequest, Comparison, DeliveryWindow, Exclusion};
use satchel_core::compare::{Excluded, ServiceOption};
use satchel_core::destination::{self, Code, Destination};
use satchel_core::model::{Grams, Parcel};
use satchel_core::postage::QuoteBasis;
use satchel_core::rates::RateSet;
use serde::Serialize;

use crate::args::{ItemArgs, QuoteArgs};
use crate::load::Sources;
use crate::parse::category_id;
use crate::render::{amount, hkd, Align, Table};
use crate::{load, today_in_hong_kong, Output, Status};

/// The item as understood, echoed in every answer so a script can check what was priced.
#[derive(Debug, Serialize)]
struct ItemOut {
    country: String,
    zone: String,
    destination_name: String,
    weight_g: Grams,
    /// Length, width, height in mm, when given.
    dimensions_mm: Option<[u32; 3]>,
    category: String,
    /// The day whose tariffs were used.
    as_of: NaiveDate,
}

/// A service that can carry the item. Money as decimal strings with two decimals, like the
/// rest of Satchel's interfaces (never floats).
#[derive(Debug, Serialize)]
struct OptionOut {
    service: String,
    name_en: String,
    name_tc: String,
    estimate: String,
    /// rounded down to HK$0.10, if this item is the whole posting.
    counter: String,
    basis: QuoteBasis,
    /// `lastUpdateDate` of the tariff used.
    tariff_date: NaiveDateTime,
    delivery: Option<DeliveryWindow>,
}

#[derive(Debug, Serialize)]
struct ExcludedOut<'a> {
    service: String,
    #[serde(flatten)]
    reason: &'a Exclusion,
    message: &'a str,
}

#[derive(Debug, Serialize)]
struct CompareOut<'a> {
    #[serde(flatten)]
    item: ItemOut,
    options: Vec<OptionOut>,
    excluded: Vec<ExcludedOut<'a>>,
}

#[derive(Debug, Serialize)]
struct QuoteOut<'a> {
    #[serde(flatten)]
    item: ItemOut,
    service: String,
    /// Present when the service can carry the item.
    quote: Option<OptionOut>,
    /// Present when it cannot, with the reason.
    excluded: Option<ExcludedOut<'a>>,
}

fn option_out(o: &ServiceOption) -> OptionOut {
    OptionOut {
        service: o.id.clone(),
        name_en: o.name_en.clone(),
        name_tc: o.name_tc.clone(),
        estimate: amount(o.estimate),
        counter: amount(o.counter),
        basis: o.basis,
        tariff_date: o.tariff_date,
        delivery: o.delivery,
    }
}

fn excluded_out(e: &Excluded) -> ExcludedOut<'_> {
    ExcludedOut {
        service: e.id.clone(),
        reason: &e.reason,
        message: &e.message,
    }
}

/// A priced item: the request as resolved and the engine's answer.
struct Priced {
    item: ItemOut,
    comparison: Comparison,
    /// Set when the destination has sub-zones and none was chosen: prices may differ.
    zone_hint: Option<String>,
}

/// `--to` and `--zone` to the codes the tariffs use. Destinations are taken from the newest
/// tariffs, whatever `--date`, because whether a code exists does not depend on the day.
fn resolve<'a>(
    all: &'a [Destination],
    to: &str,
    zone: Option<&str>,
) -> anyhow::Result<(&'a Destination, Code)> {
    let dest = match Code::parse(to) {
        Some(code) => all.iter().find(|d| d.code == code).ok_or_else(|| {
            anyhow!("--to {to:?}: no destination has this code in the loaded rate files")
        })?,
        None => {
            // A name is accepted when it picks one destination (exact name first).
            let wanted = to.trim();
            let hits = destination::search(all, wanted);
            let exact: Vec<&Destination> = hits
                .iter()
                .copied()
                .filter(|d| d.name_en.eq_ignore_ascii_case(wanted) || d.name_tc == wanted)
                .collect();
            match (exact.as_slice(), hits.as_slice()) {
                ([d], _) | (_, [d]) => *d,
                (_, []) => bail!("--to {to:?}: no destination has this code or name"),
                (_, many) => {
                    let names: Vec<String> = many
                        .iter()
                        .take(8)
                        .map(|d| format!("{} {}", d.code, d.name_en))
                        .collect();
                    bail!(
                        "--to {to:?} matches {} destinations ({}{}); give the code",
                        many.len(),
                        names.join(", "),
                        if many.len() > 8 { ", ..." } else { "" }
                    )
                }
            }
        }
    };
    let zones = || {
        dest.zones
            .iter()
            .map(|z| format!("{} {}", z.zone, z.name_en))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let zone = match zone {
        Some(z) => {
            dest.zone(z)
                .ok_or_else(|| {
                    anyhow!(
                        "--zone {z:?}: {} has no such zone; zones: {}",
                        dest.code,
                        zones()
                    )
                })?
                .zone
        }
        None => match dest.zone(dest.code.as_str()) {
            Some(z) => z.zone,
            None => bail!(
                "--zone is required for {} ({}): one of {}",
                dest.code,
                dest.name_en,
                zones()
            ),
        },
    };
    Ok((dest, zone))
}

fn price(rates: &Sources<'_>, args: &ItemArgs) -> anyhow::Result<Priced> {
    let rates = load::rates(rates)?;
    let set: &RateSet = &rates.set;
    let date = args.date.unwrap_or_else(today_in_hong_kong);
    let all = destination::destinations(&set.latest());
    let (dest, zone) = resolve(&all, &args.to, args.zone.as_deref())?;
    let zone_hint = (args.zone.is_none() && dest.has_sub_zones()).then(|| {
        let others: Vec<String> = dest
            .zones
            .iter()
            .filter(|z| z.zone != zone)
            .map(|z| format!("{} {}", z.zone, z.name_en))
            .collect();
        format!(
            "{} has other zones with their own prices: {}; choose one with --zone.",
            dest.code,
            others.join(", ")
        )
    });
    let request = CompareRequest {
        parcel: Parcel {
            weight_g: args.weight,
            dimensions: args.dims,
        },
        country: dest.code.to_string(),
        zone: Some(zone.to_string()),
        category: args.category,
    };
    let comparison = compare::compare(&set.as_of(date), &request);
    let zone_name = dest
        .zone(zone.as_str())
        .map_or_else(String::new, |z| z.name_en.clone());
    let item = ItemOut {
        country: dest.code.to_string(),
        zone: zone.to_string(),
        destination_name: if zone == dest.code {
            dest.name_en.clone()
        } else {
            zone_name
        },
        weight_g: args.weight,
        dimensions_mm: args.dims.map(|d| [d.length, d.width, d.height]),
        category: category_id(args.category),
        as_of: date,
    };
    Ok(Priced {
        item,
        comparison,
        zone_hint,
    })
}

fn json(value: &impl Serialize) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

fn delivery_text(d: Option<DeliveryWindow>) -> String {
    d.map_or_else(
        || "unknown".to_owned(),
        |d| format!("{}-{} working days ({})", d.min_days, d.max_days, d.rule),
    )
}

/// One line saying what was priced, above every human answer.
/// The headline, the sub-zone hint if any, and a blank line: what every human report opens with.
fn preamble(p: &Priced) -> String {
    let mut out = headline(&p.item);
    if let Some(hint) = &p.zone_hint {
        out.push_str(hint);
        out.push('\n');
    }
    out.push('\n');
    out
}

fn headline(item: &ItemOut) -> String {
    let dims = item
        .dimensions_mm
        .map(|[l, w, h]| format!(", {l}x{w}x{h} mm"))
        .unwrap_or_default();
    format!(
        "{} g{dims} to {} {} (zone {}), {}; tariffs in force on {}\n",
        item.weight_g, item.country, item.destination_name, item.zone, item.category, item.as_of
    )
}

fn options_table(options: &[ServiceOption]) -> String {
    let mut table = Table::new(&[
        ("SERVICE", Align::Left),
        ("NAME", Align::Left),
        ("ESTIMATE", Align::Right),
        ("COUNTER", Align::Right),
        ("TARIFF DATE", Align::Left),
        ("DELIVERY", Align::Left),
    ]);
    let is_imail = |o: &ServiceOption| o.basis == QuoteBasis::ImailItemEstimate;
    // The footnote mark gets its own character position so the amounts stay aligned.
    let any_imail = options.iter().any(is_imail);
    for o in options {
        let mark = match (any_imail, is_imail(o)) {
            (false, _) => "",
            (true, true) => "*",
            (true, false) => " ",
        };
        table.row(vec![
            o.id.clone(),
            o.name_en.clone(),
            format!("{}{mark}", hkd(o.estimate)),
            hkd(o.counter),
            o.tariff_date.date().to_string(),
            delivery_text(o.delivery),
        ]);
    }
    let mut out = table.render();
    out.push_str(
        "\nCOUNTER: what the counter charges if this item is paid alone \
         (the total is rounded down to HK$0.10, R-011).\n",
    );
    if any_imail {
        out.push_str(
            "*: iMail per-item draft estimate; the charge is on the bag weight (R-152).\n",
        );
    }
    out
}

fn excluded_table(excluded: &[Excluded]) -> String {
    let mut table = Table::new(&[("SERVICE", Align::Left), ("WHY NOT", Align::Left)]);
    for e in excluded {
        table.row(vec![e.id.clone(), e.message.clone()]);
    }
    table.render()
}

fn status_of(c: &Comparison) -> Status {
    if c.options.is_empty() {
        Status::Problems
    } else {
        Status::Ok
    }
}

pub fn compare(rates: &Sources<'_>, args: &ItemArgs, as_json: bool) -> anyhow::Result<Output> {
    let p = price(rates, args)?;
    let status = status_of(&p.comparison);
    if as_json {
        let c = &p.comparison;
        return Ok(Output::new(
            json(&CompareOut {
                item: p.item,
                options: c.options.iter().map(option_out).collect(),
                excluded: c.excluded.iter().map(excluded_out).collect(),
            })?,
            status,
        ));
    }
    let mut out = preamble(&p);
    if p.comparison.options.is_empty() {
        out.push_str("No service can carry this item.\n");
    } else {
        out.push_str(&options_table(&p.comparison.options));
    }
    if !p.comparison.excluded.is_empty() {
        out.push_str(&format!(
            "\nNot available ({}):\n",
            p.comparison.excluded.len()
        ));
        out.push_str(&excluded_table(&p.comparison.excluded));
    }
    Ok(Output::new(out, status))
}

pub fn quote(rates: &Sources<'_>, args: &QuoteArgs, as_json: bool) -> anyhow::Result<Output> {
    let Some(service) = args.service else {
        return quote_all(rates, &args.item, as_json);
    };
    let p = price(rates, &args.item)?;
    let option = p.comparison.options.iter().find(|o| o.service == service);
    let excluded = p.comparison.excluded.iter().find(|e| e.service == service);
    let status = if option.is_some() {
        Status::Ok
    } else {
        Status::Problems
    };
    if as_json {
        return Ok(Output::new(
            json(&QuoteOut {
                item: p.item,
                service: service.id(),
                quote: option.map(option_out),
                excluded: excluded.map(excluded_out),
            })?,
            status,
        ));
    }
    let mut out = preamble(&p);
    match (option, excluded) {
        (Some(o), _) => out.push_str(&single_quote(o, p.item.as_of)),
        (None, Some(e)) => {
            out.push_str(&format!("{} cannot carry this item: {}\n", e.id, e.message));
        }
        // `compare` puts every service in one list or the other; kept total regardless.
        (None, None) => out.push_str(&format!("{} gave no answer.\n", service.id())),
    }
    Ok(Output::new(out, status))
}

fn single_quote(o: &ServiceOption, as_of: NaiveDate) -> String {
    let mut lines = vec![
        ("service", format!("{} ({})", o.name_en, o.id)),
        ("estimate", format!("{}  tariff price", hkd(o.estimate))),
        (
            "counter",
            format!(
                "{}  if paid alone: the total is rounded down to HK$0.10 (R-011)",
                hkd(o.counter)
            ),
        ),
        (
            "tariff",
            format!("lastUpdateDate {}, in force on {as_of}", o.tariff_date),
        ),
        ("delivery", delivery_text(o.delivery)),
    ];
    if o.basis == QuoteBasis::ImailItemEstimate {
        lines.push((
            "note",
            "iMail per-item draft estimate; the charge is on the bag weight (R-152)".into(),
        ));
    }
    lines
        .into_iter()
        .map(|(k, v)| format!("{k:<9} {v}\n"))
        .collect()
}

/// `quote` without `--service`: the available services only; `compare` has the exclusions.
fn quote_all(rates: &Sources<'_>, args: &ItemArgs, as_json: bool) -> anyhow::Result<Output> {
    if as_json {
        // Scripts get the full answer: the same document as `compare --json`.
        return compare(rates, args, true);
    }
    let p = price(rates, args)?;
    let mut out = preamble(&p);
    if p.comparison.options.is_empty() {
        out.push_str("No service can carry this item.\n");
    } else {
        out.push_str(&options_table(&p.comparison.options));
    }
    let n = p.comparison.excluded.len();
    if n > 0 {
        out.push_str(&format!(
            "{n} services not available; `satchel compare` with the same arguments shows why.\n"
        ));
    }
    Ok(Output::new(out, status_of(&p.comparison)))
}
