//! "Postage and services": one item, every service that can carry it, cheapest first, and
//! why the others cannot, and the rate files the prices come from (issue #16): their date and
//! source, a warning when they are old, and checking the operator for newer ones. Works
//! offline: the shell prices from the bundled files and every newer one it kept.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{CompareRequest, CompareResponse, DestinationChoice, TariffCheckDto, TariffsDto};

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
        <TariffPanel />
    }
}

/// The rate files in use, and checking for newer ones.
#[component]
fn TariffPanel() -> impl IntoView {
    let locale = use_locale();
    let tariffs = RwSignal::new(None::<TariffsDto>);
    let address = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<TariffCheckDto, CallError>>);
    spawn_local(async move {
        if let Ok(t) = ipc::list_tariffs().await {
            address.set(t.base_url.clone());
            tariffs.set(Some(t));
        }
    });
    let finish = move |r: Result<TariffCheckDto, CallError>| {
        if let Ok(done) = &r {
            tariffs.set(Some(done.tariffs.clone()));
        }
        outcome.set(Some(r));
        busy.set(false);
    };
    let check = move |_| {
        busy.set(true);
        let base = Some(address.get_untracked()).filter(|a| !a.trim().is_empty());
        spawn_local(async move { finish(ipc::check_tariffs(base).await) });
    };
    let load = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        busy.set(true);
        spawn_local(async move {
            match crate::files::read_chosen(&input).await {
                Some((name, json)) => finish(ipc::load_tariff_file(name, json).await),
                None => busy.set(false),
            }
        });
    };
    view! {
        <section class="card" id="tariffs">
            <h2>{tr(Key::TariffsTitle)}</h2>
            {move || tariffs.get().map(|t| {
                let l = locale.get();
                view! {
                    <p id="tariff-newest">{Key::TariffsNewest.text(l)}" "{t.newest.clone()}</p>
                    <p id="tariff-stale" class="result warn" hidden=!t.stale>
                        {Key::TariffsStaleWarning.text(l)}
                    </p>
                }
            })}
            <div class="grid">
                <label>
                    {tr(Key::TariffsAddress)}
                    <input id="tariff-address" type="url"
                        prop:value=move || address.get()
                        on:input=move |ev| address.set(event_target_value(&ev)) />
                </label>
                <label>
                    {tr(Key::TariffsLoadFile)}
                    <input id="tariff-file" type="file" accept=".json,application/json"
                        on:change=load />
                </label>
            </div>
            <p class="row">
                <button id="check-tariffs" type="button" on:click=check disabled=move || busy.get()>
                    {move || {
                        let key = if busy.get() { Key::TariffsChecking } else { Key::TariffsCheck };
                        key.text(locale.get())
                    }}
                </button>
            </p>
            <div id="tariff-check" aria-live="polite">
                {move || outcome.get().map(|o| check_view(o, locale.get()))}
            </div>
            <details id="tariff-files">
                <summary>{tr(Key::TariffsFiles)}</summary>
                {move || tariffs.get().map(|t| files_view(&t, locale.get()))}
            </details>
        </section>
    }
}

fn check_view(outcome: Result<TariffCheckDto, CallError>, l: Locale) -> AnyView {
    let r = match outcome {
        Ok(r) => r,
        Err(e) => {
            return view! { <p class="result bad">{i18n::call_error(&e, l)}</p> }.into_any();
        }
    };
    let nothing_new = r.new_files.is_empty();
    let new_files = r
        .new_files
        .iter()
        .map(|f| {
            let changes = f
                .changes
                .iter()
                .map(|c| {
                    view! {
                        <li data-destination=c.destination.clone()>
                            {format!("{} · {} {}: {}", c.service, c.destination, c.name_en, c.what)}
                            {c.delta.clone().map(|d| format!(" ({d})"))}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="tariff-new" data-file=f.name.clone()>
                    <p><strong>{Key::TariffsNewFile.text(l)}": "{f.name.clone()}" · "{f.last_update.clone()}</strong></p>
                    <ul>{changes}</ul>
                </div>
            }
        })
        .collect_view();
    let problems = r
        .problems
        .iter()
        .map(|p| view! { <li>{format!("{}: {}", p.name, p.error)}</li> })
        .collect_view();
    let has_problems = !r.problems.is_empty();
    view! {
        <p class="result ok" id="tariff-nothing-new" hidden=!nothing_new>{Key::TariffsNothingNew.text(l)}</p>
        {new_files}
        <p class="note">{r.unchanged}" "{Key::TariffsUnchanged.text(l)}</p>
        <div class="result bad" id="tariff-problems" hidden=!has_problems>
            <p>{Key::TariffsNotChecked.text(l)}</p>
            <ul>{problems}</ul>
        </div>
    }
    .into_any()
}

fn files_view(t: &TariffsDto, l: Locale) -> AnyView {
    let rows = t
        .files
        .iter()
        .map(|f| {
            let note = if f.superseded.is_some() {
                Key::TariffsSuperseded.text(l)
            } else if f.stale {
                Key::TariffStale.text(l)
            } else {
                ""
            };
            let source = if f.origin.is_empty() {
                f.source.clone()
            } else {
                format!("{}: {}", f.source, f.origin)
            };
            view! {
                <tr data-file=f.name.clone() data-in-force=f.in_force.to_string()>
                    <td>{f.name.clone()}</td>
                    <td>{f.last_update.clone()}</td>
                    <td>{source}</td>
                    <td>{f.services.clone()}</td>
                    <td title=f.superseded.clone().unwrap_or_default()>{note}</td>
                </tr>
            }
        })
        .collect_view();
    view! { <table class="tariff-files"><tbody>{rows}</tbody></table> }.into_any()
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
                    <td data-label=Key::TariffDate.text(l) class="tariff">
                        {format!("{} · {}", o.tariff_date, o.tariff_source)}
                        <span class="warn tariff-stale" hidden=!o.tariff_stale>
                            " "{Key::TariffStale.text(l)}
                        </span>
                    </td>
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
