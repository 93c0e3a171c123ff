//! "EC-Ship": the credentials screen. Where Satchel sends submissions (SOAP and tracking
//! addresses), which account it speaks for, and the API credentials that sign every request.
//!
//! The API key is write-only: the shell says only whether one is stored, so the key never
//! reaches the window again once saved; an empty box keeps the stored key. The screen also
//! says which keychain holds the secrets, and warns plainly when there is none, because then
//! nothing can be submitted. The search type and sort order are asked for here because EC-Ship
//! does not publish them, and without them a lost answer cannot be checked before a retry.

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

use satchel_ipc::{
    CodeRowDto, CodeSource, EcshipSettingsDto, EcshipSettingsView, SaveEcshipSettingsRequest,
};

use crate::components::refusal::{Field, Refusal};
use crate::i18n::{call_error, tr, use_locale, Key};
use crate::ipc::{self, CallError};

/// The identities the request body can carry, as (wire value, label).
const IDENTITIES: [(&str, Key); 3] = [
    ("ecship_username", Key::IdentityUsername),
    ("hkp_id", Key::IdentityHkpId),
    ("both", Key::IdentityBoth),
];

/// EC-Ship's trial and production SOAP bases as public clients use them (domain.md §10.2).
const TRIAL_BASE: &str = "https://service.hongkongpost.hk/API-trial/services";
const PRODUCTION_BASE: &str = "https://service.hongkongpost.hk/API/services";

/// One signal per input; `api_key` is only what was typed now, never the stored key.
#[derive(Debug, Clone, Copy)]
struct Form {
    base_url: RwSignal<String>,
    tracking_base_url: RwSignal<String>,
    ecship_username: RwSignal<String>,
    hkp_id: RwSignal<String>,
    identity: RwSignal<String>,
    integrator_username: RwSignal<String>,
    search_type: RwSignal<String>,
    sort_order: RwSignal<String>,
    ship_codes: RwSignal<BTreeMap<String, String>>,
    non_delivery: RwSignal<BTreeMap<String, String>>,
    speedpost_route: RwSignal<String>,
    soaz_service: RwSignal<String>,
    api_key: RwSignal<String>,
}

impl Form {
    fn new() -> Form {
        Form {
            base_url: RwSignal::new(String::new()),
            tracking_base_url: RwSignal::new(String::new()),
            ecship_username: RwSignal::new(String::new()),
            hkp_id: RwSignal::new(String::new()),
            identity: RwSignal::new(IDENTITIES[0].0.to_owned()),
            integrator_username: RwSignal::new(String::new()),
            search_type: RwSignal::new(String::new()),
            sort_order: RwSignal::new(String::new()),
            ship_codes: RwSignal::new(BTreeMap::new()),
            non_delivery: RwSignal::new(BTreeMap::new()),
            speedpost_route: RwSignal::new("soaz".to_owned()),
            soaz_service: RwSignal::new(String::new()),
            api_key: RwSignal::new(String::new()),
        }
    }

    fn fill(&self, s: EcshipSettingsDto) {
        self.base_url.set(s.base_url);
        self.tracking_base_url.set(s.tracking_base_url);
        self.ecship_username.set(s.ecship_username);
        self.hkp_id.set(s.hkp_id);
        if !s.identity.is_empty() {
            self.identity.set(s.identity);
        }
        self.integrator_username.set(s.integrator_username);
        self.search_type.set(s.search_type);
        self.sort_order.set(s.sort_order);
        self.ship_codes.set(s.ship_codes);
        self.non_delivery.set(s.non_delivery);
        if !s.speedpost_route.is_empty() {
            self.speedpost_route.set(s.speedpost_route);
        }
        self.soaz_service.set(s.soaz_service);
        self.api_key.set(String::new());
    }

    fn request(&self) -> SaveEcshipSettingsRequest {
        let t = |s: RwSignal<String>| s.get_untracked().trim().to_owned();
        let key = self.api_key.get_untracked();
        SaveEcshipSettingsRequest {
            settings: EcshipSettingsDto {
                base_url: t(self.base_url),
                tracking_base_url: t(self.tracking_base_url),
                ecship_username: t(self.ecship_username),
                hkp_id: t(self.hkp_id),
                identity: t(self.identity),
                integrator_username: t(self.integrator_username),
                search_type: t(self.search_type),
                sort_order: t(self.sort_order),
                ship_codes: self.ship_codes.get_untracked(),
                non_delivery: self.non_delivery.get_untracked(),
                speedpost_route: t(self.speedpost_route),
                soaz_service: t(self.soaz_service),
            },
            // An empty box keeps the stored key; a key is never trimmed, it is used as typed.
            api_key: (!key.is_empty()).then_some(key),
        }
    }
}

/// The label of a service family or a non-delivery instruction in the codes table.
fn code_label(row: &CodeRowDto) -> Key {
    match row.key.as_str() {
        "e_express" => Key::FamEExpress,
        "speedpost" => Key::FamSpeedpost,
        "air_registered" => Key::FamAirRegistered,
        "surface_registered" => Key::FamSurfaceRegistered,
        "air_parcel" => Key::FamAirParcel,
        "surface_parcel" => Key::FamSurfaceParcel,
        "imail" => Key::FamImail,
        "local_parcel" => Key::FamLocalParcel,
        "local_courierpost" => Key::FamLocalCourierPost,
        "return_by_air" => Key::ReturnByAir,
        "return_by_surface" => Key::ReturnBySurface,
        _ => Key::Abandon,
    }
}

fn source_label(source: CodeSource) -> Key {
    match source {
        CodeSource::Configured => Key::CodeConfigured,
        CodeSource::PublicClient => Key::CodePublicClient,
        CodeSource::Unverified => Key::CodeUnverified,
        CodeSource::Missing => Key::CodeMissing,
    }
}

/// One row of the codes table: what is in use, where it comes from, and a box to set it.
#[component]
fn CodeRow(row: CodeRowDto, map: RwSignal<BTreeMap<String, String>>) -> impl IntoView {
    let key = row.key.clone();
    let key_in = row.key.clone();
    let id = format!("ecship-code-{}-{}", row.table, row.key);
    let placeholder = row.default.clone();
    view! {
        <tr data-code=row.key.clone() data-source=format!("{:?}", row.source).to_lowercase()>
            <th scope="row"><label for=id.clone()>{tr(code_label(&row))}</label></th>
            <td>
                <input id=id type="text" size="8" spellcheck="false" autocomplete="off"
                    placeholder=placeholder
                    prop:value=move || map.with(|m| m.get(&key).cloned().unwrap_or_default())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        map.update(|m| {
                            if v.trim().is_empty() {
                                m.remove(&key_in);
                            } else {
                                m.insert(key_in.clone(), v);
                            }
                        });
                    } />
            </td>
            <td class="note" class:bad=row.source == CodeSource::Missing>
                {tr(source_label(row.source))}
            </td>
        </tr>
    }
}

/// Every field name the shell can name in a refusal and that has an input here.
const FIELDS: [&str; 9] = [
    "base_url",
    "tracking_base_url",
    "ecship_username",
    "hkp_id",
    "identity",
    "integrator_username",
    "api_key",
    "search_type",
    "sort_order",
];

#[derive(Debug, Clone)]
enum Status {
    Saved,
    Failed(CallError),
}

#[component]
pub fn EcshipPage() -> impl IntoView {
    let locale = use_locale();
    let form = Form::new();
    let view_state = RwSignal::new(None::<EcshipSettingsView>);
    let load_error = RwSignal::new(None::<CallError>);
    let status = RwSignal::new(None::<Status>);
    let saving = RwSignal::new(false);

    spawn_local(async move {
        match ipc::get_ecship_settings().await {
            Ok(v) => {
                form.fill(v.settings.clone());
                view_state.set(Some(v));
            }
            Err(e) => load_error.set(Some(e)),
        }
    });

    let save = move || {
        let request = form.request();
        saving.set(true);
        status.set(None);
        spawn_local(async move {
            match ipc::save_ecship_settings(request).await {
                Ok(v) => {
                    form.fill(v.settings.clone());
                    view_state.set(Some(v));
                    status.set(Some(Status::Saved));
                }
                Err(e) => status.set(Some(Status::Failed(e))),
            }
            saving.set(false);
        });
    };

    // The field a refusal names, when it has an input here; other refusals go to the status.
    let refused_field = move || match status.get() {
        Some(Status::Failed(CallError::Refused(r))) if FIELDS.contains(&r.field.as_str()) => {
            Some(r)
        }
        _ => None,
    };
    let has_key = move || view_state.with(|v| v.as_ref().is_some_and(|v| v.has_api_key));

    view! {
        <section class="card">
            <h1>{tr(Key::EcshipTitle)}</h1>
            <p class="help">{tr(Key::EcshipHelp)}</p>
            <p class="note" hidden=move || view_state.with(Option::is_some) || load_error.with(Option::is_some)>
                {tr(Key::Loading)}
            </p>
            <p class="result bad" id="ecship-load-error" hidden=move || load_error.with(Option::is_none)>
                {move || load_error.get().map(|e| call_error(&e, locale.get()))}
            </p>
            <div id="ecship-keychain-box" hidden=move || view_state.with(Option::is_none)>
                <p class="note" id="ecship-keychain"
                    hidden=move || !view_state.with(|v| v.as_ref().is_some_and(|v| v.keychain_ok))>
                    {tr(Key::EcshipKeychain)}" "
                    <strong>{move || view_state.with(|v| v.as_ref().map(|v| v.keychain.clone()))}</strong>
                </p>
                <p class="result bad" id="ecship-keychain-warning" role="alert"
                    hidden=move || view_state.with(|v| v.as_ref().is_none_or(|v| v.keychain_ok))>
                    {tr(Key::EcshipKeychainBad)}" "
                    {move || view_state.with(|v| v.as_ref().map(|v| v.keychain.clone()))}
                </p>
            </div>
            <form id="ecship-form" on:submit=move |ev| { ev.prevent_default(); save(); }>
                <fieldset>
                    <legend>{tr(Key::EcshipAddresses)}</legend>
                    <div class="grid">
                        <Field id="ecship-base-url" label=Key::EcshipBaseUrl value=form.base_url
                            field="base_url" refused=refused_field kind="url"
                            example="https://service.hongkongpost.hk/API-trial/services" wide=true />
                        <Field id="ecship-tracking-url" label=Key::EcshipTrackingUrl value=form.tracking_base_url
                            field="tracking_base_url" refused=refused_field kind="url" example="https://" wide=true />
                    </div>
                    // The two public hosts (domain.md §10.2); which one is current is unknown,
                    // so they only fill the field and the merchant can still type another.
                    <p class="row">
                        <button id="ecship-preset-trial" type="button" class="secondary"
                            on:click=move |_| form.base_url.set(TRIAL_BASE.into())>
                            {tr(Key::EcshipPresetTrial)}
                        </button>
                        <button id="ecship-preset-production" type="button" class="secondary"
                            on:click=move |_| form.base_url.set(PRODUCTION_BASE.into())>
                            {tr(Key::EcshipPresetProduction)}
                        </button>
                    </p>
                </fieldset>
                <fieldset>
                    <legend>{tr(Key::EcshipAccount)}</legend>
                    <div class="grid">
                        <Field id="ecship-username" label=Key::EcshipUsername value=form.ecship_username
                            field="ecship_username" refused=refused_field />
                        <Field id="ecship-hkp-id" label=Key::EcshipHkpId value=form.hkp_id
                            field="hkp_id" refused=refused_field />
                        <label>
                            {tr(Key::EcshipIdentity)}
                            <select id="ecship-identity"
                                on:change=move |ev| form.identity.set(event_target_value(&ev))>
                                {IDENTITIES.into_iter().map(|(value, label)| view! {
                                    <option value=value prop:selected=move || form.identity.get() == value>
                                        {tr(label)}
                                    </option>
                                }).collect_view()}
                            </select>
                            <Refusal field="identity" refused=refused_field />
                        </label>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{tr(Key::EcshipSecrets)}</legend>
                    <div class="grid">
                        <Field id="ecship-integrator" label=Key::EcshipIntegrator value=form.integrator_username
                            field="integrator_username" refused=refused_field />
                        <label>
                            {tr(Key::EcshipApiKeyLabel)}
                            <input id="ecship-api-key" type="password" autocomplete="new-password"
                                spellcheck="false" aria-describedby="ecship-key-state"
                                prop:value=move || form.api_key.get()
                                on:input=move |ev| form.api_key.set(event_target_value(&ev)) />
                            <span class="note" id="ecship-key-state" data-stored=move || has_key().to_string()>
                                {move || if has_key() { tr(Key::EcshipKeyStored)() } else { tr(Key::EcshipNoKeyStored)() }}
                            </span>
                            <Refusal field="api_key" refused=refused_field />
                        </label>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{tr(Key::EcshipLookup)}</legend>
                    <p class="help">{tr(Key::EcshipLookupHelp)}</p>
                    <div class="grid">
                        <Field id="ecship-search-type" label=Key::EcshipSearchType value=form.search_type
                            field="search_type" refused=refused_field />
                        <Field id="ecship-sort-order" label=Key::EcshipSortOrder value=form.sort_order
                            field="sort_order" refused=refused_field />
                    </div>
                </fieldset>
                <fieldset id="ecship-codes">
                    <legend>{tr(Key::EcshipCodes)}</legend>
                    <p class="help">{tr(Key::EcshipCodesHelp)}</p>
                    <table>
                        <caption>{tr(Key::EcshipShipCodes)}</caption>
                        <tbody>
                            {move || view_state.get().map(|v| v.codes.into_iter()
                                .filter(|r| r.table == "ship_code")
                                .map(|row| view! { <CodeRow row=row map=form.ship_codes /> })
                                .collect_view())}
                        </tbody>
                    </table>
                    <table>
                        <caption>{tr(Key::EcshipNonDeliveryCodes)}</caption>
                        <tbody>
                            {move || view_state.get().map(|v| v.codes.into_iter()
                                .filter(|r| r.table == "non_delivery")
                                .map(|row| view! { <CodeRow row=row map=form.non_delivery /> })
                                .collect_view())}
                        </tbody>
                    </table>
                    <div class="grid">
                        <label>
                            {tr(Key::EcshipSpeedpostRoute)}
                            <select id="ecship-speedpost-route"
                                on:change=move |ev| form.speedpost_route.set(event_target_value(&ev))>
                                <option value="soaz" prop:selected=move || form.speedpost_route.get() == "soaz">
                                    {tr(Key::RouteSoaz)}
                                </option>
                                <option value="posting" prop:selected=move || form.speedpost_route.get() == "posting">
                                    {tr(Key::RoutePosting)}
                                </option>
                            </select>
                        </label>
                        <Field id="ecship-soaz-service" label=Key::EcshipSoazService value=form.soaz_service
                            field="soaz_service" refused=refused_field example="SPGDE" />
                    </div>
                </fieldset>
                <p class="row actions">
                    <button id="ecship-save" type="submit" disabled=move || saving.get()>{tr(Key::Save)}</button>
                </p>
            </form>
            <p id="ecship-status" role="status" class="status"
                class:bad=move || matches!(status.get(), Some(Status::Failed(_)))
                data-field=move || refused_field().map(|r| r.field)>
                {move || status.get().map(|s| {
                    let l = locale.get();
                    match s {
                        Status::Saved => Key::Saved.text(l).to_owned(),
                        // A refusal of a field on screen is shown there; this line says why
                        // nothing was saved.
                        Status::Failed(CallError::Refused(r)) if FIELDS.contains(&r.field.as_str()) => {
                            Key::NotSaved.text(l).to_owned()
                        }
                        Status::Failed(e) => call_error(&e, l),
                    }
                })}
            </p>
        </section>
    }
}
