//! The paperwork of an iMail posting, laid out like the labels: the posting statement, the
//! bag labels and the certificate-of-posting list.
//!
//! Everything here is data in, layout out: the caller passes the posting, the merchant's name,
//! the date of posting and (for the statement) the rate view, so there is no clock and no IO.
//! A document is a list of [`DocPage`]s of [`Element`]s in tenths of a millimetre from the
//! page's top-left corner; [`Document::to_pages`] wraps them so [`crate::pdf::render`] draws
//! them unchanged, and [`Document::to_text`] gives the same text form as [`Label::to_text`]
//! for snapshot tests.
//!
//! - [`statement`]: A4, as many pages as it takes. One section per destination with a row per
//!   bag and the destination's charge from [`satchel_core::imail::posting_charge`],
//!   then the totals and the counter total (rounded down to HK$0.10). The charge is an
//!   *expected* charge (HKP's scale prevails) and is marked an ESTIMATE when a bag weight is
//!   not a weighed one. It is the merchant's own statement: the Posting Statement Pos 487R is
//!   prepared on EC-Ship.
//! - [`bag_labels`]: one label per bag (R-148: one destination per bag), a quarter of A4
//!   (105 × 148.5 mm, A6 size), four to an A4 sheet so a laser printer and scissors make them.
//!   Each carries the date of posting, permit number, destination, bag number, bag weight and
//!   number of items, and the zone as `Z-n` in a heavy box (the layout model has no
//!   circle; the box stands in for the circle R-150 asks for).
//! - [`certificate_of_posting`]: A4, one line per item (number or reference, recipient,
//!   destination, weight), a box for the counter's stamp on every page, and US items
//!   segregated by office of exchange, New York (JFK) versus the others, with US items
//!   that have no indicator yet listed apart, since the counter refuses them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use satchel_core::address::{is_united_states, OfficeOfExchange};
use satchel_core::destination::imail_zone;
use satchel_core::imail::{posting_charge, PostingLine};
use satchel_core::model::{Bag, Grams, Hkd, Posting};
use satchel_core::postage::PostageError;
use satchel_core::rates::RateView;
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use serde::{Deserialize, Serialize};

use crate::sheet::A4;
use crate::{Dmm, Element, Format, Label, Page, Placed, Weight};

/// One page of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocPage {
    pub width: Dmm,
    pub height: Dmm,
    pub elements: Vec<Element>,
}

/// A laid-out posting document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    pub pages: Vec<DocPage>,
}

impl Document {
    /// Each page as one full-page "label" for [`crate::pdf::render`]. [`Format`] has no
    /// variant for documents, so the wrapping label's `format` is a placeholder the PDF
    /// renderer ignores; these pages are not for [`crate::pages`] or [`crate::zpl`].
    pub fn to_pages(&self) -> Vec<Page> {
        self.pages
            .iter()
            .map(|p| Page {
                width: p.width,
                height: p.height,
                labels: vec![Placed {
                    x: 0,
                    y: 0,
                    label: page_label(p),
                }],
            })
            .collect()
    }

    /// The document as text, page by page, one element per line, for snapshot tests.
    pub fn to_text(&self) -> String {
        let mm = |d: Dmm| format!("{}.{}", d / 10, d % 10);
        let mut out = format!("{} · {} page(s)\n", self.title, self.pages.len());
        for (i, p) in self.pages.iter().enumerate() {
            out.push_str(&format!(
                "=== page {} · {}x{} mm\n",
                i + 1,
                mm(p.width),
                mm(p.height)
            ));
            // The label's first line names its (placeholder) format; the rest is the elements.
            for line in page_label(p).to_text().lines().skip(1) {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// Every element of every page lies inside its page.
    pub fn fits(&self) -> bool {
        self.pages.iter().all(|p| page_label(p).fits())
    }

    /// Every text on every page, in order (for tests and search).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.pages.iter().flat_map(|p| {
            p.elements.iter().filter_map(|e| match e {
                Element::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
        })
    }
}

fn page_label(p: &DocPage) -> Label {
    Label {
        // Placeholder: see `Document::to_pages`.
        format: Format::ImailA4,
        width: p.width,
        height: p.height,
        item_number: None,
        elements: p.elements.clone(),
    }
}

/// What every posting document needs. The date is passed in: no clock.
#[derive(Debug, Clone, Copy)]
pub struct PostingDocs<'a> {
    /// The sender: the merchant's or shop's name.
    pub merchant: &'a str,
    pub date: NaiveDate,
    pub posting: &'a Posting,
}

/// One line of the certificate of posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateItem {
    pub item_number: Option<ItemNumber>,
    /// The merchant's reference, printed when there is no item number.
    pub reference: String,
    pub recipient: String,
    /// ISO alpha-2 destination.
    pub destination: String,
    pub weight_g: Grams,
    /// US items: the office of exchange EC-Ship assigned.
    pub office_of_exchange: Option<OfficeOfExchange>,
}

// ------------------------------------------------------------------ shared helpers

/// Page margin: 15 mm.
const MARGIN: Dmm = 150;
/// The lowest baseline of the running footer.
const FOOTER_Y: Dmm = A4.1 - 100;

/// Baseline-to-baseline distance for a size in tenths of a point, with 20% leading (as the
/// label layouts use).
fn line_step(size: u16) -> Dmm {
    (u32::from(size) * 3528 * 12 + 50_000) / 100_000
}

fn text(
    out: &mut Vec<Element>,
    x: Dmm,
    y: Dmm,
    size: u16,
    weight: Weight,
    max_width: Dmm,
    s: impl Into<String>,
) {
    let s = s.into();
    if !s.trim().is_empty() {
        out.push(Element::Text {
            x,
            y,
            size,
            weight,
            max_width,
            text: s,
        });
    }
}

fn rect(out: &mut Vec<Element>, x: Dmm, y: Dmm, w: Dmm, h: Dmm, thick: bool) {
    out.push(Element::Rect { x, y, w, h, thick });
}

/// Grams as kilograms with three decimals: exact.
fn kg(g: u64) -> String {
    format!("{}.{:03}", g / 1000, g % 1000)
}

/// HK$ with at least two decimals and never rounded: the core keeps charges exact because the
/// operator's rounding of bag weight is unknown (§5.7).
fn money(d: Hkd) -> String {
    let mut d = d;
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

fn norm(country: &str) -> String {
    country.trim().to_ascii_uppercase()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[derive(Debug, Clone, Copy)]
struct Column {
    x: Dmm,
    w: Dmm,
    title: &'static str,
}

const ROW: u16 = 80;

/// Rows flowing down A4 pages, with the column heads repeated on each page.
struct Flow {
    pages: Vec<Vec<Element>>,
    y: Dmm,
    /// The lowest baseline a row may have.
    limit: Dmm,
    running: String,
    columns: &'static [Column],
}

impl Flow {
    fn new(limit: Dmm, running: String, columns: &'static [Column]) -> Self {
        Flow {
            pages: vec![Vec::new()],
            y: MARGIN,
            limit,
            running,
            columns,
        }
    }

    fn page(&mut self) -> &mut Vec<Element> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// A line of text at the next baseline for `size`.
    fn line(&mut self, x: Dmm, size: u16, weight: Weight, w: Dmm, s: impl Into<String>) {
        self.y += line_step(size);
        let y = self.y;
        text(self.page(), x, y, size, weight, w, s);
    }

    fn gap(&mut self, d: Dmm) {
        self.y += d;
    }

    /// Starts a new page when fewer than `rows` rows fit on this one.
    fn keep(&mut self, rows: u32) {
        if self.y + rows * line_step(ROW) > self.limit {
            self.pages.push(Vec::new());
            self.y = MARGIN;
            let running = self.running.clone();
            self.line(MARGIN, 80, Weight::Bold, A4.0 - 2 * MARGIN, running);
            self.gap(30);
            self.heads();
        }
    }

    /// The column heads in a thin box.
    fn heads(&mut self) {
        let top = self.y + 10;
        let h = line_step(70) + 40;
        let y = top + line_step(70) + 5;
        let columns = self.columns;
        let page = self.page();
        rect(page, MARGIN - 20, top, A4.0 - 2 * MARGIN + 40, h, false);
        for c in columns {
            text(page, c.x, y, 70, Weight::Bold, c.w, c.title);
        }
        self.y = top + h;
    }

    /// One table row; the cells go into the columns in order.
    fn row(&mut self, weight: Weight, cells: &[String]) {
        self.keep(1);
        self.y += line_step(ROW);
        let y = self.y;
        let columns = self.columns;
        let page = self.page();
        for (c, s) in columns.iter().zip(cells) {
            text(page, c.x, y, ROW, weight, c.w, s.clone());
        }
    }

    /// The pages, each finished by `footer(page elements, page number, page count)`.
    fn finish(self, footer: impl Fn(&mut Vec<Element>, usize, usize)) -> Vec<DocPage> {
        let n = self.pages.len();
        self.pages
            .into_iter()
            .enumerate()
            .map(|(i, mut elements)| {
                footer(&mut elements, i + 1, n);
                DocPage {
                    width: A4.0,
                    height: A4.1,
                    elements,
                }
            })
            .collect()
    }
}

fn page_footer(out: &mut Vec<Element>, left: &str, page: usize, pages: usize) {
    text(out, MARGIN, FOOTER_Y, 65, Weight::Regular, 1400, left);
    text(
        out,
        A4.0 - MARGIN - 300,
        FOOTER_Y,
        65,
        Weight::Regular,
        300,
        format!("Page {page} of {pages}"),
    );
}

/// A bag's weight: the weighed one, else the sum of its items' (`false`: not weighed).
fn bag_weight(posting: &Posting, bag: &Bag) -> (Grams, bool) {
    match bag.weight_g {
        Some(w) => (w, true),
        None => (
            posting
                .items
                .iter()
                .filter(|i| i.bag == Some(bag.number))
                .map(|i| i.weight_g)
                .sum(),
            false,
        ),
    }
}

fn bag_items(posting: &Posting, bag: &Bag) -> u32 {
    posting
        .items
        .iter()
        .filter(|i| i.bag == Some(bag.number))
        .count() as u32
}

// ------------------------------------------------------------------ posting statement

const STATEMENT_COLUMNS: &[Column] = &[
    Column {
        x: 150,
        w: 380,
        title: "Bag 郵袋",
    },
    Column {
        x: 530,
        w: 220,
        title: "Items 件數",
    },
    Column {
        x: 750,
        w: 300,
        title: "Weight kg 重量",
    },
    Column {
        x: 1050,
        w: 300,
        title: "By weight HK$",
    },
    Column {
        x: 1350,
        w: 280,
        title: "Handling HK$",
    },
    Column {
        x: 1630,
        w: 320,
        title: "Charge HK$",
    },
];

/// One destination's part of the posting.
#[derive(Debug, Default)]
struct DestinationPart {
    /// (bag number, items, grams, weighed)
    bags: Vec<(u32, u32, Grams, bool)>,
    unbagged_items: u32,
    unbagged_g: Grams,
    items: u32,
}

impl DestinationPart {
    fn weighed(&self) -> bool {
        self.unbagged_items == 0 && self.bags.iter().all(|b| b.3)
    }
}

fn destinations(posting: &Posting) -> BTreeMap<String, DestinationPart> {
    let mut out: BTreeMap<String, DestinationPart> = BTreeMap::new();
    for bag in &posting.bags {
        let (g, weighed) = bag_weight(posting, bag);
        out.entry(norm(&bag.destination)).or_default().bags.push((
            bag.number,
            bag_items(posting, bag),
            g,
            weighed,
        ));
    }
    for item in &posting.items {
        let part = out.entry(norm(&item.destination)).or_default();
        part.items += 1;
        let bagged = item
            .bag
            .is_some_and(|n| posting.bags.iter().any(|b| b.number == n));
        if !bagged {
            part.unbagged_items += 1;
            part.unbagged_g += item.weight_g;
        }
    }
    out
}

/// The iMail posting statement (A4, as many pages as it takes), with the charge per
/// destination from the rates in `view`. Fails when a destination has no iMail rate.
pub fn statement(docs: &PostingDocs<'_>, view: &RateView<'_>) -> Result<Document, PostageError> {
    let p = docs.posting;
    let parts = destinations(p);
    let lines: Vec<PostingLine> = parts
        .iter()
        .map(|(country, part)| {
            let mut bag_weights_g: Vec<Grams> = part.bags.iter().map(|b| b.2).collect();
            if part.unbagged_items > 0 {
                bag_weights_g.push(part.unbagged_g);
            }
            PostingLine {
                country: country.clone(),
                bag_weights_g,
                items: part.items,
            }
        })
        .collect();
    let charge = posting_charge(view, &lines)?;
    let estimate = parts.values().any(|d| !d.weighed());

    let width = A4.0 - 2 * MARGIN;
    let running = format!(
        "iMail POSTING LIST (continued) · {} · Permit No. {} · {}",
        docs.merchant,
        p.permit_no,
        date(docs.date)
    );
    let mut f = Flow::new(FOOTER_Y - 80, running, STATEMENT_COLUMNS);
    // Titled so nobody takes it for the operator's Posting Statement Pos 487R.
    f.line(
        MARGIN,
        160,
        Weight::Bold,
        width,
        "iMail POSTING LIST (not Pos 487R)",
    );
    f.line(
        MARGIN,
        65,
        Weight::Regular,
        width,
        "The merchant's statement of this posting. The Posting Statement Pos 487R is prepared \
         on EC-Ship (R-146).",
    );
    f.gap(30);
    f.line(
        MARGIN,
        100,
        Weight::Bold,
        width,
        format!("Sender 寄件人  {}", docs.merchant),
    );
    f.line(
        MARGIN,
        100,
        Weight::Regular,
        width,
        format!("Permit No. 許可證號碼  {}", p.permit_no),
    );
    f.line(
        MARGIN,
        100,
        Weight::Regular,
        width,
        format!("Date of posting 投寄日期  {}", date(docs.date)),
    );
    if let Some(t) = view.table(Service::Imail) {
        f.line(
            MARGIN,
            70,
            Weight::Regular,
            width,
            format!(
                "Hongkong Post iMail tariff of {}",
                date(t.effective().date())
            ),
        );
    }
    f.gap(40);
    f.heads();

    let (mut bags, mut weight) = (0usize, 0u64);
    for ((country, part), line) in parts.iter().zip(&charge.lines) {
        let zone = imail_zone(country).map_or("", |z| z.label());
        // Keep the heading with the first bag and the subtotal where it fits.
        f.keep(3);
        f.gap(20);
        f.line(
            MARGIN,
            ROW,
            Weight::Bold,
            width,
            format!(
                "{country}  {zone}  ·  HK${}/kg + HK${}/item",
                money(line.rate.per_kg),
                money(line.rate.handle_fee)
            ),
        );
        for (number, items, g, weighed) in &part.bags {
            let w = if *weighed {
                kg(u64::from(*g))
            } else {
                format!("{} est.", kg(u64::from(*g)))
            };
            f.row(
                Weight::Regular,
                &[format!("Bag {number}"), items.to_string(), w],
            );
        }
        if part.unbagged_items > 0 {
            f.row(
                Weight::Regular,
                &[
                    "Not bagged 未入袋".into(),
                    part.unbagged_items.to_string(),
                    format!("{} est.", kg(u64::from(part.unbagged_g))),
                ],
            );
        }
        f.row(
            Weight::Bold,
            &[
                format!("{country} total"),
                line.items.to_string(),
                kg(line.bag_weight_g),
                money(line.weight_charge),
                money(line.handling),
                money(line.total),
            ],
        );
        bags += part.bags.len();
        weight += line.bag_weight_g;
    }

    f.keep(9);
    f.gap(40);
    let items: u32 = charge.lines.iter().map(|l| l.items).sum();
    f.row(
        Weight::Bold,
        &[
            "TOTAL 總計".into(),
            items.to_string(),
            kg(weight),
            money(charge.lines.iter().map(|l| l.weight_charge).sum()),
            money(charge.lines.iter().map(|l| l.handling).sum()),
            money(charge.total),
        ],
    );
    f.line(
        MARGIN,
        ROW,
        Weight::Regular,
        width,
        format!(
            "{} destination(s) · {bags} bag(s) · {items} item(s) · {} kg",
            charge.lines.len(),
            kg(weight)
        ),
    );
    f.gap(30);
    let title = if estimate {
        "Estimated charge at the counter 估算費用"
    } else {
        "Expected charge at the counter 預計費用"
    };
    f.line(
        MARGIN,
        120,
        Weight::Bold,
        width,
        format!("{title}  HK$ {}", money(charge.counter_total)),
    );
    f.line(
        MARGIN,
        70,
        Weight::Regular,
        width,
        "Bag weight × the destination's rate per kg + items × its handling fee (R-152); the \
         total rounded down to HK$0.10. HKP's scale prevails.",
    );
    if estimate {
        f.line(
            MARGIN,
            80,
            Weight::Bold,
            width,
            "ESTIMATE: weights marked est. are the items' weights, not a weighed bag. Weigh \
             every bag before posting.",
        );
    }

    let left = format!(
        "iMail posting list · {} · Permit No. {} · {}",
        docs.merchant,
        p.permit_no,
        date(docs.date)
    );
    Ok(Document {
        title: "iMail posting list".into(),
        pages: f.finish(|e, i, n| page_footer(e, &left, i, n)),
    })
}

// ------------------------------------------------------------------ bag labels

/// A bag label: a quarter of A4, 105 × 148.5 mm (A6 size), four to a sheet.
pub const BAG_LABEL: (Dmm, Dmm) = (A4.0 / 2, A4.1 / 2);

fn bag_label(docs: &PostingDocs<'_>, bag: &Bag) -> Vec<Element> {
    let (w, h) = BAG_LABEL;
    let m = 60;
    let inner = w - 2 * m;
    let mut e = Vec::new();
    // The cut line.
    rect(&mut e, 0, 0, w, h, false);
    text(
        &mut e,
        m,
        m + line_step(200),
        200,
        Weight::Bold,
        500,
        "iMail",
    );
    text(
        &mut e,
        m,
        m + line_step(200) + line_step(80),
        80,
        Weight::Bold,
        inner - 360,
        "MAIL BAG LABEL 郵袋標籤",
    );

    // the zone, e.g. 'Z-2', marked out (boxed: the model has no circle).
    let country = norm(&bag.destination);
    let zone = imail_zone(&country).map_or("Z-?", |z| z.label());
    let (zx, zw, zh) = (w - m - 330, 330, 230);
    rect(&mut e, zx, m, zw, zh, true);
    text(
        &mut e,
        zx + 25,
        m + 55,
        60,
        Weight::Regular,
        zw - 50,
        "ZONE 郵區",
    );
    text(&mut e, zx + 35, m + 195, 260, Weight::Bold, zw - 70, zone);

    let mut y = m + zh + 60;
    text(&mut e, m, y, 70, Weight::Bold, inner, "DESTINATION 目的地");
    y += line_step(400) - 20;
    text(&mut e, m, y, 400, Weight::Bold, inner, country.clone());
    y += 50;

    let (g, weighed) = bag_weight(docs.posting, bag);
    let weight = if weighed {
        format!("{} kg", kg(u64::from(g)))
    } else {
        "________ kg".into()
    };
    let fields: [(&str, String, u16); 5] = [
        ("Date of posting 投寄日期", date(docs.date), 140),
        ("Permit No. 許可證號碼", docs.posting.permit_no.clone(), 140),
        ("Bag No. 郵袋編號", bag.number.to_string(), 200),
        ("Bag weight 郵袋重量", weight, 140),
        (
            "Number of items 件數",
            bag_items(docs.posting, bag).to_string(),
            140,
        ),
    ];
    for (i, (name, value, size)) in fields.into_iter().enumerate() {
        y += line_step(70) + 20;
        text(&mut e, m, y, 70, Weight::Regular, inner, name);
        y += line_step(size);
        text(&mut e, m, y, size, Weight::Bold, inner, value);
        if i == 3 && !weighed {
            y += line_step(60) + 20;
            text(
                &mut e,
                m,
                y,
                60,
                Weight::Regular,
                inner,
                format!(
                    "Not weighed: items {} kg. Weigh and write in.",
                    kg(u64::from(g))
                ),
            );
        }
    }
    text(
        &mut e,
        m,
        h - m,
        70,
        Weight::Regular,
        inner,
        format!("From 寄件人  {}", docs.merchant),
    );
    e
}

fn shifted(e: Element, dx: Dmm, dy: Dmm) -> Element {
    match e {
        Element::Text {
            x,
            y,
            size,
            weight,
            max_width,
            text,
        } => Element::Text {
            x: x + dx,
            y: y + dy,
            size,
            weight,
            max_width,
            text,
        },
        Element::Barcode {
            x,
            y,
            width,
            height,
            data,
        } => Element::Barcode {
            x: x + dx,
            y: y + dy,
            width,
            height,
            data,
        },
        Element::Rect { x, y, w, h, thick } => Element::Rect {
            x: x + dx,
            y: y + dy,
            w,
            h,
            thick,
        },
    }
}

/// One label per bag of the posting, in bag order as given, four to an A4
/// sheet: top left, top right, bottom left, bottom right.
pub fn bag_labels(docs: &PostingDocs<'_>) -> Document {
    let (w, h) = BAG_LABEL;
    let mut pages: Vec<DocPage> = Vec::new();
    for (i, bag) in docs.posting.bags.iter().enumerate() {
        if i % 4 == 0 {
            pages.push(DocPage {
                width: A4.0,
                height: A4.1,
                elements: Vec::new(),
            });
        }
        let slot = (i % 4) as Dmm;
        let (dx, dy) = ((slot % 2) * w, (slot / 2) * h);
        if let Some(page) = pages.last_mut() {
            page.elements
                .extend(bag_label(docs, bag).into_iter().map(|e| shifted(e, dx, dy)));
        }
    }
    Document {
        title: "iMail bag labels".into(),
        pages,
    }
}

// ------------------------------------------------------------------ certificate of posting

const CERTIFICATE_COLUMNS: &[Column] = &[
    Column {
        x: 150,
        w: 110,
        title: "No.",
    },
    Column {
        x: 270,
        w: 480,
        title: "Item No. / Ref 郵件編號",
    },
    Column {
        x: 760,
        w: 620,
        title: "Recipient 收件人",
    },
    Column {
        x: 1390,
        w: 330,
        title: "Destination 目的地",
    },
    Column {
        x: 1730,
        w: 220,
        title: "Weight g 重量",
    },
];

/// The counter's stamp box: 60 × 40 mm, bottom right of every page.
const STAMP: (Dmm, Dmm) = (600, 400);

/// The R-066 groups, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    NotUs,
    NewYork,
    OtherOffices,
    /// no indicator yet, refused at the counter.
    Unassigned,
}

impl Group {
    fn of(item: &CertificateItem) -> Group {
        if !is_united_states(&item.destination) {
            return Group::NotUs;
        }
        match item
            .office_of_exchange
            .as_ref()
            .and_then(OfficeOfExchange::is_new_york)
        {
            Some(true) => Group::NewYork,
            Some(false) => Group::OtherOffices,
            None => Group::Unassigned,
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Group::NotUs => "All destinations except the United States",
            Group::NewYork => "United States · New York (JFK) 紐約",
            Group::OtherOffices => {
                "United States · other offices of exchange (SFO, LAX, ORD, MIA) 其他"
            }
            Group::Unassigned => {
                "United States · NO OFFICE OF EXCHANGE: refused at posting (R-067)"
            }
        }
    }
}

/// The certificate-of-posting list (A4): one line per item with a box for the counter's stamp
/// on every page. Items to the United States come last, segregated by office of exchange, New
/// York (JFK) versus the others; the rest are listed by destination.
pub fn certificate_of_posting(docs: &PostingDocs<'_>, items: &[CertificateItem]) -> Document {
    let width = A4.0 - 2 * MARGIN;
    let mut order: Vec<(Group, String, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let g = Group::of(it);
            let key = if g == Group::NotUs {
                norm(&it.destination)
            } else {
                String::new()
            };
            (g, key, i)
        })
        .collect();
    order.sort();

    let running = format!(
        "LIST OF ITEMS POSTED (continued) · {} · Permit No. {} · {}",
        docs.merchant,
        docs.posting.permit_no,
        date(docs.date)
    );
    let stamp_top = FOOTER_Y - 60 - STAMP.1;
    let mut f = Flow::new(stamp_top - 60, running, CERTIFICATE_COLUMNS);
    f.line(
        MARGIN,
        160,
        Weight::Bold,
        width,
        "LIST OF ITEMS POSTED 已投寄郵件清單",
    );
    // Not the Certificate of Posting (Pos 20), which the counter stamps or EC-Ship issues
    // (getCOP): the title says so, so nobody mistakes one for the other.
    f.line(
        MARGIN,
        90,
        Weight::Bold,
        width,
        "iMail · the merchant's own record, not the Certificate of Posting (Pos 20)",
    );
    f.gap(30);
    f.line(
        MARGIN,
        100,
        Weight::Bold,
        width,
        format!("Sender 寄件人  {}", docs.merchant),
    );
    f.line(
        MARGIN,
        100,
        Weight::Regular,
        width,
        format!("Permit No. 許可證號碼  {}", docs.posting.permit_no),
    );
    f.line(
        MARGIN,
        100,
        Weight::Regular,
        width,
        format!("Date of posting 投寄日期  {}", date(docs.date)),
    );
    f.line(
        MARGIN,
        100,
        Weight::Regular,
        width,
        format!("Items 件數  {}", items.len()),
    );
    f.gap(40);
    f.heads();

    let mut per_page: Vec<usize> = Vec::new();
    let mut group = None;
    for (n, (g, _, i)) in order.iter().enumerate() {
        let it = &items[*i];
        if group != Some(*g) {
            group = Some(*g);
            let count = order.iter().filter(|o| o.0 == *g).count();
            f.keep(3);
            f.gap(20);
            f.line(
                MARGIN,
                ROW,
                Weight::Bold,
                width,
                format!("{} · {count} item(s)", g.heading()),
            );
        }
        let number = match &it.item_number {
            Some(num) => num.as_str().to_owned(),
            None => format!("Ref {}", it.reference.trim()),
        };
        let destination = match (&it.office_of_exchange, *g) {
            (
                Some(OfficeOfExchange::FromEcShip { indicator }),
                Group::NewYork | Group::OtherOffices,
            ) => {
                format!("{} {indicator}", norm(&it.destination))
            }
            _ => norm(&it.destination),
        };
        f.row(
            Weight::Regular,
            &[
                (n + 1).to_string(),
                number,
                it.recipient.clone(),
                destination,
                it.weight_g.to_string(),
            ],
        );
        let page = f.pages.len();
        if per_page.len() < page {
            per_page.resize(page, 0);
        }
        per_page[page - 1] += 1;
    }

    let left = format!(
        "List of items posted · {} · Permit No. {} · {}",
        docs.merchant,
        docs.posting.permit_no,
        date(docs.date)
    );
    let total = items.len();
    let pages = f.finish(|e, i, n| {
        let on_page = per_page.get(i - 1).copied().unwrap_or(0);
        let sx = A4.0 - MARGIN - STAMP.0;
        rect(e, sx, stamp_top, STAMP.0, STAMP.1, false);
        text(
            e,
            sx + 30,
            stamp_top + line_step(70) + 10,
            70,
            Weight::Regular,
            STAMP.0 - 60,
            "Counter stamp 郵政局蓋印",
        );
        let mut y = stamp_top + line_step(90);
        for s in [
            format!("Items on this page 本頁件數  {on_page}"),
            format!("Items in this posting 投寄件數  {total}"),
        ] {
            text(e, MARGIN, y, 90, Weight::Regular, sx - MARGIN - 60, s);
            y += line_step(90) + 20;
        }
        text(
            e,
            MARGIN,
            stamp_top + STAMP.1 - 40,
            90,
            Weight::Regular,
            sx - MARGIN - 60,
            "Received by 收件人員  ____________________",
        );
        page_footer(e, &left, i, n);
    });
    Document {
        title: "iMail list of items posted".into(),
        pages,
    }
}
