//! Shipments for the renderer tests and the bench: a Hong Kong shop sending to Taipei, with a
//! Chinese address on both sides, so every label exercises the CJK font.
#![allow(dead_code)]

use chrono::NaiveDate;
use satchel_core::model::Shipment;
use satchel_core::s10::ItemNumber;
use satchel_core::service::{LetterFormat, Service};
use satchel_fixtures as fx;
use satchel_labels::{layout, Format, Label, LabelInput};

pub fn shipment(service: Service, number: Option<ItemNumber>) -> Shipment {
    Shipment {
        service,
        reference: "ORD-1001".into(),
        item_number: number,
        ..fx::speedpost(
            fx::little_shop(),
            fx::taipei_recipient(),
            fx::silk_scarf("Silk scarf 絲巾", 2, 400),
        )
    }
}

/// The service each format is printed for.
pub fn service(format: Format) -> Service {
    match format {
        Format::ImailA4 => Service::Imail,
        Format::Speedpost => Service::Speedpost,
        Format::Registered => Service::AirRegistered(LetterFormat::LargeLetter),
        Format::Parcel => Service::AirParcel,
        Format::Thermal4x6 => Service::EExpress,
    }
}

/// Distinct, valid S10 numbers: LX 12345678 + i, with their check digits.
pub fn item_numbers(n: u32) -> Vec<ItemNumber> {
    (0..n)
        .map(|i| ItemNumber::from_parts("LX", 12_345_678 + i, "HK").expect("valid S10"))
        .collect()
}

/// A numbered label is an iMail one (R-047: the only service Satchel draws a final label for,
/// in whichever format the merchant's printer takes); an unnumbered one is a draft of the
/// format's own service.
pub fn label(format: Format, number: Option<ItemNumber>) -> Label {
    let service = if number.is_some() {
        Service::Imail
    } else {
        service(format)
    };
    let s = shipment(service, number);
    let input = LabelInput {
        shipment: &s,
        permit_no: Some("PM 1234"),
        office_of_exchange: None,
        date: NaiveDate::from_ymd_opt(2026, 11, 21),
    };
    layout(&input, format)
}

pub fn labels(format: Format, n: u32) -> Vec<Label> {
    item_numbers(n)
        .into_iter()
        .map(|number| label(format, Some(number)))
        .collect()
}
