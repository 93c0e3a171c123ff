//! Labels: the printers the spooler knows, a preview of the first page, and a print run that
//! renders the PDF, sends it, waits for the job and moves printed shipments along.
//!
//! The layout and both renderers live in `satchel-labels`, the spooler in `satchel-print`;
//! this module joins them to the store, for the app's print panel and the CLI alike. A shipment without an item number prints as a
//! DRAFT (the layout's rule), and only a run where every label carried an item number and the
//! job completed marks shipments printed.
//!
//! Printer profiles (`satchel_print::profiles`, the file [`PROFILES_FILE`] next to the
//! database) remember, per label format, the printer of the last completed run, so the merchant
//! picks a thermal printer once and not before every batch; a profile's media keyword goes to
//! the spooler and its offset moves the whole page, correcting a printer's feed. A profile
//! file that cannot be read is ignored (and left alone), never a reason not to print.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use chrono::NaiveDate;
use satchel_core::service::Service;
use satchel_core::validate::{is_permit_number, validate_batch};
use satchel_ipc::{
    CommandError, LabelPreview, LabelRequest, PrintJobState, PrintLabelsRequest, PrintProgress,
    PrintResult, PrintStage, PrinterDto, PrinterStateDto, ProblemDto, Refused,
};
use satchel_labels::pdf::{render_with_offset, Font, Offset};
use satchel_labels::{layout, pages, Format, Label, LabelInput, Page};
use satchel_print::profiles::{
    LabelProfile, PrinterProfiles, PrinterTarget, ProfileError, PROFILES_VERSION,
};
use satchel_print::{JobId, JobState, PrintError, PrintOptions, Printer, PrinterState};
use satchel_store::{ShipmentRecord, ShipmentState, Store};

use crate::operator_label;
use crate::store::{store_error, SharedStore};

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
            .ok_or_else(|| CommandError::new("font", Refused::NoLabelFont))
    }
}

/// The printer profiles file's name, in the directory of the database.
pub const PROFILES_FILE: &str = "printer-profiles.json";

/// Where the printer profiles live: next to the database file (so `$SATCHEL_DB` moves both).
#[derive(Debug, Clone)]
pub struct ProfilesPath(pub PathBuf);

impl ProfilesPath {
    pub fn next_to(db: &Path) -> ProfilesPath {
        ProfilesPath(db.with_file_name(PROFILES_FILE))
    }
}

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

/// The profiles at `path`: none yet is an empty set; a file that cannot be used is `None`
/// (logged by field, never by content), so a print run neither applies nor overwrites it.
pub fn load_profiles(path: &Path) -> Option<PrinterProfiles> {
    match PrinterProfiles::load(path) {
        Ok(p) => Some(p),
        Err(ProfileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Some(PrinterProfiles::default())
        }
        Err(e) => {
            eprintln!("satchel: printer profiles ignored: {e}");
            None
        }
    }
}

/// Notes on each printer the formats whose profile prints there.
pub fn mark_profiles(list: &mut [PrinterDto], profiles: &PrinterProfiles) {
    for printer in list.iter_mut() {
        printer.profile_formats = profiles
            .profiles
            .iter()
            .filter(
                |p| matches!(&p.printer, PrinterTarget::Queue { name } if *name == printer.name),
            )
            .map(|p| p.format_id.clone())
            .collect();
    }
}

/// The media keyword a new profile starts with: every sheet format prints on A4, the thermal
/// label is 4 × 6 in.
fn default_media(format: Format) -> &'static str {
    match format {
        Format::Thermal4x6 => "oe_4x6-label_4x6in",
        _ => "iso_a4_210x297mm",
    }
}

/// Records `printer` as the one for `format`, keeping the profile's media, dpi and offset.
pub fn remember_printer(profiles: &mut PrinterProfiles, format: Format, printer: &str) {
    let target = PrinterTarget::Queue {
        name: printer.to_owned(),
    };
    match profiles
        .profiles
        .iter_mut()
        .find(|p| p.format_id == format.id())
    {
        Some(p) => p.printer = target,
        None => profiles.profiles.push(LabelProfile {
            format_id: format.id().to_owned(),
            printer: target,
            media: default_media(format).to_owned(),
            // Not used for PDF queues; a placeholder until the merchant calibrates.
            dpi: 300,
            offset_x_tenths_mm: 0,
            offset_y_tenths_mm: 0,
        }),
    }
    profiles.version = PROFILES_VERSION;
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
            profile_formats: Vec::new(),
        })
        .collect();
    // The default first, then by name, so the picker's first choice is the usual one.
    list.sort_by(|a, b| b.is_default.cmp(&a.is_default).then(a.name.cmp(&b.name)));
    Ok(list)
}

pub fn print_error(e: PrintError) -> CommandError {
    CommandError::new(
        "printer",
        Refused::PrinterFailed {
            detail: e.to_string(),
        },
    )
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
    format: Format,
    start: u32,
    today: NaiveDate,
) -> Result<Laid, CommandError> {
    let records = records(store, ids)?;
    lay_out_records(records, format, start as usize, None, today)
}

/// Each shipment's label in `format`, dated `today`; the layout step both front ends share
/// (the app prints it, the CLI writes it as PDF or ZPL).
pub fn label_list(
    records: &[ShipmentRecord],
    format: Format,
    permit_no: Option<&str>,
    today: NaiveDate,
) -> Vec<Label> {
    records
        .iter()
        .map(|rec| {
            layout(
                &LabelInput {
                    shipment: &rec.draft.shipment,
                    permit_no,
                    office_of_exchange: None,
                    date: Some(today),
                },
                format,
            )
        })
        .collect()
}

/// The records' labels on sheets from position `start` (1-based) of the first one.
pub fn lay_out_records(
    records: Vec<ShipmentRecord>,
    format: Format,
    start: usize,
    permit_no: Option<&str>,
    today: NaiveDate,
) -> Result<Laid, CommandError> {
    let labels = label_list(&records, format, permit_no, today);
    let drafts = labels.iter().filter(|l| l.item_number.is_none()).count() as u32;
    let count = labels.len() as u32;
    Ok(Laid {
        records,
        labels: count,
        drafts,
        pages: on_sheets(labels, format, start)?,
        per_sheet: format.sheet().0 as u32,
    })
}

/// Laid-out labels on sheets from position `start` (1-based) of the first one.
pub fn on_sheets(
    labels: Vec<Label>,
    format: Format,
    start: usize,
) -> Result<Vec<Page>, CommandError> {
    pages(labels, format, start).map_err(|e| {
        CommandError::new(
            "start",
            Refused::CannotStartThere {
                per_sheet: format.sheet().0 as u32,
                detail: e.to_string(),
            },
        )
    })
}

/// The batch rules over `records`, worded for the window.
pub fn batch_problems(records: &[ShipmentRecord]) -> Vec<ProblemDto> {
    let shipments: Vec<_> = records.iter().map(|r| r.draft.shipment.clone()).collect();
    validate_batch(&shipments)
        .iter()
        .map(crate::convert::problem)
        .collect()
}

/// The first page of Satchel's labels among the selection, how many of the selection are
/// EC-Ship's own labels (not previewed: they print as EC-Ship made them), and the batch's
/// problems.
pub fn preview(
    store: &Store,
    r: &LabelRequest,
    at: chrono::NaiveDateTime,
) -> Result<LabelPreview, CommandError> {
    let today = at.date();
    let all = records(store, &r.shipment_ids)?;
    let problems = batch_problems(&all);
    let notes = crate::calendar::notes(&all, at, &crate::calendar::severe_weather_days(store));
    let (operator, own): (Vec<_>, Vec<_>) =
        all.into_iter().partition(operator_label::is_operator_label);
    let laid = if own.is_empty() {
        None
    } else {
        let permit = permit(&r.permit_no);
        Some(lay_out_records(
            own,
            r.format,
            r.start as usize,
            permit,
            today,
        )?)
    };
    Ok(LabelPreview {
        svg: laid
            .as_ref()
            .and_then(|l| l.pages.first())
            .map(satchel_labels::svg::render_page)
            .unwrap_or_default(),
        pages: laid.as_ref().map_or(0, |l| l.pages.len() as u32),
        labels: laid.as_ref().map_or(0, |l| l.labels) + operator.len() as u32,
        drafts: laid.as_ref().map_or(0, |l| l.drafts),
        per_sheet: r.format.sheet().0 as u32,
        operator_labels: operator.len() as u32,
        problems,
        notes,
    })
}

pub fn job_state(s: JobState) -> PrintJobState {
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

/// The permit number as typed, or none.
fn permit(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// The records of `ids`, in order; a missing one is refused.
fn records(store: &Store, ids: &[String]) -> Result<Vec<ShipmentRecord>, CommandError> {
    if ids.is_empty() {
        return Err(CommandError::new("shipment_ids", Refused::NothingSelected));
    }
    ids.iter()
        .map(|id| {
            store.shipment(id).map_err(store_error)?.ok_or_else(|| {
                store_error(satchel_store::Error::NotFound {
                    entity: "shipment",
                    id: id.clone(),
                })
            })
        })
        .collect()
}

/// A print run. Shipments with an EC-Ship item number print EC-Ship's own label, unchanged
/// and at its own size ([`crate::operator_label`]); the rest are laid out by Satchel (drafts
/// marked DRAFT; iMail address labels for pre-printed barcodes, R-047). Everything is
/// checked before anything is sent. Then send, wait, log each label printed (reprints are
/// free and logged), and mark numbered shipments printed when their job completed and no
/// draft was among Satchel's labels.
pub fn print<'f>(
    store: &SharedStore,
    font: impl FnOnce() -> Result<&'f Font, CommandError>,
    r: &PrintLabelsRequest,
    today: NaiveDate,
    spooler: &dyn Spooler,
    profiles_path: &Path,
    progress: &mut dyn FnMut(PrintProgress),
) -> Result<PrintResult, CommandError> {
    let format = r.format;
    let profiles = load_profiles(profiles_path);
    let profile = profiles.as_ref().and_then(|p| p.for_format(format.id()));
    let media = profile.map_or_else(|| default_media(format).to_owned(), |p| p.media.clone());
    let (operator, laid) = {
        let s = store.lock();
        let (operator, own): (Vec<_>, Vec<_>) = records(&s, &r.shipment_ids)?
            .into_iter()
            .partition(operator_label::is_operator_label);
        let operator = operator_label::ready(&s, operator, &media, today)?;
        // Satchel's iMail address labels carry the permit impression: no label
        // without a permit number that is one.
        if own
            .iter()
            .any(|r| r.draft.shipment.service == Service::Imail)
            && !is_permit_number(&r.permit_no)
        {
            let rule = if r.permit_no.trim().is_empty() {
                "R-144"
            } else {
                "R-203"
            };
            return Err(CommandError::new("permit_no", Refused::PermitMissing).with_rule(rule));
        }
        let laid = if own.is_empty() {
            None
        } else {
            let permit = permit(&r.permit_no);
            Some(lay_out_records(
                own,
                format,
                r.start as usize,
                permit,
                today,
            )?)
        };
        (operator, laid)
    };
    // The profile's calibration moves Satchel's page; validated within ±50 mm on load.
    let offset = profile.map_or_else(Offset::default, |p| Offset {
        x: p.offset_x_tenths_mm,
        y: p.offset_y_tenths_mm,
    });
    let own_pdf = match &laid {
        Some(l) => Some(
            render_with_offset(&l.pages, font()?, None, offset).map_err(|e| {
                CommandError::new(
                    "format",
                    Refused::LabelsNotDrawn {
                        detail: e.to_string(),
                    },
                )
            })?,
        ),
        None => None,
    };
    let pages = laid.as_ref().map_or(0, |l| l.pages.len() as u32)
        + operator
            .iter()
            .map(|o| operator_label::page_count(&o.pdf))
            .sum::<u32>();
    progress(PrintProgress {
        stage: PrintStage::Rendered,
        pages,
        job_id: None,
    });
    let drafts = laid.as_ref().map_or(0, |l| l.drafts);
    let labels = laid.as_ref().map_or(0, |l| l.labels) + operator.len() as u32;
    // Satchel's labels first (one job), then each EC-Ship label as its own unchanged job.
    let mut jobs: Vec<(Vec<&ShipmentRecord>, bool, JobId)> = Vec::new();
    if let (Some(l), Some(pdf)) = (&laid, &own_pdf) {
        let options = PrintOptions {
            // No names in the title: CUPS keeps job history.
            title: format!("Satchel labels {} x {}", l.labels, format.id()),
            // No profile yet: the printer's own default, as before the first run.
            media: profile.map(|p| p.media.clone()),
            ..PrintOptions::default()
        };
        let job = spooler
            .send(&r.printer, &pdf.bytes, &options)
            .map_err(print_error)?;
        jobs.push((l.records.iter().collect(), false, job));
    }
    for o in &operator {
        let options = PrintOptions {
            title: "Satchel: EC-Ship label".to_owned(),
            media: Some(media.clone()),
            actual_size: true,
            ..PrintOptions::default()
        };
        let job = spooler
            .send(&r.printer, &o.pdf, &options)
            .map_err(print_error)?;
        jobs.push((vec![&o.record], true, job));
    }
    let last_job = jobs.last().map(|j| j.2.id).unwrap_or_default();
    progress(PrintProgress {
        stage: PrintStage::Sent,
        pages,
        job_id: Some(last_job),
    });
    let mut worst = JobState::Completed;
    let mut marked = 0;
    let who = operator_label::who();
    for (recs, operator_job, job) in &jobs {
        let state = spooler.wait(job).map_err(print_error)?;
        if state != JobState::Completed {
            worst = state;
            continue;
        }
        let mut s = store.lock();
        for rec in recs {
            if rec.draft.shipment.item_number.is_some() {
                s.record_label_print(&rec.id, &who, 1, *operator_job)
                    .map_err(store_error)?;
            }
            if rec.state == ShipmentState::Numbered && (*operator_job || drafts == 0) {
                s.set_shipment_state(&rec.id, ShipmentState::Printed)
                    .map_err(store_error)?;
                marked += 1;
            }
        }
    }
    if worst == JobState::Completed {
        if let Some(mut profiles) = profiles {
            remember_printer(&mut profiles, format, &r.printer);
            if let Err(e) = profiles.save(profiles_path) {
                // The labels printed; a profile not saved only costs a choice next time.
                eprintln!("satchel: printer profile not saved: {e}");
            }
        }
    }
    progress(PrintProgress {
        stage: PrintStage::Done,
        pages,
        job_id: Some(last_job),
    });
    Ok(PrintResult {
        job_id: last_job,
        printer: r.printer.clone(),
        state: job_state(worst),
        pages,
        labels,
        drafts,
        marked_printed: marked,
        operator_labels: operator.len() as u32,
        job_ids: jobs.iter().map(|j| j.2.id).collect(),
        missing_glyphs: own_pdf
            .map(|p| p.missing_glyphs.into_iter().collect())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::contacts::tests::{saved, shop, temp_store, tokyo};
    use crate::Engine;
    use crate::{contacts, shipments};
    use satchel_ipc::{ContentLineDto, SaveShipmentRequest, ShipmentDraftDto};

    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn monday_10am() -> chrono::NaiveDateTime {
        monday().and_hms_opt(10, 0, 0).unwrap()
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
    /// An iMail shipment numbered from the merchant's pre-printed labels: the one service whose
    /// final label Satchel draws itself.
    fn numbered(store: &mut Store) -> String {
        let id = two_drafts(store).remove(0);
        let mut rec = store.shipment(&id).unwrap().unwrap();
        rec.draft.shipment.service = satchel_core::service::Service::Imail;
        rec.draft.shipment.item_number =
            Some(satchel_core::s10::ItemNumber::parse("LX123456785HK").unwrap());
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

    /// The printer profiles file next to the database; `media` is what the spooler was sent.
    fn profiles_next_to(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join(PROFILES_FILE)
    }

    /// Printer, PDF length, job title, media and the PDF itself of one job.
    type Sent = (String, usize, String, Option<String>, Vec<u8>, bool);

    /// A spooler that keeps what it was sent and answers with a fixed final state.
    struct Fake {
        sent: RefCell<Vec<Sent>>,
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
            self.sent.borrow_mut().push((
                printer.into(),
                pdf.len(),
                options.title.clone(),
                options.media.clone(),
                pdf.to_vec(),
                options.actual_size,
            ));
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

    #[cfg(feature = "system-tests")] // the label font
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
            format: Format::from_id("imail_a4").unwrap(),
            start: 3,
            permit_no: String::new(),
        };
        let p = preview(&store, &r, monday_10am()).unwrap();
        assert!(p.svg.starts_with("<svg"), "{}", &p.svg[..40]);
        assert!(p.svg.contains("DRAFT"));
        assert_eq!((p.labels, p.drafts, p.pages, p.per_sheet), (2, 2, 2, 3));
        let thermal = LabelRequest {
            format: Format::from_id("thermal_4x6").unwrap(),
            start: 1,
            permit_no: String::new(),
            ..r.clone()
        };
        let p = preview(&store, &thermal, monday_10am()).unwrap();
        assert_eq!((p.pages, p.per_sheet), (2, 1));

        let bad_start = LabelRequest {
            format: Format::from_id("thermal_4x6").unwrap(),
            start: 2,
            permit_no: String::new(),
            ..r.clone()
        };
        assert_eq!(
            preview(&store, &bad_start, monday_10am())
                .unwrap_err()
                .field,
            "start"
        );
        // A format the app does not have cannot even be asked for: the request does not
        // deserialize.
        let mut bad_format = serde_json::to_value(&r).unwrap();
        bad_format["format"] = "a5".into();
        assert!(serde_json::from_value::<LabelRequest>(bad_format).is_err());
        let none = LabelRequest {
            shipment_ids: Vec::new(),
            ..r.clone()
        };
        assert_eq!(
            preview(&store, &none, monday_10am()).unwrap_err().field,
            "shipment_ids"
        );
        let gone = LabelRequest {
            shipment_ids: vec!["no-such-id".into()],
            ..r
        };
        assert_eq!(
            preview(&store, &gone, monday_10am()).unwrap_err().field,
            "id"
        );
    }

    #[cfg(feature = "system-tests")] // the label font
    #[test]
    fn drafts_print_but_stay_drafts() {
        let (_dir, mut store) = temp_store();
        let ids = two_drafts(&mut store);
        let state = SharedStore::new(store);
        let spooler = Fake {
            sent: RefCell::default(),
            state: JobState::Completed,
        };
        let mut events = Vec::new();
        let r = PrintLabelsRequest {
            shipment_ids: ids.clone(),
            format: Format::from_id("thermal_4x6").unwrap(),
            start: 1,
            permit_no: String::new(),
            printer: "PDF".into(),
        };
        let out = print(
            &state,
            || Ok(font()),
            &r,
            monday(),
            &spooler,
            &profiles_next_to(&_dir),
            &mut |p| events.push(p.stage),
        )
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

    #[cfg(feature = "system-tests")] // the label font
    #[test]
    fn a_completed_job_marks_numbered_shipments_printed() {
        let (_dir, mut store) = temp_store();
        let id = numbered(&mut store);
        let state = SharedStore::new(store);
        let r = PrintLabelsRequest {
            shipment_ids: vec![id.clone()],
            format: Format::ImailA4,
            start: 1,
            permit_no: "PM 1234".into(),
            printer: "PDF".into(),
        };
        // An aborted job changes nothing.
        let aborted = Fake {
            sent: RefCell::default(),
            state: JobState::Aborted,
        };
        let out = print(
            &state,
            || Ok(font()),
            &r,
            monday(),
            &aborted,
            &profiles_next_to(&_dir),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!((out.state, out.marked_printed), (PrintJobState::Aborted, 0));
        assert_eq!(
            state.lock().shipment(&id).unwrap().unwrap().state,
            ShipmentState::Numbered
        );
        let done = Fake {
            sent: RefCell::default(),
            state: JobState::Completed,
        };
        let out = print(
            &state,
            || Ok(font()),
            &r,
            monday(),
            &done,
            &profiles_next_to(&_dir),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!((out.drafts, out.marked_printed), (0, 1));
        assert_eq!(
            state.lock().shipment(&id).unwrap().unwrap().state,
            ShipmentState::Printed
        );
    }

    #[cfg(feature = "system-tests")] // the label font
    #[test]
    fn a_spooler_failure_names_the_printer() {
        let (_dir, mut store) = temp_store();
        let ids = two_drafts(&mut store);
        let state = SharedStore::new(store);
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
            format: Format::from_id("thermal_4x6").unwrap(),
            start: 1,
            permit_no: String::new(),
            printer: "PDF".into(),
        };
        let err = print(
            &state,
            || Ok(font()),
            &r,
            monday(),
            &Down,
            &profiles_next_to(&_dir),
            &mut |_| {},
        )
        .unwrap_err();
        assert_eq!(err.field, "printer");
        assert!(
            matches!(&err.reason, Refused::PrinterFailed { detail } if detail.contains("cupsd")),
            "{err:?}"
        );
    }

    #[cfg(feature = "system-tests")] // the label font
    #[test]
    fn a_completed_run_remembers_the_printer_for_its_format() {
        let (dir, mut store) = temp_store();
        let ids = two_drafts(&mut store);
        let state = SharedStore::new(store);
        let path = profiles_next_to(&dir);
        let fake = |state| Fake {
            sent: RefCell::default(),
            state,
        };
        let r = PrintLabelsRequest {
            shipment_ids: ids,
            format: Format::from_id("thermal_4x6").unwrap(),
            start: 1,
            permit_no: String::new(),
            printer: "Zebra".into(),
        };
        let done = fake(JobState::Completed);
        print(
            &state,
            || Ok(font()),
            &r,
            monday(),
            &done,
            &path,
            &mut |_| {},
        )
        .unwrap();
        // No profile yet: the printer's default media.
        assert_eq!(done.sent.borrow()[0].3, None);
        let saved = PrinterProfiles::load(&path).unwrap();
        let profile = saved.for_format("thermal_4x6").unwrap();
        assert_eq!(
            profile.printer,
            PrinterTarget::Queue {
                name: "Zebra".into()
            }
        );
        assert_eq!(profile.media, "oe_4x6-label_4x6in");
        assert!(saved.for_format("imail_a4").is_none());

        // The next run sends the profile's media.
        print(
            &state,
            || Ok(font()),
            &r,
            monday(),
            &done,
            &path,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(
            done.sent.borrow()[1].3.as_deref(),
            Some("oe_4x6-label_4x6in")
        );

        // An aborted run on another printer is not remembered.
        let other = PrintLabelsRequest {
            printer: "PDF".into(),
            ..r.clone()
        };
        let aborted = fake(JobState::Aborted);
        print(
            &state,
            || Ok(font()),
            &other,
            monday(),
            &aborted,
            &path,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(PrinterProfiles::load(&path).unwrap(), saved);

        // The printer list marks the profile's printer, which the panel preselects.
        let p = |name: &str, is_default| Printer {
            name: name.into(),
            device_uri: "cups-pdf:/".into(),
            is_default,
            state: PrinterState::Idle,
        };
        let mut list = printers(Ok(vec![p("PDF", true), p("Zebra", false)])).unwrap();
        mark_profiles(&mut list, &load_profiles(&path).unwrap());
        assert!(list[0].profile_formats.is_empty());
        assert_eq!(list[1].name, "Zebra");
        assert_eq!(list[1].profile_formats, ["thermal_4x6"]);

        // A calibration survives a change of printer.
        let mut calibrated = saved.clone();
        calibrated.profiles[0].offset_x_tenths_mm = -15;
        calibrated.profiles[0].media = "na_index-4x6_4x6in".into();
        calibrated.save(&path).unwrap();
        print(
            &state,
            || Ok(font()),
            &other,
            monday(),
            &done,
            &path,
            &mut |_| {},
        )
        .unwrap();
        let now = PrinterProfiles::load(&path).unwrap();
        let profile = now.for_format("thermal_4x6").unwrap();
        assert_eq!(profile.printer, PrinterTarget::Queue { name: "PDF".into() });
        assert_eq!(
            (profile.offset_x_tenths_mm, profile.media.as_str()),
            (-15, "na_index-4x6_4x6in")
        );

        // A file that cannot be read is neither used nor overwritten.
        std::fs::write(&path, "{").unwrap();
        print(
            &state,
            || Ok(font()),
            &r,
            monday(),
            &done,
            &path,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(done.sent.borrow().last().unwrap().3, None);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{");
        assert!(load_profiles(&path).is_none());
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

    /// A Speedpost shipment EC-Ship numbered on `made` (UTC), with `label` stored as its
    /// operator label.
    fn ecship_numbered(
        store: &mut Store,
        made: chrono::DateTime<chrono::Utc>,
        item: &str,
        label: Option<&[u8]>,
    ) -> String {
        let id = two_drafts(store).remove(0);
        store.set_shipment_state(&id, ShipmentState::Ready).unwrap();
        store.queue_submissions(std::slice::from_ref(&id)).unwrap();
        let claim = store.claim_jobs(1, 60_000).unwrap().remove(0);
        let order = satchel_store::EcshipOrder {
            order_no: "ORD-1".into(),
            delivery_charge: None,
            insurance_fee: None,
            created_at: made,
        };
        let item = satchel_core::s10::ItemNumber::parse(item).unwrap();
        store.finish_submission(&claim, &item, &order).unwrap();
        if let Some(label) = label {
            store.save_address_pack(&id, label).unwrap();
        }
        id
    }

    fn label_pdf(width_pt: f64, height_pt: f64) -> Vec<u8> {
        format!("%PDF-1.4\n1 0 obj << /Type /Page /MediaBox [0 0 {width_pt} {height_pt}] >> endobj\n%%EOF\n")
            .into_bytes()
    }

    fn monday_noon_utc() -> chrono::DateTime<chrono::Utc> {
        monday().and_hms_opt(4, 0, 0).unwrap().and_utc()
    }

    #[test]
    fn a_numbered_shipment_prints_ecship_s_own_label_unchanged_and_logs_it() {
        let (dir, mut store) = temp_store();
        let a4 = label_pdf(595.28, 841.89);
        let id = ecship_numbered(&mut store, monday_noon_utc(), "EE123456785HK", Some(&a4));
        let state = SharedStore::new(store);
        let spooler = Fake {
            sent: RefCell::default(),
            state: JobState::Completed,
        };
        let r = PrintLabelsRequest {
            shipment_ids: vec![id.clone()],
            format: Format::from_id("speedpost").unwrap(),
            start: 1,
            permit_no: String::new(),
            printer: "PDF".into(),
        };
        // No font is needed: nothing of Satchel's is drawn.
        let out = print(
            &state,
            || Err(CommandError::new("font", Refused::NoLabelFont)),
            &r,
            monday(),
            &spooler,
            &profiles_next_to(&dir),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(
            (out.operator_labels, out.drafts, out.marked_printed),
            (1, 0, 1)
        );
        let sent = spooler.sent.borrow();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].4, a4, "the stored PDF, byte for byte");
        assert!(sent[0].5, "printed at its own size, never scaled (R-036)");
        // A reprint is free, and logged.
        drop(sent);
        print(
            &state,
            || Err(CommandError::new("font", Refused::NoLabelFont)),
            &r,
            monday(),
            &spooler,
            &profiles_next_to(&dir),
            &mut |_| {},
        )
        .unwrap();
        let log = state.lock().label_prints(&id).unwrap();
        assert_eq!(log.len(), 2);
        assert!(log.iter().all(|p| p.operator_label && p.copies == 1));
        // The shipment shows its print log.
        let shown = crate::shipments::get(&state.lock(), &id, monday()).unwrap();
        assert_eq!(shown.prints.len(), 2);
        assert!(!shown.prints[1].who.is_empty());
    }

    #[test]
    fn an_operator_label_that_does_not_fit_the_paper_is_refused_before_anything_prints() {
        let (dir, mut store) = temp_store();
        // The e-Express+ label to other destinations: 189 × 135 mm (domain.md §13.1).
        let big = label_pdf(535.75, 382.68);
        let id = ecship_numbered(&mut store, monday_noon_utc(), "EE123456785HK", Some(&big));
        let state = SharedStore::new(store);
        let spooler = Fake {
            sent: RefCell::default(),
            state: JobState::Completed,
        };
        let r = PrintLabelsRequest {
            shipment_ids: vec![id],
            format: Format::from_id("thermal_4x6").unwrap(),
            start: 1,
            permit_no: String::new(),
            printer: "Zebra".into(),
        };
        let err = print(
            &state,
            || Err(CommandError::new("font", Refused::NoLabelFont)),
            &r,
            monday(),
            &spooler,
            &profiles_next_to(&dir),
            &mut |_| {},
        )
        .unwrap_err();
        assert!(
            matches!(err.reason, Refused::LabelDoesNotFit { .. }),
            "{err:?}"
        );
        assert_eq!(err.rule.as_deref(), Some("R-036"));
        assert!(spooler.sent.borrow().is_empty());
    }

    #[test]
    fn an_expired_label_is_refused_with_c01_and_a_missing_one_with_its_item() {
        let (dir, mut store) = temp_store();
        let made = monday_noon_utc() - chrono::Duration::days(31);
        let old = ecship_numbered(
            &mut store,
            made,
            "EE123456785HK",
            Some(&label_pdf(595.28, 841.89)),
        );
        let state = SharedStore::new(store);
        let spooler = Fake {
            sent: RefCell::default(),
            state: JobState::Completed,
        };
        let mut r = PrintLabelsRequest {
            shipment_ids: vec![old.clone()],
            format: Format::from_id("speedpost").unwrap(),
            start: 1,
            permit_no: String::new(),
            printer: "PDF".into(),
        };
        let run = |r: &PrintLabelsRequest| {
            print(
                &state,
                || Err(CommandError::new("font", Refused::NoLabelFont)),
                r,
                monday(),
                &spooler,
                &profiles_next_to(&dir),
                &mut |_| {},
            )
        };
        let err = run(&r).unwrap_err();
        assert!(
            matches!(err.reason, Refused::LabelExpired { .. }),
            "{err:?}"
        );
        assert_eq!(err.rule.as_deref(), Some("C-01"));
        // A fresh order whose label was never downloaded.
        let fresh = ecship_numbered(&mut state.lock(), monday_noon_utc(), "EE000000014HK", None);
        r.shipment_ids = vec![fresh];
        let err = run(&r).unwrap_err();
        assert!(
            matches!(&err.reason, Refused::OperatorLabelMissing { item } if item == "EE000000014HK"),
            "{err:?}"
        );
        assert!(spooler.sent.borrow().is_empty());
    }

    #[test]
    fn imail_address_labels_need_a_permit_number_before_anything_prints() {
        let (dir, mut store) = temp_store();
        let id = two_drafts(&mut store).remove(0);
        let mut rec = store.shipment(&id).unwrap().unwrap();
        rec.draft.shipment.service = satchel_core::service::Service::Imail;
        store
            .update_shipment(&id, &rec.draft, &rec.assessment)
            .unwrap();
        let state = SharedStore::new(store);
        let spooler = Fake {
            sent: RefCell::default(),
            state: JobState::Completed,
        };
        let mut r = PrintLabelsRequest {
            shipment_ids: vec![id],
            format: Format::from_id("imail_a4").unwrap(),
            start: 1,
            permit_no: String::new(),
            printer: "PDF".into(),
        };
        for (permit, rule) in [("", "R-144"), ("PP 1234", "R-203")] {
            r.permit_no = permit.into();
            let err = print(
                &state,
                || Err(CommandError::new("font", Refused::NoLabelFont)),
                &r,
                monday(),
                &spooler,
                &profiles_next_to(&dir),
                &mut |_| {},
            )
            .unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.rule.as_deref()),
                ("permit_no", Some(rule))
            );
        }
        assert!(spooler.sent.borrow().is_empty());
        // With a permit number the run goes on to draw the labels (here: no font, so it stops
        // there, past the permit check).
        r.permit_no = "PM 1234".into();
        let err = print(
            &state,
            || Err(CommandError::new("font", Refused::NoLabelFont)),
            &r,
            monday(),
            &spooler,
            &profiles_next_to(&dir),
            &mut |_| {},
        )
        .unwrap_err();
        assert_eq!(err.reason, Refused::NoLabelFont);
    }
}
