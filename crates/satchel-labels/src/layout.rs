//! One label: the shipment's facts placed on a format.
//!
//! Landscape formats (iMail, Speedpost, registered, parcel) put the sender top left, the
//! recipient top right in larger type, the barcode bottom left and the customs declaration
//! bottom right. The 4×6 thermal label stacks the same blocks. Text carries a `max_width`;
//! the renderers shrink a line that would not fit rather than cut an address.

use chrono::NaiveDate;
use satchel_core::customs::{required_form, CustomsForm, CustomsThresholds};
use satchel_core::destination::imail_zone;
use satchel_core::model::{ContentCategory, Party, Shipment};
use satchel_core::service::Service;
use serde::{Deserialize, Serialize};

use crate::{Dmm, Format};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Weight {
    Regular,
    Bold,
}

/// Something drawn on a label. Coordinates: tenths of a mm from the label's top-left corner;
/// text `y` is the baseline; sizes in tenths of a point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Element {
    Text {
        x: Dmm,
        y: Dmm,
        size: u16,
        weight: Weight,
        max_width: Dmm,
        text: String,
    },
    /// A Code 128 barcode filling `width` × `height`, quiet zones included.
    Barcode {
        x: Dmm,
        y: Dmm,
        width: Dmm,
        height: Dmm,
        data: String,
    },
    Rect {
        x: Dmm,
        y: Dmm,
        w: Dmm,
        h: Dmm,
        thick: bool,
    },
}

/// A laid-out label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub format: Format,
    pub width: Dmm,
    pub height: Dmm,
    /// The item number in the barcode; `None` for a draft.
    pub item_number: Option<String>,
    pub elements: Vec<Element>,
}

/// What a label needs beyond the shipment.
#[derive(Debug, Clone, Copy)]
pub struct LabelInput<'a> {
    pub shipment: &'a Shipment,
    /// iMail permit number for the permit impression.
    pub permit_no: Option<&'a str>,
    /// The US office-of-exchange indicator as EC-Ship assigned it, e.g. `1-JFK`.
    pub office_of_exchange: Option<&'a str>,
    /// Printed on the customs declaration's date line.
    pub date: Option<NaiveDate>,
}

/// Builder that keeps a cursor per column.
struct Canvas {
    elements: Vec<Element>,
}

impl Canvas {
    fn text(
        &mut self,
        x: Dmm,
        y: Dmm,
        size: u16,
        weight: Weight,
        max_width: Dmm,
        text: impl Into<String>,
    ) {
        let text = text.into();
        if !text.trim().is_empty() {
            self.elements.push(Element::Text {
                x,
                y,
                size,
                weight,
                max_width,
                text,
            });
        }
    }

    fn rect(&mut self, x: Dmm, y: Dmm, w: Dmm, h: Dmm, thick: bool) {
        self.elements.push(Element::Rect { x, y, w, h, thick });
    }

    /// A party block; returns the y below it. `size` is the body size.
    fn party(
        &mut self,
        x: Dmm,
        mut y: Dmm,
        width: Dmm,
        size: u16,
        heading: &str,
        p: &Party,
    ) -> Dmm {
        let step = line_step(size);
        self.text(x, y, 70, Weight::Bold, width, heading);
        // The next baseline is spaced for the body size, not the heading's, so a 10 pt name
        // never touches its 7 pt heading.
        y += step;
        for (i, line) in party_lines(p).into_iter().enumerate() {
            let weight = if i == 0 {
                Weight::Bold
            } else {
                Weight::Regular
            };
            self.text(x, y, size, weight, width, line);
            y += step;
        }
        y
    }
}

/// Baseline-to-baseline distance for a size in tenths of a point (1 pt = 0.3528 mm), with
/// 20% leading, in tenths of a mm.
fn line_step(size: u16) -> Dmm {
    (u32::from(size) * 3528 * 12 + 50_000) / 100_000
}

fn party_lines(p: &Party) -> Vec<String> {
    let mut v = vec![p.name.clone()];
    if !p.company.trim().is_empty() {
        v.push(p.company.clone());
    }
    v.extend(p.lines.iter().filter(|l| !l.trim().is_empty()).cloned());
    let place = [p.city.as_str(), p.state.as_str(), p.postcode.as_str()]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if !place.is_empty() {
        v.push(place);
    }
    v.push(p.country.trim().to_ascii_uppercase());
    if !p.phone.trim().is_empty() {
        v.push(format!("Tel 電話 {}", p.phone.trim()));
    }
    v
}

/// The service mark printed in the top band.
fn service_mark(s: Service) -> &'static str {
    match s {
        Service::Imail => "iMail",
        Service::EExpress => "e-Express",
        Service::Speedpost => "SPEEDPOST / EMS",
        Service::AirRegistered(_) => "R  REGISTERED · BY AIR MAIL",
        Service::SurfaceRegistered(_) => "R  REGISTERED · SURFACE",
        Service::AirMail(_) => "BY AIR MAIL",
        Service::SurfaceMail(_) => "SURFACE MAIL",
        Service::AirParcel => "AIR PARCEL",
        Service::SurfaceParcel => "SURFACE PARCEL",
        Service::LocalOrdinary(_) => "LOCAL MAIL",
        Service::LocalRegistered(_) => "R  LOCAL REGISTERED",
        Service::LocalParcel => "LOCAL PARCEL",
        Service::LocalCourierPost => "LOCAL COURIERPOST",
    }
}

/// Whether the item travels by air, for the air-mail impression.
fn by_air(s: Service) -> bool {
    matches!(
        s,
        Service::Imail
            | Service::EExpress
            | Service::Speedpost
            | Service::AirRegistered(_)
            | Service::AirMail(_)
            | Service::AirParcel
    )
}

fn category_name(c: ContentCategory) -> &'static str {
    match c {
        ContentCategory::Gift => "Gift 禮物",
        ContentCategory::Documents => "Documents 文件",
        ContentCategory::CommercialSample => "Commercial sample 商業樣本",
        ContentCategory::ReturnedGoods => "Returned goods 退回貨品",
        ContentCategory::SaleOfGoods => "Sale of goods 銷售貨品",
        ContentCategory::Other => "Other 其他",
    }
}

/// The customs block (CN22, or CN23 when the value requires it); returns nothing for local
/// mail.
fn customs_block(
    c: &mut Canvas,
    s: &Shipment,
    date: Option<NaiveDate>,
    x: Dmm,
    mut y: Dmm,
    w: Dmm,
) {
    let Some(customs) = &s.customs else { return };
    if s.service.is_local() {
        return;
    }
    let form = required_form(
        s.service,
        customs.total_value(),
        &CustomsThresholds::default(),
    );
    let title = match form {
        Some(CustomsForm::Cn23) => "CUSTOMS DECLARATION CN 23 報關表",
        _ => "CUSTOMS DECLARATION CN 22 報關表",
    };
    c.text(x, y, 70, Weight::Bold, w, title);
    y += line_step(70);
    c.text(
        x,
        y,
        65,
        Weight::Regular,
        w,
        format!("[X] {}", category_name(customs.category)),
    );
    y += line_step(65);
    for line in customs.lines.iter().take(4) {
        let hs = if line.hs_code.is_empty() {
            String::new()
        } else {
            format!(" HS {}", line.hs_code)
        };
        let origin = if line.origin_country.is_empty() {
            String::new()
        } else {
            format!(" {}", line.origin_country)
        };
        c.text(
            x,
            y,
            60,
            Weight::Regular,
            w,
            format!(
                "{} × {} · {} g · {} {}{hs}{origin}",
                line.quantity, line.description, line.net_weight_g, line.currency, line.value
            ),
        );
        y += line_step(60);
    }
    c.text(
        x,
        y,
        60,
        Weight::Bold,
        w,
        format!(
            "Total {} g · HKD {}",
            s.parcel.weight_g,
            customs.total_value()
        ),
    );
    y += line_step(60);
    let when = date
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    c.text(
        x,
        y,
        60,
        Weight::Regular,
        w,
        format!("Signature 簽署 ____________  Date 日期 {when}"),
    );
}

/// The barcode (or the DRAFT mark) with the number under it.
fn barcode_block(c: &mut Canvas, number: Option<&str>, x: Dmm, y: Dmm, w: Dmm, h: Dmm) {
    match number {
        Some(n) => {
            c.elements.push(Element::Barcode {
                x,
                y,
                width: w,
                height: h,
                data: n.to_owned(),
            });
            let spaced = format!(
                "{} {} {} {} {}",
                &n[..2],
                &n[2..6],
                &n[6..10],
                &n[10..11],
                &n[11..]
            );
            c.text(
                x + w / 5,
                y + h + line_step(100),
                100,
                Weight::Bold,
                w - w / 5,
                spaced,
            );
        }
        None => {
            c.rect(x, y, w, h, true);
            c.text(x + 30, y + h / 2, 140, Weight::Bold, w - 60, "DRAFT 草稿");
            c.text(
                x + 30,
                y + h / 2 + line_step(140) - 20,
                70,
                Weight::Regular,
                w - 60,
                "NOT FOR POSTING · 不可投寄",
            );
        }
    }
}

/// Lays out one label for `input` in `format`.
pub fn layout(input: &LabelInput<'_>, format: Format) -> Label {
    let s = input.shipment;
    let (w, h) = format.size();
    // Satchel draws a final label (with its barcode) only for iMail, whose numbers come
    // from the merchant's pre-printed labels; every other service's label is EC-Ship's own
    // PDF, so a number on one of them here still draws the DRAFT impression (issue #17).
    let number = s
        .item_number
        .as_ref()
        .filter(|_| s.service == satchel_core::service::Service::Imail)
        .map(|n| n.as_str().to_owned());
    let mut c = Canvas {
        elements: Vec::new(),
    };
    c.rect(0, 0, w, h, false);
    let m = 30; // 3 mm margin

    // Top band: service and air-mail marks, the US office of exchange, the iMail permit.
    let mut top = m + line_step(110);
    c.text(m, top, 110, Weight::Bold, w / 2, service_mark(s.service));
    if by_air(s.service) {
        c.text(
            m,
            top + line_step(80),
            80,
            Weight::Bold,
            w / 2,
            "PAR AVION · BY AIR MAIL · 航空",
        );
        top += line_step(80);
    }
    let mut right_edge = w - m;
    if let (Service::Imail, Some(permit)) = (s.service, input.permit_no) {
        // the permit-number impression, 40 × 20 mm, top right. Its design is the
        // operator's and not public, so only what is known goes in it: the permit number
        // and the zone; no permit, no impression (the print run refuses, R-144).
        let (px, py) = (w - m - 400, m);
        c.rect(px, py, 400, 200, true);
        c.text(
            px + 20,
            py + 70,
            65,
            Weight::Bold,
            360,
            format!("PERMIT No. {permit}"),
        );
        if let Some(z) = imail_zone(&s.recipient.country) {
            c.text(px + 20, py + 150, 65, Weight::Bold, 360, z.label());
        }
        right_edge = px - 30;
        top = top.max(py + 200);
    }
    if satchel_core::address::is_united_states(&s.recipient.country) && !s.service.is_local() {
        // the indicator EC-Ship assigned, large, so counter staff can segregate.
        let oe = input.office_of_exchange.unwrap_or("OE ?");
        c.text(
            right_edge.saturating_sub(350),
            m + line_step(140),
            140,
            Weight::Bold,
            350,
            oe,
        );
    }
    let body = top + 40;

    if format.is_portrait() {
        let inner = w - 2 * m;
        let y = c.party(m, body + line_step(70), inner, 70, "FROM 寄件人", &s.sender);
        let y = c.party(
            m,
            y + 20 + line_step(70),
            inner,
            95,
            "TO 收件人",
            &s.recipient,
        );
        let bar_h = 180;
        barcode_block(&mut c, number.as_deref(), m + 50, y, inner - 100, bar_h);
        let cy = y + bar_h + line_step(100) + 30;
        customs_block(&mut c, s, input.date, m, cy + line_step(70), inner);
        reference_line(&mut c, s, m, h - m, inner);
    } else {
        let half = (w - 3 * m) / 2;
        let rx = m * 2 + half;
        c.party(m, body + line_step(70), half, 75, "FROM 寄件人", &s.sender);
        let below_recipient = c.party(
            rx,
            body + line_step(70),
            half,
            100,
            "TO 收件人",
            &s.recipient,
        );
        let bar_h = (h / 5).clamp(120, 220);
        let bar_y = h - m - bar_h - line_step(100) - line_step(60) - 20;
        barcode_block(&mut c, number.as_deref(), m, bar_y, half.min(700), bar_h);
        // Under the recipient, never over it, however long the address.
        let cy = (below_recipient + line_step(70)).max(h * 58 / 100);
        customs_block(&mut c, s, input.date, rx, cy, half);
        reference_line(&mut c, s, m, h - m, half);
    }

    Label {
        format,
        width: w,
        height: h,
        item_number: number,
        elements: c.elements,
    }
}

fn reference_line(c: &mut Canvas, s: &Shipment, x: Dmm, y: Dmm, w: Dmm) {
    let r = s.reference.trim();
    let text = if r.is_empty() {
        format!("{} g", s.parcel.weight_g)
    } else {
        format!("Ref {r} · {} g", s.parcel.weight_g)
    };
    c.text(x, y, 60, Weight::Regular, w, text);
}

impl Label {
    /// The label as text, one element per line, for snapshot tests and debugging.
    pub fn to_text(&self) -> String {
        let mm = |d: Dmm| format!("{}.{}", d / 10, d % 10);
        let mut out = format!(
            "{} {}x{} mm{}\n",
            self.format.id(),
            mm(self.width),
            mm(self.height),
            self.item_number
                .as_deref()
                .map(|n| format!(" #{n}"))
                .unwrap_or_else(|| " DRAFT".into())
        );
        for e in &self.elements {
            let line = match e {
                Element::Text {
                    x,
                    y,
                    size,
                    weight,
                    text,
                    ..
                } => format!(
                    "text   {:>6},{:>6} {:>4}pt{} {text}",
                    mm(*x),
                    mm(*y),
                    format!("{}.{}", size / 10, size % 10),
                    if *weight == Weight::Bold { " b" } else { "  " }
                ),
                Element::Barcode {
                    x,
                    y,
                    width,
                    height,
                    data,
                } => format!(
                    "code128 {:>5},{:>6} {}x{} {data}",
                    mm(*x),
                    mm(*y),
                    mm(*width),
                    mm(*height)
                ),
                Element::Rect { x, y, w, h, thick } => format!(
                    "rect   {:>6},{:>6} {}x{}{}",
                    mm(*x),
                    mm(*y),
                    mm(*w),
                    mm(*h),
                    if *thick { " thick" } else { "" }
                ),
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// Every element lies inside the label.
    pub fn fits(&self) -> bool {
        self.elements.iter().all(|e| match e {
            Element::Text {
                x, y, max_width, ..
            } => x + max_width <= self.width && *y <= self.height,
            Element::Barcode {
                x,
                y,
                width,
                height,
                ..
            } => x + width <= self.width && y + height <= self.height,
            Element::Rect { x, y, w, h, .. } => x + w <= self.width && y + h <= self.height,
        })
    }
}
