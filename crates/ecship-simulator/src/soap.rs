//! The SOAP side of the simulator: authentication, fault injection and one function per
//! operation (domain.md §10.4). Replies use the element names of
//! `satchel_ecship::mapping::reply`, written with `ns2`/`ns1` prefixes as Axis would.

use std::str::FromStr;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{FixedOffset, NaiveDateTime};
use rand::Rng;
use rust_decimal::{Decimal, RoundingStrategy};
use satchel_core::s10::ItemNumber;
use satchel_ecship::dom::{self, Element};
use satchel_ecship::mapping::reply as r;

use crate::{auth, pdf, AppState, Inner, Killer, Order, Shared};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xml_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn fault(code: &str, message: &str) -> Response {
    xml_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault><faultcode>{}</faultcode><faultstring>{}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>",
            esc(code),
            esc(message)
        ),
    )
}

/// A reply record: simple fields in order, then pre-built XML (lists).
struct Reply {
    fields: Vec<(&'static str, String)>,
    extra: String,
}

impl Reply {
    fn ok() -> Self {
        Reply {
            fields: vec![(r::STATUS, "0".into()), (r::ERR_MESSAGE, "Success".into())],
            extra: String::new(),
        }
    }

    fn err(status: &str, message: impl Into<String>) -> Self {
        Reply {
            fields: vec![(r::STATUS, status.into()), (r::ERR_MESSAGE, message.into())],
            extra: String::new(),
        }
    }

    fn field(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    fn render(&self, op: &str) -> String {
        let mut b = String::new();
        for (n, v) in &self.fields {
            b.push_str(&format!("<ns1:{n}>{}</ns1:{n}>", esc(v)));
        }
        b.push_str(&self.extra);
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><ns2:{op}Response xmlns:ns2=\"http://webservice.integrator.hkpost.com\"><ns2:{op}Return xmlns:ns1=\"http://object.integrator.hkpost.com\">{b}</ns2:{op}Return></ns2:{op}Response></soapenv:Body></soapenv:Envelope>"
        )
    }
}

fn service_of(op: &str) -> Option<&'static str> {
    Some(match op {
        "getTotalPostage" => "Calculator",
        "createOrder"
        | "createTemporaryOrder"
        | "getItemNo"
        | "getAddressPack"
        | "cancelOrder"
        | "getCOP" => "Posting",
        "createSoazOrder" | "getSoazAddressPack" => "SoazPosting",
        "getTTInfo" | "getMTTInfo" => "Tracking",
        _ => return None,
    })
}

pub(crate) async fn handle(
    State(st): State<AppState>,
    Path(service): Path<String>,
    Extension(killer): Extension<Killer>,
    body: String,
) -> Response {
    let latency = st.lock().faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let doc = match dom::parse(&body) {
        Ok(d) => d,
        Err(e) => return fault("soapenv:Client", &format!("request is not XML: {e}")),
    };
    let Some(op_el) = doc.find("Body").and_then(|b| b.children.first()) else {
        return fault("soapenv:Client", "no operation in the SOAP Body");
    };
    let op = op_el.name.clone();
    match service_of(&op) {
        Some(s) if s == service => {}
        Some(s) => {
            return fault(
                "soapenv:Client",
                &format!("{op} is served at {{base}}/{s}, not {{base}}/{service}"),
            )
        }
        None => return fault("soapenv:Client", &format!("unknown operation {op}")),
    }
    let req = op_el.children.first().cloned().unwrap_or_default();

    let (reply, drop_it, hang_ms) = {
        let mut g = st.lock();
        g.stats.soap_requests += 1;
        let token = match auth::check(
            &doc,
            |u| st.cfg_accounts.get(u).cloned(),
            st.now(),
            st.max_skew.as_secs() as i64,
        ) {
            Ok(t) => t,
            Err(msg) => {
                g.stats.auth_failures += 1;
                return fault("wsse:FailedAuthentication", &msg);
            }
        };
        if !g
            .nonces
            .insert((token.username.clone(), token.nonce_b64.clone()))
        {
            g.stats.auth_failures += 1;
            return fault(
                "wsse:FailedAuthentication",
                "wsse:Nonce was already used (replayed token)",
            );
        }
        let f = g.faults.clone();
        if f.error_status > 0.0 && g.rng.random_bool(f.error_status.min(1.0)) {
            g.stats.injected_errors += 1;
            return xml_response(
                StatusCode::OK,
                Reply::err(
                    "99",
                    "ecship-simulator: injected error status (fault injection)",
                )
                .render(&op),
            );
        }
        let reply = operation(&st, &mut g, &op, &token.username, &req);
        let drop_it = f.drop_after_commit > 0.0 && g.rng.random_bool(f.drop_after_commit.min(1.0));
        let hang = !drop_it && f.hang > 0.0 && g.rng.random_bool(f.hang.min(1.0));
        if drop_it {
            g.stats.dropped += 1;
        }
        if hang {
            g.stats.hung += 1;
        }
        let hang_ms = if f.hang_ms == 0 { 60_000 } else { f.hang_ms };
        (reply, drop_it, hang.then_some(hang_ms))
    };
    if drop_it {
        killer.0.notify_one();
        std::future::pending::<()>().await;
    }
    if let Some(ms) = hang_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    xml_response(StatusCode::OK, reply.render(&op))
}

fn operation(st: &Shared, g: &mut Inner, op: &str, user: &str, req: &Element) -> Reply {
    match op {
        "getTotalPostage" => total_postage(req),
        "createOrder" => create_order(st, g, user, req, false),
        "createTemporaryOrder" => create_order(st, g, user, req, true),
        "getItemNo" => get_item_no(g, user, req),
        "getAddressPack" => address_pack(g, user, req),
        "createSoazOrder" => create_soaz_order(st, g, user, req),
        "getSoazAddressPack" => soaz_address_pack(g, user, req),
        "getCOP" => certificate(g, user, req),
        "cancelOrder" => cancel(g, user, req),
        "getTTInfo" => tracking(st, g, user, req, false),
        _ => tracking(st, g, user, req, true),
    }
}

fn kg(text: Option<&str>) -> Option<Decimal> {
    text.and_then(|t| Decimal::from_str(t).ok())
}

/// A plausible, made-up tariff: a base per shipCode plus a rate per started half kilogram.
fn postage(ship_code: &str, weight_kg: Decimal) -> Decimal {
    let (base, per_half) = match ship_code {
        "EMS" => (Decimal::new(120, 0), Decimal::new(35, 0)),
        "APL" => (Decimal::new(90, 0), Decimal::new(28, 0)),
        "ARM" => (Decimal::new(17, 0), Decimal::new(45, 0)),
        _ => (Decimal::new(20, 0), Decimal::new(25, 0)),
    };
    let halves =
        (weight_kg * Decimal::TWO).round_dp_with_strategy(0, RoundingStrategy::ToPositiveInfinity);
    (base + per_half * halves).round_dp(1)
}

fn total_postage(req: &Element) -> Reply {
    let Some(w) = kg(req.child_text("weight")).filter(|w| *w > Decimal::ZERO) else {
        return Reply::err("1", "weight must be a number of kilograms greater than 0");
    };
    let code = req.child_text("countryCode").unwrap_or_default();
    if code.len() != 3 {
        return Reply::err("1", "countryCode must be an HKP 3-letter code");
    }
    let ship = req.child_text("shipCode").unwrap_or_default();
    Reply::ok()
        .field(r::TOTAL_POSTAGE, postage(ship, w).to_string())
        .field(r::ADDITIONAL_CHARGE, "0")
        .field(r::INSURANCE_PREMIUM_FEE, "0")
}

fn hk_now(st: &Shared) -> NaiveDateTime {
    let hk = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    st.now().with_timezone(&hk).naive_local()
}

fn create_order(st: &Shared, g: &mut Inner, user: &str, req: &Element, temporary: bool) -> Reply {
    let ref_no = req.child_text("refNo").unwrap_or_default().to_owned();
    if ref_no.is_empty() {
        return Reply::err("1", "refNo is required");
    }
    if req
        .child_text("recipientName")
        .unwrap_or_default()
        .is_empty()
    {
        return Reply::err("1", "recipientName is required");
    }
    let country = req.child_text("countryCode").unwrap_or_default().to_owned();
    if country.len() != 3 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Reply::err("1", "countryCode must be an HKP 3-letter code");
    }
    let ship_code = req.child_text("shipCode").unwrap_or_default().to_owned();
    if ship_code.is_empty() {
        return Reply::err("1", "shipCode is required");
    }
    // The simulator's reading of R-090: an air parcel needs its non-delivery instruction.
    if ship_code == "APL"
        && req
            .child_text("nonDeliveryOptions")
            .is_none_or(|t| t.trim().is_empty())
    {
        return Reply::err("1", "nonDeliveryOptions is required for a parcel");
    }
    if let Some(w) = req.child_text("weight") {
        if kg(Some(w)).is_none_or(|w| w <= Decimal::ZERO) {
            return Reply::err("1", "weight must be greater than 0");
        }
    }
    let mut weight = Decimal::ZERO;
    if let Some(products) = req.child("products") {
        for item in products.children.iter().filter(|c| c.name == "item") {
            match kg(item.child_text("productWeight")) {
                Some(w) if w > Decimal::ZERO => weight += w,
                _ => return Reply::err("1", "products/item/productWeight must be greater than 0"),
            }
        }
    } else if country != "HKG" {
        return Reply::err("1", "products are required for an international item");
    }
    if !g.faults.accept_duplicate_ref
        && g.orders
            .iter()
            .any(|o| o.account == user && o.ref_no == ref_no)
    {
        return Reply::err("2", format!("refNo already used: {ref_no}"));
    }
    let item_no = match req.child_text("itemNo").filter(|t| !t.is_empty()) {
        Some(t) => match ItemNumber::parse(t) {
            Ok(i) if g.orders.iter().any(|o| o.item_no == i) => {
                return Reply::err("1", format!("itemNo already used: {i}"))
            }
            Ok(i) => i,
            Err(e) => return Reply::err("1", format!("itemNo is not a valid barcode number: {e}")),
        },
        None => next_item_no(g),
    };
    let order_no = format!("SIM{:08}", g.orders.len() + 1);
    let weight = if weight.is_zero() {
        Decimal::new(5, 1)
    } else {
        weight
    };
    let charge = postage(req.child_text("shipCode").unwrap_or_default(), weight);
    g.orders.push(Order {
        account: user.to_owned(),
        ship_code,
        country,
        ref_no,
        item_no: item_no.clone(),
        order_no: order_no.clone(),
        temporary,
        cancelled: false,
        created: Instant::now(),
        created_at: hk_now(st),
    });
    Reply::ok()
        .field(r::ITEM_NO, item_no.as_str())
        .field(r::ORDER_NO, order_no)
        .field(r::DELIVERY_CHARGE, charge.to_string())
        .field(r::INSUR_PERM_FEE, "0")
}

fn next_item_no(g: &mut Inner) -> ItemNumber {
    loop {
        let serial = g.next_serial;
        g.next_serial += 1;
        let i = ItemNumber::from_parts("ZZ", serial, "HK").expect("valid S10 parts");
        if !g.orders.iter().any(|o| o.item_no == i) {
            return i;
        }
    }
}

/// createSoazOrder (§10.4): Speedpost, flat numbered fields, `custOrdRef` as the reference.
/// The reply has `itemNo` and no order number.
fn create_soaz_order(st: &Shared, g: &mut Inner, user: &str, req: &Element) -> Reply {
    let ref_no = req.child_text("custOrdRef").unwrap_or_default().to_owned();
    if ref_no.is_empty() {
        return Reply::err("1", "custOrdRef is required");
    }
    for field in ["addresseeName", "addresseeAddr1", "service", "itemDesc1"] {
        if req.child_text(field).unwrap_or_default().trim().is_empty() {
            return Reply::err("1", format!("{field} is required"));
        }
    }
    let country = req
        .child_text("addresseeCountry")
        .unwrap_or_default()
        .to_owned();
    if country.len() != 3 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Reply::err("1", "addresseeCountry must be an HKP 3-letter code");
    }
    if kg(req.child_text("itemWgt1")).is_none_or(|w| w <= Decimal::ZERO) {
        return Reply::err("1", "itemWgt1 must be greater than 0");
    }
    if !g.faults.accept_duplicate_ref
        && g.orders
            .iter()
            .any(|o| o.account == user && o.ref_no == ref_no)
    {
        return Reply::err("2", format!("custOrdRef already used: {ref_no}"));
    }
    let item_no = next_item_no(g);
    g.orders.push(Order {
        account: user.to_owned(),
        ship_code: format!("SOAZ:{}", req.child_text("service").unwrap_or_default()),
        country,
        ref_no,
        item_no: item_no.clone(),
        order_no: String::new(),
        temporary: false,
        cancelled: false,
        created: Instant::now(),
        created_at: hk_now(st),
    });
    Reply::ok().field(r::ITEM_NO, item_no.as_str())
}

/// The label's page size: e-Express+ (`AE…` codes) by destination, A4 otherwise.
fn label_size(o: &Order) -> pdf::PageSize {
    if o.ship_code.starts_with("AE") {
        if o.country.starts_with("US") {
            pdf::PageSize::EEXPRESS_US
        } else {
            pdf::PageSize::EEXPRESS_OTHER
        }
    } else {
        pdf::PageSize::A4
    }
}

fn label_title(o: &Order) -> String {
    format!("EC-Ship label {} to {} (simulator)", o.ship_code, o.country)
}

/// getSoazAddressPack (§10.4): `createDate` must be the order's Hong Kong day.
fn soaz_address_pack(g: &mut Inner, user: &str, req: &Element) -> Reply {
    let item = req.child_text("itemNo").unwrap_or_default().to_owned();
    let date = req.child_text("createDate").unwrap_or_default().to_owned();
    match find(g, user, &item) {
        Some(o) if !o.ship_code.starts_with("SOAZ:") => {
            Reply::err("3", format!("item {item} is not a Speedpost order"))
        }
        Some(o) if o.created_at.format("%Y-%m-%d").to_string() != date => Reply::err(
            "1",
            format!("createDate {date} is not the day item {item} was created"),
        ),
        Some(o) => {
            let page = (
                label_title(o),
                o.item_no.as_str().to_owned(),
                pdf::PageSize::A4,
            );
            Reply::ok().field(
                r::SOAZ_ADDRESS_PACK,
                STANDARD.encode(pdf::document(&[page])),
            )
        }
        None => Reply::err("3", format!("item {item} not found")),
    }
}

/// The `itemNo` list of a request: `itemNo/item` entries, or one `itemNo` text.
fn item_list(req: &Element) -> Vec<String> {
    match req.child("itemNo") {
        Some(e) if !e.children.is_empty() => e
            .children
            .iter()
            .map(|c| c.text.trim().to_owned())
            .collect(),
        Some(e) => vec![e.text.trim().to_owned()],
        None => Vec::new(),
    }
}

/// getCOP: a Certificate of Posting page per item (A4), for items not cancelled.
fn certificate(g: &mut Inner, user: &str, req: &Element) -> Reply {
    let items = item_list(req);
    if items.is_empty() {
        return Reply::err("1", "itemNo list is empty");
    }
    let mut pages = Vec::new();
    for it in &items {
        match find(g, user, it) {
            Some(o) if o.cancelled => return Reply::err("4", format!("item {it} is cancelled")),
            Some(o) => pages.push((
                "Certificate of Posting (simulator)".to_owned(),
                o.item_no.as_str().to_owned(),
                pdf::PageSize::A4,
            )),
            None => return Reply::err("3", format!("item {it} not found")),
        }
    }
    Reply::ok().field(r::CERTIFICATE, STANDARD.encode(pdf::document(&pages)))
}

fn get_item_no(g: &Inner, user: &str, req: &Element) -> Reply {
    let param = req.child_text("searchParam").unwrap_or_default();
    if param.is_empty() {
        return Reply::err("1", "searchParam is required");
    }
    let mut reply = Reply::ok();
    for o in g
        .orders
        .iter()
        .filter(|o| o.account == user && o.ref_no == param)
    {
        reply.extra.push_str(&format!(
            "<ns1:{rec}><ns1:{i}>{}</ns1:{i}><ns1:{on}>{}</ns1:{on}><ns1:{rn}>{}</ns1:{rn}></ns1:{rec}>",
            o.item_no.as_str(),
            esc(&o.order_no),
            esc(&o.ref_no),
            rec = r::ITEM_NO_RECORD,
            i = r::ITEM_NO,
            on = r::ORDER_NO,
            rn = r::REF_NO,
        ));
    }
    reply
}

fn find<'a>(g: &'a mut Inner, user: &str, item: &str) -> Option<&'a mut Order> {
    let i = ItemNumber::parse(item).ok()?;
    g.orders
        .iter_mut()
        .find(|o| o.account == user && o.item_no == i)
}

fn address_pack(g: &mut Inner, user: &str, req: &Element) -> Reply {
    let items = item_list(req);
    if items.is_empty() {
        return Reply::err("1", "itemNo list is empty");
    }
    let mut pages = Vec::new();
    for it in &items {
        match find(g, user, it) {
            Some(o) if o.cancelled => return Reply::err("4", format!("item {it} is cancelled")),
            Some(o) if o.ship_code.starts_with("SOAZ:") => {
                return Reply::err(
                    "3",
                    format!("item {it} is a Speedpost order: use getSoazAddressPack"),
                )
            }
            Some(o) => pages.push((label_title(o), o.item_no.as_str().to_owned(), label_size(o))),
            None => return Reply::err("3", format!("item {it} not found")),
        }
    }
    Reply::ok().field(r::ADDRESS_PACK, STANDARD.encode(pdf::document(&pages)))
}

fn cancel(g: &mut Inner, user: &str, req: &Element) -> Reply {
    let item = req.child_text("itemNo").unwrap_or_default().to_owned();
    let order_no = req.child_text("orderNo").unwrap_or_default().to_owned();
    match find(g, user, &item) {
        Some(o) if o.order_no != order_no => {
            Reply::err("3", format!("orderNo does not match item {item}"))
        }
        Some(o) if o.cancelled => Reply::err("4", format!("item {item} is already cancelled")),
        Some(o) => {
            o.cancelled = true;
            Reply::ok()
        }
        None => Reply::err("3", format!("item {item} not found")),
    }
}

/// The scripted life of an item: one more event per `tracking_step` since creation.
pub(crate) const SCRIPT: [(&str, &str, &str); 4] = [
    ("0", "Posted", "Item posted (ecship-simulator)"),
    (
        "2",
        "Processing",
        "Item processed at the mail centre (ecship-simulator)",
    ),
    (
        "3",
        "Departed",
        "Item departed Hong Kong (ecship-simulator)",
    ),
    ("5", "Delivered", "Item delivered (ecship-simulator)"),
];

pub(crate) fn script(
    step: Duration,
    created: Instant,
    created_at: NaiveDateTime,
) -> Vec<(NaiveDateTime, usize)> {
    let step_ms = step.as_millis().max(1);
    let n = (1 + created.elapsed().as_millis() / step_ms).min(SCRIPT.len() as u128) as usize;
    (0..n)
        .map(|k| {
            let at = created_at
                + chrono::Duration::milliseconds((step_ms as i64).saturating_mul(k as i64));
            (at, k)
        })
        .collect()
}

fn tracking(st: &Shared, g: &mut Inner, user: &str, req: &Element, milestones: bool) -> Reply {
    let item = req.child_text("itemNo").unwrap_or_default().to_owned();
    let Some(o) = find(g, user, &item) else {
        return Reply::err("3", format!("item {item} not found"));
    };
    let mut reply = Reply::ok().field(r::ITEM_NO, o.item_no.as_str());
    let events = script(st.tracking_step, o.created, o.created_at);
    if milestones {
        // §13.1: the latest status and its date, not a list.
        if let Some((at, k)) = events.last() {
            reply = reply
                .field(r::TT_STATUS, SCRIPT[*k].0)
                .field(r::TRACKING_DATE, at.format("%Y-%m-%d %H:%M:%S").to_string());
        }
        return reply;
    }
    // §13.1: one container of records with three positional children.
    let mut list = String::new();
    for (at, k) in events {
        let (_, _, desc) = SCRIPT[k];
        list.push_str(&format!(
            "<ns1:item><ns1:itemNo>{}</ns1:itemNo><ns1:date>{}</ns1:date><ns1:detail>{desc}</ns1:detail></ns1:item>",
            o.item_no.as_str(),
            at.format("%Y-%m-%d %H:%M:%S"),
        ));
    }
    reply.extra = format!("<ns1:{c}>{list}</ns1:{c}>", c = r::TT_CONTAINER);
    reply
}
