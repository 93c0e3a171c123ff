//! "Address book": find, add, edit and delete recipients and sender profiles; export the lot
//! as CSV and import a CSV file (the wizard in [`super::import`]).
//!
//! The list searches as you type; the store matches any part of a name, address or phone in
//! either script. A contact the store refuses comes back with per-field problems, shown next
//! to the inputs they name.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{
    ContactDto, ContactKind, ContactSearchRequest, ProblemDto, SaveContactRequest,
    SaveContactResponse,
};

use crate::components::fields::{problem_line, PartyFields, PartyForm};
use crate::components::routing::party_anchor;
use crate::files;
use crate::i18n::{call_error, tr, use_locale, Key, Locale};
use crate::ipc;
use crate::panels::catalogue::CataloguePanel;
use crate::panels::import::ImportWizard;

/// A problem path relative to the contact (`name`, `lines[1]`) belongs to an input's slot.
fn belongs(field: &str, slot: &str) -> bool {
    party_anchor(field) == Some(slot)
}

/// Problems with no input on the form.
fn off_form(field: &str) -> bool {
    party_anchor(field).is_none()
}

/// What the save or delete button last did.
#[derive(Debug, Clone)]
enum Status {
    Saved,
    Deleted,
    Invalid,
    Failed(ipc::CallError),
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let locale = use_locale();
    let text = RwSignal::new(String::new());
    let kind_filter = RwSignal::new(String::new());
    let tag_filter = RwSignal::new(String::new());
    let results = RwSignal::new(Vec::<ContactDto>::new());
    let tags = RwSignal::new(Vec::<String>::new());
    let list_error = RwSignal::new(None::<ipc::CallError>);

    let editing = RwSignal::new(None::<String>);
    let form = PartyForm::new();
    let kind = RwSignal::new(ContactKind::Recipient);
    let notes = RwSignal::new(String::new());
    let tag_text = RwSignal::new(String::new());
    let is_default = RwSignal::new(false);
    let problems = RwSignal::new(Vec::<ProblemDto>::new());
    let status = RwSignal::new(None::<Status>);
    let export_url = RwSignal::new(None::<(String, String)>);

    let refresh = move || {
        let request = ContactSearchRequest {
            text: text.get_untracked(),
            kind: match kind_filter.get_untracked().as_str() {
                "recipient" => Some(ContactKind::Recipient),
                "sender" => Some(ContactKind::Sender),
                _ => None,
            },
            tag: Some(tag_filter.get_untracked()).filter(|t| !t.is_empty()),
            limit: 200,
        };
        spawn_local(async move {
            let asked = request.clone();
            let answer = ipc::search_contacts(request).await;
            // Typing may have moved on while the answer was on its way.
            if asked.text != text.get_untracked() {
                return;
            }
            match answer {
                Ok(found) => {
                    results.set(found);
                    list_error.set(None);
                }
                Err(e) => list_error.set(Some(e)),
            }
        });
    };
    // Tags change only when contacts are saved, deleted or imported, not while typing.
    // Products are added from the import wizard too: the catalogue panel then reloads.
    let catalogue_changed = RwSignal::new(0u32);
    let refresh_tags = move || {
        spawn_local(async move {
            if let Ok(t) = ipc::list_contact_tags().await {
                tags.set(t);
            }
        });
    };
    refresh();
    refresh_tags();

    let clear_form = move || {
        editing.set(None);
        form.set(&Default::default());
        kind.set(ContactKind::Recipient);
        notes.set(String::new());
        tag_text.set(String::new());
        is_default.set(false);
        problems.set(Vec::new());
    };
    let open = move |c: ContactDto| {
        editing.set(Some(c.id.clone()));
        form.set(&c.party);
        kind.set(c.kind);
        notes.set(c.notes.clone());
        tag_text.set(c.tags.join(", "));
        is_default.set(c.is_default);
        problems.set(Vec::new());
        status.set(None);
    };

    let save = move || {
        let request = SaveContactRequest {
            id: editing.get_untracked(),
            kind: kind.get_untracked(),
            party: form.get(),
            notes: notes.get_untracked(),
            tags: tag_text
                .get_untracked()
                .split([',', '，'])
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            is_default: is_default.get_untracked() && kind.get_untracked() == ContactKind::Sender,
        };
        spawn_local(async move {
            match ipc::save_contact(request).await {
                Ok(SaveContactResponse::Saved { contact }) => {
                    open(*contact);
                    status.set(Some(Status::Saved));
                    refresh();
                    refresh_tags();
                }
                Ok(SaveContactResponse::Invalid { problems: found }) => {
                    problems.set(found);
                    status.set(Some(Status::Invalid));
                }
                Err(e) => status.set(Some(Status::Failed(e))),
            }
        });
    };
    let delete = move || {
        let Some(id) = editing.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match ipc::delete_contact(id).await {
                Ok(()) => {
                    clear_form();
                    status.set(Some(Status::Deleted));
                    refresh();
                    refresh_tags();
                }
                Err(e) => status.set(Some(Status::Failed(e))),
            }
        });
    };
    let export = move || {
        spawn_local(async move {
            match ipc::export_contacts().await {
                Ok(file) => {
                    if let Some((old, _)) = export_url.get_untracked() {
                        files::revoke(&old);
                    }
                    export_url.set(
                        files::download(&file.file_name, &file.text).map(|u| (u, file.file_name)),
                    );
                }
                Err(e) => status.set(Some(Status::Failed(e))),
            }
        });
    };

    let kind_label = move |k: ContactKind, l: Locale| match k {
        ContactKind::Recipient => Key::Recipient.text(l),
        ContactKind::Sender => Key::SenderProfile.text(l),
    };

    view! {
        <section class="card">
            <h1>{tr(Key::ContactsTitle)}</h1>
            <p class="help">{tr(Key::ContactsHelp)}</p>
            <form class="filters" role="search" on:submit=move |ev| { ev.prevent_default(); refresh(); }>
                <label class="grow">
                    <span class="sr-only">{tr(Key::Search)}</span>
                    <input id="contact-search" type="search" autocomplete="off"
                        placeholder=tr(Key::ContactSearchPlaceholder)
                        prop:value=move || text.get()
                        on:input=move |ev| { text.set(event_target_value(&ev)); refresh(); } />
                </label>
                <label>
                    <span class="sr-only">{tr(Key::ContactKindLabel)}</span>
                    <select id="contact-kind-filter"
                        on:change=move |ev| { kind_filter.set(event_target_value(&ev)); refresh(); }>
                        <option value="">{tr(Key::AllKinds)}</option>
                        <option value="recipient">{tr(Key::Recipients)}</option>
                        <option value="sender">{tr(Key::SenderProfiles)}</option>
                    </select>
                </label>
                <label>
                    <span class="sr-only">{tr(Key::Tags)}</span>
                    <select id="contact-tag-filter"
                        on:change=move |ev| { tag_filter.set(event_target_value(&ev)); refresh(); }>
                        <option value="">{tr(Key::AllTags)}</option>
                        {move || tags.get().into_iter().map(|t| {
                            let selected = tag_filter.get_untracked() == t;
                            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button id="contact-search-go" type="submit">{tr(Key::Search)}</button>
            </form>
            <p class="result bad" hidden=move || list_error.with(Option::is_none)>
                {move || list_error.get().map(|e| call_error(&e, locale.get()))}
            </p>
            <ul id="contacts" class="contact-list" aria-live="polite">
                <For
                    each=move || results.get()
                    key=|c| (c.id.clone(), c.party.clone(), c.tags.clone(), c.is_default)
                    children=move |c| {
                        let id = c.id.clone();
                        let current = id.clone();
                        let where_ = [c.party.city.clone(), c.party.country.clone()]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(", ");
                        let k = c.kind;
                        let default = c.is_default;
                        let tags = c.tags.join(", ");
                        let who = if c.party.name.is_empty() { c.party.company.clone() } else { c.party.name.clone() };
                        view! {
                            <li data-id=id.clone() data-kind=match k { ContactKind::Recipient => "recipient", ContactKind::Sender => "sender" }>
                                <button type="button" class="contact-open"
                                    class:active=move || editing.get().as_deref() == Some(current.as_str())
                                    on:click=move |_| {
                                        // Read it again: the list may be older than the record.
                                        let id = c.id.clone();
                                        spawn_local(async move {
                                            match ipc::get_contact(id).await {
                                                Ok(fresh) => open(fresh),
                                                Err(e) => status.set(Some(Status::Failed(e))),
                                            }
                                        });
                                    }>
                                    <strong class="who">{who}</strong>
                                    <span class="where">{where_}</span>
                                    <span class="badge">{move || kind_label(k, locale.get())}</span>
                                    {default.then(|| view! { <span class="badge default">{tr(Key::Default)}</span> })}
                                    <span class="tags">{tags}</span>
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
            <p class="note" hidden=move || !results.with(Vec::is_empty)>{tr(Key::NoContacts)}</p>
            <p class="row">
                <button id="contact-new" type="button" on:click=move |_| { clear_form(); status.set(None); }>
                    {tr(Key::NewContact)}
                </button>
                <button id="export-contacts" type="button" class="secondary" on:click=move |_| export()>
                    {tr(Key::ExportCsv)}
                </button>
                {move || export_url.get().map(|(url, name)| view! {
                    <span class="note">{tr(Key::ExportReady)}" "
                        <a id="export-contacts-file" href=url download=name.clone()>{name.clone()}</a>
                    </span>
                })}
            </p>
        </section>

        <section class="card" id="contact-form">
            <h2>{move || if editing.get().is_some() { tr(Key::EditContact)() } else { tr(Key::NewContact)() }}</h2>
            <form on:submit=move |ev| { ev.prevent_default(); save(); }>
                <div class="grid">
                    <label>
                        {tr(Key::ContactKindLabel)}
                        <select id="contact-kind" on:change=move |ev| {
                            kind.set(if event_target_value(&ev) == "sender" { ContactKind::Sender } else { ContactKind::Recipient });
                        }>
                            <option value="recipient" selected=move || kind.get() == ContactKind::Recipient>{tr(Key::Recipient)}</option>
                            <option value="sender" selected=move || kind.get() == ContactKind::Sender>{tr(Key::SenderProfile)}</option>
                        </select>
                    </label>
                    <label class="check" hidden=move || kind.get() != ContactKind::Sender>
                        <input id="contact-default" type="checkbox"
                            prop:checked=move || is_default.get()
                            on:change=move |ev| is_default.set(event_target_checked(&ev)) />
                        {tr(Key::DefaultSender)}
                    </label>
                </div>
                <PartyFields id_prefix="contact" form=form problems=problems belongs=belongs />
                <div class="grid">
                    <label>
                        {tr(Key::Tags)}
                        <input id="contact-tags" type="text" autocomplete="off"
                            prop:value=move || tag_text.get()
                            on:input=move |ev| tag_text.set(event_target_value(&ev)) />
                    </label>
                    <label class="wide">
                        {tr(Key::Notes)}
                        <textarea id="contact-notes" rows="2"
                            prop:value=move || notes.get()
                            on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                    </label>
                </div>
                <div id="contact-problems" class="problems" hidden=move || !problems.with(|ps| ps.iter().any(|p| off_form(&p.field)))>
                    <h3>{tr(Key::OtherProblems)}</h3>
                    {move || {
                        let l = locale.get();
                        problems.with(|ps| ps.iter().filter(|p| off_form(&p.field)).map(|p| problem_line(p, l, "field-error")).collect_view())
                    }}
                </div>
                <p class="row">
                    <button id="contact-save" type="submit">{tr(Key::Save)}</button>
                    <button id="contact-delete" type="button" class="danger"
                        disabled=move || editing.get().is_none()
                        on:click=move |_| delete()>
                        {tr(Key::Delete)}
                    </button>
                </p>
                <p id="contact-status" role="status" class="status">
                    {move || status.get().map(|s| {
                        let l = locale.get();
                        match s {
                            Status::Saved => Key::Saved.text(l).to_owned(),
                            Status::Deleted => Key::Deleted.text(l).to_owned(),
                            Status::Invalid => Key::NotSaved.text(l).to_owned(),
                            Status::Failed(e) => call_error(&e, l),
                        }
                    })}
                </p>
            </form>
        </section>

        <ImportWizard on_done=Callback::new(move |()| {
            refresh();
            refresh_tags();
            catalogue_changed.update(|n| *n += 1);
        }) />
        <CataloguePanel refresh=catalogue_changed on_done=Callback::new(move |()| refresh()) />
    }
}
