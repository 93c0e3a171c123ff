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

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{
    AttachItemRequest, CompareResponse, ContactDto, ContactKind, ContactSearchRequest,
    ContentLineDto, DestinationChoice, PartyDto, ProblemDto, SaveShipmentRequest, ServiceName,
    SetStateRequest, ShipmentDraftDto, ShipmentDto, ShipmentState, StoredQuoteDto,
};

use crate::app::{use_navigator, Screen};
use crate::i18n::{self, call_error, pick, state_name, tr, use_locale, Key, Locale, CATEGORIES};
use crate::ipc::{self, CallError};
use crate::pages::fields::{
    party_anchor, problem_line, FieldErrors, PartyFields, PartyForm, TextField,
};

/// How long typing must pause before the draft is checked: one check per burst of keys.
const CHECK_DELAY: Duration = Duration::from_millis(250);

/// The on-screen slot of a problem's field path; `None`: listed under "Other problems".
fn anchor(field: &str) -> Option<String> {
    if field == "sender" || field.starts_with("sender.") {
        return Some("sender".into());
    }
    if let Some(rest) = field.strip_prefix("recipient.") {
        return party_anchor(rest).map(|a| format!("recipient.{a}"));
    }
    match field {
        "service"
        | "zone"
        | "parcel.weight_g"
        | "parcel.dimensions"
        | "customs.explanation"
        | "customs.lines"
        | "insured_value"
        | "reference"
        | "non_delivery" => Some(field.into()),
        "customs" | "customs.category" => Some("customs.category".into()),
        _ => line_anchor(field),
    }
}

/// `customs.lines[2].hs_code` has its own slot; every line's currency shares the one input.
fn line_anchor(field: &str) -> Option<String> {
    let rest = field.strip_prefix("customs.lines[")?;
    let (index, tail) = rest.split_once("].")?;
    index.parse::<usize>().ok()?;
    match tail {
        "currency" => Some("currency".into()),
        "description" | "quantity" | "value" | "hs_code" | "origin_country" | "net_weight_g" => {
            Some(field.to_owned())
        }
        _ => None,
    }
}

fn belongs(field: &str, slot: &str) -> bool {
    anchor(field).as_deref() == Some(slot)
}

fn belongs_recipient(field: &str, slot: &str) -> bool {
    field.strip_prefix("recipient.").and_then(party_anchor) == Some(slot)
}

/// A whole number typed in a box; anything else counts as 0, which the rules report.
fn number(text: &str) -> u32 {
    text.trim().parse().unwrap_or(0)
}

/// One content line being edited.
#[derive(Debug, Clone, Copy)]
struct LineForm {
    description: RwSignal<String>,
    quantity: RwSignal<String>,
    value: RwSignal<String>,
    hs_code: RwSignal<String>,
    origin: RwSignal<String>,
    net_weight: RwSignal<String>,
}

impl LineForm {
    fn new(l: &ContentLineDto) -> LineForm {
        let net = if l.net_weight_g == 0 {
            String::new()
        } else {
            l.net_weight_g.to_string()
        };
        LineForm {
            description: RwSignal::new(l.description.clone()),
            quantity: RwSignal::new(l.quantity.max(1).to_string()),
            value: RwSignal::new(l.value.clone()),
            hs_code: RwSignal::new(l.hs_code.clone()),
            origin: RwSignal::new(l.origin_country.clone()),
            net_weight: RwSignal::new(net),
        }
    }
}

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
    let status = RwSignal::new(nav.notice.get_untracked().map(Status::Notice));
    nav.notice.set(None);

    let recipient = PartyForm::new();
    let recipient_id = RwSignal::new(None::<String>);
    let query = RwSignal::new(String::new());
    let suggestions = RwSignal::new(Vec::<ContactDto>::new());
    let senders = RwSignal::new(Vec::<ContactDto>::new());
    let sender_id = RwSignal::new(None::<String>);
    let sender = RwSignal::new(PartyDto::default());
    let service = RwSignal::new(String::new());
    let zone = RwSignal::new(String::new());
    let weight = RwSignal::new(String::new());
    let dims = [
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    ];
    let category = RwSignal::new(CATEGORIES[0].0.to_owned());
    let explanation = RwSignal::new(String::new());
    let currency = RwSignal::new("HKD".to_owned());
    let lines = RwSignal::new(vec![LineForm::new(&ContentLineDto::default())]);
    let insured = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let non_delivery = RwSignal::new(String::new());

    let problems = RwSignal::new(Vec::<ProblemDto>::new());
    let comparison = RwSignal::new(None::<CompareResponse>);
    let services = RwSignal::new(Vec::<ServiceName>::new());
    let zones = RwSignal::new(Vec::<DestinationChoice>::new());
    let checking = RwSignal::new(false);
    let check_error = RwSignal::new(None::<CallError>);
    // The pre-printed barcode label: what is typed or scanned, and what attaching it gave.
    let preprinted = RwSignal::new(String::new());
    let attached = RwSignal::new(None::<Result<String, CallError>>);

    // The draft as typed; reading it in an effect tracks every input.
    let draft = move || {
        let dimensions_mm = {
            let v: Vec<u32> = dims
                .iter()
                .filter_map(|d| d.get().trim().parse().ok())
                .collect();
            <[u32; 3]>::try_from(v).ok()
        };
        let cur = currency.get().trim().to_ascii_uppercase();
        ShipmentDraftDto {
            sender_id: sender_id.get(),
            sender: sender.get(),
            recipient_id: recipient_id.get(),
            recipient: recipient.get(),
            service: service.get(),
            zone: zone.get(),
            weight_g: number(&weight.get()),
            dimensions_mm,
            category: category.get(),
            explanation: explanation.get(),
            lines: lines
                .get()
                .iter()
                .map(|l| ContentLineDto {
                    description: l.description.get(),
                    quantity: number(&l.quantity.get()),
                    net_weight_g: number(&l.net_weight.get()),
                    value: l.value.get(),
                    currency: cur.clone(),
                    hs_code: l.hs_code.get(),
                    origin_country: l.origin.get().trim().to_ascii_uppercase(),
                })
                .collect(),
            insured_value: insured.get(),
            reference: reference.get(),
            non_delivery: non_delivery.get(),
        }
    };

    // Live check: after every change, wait for a pause, then ask the shell. A generation
    // number drops answers to drafts that have since changed.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let d = draft();
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
        let d = s.draft;
        shipment_id.set(Some(s.id));
        ship_state.set(Some(s.state));
        stored_quote.set(s.quote);
        recipient.set(&d.recipient);
        recipient_id.set(d.recipient_id);
        sender_id.set(d.sender_id);
        sender.set(d.sender);
        service.set(d.service);
        zone.set(d.zone);
        weight.set(if d.weight_g == 0 {
            String::new()
        } else {
            d.weight_g.to_string()
        });
        for (i, sig) in dims.iter().enumerate() {
            sig.set(
                d.dimensions_mm
                    .map(|m| m[i].to_string())
                    .unwrap_or_default(),
            );
        }
        if !d.category.is_empty() {
            category.set(d.category);
        }
        explanation.set(d.explanation);
        if let Some(first) = d.lines.first() {
            currency.set(first.currency.clone());
        }
        let mut forms: Vec<LineForm> = d.lines.iter().map(LineForm::new).collect();
        if forms.is_empty() {
            forms.push(LineForm::new(&ContentLineDto::default()));
        }
        lines.set(forms);
        insured.set(d.insured_value);
        reference.set(d.reference);
        non_delivery.set(d.non_delivery);
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
            if is_new && sender_id.get_untracked().is_none() {
                if let Some(d) = list.iter().find(|c| c.is_default).or(list.first()) {
                    sender_id.set(Some(d.id.clone()));
                    sender.set(d.party.clone());
                }
            }
            senders.set(list);
        }
    });

    let on_query = move |text: String| {
        query.set(text.clone());
        if text.trim().is_empty() {
            suggestions.set(Vec::new());
            return;
        }
        spawn_local(async move {
            let request = ContactSearchRequest {
                text: text.clone(),
                kind: Some(ContactKind::Recipient),
                tag: None,
                limit: 8,
            };
            if let Ok(found) = ipc::search_contacts(request).await {
                if query.get_untracked() == text {
                    suggestions.set(found);
                }
            }
        });
    };
    let pick_recipient = move |c: ContactDto| {
        recipient.set(&c.party);
        recipient_id.set(Some(c.id));
        zone.set(String::new());
        query.set(String::new());
        suggestions.set(Vec::new());
    };

    let save = move |then_ready: bool| {
        let request = SaveShipmentRequest {
            id: shipment_id.get_untracked(),
            draft: untrack(draft),
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

    let attach = move || {
        let Some(id) = shipment_id.get_untracked() else {
            return;
        };
        // Scanners and typists add spaces and lower case; the number itself has neither.
        let number: String = preprinted
            .get_untracked()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if number.is_empty() {
            return;
        }
        spawn_local(async move {
            let request = AttachItemRequest {
                id,
                item_number: number.clone(),
            };
            match ipc::attach_item_number(request).await {
                Ok(s) => {
                    ship_state.set(Some(s.state));
                    preprinted.set(String::new());
                    attached.set(Some(Ok(number)));
                }
                Err(e) => attached.set(Some(Err(e))),
            }
        });
    };
    let can_preprint = move || {
        shipment_id.with(Option::is_some)
            && service.with(|s| s == "imail")
            && matches!(
                ship_state.get(),
                Some(ShipmentState::Draft | ShipmentState::Ready)
            )
    };

    let off_screen = move || {
        let shown_zone = !zones.with(Vec::is_empty);
        let shown_explanation = category.get() == "other";
        problems.with(|ps| {
            ps.iter()
                .filter(|p| match anchor(&p.field).as_deref() {
                    None => true,
                    Some("zone") => !shown_zone,
                    Some("customs.explanation") => !shown_explanation,
                    Some(_) => false,
                })
                .cloned()
                .collect::<Vec<_>>()
        })
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

            <fieldset>
                <legend>{tr(Key::Recipient)}</legend>
                <form class="row" role="search" on:submit=move |ev| {
                    ev.prevent_default();
                    on_query(query.get_untracked());
                }>
                    <label class="grow">
                        {tr(Key::FindRecipient)}
                        <input id="recipient-search" type="search" autocomplete="off"
                            placeholder=tr(Key::RecipientSearchPlaceholder)
                            prop:value=move || query.get()
                            on:input=move |ev| on_query(event_target_value(&ev)) />
                    </label>
                    <button id="recipient-new" type="button" class="secondary" on:click=move |_| {
                        recipient.set(&PartyDto::default());
                        recipient_id.set(None);
                        zone.set(String::new());
                    }>{tr(Key::NewAddress)}</button>
                </form>
                <ul id="recipient-suggestions" class="suggestions" hidden=move || suggestions.with(Vec::is_empty)>
                    <For
                        each=move || suggestions.get()
                        key=|c| c.id.clone()
                        children=move |c| {
                            let where_ = [c.party.lines.first().cloned().unwrap_or_default(), c.party.city.clone(), c.party.country.clone()]
                                .into_iter()
                                .filter(|s| !s.is_empty())
                                .collect::<Vec<_>>()
                                .join(", ");
                            let who = if c.party.name.is_empty() { c.party.company.clone() } else { c.party.name.clone() };
                            view! {
                                <li>
                                    <button type="button" class="recipient-choice suggestion" data-id=c.id.clone()
                                        on:click=move |_| pick_recipient(c.clone())>
                                        <strong>{who}</strong>" "<span class="where">{where_}</span>
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
                <PartyFields id_prefix="recipient" form=recipient problems=problems belongs=belongs_recipient />
            </fieldset>

            <fieldset>
                <legend>{tr(Key::Sender)}</legend>
                <div class="grid">
                <label class="wide">
                    {tr(Key::SenderProfile)}
                    <select id="sender-profile" on:change=move |ev| {
                        let id = event_target_value(&ev);
                        let chosen = senders.with_untracked(|l| l.iter().find(|c| c.id == id).cloned());
                        match chosen {
                            Some(c) => {
                                sender_id.set(Some(c.id));
                                sender.set(c.party);
                            }
                            None => {
                                sender_id.set(None);
                                sender.set(PartyDto::default());
                            }
                        }
                    }>
                        <option value="" prop:selected=move || sender_id.get().is_none()>{tr(Key::NotChosen)}</option>
                        {move || senders.get().into_iter().map(|c| {
                            let id = c.id.clone();
                            let label = format!("{} — {}", if c.party.name.is_empty() { &c.party.company } else { &c.party.name }, c.party.lines.first().cloned().unwrap_or_default());
                            view! {
                                <option value=c.id.clone() prop:selected=move || sender_id.get().as_deref() == Some(id.as_str())>{label}</option>
                            }
                        }).collect_view()}
                    </select>
                    <FieldErrors problems=problems belongs=belongs at="sender" />
                </label>
                </div>
                <p class="note" id="no-sender" hidden=move || !senders.with(Vec::is_empty)>{tr(Key::NoSenderProfiles)}</p>
            </fieldset>

            <fieldset>
                <legend>{tr(Key::Parcel)}</legend>
                <div class="grid">
                    <label>
                        {tr(Key::Service)}
                        <select id="service" on:change=move |ev| service.set(event_target_value(&ev))>
                            <option value="" prop:selected=move || service.get().is_empty()>{tr(Key::ChooseService)}</option>
                            {move || services.get().into_iter().map(|s| {
                                let id = s.id.clone();
                                view! {
                                    <option value=s.id.clone() prop:selected=move || service.get() == id>
                                        {move || pick(&s.name_en, &s.name_zh_hk, locale.get()).to_owned()}
                                    </option>
                                }
                            }).collect_view()}
                        </select>
                        <FieldErrors problems=problems belongs=belongs at="service" />
                    </label>
                    <label hidden=move || zones.with(Vec::is_empty)>
                        {tr(Key::Zone)}
                        <select id="ship-zone" on:change=move |ev| zone.set(event_target_value(&ev))>
                            {move || zones.get().into_iter().enumerate().map(|(i, z)| {
                                let code = z.zone.clone();
                                let label = format!("{} ({})", pick(&z.name_en, &z.name_zh_hk, locale.get()), z.zone);
                                view! {
                                    <option value=z.zone.clone()
                                        prop:selected=move || zone.get() == code || (i == 0 && zone.get().is_empty())>
                                        {label}
                                    </option>
                                }
                            }).collect_view()}
                        </select>
                        <FieldErrors problems=problems belongs=belongs at="zone" />
                    </label>
                    <TextField id="ship-weight" label=Key::WeightGrams value=weight problems=problems
                        belongs=belongs at="parcel.weight_g" inputmode="numeric" />
                    <label>
                        {tr(Key::Contents)}
                        <select id="ship-category" on:change=move |ev| category.set(event_target_value(&ev))>
                            {CATEGORIES.iter().map(|(value, en, zh)| view! {
                                <option value=*value prop:selected=move || category.get() == *value>
                                    {move || pick(en, zh, locale.get()).to_owned()}
                                </option>
                            }).collect_view()}
                        </select>
                        <FieldErrors problems=problems belongs=belongs at="customs.category" />
                    </label>
                    <TextField id="ship-length" label=Key::LengthMm value=dims[0] problems=problems
                        belongs=|_, _| false at="" inputmode="numeric" />
                    <TextField id="ship-width" label=Key::WidthMm value=dims[1] problems=problems
                        belongs=|_, _| false at="" inputmode="numeric" />
                    <TextField id="ship-height" label=Key::HeightMm value=dims[2] problems=problems
                        belongs=belongs at="parcel.dimensions" inputmode="numeric" />
                    <div class="cell" hidden=move || category.get() != "other">
                        <TextField id="ship-explanation" label=Key::Explanation value=explanation
                            problems=problems belongs=belongs at="customs.explanation" />
                    </div>
                    <TextField id="ship-currency" label=Key::Currency value=currency problems=problems
                        belongs=belongs at="currency" />
                </div>
            </fieldset>

            <fieldset id="content-lines">
                <legend>{tr(Key::ContentLines)}</legend>
                <FieldErrors problems=problems belongs=belongs at="customs.lines" />
                {move || {
                    let single = lines.with(Vec::len) == 1;
                    lines.get().into_iter().enumerate().map(|(i, l)| {
                        let at = move |what: &str| format!("customs.lines[{i}].{what}");
                        view! {
                            <div class="grid content-line" data-line=i.to_string()>
                                <TextField id=format!("line-desc-{i}") label=Key::Description value=l.description
                                    problems=problems belongs=belongs at=at("description") />
                                <TextField id=format!("line-qty-{i}") label=Key::Quantity value=l.quantity
                                    problems=problems belongs=belongs at=at("quantity") inputmode="numeric" />
                                <TextField id=format!("line-value-{i}") label=Key::LineValue value=l.value
                                    problems=problems belongs=belongs at=at("value") inputmode="decimal" />
                                <TextField id=format!("line-hs-{i}") label=Key::HsCode value=l.hs_code
                                    problems=problems belongs=belongs at=at("hs_code") inputmode="numeric" />
                                <TextField id=format!("line-origin-{i}") label=Key::Origin value=l.origin
                                    problems=problems belongs=belongs at=at("origin_country") />
                                <TextField id=format!("line-net-{i}") label=Key::NetWeight value=l.net_weight
                                    problems=problems belongs=belongs at=at("net_weight_g") inputmode="numeric" />
                                <p class="row" hidden=single>
                                    <button type="button" class="secondary line-remove"
                                        on:click=move |_| lines.update(|v| { if i < v.len() { v.remove(i); } })>
                                        {tr(Key::RemoveLine)}
                                    </button>
                                </p>
                            </div>
                        }
                    }).collect_view()
                }}
                <p class="row">
                    <button id="line-add" type="button" class="secondary"
                        on:click=move |_| lines.update(|v| v.push(LineForm::new(&ContentLineDto::default())))>
                        {tr(Key::AddLine)}
                    </button>
                </p>
            </fieldset>

            <fieldset>
                <legend>{tr(Key::Reference)}</legend>
                <div class="grid">
                    <TextField id="ship-insured" label=Key::InsuredValue value=insured problems=problems
                        belongs=belongs at="insured_value" inputmode="decimal" />
                    <TextField id="ship-reference" label=Key::Reference value=reference problems=problems
                        belongs=belongs at="reference" />
                    <label>
                        {tr(Key::NonDelivery)}
                        <select id="ship-non-delivery" on:change=move |ev| non_delivery.set(event_target_value(&ev))>
                            {[("", Key::NotChosen), ("return_by_air", Key::ReturnByAir), ("return_by_surface", Key::ReturnBySurface), ("abandon", Key::Abandon)]
                                .into_iter()
                                .map(|(value, label)| view! {
                                    <option value=value prop:selected=move || non_delivery.get() == value>{tr(label)}</option>
                                }).collect_view()}
                        </select>
                        <FieldErrors problems=problems belongs=belongs at="non_delivery" />
                    </label>
                </div>
            </fieldset>

            <fieldset id="preprinted" hidden=move || !can_preprint()>
                <legend>{tr(Key::Preprinted)}</legend>
                <p class="help" id="preprinted-help">{tr(Key::PreprintedHelp)}</p>
                <form class="row" on:submit=move |ev| { ev.prevent_default(); attach(); }>
                    <label class="sr-only" for="preprinted-number">{tr(Key::Preprinted)}</label>
                    <input id="preprinted-number" type="text" autocomplete="off" spellcheck="false"
                        autocapitalize="characters" maxlength="20" placeholder="RR123456785HK"
                        aria-describedby="preprinted-help"
                        aria-invalid=move || matches!(attached.get(), Some(Err(_))).then_some("true")
                        prop:value=move || preprinted.get()
                        on:input=move |ev| preprinted.set(event_target_value(&ev)) />
                    <button id="preprinted-attach" type="submit" class="secondary">{tr(Key::Attach)}</button>
                </form>
                <div aria-live="polite">
                    {move || attached.get().map(|a| {
                        let l = locale.get();
                        match a {
                            Ok(n) => view! {
                                <p class="result ok" id="preprinted-status">
                                    {Key::Attached.text(l)}" "<span class="item-number">{n}</span>
                                </p>
                            }.into_any(),
                            Err(CallError::Refused(r)) => view! {
                                <p class="field-error" id="preprinted-error" data-field=r.field.clone()>
                                    {if l == Locale::En { r.message_en } else { r.message_zh_hk }}
                                </p>
                            }.into_any(),
                            Err(e) => view! {
                                <p class="field-error" id="preprinted-error">{call_error(&e, l)}</p>
                            }.into_any(),
                        }
                    })}
                </div>
            </fieldset>

            <div id="draft-check" aria-live="polite">
                <p id="draft-status" class="note">
                    {move || {
                        let l = locale.get();
                        if checking.get() {
                            Key::Checking.text(l).to_owned()
                        } else {
                            let (e, w) = problems.with(|ps| (ps.iter().filter(|p| p.error).count(), ps.iter().filter(|p| !p.error).count()));
                            if e + w == 0 { Key::NoProblems.text(l).to_owned() } else { i18n::problem_count(e, w, l) }
                        }
                    }}
                </p>
                <p class="result bad" hidden=move || check_error.with(Option::is_none)>
                    {move || check_error.get().map(|e| call_error(&e, locale.get()))}
                </p>
                <div id="draft-problems" class="problems" hidden=move || off_screen().is_empty()>
                    <h3>{tr(Key::OtherProblems)}</h3>
                    {move || {
                        let l = locale.get();
                        off_screen().iter().map(|p| problem_line(p, l, "field-error")).collect_view()
                    }}
                </div>
            </div>

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
            <p id="ship-quote" class="note" hidden=move || stored_quote.with(Option::is_none)>
                {move || stored_quote.get().map(|q| stored_quote_text(&q, locale.get()))}
            </p>
        </section>

        <section class="card">
            <h2>{tr(Key::QuotesTitle)}</h2>
            <div id="draft-quotes" aria-live="polite">
                {move || {
                    let l = locale.get();
                    match comparison.get() {
                        None => view! { <p class="note">{Key::QuotesWaiting.text(l)}</p> }.into_any(),
                        Some(c) => quotes_view(c, service, l).into_any(),
                    }
                }}
            </div>
        </section>
    }
}

fn stored_quote_text(q: &StoredQuoteDto, l: Locale) -> String {
    match l {
        Locale::En => format!(
            "{}: HK${} ({}), rates dated {}, quoted {}",
            Key::StoredQuote.text(l),
            q.amount,
            q.service,
            q.rates_as_of,
            q.quoted_on
        ),
        Locale::ZhHk => format!(
            "{}：港幣 {}（{}），郵費資料日期 {}，報價日期 {}",
            Key::StoredQuote.text(l),
            q.amount,
            q.service,
            q.rates_as_of,
            q.quoted_on
        ),
    }
}

/// The comparison as a table like the Postage screen's, with a button to use a service.
fn quotes_view(c: CompareResponse, service: RwSignal<String>, l: Locale) -> impl IntoView {
    let rows = c
        .options
        .into_iter()
        .map(|o| {
            let delivery = o
                .delivery
                .as_ref()
                .map(|d| i18n::delivery(d, l))
                .unwrap_or_else(|| Key::Unknown.text(l).to_owned());
            let (id, id_use) = (o.id.clone(), o.id.clone());
            view! {
                <tr data-service=o.id.clone() class:chosen=move || service.get() == id>
                    <td data-label=Key::Service.text(l)>{pick(&o.name_en, &o.name_zh_hk, l).to_owned()}</td>
                    <td data-label=Key::Estimate.text(l) class="money">{o.estimate.clone()}</td>
                    <td data-label=Key::Counter.text(l) class="money">{o.counter.clone()}</td>
                    <td data-label=Key::Delivery.text(l)>{delivery}</td>
                    <td data-label=Key::TariffDate.text(l)>{o.tariff_date.clone()}</td>
                    <td class="use">
                        <button type="button" class="secondary use-service"
                            on:click=move |_| service.set(id_use.clone())>
                            {Key::Use.text(l)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let excluded = c
        .excluded
        .iter()
        .map(|e| {
            view! {
                <li data-service=e.id.clone()>
                    <strong>{pick(&e.name_en, &e.name_zh_hk, l).to_owned()}</strong>": "{i18n::exclusion(&e.reason, l)}
                </li>
            }
        })
        .collect_view();
    let count = c.excluded.len();
    view! {
        <p class="note">{Key::PostingDate.text(l)}" "{c.as_of.clone()}</p>
        <table class="services">
            <thead><tr>
                <th>{Key::Service.text(l)}</th>
                <th>{Key::Estimate.text(l)}</th>
                <th>{Key::Counter.text(l)}</th>
                <th>{Key::Delivery.text(l)}</th>
                <th>{Key::TariffDate.text(l)}</th>
                <th><span class="sr-only">{Key::Use.text(l)}</span></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <details class="excluded">
            <summary>{Key::ExcludedTitle.text(l)}" ("{count}")"</summary>
            <ul>{excluded}</ul>
        </details>
    }
}
