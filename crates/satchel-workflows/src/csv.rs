//! CSV import (preview, then a run with progress events) and the address-book export.
//!
//! The import checks shipment rows with [`shipments::assess`], the same check the editor
//! and `save_shipment` use, so an imported draft carries the same problems and quote as one
//! typed by hand. The app runs it on a blocking thread: the store works in one transaction
//! and the window must keep receiving progress events meanwhile.

use chrono::NaiveDate;
use satchel_core::model::Shipment;
use satchel_core::rates::RateSet;
use satchel_core::validate::RulesConfig;
use satchel_ipc::{
    CommandError, DuplicatePolicy, ExportFile, ImportPreview, ImportReport, ImportTable,
    PreviewImportRequest, PreviewRow, RunImportRequest,
};
use satchel_store::csv_io::{self, Mapping, Table};
use satchel_store::{Assessment, Store};

use crate::convert::{date, stored_problem};
use crate::shipments;
use crate::store::store_error;
use crate::Engine;

/// Rows checked and shown in the preview: enough to see that the mapping is right.
const PREVIEW_ROWS: usize = 20;

fn table(t: ImportTable) -> Table {
    match t {
        ImportTable::Contacts => Table::Contacts,
        ImportTable::Shipments => Table::Shipments,
    }
}

fn policy(p: DuplicatePolicy) -> csv_io::DuplicatePolicy {
    match p {
        DuplicatePolicy::Review => csv_io::DuplicatePolicy::Review,
        DuplicatePolicy::KeepExisting => csv_io::DuplicatePolicy::KeepExisting,
        DuplicatePolicy::Overwrite => csv_io::DuplicatePolicy::Overwrite,
    }
}

pub fn preview(
    store: &Store,
    engine: &Engine,
    r: &PreviewImportRequest,
    today: NaiveDate,
) -> Result<ImportPreview, CommandError> {
    if r.table == ImportTable::Shipments || r.workbook.is_some() {
        if let Some(read) = shop_file(&r.text, r.workbook.as_deref(), engine)? {
            let prepared =
                crate::orders::prepare(store, engine, read, today).map_err(store_error)?;
            return Ok(ImportPreview {
                headers: Vec::new(),
                mapping: Vec::new(),
                fields: Vec::new(),
                total_rows: (prepared.drafts.len() + prepared.unusable.len()) as u32,
                rows_with_errors: prepared.with_problems() as u32,
                rows: Vec::new(),
                shop: Some(crate::orders::file_dto(&prepared)),
            });
        }
    }
    let assess = |s: &Shipment| -> Assessment { shipments::assess(engine, s, today) };
    let t = table(r.table);
    let p = store
        .preview_import(
            t,
            &r.text,
            r.mapping.clone().map(Mapping),
            PREVIEW_ROWS,
            Some(&assess),
        )
        .map_err(store_error)?;
    Ok(ImportPreview {
        headers: p.headers,
        mapping: p.mapping.0,
        fields: t.fields().iter().map(|f| f.key.to_owned()).collect(),
        total_rows: p.total_rows as u32,
        rows_with_errors: p.rows_with_errors as u32,
        rows: p
            .rows
            .into_iter()
            .map(|row| PreviewRow {
                line: row.line as u32,
                values: row.values,
                problems: row.problems.iter().map(stored_problem).collect(),
                duplicate_of: row.duplicate_of,
            })
            .collect(),
        shop: None,
    })
}

/// A CSV file to import, as read and as the merchant chose to treat it.
#[derive(Debug, Clone, Copy)]
pub struct ImportFile<'a> {
    pub table: Table,
    pub text: &'a str,
    /// Column → field; `None` recognises the headers (English or Chinese).
    pub mapping: Option<&'a Mapping>,
    pub duplicates: csv_io::DuplicatePolicy,
}

/// One import, as both front ends run it: every shipment row checked with the same recipe as
/// the editor, the whole file in one transaction, `progress(done, total)` as rows go in.
pub fn import(
    store: &mut Store,
    rates: &RateSet,
    file: ImportFile<'_>,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<csv_io::ImportReport, satchel_store::Error> {
    let cfg = RulesConfig::default();
    let assess =
        |s: &Shipment| -> Assessment { satchel_store::assess::assess(s, rates, &cfg, today) };
    store.import(
        file.table,
        file.text,
        file.mapping.cloned(),
        file.duplicates,
        Some(&assess),
        progress,
    )
}

pub fn run(
    store: &mut Store,
    engine: &Engine,
    r: &RunImportRequest,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, CommandError> {
    if r.table == ImportTable::Shipments || r.workbook.is_some() {
        if let Some(read) = shop_file(&r.text, r.workbook.as_deref(), engine)? {
            let prepared =
                crate::orders::prepare(store, engine, read, today).map_err(store_error)?;
            let report = crate::orders::import(store, &prepared, policy(r.policy), progress)
                .map_err(store_error)?;
            return Ok(ImportReport {
                total_rows: (prepared.drafts.len() + prepared.unusable.len()) as u32,
                imported: report.imported as u32,
                updated: report.updated as u32,
                kept_existing: report.kept_existing as u32,
                duplicates: report.duplicates.len() as u32,
                rejected: prepared.unusable.len() as u32,
                report_csv: String::new(),
                unchanged: report.unchanged as u32,
                shop: Some(crate::orders::file_dto(&prepared)),
            });
        }
    }
    let mapping = r.mapping.clone().map(Mapping);
    let file = ImportFile {
        table: table(r.table),
        text: &r.text,
        mapping: mapping.as_ref(),
        duplicates: policy(r.policy),
    };
    let report = import(store, &engine.rates, file, today, progress).map_err(store_error)?;
    Ok(ImportReport {
        total_rows: report.total_rows as u32,
        imported: report.imported as u32,
        updated: report.updated as u32,
        kept_existing: report.kept_existing as u32,
        duplicates: report.duplicates.len() as u32,
        rejected: report.rejected as u32,
        report_csv: report.report_csv,
        unchanged: 0,
        shop: None,
    })
}

/// The orders of a shop export sent as text or as an Excel workbook (base64); `None` for a
/// CSV file that is not one. A workbook that is not a shop export is refused: only those are
/// read from Excel.
fn shop_file(
    text: &str,
    workbook: Option<&str>,
    engine: &Engine,
) -> Result<Option<satchel_core::shop::ShopOrders>, CommandError> {
    let Some(b64) = workbook else {
        return crate::orders::read(text, engine).map_err(store_error);
    };
    let unreadable =
        |detail: String| CommandError::new("file", satchel_ipc::Refused::CsvUnreadable { detail });
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| unreadable("the workbook did not arrive whole".into()))?;
    match crate::orders::read_workbook(&bytes, engine) {
        Ok(Some(orders)) => Ok(Some(orders)),
        Ok(None) => Err(unreadable(
            "an Excel workbook is read only when it is a shop's order export; save other \
             files as CSV"
                .into(),
        )),
        Err(e) => Err(store_error(e)),
    }
}

pub fn export_contacts_file(store: &Store, today: NaiveDate) -> Result<ExportFile, CommandError> {
    Ok(ExportFile {
        file_name: format!("satchel-contacts-{}.csv", date(today)),
        text: store.export_contacts().map_err(store_error)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::{self, tests::temp_store};
    use satchel_ipc::ContactSearchRequest;

    const FILE: &str = "姓名,地址,城市,國家,電話\n\
                        陳小明 Chan Siu Ming,1-2-3 Ginza 銀座,Tokyo,JP,+81 3 1234 5678\n\
                        ,No name Street,Paris,FR,\n\
                        Jane Roe,1 Main St,Sydney,AU,\n";

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn preview_guesses_chinese_headers_and_flags_the_bad_row() {
        let (_dir, store) = temp_store();
        let engine = Engine::load();
        let p = preview(
            &store,
            &engine,
            &PreviewImportRequest {
                table: ImportTable::Contacts,
                text: FILE.into(),
                mapping: None,
                workbook: None,
            },
            day(),
        )
        .unwrap();
        assert_eq!(
            p.mapping,
            [
                Some("name".to_owned()),
                Some("line1".to_owned()),
                Some("city".to_owned()),
                Some("country".to_owned()),
                Some("phone".to_owned())
            ]
        );
        assert!(p.fields.iter().any(|f| f == "tags"));
        assert_eq!((p.total_rows, p.rows_with_errors), (3, 1));
        assert!(p.rows[1].problems.iter().any(|x| x.rule == "S-001"));
    }

    #[test]
    fn run_imports_good_rows_reports_the_rest_and_counts_progress() {
        let (_dir, mut store) = temp_store();
        let engine = Engine::load();
        let request = RunImportRequest {
            table: ImportTable::Contacts,
            text: FILE.into(),
            mapping: None,
            policy: DuplicatePolicy::Review,
            workbook: None,
        };
        let mut seen = Vec::new();
        let report = run(&mut store, &engine, &request, day(), &mut |d, t| {
            seen.push((d, t))
        })
        .unwrap();
        assert_eq!((report.imported, report.rejected), (2, 1));
        assert!(report.report_csv.contains("No name Street"));
        assert_eq!(seen.last(), Some(&(3, 3)));
        let hits = contacts::search(
            &store,
            &ContactSearchRequest {
                text: "Ginza".into(),
                ..ContactSearchRequest::default()
            },
        )
        .unwrap();
        assert_eq!(hits.len(), 1);

        // The same file again: both good rows are duplicates, held for review.
        let again = run(&mut store, &engine, &request, day(), &mut |_, _| {}).unwrap();
        assert_eq!((again.imported, again.duplicates), (0, 2));

        let out = export_contacts_file(&store, day()).unwrap();
        assert_eq!(out.file_name, "satchel-contacts-2026-11-23.csv");
        assert!(out.text.contains("Jane Roe"));
    }
}
