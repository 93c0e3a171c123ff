//! The reply parsers on whole envelopes, written the way Axis servers write them: `ns1`/`ns2`
//! prefixes, `soap`/`soapenv`, default namespaces, escaped text, faults.

use rust_decimal::Decimal;
use satchel_ecship::response::*;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn wrap(op: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <soapenv:Body>
    <ns2:{op}Response xmlns:ns2="http://webservice.integrator.hkpost.com">
      <ns2:{op}Return xmlns:ns1="http://object.integrator.hkpost.com">
{body}
      </ns2:{op}Return>
    </ns2:{op}Response>
  </soapenv:Body>
</soapenv:Envelope>"#
    )
}

#[test]
fn total_postage_with_ns1_prefixes() {
    let xml = wrap(
        "getTotalPostage",
        "<ns1:additionalCharge>0</ns1:additionalCharge><ns1:errMessage>Success</ns1:errMessage>\
         <ns1:insurancePremiumFee></ns1:insurancePremiumFee><ns1:status>0</ns1:status>\
         <ns1:totalPostage>123.5</ns1:totalPostage>",
    );
    assert_eq!(
        parse_total_postage(&xml).unwrap(),
        TotalPostage {
            total_postage: dec("123.5"),
            additional_charge: Some(dec("0")),
            insurance_premium_fee: None,
        }
    );
}

#[test]
fn create_order_without_prefixes() {
    let xml = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
      <createOrderResponse xmlns="http://webservice.integrator.hkpost.com"><createOrderReturn>
        <deliveryCharge>88.0</deliveryCharge><errMessage>Success</errMessage><insurPermFee>0</insurPermFee>
        <itemNo>RR123456785HK</itemNo><orderNo>A0001</orderNo><status>0</status>
      </createOrderReturn></createOrderResponse></soap:Body></soap:Envelope>"#;
    let o = parse_create_order(xml).unwrap();
    assert_eq!(o.item_no.as_str(), "RR123456785HK");
    assert_eq!(o.order_no, "A0001");
    assert_eq!(o.delivery_charge, Some(dec("88.0")));
    assert_eq!(o.insur_perm_fee, Some(dec("0")));
}

#[test]
fn status_error_keeps_chinese_message_verbatim() {
    let xml = wrap(
        "createOrder",
        "<ns1:errMessage>收件人姓名 &lt;必須&gt; 填寫 &amp; &#x8acb;</ns1:errMessage><ns1:status>1</ns1:status>",
    );
    assert_eq!(
        parse_create_order(&xml),
        Err(ReplyError::Status {
            status: "1".into(),
            message: "收件人姓名 <必須> 填寫 & 請".into()
        })
    );
}

#[test]
fn bad_item_number_in_a_success_is_malformed() {
    let xml = wrap(
        "createOrder",
        "<ns1:itemNo>RR123456784HK</ns1:itemNo><ns1:orderNo>1</ns1:orderNo><ns1:status>0</ns1:status>",
    );
    assert!(
        matches!(parse_create_order(&xml), Err(ReplyError::Malformed(m)) if m.contains("itemNo"))
    );
}

#[test]
fn soap_fault() {
    let xml = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
      <soapenv:Fault><faultcode>wsse:FailedAuthentication</faultcode>
      <faultstring>The security token could not be authenticated or authorized</faultstring></soapenv:Fault>
      </soapenv:Body></soapenv:Envelope>"#;
    assert_eq!(
        parse_cancel_order(xml),
        Err(ReplyError::Fault {
            code: "wsse:FailedAuthentication".into(),
            message: "The security token could not be authenticated or authorized".into()
        })
    );
}

#[test]
fn not_soap_is_malformed() {
    assert!(matches!(
        parse_cancel_order("<html><body>502</body></html>"),
        Err(ReplyError::Malformed(_))
    ));
    assert!(matches!(
        parse_cancel_order("<soapenv:Envelope"),
        Err(ReplyError::Malformed(_))
    ));
}

#[test]
fn get_item_no_found_and_empty() {
    let xml = wrap(
        "getItemNo",
        "<ns1:errMessage>Success</ns1:errMessage><ns1:status>0</ns1:status>\
         <ns1:itemList><ns1:itemNo>RR123456785HK</ns1:itemNo><ns1:orderNo>A1</ns1:orderNo>\
         <ns1:refNo>01890a5d-ac96-774b-bcce-b302099a8057</ns1:refNo></ns1:itemList>",
    );
    let v = parse_get_item_no(&xml).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].ref_no, "01890a5d-ac96-774b-bcce-b302099a8057");
    assert_eq!(v[0].item_no.as_str(), "RR123456785HK");
    assert_eq!(v[0].order_no.as_deref(), Some("A1"));
    let none = wrap(
        "getItemNo",
        "<ns1:errMessage>Success</ns1:errMessage><ns1:status>0</ns1:status>",
    );
    assert!(parse_get_item_no(&none).unwrap().is_empty());
}

#[test]
fn address_pack_decodes_base64_with_line_breaks() {
    let xml = wrap(
        "getAddressPack",
        "<ns1:ap>JVBERi0x\nLjQK</ns1:ap><ns1:errMessage>Success</ns1:errMessage><ns1:status>0</ns1:status>",
    );
    assert_eq!(parse_address_pack(&xml).unwrap(), b"%PDF-1.4\n");
    let bad = wrap(
        "getAddressPack",
        "<ns1:ap>!!!</ns1:ap><ns1:status>0</ns1:status>",
    );
    assert!(matches!(
        parse_address_pack(&bad),
        Err(ReplyError::Malformed(_))
    ));
}

#[test]
fn mtt_milestones_sorted_oldest_first() {
    let xml = wrap(
        "getMTTInfo",
        "<ns1:itemNo>RR123456785HK</ns1:itemNo><ns1:status>0</ns1:status><ns1:milestoneList>\
         <ns1:milestone><ns1:eventDate>2024-03-02</ns1:eventDate><ns1:eventTime>09:15</ns1:eventTime>\
         <ns1:eventLocation>Hong Kong</ns1:eventLocation><ns1:milestoneDescription>Departed</ns1:milestoneDescription>\
         <ns1:milestoneName>Out</ns1:milestoneName><ns1:milestoneNo>3</ns1:milestoneNo></ns1:milestone>\
         <ns1:milestone><ns1:eventDate>2024-03-01</ns1:eventDate><ns1:eventTime>17:00:05</ns1:eventTime>\
         <ns1:eventLocation>香港</ns1:eventLocation><ns1:milestoneName>Posted</ns1:milestoneName>\
         <ns1:milestoneNo>0</ns1:milestoneNo></ns1:milestone></ns1:milestoneList>",
    );
    let ev = parse_mtt_info(&xml).unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].code, "0");
    assert_eq!(ev[0].description, "Posted");
    assert_eq!(ev[0].location, "香港");
    assert_eq!(ev[0].at.to_string(), "2024-03-01 17:00:05");
    assert_eq!(ev[1].description, "Departed");
}

#[test]
fn tt_info_is_one_container_of_positional_records() {
    // §13.1: one `trackingInfos` whose records have three positional children
    // (number, date, detail); the names are not load-bearing.
    let xml = wrap(
        "getTTInfo",
        "<ns1:status>0</ns1:status><ns1:trackingInfos>\
         <ns1:item><ns1:a>RR123456785HK</ns1:a><ns1:b>2024-03-02 09:15</ns1:b><ns1:c>Departed Hong Kong</ns1:c></ns1:item>\
         <ns1:item><ns1:a>RR123456785HK</ns1:a><ns1:b>01/03/2024 17:00:05</ns1:b><ns1:c>Posted</ns1:c></ns1:item>\
         </ns1:trackingInfos>",
    );
    let ev = parse_tt_info(&xml).unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].description, "Posted");
    assert_eq!(ev[0].at.to_string(), "2024-03-01 17:00:05");
    assert_eq!(ev[1].at.to_string(), "2024-03-02 09:15:00");
    let bad = wrap(
        "getTTInfo",
        "<ns1:status>0</ns1:status><ns1:trackingInfos><ns1:r><ns1:a>X</ns1:a><ns1:b>soon</ns1:b>\
         <ns1:c>?</ns1:c></ns1:r></ns1:trackingInfos>",
    );
    assert!(matches!(parse_tt_info(&bad), Err(ReplyError::Malformed(m)) if m.contains("date")));
}

#[test]
fn mtt_info_is_a_status_and_a_date() {
    let xml = wrap(
        "getMTTInfo",
        "<ns1:itemNo>RR123456785HK</ns1:itemNo><ns1:status>0</ns1:status>\
         <ns1:trackingDate>2024-03-04 10:00</ns1:trackingDate><ns1:ttStatus>5</ns1:ttStatus>",
    );
    let ev = parse_mtt_info(&xml).unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].code, "5");
    assert_eq!(ev[0].description, "Delivered");
    assert_eq!(ev[0].at.to_string(), "2024-03-04 10:00:00");
}
