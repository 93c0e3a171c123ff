//! "Shipments": every stored shipment, filtered by state, creation date and destination, with
//! a multi-select for batch actions (submitting to EC-Ship, printing labels, iMail posting
//! documents) and a CSV export of what the filter shows. A row opens the shipment in the
//! editor; its own buttons (retry, cancel, tracking) do not.
//!
//! Submitting only queues: the shell's outbox worker talks to EC-Ship afterwards and reports
//! each job as a `submit-progress` event. The page listens for as long as it is shown and
//! reloads the list on each, so item numbers and EC-Ship's error texts appear as they arrive.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::reactive::owner::LocalStorage;
use leptos::task::spawn_local;
use satchel_ipc::{
    CancelOutcome, JobKind, JobState, ShipmentFilterRequest, ShipmentState, ShipmentSummary,
    SubmitOutcome, SubmitProgress, SubmitResponse,
};

use crate::app::use_navigator;
use crate::components::date::DateField;
use crate::components::problems::{NoteList, ProblemList};
use crate::files;
use crate::i18n::{self, call_error, pick, state_name, tr, use_locale, Key};
use crate::ipc::{self, CallError};
use crate::panels::posting::PostingPanel;
use crate::panels::print::PrintPanel;
use crate::panels::tracking::TrackingPanel;

/// What a row's own button did, for the line above the list.
#[derive(Debug, Clone)]
enum RowAction {
    Cancel(CancelOutcome),
    Failed(CallError),
}

#[component]
pub fn ShipmentsPage() -> impl IntoView {
    let locale = use_locale();
    let nav = use_navigator();
    // Opened from a line of the home screen: that line's list, named, until "Show all".
    let preset = nav.list.get_untracked();
    let state = RwSignal::new(
        preset
            .as_ref()
            .and_then(|(f, _)| f.state)
            .map(|s| s.id().to_owned())
            .unwrap_or_default(),
    );
    let only = RwSignal::new(preset);
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
    // The shipment the tracking panel is open for.
    let tracking = RwSignal::new(None::<String>);
    let row_action = RwSignal::new(None::<RowAction>);
    // The last submission: the shell's answer, the shipments it queued, and those whose
    // job has since finished (numbered, cancelled or failed for good).
    let submitting = RwSignal::new(false);
    let submitted = RwSignal::new(None::<Result<SubmitResponse, CallError>>);
    let batch = RwSignal::new(BTreeSet::<String>::new());
    let finished = RwSignal::new(BTreeSet::<String>::new());
    let last_outcome = RwSignal::new(None::<SubmitProgress>);

    let filter = move || {
        let (ids, problems) = only.with_untracked(|o| {
            o.as_ref()
                .map(|(f, _)| (f.ids.clone(), f.problems))
                .unwrap_or_default()
        });
        ShipmentFilterRequest {
            state: ShipmentState::from_id(&state.get_untracked()),
            from: from.get_untracked(),
            to: to.get_untracked(),
            destination: destination.get_untracked(),
            ids,
            problems,
        }
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

    // Results arrive after `submit_shipments` has answered, and may arrive before it does: a
    // finished job is remembered whatever the batch, and the bar counts the batch's ones.
    let subscription = StoredValue::<_, LocalStorage>::new_local(None::<ipc::Subscription>);
    spawn_local(async move {
        let listening = ipc::on_submit_progress(move |p: SubmitProgress| {
            if p.outcome != SubmitOutcome::WillRetry {
                finished.update(|f| {
                    f.insert(p.shipment_id.clone());
                });
            }
            last_outcome.set(Some(p));
            reload();
        })
        .await;
        // Dropped at once if the page has gone meanwhile; else when the page goes.
        if let Ok(s) = listening {
            subscription.set_value(Some(s));
        }
    });

    // Today marked as a Black Rainstorm / Signal No. 8 day: the posting notes
    // then say post offices are closed and name the next Post Office Working Day.
    let severe = RwSignal::new(None::<satchel_ipc::SevereWeatherDto>);
    spawn_local(async move {
        if let Ok(s) = ipc::get_severe_weather().await {
            severe.set(Some(s));
        }
    });
    let severe_today =
        move || severe.with(|s| s.as_ref().is_some_and(|s| s.days.contains(&s.today)));
    let toggle_severe = move |on: bool| {
        let Some(today) = severe.with_untracked(|s| s.as_ref().map(|s| s.today.clone())) else {
            return;
        };
        spawn_local(async move {
            if let Ok(s) = ipc::set_severe_weather(today, on).await {
                severe.set(Some(s));
            }
        });
    };

    // The ids waiting for the EDI privacy notice to be accepted.
    let edi_pending = RwSignal::new(None::<Vec<String>>);
    let submit = move |ids: Vec<String>, accept_edi_notice: bool| {
        submitting.set(true);
        edi_pending.set(None);
        batch.set(BTreeSet::new());
        finished.set(BTreeSet::new());
        last_outcome.set(None);
        row_action.set(None);
        spawn_local(async move {
            let answer = ipc::submit_shipments(ids.clone(), accept_edi_notice).await;
            if let Err(CallError::Refused(e)) = &answer {
                if e.reason == satchel_ipc::Refused::EdiNoticeNeeded {
                    edi_pending.set(Some(ids));
                    submitting.set(false);
                    return;
                }
            }
            if let Ok(r) = &answer {
                batch.set(
                    ids.into_iter()
                        .filter(|id| !r.refused.iter().any(|x| &x.id == id))
                        .collect(),
                );
            }
            submitted.set(Some(answer));
            submitting.set(false);
            reload();
        });
    };
    // Issue #16: before buying labels, EC-Ship's own price for each item; when it differs from
    // Satchel's estimate the merchant sees both and decides. When EC-Ship cannot be asked now
    // (offline), the submission is queued as before and EC-Ship's order carries its charge.
    let postage_pending = RwSignal::new(None::<(Vec<String>, Vec<satchel_ipc::PostageCheckDto>)>);
    let confirm_then_submit = move |ids: Vec<String>| {
        submitting.set(true);
        postage_pending.set(None);
        spawn_local(async move {
            match ipc::confirm_postage(ids.clone()).await {
                Ok(checks) if checks.iter().any(|c| c.differs) => {
                    let differing = checks.into_iter().filter(|c| c.differs).collect();
                    postage_pending.set(Some((ids, differing)));
                    submitting.set(false);
                }
                _ => submit(ids, false),
            }
        });
    };
    let cancel = move |id: String| {
        row_action.set(None);
        spawn_local(async move {
            row_action.set(Some(match ipc::cancel_submission(id).await {
                Ok(r) => RowAction::Cancel(r.outcome),
                Err(e) => RowAction::Failed(e),
            }));
            reload();
        });
    };
    let batch_done = move || batch.with(|b| finished.with(|f| b.intersection(f).count()));
    // Who a refusal is about, in the merchant's terms (reference, else recipient). Untracked:
    // the answer is drawn once, not again with every reload of the list.
    let who = move |id: &str| {
        rows.with_untracked(|r| {
            r.iter()
                .find(|x| x.id == id)
                .map(|x| {
                    if x.reference.is_empty() {
                        x.recipient.clone()
                    } else {
                        x.reference.clone()
                    }
                })
                .unwrap_or_else(|| id.to_owned())
        })
    };

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
                            <option value=s.id() selected=move || state.get() == s.id()>
                                {move || state_name(s, locale.get())}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <DateField id="filter-from" label=Key::DateFrom value=from
                    on_change=Callback::new(move |()| reload()) />
                <DateField id="filter-to" label=Key::DateTo value=to
                    on_change=Callback::new(move |()| reload()) />
                <label>
                    {tr(Key::DestinationCode)}
                    <input id="filter-destination" type="text" autocomplete="off" maxlength="2"
                        placeholder="JP"
                        prop:value=move || destination.get()
                        on:input=move |ev| { destination.set(event_target_value(&ev)); reload(); } />
                </label>
                <button id="filter-go" type="submit">{tr(Key::Search)}</button>
            </form>
            <p class="result showing-only" id="showing-only" hidden=move || only.with(Option::is_none)>
                {tr(Key::ShowingOnly)}" "
                <strong id="showing-only-name">{move || only.with(|o| o.as_ref().map(|(_, k)| k.text(locale.get())))}</strong>" "
                <button id="show-all" type="button" class="link-button" on:click=move |_| {
                    only.set(None);
                    nav.list.set(None);
                    state.set(String::new());
                    reload();
                }>{tr(Key::ShowAll)}</button>
            </p>
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
                <button id="submit-selected" type="button"
                    disabled=move || submitting.get() || selected.with(BTreeSet::is_empty)
                    on:click=move |_| {
                        let ids = rows.with(|r| selected.with(|s| {
                            r.iter().filter(|x| s.contains(&x.id)).map(|x| x.id.clone()).collect()
                        }));
                        confirm_then_submit(ids);
                    }>
                    {tr(Key::SubmitSelected)}
                </button>
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
            <p class="row">
                <label class="check">
                    <input id="severe-weather-today" type="checkbox"
                        prop:checked=severe_today
                        disabled=move || severe.with(Option::is_none)
                        on:change=move |ev| toggle_severe(event_target_checked(&ev)) />
                    {tr(Key::SevereWeatherToday)}
                </label>
            </p>
            // before the first international submission, the merchant reads where
            // the posting data goes and accepts it; nothing is queued until then.
            <div id="edi-notice" class="card notice" role="alertdialog" aria-labelledby="edi-notice-text"
                hidden=move || edi_pending.with(Option::is_none)>
                <p id="edi-notice-text">{move || i18n::edi_notice_text(locale.get())}</p>
                <p class="row">
                    <button id="edi-accept" type="button"
                        on:click=move |_| {
                            if let Some(ids) = edi_pending.get_untracked() {
                                submit(ids, true);
                            }
                        }>
                        {tr(Key::EdiAccept)}
                    </button>
                    <button id="edi-decline" type="button" class="secondary"
                        on:click=move |_| edi_pending.set(None)>
                        {tr(Key::Cancel)}
                    </button>
                </p>
            </div>
            <div id="postage-confirm" class="card notice" role="alertdialog"
                aria-labelledby="postage-confirm-text"
                hidden=move || postage_pending.with(Option::is_none)>
                <p id="postage-confirm-text">{tr(Key::PostageDiffers)}</p>
                <table class="postage-checks">
                    <thead><tr>
                        <th></th>
                        <th>{tr(Key::PostageSatchel)}</th>
                        <th>{tr(Key::PostageEcship)}</th>
                    </tr></thead>
                    <tbody>
                        {move || postage_pending.get().map(|(_, checks)| {
                            checks.into_iter().map(|c| view! {
                                <tr data-id=c.id.clone()>
                                    <td>{c.label.clone()}</td>
                                    <td class="money">{c.satchel.clone().unwrap_or_default()}</td>
                                    <td class="money ecship-price">{c.ecship.clone().unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()
                        })}
                    </tbody>
                </table>
                <p class="row">
                    <button id="postage-accept" type="button"
                        on:click=move |_| {
                            if let Some((ids, _)) = postage_pending.get_untracked() {
                                postage_pending.set(None);
                                submit(ids, false);
                            }
                        }>
                        {tr(Key::PostageAccept)}
                    </button>
                    <button id="postage-decline" type="button" class="secondary"
                        on:click=move |_| postage_pending.set(None)>
                        {tr(Key::Cancel)}
                    </button>
                </p>
            </div>
            <div id="submit-result" aria-live="polite" hidden=move || submitted.with(Option::is_none)>
                {move || submitted.get().map(|answer| {
                    let l = locale.get();
                    match answer {
                        Err(e) => view! { <p class="result bad" id="submit-error">{call_error(&e, l)}</p> }.into_any(),
                        Ok(r) => {
                            let total = r.queued + r.already_queued;
                            let refused = r.refused.iter().map(|x| view! {
                                <li class="refusal" data-id=x.id.clone()>
                                    <strong>{who(&x.id)}</strong>": "{x.reason.clone()}
                                </li>
                            }).collect_view();
                            let any_refused = !r.refused.is_empty();
                            view! {
                                <div class="result" class:ok=!any_refused class:bad=any_refused>
                                    <p id="submit-summary">{i18n::submit_summary(&r, l)}</p>
                                    <ProblemList id="submit-problems" problems=r.problems.clone() />
                                    <NoteList id="submit-notes" notes=r.notes.clone() />
                                    <div hidden=!any_refused>
                                        <h3>{Key::Refused.text(l)}</h3>
                                        <ul id="submit-refused">{refused}</ul>
                                    </div>
                                    <p class="row" hidden={total == 0}>
                                        <progress id="submit-progress" aria-label=Key::SubmitProgressLabel.text(l)
                                            max=total value=batch_done></progress>
                                        <span id="submit-progress-text">
                                            {move || i18n::submit_done(batch_done() as u32, total, locale.get())}
                                        </span>
                                    </p>
                                    <p id="submit-last" class="note">
                                        {move || last_outcome.get().map(|p| i18n::submit_outcome(&p, locale.get()))}
                                    </p>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </div>
            <p id="row-action-status" role="status" class="status"
                class:bad=move || matches!(row_action.get(), Some(RowAction::Failed(_)))>
                {move || row_action.get().map(|a| {
                    let l = locale.get();
                    match a {
                        RowAction::Cancel(outcome) => i18n::cancel_outcome(outcome, l).to_owned(),
                        RowAction::Failed(e) => call_error(&e, l),
                    }
                })}
            </p>
            {move || tracking.get().map(|id| view! {
                <TrackingPanel id=id
                    on_close=Callback::new(move |()| tracking.set(None))
                    on_refreshed=Callback::new(move |()| reload()) />
            })}
            {move || printing.get().map(|ids| view! {
                <PrintPanel ids=ids
                    on_close=Callback::new(move |()| printing.set(None))
                    on_printed=Callback::new(move |()| reload()) />
            })}
            {move || posting.get().map(|ids| view! {
                <PostingPanel ids=ids on_close=Callback::new(move |()| posting.set(None)) />
            })}
            <p class="note" hidden=move || !rows.with(Vec::is_empty)>{tr(Key::NoShipments)}</p>
            <div class="table-wide">
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
                    <th scope="col">{tr(Key::ItemNumberLabel)}</th>
                    <th scope="col">{tr(Key::EcshipStatus)}</th>
                    <th scope="col">{tr(Key::Actions)}</th>
                </tr></thead>
                <tbody>
                    <For
                        each=move || rows.get()
                        // Any change to a row (a new item number, a job's state) redraws it.
                        key=|r| format!("{r:?}")
                        children=move |r| {
                            let id = r.id.clone();
                            let (id_check, id_change, id_open, id_row) = (id.clone(), id.clone(), id.clone(), id.clone());
                            let svc = r.service.clone();
                            let l0 = locale;
                            let has_errors = r.errors > 0;
                            view! {
                                <tr data-id=id.clone() data-state=r.state.id()
                                    data-reference=r.reference.clone() data-errors=r.errors.to_string()
                                    data-weight=r.weight_g.to_string()
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
                                    <td class="reference" data-label=move || Key::Reference.text(l0.get())>{r.reference.clone()}</td>
                                    <td data-label=move || Key::Destination.text(l0.get())>{r.destination.clone()}</td>
                                    <td data-label=move || Key::Service.text(l0.get())>
                                        {move || pick(&svc.name_en, &svc.name_zh_hk, l0.get()).to_owned()}
                                    </td>
                                    <td data-label=move || Key::Weight.text(l0.get())>{i18n::grams(r.weight_g)}</td>
                                    <td data-label=move || Key::Estimate.text(l0.get()) class="money">{r.postage.clone().unwrap_or_default()}</td>
                                    <td data-label=move || Key::StateLabel.text(l0.get())>
                                        <span class="badge" data-state=r.state.id()>{move || state_name(r.state, l0.get())}</span>
                                    </td>
                                    <td data-label=move || Key::Problems.text(l0.get())
                                        class:bad=has_errors>
                                        {move || i18n::problem_count(r.errors as usize, r.warnings as usize, l0.get())}
                                    </td>
                                    <td data-label=move || Key::Created.text(l0.get())>{r.created.clone()}</td>
                                    <td data-label=move || Key::ItemNumberLabel.text(l0.get()) class="item-number">
                                        {r.item_number.clone()}
                                    </td>
                                    <td data-label=move || Key::EcshipStatus.text(l0.get()) class="job">
                                        {job_cell(&r, l0)}
                                    </td>
                                    <td data-label=move || Key::Actions.text(l0.get()) class="row-actions">
                                        {row_buttons(&r, move |ids| submit(ids, false), cancel, tracking)}
                                    </td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
            </div>
        </section>
    }
}

/// The newest EC-Ship job of a row: what it is doing, and the error exactly as it came.
fn job_cell(r: &ShipmentSummary, locale: RwSignal<i18n::Locale>) -> impl IntoView {
    r.job.clone().map(|job| {
        let (j, kind) = (job.clone(), job.error_kind);
        let error = job.error.clone().map(|e| {
            let kind_attr = kind.map(|k| k.id()).unwrap_or_default();
            view! {
                <span class="job-error" data-error-kind=kind_attr>
                    <span class="job-error-source">
                        {move || i18n::job_error_source(kind, locale.get())}
                    </span>" "
                    <span class="job-error-text">{e}</span>
                </span>
            }
        });
        let price = job.price_of_record.clone().map(|amount| {
            let attr = amount.clone();
            view! {
                <span class="job-price" data-price-of-record=attr>
                    {move || i18n::price_of_record(&amount, locale.get())}
                </span>
            }
        });
        view! {
            <span class="job-state" data-job-kind=job.kind.id() data-job-state=job.state.id()>
                {move || i18n::job_text(&j, locale.get())}
            </span>
            {price}
            {error}
        }
    })
}

/// A row's own buttons; each stops its click from reaching the row, which opens the editor.
fn row_buttons(
    r: &ShipmentSummary,
    submit: impl Fn(Vec<String>) + Copy + Send + Sync + 'static,
    cancel: impl Fn(String) + Copy + Send + Sync + 'static,
    tracking: RwSignal<Option<String>>,
) -> impl IntoView {
    use ShipmentState as S;
    let job = r.job.as_ref();
    let open_cancel = job.is_some_and(|j| j.kind == JobKind::Cancel && j.state.is_open());
    let retry = matches!(r.state, S::Draft | S::Ready)
        && job.is_some_and(|j| j.kind == JobKind::Submit && j.state == JobState::Failed);
    // Unsent (queued, never tried): it is withdrawn. Numbered or printed: EC-Ship cancels it.
    let unsent = r.state == S::Submitted
        && job.is_some_and(|j| {
            j.kind == JobKind::Submit && j.state == JobState::Queued && j.attempts == 0
        });
    let can_cancel = !open_cancel && (unsent || matches!(r.state, S::Numbered | S::Printed));
    let trackable = r.item_number.is_some()
        && matches!(
            r.state,
            S::Numbered | S::Printed | S::Posted | S::Delivered | S::Returned | S::Expired
        );
    let (id_retry, id_cancel, id_track) = (r.id.clone(), r.id.clone(), r.id.clone());
    view! {
        <span class="row-buttons">
            {retry.then(|| view! {
                <button type="button" class="secondary row-retry"
                    on:click=move |ev| { ev.stop_propagation(); submit(vec![id_retry.clone()]); }>
                    {tr(Key::Retry)}
                </button>
            })}
            {can_cancel.then(|| view! {
                <button type="button" class="danger row-cancel"
                    on:click=move |ev| { ev.stop_propagation(); cancel(id_cancel.clone()); }>
                    {tr(Key::CancelSubmission)}
                </button>
            })}
            {trackable.then(|| view! {
                <button type="button" class="secondary row-tracking"
                    on:click=move |ev| { ev.stop_propagation(); tracking.set(Some(id_track.clone())); }>
                    {tr(Key::Tracking)}
                </button>
            })}
        </span>
    }
}
