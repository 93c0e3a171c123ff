//! Labels: the printers the spooler knows, a preview of the first page, and a print run that
//! renders the PDF, sends it, waits for the job and moves printed shipments along.
//!
//! The layout and both renderers live in `satchel-labels`, the spooler in `satchel-print`;
//! this module only joins them to the store. A shipment without an item number prints as a
//! DRAFT (the layout's rule), and only a run where every label carried an item number and the
//! job completed marks shipments printed.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::NaiveDate;
use satchel_ipc::{
    event, CommandError, LabelPreview, LabelRequest, NoRequest, PrintJobState, PrintLabelsRequest,
    PrintProgress, PrintResult, PrintStage, PrinterDto, PrinterStateDto,
};
use satchel_labels::pdf::Font;
use satchel_labels::{layout, pages, Format, Label, LabelInput, Page};
use satchel_print::{JobId, JobState, PrintError, PrintOptions, Printer, PrinterState};
use satchel_store::{ShipmentRecord, ShipmentState, Store};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::store::{store_error, StoreState};
use crate::today_in_hong_kong;

/// How long a print run waits for the spooler to finish a job.
const JOB_TIMEOUT: Duration = Duration::from_secs(120);

/// The label font, read once on the first print (about 19 MB, so not at start-up).
#[derive(Debug, Default)]
pub struct LabelState {
    font: OnceLock<Option<Font>>,
}

impl LabelState {
    pub fn font(&self) -> Result<&Font, CommandError> {
        self.font
            .get_or_init(Font::system_cjk)
            .as_ref()
            .ok_or_else(|| CommandError {
                field: "font".into(),
                message_en: "No label font is installed (Noto Sans CJK, package fonts-noto-cjk)."
                    .into(),
                message_zh_hk: "未安裝標籤字型（Noto Sans CJK，套件 fonts-noto-cjk）。".into(),
            })
    }
}

#[tauri::command(async)]
pub fn list_printers(request: NoRequest) -> Result<Vec<PrinterDto>, CommandError> {
    let NoRequest {} = request;
    printers(satchel_print::list_printers())
}

#[tauri::command(async)]
pub fn preview_labels(
    store: State<'_, StoreState>,
    request: LabelRequest,
) -> Result<LabelPreview, CommandError> {
    preview(&store.lock(), &request, today_in_hong_kong())
}

#[tauri::command]
pub async fn print_labels(
    app: AppHandle,
    request: PrintLabelsRequest,
) -> Result<PrintResult, CommandError> {
    let today = today_in_hong_kong();
    // Rendering and waiting for the job block; the window keeps receiving progress meanwhile.
    tauri::async_runtime::spawn_blocking(move || {
        let store = app.state::<StoreState>();
        let labels = app.state::<LabelState>();
        let mut progress = |p: PrintProgress| {
            let _ = app.emit(event::PRINT_PROGRESS, p);
        };
        print(
            &store,
            || labels.font(),
            &request,
            today,
            &Cups,
            &mut progress,
        )
    })
    .await
    .map_err(|e| CommandError {
        field: "printer".into(),
        message_en: format!("Printing stopped unexpectedly: {e}"),
        message_zh_hk: format!("列印意外中止：{e}"),
    })?
}

// ---------------------------------------------------------------------------------------------
// Tauri-free
// ---------------------------------------------------------------------------------------------

/// The spooler, as a print run needs it; the tests use one that records what it was sent.
pub trait Spooler {
    fn send(&self, printer: &str, pdf: &[u8], options: &PrintOptions) -> Result<JobId, PrintError>;
    fn wait(&self, job: &JobId) -> Result<JobState, PrintError>;
}

/// The system's CUPS.
#[derive(Debug)]
pub struct Cups;

impl Spooler for Cups {
    fn send(&self, printer: &str, pdf: &[u8], options: &PrintOptions) -> Result<JobId, PrintError> {
        satchel_print::print_pdf(printer, pdf, options)
    }

    fn wait(&self, job: &JobId) -> Result<JobState, PrintError> {
        satchel_print::wait_for_job(job, JOB_TIMEOUT)
    }
}

pub fn printers(listed: Result<Vec<Printer>, PrintError>) -> Result<Vec<PrinterDto>, CommandError> {
    let mut list: Vec<PrinterDto> = listed
        .map_err(print_error)?
        .into_iter()
        .map(|p| PrinterDto {
            name: p.name,
            is_default: p.is_default,
            state: match p.state {
                PrinterState::Idle => PrinterStateDto::Idle,
                PrinterState::Printing => PrinterStateDto::Printing,
                PrinterState::Disabled => PrinterStateDto::Disabled,
                PrinterState::Unknown => PrinterStateDto::Unknown,
            },
        })
        .collect();
    // The default first, then by name, so the picker's first choice is the usual one.
    list.sort_by(|a, b| b.is_default.cmp(&a.is_default).then(a.name.cmp(&b.name)));
    Ok(list)
}

fn refusal(field: &str, en: String, zh: String) -> CommandError {
    CommandError {
        field: field.into(),
        message_en: en,
        message_zh_hk: zh,
    }
}

pub fn print_error(e: PrintError) -> CommandError {
    refusal(
        "printer",
        format!("The printer could not be used: {e}"),
        format!("無法使用打印機：{e}"),
    )
}

fn format_of(id: &str) -> Result<Format, CommandError> {
    Format::ALL
        .into_iter()
        .find(|f| f.id() == id)
        .ok_or_else(|| {
            refusal(
                "format",
                format!("Unknown label format '{id}'."),
                format!("未知的標籤格式「{id}」。"),
            )
        })
}

/// The shipments' labels laid out on pages, with the records they came from.
#[derive(Debug)]
pub struct Laid {
    pub records: Vec<ShipmentRecord>,
    pub labels: u32,
    pub drafts: u32,
    pub pages: Vec<Page>,
    pub per_sheet: u32,
}

pub fn lay_out(
    store: &Store,
    ids: &[String],
    format: &str,
    start: u32,
    today: NaiveDate,
) -> Result<Laid, CommandError> {
    let format = format_of(format)?;
    if ids.is_empty() {
        return Err(refusal(
            "shipment_ids",
            "Select at least one shipment.".into(),
            "請最少選擇一件郵件。".into(),
        ));
    }
    let mut records = Vec::with_capacity(ids.len());
    for id in ids {
        match store.shipment(id).map_err(store_error)? {
            Some(rec) => records.push(rec),
            None => {
                return Err(store_error(satchel_store::Error::NotFound {
                    entity: "shipment",
                    id: id.clone(),
                }))
            }
        }
    }
    let labels: Vec<Label> = records
        .iter()
        .map(|rec| {
            layout(
                &LabelInput {
                    shipment: &rec.draft.shipment,
                    permit_no: None,
                    office_of_exchange: None,
                    date: Some(today),
                },
                format,
            )
        })
        .collect();
    let drafts = labels.iter().filter(|l| l.item_number.is_none()).count() as u32;
    let count = labels.len() as u32;
    let (per_sheet, _) = format.sheet();
    let pages = pages(labels, format, start as usize).map_err(|e| {
        refusal(
            "start",
            format!("Cannot start there: {e}."),
            format!("不能由此位置開始：每張最多 {per_sheet} 個標籤。"),
        )
    })?;
    Ok(Laid {
        records,
        labels: count,
        drafts,
        pages,
        per_sheet: per_sheet as u32,
    })
}

pub fn preview(
    store: &Store,
    r: &LabelRequest,
    today: NaiveDate,
) -> Result<LabelPreview, CommandError> {
    let laid = lay_out(store, &r.shipment_ids, &r.format, r.start, today)?;
    Ok(LabelPreview {
        svg: laid
            .pages
            .first()
            .map(satchel_labels::svg::render_page)
            .unwrap_or_default(),
        pages: laid.pages.len() as u32,
        labels: laid.labels,
        drafts: laid.drafts,
        per_sheet: laid.per_sheet,
    })
}

pub(crate) fn job_state(s: JobState) -> PrintJobState {
    match s {
        JobState::Pending => PrintJobState::Pending,
        JobState::Held => PrintJobState::Held,
        JobState::Processing => PrintJobState::Processing,
        JobState::Stopped => PrintJobState::Stopped,
        JobState::Canceled => PrintJobState::Canceled,
        JobState::Aborted => PrintJobState::Aborted,
        JobState::Completed => PrintJobState::Completed,
    }
}

/// A print run: lay out and render (holding the store only to read), send, wait, then mark
/// the numbered shipments printed if every label had an item number and the job completed.
pub fn print<'f>(
    store: &StoreState,
    font: impl FnOnce() -> Result<&'f Font, CommandError>,
    r: &PrintLabelsRequest,
    today: NaiveDate,
    spooler: &dyn Spooler,
    progress: &mut dyn FnMut(PrintProgress),
) -> Result<PrintResult, CommandError> {
    let laid = lay_out(&store.lock(), &r.shipment_ids, &r.format, r.start, today)?;
    let pdf = satchel_labels::pdf::render(&laid.pages, font()?, None).map_err(|e| {
        refusal(
            "format",
            format!("The labels could not be drawn: {e}"),
            format!("無法繪製標籤：{e}"),
        )
    })?;
    let pages = laid.pages.len() as u32;
    progress(PrintProgress {
        stage: PrintStage::Rendered,
        pages,
        job_id: None,
    });
    let options = PrintOptions {
        // No names in the title: CUPS keeps job history.
        title: format!("Satchel labels {} x {}", laid.labels, r.format),
        ..PrintOptions::default()
    };
    let job = spooler
        .send(&r.printer, &pdf.bytes, &options)
        .map_err(print_error)?;
    progress(PrintProgress {
        stage: PrintStage::Sent,
        pages,
        job_id: Some(job.id),
    });
    let state = spooler.wait(&job).map_err(print_error)?;
    let mut marked = 0;
    if state == JobState::Completed && laid.drafts == 0 {
        let mut s = store.lock();
        for rec in laid
            .records
            .iter()
            .filter(|r| r.state == ShipmentState::Numbered)
        {
            s.set_shipment_state(&rec.id, ShipmentState::Printed)
                .map_err(store_error)?;
            marked += 1;
        }
    }
    progress(PrintProgress {
        stage: PrintStage::Done,
        pages,
        job_id: Some(job.id),
    });
    Ok(PrintResult {
        job_id: job.id,
        printer: r.printer.clone(),
        state: job_state(state),
        pages,
        labels: laid.labels,
        drafts: laid.drafts,
        marked_printed: marked,
        missing_glyphs: pdf.missing_glyphs.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::commands::contacts::tests::{saved, shop, temp_store, tokyo};
    use crate::commands::{contacts, shipments};
    use crate::Engine;
    use satchel_ipc::{ContentLineDto, SaveShipmentRequest, ShipmentDraftDto};

    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// Two Speedpost drafts to Tokyo; returns their ids.
    fn two_drafts(store: &mut Store) -> Vec<String> {
        let engine = Engine::load();
        let r = saved(contacts::save(store, tokyo()).unwrap());
        let s = saved(contacts::save(store, shop()).unwrap());
        (1..=2)
            .map(|i| {
                let draft = ShipmentDraftDto {
                    sender_id: Some(s.id.clone()),
                    sender: s.party.clone(),
                    recipient_id: Some(r.id.clone()),
                    recipient: r.party.clone(),
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
                    reference: format!("ORDER-{i}"),
                    ..ShipmentDraftDto::default()
                };
                shipments::save(
                    store,
                    &engine,
                    SaveShipmentRequest { id: None, draft },
                    monday(),
                )
                .unwrap()
                .id
            })
            .collect()
    }

    /// A shipment with an item number, moved to `numbered` as EC-Ship would leave it.
    fn numbered(store: &mut Store) -> String {
        let id = two_drafts(store).remove(0);
        let mut rec = store.shipment(&id).unwrap().unwrap();
        rec.draft.shipment.item_number =
            Some(satchel_core::s10::ItemNumber::parse("EE123456785HK").unwrap());
        store
            .update_shipment(&id, &rec.draft, &rec.assessment)
            .unwrap();
        for to in [
            ShipmentState::Ready,
            ShipmentState::Submitted,
            ShipmentState::Numbered,
        ] {
            store.set_shipment_state(&id, to).unwrap();
        }
        id
    }

    /// A spooler that keeps what it was sent and answers with a fixed final state.
    struct Fake {
        sent: RefCell<Vec<(String, usize, String)>>,
        state: JobState,
    }

    impl Spooler for Fake {
        fn send(
            &self,
            printer: &str,
            pdf: &[u8],
            options: &PrintOptions,
        ) -> Result<JobId, PrintError> {
            assert!(pdf.starts_with(b"%PDF"));
            self.sent
                .borrow_mut()
                .push((printer.into(), pdf.len(), options.title.clone()));
            Ok(JobId {
                printer_uri: format!("ipp://localhost:631/printers/{printer}"),
                queue: Some(printer.into()),
                id: 42,
            })
        }
        fn wait(&self, _: &JobId) -> Result<JobState, PrintError> {
            Ok(self.state)
        }
    }

    fn font() -> &'static Font {
        static FONT: OnceLock<Font> = OnceLock::new();
        FONT.get_or_init(|| Font::system_cjk().expect("fonts-noto-cjk is installed"))
    }

    #[test]
    fn the_preview_is_the_first_page_as_svg_with_counts() {
        let (_dir, mut store) = temp_store();
        let ids = two_drafts(&mut store);
        let r = LabelRequest {
            shipment_ids: ids.clone(),
            format: "imail_a4".into(),
            start: 3,
        };
        let p = preview(&store, &r, monday()).unwrap();
        assert!(p.svg.starts_with("<svg"), "{}", &p.svg[..40]);
        assert!(p.svg.contains("DRAFT"));
        assert_eq!((p.labels, p.drafts, p.pages, p.per_sheet), (2, 2, 2, 3));
        let thermal = LabelRequest {
            format: "thermal_4x6".into(),
            start: 1,
            ..r.clone()
        };
        let p = preview(&store, &thermal, monday()).unwrap();
        assert_eq!((p.pages, p.per_sheet), (2, 1));

        let bad_start = LabelRequest {
            format: "thermal_4x6".into(),
            start: 2,
            ..r.clone()
        };
        assert_eq!(
            preview(&store, &bad_start, monday()).unwrap_err().field,
            "start"
        );
        let bad_format = LabelRequest {
            format: "a5".into(),
            ..r.clone()
        };
        assert_eq!(
            preview(&store, &bad_format, monday()).unwrap_err().field,
            "format"
        );
        let none = LabelRequest {
            shipment_ids: Vec::new(),
            ..r.clone()
        };
        assert_eq!(
            preview(&store, &none, monday()).unwrap_err().field,
            "shipment_ids"
        );
        let gone = LabelRequest {
            shipment_ids: vec!["no-such-id".into()],
            ..r
        };
        assert_eq!(preview(&store, &gone, monday()).unwrap_err().field, "id");
    }

    #[test]
    fn drafts_print_but_stay_drafts() {
        let (_dir, mut store) = temp_store();
        let ids = two_drafts(&mut store);
        let state = StoreState::new(store);
        let spooler = Fake {
            sent: RefCell::default(),
            state: JobState::Completed,
        };
        let mut events = Vec::new();
        let r = PrintLabelsRequest {
            shipment_ids: ids.clone(),
            format: "thermal_4x6".into(),
            start: 1,
            printer: "PDF".into(),
        };
        let out = print(&state, || Ok(font()), &r, monday(), &spooler, &mut |p| {
            events.push(p.stage)
        })
        .unwrap();
        assert_eq!(out.job_id, 42);
        assert_eq!(out.state, PrintJobState::Completed);
        assert_eq!((out.pages, out.labels, out.drafts), (2, 2, 2));
        assert_eq!(out.marked_printed, 0);
        assert_eq!(
            events,
            [PrintStage::Rendered, PrintStage::Sent, PrintStage::Done]
        );
        let sent = spooler.sent.borrow();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, "PDF");
        assert!(!sent[0].2.contains("Chan"), "no names in the job title");
        for id in &ids {
            assert_eq!(
                state.lock().shipment(id).unwrap().unwrap().state,
                ShipmentState::Draft
            );
        }
    }

    #[test]
    fn a_completed_job_marks_numbered_shipments_printed() {
        let (_dir, mut store) = temp_store();
        let id = numbered(&mut store);
        let state = StoreState::new(store);
        let r = PrintLabelsRequest {
            shipment_ids: vec![id.clone()],
            format: "speedpost".into(),
            start: 1,
            printer: "PDF".into(),
        };
        // An aborted job changes nothing.
        let aborted = Fake {
            sent: RefCell::default(),
            state: JobState::Aborted,
        };
        let out = print(&state, || Ok(font()), &r, monday(), &aborted, &mut |_| {}).unwrap();
        assert_eq!((out.state, out.marked_printed), (PrintJobState::Aborted, 0));
        assert_eq!(
            state.lock().shipment(&id).unwrap().unwrap().state,
            ShipmentState::Numbered
        );
        let done = Fake {
            sent: RefCell::default(),
            state: JobState::Completed,
        };
        let out = print(&state, || Ok(font()), &r, monday(), &done, &mut |_| {}).unwrap();
        assert_eq!((out.drafts, out.marked_printed), (0, 1));
        assert_eq!(
            state.lock().shipment(&id).unwrap().unwrap().state,
            ShipmentState::Printed
        );
    }

    #[test]
    fn a_spooler_failure_names_the_printer() {
        let (_dir, mut store) = temp_store();
        let ids = two_drafts(&mut store);
        let state = StoreState::new(store);
        struct Down;
        impl Spooler for Down {
            fn send(&self, _: &str, _: &[u8], _: &PrintOptions) -> Result<JobId, PrintError> {
                Err(PrintError::SpoolerUnavailable(
                    "cupsd is not running".into(),
                ))
            }
            fn wait(&self, _: &JobId) -> Result<JobState, PrintError> {
                unreachable!()
            }
        }
        let r = PrintLabelsRequest {
            shipment_ids: ids,
            format: "thermal_4x6".into(),
            start: 1,
            printer: "PDF".into(),
        };
        let err = print(&state, || Ok(font()), &r, monday(), &Down, &mut |_| {}).unwrap_err();
        assert_eq!(err.field, "printer");
        assert!(err.message_en.contains("cupsd"), "{err:?}");
    }

    #[test]
    fn printers_put_the_default_first() {
        let p = |name: &str, is_default| Printer {
            name: name.into(),
            device_uri: "cups-pdf:/".into(),
            is_default,
            state: PrinterState::Idle,
        };
        let out = printers(Ok(vec![p("b", false), p("z", true), p("a", false)])).unwrap();
        let names: Vec<&str> = out.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["z", "a", "b"]);
        let err = printers(Err(PrintError::SpoolerUnavailable("x".into()))).unwrap_err();
        assert_eq!(err.field, "printer");
    }
}
