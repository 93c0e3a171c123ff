//! "Check an item number": the first screen, and a real trip through every layer
//! (UI → IPC → shell command → domain engine → back).

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::ItemCheck;

use crate::i18n::{call_error, item_problem, mail_kind, tr, use_locale, Key};
use crate::ipc;

#[component]
pub fn ItemCheckPage() -> impl IntoView {
    let locale = use_locale();
    let input = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Result<ItemCheck, ipc::CallError>>);

    let check = move || {
        let raw = input.get_untracked();
        spawn_local(async move {
            answer.set(Some(ipc::check_item_number(raw).await));
        });
    };

    view! {
        <section class="card">
            <h1>{tr(Key::ItemCheckTitle)}</h1>
            <p class="help">{tr(Key::ItemCheckHelp)}</p>
            <form class="row" on:submit=move |ev| {
                ev.prevent_default();
                check();
            }>
                <label for="item-number" class="sr-only">{tr(Key::ItemNumberLabel)}</label>
                <input
                    id="item-number"
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="LX123456785HK"
                    prop:value=move || input.get()
                    on:input=move |ev| input.set(event_target_value(&ev))
                />
                <button id="check-item" type="submit">{tr(Key::Check)}</button>
            </form>
            <div id="item-result" aria-live="polite">
                {move || answer.get().map(|a| {
                    let l = locale.get();
                    match a {
                        Ok(ItemCheck::Valid { number, indicator, serial, country, kind }) => view! {
                            <div class="result ok" data-verdict="valid">
                                <strong>{Key::Valid.text(l)}": " {number}</strong>
                                <dl>
                                    <dt>{Key::Indicator.text(l)}</dt><dd>{indicator}</dd>
                                    <dt>{Key::Serial.text(l)}</dt><dd>{serial}</dd>
                                    <dt>{Key::Country.text(l)}</dt><dd>{country}</dd>
                                    <dt>{Key::Kind.text(l)}</dt><dd>{mail_kind(&kind, l)}</dd>
                                </dl>
                            </div>
                        }.into_any(),
                        Ok(ItemCheck::Invalid { problem }) => view! {
                            <div class="result bad" data-verdict="invalid">
                                <strong>{Key::Invalid.text(l)}</strong>
                                <p class="reason">{item_problem(&problem, l)}</p>
                            </div>
                        }.into_any(),
                        Err(e) => view! {
                            <div class="result bad" data-verdict="error">
                                <p class="reason">{call_error(&e, l)}</p>
                            </div>
                        }.into_any(),
                    }
                })}
            </div>
        </section>
    }
}
