//! `satchel shipments import` of a shop's order export, and `satchel catalogue …` (issue #14).
//!
//! A file whose header row is a known shop export (Shopify, WooCommerce, Etsy, eBay,
//! SHOPLINE) is read as orders, with no column mapping, by the same workflow as the app's
//! import wizard; any other CSV goes to the column-mapping import as before. Exit code 1 when
//! some orders could not be imported or wait for review, or when catalogue rows were refused.

use std::path::Path;

use anyhow::Context;
use satchel_store::Store;
use satchel_workflows::orders::{self, CatalogueReport, Prepared};
use satchel_workflows::Engine;
use serde_json::json;

use crate::args::{DefaultsArgs, ImportArgs};
use crate::{load, today_in_hong_kong, Output, Status};

/// Imports `text` as a shop export when it is one; `Ok(None)` sends it to the CSV import.
pub fn import(
    db: &mut Store,
    engine: &Engine,
    text: &str,
    a: &ImportArgs,
    json: bool,
) -> anyhow::Result<Option<Output>> {
    let Some(read) = orders::read(text, engine)? else {
        return Ok(None);
    };
    import_read(db, engine, read, a, json).map(Some)
}

/// Imports an Excel workbook, which must be a shop's order export.
pub fn import_workbook(
    db: &mut Store,
    engine: &Engine,
    bytes: &[u8],
    a: &ImportArgs,
    json: bool,
) -> anyhow::Result<Output> {
    let read = orders::read_workbook(bytes, engine)?.ok_or_else(|| {
        anyhow::anyhow!(
            "{}: an Excel workbook is read only when it is a shop's order export; save other \
             files as CSV",
            a.file.display()
        )
    })?;
    import_read(db, engine, read, a, json)
}

fn import_read(
    db: &mut Store,
    engine: &Engine,
    read: satchel_core::shop::ShopOrders,
    a: &ImportArgs,
    json: bool,
) -> anyhow::Result<Output> {
    let today = today_in_hong_kong();
    let prepared = orders::prepare(db, engine, read, today)?;
    let report = orders::import(
        db,
        &prepared,
        super::store::policy(a.duplicates),
        &mut |_, _| {},
    )
    .with_context(|| format!("cannot import {}", a.file.display()))?;
    let held = !prepared.unusable.is_empty() || !report.duplicates.is_empty();
    let status = if held { Status::Problems } else { Status::Ok };
    if json {
        let v = json!({
            "platform": prepared.platform.id(),
            "orders": prepared.drafts.len() + prepared.unusable.len(),
            "line_items": prepared.line_items,
            "imported": report.imported, "updated": report.updated,
            "unchanged": report.unchanged, "kept_existing": report.kept_existing,
            "duplicates": report.duplicates.len(),
            "complete": prepared.complete, "with_problems": prepared.with_problems(),
            "skipped": prepared.skipped.iter()
                .map(|(r, n)| (r.words().to_owned(), json!(n)))
                .collect::<serde_json::Map<_, _>>(),
            "unusable": prepared.unusable.iter()
                .map(|u| json!({"line": u.line, "order": u.reference, "reason": u.reason}))
                .collect::<Vec<_>>(),
            "unknown_skus": prepared.unknown_skus.iter()
                .map(|u| json!({"sku": u.sku, "title": u.title, "orders": u.orders}))
                .collect::<Vec<_>>(),
        });
        return Ok(Output::new(format!("{v}\n"), status));
    }
    let mut t = summary(&prepared);
    t.push_str(&format!(
        "  {} imported, {} updated, {} unchanged, {} kept as they were, {} held for review\n",
        report.imported,
        report.updated,
        report.unchanged,
        report.kept_existing,
        report.duplicates.len()
    ));
    Ok(Output::new(t, status))
}

/// What the file held, as the wizard shows it.
fn summary(p: &Prepared) -> String {
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut t = format!(
        "{}: {}, {}\n  {} complete, {} with problems (shown in the list and the editor)\n",
        p.platform.name(),
        count(p.drafts.len() + p.unusable.len(), "order", "orders"),
        count(p.line_items, "line item", "line items"),
        count(p.complete, "draft", "drafts"),
        p.with_problems()
    );
    if !p.skipped.is_empty() {
        let parts: Vec<String> = p
            .skipped
            .iter()
            .map(|(r, n)| format!("{n} {}", r.words()))
            .collect();
        t.push_str(&format!("  lines skipped: {}\n", parts.join(", ")));
    }
    for u in &p.unusable {
        t.push_str(&format!(
            "  not imported: line {} order {}: {}\n",
            u.line, u.reference, u.reason
        ));
    }
    if !p.unknown_skus.is_empty() {
        t.push_str(
            "  SKUs not in the catalogue (add them with `satchel catalogue import FILE`; the \
             drafts are completed when you do):\n",
        );
        for u in &p.unknown_skus {
            t.push_str(&format!(
                "    {} \"{}\" in {} order(s)\n",
                u.sku, u.title, u.orders
            ));
        }
    }
    t
}

/// `satchel catalogue import FILE`: every row checked with the content-line rules.
pub fn catalogue_import(
    db: &mut Store,
    engine: &Engine,
    file: &Path,
    json: bool,
) -> anyhow::Result<Output> {
    let text = load::read_text(file)?;
    let rows = satchel_store::catalogue::read_products(&text)?;
    let items = rows
        .into_iter()
        .map(|(line, p)| (format!("line {line}"), p))
        .collect();
    let report = orders::add_products(db, engine, items, today_in_hong_kong())?;
    Ok(catalogue_output(&report, json))
}

fn catalogue_output(r: &CatalogueReport, json: bool) -> Output {
    let status = if r.refused.is_empty() {
        Status::Ok
    } else {
        Status::Problems
    };
    if json {
        let v = json!({
            "saved": r.saved, "drafts_completed": r.drafts_completed,
            "refused": r.refused.iter().map(|(at, why)| json!({"at": at, "problems": why}))
                .collect::<Vec<_>>(),
        });
        return Output::new(format!("{v}\n"), status);
    }
    let mut t = format!(
        "{} product(s) saved; {} draft(s) completed with them\n",
        r.saved, r.drafts_completed
    );
    for (at, why) in &r.refused {
        t.push_str(&format!("refused {at}: {why}\n"));
    }
    Output::new(t, status)
}

/// `satchel catalogue list`.
pub fn catalogue_list(db: &Store, json: bool) -> anyhow::Result<Output> {
    let products = db.products()?;
    if json {
        return Ok(Output::new(
            format!("{}\n", serde_json::to_string(&products)?),
            Status::Ok,
        ));
    }
    let mut t = String::new();
    for p in &products {
        t.push_str(&format!(
            "{}  {}  HS {}  {}  {} g  {} {}\n",
            p.sku, p.description_en, p.hs_code, p.origin, p.unit_weight_g, p.unit_value, p.currency
        ));
    }
    if products.is_empty() {
        t.push_str("the catalogue is empty: `satchel catalogue import FILE` adds products\n");
    }
    Ok(Output::new(t, Status::Ok))
}

/// `satchel catalogue defaults`: shows the shipping defaults, changing what the flags say.
pub fn defaults(db: &mut Store, a: &DefaultsArgs, json: bool) -> anyhow::Result<Output> {
    let mut d = orders::defaults_dto(&db.shipping_defaults()?);
    let ids = |s: &str| -> Vec<String> {
        s.split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect()
    };
    if let Some(g) = a.packaging_g {
        d.packaging_g = g;
    }
    if a.cheapest {
        d.prefer.clear();
    }
    if let Some(p) = &a.prefer {
        d.prefer = ids(p);
    }
    for rule in &a.prefer_for {
        let (country, services) = rule
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--prefer-for {rule:?}: write it as CC=IDS"))?;
        let country = country.trim().to_ascii_uppercase();
        d.prefer_by_destination.retain(|p| p.country != country);
        if !services.trim().is_empty() {
            d.prefer_by_destination
                .push(satchel_ipc::DestinationPreferenceDto {
                    country,
                    services: ids(services),
                });
        }
    }
    if let Some(b) = &a.box_size {
        d.boxes = if b.trim() == "none" {
            Vec::new()
        } else {
            vec![parse_box(b)?]
        };
    }
    let changed = a.packaging_g.is_some()
        || a.cheapest
        || a.prefer.is_some()
        || !a.prefer_for.is_empty()
        || a.box_size.is_some();
    let defaults = orders::defaults_from_dto(&d).map_err(|e| {
        anyhow::anyhow!(
            "{}",
            satchel_ipc::wording::refusal(&e, satchel_ipc::wording::Lang::En)
        )
    })?;
    if changed {
        db.set_shipping_defaults(&defaults)?;
    }
    let d = orders::defaults_dto(&defaults);
    if json {
        return Ok(Output::new(
            format!("{}\n", serde_json::to_string(&d)?),
            Status::Ok,
        ));
    }
    let mut t = format!("packaging: {} g\n", d.packaging_g);
    t.push_str(&format!(
        "services: {}\n",
        if d.prefer.is_empty() {
            "the cheapest that can carry the item".to_owned()
        } else {
            d.prefer.join(", ")
        }
    ));
    for p in &d.prefer_by_destination {
        t.push_str(&format!("  to {}: {}\n", p.country, p.services.join(", ")));
    }
    match d.boxes.first() {
        Some(b) => t.push_str(&format!(
            "box: {} {}x{}x{} mm, {} g\n",
            b.name, b.length_mm, b.width_mm, b.height_mm, b.weight_g
        )),
        None => t.push_str("box: none (packaging weight only)\n"),
    }
    Ok(Output::new(t, Status::Ok))
}

fn parse_box(s: &str) -> anyhow::Result<satchel_ipc::BoxDto> {
    let bad =
        || anyhow::anyhow!("--box {s:?}: write it as NAME:LxWxH:GRAMS, e.g. small:250x180x60:90");
    let mut parts = s.split(':');
    let (Some(name), Some(size), Some(grams), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let dims: Vec<u32> = size
        .split(['x', 'X', '×'])
        .map(|d| d.trim().parse().map_err(|_| bad()))
        .collect::<anyhow::Result<_>>()?;
    let [length_mm, width_mm, height_mm] = dims[..] else {
        return Err(bad());
    };
    Ok(satchel_ipc::BoxDto {
        name: name.trim().to_owned(),
        length_mm,
        width_mm,
        height_mm,
        weight_g: grams.trim().parse().map_err(|_| bad())?,
    })
}
