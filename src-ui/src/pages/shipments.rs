//! "Shipments": every stored shipment, filtered by state, creation date and destination, with
//! a multi-select for batch actions (printing labels, iMail posting documents; submitting to come) and a CSV export
//! of what the filter shows. A row opens the shipment in the editor.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{ShipmentFilterRequest, ShipmentState, ShipmentSummary};

use crate::app::use_navigator;
use crate::files;
use crate::i18n::{self, call_error, pick, state_name, tr, use_locale, Key};
use crate::ipc::{self, CallError};
use crate::pages::posting::PostingPanel;
use crate::pages::print::PrintPanel;

#[component]
pub fn ShipmentsPage() -> impl IntoView {
    let locale = use_locale();
    let nav = use_navigator();
    let state = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let destination = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<ShipmentSummary>::new());
    let error = RwSignal::new(None::<CallError>);
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let export_url = RwSignal::new(None::<(String, String)>);
    // The shipments the print panel is open for, in list order.
    let printing = RwSignal::new(None::<Vec<String>>);
    // The iMail shipments the posting-documents panel is open for, in list order.
    let posting = RwSignal::new(None::<Vec<String>>);

    let filter = move || ShipmentFilterRequest {
        state: ShipmentState::parse(&state.get_untracked()),
        from: from.get_untracked(),
        to: to.get_untracked(),
        destination: destination.get_untracked(),
    };
    let reload = move || {
        let request = filter();
        spawn_local(async move {
            match ipc::list_shipments(request).await {
                Ok(list) => {
                    // A selection only covers what is listed.
                    selected.update(|s| s.retain(|id| list.iter().any(|r| &r.id == id)));
                    rows.set(list);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    reload();

    let export = move || {
        let request = filter();
        spawn_local(async move {
            match ipc::export_shipments(request).await {
                Ok(file) => {
                    if let Some((old, _)) = export_url.get_untracked() {
                        files::revoke(&old);
                    }
                    export_url.set(
                        files::download(&file.file_name, &file.text).map(|u| (u, file.file_name)),
                    );
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // The selected iMail shipments, in list order: the posting documents cover only these.
    let imail_selected = move || -> Vec<String> {
        rows.with(|r| {
            selected.with(|s| {
                r.iter()
                    .filter(|x| x.service.id == "imail" && s.contains(&x.id))
                    .map(|x| x.id.clone())
                    .collect()
            })
        })
    };
    let all_selected = move || {
        rows.with(|r| !r.is_empty() && selected.with(|s| r.iter().all(|x| s.contains(&x.id))))
    };

    view! {
        <section class="card">
            <h1>{tr(Key::ShipmentsTitle)}</h1>
            <p class="help">{tr(Key::ShipmentsHelp)}</p>
            <form class="filters" on:submit=move |ev| { ev.prevent_default(); reload(); }>
                <label>
                    {tr(Key::StateLabel)}
                    <select id="filter-state" on:change=move |ev| { state.set(event_target_value(&ev)); reload(); }>
                        <option value="">{tr(Key::AllStates)}</option>
                        {ShipmentState::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str()>{move || state_name(s, locale.get())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    {tr(Key::DateFrom)}
                    <input id="filter-from" type="date"
                        prop:value=move || from.get()
                        on:change=move |ev| { from.set(event_target_value(&ev)); reload(); } />
                </label>
                <label>
                    {tr(Key::DateTo)}
                    <input id="filter-to" type="date"
                        prop:value=move || to.get()
                        on:change=move |ev| { to.set(event_target_value(&ev)); reload(); } />
                </label>
                <label>
                    {tr(Key::DestinationCode)}
                    <input id="filter-destination" type="text" autocomplete="off" maxlength="2"
                        placeholder="JP"
                        prop:value=move || destination.get()
                        on:input=move |ev| { destination.set(event_target_value(&ev)); reload(); } />
                </label>
                <button id="filter-go" type="submit">{tr(Key::Search)}</button>
            </form>
            <p class="result bad" id="shipments-error" hidden=move || error.with(Option::is_none)>
                {move || error.get().map(|e| call_error(&e, locale.get()))}
            </p>
            <p class="row selection">
                <label class="check">
                    <input id="select-all" type="checkbox"
                        prop:checked=all_selected
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.set(if on {
                                rows.with(|r| r.iter().map(|x| x.id.clone()).collect())
                            } else {
                                BTreeSet::new()
                            });
                        } />
                    {tr(Key::SelectAll)}
                </label>
                <span id="selected-count" aria-live="polite">
                    {move || i18n::selected_count(selected.with(BTreeSet::len), locale.get())}
                </span>
                <button id="print-selected" type="button"
                    disabled=move || selected.with(BTreeSet::is_empty)
                    on:click=move |_| {
                        posting.set(None);
                        let ids = rows.with(|r| selected.with(|s| {
                            r.iter().filter(|x| s.contains(&x.id)).map(|x| x.id.clone()).collect()
                        }));
                        printing.set(Some(ids));
                    }>
                    {tr(Key::PrintSelected)}
                </button>
                <button id="posting-selected" type="button" class="secondary"
                    disabled=move || imail_selected().is_empty()
                    on:click=move |_| {
                        printing.set(None);
                        posting.set(Some(imail_selected()));
                    }>
                    {tr(Key::PostingSelected)}
                </button>
                <button id="export-shipments" type="button" class="secondary" on:click=move |_| export()>
                    {tr(Key::ExportCsv)}
                </button>
                {move || export_url.get().map(|(url, name)| view! {
                    <a id="export-shipments-file" href=url download=name.clone()>{name.clone()}</a>
                })}
            </p>
            {move || printing.get().map(|ids| view! {
                <PrintPanel ids=ids
                    on_close=Callback::new(move |()| printing.set(None))
                    on_printed=Callback::new(move |()| reload()) />
            })}
            {move || posting.get().map(|ids| view! {
                <PostingPanel ids=ids on_close=Callback::new(move |()| posting.set(None)) />
            })}
            <p class="note" hidden=move || !rows.with(Vec::is_empty)>{tr(Key::NoShipments)}</p>
            <table id="shipments" class="cards" hidden=move || rows.with(Vec::is_empty)>
                <thead><tr>
                    <th scope="col"><span class="sr-only">{tr(Key::Select)}</span></th>
                    <th scope="col">{tr(Key::Recipient)}</th>
                    <th scope="col">{tr(Key::Reference)}</th>
                    <th scope="col">{tr(Key::Destination)}</th>
                    <th scope="col">{tr(Key::Service)}</th>
                    <th scope="col">{tr(Key::Weight)}</th>
                    <th scope="col">{tr(Key::Estimate)}</th>
                    <th scope="col">{tr(Key::StateLabel)}</th>
                    <th scope="col">{tr(Key::Problems)}</th>
                    <th scope="col">{tr(Key::Created)}</th>
                </tr></thead>
                <tbody>
                    <For
                        each=move || rows.get()
                        key=|r| (r.id.clone(), r.state, r.created.clone(), r.errors, r.warnings, r.postage.clone(), r.recipient.clone())
                        children=move |r| {
                            let id = r.id.clone();
                            let (id_check, id_change, id_open, id_row) = (id.clone(), id.clone(), id.clone(), id.clone());
                            let svc = r.service.clone();
                            let l0 = locale;
                            let has_errors = r.errors > 0;
                            view! {
                                <tr data-id=id.clone() data-state=r.state.as_str()
                                    class:selected=move || selected.with(|s| s.contains(&id_row))
                                    on:click=move |_| nav.edit(Some(id.clone()))>
                                    <td class="pick">
                                        <input type="checkbox" class="select-shipment" value=id_check.clone()
                                            aria-label=tr(Key::Select)
                                            prop:checked=move || selected.with(|s| s.contains(&id_check))
                                            on:click=move |ev| ev.stop_propagation()
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected.update(|s| {
                                                    if on { s.insert(id_change.clone()); } else { s.remove(&id_change); }
                                                });
                                            } />
                                    </td>
                                    <td data-label=move || Key::Recipient.text(l0.get())>
                                        <button type="button" class="link-button open-shipment"
                                            on:click=move |ev| { ev.stop_propagation(); nav.edit(Some(id_open.clone())); }>
                                            {r.recipient.clone()}
                                        </button>
                                    </td>
                                    <td data-label=move || Key::Reference.text(l0.get())>{r.reference.clone()}</td>
                                    <td data-label=move || Key::Destination.text(l0.get())>{r.destination.clone()}</td>
                                    <td data-label=move || Key::Service.text(l0.get())>
                                        {move || pick(&svc.name_en, &svc.name_zh_hk, l0.get()).to_owned()}
                                    </td>
                                    <td data-label=move || Key::Weight.text(l0.get())>{i18n::grams(r.weight_g)}</td>
                                    <td data-label=move || Key::Estimate.text(l0.get()) class="money">{r.postage.clone().unwrap_or_default()}</td>
                                    <td data-label=move || Key::StateLabel.text(l0.get())>
                                        <span class="badge" data-state=r.state.as_str()>{move || state_name(r.state, l0.get())}</span>
                                    </td>
                                    <td data-label=move || Key::Problems.text(l0.get())
                                        class:bad=has_errors>
                                        {move || i18n::problem_count(r.errors as usize, r.warnings as usize, l0.get())}
                                    </td>
                                    <td data-label=move || Key::Created.text(l0.get())>{r.created.clone()}</td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
        </section>
    }
}
