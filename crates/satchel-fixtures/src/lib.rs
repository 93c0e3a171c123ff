//! Test data only: the sample parties and shipments that the store, label, CLI and outbox
//! tests all send. It is a dev-dependency and never part of a build that ships.
//!
//! The tests grew their own copies of the same Hong Kong shop posting a silk scarf by
//! Speedpost, and copies drift: one gains a phone number and another test's expectation
//! quietly stops meaning what it says. Here each sample is built once, and a test that needs
//! something different says so with struct update syntax (`Shipment { reference, ..base }`),
//! so the difference is what the reader sees.

#![forbid(unsafe_code)]

pub mod http;
pub mod printing;
pub mod shop;
pub mod tariffs;

use satchel_core::model::{
    ContentCategory, ContentLine, Customs, Grams, Hkd, Parcel, Party, Shipment,
};
use satchel_core::service::Service;

/// A Hong Kong return address in Kowloon with a mobile number: valid as a sender profile
/// and for every service.
pub fn hk_sender(name: &str) -> Party {
    Party {
        name: name.into(),
        lines: vec!["Flat A, 12/F, 8 Nathan Road".into()],
        city: "Kowloon".into(),
        country: "HK".into(),
        phone: "+852 9123 4567".into(),
        ..Party::default()
    }
}

/// A recipient in Ginza, Tokyo, with postcode and phone, as EC-Ship wants for Speedpost.
pub fn tokyo_recipient(name: &str) -> Party {
    Party {
        name: name.into(),
        lines: vec!["1-2-3 Ginza".into()],
        city: "Tokyo".into(),
        postcode: "104-0061".into(),
        country: "JP".into(),
        phone: "+81 3 1234 5678".into(),
        ..Party::default()
    }
}

/// A Mong Kok shop whose address is in English and Chinese, so a label exercises the CJK font.
pub fn little_shop() -> Party {
    Party {
        name: "小店 Little Shop".into(),
        lines: vec![
            "Shop 12, G/F, 8 Fa Yuen Street".into(),
            "旺角花園街8號地下12號舖".into(),
        ],
        city: "Kowloon".into(),
        country: "HK".into(),
        phone: "+852 9123 4567".into(),
        ..Party::default()
    }
}

/// A recipient in Taipei with a name and address in Chinese only.
pub fn taipei_recipient() -> Party {
    Party {
        name: "陳小明".into(),
        lines: vec!["台北市信義區信義路五段7號".into()],
        city: "Taipei".into(),
        postcode: "110".into(),
        country: "TW".into(),
        phone: "+886 2 8101 8800".into(),
        ..Party::default()
    }
}

/// One customs line of silk scarves made in Hong Kong, HKD 350.00 in all, HS 6214.10.
pub fn silk_scarf(description: &str, quantity: u32, net_weight_g: Grams) -> ContentLine {
    ContentLine {
        description: description.into(),
        quantity,
        net_weight_g,
        value: Hkd::new(35000, 2),
        currency: "HKD".into(),
        hs_code: "62141000".into(),
        origin_country: "HK".into(),
    }
}

/// A 480 g Speedpost parcel declared as a gift holding `line`, with no reference, insurance or
/// item number yet.
pub fn speedpost(sender: Party, recipient: Party, line: ContentLine) -> Shipment {
    speedpost_of(sender, recipient, 480, ContentCategory::Gift, line)
}

/// The one place a sample Shipment is spelled out, so a field added to the model is filled
/// in once.
fn speedpost_of(
    sender: Party,
    recipient: Party,
    weight_g: Grams,
    category: ContentCategory,
    line: ContentLine,
) -> Shipment {
    Shipment {
        sender,
        recipient,
        service: Service::Speedpost,
        zone: String::new(),
        parcel: Parcel {
            weight_g,
            dimensions: None,
        },
        customs: Some(Customs {
            category,
            lines: vec![line],
            explanation: String::new(),
            invoice_no: String::new(),
        }),
        insured_value: None,
        reference: String::new(),
        item_number: None,
        non_delivery: None,
    }
}

/// Order `n` of a batch for EC-Ship: "Satchel Trading" to "Customer n" in Tokyo, reference
/// `ORD-n`, one 250 g scarf, weighing `weight_g` so that orders differ in postage.
pub fn numbered_order(n: usize, weight_g: Grams) -> Shipment {
    let mut s = speedpost(
        hk_sender("Satchel Trading"),
        tokyo_recipient(&format!("Customer {n}")),
        silk_scarf("Silk scarf", 1, 250),
    );
    s.parcel.weight_g = weight_g;
    s.reference = format!("ORD-{n}");
    s
}

/// The smallest sender EC-Ship takes: a name, one line in Central, the country.
pub fn queens_road_shop() -> Party {
    Party {
        name: "Satchel Shop".into(),
        lines: vec!["1 Queen's Road C.".into()],
        country: "HK".into(),
        ..Party::default()
    }
}

/// Two toy cars made in China and sold for HKD 120.50, HS 9503.00.
pub fn toy_cars() -> ContentLine {
    ContentLine {
        description: "Toy car".into(),
        quantity: 2,
        net_weight_g: 300,
        value: Hkd::new(12050, 2),
        currency: "HKD".into(),
        hs_code: "95030090".into(),
        origin_country: "CN".into(),
    }
}

/// A 500 g Speedpost sale of [`toy_cars`] from [`queens_road_shop`] to `recipient_name` in
/// Ginza, Tokyo (no postcode or phone): the shipment the EC-Ship envelope and simulator tests
/// send, with names that XML must escape passed in.
pub fn toy_car_sale(recipient_name: &str) -> Shipment {
    let recipient = Party {
        name: recipient_name.into(),
        lines: vec!["1-2-3 Ginza".into()],
        city: "Tokyo".into(),
        country: "JP".into(),
        ..Party::default()
    };
    speedpost_of(
        queens_road_shop(),
        recipient,
        500,
        ContentCategory::SaleOfGoods,
        toy_cars(),
    )
}
