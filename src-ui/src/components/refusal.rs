//! A refused request shown where the merchant typed: the shell names the field it refused
//! (`CommandError::field`), and the input of that field shows the reason under it. Shared by
//! the settings screens (EC-Ship, sync, app lock).

use leptos::prelude::*;
use satchel_ipc::CommandError;

use crate::i18n::{refusal_text, tr, use_locale, Key};

/// The shell's refusal in the merchant's language, shown when it names `field`.
#[component]
pub fn Refusal(
    field: &'static str,
    refused: impl Fn() -> Option<CommandError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let locale = use_locale();
    move || {
        refused().filter(|r| r.field == field).map(|r| {
            let text = refusal_text(&r, locale.get());
            view! { <p class="field-error" data-field=field>{text}</p> }
        })
    }
}

/// A labelled text input with the refusal of its field under it.
#[component]
pub fn Field(
    id: &'static str,
    label: Key,
    value: RwSignal<String>,
    field: &'static str,
    refused: impl Fn() -> Option<CommandError> + Copy + Send + Sync + 'static,
    #[prop(default = "text")] kind: &'static str,
    /// A hint in the merchant's language.
    #[prop(optional)]
    placeholder: Option<Key>,
    /// A hint that is the same in every language (an address: `https://…`).
    #[prop(optional)]
    example: Option<&'static str>,
    #[prop(default = false)] wide: bool,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <label class:wide=wide>
            {tr(label)}
            <input id=id type=kind autocomplete="off" spellcheck="false"
                placeholder=move || placeholder.map(|k| k.text(locale.get())).or(example)
                aria-invalid=move || refused().is_some_and(|r| r.field == field).then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
            <Refusal field refused />
        </label>
    }
}
