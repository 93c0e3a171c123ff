//! Putting labels on pages: several to an A4 sheet for the laser formats (three iMail labels
//! per sheet, R-043), one per page on the thermal roll. A start position lets a merchant use
//! a part-used sheet of iMail labels instead of wasting it.

use serde::{Deserialize, Serialize};

use crate::{Dmm, Format, Label};

/// A4 in tenths of a mm.
pub const A4: (Dmm, Dmm) = satchel_core::label_format::A4_TENTHS_MM;

/// A label at a position on a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    pub x: Dmm,
    pub y: Dmm,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub width: Dmm,
    pub height: Dmm,
    pub labels: Vec<Placed>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    /// The start position is outside 1..=labels per sheet.
    StartPosition { start: usize, per_sheet: usize },
    /// A label of another format was given.
    MixedFormats,
}

impl std::fmt::Display for SheetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SheetError::StartPosition { start, per_sheet } => {
                write!(
                    f,
                    "start position {start}: a sheet holds positions 1 to {per_sheet}"
                )
            }
            SheetError::MixedFormats => {
                write!(f, "all labels on a sheet must have the same format")
            }
        }
    }
}

impl std::error::Error for SheetError {}

/// Lays `labels` out on pages, the first at position `start` (1-based) of the first sheet.
/// Labels stack from the top of the sheet, centred across it (the iMail sheet is 210 mm wide,
/// so its labels touch both edges, and 27 mm stay blank at the bottom).
pub fn pages(labels: Vec<Label>, format: Format, start: usize) -> Result<Vec<Page>, SheetError> {
    let (per, (pw, ph)) = format.sheet();
    if start == 0 || start > per {
        return Err(SheetError::StartPosition {
            start,
            per_sheet: per,
        });
    }
    if labels.iter().any(|l| l.format != format) {
        return Err(SheetError::MixedFormats);
    }
    let (lw, lh) = format.size();
    let x = (pw - lw) / 2;
    let mut out: Vec<Page> = Vec::new();
    for (i, label) in labels.into_iter().enumerate() {
        let slot = i + start - 1;
        if slot.is_multiple_of(per) || out.is_empty() {
            out.push(Page {
                width: pw,
                height: ph,
                labels: Vec::new(),
            });
        }
        let y = (slot % per) as Dmm * lh;
        if let Some(page) = out.last_mut() {
            page.labels.push(Placed { x, y, label });
        }
    }
    Ok(out)
}
