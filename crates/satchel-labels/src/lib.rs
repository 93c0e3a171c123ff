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

/// A length in tenths of a millimetre.
pub type Dmm = u32;

/// The label formats and their sizes are the core's (`satchel_core::label_format`): the
/// contract, the printer profiles and the CLI name them with the same ids.
pub use satchel_core::label_format::LabelFormat as Format;
