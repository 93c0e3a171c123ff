//! `satchel validate`: every problem with a shipment file, all at once, in English or Chinese.
//!
//! This is what a merchant runs on an export before uploading it to EC-Ship, so it reports
//! everything the rules engine finds (not the first problem), with the rule id to look up,
//! the field to fix and the severity. Only errors fail the check (exit 1); warnings are shown
//! and may be accepted. A file holds one shipment (a JSON object) or a batch (an array), and
//! a batch also gets the batch rules (R-003, R-033, R-034, R-085).
//!
//! Shipment files hold names, addresses and phone numbers. Nothing from the file is printed
//! except what the rules report, and JSON syntax errors have any quoted text value blanked
//! out (serde quotes the offending value, which could be a name in the wrong field).

use anyhow::anyhow;
use chrono::NaiveDate;
use satchel_core::model::Shipment;
use satchel_core::validate::{
    validate_batch, validate_shipment, Fix, Locale, Problem, RulesConfig, Severity,
};
use serde::Serialize;

use crate::args::ValidateArgs;
use crate::load::Sources;
use crate::render::{Align, Table};
use crate::{load, today_in_hong_kong, Output, Status};

#[derive(Debug, Serialize)]
struct ProblemOut<'a> {
    /// Index of the shipment in a batch file, 0-based like the engine's `batch[i]` field
    /// paths; absent for a single shipment and for problems of the batch as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    #[serde(flatten)]
    problem: &'a Problem,
    /// The text in the language asked for.
    message: String,
}

#[derive(Debug, Serialize)]
struct ReportOut<'a> {
    file: String,
    /// Weight limits were checked against the tariffs in force on this day.
    as_of: NaiveDate,
    batch: bool,
    shipments: usize,
    errors: usize,
    warnings: usize,
    problems: Vec<ProblemOut<'a>>,
}

/// Replaces every `string "..."` in a serde error message by `a string`, so a personal
/// detail typed into the wrong field never reaches the terminal or a CI log.
fn redact(message: &str) -> String {
    const MARK: &str = "string \"";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        out.push_str("a string");
        let value = &rest[at + MARK.len()..];
        // Serde prints the value with `{:?}`: skip to the closing quote, honouring escapes.
        let mut escaped = false;
        let end = value.char_indices().find_map(|(i, c)| match (escaped, c) {
            (true, _) => {
                escaped = false;
                None
            }
            (false, '\\') => {
                escaped = true;
                None
            }
            (false, '"') => Some(i + 1),
            _ => None,
        });
        rest = end.map_or("", |e| &value[e..]);
    }
    out.push_str(rest);
    out
}

fn parse(text: &str, name: &str) -> anyhow::Result<(bool, Vec<Shipment>)> {
    let batch = text.trim_start().starts_with('[');
    let parsed = if batch {
        serde_json::from_str::<Vec<Shipment>>(text)
    } else {
        serde_json::from_str::<Shipment>(text).map(|s| vec![s])
    };
    let what = if batch {
        "an array of shipments"
    } else {
        "a shipment"
    };
    parsed
        .map(|s| (batch, s))
        .map_err(|e| anyhow!("{name}: not {what}: {}", redact(&e.to_string())))
}

fn severity_text(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn message_with_fix(p: &Problem, locale: Locale) -> String {
    let mut text = p.message(locale);
    if let Some(Fix::Replace { value }) = &p.fix {
        let label = match locale {
            Locale::En => "Suggested",
            Locale::ZhHk => "建議",
        };
        text.push_str(&format!(" ({label}: {value})"));
    }
    text
}

pub fn run(rates: &Sources<'_>, args: &ValidateArgs, as_json: bool) -> anyhow::Result<Output> {
    let rates = load::rates(rates)?;
    let name = load::display_name(&args.file);
    let text = load::read_text(&args.file)?;
    let (batch, shipments) = parse(&text, &name)?;
    let as_of = args.date.unwrap_or_else(today_in_hong_kong);
    let view = rates.set.as_of(as_of);
    let config = RulesConfig::default();

    // (index in a batch, problem): per item in file order, then the batch as a whole.
    let mut found: Vec<(Option<usize>, Problem)> = Vec::new();
    for (i, s) in shipments.iter().enumerate() {
        let item = batch.then_some(i);
        found.extend(
            validate_shipment(s, &view, &config)
                .into_iter()
                .map(|p| (item, p)),
        );
    }
    if batch {
        found.extend(validate_batch(&shipments).into_iter().map(|p| (None, p)));
    }
    let errors = found.iter().filter(|(_, p)| p.is_error()).count();
    let warnings = found.len() - errors;
    let status = if errors > 0 {
        Status::Problems
    } else {
        Status::Ok
    };

    if as_json {
        let report = ReportOut {
            file: name,
            as_of,
            batch,
            shipments: shipments.len(),
            errors,
            warnings,
            problems: found
                .iter()
                .map(|(index, p)| ProblemOut {
                    index: *index,
                    problem: p,
                    message: message_with_fix(p, args.lang),
                })
                .collect(),
        };
        return Ok(Output::new(
            serde_json::to_string_pretty(&report)? + "\n",
            status,
        ));
    }

    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut out = format!(
        "{name}: {} checked, {}, {} (weight limits from the tariffs in force on {as_of})\n",
        plural(shipments.len(), "shipment", "shipments"),
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
    );
    if found.is_empty() {
        out.push_str("No problems found.\n");
        return Ok(Output::new(out, status));
    }
    out.push('\n');
    let mut columns = vec![
        ("RULE", Align::Left),
        ("SEVERITY", Align::Left),
        ("FIELD", Align::Left),
        ("MESSAGE", Align::Left),
    ];
    if batch {
        // The merchant's reference (order number) finds the row in their own export.
        columns.splice(0..0, [("ITEM", Align::Left), ("REFERENCE", Align::Left)]);
    }
    let mut table = Table::new(&columns);
    for (item, p) in &found {
        let mut row = vec![
            p.rule.to_owned(),
            severity_text(p.severity).to_owned(),
            p.field.clone(),
            message_with_fix(p, args.lang),
        ];
        if batch {
            let (index, reference) = match item {
                // Counted from 1, as the engine's messages count ("also used by item 1").
                Some(i) => (
                    (i + 1).to_string(),
                    shipments[*i].reference.trim().to_owned(),
                ),
                None => ("batch".to_owned(), String::new()),
            };
            row.splice(0..0, [index, reference]);
        }
        table.row(row);
    }
    out.push_str(&table.render());
    Ok(Output::new(out, status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_blanked_out_of_parse_errors() {
        assert_eq!(
            redact(r#"invalid type: string "Chan Tai Man", expected u32 at line 3 column 20"#),
            "invalid type: a string, expected u32 at line 3 column 20"
        );
        assert_eq!(
            redact(r#"invalid value: string "a \"quoted\" name" and string "x""#),
            "invalid value: a string and a string"
        );
        assert_eq!(redact("missing field `service`"), "missing field `service`");
    }

    #[test]
    fn a_name_in_a_number_field_is_not_echoed() {
        let json = r#"{"sender": {"name": "Chan Tai Man", "country": "HK"},
            "recipient": {"name": "Jo", "country": "GB"}, "service": {"service": "speedpost"},
            "parcel": {"weight_g": "Chan Tai Man"}}"#;
        let err = parse(json, "x.json").unwrap_err().to_string();
        assert!(!err.contains("Chan"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }
}
