//! Reading EC-Ship's SOAP replies into typed results.
//!
//! Why here: what a reply means (success, EC-Ship's refusal, a SOAP fault, or something we
//! cannot read) decides whether the outbox may retry, so it is decided in one pure place and
//! tested on whole envelopes. Elements are matched by local name (see [`crate::dom`]); the
//! names themselves are the table in [`crate::mapping::reply`].
//!
//! **A [`ReplyError::Status`] or [`ReplyError::Fault`] is an answer, not a transport
//! failure: nothing here or in the client retries it automatically.** EC-Ship has decided;
//! repeating the same request would get the same refusal (or, for a create, risk a second
//! order). Transport problems (timeouts, resets), after which the outcome is unknown, are not
//! this crate's business.

use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use satchel_core::s10::ItemNumber;

use crate::dom::{self, Element};
use crate::mapping::reply as r;

/// Why a reply is not a success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// `status` is not `"0"`; `message` is `errMessage` verbatim (the UI shows EC-Ship's own
    /// words; the code list is unknown, domain.md §13).
    #[error("EC-Ship refused the request (status {status}): {message}")]
    Status { status: String, message: String },
    /// A `soapenv:Fault` (for instance a rejected WS-Security token).
    #[error("EC-Ship returned a SOAP fault ({code}): {message}")]
    Fault { code: String, message: String },
    /// The reply could not be read as the expected shape; the text names the field.
    #[error("EC-Ship's reply could not be read: {0}")]
    Malformed(String),
}

/// getTotalPostage (§10.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalPostage {
    pub total_postage: Decimal,
    pub additional_charge: Option<Decimal>,
    pub insurance_premium_fee: Option<Decimal>,
}

/// createOrder / createTemporaryOrder (§10.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCreated {
    pub item_no: ItemNumber,
    pub order_no: String,
    pub delivery_charge: Option<Decimal>,
    pub insur_perm_fee: Option<Decimal>,
}

/// One getItemNo match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundItem {
    pub ref_no: String,
    pub item_no: ItemNumber,
    pub order_no: Option<String>,
}

/// One tracking event (getTTInfo, getMTTInfo). `at` is Hong Kong local time as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingEvent {
    pub at: NaiveDateTime,
    pub code: String,
    pub description: String,
    pub location: String,
}

fn malformed(s: impl Into<String>) -> ReplyError {
    ReplyError::Malformed(s.into())
}

/// The element carrying `status`: the `<op>Return` (or `return`) record, whatever it is
/// called. A fault anywhere in the body wins.
fn reply_record(xml: &str) -> Result<Element, ReplyError> {
    let doc = dom::parse(xml).map_err(malformed)?;
    let body = doc.find("Body").ok_or_else(|| malformed("no SOAP Body"))?;
    if let Some(f) = body.find("Fault") {
        return Err(ReplyError::Fault {
            code: f.child_text("faultcode").unwrap_or_default().to_owned(),
            message: f.child_text("faultstring").unwrap_or_default().to_owned(),
        });
    }
    let mut found = Vec::new();
    body.find_all(&|e| e.child(r::STATUS).is_some(), &mut found);
    let rec = found
        .first()
        .ok_or_else(|| malformed("no status field in the reply"))?;
    let status = rec.child_text(r::STATUS).unwrap_or_default();
    if status != r::STATUS_OK {
        return Err(ReplyError::Status {
            status: status.to_owned(),
            message: rec
                .child_text(r::ERR_MESSAGE)
                .unwrap_or_default()
                .to_owned(),
        });
    }
    Ok((*rec).clone())
}

fn decimal(rec: &Element, name: &str) -> Result<Option<Decimal>, ReplyError> {
    match rec.child_text(name) {
        None | Some("") => Ok(None),
        Some(t) => Decimal::from_str(t)
            .map(Some)
            .map_err(|_| malformed(format!("{name} is not a decimal number"))),
    }
}

fn item_number(rec: &Element) -> Result<ItemNumber, ReplyError> {
    let t = rec
        .child_text(r::ITEM_NO)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| malformed("itemNo is missing"))?;
    ItemNumber::parse(t).map_err(|e| malformed(format!("itemNo is not a valid S10 number: {e}")))
}

/// getTotalPostage.
pub fn parse_total_postage(xml: &str) -> Result<TotalPostage, ReplyError> {
    let rec = reply_record(xml)?;
    Ok(TotalPostage {
        total_postage: decimal(&rec, r::TOTAL_POSTAGE)?
            .ok_or_else(|| malformed("totalPostage is missing"))?,
        additional_charge: decimal(&rec, r::ADDITIONAL_CHARGE)?,
        insurance_premium_fee: decimal(&rec, r::INSURANCE_PREMIUM_FEE)?,
    })
}

/// createOrder and createTemporaryOrder.
pub fn parse_create_order(xml: &str) -> Result<OrderCreated, ReplyError> {
    let rec = reply_record(xml)?;
    let order_no = rec
        .child_text(r::ORDER_NO)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| malformed("orderNo is missing"))?
        .to_owned();
    Ok(OrderCreated {
        item_no: item_number(&rec)?,
        order_no,
        delivery_charge: decimal(&rec, r::DELIVERY_CHARGE)?,
        insur_perm_fee: decimal(&rec, r::INSUR_PERM_FEE)?,
    })
}

/// getItemNo. Empty means EC-Ship knows no order with that reference. The record shape is a
/// GUESS (see [`crate::mapping::reply::ITEM_NO_RECORD`]).
pub fn parse_get_item_no(xml: &str) -> Result<Vec<FoundItem>, ReplyError> {
    let rec = reply_record(xml)?;
    let mut found = Vec::new();
    rec.find_all(
        &|e| {
            e.child(r::ITEM_NO)
                .is_some_and(|i| !i.text.trim().is_empty())
        },
        &mut found,
    );
    found
        .into_iter()
        .map(|e| {
            Ok(FoundItem {
                ref_no: e.child_text(r::REF_NO).unwrap_or_default().to_owned(),
                item_no: item_number(e)?,
                order_no: e
                    .child_text(r::ORDER_NO)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            })
        })
        .collect()
}

/// cancelOrder: success carries nothing.
pub fn parse_cancel_order(xml: &str) -> Result<(), ReplyError> {
    reply_record(xml).map(|_| ())
}

/// createSoazOrder (§10.4: `itemNo`, `status`, `errMessage`): a Speedpost order has no
/// `orderNo`, so it is empty.
pub fn parse_soaz_order(xml: &str) -> Result<OrderCreated, ReplyError> {
    let rec = reply_record(xml)?;
    Ok(OrderCreated {
        item_no: item_number(&rec)?,
        order_no: String::new(),
        delivery_charge: None,
        insur_perm_fee: None,
    })
}

/// A Base64 PDF in `field` of the reply (line breaks inside are tolerated).
fn pdf_field(rec: &Element, field: &str) -> Result<Vec<u8>, ReplyError> {
    let b64: String = rec
        .child_text(field)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| malformed(format!("{field} is missing")))?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let pdf = STANDARD
        .decode(b64)
        .map_err(|_| malformed(format!("{field} is not Base64")))?;
    if !pdf.starts_with(b"%PDF") {
        return Err(malformed(format!("{field} is not a PDF")));
    }
    Ok(pdf)
}

/// getAddressPack: `ap` is the label PDF.
pub fn parse_address_pack(xml: &str) -> Result<Vec<u8>, ReplyError> {
    pdf_field(&reply_record(xml)?, r::ADDRESS_PACK)
}

/// getSoazAddressPack: `COP` is the Speedpost label PDF (§10.4).
pub fn parse_soaz_address_pack(xml: &str) -> Result<Vec<u8>, ReplyError> {
    pdf_field(&reply_record(xml)?, r::SOAZ_ADDRESS_PACK)
}

/// getCOP: the certificate PDF, from [`r::CERTIFICATE`] or else the one field of the
/// record holding a Base64 PDF (the reply's field name is not public, §10.4).
pub fn parse_cop(xml: &str) -> Result<Vec<u8>, ReplyError> {
    let rec = reply_record(xml)?;
    if rec.child(r::CERTIFICATE).is_some() {
        return pdf_field(&rec, r::CERTIFICATE);
    }
    rec.children
        .iter()
        .find_map(|c| pdf_field(&rec, &c.name).ok())
        .ok_or_else(|| malformed("no certificate PDF in the reply"))
}

fn date_time(text: &str, field: &str) -> Result<NaiveDateTime, ReplyError> {
    let t = text.trim();
    r::DATE_TIME_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .or_else(|| {
            r::DATE_FORMATS
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
                .map(|d| d.and_time(NaiveTime::MIN))
        })
        .ok_or_else(|| malformed(format!("{field} is not a date")))
}

fn event_time(e: &Element) -> Result<NaiveDateTime, ReplyError> {
    let d = e.child_text(r::EVENT_DATE).unwrap_or_default();
    let date = r::DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(d, f).ok())
        .ok_or_else(|| malformed("eventDate is not a date"))?;
    let t = e.child_text(r::EVENT_TIME).unwrap_or_default();
    let time = if t.is_empty() {
        NaiveTime::MIN
    } else {
        r::TIME_FORMATS
            .iter()
            .find_map(|f| NaiveTime::parse_from_str(t, f).ok())
            .ok_or_else(|| malformed("eventTime is not a time"))?
    };
    Ok(date.and_time(time))
}

fn oldest_first(mut events: Vec<TrackingEvent>) -> Vec<TrackingEvent> {
    // Whatever order the server lists them in (a stable sort keeps ties).
    events.sort_by_key(|e| e.at);
    events
}

/// getTTInfo: one `trackingInfos` container; each record's children are, by position, the
/// item number, the date and the detail (§13.1). Records with fewer than three children
/// are not events and are skipped.
pub fn parse_tt_info(xml: &str) -> Result<Vec<TrackingEvent>, ReplyError> {
    let rec = reply_record(xml)?;
    let mut containers = Vec::new();
    rec.find_all(&|e| e.name == r::TT_CONTAINER, &mut containers);
    let mut out = Vec::new();
    for container in containers {
        // Some servers repeat the container once per record instead of nesting records.
        let records: Vec<&Element> = if container.children.iter().all(|c| c.children.is_empty()) {
            vec![container]
        } else {
            container.children.iter().collect()
        };
        for record in records.into_iter().filter(|r| r.children.len() >= 3) {
            let [_, date, detail] = [
                &record.children[0],
                &record.children[1],
                &record.children[2],
            ];
            out.push(TrackingEvent {
                at: date_time(&date.text, "the tracking record's date")?,
                code: String::new(),
                description: detail.text.trim().to_owned(),
                location: String::new(),
            });
        }
    }
    Ok(oldest_first(out))
}

/// What spapi reads `ttStatus` 0–13 as (§10.4, Low: an integrator's interpretation).
pub fn tt_status_meaning(code: &str) -> &'static str {
    match code.trim() {
        "0" => "Posted",
        "2" | "13" => "At a hub or processing centre",
        "3" | "4" => "In local delivery, departure or customs clearance",
        "5" => "Delivered",
        _ => "Exception: see EC-Ship for details",
    }
}

/// getMTTInfo: the item's latest status, `ttStatus` at `trackingDate` (§13.1), as one
/// event; an older `milestoneList/milestone` list is read too when a server sends one.
pub fn parse_mtt_info(xml: &str) -> Result<Vec<TrackingEvent>, ReplyError> {
    let rec = reply_record(xml)?;
    let mut milestones = Vec::new();
    rec.find_all(
        &|e| e.name == r::MTT_RECORD && e.child(r::EVENT_DATE).is_some(),
        &mut milestones,
    );
    let mut out = milestones
        .into_iter()
        .map(|e| {
            let name = e.child_text(r::EVENT_NAME).unwrap_or_default();
            let desc = e.child_text(r::EVENT_DESCRIPTION).unwrap_or_default();
            Ok(TrackingEvent {
                at: event_time(e)?,
                code: e.child_text(r::EVENT_CODE).unwrap_or_default().to_owned(),
                description: if desc.is_empty() { name } else { desc }.to_owned(),
                location: e
                    .child_text(r::EVENT_LOCATION)
                    .unwrap_or_default()
                    .to_owned(),
            })
        })
        .collect::<Result<Vec<_>, ReplyError>>()?;
    if let Some(status) = rec
        .child_text(r::TT_STATUS)
        .filter(|t| !t.trim().is_empty())
    {
        let date = rec.child_text(r::TRACKING_DATE).unwrap_or_default();
        out.push(TrackingEvent {
            at: date_time(date, "trackingDate")?,
            code: status.trim().to_owned(),
            description: tt_status_meaning(status).to_owned(),
            location: String::new(),
        });
    }
    Ok(oldest_first(out))
}
