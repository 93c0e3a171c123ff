//! SOAP 1.1 envelopes (domain.md §10.2, §10.3): `soapenv:Header` with the WS-Security token,
//! `soapenv:Body` with `web:<operation>/web:<apiNNReq>` and `obj:` fields.
//!
//! Transport, for whoever sends these later (§10.2): `POST`, `Content-Type: text/xml;
//! charset=utf-8`, `SOAPAction: ""`, to `{base}/Calculator`, `{base}/Posting` or `{base}/Tracking`.

use chrono::{DateTime, Utc};
use satchel_core::model::Shipment;
use satchel_core::s10::ItemNumber;
use uuid::Uuid;

use crate::mapping::{self, Account, Codes, MappingError, PrintMode};
use crate::wssec;
use crate::xml::Node;

pub const NS_SOAPENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// Operation and `apiNNReq` wrapper namespace (§10.2).
pub const NS_WEB: &str = "http://webservice.integrator.hkpost.com";
/// Field namespace (§10.2).
pub const NS_OBJ: &str = "http://object.integrator.hkpost.com";

/// What makes one request's token unique: the caller's random nonce bytes and clock reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub nonce: Vec<u8>,
    pub created: DateTime<Utc>,
}

fn envelope(
    account: &Account,
    stamp: &Stamp,
    operation: &str,
    wrapper: &str,
    fields: &[Node],
) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<soapenv:Envelope xmlns:soapenv=\"{NS_SOAPENV}\" xmlns:web=\"{NS_WEB}\" xmlns:obj=\"{NS_OBJ}\">\n"
    ));
    out.push_str("  <soapenv:Header>\n");
    out.push_str(&wssec::security_header(
        &account.integrator_username,
        &account.api_key,
        &stamp.nonce,
        stamp.created,
    ));
    out.push_str("  </soapenv:Header>\n  <soapenv:Body>\n");
    out.push_str(&format!("    <web:{operation}>\n      <web:{wrapper}>\n"));
    for f in fields {
        f.write("obj", 4, &mut out);
    }
    out.push_str(&format!("      </web:{wrapper}>\n    </web:{operation}>\n"));
    out.push_str("  </soapenv:Body>\n</soapenv:Envelope>\n");
    out
}

/// `getTotalPostage` (Calculator service, `api01Req`).
pub fn get_total_postage(
    stamp: &Stamp,
    account: &Account,
    codes: &Codes,
    shipment: &Shipment,
) -> Result<String, MappingError> {
    let fields = mapping::total_postage_fields(account, codes, shipment)?;
    Ok(envelope(
        account,
        stamp,
        "getTotalPostage",
        "api01Req",
        &fields,
    ))
}

/// `createOrder` (Posting service, `api02Req`); `id` (our shipment id) is sent as `refNo`.
pub fn create_order(
    stamp: &Stamp,
    account: &Account,
    codes: &Codes,
    id: Uuid,
    shipment: &Shipment,
) -> Result<String, MappingError> {
    let fields = mapping::create_order_fields(account, codes, id, shipment)?;
    Ok(envelope(account, stamp, "createOrder", "api02Req", &fields))
}

/// `getItemNo` (Posting service, `api26Req`), searching by our shipment id (`refNo`).
pub fn get_item_no(
    stamp: &Stamp,
    account: &Account,
    codes: &Codes,
    id: Uuid,
) -> Result<String, MappingError> {
    let fields = mapping::item_no_fields(account, codes, id)?;
    Ok(envelope(account, stamp, "getItemNo", "api26Req", &fields))
}

/// `cancelOrder` (Posting service, `api03Req`).
pub fn cancel_order(
    stamp: &Stamp,
    account: &Account,
    item_no: &ItemNumber,
    order_no: &str,
) -> String {
    let fields = mapping::cancel_order_fields(account, item_no, order_no);
    envelope(account, stamp, "cancelOrder", "api03Req", &fields)
}

/// `createTemporaryOrder` (Posting service, `api02Req`, §10.4: "as createOrder (draft
/// record)"): the same fields, `refNo` included.
pub fn create_temporary_order(
    stamp: &Stamp,
    account: &Account,
    codes: &Codes,
    id: Uuid,
    shipment: &Shipment,
) -> Result<String, MappingError> {
    let fields = mapping::create_order_fields(account, codes, id, shipment)?;
    Ok(envelope(
        account,
        stamp,
        "createTemporaryOrder",
        "api02Req",
        &fields,
    ))
}

/// `getAddressPack` (Posting service, `api11Req`): the label PDF for these item numbers.
pub fn get_address_pack(
    stamp: &Stamp,
    account: &Account,
    items: &[ItemNumber],
    mode: PrintMode,
) -> String {
    let fields = mapping::address_pack_fields(account, items, mode);
    envelope(account, stamp, "getAddressPack", "api11Req", &fields)
}

/// `getTTInfo` (Tracking service, `api05Req`).
pub fn get_tt_info(stamp: &Stamp, account: &Account, codes: &Codes, item: &ItemNumber) -> String {
    let fields = mapping::tt_info_fields(account, codes, item);
    envelope(account, stamp, "getTTInfo", "api05Req", &fields)
}

/// `getMTTInfo` (Tracking service, `api04Req`): milestone tracking.
pub fn get_mtt_info(stamp: &Stamp, account: &Account, item: &ItemNumber) -> String {
    let fields = mapping::mtt_info_fields(account, item);
    envelope(account, stamp, "getMTTInfo", "api04Req", &fields)
}

/// `createSoazOrder` (SoazPosting service, `api30Req`): a Speedpost order (§10.4, §13.1);
/// `id` is sent as `custOrdRef`.
pub fn create_soaz_order(
    stamp: &Stamp,
    account: &Account,
    codes: &Codes,
    id: Uuid,
    shipment: &Shipment,
) -> Result<String, MappingError> {
    let fields = mapping::soaz_order_fields(account, codes, id, shipment)?;
    Ok(envelope(
        account,
        stamp,
        "createSoazOrder",
        "api30Req",
        &fields,
    ))
}

/// `getSoazAddressPack` (SoazPosting service, `api31Req`): the Speedpost label PDF.
pub fn get_soaz_address_pack(
    stamp: &Stamp,
    account: &Account,
    item: &ItemNumber,
    created: chrono::NaiveDate,
) -> String {
    let fields = mapping::soaz_address_pack_fields(account, item, created);
    envelope(account, stamp, "getSoazAddressPack", "api31Req", &fields)
}

/// `getCOP` (Posting service, `api10Req`, §10.4: itemNo): the Certificate of Posting. GUESS:
/// several items are sent as an `itemNo` list, as getAddressPack does (§13, field rules).
pub fn get_cop(stamp: &Stamp, account: &Account, items: &[ItemNumber]) -> String {
    let fields = mapping::cop_fields(account, items);
    envelope(account, stamp, "getCOP", "api10Req", &fields)
}
