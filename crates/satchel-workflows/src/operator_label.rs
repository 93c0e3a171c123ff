//! The operator's own label: EC-Ship's PDF for a numbered shipment, printed exactly as EC-Ship
//! made it.
//!
//! Why this exists: the label that reaches the counter must be the one EC-Ship generated,
//! unchanged in design and size (seed 001; ). So once a shipment
//! has an EC-Ship item number, Satchel's own layout is never printed for it: the stored PDF
//! is sent to the spooler byte for byte, with scaling off, and only to a printer whose paper
//! holds the label at its own size; a label past its validity (C-01) is refused. Satchel's
//! layouts remain for drafts (marked DRAFT, no barcode) and for iMail address labels used
//! with the merchant's pre-printed barcode labels, which have no EC-Ship order.

use chrono::NaiveDate;
use satchel_core::calendar::label_expiry;
use satchel_ipc::{CommandError, Refused};
use satchel_store::{ShipmentRecord, Store};

use crate::store::store_error;

/// A label's or a sheet's size in millimetres (width, height).
pub type SizeMm = (f64, f64);

/// Millimetres a label may exceed the paper by and still count as fitting (rounding in the
/// PDF's points and the media keyword's whole millimetres).
const TOLERANCE_MM: f64 = 0.5;

/// True for a shipment whose label is EC-Ship's: it has an item number EC-Ship gave it.
pub fn is_operator_label(rec: &ShipmentRecord) -> bool {
    rec.ecship.is_some() && rec.draft.shipment.item_number.is_some()
}

/// The first page's size from a PDF's `/MediaBox`, in mm; `None` when there is none to read.
pub fn page_size_mm(pdf: &[u8]) -> Option<SizeMm> {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/MediaBox")?;
    let rest = &text[at + "/MediaBox".len()..];
    let open = rest.find('[')?;
    let close = rest.find(']')?;
    let nums: Vec<f64> = rest[open + 1..close]
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [x0, y0, x1, y1] = nums[..] else {
        return None;
    };
    let mm = |pt: f64| (pt * 25.4 / 72.0 * 10.0).round() / 10.0;
    Some((mm((x1 - x0).abs()), mm((y1 - y0).abs())))
}

/// The sheet size of a PWG media keyword (`iso_a4_210x297mm`, `oe_4x6-label_4x6in`).
pub fn media_size_mm(keyword: &str) -> Option<SizeMm> {
    let dims = keyword.rsplit('_').next()?;
    let (dims, per_unit) = if let Some(d) = dims.strip_suffix("mm") {
        (d, 1.0)
    } else {
        (dims.strip_suffix("in")?, 25.4)
    };
    let (w, h) = dims.split_once('x')?;
    Some((
        w.parse::<f64>().ok()? * per_unit,
        h.parse::<f64>().ok()? * per_unit,
    ))
}

/// True when the label fits the sheet at its own size, either way round.
pub fn fits(label: SizeMm, sheet: SizeMm) -> bool {
    let within = |a: SizeMm, b: SizeMm| a.0 <= b.0 + TOLERANCE_MM && a.1 <= b.1 + TOLERANCE_MM;
    within(label, sheet) || within((label.1, label.0), sheet)
}

/// One operator label ready to send: its shipment and its PDF bytes, unchanged.
#[derive(Debug)]
pub struct Ready {
    pub record: ShipmentRecord,
    pub pdf: Vec<u8>,
}

/// The stored EC-Ship labels of `records`, checked before anything prints: every one is
/// there, within its validity on `today` (C-01) and fits `media` at its own size.
pub fn ready(
    store: &Store,
    records: Vec<ShipmentRecord>,
    media: &str,
    today: NaiveDate,
) -> Result<Vec<Ready>, CommandError> {
    let sheet = media_size_mm(media);
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let item = record
            .draft
            .shipment
            .item_number
            .as_ref()
            .map(|i| i.as_str().to_owned())
            .unwrap_or_default();
        if let Some(order) = &record.ecship {
            let made = crate::clock::hk_date(order.created_at);
            let validity = label_expiry(record.draft.shipment.service, made, Some(made));
            if validity.is_expired(today) {
                return Err(CommandError::new(
                    "shipment_ids",
                    Refused::LabelExpired {
                        item,
                        expired_on: validity.expires_on,
                    },
                )
                .with_rule("C-01"));
            }
        }
        let pdf = store
            .address_pack(&record.id)
            .map_err(store_error)?
            .ok_or_else(|| {
                CommandError::new(
                    "shipment_ids",
                    Refused::OperatorLabelMissing { item: item.clone() },
                )
                .with_rule("R-036")
            })?;
        if let (Some(label), Some(sheet)) = (page_size_mm(&pdf), sheet) {
            if !fits(label, sheet) {
                // The sizes are the log's, not the merchant's: the wording names the paper.
                eprintln!(
                    "satchel: label {:.0} x {:.0} mm does not fit {media}",
                    label.0, label.1
                );
                return Err(CommandError::new(
                    "printer",
                    Refused::LabelDoesNotFit {
                        item,
                        paper_mm: [sheet.0.round() as u16, sheet.1.round() as u16],
                    },
                )
                .with_rule("R-036"));
            }
        }
        out.push(Ready { record, pdf });
    }
    Ok(out)
}

/// Pages in a PDF, counted by its page objects (for progress and the result).
pub fn page_count(pdf: &[u8]) -> u32 {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(i, _)| !text[i + "/Type /Page".len()..].starts_with('s'))
        .count()
        .max(1) as u32
}

/// Who printed, for the reprint log: the operating-system user, never customer data.
pub fn who() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "this device".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_keywords_read_as_sheet_sizes() {
        assert_eq!(media_size_mm("iso_a4_210x297mm"), Some((210.0, 297.0)));
        let (w, h) = media_size_mm("oe_4x6-label_4x6in").unwrap();
        assert!((w - 101.6).abs() < 0.01 && (h - 152.4).abs() < 0.01);
        assert_eq!(media_size_mm("letter"), None);
    }

    #[test]
    fn only_the_us_eexpress_label_fits_a_4x6_sheet() {
        let four_by_six = media_size_mm("oe_4x6-label_4x6in").unwrap();
        let a4 = media_size_mm("iso_a4_210x297mm").unwrap();
        assert!(fits((101.0, 101.0), four_by_six));
        assert!(!fits((189.0, 135.0), four_by_six));
        assert!(fits((189.0, 135.0), a4), "rotated onto A4");
        assert!(!fits((210.0, 297.0), four_by_six));
        assert!(fits((210.0, 297.0), a4));
    }

    #[test]
    fn the_page_size_comes_from_the_media_box() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Page /MediaBox [0 0 286.30 286.30] >> endobj";
        assert_eq!(page_size_mm(pdf), Some((101.0, 101.0)));
        assert_eq!(page_count(pdf), 1);
        assert_eq!(page_size_mm(b"%PDF-1.4 nothing"), None);
    }
}
