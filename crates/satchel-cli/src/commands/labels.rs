//! `satchel labels …`: stored shipments → a file of labels, PDF or ZPL.
//!
//! Merchants print a day's labels in one go from a script or a cron job, and thermal-printer
//! users need ZPL they can send without the app. This module only chooses the shipments and
//! the file: what a label says is `satchel_labels::layout`'s job (including the DRAFT mark for
//! a shipment without an item number) and placing labels on sheets is `satchel_labels::pages`',
//! so the CLI prints exactly what the app prints.
//!
//! Exit 1 when a requested shipment is not in the database (it is named), when nothing
//! matched, or when the font could not draw some characters (the file is still written, and
//! the characters are listed). Exit 2 on usage errors (a start position the sheet does not
//! have, --dpi without ZPL) and when no CJK font is installed.

use std::path::Path;

use anyhow::{bail, Context};
use satchel_labels::pdf::{self, Font};
use satchel_labels::zpl::{self, Dpi};
use satchel_labels::Format;
use satchel_store::{ShipmentFilter, ShipmentRecord, Store};
use satchel_workflows::labels::{label_list, on_sheets};
use serde_json::json;

use crate::args::{DpiArg, LabelFormat, LabelsArgs, PostingArgs};
use crate::{today_in_hong_kong, Output, Status};
use satchel_ipc::wording::{refusal, Lang};
use satchel_ipc::PostingRequest;

/// The label format a command-line format lays out, and whether it is drawn as ZPL.
pub fn format(f: LabelFormat) -> (Format, bool) {
    match f {
        LabelFormat::ImailA4 => (Format::ImailA4, false),
        LabelFormat::Speedpost => (Format::Speedpost, false),
        LabelFormat::Registered => (Format::Registered, false),
        LabelFormat::Parcel => (Format::Parcel, false),
        LabelFormat::Thermal4x6Pdf => (Format::Thermal4x6, false),
        LabelFormat::Zpl => (Format::Thermal4x6, true),
    }
}

/// The shipments asked for, in the order asked, and the ids or references not found.
/// A key is tried as an id first, then as an order reference (the oldest live shipment with
/// it, as the store itself resolves references).
pub(crate) fn by_keys(
    db: &Store,
    keys: &[String],
) -> anyhow::Result<(Vec<ShipmentRecord>, Vec<String>)> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    // Listed once, and only if some key is not an id.
    let mut all: Option<Vec<ShipmentRecord>> = None;
    for key in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        if let Some(r) = db.shipment(key)? {
            found.push(r);
            continue;
        }
        if all.is_none() {
            all = Some(db.list_shipments(&ShipmentFilter::default())?);
        }
        let by_ref = all
            .iter()
            .flatten()
            .filter(|r| r.draft.shipment.reference.trim() == key)
            .min_by_key(|r| r.created_ms);
        match by_ref {
            Some(r) => found.push(r.clone()),
            None => missing.push(key.to_owned()),
        }
    }
    Ok((found, missing))
}

/// Every shipment in the states, oldest first (the order they were entered in).
fn by_state(db: &Store, a: &LabelsArgs) -> anyhow::Result<Vec<ShipmentRecord>> {
    let mut list = db.list_shipments(&ShipmentFilter {
        states: a.state.clone(),
        utc_offset_secs: 8 * 3600,
        ..ShipmentFilter::default()
    })?;
    list.reverse();
    Ok(list)
}

fn fail(json: bool, message: String, value: serde_json::Value) -> Output {
    let text = if json {
        format!("{value}\n")
    } else {
        format!("{message}\n")
    };
    Output::new(text, Status::Problems)
}

pub fn run(db: &Store, a: &LabelsArgs, json: bool) -> anyhow::Result<Output> {
    let (fmt, is_zpl) = format(a.format);
    if a.dpi.is_some() && !is_zpl {
        bail!("--dpi is for --format zpl; a PDF has no printer resolution");
    }
    let start = usize::from(a.start.unwrap_or(1));
    let (per_sheet, _) = fmt.sheet();
    if start > per_sheet {
        bail!(
            "--start {start}: a {} sheet holds positions 1 to {per_sheet}",
            a.format_name()
        );
    }

    let records = if a.shipments.is_empty() {
        by_state(db, a)?
    } else {
        let (found, missing) = by_keys(db, &a.shipments)?;
        if !missing.is_empty() {
            return Ok(fail(
                json,
                format!("not found: {}", missing.join(", ")),
                json!({ "not_found": missing }),
            ));
        }
        found
    };
    if records.is_empty() {
        let states: Vec<&str> = a.state.iter().map(|s| s.id()).collect();
        return Ok(fail(
            json,
            format!("no shipments in state {}", states.join(" or ")),
            json!({ "labels": 0 }),
        ));
    }

    let today = today_in_hong_kong();
    // A shipment EC-Ship numbered goes to the counter with EC-Ship's own label, never with
    // Satchel's drawing: its stored PDF is written unchanged next to the output.
    let (operator, records): (Vec<_>, Vec<_>) = records
        .into_iter()
        .partition(satchel_workflows::operator_label::is_operator_label);
    let operator_files = write_operator_labels(db, &operator, &a.out)?;
    if records.is_empty() {
        let files: Vec<String> = operator_files
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        let text = format!(
            "{} EC-Ship label(s), unchanged: {}\n",
            files.len(),
            files.join(", ")
        );
        let v = json!({ "labels": 0, "operator_labels": files });
        return Ok(Output::new(
            if json { format!("{v}\n") } else { text },
            Status::Ok,
        ));
    }
    // iMail address labels carry the permit impression: never without a permit
    // number that is one, as the app's print run refuses too.
    let permit = a.permit.as_deref().unwrap_or_default();
    if records
        .iter()
        .any(|r| r.draft.shipment.service == satchel_core::service::Service::Imail)
        && !satchel_core::validate::is_permit_number(permit)
    {
        let e = satchel_ipc::CommandError::new("permit_no", satchel_ipc::Refused::PermitMissing);
        bail!("--permit: {}", refusal(&e, Lang::En));
    }
    // The layout step is the app's own (satchel_workflows::labels), so both print alike.
    let labels = label_list(&records, fmt, a.permit.as_deref(), today);
    let drafts: Vec<String> = records
        .iter()
        .zip(&labels)
        .filter(|(_, l)| l.item_number.is_none())
        .map(|(r, _)| name(r))
        .collect();
    let count = labels.len();

    let (bytes, sheets, missing_glyphs) = if is_zpl {
        let dpi = match a.dpi.unwrap_or(DpiArg::D203) {
            DpiArg::D203 => Dpi::D203,
            DpiArg::D300 => Dpi::D300,
        };
        let mut out = String::new();
        for (label, r) in labels.iter().zip(&records) {
            let z = zpl::render(label, dpi)
                .with_context(|| format!("shipment {}: cannot write ZPL", name(r)))?;
            out.push_str(&z);
        }
        (out.into_bytes(), count, Vec::new())
    } else {
        let font = Font::system_cjk().context(
            "no CJK font found for the labels: install the package fonts-noto-cjk \
             (apt-get install fonts-noto-cjk)",
        )?;
        let bold = Font::system_cjk_bold();
        // The labels already laid out above go on sheets, as the app's print run puts them.
        let pages = on_sheets(labels, fmt, start)
            .map_err(|e| anyhow::anyhow!("--start: {}", refusal(&e, Lang::En)))?;
        let doc = pdf::render(&pages, &font, bold.as_ref()).context("cannot draw the labels")?;
        (
            doc.bytes,
            pages.len(),
            doc.missing_glyphs.into_iter().collect::<Vec<char>>(),
        )
    };
    write(&a.out, &bytes)?;

    let status = if missing_glyphs.is_empty() {
        Status::Ok
    } else {
        Status::Problems
    };
    if json {
        let v = json!({
            "out": a.out.display().to_string(),
            "format": a.format_name(),
            "labels": count,
            "pages": if is_zpl { serde_json::Value::Null } else { sheets.into() },
            "drafts": drafts,
            "operator_labels": operator_files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
            "missing_glyphs": missing_glyphs.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        });
        return Ok(Output::new(format!("{v}\n"), status));
    }
    let mut text = if is_zpl {
        format!("{count} label(s) as ZPL: {}\n", a.out.display())
    } else {
        format!(
            "{count} label(s) on {sheets} page(s): {}\n",
            a.out.display()
        )
    };
    if !drafts.is_empty() {
        text.push_str(&format!(
            "DRAFT (no item number yet): {}\n",
            drafts.join(", ")
        ));
    }
    for f in &operator_files {
        text.push_str(&format!(
            "EC-Ship's own label, unchanged: {}\n",
            f.display()
        ));
    }
    if !missing_glyphs.is_empty() {
        let chars: String = missing_glyphs.iter().collect();
        text.push_str(&format!(
            "the font has no glyph for {chars:?}: those characters print as empty boxes\n"
        ));
    }
    Ok(Output::new(text, status))
}

/// Writes each EC-Ship label as stored, to `<out stem>-<item number>.pdf` beside `out`.
/// A label not downloaded yet is an error naming the item: printing Satchel's drawing in its
/// place would put a label EC-Ship did not make on the parcel.
fn write_operator_labels(
    db: &Store,
    records: &[ShipmentRecord],
    out: &Path,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "labels".into());
    let mut files = Vec::with_capacity(records.len());
    for r in records {
        let item = r
            .draft
            .shipment
            .item_number
            .as_ref()
            .map(|i| i.as_str().to_owned())
            .unwrap_or_default();
        let Some(pdf) = db.address_pack(&r.id)? else {
            bail!(
                "{}: EC-Ship's label for {item} has not been downloaded yet; print it from the \
                 app while online, which downloads it first",
                name(r)
            );
        };
        let file = out.with_file_name(format!("{stem}-{item}.pdf"));
        write(&file, &pdf)?;
        files.push(file);
    }
    Ok(files)
}

/// How a shipment is named in messages: its reference, else its id.
fn name(r: &ShipmentRecord) -> String {
    let reference = r.draft.shipment.reference.trim();
    if reference.is_empty() {
        r.id.clone()
    } else {
        reference.to_owned()
    }
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// `satchel posting`: an iMail posting's statement, bag labels or certificate of posting as
/// a PDF, assembled exactly as the app's posting panel assembles it (bags, sender, rates as
/// of the date of posting: `satchel_workflows::posting`).
pub fn posting(
    db: &Store,
    db_path: Option<&Path>,
    a: &PostingArgs,
    rates: &crate::load::Sources<'_>,
    json: bool,
) -> anyhow::Result<Output> {
    let (records, missing) = by_keys(db, &a.shipments)?;
    if !missing.is_empty() {
        return Ok(fail(
            json,
            format!("not found: {}", missing.join(", ")),
            json!({ "not_found": missing }),
        ));
    }
    if a.doc.doc().from_ecship() {
        let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        let path = crate::commands::store::db_path(db_path)?;
        return crate::commands::ecship::certificate(&path, &ids, &a.out, json);
    }
    let request = PostingRequest {
        shipment_ids: records.iter().map(|r| r.id.clone()).collect(),
        doc: a.doc.doc(),
        permit_no: a.permit.clone(),
        date: a.date.map(|d| d.to_string()).unwrap_or_default(),
    };
    let rates = crate::load::rates(rates)?;
    let built = satchel_workflows::posting::build(db, &request, today_in_hong_kong())
        .map_err(|e| anyhow::anyhow!("{}: {}", e.field, refusal(&e, Lang::En)))?;
    // The posting rules, as the app's posting screen runs them.
    let problems = satchel_workflows::posting::problems(&built);
    if problems.iter().any(|p| p.error) {
        let text = problems
            .iter()
            .map(|p| format!("{} ({}): {}", p.field, p.rule, p.message_en))
            .collect::<Vec<_>>()
            .join("\n");
        return Ok(fail(json, text, json!({ "problems": problems })));
    }
    let doc = satchel_workflows::posting::document(&built, request.doc, &rates.set)
        .map_err(|e| anyhow::anyhow!("{}: {}", e.field, refusal(&e, Lang::En)))?;
    let font = Font::system_cjk()
        .context("no CJK font found for the documents: install the package fonts-noto-cjk")?;
    let pages = doc.to_pages();
    let pdf = pdf::render(&pages, &font, None).context("cannot draw the document")?;
    write(&a.out, &pdf.bytes)?;
    let items = built.posting.items.len();
    let bags = built.posting.bags.len();
    if json {
        let v = json!({
            "out": a.out.display().to_string(), "doc": request.doc, "items": items,
            "bags": bags, "pages": pages.len(), "date": built.date.to_string(),
        });
        return Ok(Output::new(format!("{v}\n"), Status::Ok));
    }
    Ok(Output::new(
        format!(
            "{} of {items} item(s) in {bags} bag(s), posted {}: {} page(s) in {}\n",
            request.doc.id(),
            built.date,
            pages.len(),
            a.out.display()
        ),
        Status::Ok,
    ))
}

impl LabelsArgs {
    /// The format as it was typed.
    fn format_name(&self) -> String {
        use clap::ValueEnum;
        self.format
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zpl_and_4x6_pdf_are_the_same_label() {
        assert_eq!(format(LabelFormat::Zpl), (Format::Thermal4x6, true));
        assert_eq!(
            format(LabelFormat::Thermal4x6Pdf),
            (Format::Thermal4x6, false)
        );
        assert_eq!(format(LabelFormat::ImailA4), (Format::ImailA4, false));
    }
}
