//! The editor's named parts, one per fieldset: recipient, sender, parcel, content lines,
//! reference, the pre-printed label, the live check and the quotes. Each takes the shared
//! [`DraftForm`] and the problems, and shows each problem under the input its path names.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{
    AttachItemRequest, CompareResponse, ContactDto, ContactKind, ContactSearchRequest,
    ContentLineDto, DestinationChoice, InsuranceDto, PartyDto, ProblemDto, ServiceName,
    ShipmentState, StoredQuoteDto, WindowDto,
};

use super::form::{DraftForm, LineForm};
use crate::components::fields::{problem_line, FieldErrors, PartyFields, TextField};
use crate::components::routing::{
    belongs_draft as belongs, belongs_recipient, draft_anchor as anchor,
};
use crate::i18n::{self, call_error, pick, tr, use_locale, Key, Locale, CATEGORIES};
use crate::ipc::{self, CallError};

type Problems = RwSignal<Vec<ProblemDto>>;

/// The recipient: found in the address book as the merchant types, or typed in.
#[component]
pub fn RecipientPart(form: DraftForm, problems: Problems) -> impl IntoView {
    let DraftForm {
        recipient,
        recipient_id,
        zone,
        ..
    } = form;
    let query = RwSignal::new(String::new());
    let suggestions = RwSignal::new(Vec::<ContactDto>::new());
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
    view! {
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
    }
}

/// The sender: one of the merchant's sender profiles.
#[component]
pub fn SenderPart(
    form: DraftForm,
    problems: Problems,
    senders: RwSignal<Vec<ContactDto>>,
) -> impl IntoView {
    let DraftForm {
        sender_id, sender, ..
    } = form;
    view! {
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
    }
}

/// Service, zone, weight, size and what kind of contents.
#[component]
pub fn ParcelPart(
    form: DraftForm,
    problems: Problems,
    services: RwSignal<Vec<ServiceName>>,
    zones: RwSignal<Vec<DestinationChoice>>,
) -> impl IntoView {
    let locale = use_locale();
    let DraftForm {
        service,
        zone,
        weight,
        dims,
        category,
        explanation,
        currency,
        ..
    } = form;
    view! {
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
    }
}

/// The customs declaration's lines, one fieldset row each.
#[component]
pub fn ContentLinesPart(form: DraftForm, problems: Problems) -> impl IntoView {
    let lines = form.lines;
    view! {
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
    }
}

/// Insurance, the order reference and what to do with an undeliverable item.
#[component]
pub fn ReferencePart(
    form: DraftForm,
    problems: Problems,
    /// The cover asked for, from the live check: premium, cap, exclusions (§6, C-02).
    insurance: RwSignal<Option<InsuranceDto>>,
) -> impl IntoView {
    let locale = use_locale();
    let DraftForm {
        insured,
        reference,
        non_delivery,
        ..
    } = form;
    view! {
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
            <p id="ship-insurance" class="note" hidden=move || insurance.with(Option::is_none)>
                {move || insurance.get().map(|i| i18n::insurance_text(&i, locale.get()))}
            </p>
            <p id="ship-insurance-excluded" class="result bad" role="alert"
                hidden=move || !insurance.with(|i| i.as_ref().is_some_and(|i| i.excluded_destination))>
                {move || i18n::insurance_excluded_text(locale.get())}
            </p>
        </fieldset>
    }
}

/// A saved iMail draft takes the number of a pre-printed barcode label: typed, or
/// scanned with a keyboard-wedge scanner, which types the number and presses Enter.
#[component]
pub fn PreprintedPart(
    shipment_id: RwSignal<Option<String>>,
    ship_state: RwSignal<Option<ShipmentState>>,
    service: RwSignal<String>,
    attached: RwSignal<Option<Result<String, CallError>>>,
) -> impl IntoView {
    let locale = use_locale();
    let preprinted = RwSignal::new(String::new());
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
    view! {
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
                                {i18n::refusal_text(&r, l)}
                            </p>
                        }.into_any(),
                        Err(e) => view! {
                            <p class="field-error" id="preprinted-error">{call_error(&e, l)}</p>
                        }.into_any(),
                    }
                })}
            </div>
        </fieldset>
    }
}

/// The live check's verdict, and the problems about fields that have no input on screen, so
/// none is hidden.
#[component]
pub fn DraftCheckPart(
    problems: Problems,
    checking: RwSignal<bool>,
    check_error: RwSignal<Option<CallError>>,
    zones: RwSignal<Vec<DestinationChoice>>,
    category: RwSignal<String>,
) -> impl IntoView {
    let locale = use_locale();
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
    }
}

/// Every service that can carry the item as typed, priced, with a button to use one.
#[component]
pub fn QuotesPart(
    comparison: RwSignal<Option<CompareResponse>>,
    service: RwSignal<String>,
) -> impl IntoView {
    let locale = use_locale();
    view! {
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

pub fn stored_quote_text(q: &StoredQuoteDto, l: Locale) -> String {
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

/// A saved shipment's calendar: how long its label is valid (C-01), when it can be traced
/// and claimed, each with its dates day-first.
#[component]
pub fn WindowsPart(windows: RwSignal<Vec<WindowDto>>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <ul id="ship-windows" class="windows" hidden=move || windows.with(Vec::is_empty)>
            {move || windows.get().into_iter().map(|w| {
                let kind = format!("{:?}", w.kind).to_lowercase();
                let closed = w.status == "closed";
                view! {
                    <li data-kind=kind data-status=w.status.clone() class:bad=closed>
                        {i18n::window_text(&w, locale.get())}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
