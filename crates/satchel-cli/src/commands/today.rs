//! `satchel today`: the app's home screen in the terminal — what needs doing, in the order a
//! merchant does it, and the calendar's reminders (issue #15), from the one answer
//! `satchel_workflows::home` gives the window too.

use satchel_ipc::wording::{note, refusal, Lang};
use satchel_ipc::{HomeDto, HomeLine, WindowKind};
use satchel_store::Store;

use crate::{Output, Status};

pub fn run(db: &Store, rates: &crate::load::Sources<'_>, json: bool) -> anyhow::Result<Output> {
    let loaded = crate::load::rates(rates)?;
    let engine = satchel_workflows::Engine::with_rates(loaded.set);
    let home = satchel_workflows::home::today(db, &engine, satchel_workflows::clock::now())
        .map_err(|e| anyhow::anyhow!(refusal(&e, Lang::En)))?;
    if json {
        return Ok(Output::new(
            serde_json::to_string_pretty(&home)?,
            Status::Ok,
        ));
    }
    Ok(Output::new(render(&home), Status::Ok))
}

fn line_words(line: HomeLine) -> &'static str {
    match line {
        HomeLine::Problems => "Drafts with problems",
        HomeLine::Drafts => "Drafts to check",
        HomeLine::Ready => "Ready to submit",
        HomeLine::Waiting => "Waiting for EC-Ship",
        HomeLine::ToPrint => "Labels to print",
        HomeLine::ToPost => "To post",
        HomeLine::InTransit => "In transit",
    }
}

fn in_days(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        d if d < 0 => format!("{} days ago", -d),
        d => format!("in {d} days"),
    }
}

fn render(h: &HomeDto) -> String {
    use satchel_core::dates::iso_to_day_first as day;
    let mut out = format!("Today, {} {} (Hong Kong)\n", day(&h.today), h.now);
    if h.needs_setup {
        out.push_str("No default sender profile yet: set one up in the app (first-run setup).\n");
    }
    for c in &h.counts {
        out.push_str(&format!("  {:<22} {:>5}\n", line_words(c.line), c.count));
    }
    for n in &h.posting_notes {
        out.push_str(&format!("  Before posting: {}\n", note(n, Lang::En)));
    }
    if !h.reminders.is_empty() {
        out.push_str("Reminders\n");
    }
    for r in &h.reminders {
        let what = match r.kind {
            WindowKind::LabelValid => "last day to post",
            WindowKind::Trace => "tracing opens",
            WindowKind::Claim => "last day to claim",
            _ => "date",
        };
        out.push_str(&format!(
            "  {} {}: {what} {} ({}; {})\n",
            r.reference,
            r.item_number.as_deref().unwrap_or(""),
            day(&r.date),
            in_days(r.days),
            r.rule
        ));
    }
    out.push_str(&format!(
        "Tariffs in force from {}{}\n",
        day(&h.tariff_newest),
        if h.tariff_stale {
            " (old: check for newer ones with `satchel rates update`)"
        } else {
            ""
        }
    ));
    out
}
