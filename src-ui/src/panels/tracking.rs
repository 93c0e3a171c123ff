//! The tracking panel of the shipments list: one shipment's timeline, oldest event first.
//!
//! It opens on what is stored on the device (`get_tracking`), so it works offline; "Refresh"
//! asks EC-Ship (`refresh_tracking`). A refresh that could not happen still returns the stored
//! events, with the reason, so the merchant sees both rather than an empty panel.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{CommandError, Refused, TrackingDto};

use crate::i18n::{self, call_error, tr, use_locale, Key};
use crate::ipc::{self, CallError};

#[component]
pub fn TrackingPanel(
    /// The shipment whose timeline is shown.
    id: String,
    on_close: Callback<()>,
    /// Called after a refresh, since EC-Ship's events can move the shipment's state on.
    on_refreshed: Callback<()>,
) -> impl IntoView {
    let locale = use_locale();
    let tracking = RwSignal::new(None::<Result<TrackingDto, CallError>>);
    let refreshing = RwSignal::new(false);
    let id = StoredValue::new(id);

    spawn_local(async move {
        tracking.set(Some(ipc::get_tracking(id.get_value()).await));
    });
    let refresh = move || {
        refreshing.set(true);
        spawn_local(async move {
            let answer = ipc::refresh_tracking(id.get_value()).await;
            // A refused or failed call keeps the timeline already on screen.
            match answer {
                Ok(t) => tracking.set(Some(Ok(t))),
                Err(e) => {
                    if !matches!(tracking.get_untracked(), Some(Ok(_))) {
                        tracking.set(Some(Err(e)));
                    } else {
                        tracking.update(|t| {
                            if let Some(Ok(t)) = t {
                                t.error = Some(match e {
                                    CallError::Refused(r) => r,
                                    CallError::Failed(detail) => CommandError::new(
                                        "tracking",
                                        Refused::TrackingFailed { detail },
                                    ),
                                });
                            }
                        });
                    }
                }
            }
            refreshing.set(false);
            on_refreshed.run(());
        });
    };

    view! {
        <section class="card tracking-panel" id="tracking-panel" aria-labelledby="tracking-title"
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h2 id="tracking-title">
                {tr(Key::TrackingTitle)}" "
                <span id="tracking-item" class="item-number">
                    {move || tracking.with(|t| match t {
                        Some(Ok(t)) => t.item_number.clone(),
                        _ => None,
                    })}
                </span>
            </h2>
            <p class="row">
                <button id="tracking-refresh" type="button" autofocus
                    disabled=move || refreshing.get()
                    on:click=move |_| refresh()>
                    {tr(Key::TrackingRefresh)}
                </button>
                <button id="tracking-close" type="button" class="secondary" on:click=move |_| on_close.run(())>
                    {tr(Key::Close)}
                </button>
            </p>
            <div aria-live="polite">
                {move || match tracking.get() {
                    None => view! { <p class="note">{tr(Key::Loading)}</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <p class="result bad" id="tracking-error">{call_error(&e, locale.get())}</p>
                    }.into_any(),
                    Some(Ok(t)) => {
                        let error = t.error.clone().map(|e| view! {
                            <div class="result bad" id="tracking-error">
                                <p>{tr(Key::TrackingRefreshFailed)}</p>
                                <p class="job-error">{move || i18n::refusal_text(&e, locale.get())}</p>
                            </div>
                        });
                        let empty = t.events.is_empty();
                        let l0 = locale;
                        view! {
                            {error}
                            <p class="note" id="tracking-none" hidden=!empty>{tr(Key::TrackingNone)}</p>
                            <ol id="tracking-events" class="timeline" hidden=empty>
                                {t.events.into_iter().map(|e| view! {
                                    <li class="tracking-event" data-code=e.code.clone()>
                                        <time class="when" aria-label=move || Key::TrackingWhen.text(l0.get())>{e.at.clone()}</time>
                                        <span class="what" aria-label=move || Key::TrackingWhat.text(l0.get())>{e.description.clone()}</span>
                                        <span class="where" aria-label=move || Key::TrackingWhere.text(l0.get())>{e.location.clone()}</span>
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                }}
            </div>
        </section>
    }
}
