//! Bulk import and export as CSV: the address book and shipments.
//!
//! An import maps the file's columns to our fields (guessed from English or Chinese headers,
//! adjustable by the user), checks every row with the domain engine, writes the good rows in
//! ONE transaction and hands back the bad rows as a CSV with an `errors` column. One
//! transaction means a killed import leaves nothing behind, so running it again cannot
//! duplicate anything. Exports write a UTF-8 byte-order mark (Excel needs it for Chinese) and
//! use the same column names the importer recognises, so an export imports back unchanged.

use rust_decimal::Decimal;
use satchel_core::model::{
    ContentCategory, ContentLine, Customs, Dimensions, NonDelivery, Parcel, Party, Shipment,
};
use satchel_core::service::Service;
use serde::{Deserialize, Serialize};

use crate::contacts::{checked, ContactInput, ContactKind};
use crate::shipments::{Assessment, ShipmentDraft, ShipmentFilter, StoredProblem};
use crate::{Error, Result, Store};

/// What a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Contacts,
    Shipments,
}

/// One field a column can map to: its key, and the headers recognised for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    pub key: &'static str,
    pub headers: &'static [&'static str],
}

macro_rules! fields {
    ($($key:literal => [$($h:literal),*];)*) => { &[$(FieldDef { key: $key, headers: &[$($h),*] }),*] };
}

/// Address-book columns, in export order.
pub const CONTACT_FIELDS: &[FieldDef] = fields! {
    "kind" => ["type", "類別"];
    "name" => ["name", "full name", "recipient", "recipient name", "contact", "姓名", "收件人", "名稱"];
    "company" => ["company", "organisation", "organization", "公司"];
    "line1" => ["line1", "address", "address 1", "address line 1", "street", "地址", "地址1"];
    "line2" => ["line2", "address 2", "address line 2", "地址2"];
    "line3" => ["line3", "address 3", "address line 3", "地址3"];
    "city" => ["city", "town", "城市"];
    "state" => ["state", "province", "region", "county", "州", "省"];
    "postcode" => ["postcode", "postal code", "zip", "zip code", "郵編", "郵遞區號", "郵政編碼"];
    "country" => ["country", "country code", "destination", "國家", "國家代碼", "目的地"];
    "phone" => ["phone", "telephone", "tel", "mobile", "電話", "手機"];
    "email" => ["email", "e-mail", "電郵", "電子郵件"];
    "notes" => ["notes", "note", "remarks", "備註"];
    "tags" => ["tags", "tag", "labels", "標籤"];
};

/// Shipment columns, in export order. `id`, `state`, `created`, `item_number` and the quote
/// columns are exported for the merchant's records and ignored on import.
pub const SHIPMENT_FIELDS: &[FieldDef] = fields! {
    "reference" => ["reference", "ref", "order", "order no", "參考編號", "訂單編號"];
    "service" => ["service", "服務"];
    "name" => ["name", "recipient", "recipient name", "收件人", "姓名"];
    "company" => ["company", "公司"];
    "line1" => ["line1", "address", "address 1", "address line 1", "地址", "地址1"];
    "line2" => ["line2", "address 2", "地址2"];
    "line3" => ["line3", "address 3", "地址3"];
    "city" => ["city", "城市"];
    "state" => ["state", "province", "州", "省"];
    "postcode" => ["postcode", "zip", "postal code", "郵編", "郵遞區號"];
    "country" => ["country", "destination", "國家", "目的地"];
    "phone" => ["phone", "tel", "mobile", "電話"];
    "email" => ["email", "e-mail", "電郵"];
    "weight_g" => ["weight_g", "weight (g)", "weight", "grams", "重量", "重量(克)"];
    "length_mm" => ["length_mm", "length", "長"];
    "width_mm" => ["width_mm", "width", "闊"];
    "height_mm" => ["height_mm", "height", "高"];
    "category" => ["category", "content type", "類別", "內容類別"];
    "description" => ["description", "contents", "content", "item", "內容", "物品描述"];
    "quantity" => ["quantity", "qty", "數量"];
    "value" => ["value", "declared value", "價值", "申報價值"];
    "currency" => ["currency", "貨幣"];
    "hs_code" => ["hs_code", "hs code", "hs", "稅則號"];
    "origin" => ["origin", "origin country", "country of origin", "原產地"];
    "insured_value" => ["insured_value", "insurance", "insured value", "保險金額"];
    "non_delivery" => ["non_delivery", "if undeliverable", "無法投遞"];
    "id" => ["id"];
    "state_now" => ["status"];
    "created" => ["created"];
    "item_number" => ["item_number", "item number", "tracking", "郵件編號"];
    "postage" => ["postage", "郵費"];
    "rates_as_of" => ["rates_as_of"];
};

impl Table {
    pub fn fields(self) -> &'static [FieldDef] {
        match self {
            Table::Contacts => CONTACT_FIELDS,
            Table::Shipments => SHIPMENT_FIELDS,
        }
    }
}

/// What to do with a row that matches a record already in the store (the same person by
/// name, first address line, postcode and country; or a shipment with the same reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Import nothing for it; list it, and put it in the report CSV, for the user to decide.
    Review,
    KeepExisting,
    Overwrite,
}

/// For each column of the file, the field it fills (`None`: ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping(pub Vec<Option<String>>);

fn header_norm(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Guesses the field of each column from its header; each field is used at most once.
pub fn guess_mapping(table: Table, headers: &[String]) -> Mapping {
    let mut used = Vec::new();
    let cols = headers
        .iter()
        .map(|h| {
            let h = header_norm(h);
            let hit = table.fields().iter().find(|f| {
                !used.contains(&f.key)
                    && (header_norm(f.key) == h || f.headers.iter().any(|x| header_norm(x) == h))
            });
            hit.map(|f| {
                used.push(f.key);
                f.key.to_owned()
            })
        })
        .collect();
    Mapping(cols)
}

/// A parsed CSV file: its header row and data rows (1-based line numbers of the data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvFile {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// The separator a file uses: `,`, `;` or tab, whichever its header line has most of.
fn delimiter(header: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// Reads CSV text (a leading byte-order mark is dropped; `,` or `;` or tab as separator,
/// chosen from the header line).
pub fn read_csv(text: &str) -> Result<CsvFile> {
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter(text.lines().next().unwrap_or("")))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| Error::Csv(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Error::Csv(format!("row {}: {e}", i + 1)))?;
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push((i + 1, rec.iter().map(str::to_owned).collect()));
    }
    Ok(CsvFile { headers, rows })
}

/// Every record of a CSV file with its line number, the header row included (a shop export
/// may start with blank lines before its header; see `satchel_core::shop::find_header`).
pub fn read_records(text: &str) -> Result<Vec<(usize, Vec<String>)>> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter(first))
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Error::Csv(e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        out.push((line, rec.iter().map(str::to_owned).collect()));
    }
    Ok(out)
}

/// The largest workbook read: far beyond any shop's order report, small enough that a hostile
/// file cannot exhaust memory before it is refused.
pub const MAX_WORKBOOK_BYTES: usize = 20 * 1024 * 1024;

/// Every row of a workbook's first sheet (`.xlsx`), with its line number, as text: what a
/// shop that exports Excel (SHOPLINE) writes, read like a CSV file. Numbers come as Excel
/// stores them (a double), written back in their shortest form ("200", "38.5"), so a price is
/// read as the decimal the merchant typed; dates stay Excel serial numbers.
pub fn read_workbook_records(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>> {
    use calamine::{Data, Reader, Xlsx};
    if bytes.len() > MAX_WORKBOOK_BYTES {
        return Err(Error::Csv(format!(
            "the workbook is larger than {} MiB",
            MAX_WORKBOOK_BYTES / (1024 * 1024)
        )));
    }
    let unreadable =
        |e: &dyn std::fmt::Display| Error::Csv(format!("not a readable .xlsx workbook: {e}"));
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(|e| unreadable(&e))?,
        None => return Err(Error::Csv("the workbook has no sheet".into())),
    };
    let first = range.start().map_or(0, |(row, _)| row as usize);
    let cell = |d: &Data| match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
    };
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| (first + i + 1, row.iter().map(cell).collect()))
        .collect())
}

/// What makes a spreadsheet read a cell as a formula rather than text (CSV injection): an
/// address line `=HYPERLINK(…)` typed by a customer must not run when the merchant opens an
/// export in Excel.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as written to a CSV file a merchant opens in a spreadsheet: one that would start a
/// formula gets a leading apostrophe, so it shows as the text it is and never runs.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_START) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// [`neutralise`] undone on import, so an export imports back unchanged: the apostrophe before
/// such a character is dropped.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => cell,
    }
}

/// Writes one CSV row with every cell neutralised.
pub(crate) fn write_row<W: std::io::Write, S: AsRef<str>>(
    w: &mut csv::Writer<W>,
    row: impl IntoIterator<Item = S>,
) -> Result<()> {
    w.write_record(row.into_iter().map(|c| neutralise(c.as_ref()).into_owned()))
        .map_err(|e| Error::Csv(e.to_string()))
}

/// One row's values by field key.
struct RowView<'a> {
    mapping: &'a Mapping,
    values: &'a [String],
}

impl RowView<'_> {
    fn get(&self, key: &str) -> &str {
        self.mapping
            .0
            .iter()
            .position(|m| m.as_deref() == Some(key))
            .and_then(|i| self.values.get(i))
            .map_or("", |s| unneutralise(s.trim()))
    }
}

/// A problem with a cell that is not a domain rule: a number that is not a number.
fn cell_problem(field: &str, en: String, zh: String) -> StoredProblem {
    StoredProblem {
        code: "CSV.unreadable_value".into(),
        rule: "CSV".into(),
        field: field.into(),
        error: true,
        message_en: en,
        message_zh_hk: zh,
    }
}

fn contact_from_row(row: &RowView<'_>) -> ContactInput {
    let kind = match row.get("kind").to_lowercase().as_str() {
        "sender" | "寄件人" => ContactKind::Sender,
        _ => ContactKind::Recipient,
    };
    let lines = ["line1", "line2", "line3"]
        .iter()
        .map(|k| row.get(k).to_owned())
        .collect();
    ContactInput {
        kind,
        party: Party {
            name: row.get("name").into(),
            company: row.get("company").into(),
            lines,
            city: row.get("city").into(),
            state: row.get("state").into(),
            postcode: row.get("postcode").into(),
            country: row.get("country").into(),
            phone: row.get("phone").into(),
            email: row.get("email").into(),
        },
        notes: row.get("notes").into(),
        tags: row
            .get("tags")
            .split([';', ','])
            .map(str::to_owned)
            .collect(),
        is_default: false,
    }
    .normalised()
}

fn number<T: std::str::FromStr>(
    row: &RowView<'_>,
    key: &str,
    out: &mut Vec<StoredProblem>,
) -> Option<T> {
    let raw = row.get(key);
    if raw.is_empty() {
        return None;
    }
    let cleaned = raw.replace(',', "");
    match cleaned.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            out.push(cell_problem(
                key,
                format!("{key}: \"{raw}\" is not a number"),
                format!("{key}：「{raw}」不是數字"),
            ));
            None
        }
    }
}

/// Builds a shipment from a row; cell-level problems (unreadable numbers, unknown service)
/// are returned alongside.
fn shipment_from_row(row: &RowView<'_>, sender: &Party) -> (Option<Shipment>, Vec<StoredProblem>) {
    let mut problems = Vec::new();
    let service = match Service::from_id(row.get("service")) {
        Some(s) => Some(s),
        None => {
            let raw = row.get("service");
            problems.push(cell_problem(
                "service",
                format!("service: \"{raw}\" is not a service id (e.g. speedpost, e_express, air_registered.packet)"),
                format!("service：「{raw}」不是服務代號（例如 speedpost、e_express、air_registered.packet）"),
            ));
            None
        }
    };
    let weight_g: Option<u32> = number(row, "weight_g", &mut problems);
    let l: Option<u32> = number(row, "length_mm", &mut problems);
    let w: Option<u32> = number(row, "width_mm", &mut problems);
    let h: Option<u32> = number(row, "height_mm", &mut problems);
    let quantity: Option<u32> = number(row, "quantity", &mut problems);
    let value: Option<Decimal> = number(row, "value", &mut problems);
    let insured: Option<Decimal> = number(row, "insured_value", &mut problems);
    let category = match row.get("category") {
        "" => None,
        raw => {
            let c = ContentCategory::from_id(raw);
            if c.is_none() {
                problems.push(cell_problem(
                    "category",
                    format!("category: \"{raw}\" is not one of gift, documents, commercial_sample, returned_goods, sale_of_goods, other"),
                    format!("category：「{raw}」不是 gift、documents、commercial_sample、returned_goods、sale_of_goods、other 之一"),
                ));
            }
            c
        }
    };
    let non_delivery = NonDelivery::from_id(row.get("non_delivery"));
    let Some(service) = service else {
        return (None, problems);
    };
    let contact = contact_from_row(row);
    let customs = category.map(|category| Customs {
        category,
        lines: if row.get("description").is_empty() {
            Vec::new()
        } else {
            vec![ContentLine {
                description: row.get("description").into(),
                quantity: quantity.unwrap_or(1),
                net_weight_g: weight_g.unwrap_or(0),
                value: value.unwrap_or_default(),
                currency: match row.get("currency") {
                    "" => "HKD".into(),
                    c => c.to_ascii_uppercase(),
                },
                hs_code: row.get("hs_code").into(),
                origin_country: row.get("origin").to_ascii_uppercase(),
            }]
        },
        explanation: String::new(),
        invoice_no: String::new(),
    });
    let dimensions = match (l, w, h) {
        (Some(length), Some(width), Some(height)) => Some(Dimensions {
            length,
            width,
            height,
        }),
        _ => None,
    };
    let shipment = Shipment {
        sender: sender.clone(),
        recipient: contact.party,
        service,
        zone: String::new(),
        parcel: Parcel {
            weight_g: weight_g.unwrap_or(0),
            dimensions,
        },
        customs,
        insured_value: insured,
        reference: row.get("reference").into(),
        item_number: None,
        non_delivery,
    };
    (Some(shipment), problems)
}

/// One row as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: usize,
    pub values: Vec<String>,
    pub problems: Vec<StoredProblem>,
    /// The id of the stored record this row duplicates.
    pub duplicate_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub headers: Vec<String>,
    pub mapping: Mapping,
    pub total_rows: usize,
    /// Rows with at least one error, in the whole file.
    pub rows_with_errors: usize,
    /// The first rows, checked.
    pub rows: Vec<PreviewRow>,
}

/// A row the store already holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateRow {
    pub line: usize,
    pub existing_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub total_rows: usize,
    pub imported: usize,
    pub updated: usize,
    pub kept_existing: usize,
    /// Rows held back for review (policy `review`).
    pub duplicates: Vec<DuplicateRow>,
    pub rejected: usize,
    /// The rows not imported (errors, or held for review), as CSV with the file's own
    /// columns plus `errors`; empty when every row went in.
    pub report_csv: String,
}

/// How a shipment row is checked: the domain engine, supplied by the caller (it holds the
/// rate files and the rules configuration).
pub type Assess<'a> = &'a dyn Fn(&Shipment) -> Assessment;

fn problems_text(ps: &[StoredProblem]) -> String {
    ps.iter()
        .filter(|p| p.error)
        .map(|p| format!("{} ({}): {}", p.field, p.rule, p.message_en))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn contact_problems(input: &ContactInput) -> Vec<StoredProblem> {
    input.problems().iter().map(StoredProblem::from).collect()
}

/// Checks a row for the preview, without writing.
fn check_row(
    store: &Store,
    table: Table,
    row: &RowView<'_>,
    sender: Option<&Party>,
    assess: Option<Assess<'_>>,
) -> Result<(Vec<StoredProblem>, Option<String>)> {
    match table {
        Table::Contacts => {
            let input = contact_from_row(row);
            let dup = crate::contacts::duplicate_of(&store.conn, &input)?;
            Ok((contact_problems(&input), dup))
        }
        Table::Shipments => {
            let Some(sender) = sender else {
                return Ok((vec![no_sender()], None));
            };
            let (s, mut ps) = shipment_from_row(row, sender);
            let mut dup = None;
            if let Some(s) = s {
                if let Some(assess) = assess {
                    ps.extend(assess(&s).problems);
                }
                dup = crate::shipments::with_reference(&store.conn, &s.reference)?;
            }
            Ok((ps, dup))
        }
    }
}

fn no_sender() -> StoredProblem {
    StoredProblem {
        code: "S-004.no_default_sender".into(),
        rule: "R-049".into(),
        field: "sender".into(),
        error: true,
        message_en:
            "Set a default sender profile (a Hong Kong return address) before importing shipments."
                .into(),
        message_zh_hk: "匯入郵件前，請先設定預設寄件人資料（香港回郵地址）。".into(),
    }
}

impl Store {
    /// Reads a file, guesses (or applies) the mapping and checks the first `sample` rows;
    /// counts the rows with errors in the whole file. Writes nothing.
    pub fn preview_import(
        &self,
        table: Table,
        text: &str,
        mapping: Option<Mapping>,
        sample: usize,
        assess: Option<Assess<'_>>,
    ) -> Result<Preview> {
        let file = read_csv(text)?;
        let mapping = mapping.unwrap_or_else(|| guess_mapping(table, &file.headers));
        let sender = self.default_sender()?.map(|c| c.input.party);
        let mut rows = Vec::new();
        let mut rows_with_errors = 0;
        for (i, (line, values)) in file.rows.iter().enumerate() {
            let view = RowView {
                mapping: &mapping,
                values,
            };
            let (problems, duplicate_of) = check_row(self, table, &view, sender.as_ref(), assess)?;
            if problems.iter().any(|p| p.error) {
                rows_with_errors += 1;
            }
            if i < sample {
                rows.push(PreviewRow {
                    line: *line,
                    values: values.clone(),
                    problems,
                    duplicate_of,
                });
            }
        }
        Ok(Preview {
            headers: file.headers,
            mapping,
            total_rows: file.rows.len(),
            rows_with_errors,
            rows,
        })
    }

    /// Imports a CSV file in one transaction. `progress(done, total)` is called as rows are
    /// processed; nothing is visible to readers until the end.
    pub fn import(
        &mut self,
        table: Table,
        text: &str,
        mapping: Option<Mapping>,
        policy: DuplicatePolicy,
        assess: Option<Assess<'_>>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport> {
        let file = read_csv(text)?;
        let mapping = mapping.unwrap_or_else(|| guess_mapping(table, &file.headers));
        let sender = self.default_sender()?;
        let total = file.rows.len();
        let mut report = ImportReport {
            total_rows: total,
            ..ImportReport::default()
        };
        let mut rejects = csv::Writer::from_writer(Vec::new());
        let mut header = file.headers.clone();
        header.push("errors".into());
        rejects
            .write_record(&header)
            .map_err(|e| Error::Csv(e.to_string()))?;
        let mut reject = |values: &[String], why: String| -> Result<()> {
            let mut rec = values.to_vec();
            rec.resize(file.headers.len(), String::new());
            rec.push(why);
            write_row(&mut rejects, &rec)
        };
        self.write(|w| {
            for (n, (line, values)) in file.rows.iter().enumerate() {
                if n % 250 == 0 {
                    progress(n, total);
                }
                let view = RowView {
                    mapping: &mapping,
                    values,
                };
                match table {
                    Table::Contacts => {
                        let input = contact_from_row(&view);
                        let input = match checked(input) {
                            Ok(i) => i,
                            Err(Error::Invalid(ps)) => {
                                report.rejected += 1;
                                let ps: Vec<StoredProblem> =
                                    ps.iter().map(StoredProblem::from).collect();
                                reject(values, problems_text(&ps))?;
                                continue;
                            }
                            Err(e) => return Err(e),
                        };
                        match (w.find_duplicate(&input)?, policy) {
                            (None, _) => {
                                w.insert_contact(&input)?;
                                report.imported += 1;
                            }
                            (Some(_), DuplicatePolicy::KeepExisting) => report.kept_existing += 1,
                            (Some(id), DuplicatePolicy::Overwrite) => {
                                w.update_contact(&id, &input)?;
                                report.updated += 1;
                            }
                            (Some(id), DuplicatePolicy::Review) => {
                                reject(values, format!("duplicate of contact {id} (review)"))?;
                                report.duplicates.push(DuplicateRow {
                                    line: *line,
                                    existing_id: id,
                                });
                            }
                        }
                    }
                    Table::Shipments => {
                        let Some(sender) = &sender else {
                            report.rejected += 1;
                            reject(values, problems_text(&[no_sender()]))?;
                            continue;
                        };
                        let (s, mut ps) = shipment_from_row(&view, &sender.input.party);
                        let mut assessment = Assessment::default();
                        if let (Some(s), Some(assess)) = (&s, assess) {
                            assessment = assess(s);
                            ps.extend(assessment.problems.iter().cloned());
                        }
                        let Some(s) = s.filter(|_| !ps.iter().any(|p| p.error)) else {
                            report.rejected += 1;
                            reject(values, problems_text(&ps))?;
                            continue;
                        };
                        let contact = contact_from_row(&view);
                        let draft = ShipmentDraft {
                            recipient_id: w.find_duplicate(&contact)?,
                            sender_id: Some(sender.id.clone()),
                            shipment: s,
                        };
                        match (
                            w.shipment_with_reference(&draft.shipment.reference)?,
                            policy,
                        ) {
                            (None, _) => {
                                w.insert_shipment(&draft, &assessment)?;
                                report.imported += 1;
                            }
                            (Some(_), DuplicatePolicy::KeepExisting) => report.kept_existing += 1,
                            (Some(id), DuplicatePolicy::Overwrite) => {
                                match w.update_shipment(&id, &draft, &assessment) {
                                    Ok(()) => report.updated += 1,
                                    // Submitted items are not rewritten by an import.
                                    Err(Error::Transition { .. }) => report.kept_existing += 1,
                                    Err(e) => return Err(e),
                                }
                            }
                            (Some(id), DuplicatePolicy::Review) => {
                                reject(values, format!("duplicate of shipment {id} (review)"))?;
                                report.duplicates.push(DuplicateRow {
                                    line: *line,
                                    existing_id: id,
                                });
                            }
                        }
                    }
                }
            }
            Ok(())
        })?;
        progress(total, total);
        if report.rejected > 0 || !report.duplicates.is_empty() {
            let bytes = rejects
                .into_inner()
                .map_err(|e| Error::Csv(e.to_string()))?;
            report.report_csv = format!("\u{feff}{}", String::from_utf8_lossy(&bytes));
        }
        Ok(report)
    }

    /// The address book as CSV (both recipients and sender profiles).
    pub fn export_contacts(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let head: Vec<&str> = CONTACT_FIELDS.iter().map(|f| f.key).collect();
        w.write_record(&head)
            .map_err(|e| Error::Csv(e.to_string()))?;
        for kind in [ContactKind::Sender, ContactKind::Recipient] {
            for c in self.all_contacts(kind)? {
                let p = &c.input.party;
                let [l1, l2, l3] = three_lines(&p.lines);
                let rec = [
                    kind.as_str().to_owned(),
                    p.name.clone(),
                    p.company.clone(),
                    l1,
                    l2,
                    l3,
                    p.city.clone(),
                    p.state.clone(),
                    p.postcode.clone(),
                    p.country.clone(),
                    p.phone.clone(),
                    p.email.clone(),
                    c.input.notes.clone(),
                    c.input.tags.join("; "),
                ];
                write_row(&mut w, &rec)?;
            }
        }
        finish(w)
    }

    /// Shipments matching `filter` as CSV, one content line per row (the first).
    pub fn export_shipments(&self, filter: &ShipmentFilter) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let head: Vec<&str> = SHIPMENT_FIELDS.iter().map(|f| f.key).collect();
        w.write_record(&head)
            .map_err(|e| Error::Csv(e.to_string()))?;
        for rec in self.list_shipments(filter)? {
            let s = &rec.draft.shipment;
            let p = &s.recipient;
            let [l1, l2, l3] = three_lines(&p.lines);
            let line = s.customs.as_ref().and_then(|c| c.lines.first());
            let dims = s.parcel.dimensions;
            let opt = |v: Option<String>| v.unwrap_or_default();
            let category = s
                .customs
                .as_ref()
                .and_then(|c| serde_json::to_value(c.category).ok())
                .and_then(|v| v.as_str().map(str::to_owned));
            let non_delivery = s
                .non_delivery
                .and_then(|n| serde_json::to_value(n).ok())
                .and_then(|v| v.as_str().map(str::to_owned));
            let created = chrono::DateTime::from_timestamp_millis(rec.created_ms)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default();
            let quote = rec.assessment.quote.as_ref();
            let row = [
                s.reference.clone(),
                s.service.id(),
                p.name.clone(),
                p.company.clone(),
                l1,
                l2,
                l3,
                p.city.clone(),
                p.state.clone(),
                p.postcode.clone(),
                p.country.clone(),
                p.phone.clone(),
                p.email.clone(),
                s.parcel.weight_g.to_string(),
                opt(dims.map(|d| d.length.to_string())),
                opt(dims.map(|d| d.width.to_string())),
                opt(dims.map(|d| d.height.to_string())),
                opt(category),
                opt(line.map(|l| l.description.clone())),
                opt(line.map(|l| l.quantity.to_string())),
                opt(line.map(|l| l.value.to_string())),
                opt(line.map(|l| l.currency.clone())),
                opt(line.map(|l| l.hs_code.clone())),
                opt(line.map(|l| l.origin_country.clone())),
                opt(s.insured_value.map(|v| v.to_string())),
                opt(non_delivery),
                rec.id.clone(),
                rec.state.id().to_owned(),
                created,
                opt(s.item_number.as_ref().map(|n| n.as_str().to_owned())),
                opt(quote.map(|q| q.amount.to_string())),
                opt(quote.map(|q| q.rates_as_of.to_string())),
            ];
            debug_assert_eq!(row.len(), SHIPMENT_FIELDS.len());
            write_row(&mut w, &row)?;
        }
        finish(w)
    }
}

fn three_lines(lines: &[String]) -> [String; 3] {
    let mut out = [String::new(), String::new(), String::new()];
    for (i, l) in lines.iter().enumerate() {
        if i < 2 {
            out[i] = l.clone();
        } else if out[2].is_empty() {
            out[2] = l.clone();
        } else {
            out[2] = format!("{}, {l}", out[2]);
        }
    }
    out
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<String> {
    let bytes = w.into_inner().map_err(|e| Error::Csv(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| Error::Csv(e.to_string()))?;
    Ok(format!("\u{feff}{text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_in_english_and_chinese() {
        let h: Vec<String> = [
            "Full Name",
            "地址",
            "Address 2",
            "郵編",
            "國家",
            "Mobile",
            "Whatever",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = guess_mapping(Table::Contacts, &h);
        let keys: Vec<Option<&str>> = m.0.iter().map(|k| k.as_deref()).collect();
        assert_eq!(
            keys,
            [
                Some("name"),
                Some("line1"),
                Some("line2"),
                Some("postcode"),
                Some("country"),
                Some("phone"),
                None
            ]
        );
    }

    #[test]
    fn separator_and_byte_order_mark_are_handled() {
        let f = read_csv("\u{feff}name;country\n陳大文;HK\n\n").unwrap();
        assert_eq!(f.headers, ["name", "country"]);
        assert_eq!(
            f.rows,
            vec![(1, vec!["陳大文".to_owned(), "HK".to_owned()])]
        );
    }
}
