//! The printer frame both print panels (labels, iMail posting documents) share: the printer
//! picker, and why there is nothing to print on.

use leptos::prelude::*;
use satchel_ipc::PrinterDto;

use crate::i18n::{call_error, tr, use_locale, Key};
use crate::ipc::CallError;

/// The printers the shell found, as they are being loaded.
pub type Printers = RwSignal<Option<Result<Vec<PrinterDto>, CallError>>>;

/// The printer picker of both print panels (labels and posting documents); the default
/// printer is starred.
#[component]
pub fn PrinterChoice(
    id: &'static str,
    printer: RwSignal<String>,
    printers: Printers,
) -> impl IntoView {
    view! {
        <label>
            {tr(Key::Printer)}
            <select id=id
                prop:value=move || printer.get()
                on:change=move |ev| printer.set(event_target_value(&ev))>
                {move || match printers.get() {
                    Some(Ok(list)) => list.into_iter().map(|p| {
                        let label = if p.is_default {
                            format!("{} ★", p.name)
                        } else {
                            p.name.clone()
                        };
                        view! { <option value=p.name.clone()>{label}</option> }
                    }).collect_view().into_any(),
                    _ => ().into_any(),
                }}
            </select>
        </label>
    }
}

/// Why there is nothing to print on: no printers, or the spooler could not be asked.
#[component]
pub fn PrintersProblem(id: &'static str, printers: Printers) -> impl IntoView {
    let locale = use_locale();
    move || match printers.get() {
        Some(Ok(list)) if list.is_empty() => Some(
            view! {
                <p class="result bad" id=id>{tr(Key::NoPrinters)}</p>
            }
            .into_any(),
        ),
        Some(Err(e)) => Some(
            view! {
                <p class="result bad" id=id>{call_error(&e, locale.get())}</p>
            }
            .into_any(),
        ),
        _ => None,
    }
}
