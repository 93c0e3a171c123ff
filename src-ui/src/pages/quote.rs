//! "Postage and services": one item, every service that can carry it, cheapest first, and
//! why the others cannot. Works offline: the shell prices it from the bundled rate files.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{CompareRequest, CompareResponse, DestinationChoice};

use crate::i18n::{self, tr, use_locale, Key, Locale, CATEGORIES};
use crate::ipc::{self, CallError};

#[component]
pub fn QuotePage() -> impl IntoView {
    let locale = use_locale();
    let query = RwSignal::new(String::new());
    let suggestions = RwSignal::new(Vec::<DestinationChoice>::new());
    let chosen = RwSignal::new(None::<DestinationChoice>);
    let weight = RwSignal::new(String::new());
    let dims = [
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    ];
    let category = RwSignal::new(CATEGORIES[0].0.to_owned());
    let answer = RwSignal::new(None::<Result<CompareResponse, CallError>>);
    let form_error = RwSignal::new(None::<Key>);

    let on_query = move |text: String| {
        query.set(text.clone());
        chosen.set(None);
        if text.trim().is_empty() {
            suggestions.set(Vec::new());
            return;
        }
        spawn_local(async move {
            if let Ok(found) = ipc::search_destinations(text.clone()).await {
                // Typing may have moved on while the answer was on its way.
                if query.get_untracked() == text {
                    suggestions.set(found);
                }
            }
        });
    };

    let pick = move |choice: DestinationChoice| {
        query.set(display_name(&choice, locale.get_untracked()));
        chosen.set(Some(choice));
        suggestions.set(Vec::new());
    };

    let submit = move || {
        let Some(dest) = chosen.get_untracked() else {
            form_error.set(Some(Key::PickDestination));
            return;
        };
        form_error.set(None);
        let dimensions_mm = {
            let v: Vec<u32> = dims
                .iter()
                .filter_map(|d| d.get_untracked().trim().parse().ok())
                .collect();
            <[u32; 3]>::try_from(v).ok()
        };
        let request = CompareRequest {
            country: dest.country,
            zone: Some(dest.zone),
            // Unparseable input goes through as 0 so the shell names the field.
            weight_g: weight.get_untracked().trim().parse().unwrap_or(0),
            dimensions_mm,
            category: category.get_untracked(),
        };
        spawn_local(async move {
            answer.set(Some(ipc::compare_services(request).await));
        });
    };

    view! {
        <section class="card">
            <h1>{tr(Key::QuoteTitle)}</h1>
            <p class="help">{tr(Key::QuoteHelp)}</p>
            <form on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <div class="grid">
                    <label>
                        {tr(Key::Destination)}
                        <input
                            id="destination"
                            type="text"
                            autocomplete="off"
                            placeholder=tr(Key::DestinationPlaceholder)
                            prop:value=move || query.get()
                            on:input=move |ev| on_query(event_target_value(&ev))
                        />
                        <ul class="suggestions" id="destination-suggestions"
                            hidden=move || suggestions.with(Vec::is_empty)>
                            <For
                                each=move || suggestions.get()
                                key=|c| (c.country.clone(), c.zone.clone())
                                children=move |c| {
                                    let label = {
                                        let c = c.clone();
                                        move || format!("{} ({})", display_name(&c, locale.get()), c.zone)
                                    };
                                    view! {
                                        <li>
                                            <button type="button" class="suggestion"
                                                data-zone=c.zone.clone()
                                                on:click=move |_| pick(c.clone())>
                                                {label}
                                            </button>
                                        </li>
                                    }
                                }
                            />
                        </ul>
                    </label>
                    <label>
                        {tr(Key::WeightGrams)}
                        <input id="weight" type="text" inputmode="numeric" placeholder="450"
                            prop:value=move || weight.get()
                            on:input=move |ev| weight.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        {tr(Key::Contents)}
                        <select id="category" on:change=move |ev| category.set(event_target_value(&ev))>
                            {CATEGORIES.iter().map(|(value, en, zh)| view! {
                                <option value=*value selected=move || category.get() == *value>
                                    {move || if locale.get() == Locale::En { *en } else { *zh }}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <DimensionInput id="dim-l" label=Key::LengthMm value=dims[0] />
                    <DimensionInput id="dim-w" label=Key::WidthMm value=dims[1] />
                    <DimensionInput id="dim-h" label=Key::HeightMm value=dims[2] />
                </div>
                <p class="row">
                    <button id="compare" type="submit">{tr(Key::Compare)}</button>
                </p>
            </form>
            <p id="quote-form-error" class="result bad" hidden=move || form_error.get().is_none()>
                {move || form_error.get().map(|k| k.text(locale.get()))}
            </p>
            <div id="quote-result" aria-live="polite">
                {move || answer.get().map(|a| result_view(a, locale.get()))}
            </div>
        </section>
    }
}

#[component]
fn DimensionInput(id: &'static str, label: Key, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label>
            {tr(label)}
            <input id=id type="text" inputmode="numeric"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}

fn display_name(c: &DestinationChoice, locale: Locale) -> String {
    match locale {
        Locale::En => c.name_en.clone(),
        Locale::ZhHk => c.name_zh_hk.clone(),
    }
}

fn result_view(answer: Result<CompareResponse, CallError>, l: Locale) -> AnyView {
    let r = match answer {
        Ok(r) => r,
        Err(e) => {
            let field = match &e {
                CallError::Refused(r) => Some(r.field.clone()),
                CallError::Failed(_) => None,
            };
            let text = i18n::call_error(&e, l);
            return view! { <p class="result bad" data-field=field>{text}</p> }.into_any();
        }
    };
    let name = move |en: &str, zh: &str| {
        if l == Locale::En {
            en.to_owned()
        } else {
            zh.to_owned()
        }
    };
    let rows = r
        .options
        .iter()
        .map(|o| {
            let delivery = o
                .delivery
                .as_ref()
                .map(|d| i18n::delivery(d, l))
                .unwrap_or_else(|| Key::Unknown.text(l).to_owned());
            view! {
                <tr data-service=o.id.clone()>
                    <td data-label=Key::Service.text(l)>{name(&o.name_en, &o.name_zh_hk)}</td>
                    <td data-label=Key::Estimate.text(l) class="money">{o.estimate.clone()}</td>
                    <td data-label=Key::Counter.text(l) class="money">{o.counter.clone()}</td>
                    <td data-label=Key::Delivery.text(l)>{delivery}</td>
                    <td data-label=Key::TariffDate.text(l)>{o.tariff_date.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let excluded = r
        .excluded
        .iter()
        .map(|e| {
            view! {
                <li data-service=e.id.clone()>
                    <strong>{name(&e.name_en, &e.name_zh_hk)}</strong>": "{i18n::exclusion(&e.reason, l)}
                </li>
            }
        })
        .collect_view();
    let empty = r.options.is_empty();
    view! {
        <p class="note">{Key::PostingDate.text(l)}" "{r.as_of.clone()}</p>
        <p class="result bad" hidden=!empty>{Key::NoOptions.text(l)}</p>
        <table class="services" id="services" hidden=empty>
            <thead><tr>
                <th>{Key::Service.text(l)}</th>
                <th>{Key::Estimate.text(l)}</th>
                <th>{Key::Counter.text(l)}</th>
                <th>{Key::Delivery.text(l)}</th>
                <th>{Key::TariffDate.text(l)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <details class="excluded" id="excluded">
            <summary>{Key::ExcludedTitle.text(l)}" ("{r.excluded.len()}")"</summary>
            <ul>{excluded}</ul>
        </details>
    }
    .into_any()
}
