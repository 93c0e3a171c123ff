//! Labels as data: what goes where on every label format Satchel prints.
//!
//! The layout model is pure (no fonts, no PDF, no IO) so that every format can be checked as
//! text in snapshot tests, and the PDF and ZPL renderers only draw what it says: two
//! renderers, one truth. Positions are in tenths of a millimetre from the top-left corner of
//! the label, so layouts are exact integers and snapshots never wobble.
//!
//! Formats and contents follow the operator's rules: sizes and the 4×6 in thermal
//! roll; contents R-038 and R-044 (addresses, item-number barcode, CN22/CN23, air-mail mark,
//! iMail permit impression 40 × 20 mm top right R-045), the US office-of-exchange indicator
//! . A shipment without an item number is laid out as a DRAFT without a barcode,
//! so nothing unofficial reaches the counter.
//!
//! Renderers: [`pdf`] draws pages of labels (laser sheets, or thermal via CUPS) and [`zpl`]
//! writes one label for a raw thermal printer; both share the Code 128 encoding.
#![forbid(unsafe_code)]

mod code128;
mod layout;
pub mod pdf;
pub mod posting;
mod sheet;
pub mod svg;
pub mod zpl;

pub use layout::{layout, Element, Label, LabelInput, Weight};
pub use posting::{
    bag_labels, certificate_of_posting, statement, CertificateItem, DocPage, Document, PostingDocs,
};
pub use sheet::{pages, Page, Placed, SheetError};

use serde::{Deserialize, Serialize};

/// A length in tenths of a millimetre.
pub type Dmm = u32;

/// The label formats, with their sizes (width × height, tenths of a mm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// iMail all-in-one label, 210 × 90 mm, three to an A4 sheet.
    ImailA4,
    /// Speedpost, 184 × 129 mm per ply.
    Speedpost,
    /// Air/surface registered mail, 188 × 81 mm.
    Registered,
    /// Air/surface parcel, 188 × 135 mm first ply.
    Parcel,
    /// Any service on a 4 × 6 in thermal roll (101.6 × 152.4 mm).
    Thermal4x6,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::ImailA4,
        Format::Speedpost,
        Format::Registered,
        Format::Parcel,
        Format::Thermal4x6,
    ];

    /// (width, height) of one label.
    pub fn size(self) -> (Dmm, Dmm) {
        match self {
            Format::ImailA4 => (2100, 900),
            Format::Speedpost => (1840, 1290),
            Format::Registered => (1880, 810),
            Format::Parcel => (1880, 1350),
            Format::Thermal4x6 => (1016, 1524),
        }
    }

    /// The landscape formats put sender and recipient side by side; the thermal roll stacks.
    pub fn is_portrait(self) -> bool {
        self == Format::Thermal4x6
    }

    pub fn id(self) -> &'static str {
        match self {
            Format::ImailA4 => "imail_a4",
            Format::Speedpost => "speedpost",
            Format::Registered => "registered",
            Format::Parcel => "parcel",
            Format::Thermal4x6 => "thermal_4x6",
        }
    }
}
