//! A date input as Hong Kong writes dates: day first (`05/12/2026`) or ISO, never month first
//! (issue #15). WebKit's own `type="date"` input follows the system locale and shows
//! month/day/year on most machines, so the app reads and shows the text itself.

use leptos::prelude::*;
use satchel_ipc::dates;

use crate::i18n::{tr, Key};

/// A labelled date input bound to `value`, which holds the ISO date (`2026-12-05`) the shell
/// takes, empty for none. Text that is not a date is passed on as typed, so the shell refuses
/// it naming the field, and the input says how to type one.
#[component]
pub fn DateField(
    #[prop(into)] id: String,
    label: Key,
    value: RwSignal<String>,
    /// Runs after each change of the value.
    #[prop(optional)]
    on_change: Option<Callback<()>>,
) -> impl IntoView {
    let text = RwSignal::new(dates::iso_to_day_first(&value.get_untracked()));
    let bad = RwSignal::new(false);
    // The value may be set from elsewhere (the date the shell answered with).
    Effect::new(move |_| {
        let v = value.get();
        if dates::parse(&v) != dates::parse(&text.get_untracked()) && !bad.get_untracked() {
            text.set(dates::iso_to_day_first(&v));
        }
    });
    view! {
        <label>
            {tr(label)}
            <input id=id type="text" inputmode="numeric" autocomplete="off"
                placeholder=tr(Key::DateHint)
                prop:value=move || text.get()
                on:change=move |ev| {
                    let typed = event_target_value(&ev);
                    match dates::parse(&typed) {
                        Some(d) => {
                            bad.set(false);
                            text.set(dates::day_first(d));
                            value.set(d.to_string());
                        }
                        None => {
                            bad.set(!typed.trim().is_empty());
                            value.set(typed.trim().to_owned());
                        }
                    }
                    if let Some(f) = on_change {
                        f.run(());
                    }
                } />
            <span class="field-error date-invalid" hidden=move || !bad.get()>{tr(Key::DateInvalid)}</span>
        </label>
    }
}
