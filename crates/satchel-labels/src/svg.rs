//! One page of labels as SVG, for the print preview in the app window.
//!
//! Like the PDF renderer it only draws what the layout model says: text as `<text>` in Noto
//! Sans CJK HK at the model's sizes, barcodes as one `<rect>` per bar from the shared Code 128
//! encoder, boxes as stroked `<rect>`s. The SVG's user unit is the model's tenth of a
//! millimetre, so no coordinate is rounded. The webview rasterises it; nothing here needs a
//! font file. Text that would overflow its `max_width` is shrunk by an estimate of its width
//! (a full em for Han characters, about half for Latin), the same intent as the PDF renderer,
//! which measures with the real font.

use std::fmt::Write;

use crate::code128;
use crate::{Dmm, Element, Page, Weight};

/// The font the preview asks for; the PDF is drawn with the same face.
pub const FONT_FAMILY: &str = "Noto Sans CJK HK";

/// Tenths of a millimetre per tenth of a point (1 pt = 0.3528 mm).
const DMM_PER_DECIPOINT: f64 = 0.3528;

/// Renders `page` as a standalone SVG document, sized in millimetres.
pub fn render_page(page: &Page) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{wmm}mm" height="{hmm}mm" font-family="{FONT_FAMILY}, sans-serif" role="img">"#,
        w = page.width,
        h = page.height,
        wmm = mm(page.width),
        hmm = mm(page.height),
    );
    let _ = write!(
        out,
        r#"<rect x="0" y="0" width="{}" height="{}" fill="white"/>"#,
        page.width, page.height
    );
    for placed in &page.labels {
        let _ = write!(
            out,
            r#"<g class="label" transform="translate({} {})">"#,
            placed.x, placed.y
        );
        for e in &placed.label.elements {
            element(&mut out, e);
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

fn element(out: &mut String, e: &Element) {
    match e {
        Element::Text {
            x,
            y,
            size,
            weight,
            max_width,
            text,
        } => {
            let mut size = f64::from(*size) * DMM_PER_DECIPOINT;
            let width = estimated_em(text) * size;
            if width > f64::from(*max_width) && width > 0.0 {
                size *= f64::from(*max_width) / width;
            }
            let bold = if *weight == Weight::Bold {
                r#" font-weight="bold""#
            } else {
                ""
            };
            let _ = write!(
                out,
                r#"<text x="{x}" y="{y}" font-size="{size:.1}"{bold}>{}</text>"#,
                escape(text)
            );
        }
        Element::Barcode {
            x,
            y,
            width,
            height,
            data,
        } => {
            let Some(modules) = code128::modules(data) else {
                // The PDF renderer refuses such data; the preview shows an empty field.
                return;
            };
            let module = f64::from(*width) / modules.len() as f64;
            let mut i = 0;
            while i < modules.len() {
                if modules[i] == 0 {
                    i += 1;
                    continue;
                }
                let run = modules[i..].iter().take_while(|&&m| m == 1).count();
                let _ = write!(
                    out,
                    r#"<rect class="bar" x="{:.2}" y="{y}" width="{:.2}" height="{height}"/>"#,
                    f64::from(*x) + module * i as f64,
                    module * run as f64,
                );
                i += run;
            }
        }
        Element::Rect { x, y, w, h, thick } => {
            let line: Dmm = if *thick { 6 } else { 2 };
            let half = f64::from(line) / 2.0;
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="black" stroke-width="{line}"/>"#,
                f64::from(*x) + half,
                f64::from(*y) + half,
                f64::from(*w) - 2.0 * half,
                f64::from(*h) - 2.0 * half,
            );
        }
    }
}

/// An estimate of the advance of `text` in em: Han and other wide characters one em, the
/// rest about half.
fn estimated_em(text: &str) -> f64 {
    text.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 1.0 } else { 0.56 })
        .sum()
}

fn mm(d: Dmm) -> String {
    format!("{}.{}", d / 10, d % 10)
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{layout, pages, Format, LabelInput};
    use satchel_core::model::{Parcel, Party, Shipment};
    use satchel_core::s10::ItemNumber;
    use satchel_core::service::Service;

    fn shipment(number: Option<&str>) -> Shipment {
        Shipment {
            sender: Party {
                name: "小店 Little Shop".into(),
                lines: vec!["Shop 12, G/F, 8 Fa Yuen Street".into()],
                city: "Kowloon".into(),
                country: "HK".into(),
                ..Party::default()
            },
            recipient: Party {
                name: "Ann <Lee> & Co".into(),
                lines: vec!["1-2-3 Ginza 銀座".into()],
                city: "Tokyo".into(),
                country: "JP".into(),
                ..Party::default()
            },
            // iMail: the one service Satchel draws a final label for (R-047).
            service: Service::Imail,
            zone: String::new(),
            parcel: Parcel {
                weight_g: 480,
                dimensions: None,
            },
            customs: None,
            insured_value: None,
            reference: "ORD-1".into(),
            item_number: number.map(|n| ItemNumber::parse(n).unwrap()),
            non_delivery: None,
        }
    }

    fn label_of(s: &Shipment, format: Format) -> crate::Label {
        layout(
            &LabelInput {
                shipment: s,
                permit_no: None,
                office_of_exchange: None,
                date: None,
            },
            format,
        )
    }

    fn svg_of(label: crate::Label, format: Format) -> String {
        render_page(&pages(vec![label], format, 1).unwrap()[0])
    }

    fn svg(number: Option<&str>, format: Format) -> String {
        svg_of(label_of(&shipment(number), format), format)
    }

    /// R-047, issue #17: a number on any other service (a peer's, or a stale copy's) never
    /// turns Satchel's own layout into a final label: EC-Ship's PDF is that service's label.
    #[test]
    fn only_imail_gets_a_barcode_from_satchel_s_own_layout() {
        let mut s = shipment(Some("EE123456785HK"));
        s.service = Service::Speedpost;
        let label = label_of(&s, Format::Thermal4x6);
        assert!(label.to_text().lines().next().unwrap().ends_with("DRAFT"));
        let out = svg_of(label, Format::Thermal4x6);
        assert_eq!(out.matches(r#"class="bar""#).count(), 0);
        assert!(!out.contains("EE 1234 5678 5 HK"));
    }

    #[test]
    fn a_numbered_label_has_its_number_and_bars() {
        let out = svg(Some("EE123456785HK"), Format::Thermal4x6);
        assert!(out.starts_with("<svg "), "{out}");
        assert!(out.ends_with("</svg>"));
        assert!(
            out.contains("EE 1234 5678 5 HK"),
            "the number under the bars"
        );
        assert!(out.contains(FONT_FAMILY));
        let bars = out.matches(r#"class="bar""#).count();
        assert!(bars > 0, "bars drawn");
        // Text is escaped, so the preview cannot be broken (or scripted) by an address.
        assert!(out.contains("Ann &lt;Lee&gt; &amp; Co"));
        assert!(!out.contains("<Lee>"));
    }

    #[test]
    fn a_draft_page_has_no_bars() {
        let out = svg(None, Format::Speedpost);
        assert!(out.contains("DRAFT"));
        assert_eq!(out.matches(r#"class="bar""#).count(), 0);
    }
}
