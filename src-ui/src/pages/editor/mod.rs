//! "New shipment" / "Edit shipment": the draft editor.
//!
//! The recipient comes from the address book (copied in, then editable) or is typed in; the
//! sender is a sender profile. Every change is checked by the shell after a short pause
//! (`check_draft`), and each problem is shown next to the field its path names; problems
//! about fields that are not on the screen are listed at the end, so none is hidden. The
//! comparison table prices every service for the item as typed.
//!
//! A saved iMail draft can take the number of a pre-printed barcode label: typed, or
//! scanned with a keyboard-wedge scanner, which types the number and presses Enter, so Enter
//! attaches. (A phone-camera scanner is not offered: WebKitGTK gives the page no camera.)

mod form;
mod parts;

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{
    CompareResponse, ContactDto, ContactKind, ContactSearchRequest, DestinationChoice,
    InsuranceDto, ProblemDto, SaveShipmentRequest, ServiceName, SetStateRequest, ShipmentDto,
    ShipmentState, StoredQuoteDto, WindowDto,
};

use self::form::DraftForm;
use self::parts::{
    stored_quote_text, ContentLinesPart, DraftCheckPart, ParcelPart, PreprintedPart, QuotesPart,
    RecipientPart, ReferencePart, SenderPart, WindowsPart,
};
use crate::app::{use_navigator, Screen};
use crate::i18n::{call_error, state_name, tr, use_locale, Key};
use crate::ipc::{self, CallError};

/// How long typing must pause before the draft is checked: one check per burst of keys.
const CHECK_DELAY: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
enum Status {
    Saved(ShipmentState),
    Notice(Key),
    Failed(CallError),
}

#[component]
pub fn EditorPage(id: Option<String>) -> impl IntoView {
    let locale = use_locale();
    let nav = use_navigator();
    let is_new = id.is_none();
    let shipment_id = RwSignal::new(id.clone());
    let ship_state = RwSignal::new(None::<ShipmentState>);
    let stored_quote = RwSignal::new(None::<StoredQuoteDto>);
    let windows = RwSignal::new(Vec::<WindowDto>::new());
    let prints = RwSignal::new(Vec::<satchel_ipc::LabelPrintDto>::new());
    let insurance = RwSignal::new(None::<InsuranceDto>);
    let status = RwSignal::new(nav.notice.get_untracked().map(Status::Notice));
    nav.notice.set(None);

    let form = DraftForm::new();
    let senders = RwSignal::new(Vec::<ContactDto>::new());
    let problems = RwSignal::new(Vec::<ProblemDto>::new());
    let comparison = RwSignal::new(None::<CompareResponse>);
    let services = RwSignal::new(Vec::<ServiceName>::new());
    let zones = RwSignal::new(Vec::<DestinationChoice>::new());
    let checking = RwSignal::new(false);
    let check_error = RwSignal::new(None::<CallError>);
    // What attaching a pre-printed barcode label gave (also set when one is already attached).
    let attached = RwSignal::new(None::<Result<String, CallError>>);

    // Live check: after every change, wait for a pause, then ask the shell. A generation
    // number drops answers to drafts that have since changed.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let d = form.draft();
        let mine = generation.get_value() + 1;
        generation.set_value(mine);
        checking.set(true);
        set_timeout(
            move || {
                if generation.get_value() != mine {
                    return;
                }
                spawn_local(async move {
                    let answer = ipc::check_draft(d).await;
                    if generation.get_value() != mine {
                        return;
                    }
                    checking.set(false);
                    match answer {
                        Ok(c) => {
                            problems.set(c.problems);
                            insurance.set(c.insurance);
                            comparison.set(c.comparison);
                            // Only replace the pickers' options when they change, so an
                            // open <select> is not rebuilt under the pointer.
                            if services.with_untracked(|s| *s != c.services) {
                                services.set(c.services);
                            }
                            if zones.with_untracked(|z| *z != c.zones) {
                                zones.set(c.zones);
                            }
                            check_error.set(None);
                        }
                        Err(e) => check_error.set(Some(e)),
                    }
                });
            },
            CHECK_DELAY,
        );
    });

    let fill = move |s: ShipmentDto| {
        shipment_id.set(Some(s.id));
        ship_state.set(Some(s.state));
        stored_quote.set(s.quote);
        windows.set(s.windows);
        prints.set(s.prints);
        form.fill(s.draft);
    };
    if let Some(id) = id {
        spawn_local(async move {
            match ipc::get_shipment(id).await {
                Ok(s) => {
                    // A pre-printed label attached on an earlier visit shows as attached.
                    if let Some(n) = s.item_number.clone() {
                        attached.set(Some(Ok(n)));
                    }
                    fill(s)
                }
                Err(e) => status.set(Some(Status::Failed(e))),
            }
        });
    }
    spawn_local(async move {
        let request = ContactSearchRequest {
            kind: Some(ContactKind::Sender),
            ..ContactSearchRequest::default()
        };
        if let Ok(list) = ipc::search_contacts(request).await {
            // A new draft starts from the default sender profile.
            if is_new && form.sender_id.get_untracked().is_none() {
                if let Some(d) = list.iter().find(|c| c.is_default).or(list.first()) {
                    form.sender_id.set(Some(d.id.clone()));
                    form.sender.set(d.party.clone());
                }
            }
            senders.set(list);
        }
    });

    let save = move |then_ready: bool| {
        let request = SaveShipmentRequest {
            id: shipment_id.get_untracked(),
            draft: untrack(|| form.draft()),
        };
        spawn_local(async move {
            let saved = match ipc::save_shipment(request).await {
                Ok(s) => s,
                Err(e) => {
                    status.set(Some(Status::Failed(e)));
                    return;
                }
            };
            shipment_id.set(Some(saved.id.clone()));
            ship_state.set(Some(saved.state));
            stored_quote.set(saved.quote.clone());
            windows.set(saved.windows.clone());
            if !then_ready || saved.state == ShipmentState::Ready {
                status.set(Some(Status::Saved(saved.state)));
                return;
            }
            let request = SetStateRequest {
                id: saved.id,
                state: ShipmentState::Ready,
            };
            match ipc::set_shipment_state(request).await {
                Ok(s) => {
                    ship_state.set(Some(s.state));
                    status.set(Some(Status::Saved(s.state)));
                }
                Err(e) => status.set(Some(Status::Failed(e))),
            }
        });
    };
    let copy = move || {
        let Some(id) = shipment_id.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match ipc::copy_shipment(id).await {
                Ok(c) => {
                    nav.notice.set(Some(Key::Copied));
                    nav.edit(Some(c.id));
                }
                Err(e) => status.set(Some(Status::Failed(e))),
            }
        });
    };
    let delete = move || {
        let Some(id) = shipment_id.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match ipc::delete_shipment(id).await {
                Ok(()) => nav.screen.set(Screen::Shipments),
                Err(e) => status.set(Some(Status::Failed(e))),
            }
        });
    };

    view! {
        <section class="card">
            <h1>
                {move || if shipment_id.get().is_some() { tr(Key::EditShipment)() } else { tr(Key::NavNewShipment)() }}
                " "
                <span id="ship-state" class="badge" hidden=move || ship_state.get().is_none()>
                    {move || ship_state.get().map(|s| state_name(s, locale.get()))}
                </span>
            </h1>
            <p class="help">{tr(Key::EditorHelp)}</p>

            <RecipientPart form problems />
            <SenderPart form problems senders />
            <ParcelPart form problems services zones />
            <ContentLinesPart form problems />
            <ReferencePart form problems insurance />
            <PreprintedPart shipment_id ship_state service=form.service attached />
            <DraftCheckPart problems checking check_error zones category=form.category />

            <div class="row actions">
                <button id="ship-save" type="button" on:click=move |_| save(false)>{tr(Key::SaveDraft)}</button>
                <button id="ship-ready" type="button" on:click=move |_| save(true)>{tr(Key::MarkReady)}</button>
                <button id="ship-copy" type="button" class="secondary"
                    disabled=move || shipment_id.get().is_none() on:click=move |_| copy()>
                    {tr(Key::CopyAsNew)}
                </button>
                <button id="ship-delete" type="button" class="danger"
                    disabled=move || shipment_id.get().is_none() on:click=move |_| delete()>
                    {tr(Key::Delete)}
                </button>
            </div>
            <p id="ship-status" role="status" class="status"
                data-field=move || match status.get() { Some(Status::Failed(CallError::Refused(r))) => Some(r.field), _ => None }>
                {move || status.get().map(|s| {
                    let l = locale.get();
                    match s {
                        Status::Saved(st) => format!("{} {}", Key::Saved.text(l), state_name(st, l)),
                        Status::Notice(k) => k.text(l).to_owned(),
                        Status::Failed(e) => call_error(&e, l),
                    }
                })}
            </p>
            <WindowsPart windows />
            <p id="ship-prints" class="note" hidden=move || prints.with(Vec::is_empty)>
                {move || prints.with(|p| crate::i18n::prints_text(p, locale.get()))}
            </p>
            <p id="ship-quote" class="note" hidden=move || stored_quote.with(Option::is_none)>
                {move || stored_quote.get().map(|q| stored_quote_text(&q, locale.get()))}
            </p>
        </section>

        <QuotesPart comparison service=form.service />
    }
}
