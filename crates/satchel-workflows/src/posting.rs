//! iMail posting documents for a batch of stored iMail shipments: the posting statement, the
//! bag labels and the certificate of posting, previewed as SVG and printed as a PDF.
//!
//! The documents are laid out by `satchel_labels::posting`; this module only turns the
//! selected shipments into the `Posting` those layouts take. Bags are formed here because the
//! app has no bagging screen yet: one destination per bag, a new bag whenever the next
//! item would pass the bag limit (R-142, `imail_bag_limit_g`), weights unweighed (the
//! statement then marks its charge an ESTIMATE). The sender is the default sender profile and
//! the rates those in force on the date of posting. Printing goes through the same
//! [`Spooler`] as the labels, with no names in the job title (CUPS keeps job history).

use chrono::NaiveDate;
use satchel_core::imail::form_bags;
use satchel_core::model::{Posting, PostingItem};
use satchel_core::rates::RateSet;
use satchel_core::service::Service;
use satchel_core::validate::validate_posting;
use satchel_ipc::{
    CommandError, PostingDoc, PostingPreview, PostingPrintResult, PostingRequest,
    PrintPostingRequest, ProblemDto, Refused,
};
use satchel_labels::pdf::Font;
use satchel_labels::posting::Document;
use satchel_labels::{bag_labels, certificate_of_posting, statement, CertificateItem, PostingDocs};
use satchel_print::PrintOptions;
use satchel_store::Store;

use crate::labels::{job_state, print_error, Spooler};
use crate::store::{store_error, SharedStore};

/// A posting made from stored shipments, with what each document needs.
#[derive(Debug, Clone)]
pub struct Built {
    pub merchant: String,
    pub date: NaiveDate,
    pub posting: Posting,
    pub certificate: Vec<CertificateItem>,
}

fn posting_date(date: &str, today: NaiveDate) -> Result<NaiveDate, CommandError> {
    let d = date.trim();
    if d.is_empty() {
        return Ok(today);
    }
    satchel_core::dates::parse(d).ok_or_else(|| {
        CommandError::new(
            "date",
            Refused::DateFormat {
                value: d.to_owned(),
            },
        )
    })
}

/// The posting of the selected shipments, which must all be iMail.
pub fn build(store: &Store, r: &PostingRequest, today: NaiveDate) -> Result<Built, CommandError> {
    let date = posting_date(&r.date, today)?;
    if r.shipment_ids.is_empty() {
        return Err(CommandError::new("shipment_ids", Refused::NoImailSelected));
    }
    let mut shipments = Vec::with_capacity(r.shipment_ids.len());
    for id in &r.shipment_ids {
        let rec = store.shipment(id).map_err(store_error)?.ok_or_else(|| {
            store_error(satchel_store::Error::NotFound {
                entity: "shipment",
                id: id.clone(),
            })
        })?;
        if rec.draft.shipment.service != Service::Imail {
            return Err(CommandError::new("shipment_ids", Refused::NotImail));
        }
        shipments.push(rec.draft.shipment);
    }
    let merchant = store
        .default_sender()
        .map_err(store_error)?
        .map(|c| c.input.party.name)
        .ok_or_else(|| CommandError::new("sender", Refused::NoDefaultSender))?;
    let weights: Vec<(String, u32)> = shipments
        .iter()
        .map(|s| (s.country(), s.parcel.weight_g))
        .collect();
    let (bags, bag_of) = form_bags(&weights);
    let items = shipments
        .iter()
        .zip(&bag_of)
        .map(|(s, bag)| PostingItem {
            reference: s.reference.clone(),
            destination: s.country(),
            weight_g: s.parcel.weight_g,
            bag: Some(*bag),
        })
        .collect();
    let certificate = shipments
        .iter()
        .map(|s| CertificateItem {
            item_number: s.item_number.clone(),
            reference: s.reference.clone(),
            recipient: s.recipient.name.clone(),
            destination: s.country(),
            weight_g: s.parcel.weight_g,
            office_of_exchange: None,
        })
        .collect();
    Ok(Built {
        merchant,
        date,
        posting: Posting {
            permit_no: r.permit_no.trim().to_owned(),
            items,
            bags,
        },
        certificate,
    })
}

/// The chosen document of a built posting.
pub fn document(b: &Built, doc: PostingDoc, rates: &RateSet) -> Result<Document, CommandError> {
    let docs = PostingDocs {
        merchant: &b.merchant,
        date: b.date,
        posting: &b.posting,
    };
    match doc {
        PostingDoc::Statement => statement(&docs, &rates.as_of(b.date)).map_err(|e| {
            CommandError::new(
                "shipment_ids",
                Refused::NoImailCharge {
                    detail: e.to_string(),
                },
            )
        }),
        PostingDoc::BagLabels => Ok(bag_labels(&docs)),
        PostingDoc::Certificate => Ok(certificate_of_posting(&docs, &b.certificate)),
        // EC-Ship makes it: nothing of Satchel's is drawn (see `ecship::print_certificate`).
        PostingDoc::EcshipCertificate => Ok(Document {
            title: "EC-Ship Certificate of Posting".into(),
            pages: Vec::new(),
        }),
    }
}

/// The EC-Ship item numbers of the selected shipments, for EC-Ship's own posting documents;
/// refused when any has none (it was never submitted, or carries a pre-printed number).
pub fn ecship_numbers(
    store: &Store,
    ids: &[String],
) -> Result<Vec<satchel_core::s10::ItemNumber>, CommandError> {
    let mut numbers = Vec::with_capacity(ids.len());
    let mut missing = 0;
    for id in ids {
        let rec = store.shipment(id).map_err(store_error)?;
        match rec
            .filter(|r| r.ecship.is_some())
            .and_then(|r| r.draft.shipment.item_number)
        {
            Some(n) => numbers.push(n),
            None => missing += 1,
        }
    }
    if missing > 0 {
        return Err(CommandError::new(
            "shipment_ids",
            Refused::CertificateNeedsNumbers { count: missing },
        ));
    }
    Ok(numbers)
}

/// The posting's problems by the operator's rules (`validate_posting`), worded for the window.
pub fn problems(b: &Built) -> Vec<ProblemDto> {
    validate_posting(&b.posting)
        .iter()
        .map(crate::convert::problem)
        .collect()
}

pub fn preview(
    store: &Store,
    rates: &RateSet,
    r: &PostingRequest,
    today: NaiveDate,
) -> Result<PostingPreview, CommandError> {
    let built = build(store, r, today)?;
    if r.doc.from_ecship() {
        ecship_numbers(store, &r.shipment_ids)?;
    }
    let doc = document(&built, r.doc, rates)?;
    let pages = doc.to_pages();
    let selected: Vec<_> = r
        .shipment_ids
        .iter()
        .filter_map(|id| store.shipment(id).ok().flatten())
        .collect();
    // The notes are for the date of posting, at the start of the counter's day.
    let notes = crate::calendar::notes(
        &selected,
        built.date.and_time(chrono::NaiveTime::MIN),
        &crate::calendar::severe_weather_days(store),
    );
    Ok(PostingPreview {
        svg: pages
            .first()
            .map(satchel_labels::svg::render_page)
            .unwrap_or_default(),
        pages: pages.len() as u32,
        items: built.posting.items.len() as u32,
        bags: built.posting.bags.len() as u32,
        date: built.date.format("%Y-%m-%d").to_string(),
        problems: problems(&built),
        notes,
    })
}

/// Lay out (holding the store only to read), render, send and wait.
pub fn print<'f>(
    store: &SharedStore,
    rates: &RateSet,
    font: impl FnOnce() -> Result<&'f Font, CommandError>,
    r: &PrintPostingRequest,
    today: NaiveDate,
    spooler: &dyn Spooler,
) -> Result<PostingPrintResult, CommandError> {
    let built = build(&store.lock(), &r.posting, today)?;
    // The posting rules (R-138–R-149, the permit) are checked before anything
    // prints: a statement for a posting the counter will refuse helps nobody.
    let problems = problems(&built);
    if problems.iter().any(|p| p.error) {
        return Err(CommandError::invalid(problems));
    }
    let doc = document(&built, r.posting.doc, rates)?;
    let pages = doc.to_pages();
    let pdf = satchel_labels::pdf::render(&pages, font()?, None).map_err(|e| {
        CommandError::new(
            "doc",
            Refused::DocumentNotDrawn {
                detail: e.to_string(),
            },
        )
    })?;
    let options = PrintOptions {
        // No names in the title: CUPS keeps job history.
        title: format!(
            "Satchel iMail {} x {}",
            r.posting.doc.id(),
            built.posting.items.len()
        ),
        ..PrintOptions::default()
    };
    let job = spooler
        .send(&r.printer, &pdf.bytes, &options)
        .map_err(print_error)?;
    let state = spooler.wait(&job).map_err(print_error)?;
    Ok(PostingPrintResult {
        job_id: job.id,
        printer: r.printer.clone(),
        state: job_state(state),
        pages: pages.len() as u32,
        missing_glyphs: pdf.missing_glyphs.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::sync::OnceLock;

    use super::*;
    use crate::contacts::tests::{saved, shop, temp_store, tokyo};
    use crate::{contacts, shipments, Engine};
    use satchel_ipc::{PartyDto, PrintJobState, SaveShipmentRequest, ShipmentDraftDto};
    use satchel_print::{JobId, JobState, PrintError};

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// A default sender and one iMail draft each to Japan and Great Britain; returns their ids.
    fn imail_drafts(store: &mut Store, with_sender: bool) -> Vec<String> {
        imail_posting(store, with_sender, 1)
    }

    /// A default sender and `per_destination` iMail drafts each to Japan and Great Britain.
    fn imail_posting(store: &mut Store, with_sender: bool, per_destination: usize) -> Vec<String> {
        let engine = Engine::load();
        let tokyo = saved(contacts::save(store, tokyo()).unwrap());
        let sender = if with_sender {
            saved(contacts::save(store, shop()).unwrap()).party
        } else {
            shop().party
        };
        let london = PartyDto {
            name: "Mary Jones".into(),
            lines: vec!["10 Downing Street".into()],
            city: "London".into(),
            postcode: "SW1A 2AA".into(),
            country: "GB".into(),
            ..PartyDto::default()
        };
        (0..per_destination)
            .flat_map(|i| {
                [
                    (tokyo.party.clone(), format!("ORD-{}", 2 * i + 1), 300),
                    (london.clone(), format!("ORD-{}", 2 * i + 2), 250),
                ]
            })
            .map(|(recipient, reference, weight_g)| {
                let draft = ShipmentDraftDto {
                    sender: sender.clone(),
                    recipient,
                    service: "imail".into(),
                    weight_g,
                    category: "gift".into(),
                    reference,
                    ..ShipmentDraftDto::default()
                };
                shipments::save(
                    store,
                    &engine,
                    SaveShipmentRequest { id: None, draft },
                    day(),
                )
                .unwrap()
                .id
            })
            .collect()
    }

    fn request(ids: Vec<String>, doc: &str) -> PostingRequest {
        PostingRequest {
            shipment_ids: ids,
            permit_no: "PM 1234".into(),
            date: String::new(),
            doc: PostingDoc::from_id(doc).unwrap(),
        }
    }

    #[test]
    fn the_selected_shipments_make_a_posting_with_the_default_sender() {
        let (_dir, mut store) = temp_store();
        let ids = imail_drafts(&mut store, true);
        let rates = RateSet::bundled();
        let built = build(&store, &request(ids.clone(), "statement"), day()).unwrap();
        assert_eq!(built.merchant, "Satchel Trading");
        assert_eq!(built.date, day());
        assert_eq!(built.posting.permit_no, "PM 1234");
        assert_eq!(built.posting.bags.len(), 2);
        assert_eq!(built.certificate.len(), 2);

        let p = preview(&store, &rates, &request(ids.clone(), "statement"), day()).unwrap();
        assert!(p.svg.starts_with("<svg"));
        assert!(p.svg.contains("TOTAL"), "statement totals");
        assert_eq!((p.items, p.bags, p.pages), (2, 2, 1));
        assert_eq!(p.date, "2026-11-23");
        let bags = preview(&store, &rates, &request(ids.clone(), "bag_labels"), day()).unwrap();
        assert!(bags.svg.contains("PM 1234"), "permit on the bag label");
        let cert = preview(&store, &rates, &request(ids.clone(), "certificate"), day()).unwrap();
        assert!(cert.svg.contains("ORD-1"));

        let mut dated = request(ids.clone(), "statement");
        dated.date = "2026-12-01".into();
        assert_eq!(
            preview(&store, &rates, &dated, day()).unwrap().date,
            "2026-12-01"
        );
        dated.date = "1 Dec".into();
        assert_eq!(
            preview(&store, &rates, &dated, day()).unwrap_err().field,
            "date"
        );
        // A document the posting does not have cannot be asked for: the request does not
        // deserialize.
        let mut cn23 = serde_json::to_value(request(ids, "statement")).unwrap();
        cn23["doc"] = "cn23".into();
        assert!(serde_json::from_value::<PostingRequest>(cn23).is_err());
        assert_eq!(
            preview(&store, &rates, &request(Vec::new(), "statement"), day())
                .unwrap_err()
                .field,
            "shipment_ids"
        );
    }

    #[test]
    fn no_default_sender_or_a_non_imail_shipment_is_refused() {
        let (_dir, mut store) = temp_store();
        let ids = imail_drafts(&mut store, false);
        let err = build(&store, &request(ids, "statement"), day()).unwrap_err();
        assert_eq!(err.field, "sender");

        let (_dir, mut store) = temp_store();
        let mut ids = imail_drafts(&mut store, true);
        let mut rec = store.shipment(&ids[0]).unwrap().unwrap();
        rec.draft.shipment.service = Service::Speedpost;
        store
            .update_shipment(&ids[0], &rec.draft, &rec.assessment)
            .unwrap();
        ids.truncate(1);
        let err = build(&store, &request(ids, "statement"), day()).unwrap_err();
        assert_eq!(err.field, "shipment_ids");
    }

    struct Fake {
        titles: RefCell<Vec<String>>,
    }

    impl Spooler for Fake {
        fn send(&self, printer: &str, pdf: &[u8], o: &PrintOptions) -> Result<JobId, PrintError> {
            assert!(pdf.starts_with(b"%PDF"));
            self.titles.borrow_mut().push(o.title.clone());
            Ok(JobId {
                printer_uri: format!("ipp://localhost:631/printers/{printer}"),
                queue: Some(printer.into()),
                id: 7,
            })
        }
        fn wait(&self, _: &JobId) -> Result<JobState, PrintError> {
            Ok(JobState::Completed)
        }
    }

    #[cfg(feature = "system-tests")] // the label font
    fn font() -> &'static Font {
        static FONT: OnceLock<Font> = OnceLock::new();
        FONT.get_or_init(|| Font::system_cjk().expect("fonts-noto-cjk is installed"))
    }

    #[test]
    fn a_posting_under_the_minimums_shows_its_rules_and_does_not_print() {
        let (_dir, mut store) = temp_store();
        let ids = imail_drafts(&mut store, true);
        let rates = RateSet::bundled();
        let p = preview(&store, &rates, &request(ids.clone(), "statement"), day()).unwrap();
        let rules: Vec<&str> = p.problems.iter().map(|p| p.rule.as_str()).collect();
        for rule in ["R-138", "R-140"] {
            assert!(rules.contains(&rule), "{rule} in {rules:?}");
        }
        let state = SharedStore::new(store);
        let spooler = Fake {
            titles: RefCell::default(),
        };
        let r = PrintPostingRequest {
            posting: request(ids, "statement"),
            printer: "PDF".into(),
        };
        let err = print(
            &state,
            &rates,
            || Err(CommandError::new("font", Refused::NoLabelFont)),
            &r,
            day(),
            &spooler,
        )
        .unwrap_err();
        assert_eq!(err.reason, Refused::Invalid);
        assert_eq!(err.rule.as_deref(), Some("R-138"));
        assert!(spooler.titles.borrow().is_empty(), "nothing was sent");
    }

    #[test]
    fn the_permit_must_be_a_pm_number() {
        let (_dir, mut store) = temp_store();
        let ids = imail_posting(&mut store, true, 10);
        let rates = RateSet::bundled();
        let mut r = request(ids, "statement");
        assert!(preview(&store, &rates, &r, day())
            .unwrap()
            .problems
            .is_empty());
        r.permit_no = "PP 1234".into();
        let p = preview(&store, &rates, &r, day()).unwrap();
        assert_eq!(p.problems.len(), 1);
        assert_eq!(
            (p.problems[0].rule.as_str(), p.problems[0].field.as_str()),
            ("R-203", "permit_no")
        );
        r.permit_no = String::new();
        let p = preview(&store, &rates, &r, day()).unwrap();
        assert_eq!(p.problems[0].rule, "R-144");
    }

    #[cfg(feature = "system-tests")] // the label font
    #[test]
    fn bag_labels_print_through_the_spooler_without_names() {
        let (_dir, mut store) = temp_store();
        let ids = imail_posting(&mut store, true, 10);
        let state = SharedStore::new(store);
        let rates = RateSet::bundled();
        let spooler = Fake {
            titles: RefCell::default(),
        };
        let mut r = PrintPostingRequest {
            posting: request(ids, "bag_labels"),
            printer: "PDF".into(),
        };
        let out = print(&state, &rates, || Ok(font()), &r, day(), &spooler).unwrap();
        assert_eq!((out.job_id, out.state), (7, PrintJobState::Completed));
        assert_eq!(spooler.titles.borrow()[0], "Satchel iMail bag_labels x 20");

        r.posting.permit_no = " ".into();
        let err = print(&state, &rates, || Ok(font()), &r, day(), &spooler).unwrap_err();
        assert_eq!(err.field, "permit_no");
        assert_eq!(spooler.titles.borrow().len(), 1);
    }
}
