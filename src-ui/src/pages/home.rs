//! "Today", the landing screen (issue #15): the day's work in the order a merchant does it
//! (fix drafts, submit, print, post, follow), the calendar's reminders, what to know before
//! posting, how old the postage rates are, and sync. Every line opens the list it counts.
//!
//! The counts and dates come from the shell in one answer (`get_home`), computed with the
//! app's clock, so the screen never does date arithmetic of its own.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{dates, HomeDto, HomeLine, ReminderDto, WindowKind};

use crate::app::{use_navigator, Screen};
use crate::components::problems::NoteList;
use crate::i18n::{call_error, tr, use_locale, Key, Locale};
use crate::ipc::{self, CallError};
use crate::pages::sync::use_sync_state;

fn line_key(line: HomeLine) -> Key {
    match line {
        HomeLine::Problems => Key::HomeProblems,
        HomeLine::Drafts => Key::HomeDrafts,
        HomeLine::Ready => Key::HomeReady,
        HomeLine::Waiting => Key::HomeWaiting,
        HomeLine::ToPrint => Key::HomeToPrint,
        HomeLine::ToPost => Key::HomeToPost,
        HomeLine::InTransit => Key::HomeInTransit,
    }
}

fn reminder_key(kind: WindowKind) -> Key {
    match kind {
        WindowKind::LabelValid => Key::ReminderLabel,
        WindowKind::Claim => Key::ReminderClaim,
        _ => Key::ReminderTrace,
    }
}

/// "in 3 days", "today", "2 days ago".
fn in_days(days: i64, l: Locale) -> String {
    match days {
        0 => Key::DaysToday.text(l).to_owned(),
        1 => Key::DaysTomorrow.text(l).to_owned(),
        d if d < 0 => Key::DaysAgo.text(l).replace("%d", &(-d).to_string()),
        d => Key::DaysIn.text(l).replace("%d", &d.to_string()),
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let locale = use_locale();
    let nav = use_navigator();
    let home = RwSignal::new(None::<Result<HomeDto, CallError>>);
    spawn_local(async move {
        home.set(Some(ipc::get_home().await));
    });
    let sync = use_sync_state();

    let body = move || {
        let l = locale.get();
        match home.get() {
            None => view! { <p class="help">"…"</p> }.into_any(),
            Some(Err(e)) => {
                view! { <p class="result bad" id="home-error">{call_error(&e, l)}</p> }.into_any()
            }
            Some(Ok(h)) => {
                let setup = h.needs_setup.then(|| {
                    view! {
                        <p class="result warn" id="home-needs-setup">
                            {Key::HomeNeedsSetup.text(l)}" "
                            <button id="home-setup" type="button"
                                on:click=move |_| nav.screen.set(Screen::Setup)>
                                {Key::HomeFinishSetup.text(l)}
                            </button>
                        </p>
                    }
                });
                let lines = h
                    .counts
                    .iter()
                    .map(|c| {
                        let key = line_key(c.line);
                        let filter = c.filter.clone();
                        view! {
                            <li>
                                <button type="button" class="home-line" id=format!("home-{}", c.line.id())
                                    class:zero=c.count == 0
                                    on:click=move |_| nav.list(filter.clone(), key)>
                                    <span class="count">{c.count}</span>
                                    " "<span class="what">{key.text(l)}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view();
                let all = h.reminders_filter.clone();
                let reminders = if h.reminders.is_empty() {
                    view! { <p class="help" id="home-no-reminders">{Key::HomeNoReminders.text(l)}</p> }
                        .into_any()
                } else {
                    view! {
                        <ul class="reminders" id="home-reminders">
                            {h.reminders.iter().map(|r| reminder(r, l)).collect_view()}
                        </ul>
                        <button id="home-reminders-list" type="button" class="link-button"
                            on:click=move |_| nav.list(all.clone(), Key::HomeReminders)>
                            {Key::HomeAllReminders.text(l)}
                        </button>
                    }
                    .into_any()
                };
                let has_notes = !h.posting_notes.is_empty();
                let notes = h.posting_notes.clone();
                view! {
                    {setup}
                    <ul class="home-lines" id="home-lines">{lines}</ul>
                    <h2>{Key::HomeReminders.text(l)}</h2>
                    {reminders}
                    <h2 hidden=!has_notes>{Key::HomeBeforePosting.text(l)}</h2>
                    <NoteList id="home-posting-notes" notes=notes />
                    <p class="tariff-age" id="home-tariff">
                        {Key::HomeTariff.text(l)}" "
                        <strong>{dates::iso_to_day_first(&h.tariff_newest)}</strong>
                    </p>
                    <p class="result warn" id="home-tariff-old" hidden=!h.tariff_stale>
                        {Key::HomeTariffOld.text(l)}
                    </p>
                }
                .into_any()
            }
        }
    };
    let sync_line = move || {
        let l = locale.get();
        sync.with(|s| match s {
            Some(s) if s.linked => format!(
                "{} {}",
                Key::HomeSyncLast.text(l),
                s.last_synced
                    .clone()
                    .unwrap_or_else(|| Key::HomeSyncNever.text(l).to_owned())
            ),
            _ => Key::HomeSyncOff.text(l).to_owned(),
        })
    };
    view! {
        <section class="card home">
            <h1>
                {tr(Key::HomeTitle)}" "
                <span class="today" id="home-today">
                    {move || home.with(|h| match h {
                        Some(Ok(h)) => format!("{} {}", dates::iso_to_day_first(&h.today), h.now),
                        _ => String::new(),
                    })}
                </span>
            </h1>
            <p class="help">{tr(Key::HomeHelp)}</p>
            {body}
            <p class="sync-line" id="home-sync">
                {tr(Key::HomeSync)}": "{sync_line}" "
                <button type="button" class="link-button" id="home-open-sync"
                    on:click=move |_| nav.screen.set(Screen::Sync)>{tr(Key::NavSync)}</button>
            </p>
        </section>
    }
}

fn reminder(r: &ReminderDto, l: Locale) -> impl IntoView {
    view! {
        <li class="reminder" data-kind=format!("{:?}", r.kind) data-shipment=r.shipment_id.clone()>
            <span class="rule">{r.rule.clone()}</span>" "
            <strong>{reminder_key(r.kind).text(l)}</strong>" "
            {dates::iso_to_day_first(&r.date)}" ("{in_days(r.days, l)}") · "
            {r.reference.clone()}" "
            <span class="item-number">{r.item_number.clone().unwrap_or_default()}</span>
        </li>
    }
}
