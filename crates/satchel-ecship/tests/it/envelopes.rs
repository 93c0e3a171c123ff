//! The envelopes as whole strings: what would go on the wire for fixed inputs.

use chrono::{TimeZone, Utc};
use satchel_core::model::{NonDelivery, Party, Shipment};
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use satchel_ecship::{
    cancel_order, create_order, get_item_no, get_total_postage, Account, Codes, Identity,
    MappingError, Stamp,
};
use satchel_fixtures as fx;
use uuid::Uuid;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:web="http://webservice.integrator.hkpost.com" xmlns:obj="http://object.integrator.hkpost.com">
  <soapenv:Header>
    <wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
      <wsse:UsernameToken>
        <wsse:Username>shop-api</wsse:Username>
        <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">HHqu8jOLsSM+o0kfGMVoaCJ2nL4=</wsse:Password>
        <wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">AAECAwQFBgcICQoLDA0ODw==</wsse:Nonce>
        <wsu:Created>2024-01-01T00:00:00Z</wsu:Created>
      </wsse:UsernameToken>
    </wsse:Security>
  </soapenv:Header>
  <soapenv:Body>
"#;

const TAIL: &str = "  </soapenv:Body>\n</soapenv:Envelope>\n";

fn stamp() -> Stamp {
    Stamp {
        nonce: (0u8..16).collect(),
        created: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
    }
}

fn account() -> Account {
    Account {
        ecship_username: "shop".into(),
        hkp_id: "hkp-1".into(),
        integrator_username: "shop-api".into(),
        api_key: "test-api-key".into(),
        identity: Identity::EcshipUsername,
    }
}

fn id() -> Uuid {
    Uuid::parse_str("01890a5d-ac96-774b-bcce-b302099a8057").unwrap()
}

fn shipment() -> Shipment {
    let mut s = Shipment {
        sender: Party {
            phone: "+852 9123 4567".into(),
            ..fx::queens_road_shop()
        },
        recipient: Party {
            name: r#"<Tom & "Jerry's">"#.into(),
            company: "ACME".into(),
            lines: vec!["1-2-3 Ginza".into(), "Chuo-ku".into()],
            city: "Tokyo".into(),
            postcode: "104-0061".into(),
            country: "JP".into(),
            ..Party::default()
        },
        reference: "order-42".into(),
        ..fx::toy_car_sale("")
    };
    if let Some(c) = s.customs.as_mut() {
        c.invoice_no = "INV-1".into();
    }
    s
}

fn body(op: &str, wrapper: &str, fields: &str) -> String {
    format!("{HEAD}    <web:{op}>\n      <web:{wrapper}>\n{fields}      </web:{wrapper}>\n    </web:{op}>\n{TAIL}")
}

#[test]
fn total_postage_matches_the_doc_sample_shape() {
    let got = get_total_postage(&stamp(), &account(), &Codes::default(), &shipment()).unwrap();
    let want = body(
        "getTotalPostage",
        "api01Req",
        "        <obj:countryCode>JPA</obj:countryCode>
        <obj:ecshipUsername>shop</obj:ecshipUsername>
        <obj:integratorUsername>shop-api</obj:integratorUsername>
        <obj:shipCode>EMS</obj:shipCode>
        <obj:weight>0.5</obj:weight>
",
    );
    assert_eq!(got, want);
}

#[test]
fn create_order_escapes_and_uses_our_id_as_ref_no() {
    let got = create_order(&stamp(), &account(), &Codes::default(), id(), &shipment()).unwrap();
    let want = body(
        "createOrder",
        "api02Req",
        "        <obj:countryCode>JPA</obj:countryCode>
        <obj:ecshipUsername>shop</obj:ecshipUsername>
        <obj:integratorUsername>shop-api</obj:integratorUsername>
        <obj:invoiceNumber>INV-1</obj:invoiceNumber>
        <obj:itemCategory>M</obj:itemCategory>
        <obj:mailType>E</obj:mailType>
        <obj:payFlag>OC</obj:payFlag>
        <obj:products>
          <web:item>
            <obj:contentDesc>Toy car</obj:contentDesc>
            <obj:currencyCode>HKD</obj:currencyCode>
            <obj:productCountry>CNG</obj:productCountry>
            <obj:productQty>2</obj:productQty>
            <obj:productTariffCode>95030090</obj:productTariffCode>
            <obj:productValue>120.50</obj:productValue>
            <obj:productWeight>0.3</obj:productWeight>
          </web:item>
        </obj:products>
        <obj:recipientAddress>ACME, 1-2-3 Ginza, Chuo-ku</obj:recipientAddress>
        <obj:recipientCity>Tokyo</obj:recipientCity>
        <obj:recipientName>&lt;Tom &amp; &quot;Jerry&apos;s&quot;&gt;</obj:recipientName>
        <obj:recipientPostalNo>104-0061</obj:recipientPostalNo>
        <obj:refNo>01890a5d-ac96-774b-bcce-b302099a8057</obj:refNo>
        <obj:senderAddress>1 Queen&apos;s Road C.</obj:senderAddress>
        <obj:senderContactNo>+852 9123 4567</obj:senderContactNo>
        <obj:senderCountry>Hong Kong SAR</obj:senderCountry>
        <obj:senderName>Satchel Shop</obj:senderName>
        <obj:shipCode>EMS</obj:shipCode>
",
    );
    assert_eq!(got, want);
    assert!(!got.contains("test-api-key"), "the key is never sent");
    assert!(
        !got.contains("order-42"),
        "refNo is our id, not the merchant's reference"
    );
}

#[test]
fn create_order_sends_configured_codes_and_refuses_only_what_has_none() {
    let codes = Codes::default();
    let mut s = shipment();
    s.service = Service::AirParcel;
    s.non_delivery = Some(NonDelivery::ReturnByAir);
    let got = create_order(&stamp(), &account(), &codes, id(), &s).unwrap();
    assert!(got.contains("<obj:nonDeliveryOptions>1</obj:nonDeliveryOptions>"));
    assert!(got.contains("<obj:shipCode>APL</obj:shipCode>"));
    let mut s = shipment();
    s.service = Service::EExpress;
    let got = create_order(&stamp(), &account(), &codes, id(), &s).unwrap();
    assert!(got.contains("<obj:shipCode>AEX</obj:shipCode>"));
    s.service = Service::Imail;
    assert!(matches!(
        create_order(&stamp(), &account(), &codes, id(), &s),
        Err(MappingError::NoShipCode(Service::Imail))
    ));
    let mut s = shipment();
    s.customs = None;
    assert_eq!(
        create_order(&stamp(), &account(), &codes, id(), &s),
        Err(MappingError::NoCustoms)
    );
}

#[test]
fn speedpost_through_soaz_posting_has_flat_numbered_fields() {
    use satchel_ecship::create_soaz_order;
    let got =
        create_soaz_order(&stamp(), &account(), &Codes::default(), id(), &shipment()).unwrap();
    assert!(got.contains("<web:createSoazOrder>"), "{got}");
    assert!(got.contains("<web:api30Req>"));
    for field in [
        "<obj:custOrdRef>01890a5d-ac96-774b-bcce-b302099a8057</obj:custOrdRef>",
        "<obj:addresseeCountry>JPA</obj:addresseeCountry>",
        "<obj:addresseeCompanyName>ACME</obj:addresseeCompanyName>",
        "<obj:addresseeAddr1>1-2-3 Ginza</obj:addresseeAddr1>",
        "<obj:itemDesc1>Toy car</obj:itemDesc1>",
        "<obj:itemHSCode1>95030090</obj:itemHSCode1>",
        "<obj:itemCtyCode1>CNG</obj:itemCtyCode1>",
        "<obj:itemCurrCode1>HKD</obj:itemCurrCode1>",
        "<obj:service>SPGDE</obj:service>",
        "<obj:insurFlag>N</obj:insurFlag>",
    ] {
        assert!(got.contains(field), "{field} missing in {got}");
    }
    let mut s = shipment();
    let line = s.customs.as_ref().unwrap().lines[0].clone();
    s.customs.as_mut().unwrap().lines = vec![line; 5];
    assert!(matches!(
        create_soaz_order(&stamp(), &account(), &Codes::default(), id(), &s),
        Err(MappingError::SoazContents {
            max: 4,
            lines: 5,
            ..
        })
    ));
}

#[test]
fn identity_field_is_configurable() {
    let mut a = account();
    a.identity = Identity::Both;
    let got = get_total_postage(&stamp(), &a, &Codes::default(), &shipment()).unwrap();
    assert!(got.contains("<obj:ecshipUsername>shop</obj:ecshipUsername>"));
    assert!(got.contains("<obj:hkpId>hkp-1</obj:hkpId>"));
    a.identity = Identity::HkpId;
    let got = get_total_postage(&stamp(), &a, &Codes::default(), &shipment()).unwrap();
    assert!(!got.contains("ecshipUsername"));
}

#[test]
fn get_item_no_needs_configured_codes() {
    assert_eq!(
        get_item_no(&stamp(), &account(), &Codes::default(), id()),
        Err(MappingError::Unconfigured("searchType"))
    );
    let codes = Codes {
        search_type_ref_no: Some("T".into()),
        sort_order: Some("S".into()),
        ..Codes::default()
    };
    let got = get_item_no(&stamp(), &account(), &codes, id()).unwrap();
    let want = body(
        "getItemNo",
        "api26Req",
        "        <obj:ecshipUsername>shop</obj:ecshipUsername>
        <obj:integratorUsername>shop-api</obj:integratorUsername>
        <obj:searchParam>01890a5d-ac96-774b-bcce-b302099a8057</obj:searchParam>
        <obj:searchType>T</obj:searchType>
        <obj:sortOrder>S</obj:sortOrder>
",
    );
    assert_eq!(got, want);
}

#[test]
fn cancel_order_envelope() {
    let item = ItemNumber::parse("RR123456785HK").unwrap();
    let got = cancel_order(&stamp(), &account(), &item, "ORD<1>");
    let want = body(
        "cancelOrder",
        "api03Req",
        "        <obj:ecshipUsername>shop</obj:ecshipUsername>
        <obj:integratorUsername>shop-api</obj:integratorUsername>
        <obj:itemNo>RR123456785HK</obj:itemNo>
        <obj:orderNo>ORD&lt;1&gt;</obj:orderNo>
",
    );
    assert_eq!(got, want);
}

#[test]
fn address_pack_and_tracking_envelopes() {
    use satchel_ecship::{get_address_pack, get_mtt_info, get_tt_info, PrintMode};
    let items = [
        ItemNumber::parse("RR123456785HK").unwrap(),
        ItemNumber::parse("EE123456785HK").unwrap(),
    ];
    assert_eq!(
        get_address_pack(&stamp(), &account(), &items, PrintMode::ThreePerPage),
        body(
            "getAddressPack",
            "api11Req",
            "        <obj:ecshipUsername>shop</obj:ecshipUsername>
        <obj:integratorUsername>shop-api</obj:integratorUsername>
        <obj:itemNo>
          <web:item>RR123456785HK</web:item>
          <web:item>EE123456785HK</web:item>
        </obj:itemNo>
        <obj:printMode>2</obj:printMode>
"
        )
    );
    let mtt = get_mtt_info(&stamp(), &account(), &items[0]);
    assert_eq!(
        mtt,
        body(
            "getMTTInfo",
            "api04Req",
            "        <obj:ecshipUsername>shop</obj:ecshipUsername>
        <obj:integratorUsername>shop-api</obj:integratorUsername>
        <obj:itemNo>RR123456785HK</obj:itemNo>
"
        )
    );
    // `language` only when configured (its values are unknown, domain.md §13).
    let tt = get_tt_info(&stamp(), &account(), &Codes::default(), &items[0]);
    assert!(tt.contains("<web:getTTInfo>\n      <web:api05Req>") && !tt.contains("language"));
    let codes = Codes {
        tracking_language: Some("en".into()),
        ..Codes::default()
    };
    let tt = get_tt_info(&stamp(), &account(), &codes, &items[0]);
    assert!(tt.contains("<obj:language>en</obj:language>"));
}

#[test]
fn temporary_order_has_the_create_order_fields() {
    use satchel_ecship::create_temporary_order;
    let c = create_order(&stamp(), &account(), &Codes::default(), id(), &shipment()).unwrap();
    let t =
        create_temporary_order(&stamp(), &account(), &Codes::default(), id(), &shipment()).unwrap();
    assert_eq!(
        t,
        c.replace("<web:createOrder>", "<web:createTemporaryOrder>")
            .replace("</web:createOrder>", "</web:createTemporaryOrder>")
    );
}
