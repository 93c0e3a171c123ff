//! "Sync": linking this device to the merchant's other devices through a sync hub, what sync
//! is doing, the devices of the account, and the app lock's settings (issue #6).
//!
//! The sync status lives in one signal for the whole app, fed by `get_sync_status` at start and
//! by every `sync-status` event after, so the small indicator in the frame and this screen
//! never disagree. The recovery phrase is the one secret the window ever holds: it is shown
//! once after the account is made, kept only until the merchant confirms they wrote it down,
//! and then dropped.

use leptos::html::Button;
use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{
    CommandError, CreateSyncAccountRequest, DeviceDto, JoinRequest, PairingOfferDto,
    RestoreRequest, SetLockRequest, SyncStatusDto,
};
use web_sys::js_sys;

use crate::app::{use_navigator, Screen};
use crate::components::refusal::{Field, Refusal};
use crate::i18n::{call_error, minutes, sync_run, tr, use_locale, Key};
use crate::ipc::{self, CallError};
use crate::lock::use_app_lock;

/// The app-wide sync status; `None` until the shell has answered.
#[derive(Debug, Clone, Copy)]
pub struct SyncState(pub RwSignal<Option<SyncStatusDto>>);

pub fn use_sync_state() -> RwSignal<Option<SyncStatusDto>> {
    expect_context::<SyncState>().0
}

/// Reads the status once and then follows the shell's `sync-status` events for as long as the
/// app runs: background syncs happen whatever screen is open. Called once, by the frame.
pub fn provide_sync_state() {
    let status = RwSignal::new(None::<SyncStatusDto>);
    provide_context(SyncState(status));
    let subscription = StoredValue::<_, LocalStorage>::new_local(None::<ipc::Subscription>);
    spawn_local(async move {
        // Subscribe first, so an event between the read and the subscription is not lost.
        if let Ok(s) = ipc::on_sync_status(move |s| status.set(Some(s))).await {
            subscription.set_value(Some(s));
        }
        if let Ok(s) = ipc::get_sync_status().await {
            status.set(Some(s));
        }
    });
}

/// Today's date in Hong Kong (UTC+8, no daylight saving), as the shell writes dates.
fn today_hk() -> String {
    let hk = js_sys::Date::new(&(js_sys::Date::now() + 8.0 * 3_600_000.0).into());
    String::from(hk.to_iso_string()).chars().take(10).collect()
}

/// "12:03" for a time today, "03-14 12:03" for an older one, from `YYYY-MM-DD hh:mm:ss`.
fn short_time(at: &str) -> String {
    let (date, time) = at.split_once(' ').unwrap_or((at, ""));
    let hm: String = time.chars().take(5).collect();
    if date == today_hk() || time.is_empty() {
        if hm.is_empty() {
            date.to_owned()
        } else {
            hm
        }
    } else {
        format!("{} {hm}", date.get(5..).unwrap_or(date))
    }
}

/// The frame's small sync indicator; a button to the Sync screen.
#[component]
pub fn SyncIndicator() -> impl IntoView {
    let status = use_sync_state();
    let locale = use_locale();
    let nav = use_navigator();
    // (state for CSS and tests, words)
    let shown = move || {
        let l = locale.get();
        status.with(|s| match s {
            None => ("loading", String::new()),
            Some(s) if s.running => ("running", Key::SyncRunning.text(l).to_owned()),
            // Not a failure: the merchant approves this device on the other one.
            Some(s) if !s.linked && s.awaiting_approval.is_some() => {
                ("waiting", Key::SyncIndicatorWaiting.text(l).to_owned())
            }
            Some(s) if !s.linked => ("off", Key::SyncIndicatorOff.text(l).to_owned()),
            Some(s) if s.last_error.is_some() => {
                ("failed", Key::SyncIndicatorFailed.text(l).to_owned())
            }
            Some(SyncStatusDto {
                last_synced: Some(at),
                ..
            }) => (
                "synced",
                format!("{} {}", Key::SyncIndicatorSynced.text(l), short_time(at)),
            ),
            Some(_) => ("never", Key::SyncIndicatorNever.text(l).to_owned()),
        })
    };
    view! {
        <button id="sync-indicator" type="button" class="sync-indicator"
            data-state=move || shown().0
            hidden=move || status.with(Option::is_none)
            title=move || status.with(|s| s.as_ref().and_then(|s| s.last_synced.clone()))
            aria-label=move || format!("{} ({})", shown().1, Key::SyncIndicatorLabel.text(locale.get()))
            on:click=move |_| nav.screen.set(Screen::Sync)>
            {move || shown().1}
        </button>
    }
}

/// What the screen shows as a whole; a memo so that a status event only updates the numbers,
/// not the forms the merchant is typing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Loading,
    /// The phrase of a new account is waiting to be written down.
    Phrase,
    Linked,
    /// Answered a typed code; the other device has not let this one in yet (issue #18).
    Awaiting,
    Setup,
}

#[component]
pub fn SyncPage() -> impl IntoView {
    let status = use_sync_state();
    let phrase = RwSignal::new(None::<Vec<String>>);
    // Set when the phrase on show replaces an old one (a device was removed, issue #18).
    let phrase_changed = RwSignal::new(false);
    provide_context(NewPhrase {
        phrase,
        phrase_changed,
    });
    let load_error = RwSignal::new(None::<CallError>);
    let locale = use_locale();
    // Fresh numbers whenever the screen opens (the pending count moves with every edit).
    spawn_local(async move {
        match ipc::get_sync_status().await {
            Ok(s) => status.set(Some(s)),
            Err(e) => load_error.set(Some(e)),
        }
    });
    let mode = Memo::new(move |_| {
        if phrase.with(Option::is_some) {
            Mode::Phrase
        } else {
            match status.with(|s| {
                s.as_ref()
                    .map(|s| (s.linked, s.awaiting_approval.is_some()))
            }) {
                None => Mode::Loading,
                Some((true, _)) => Mode::Linked,
                Some((false, true)) => Mode::Awaiting,
                Some((false, false)) => Mode::Setup,
            }
        }
    });
    view! {
        <section class="card" id="sync-page" data-mode=move || match mode.get() {
            Mode::Loading => "loading",
            Mode::Phrase => "phrase",
            Mode::Linked => "linked",
            Mode::Awaiting => "awaiting",
            Mode::Setup => "setup",
        }>
            <h1>{tr(Key::SyncTitle)}</h1>
            <p class="help">{tr(Key::SyncHelp)}</p>
            <p class="note" hidden=move || mode.get() != Mode::Loading || load_error.with(Option::is_some)>
                {tr(Key::Loading)}
            </p>
            <p class="result bad" id="sync-load-error" hidden=move || load_error.with(Option::is_none)>
                {move || load_error.get().map(|e| call_error(&e, locale.get()))}
            </p>
            {move || match mode.get() {
                Mode::Loading => ().into_any(),
                Mode::Phrase => view! { <PhraseBox phrase phrase_changed /> }.into_any(),
                Mode::Linked => view! { <Linked /> }.into_any(),
                Mode::Awaiting => view! { <Awaiting /> }.into_any(),
                Mode::Setup => view! { <Setup phrase /> }.into_any(),
            }}
        </section>
        <LockCard />
    }
}

/// The refusal of a request, if the shell refused one.
fn refusal(e: RwSignal<Option<CallError>>) -> Option<CommandError> {
    match e.get() {
        Some(CallError::Refused(r)) => Some(r),
        _ => None,
    }
}

/// Which of the three ways in the merchant last tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Create,
    Join,
    Restore,
}

/// The fields each way's form has an input for (the hub address is shared).
fn on_form(way: Way, field: &str) -> bool {
    match way {
        Way::Create => field == "device_label",
        Way::Join => field == "code",
        Way::Restore => field == "phrase" || field == "device_label",
    }
}

/// Not linked: one hub address, then create an account, link to a device, or restore.
#[component]
fn Setup(phrase: RwSignal<Option<Vec<String>>>) -> impl IntoView {
    let status = use_sync_state();
    let locale = use_locale();
    let hub = RwSignal::new(status.with_untracked(|s| {
        s.as_ref()
            .and_then(|s| s.hub_url.clone())
            .unwrap_or_default()
    }));
    let device = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let words = RwSignal::new(String::new());
    let restore_device = RwSignal::new(String::new());
    let tried = RwSignal::new(None::<Way>);
    let error = RwSignal::new(None::<CallError>);
    let busy = RwSignal::new(false);

    let hub_refused = move || refusal(error).filter(|r| r.field == "hub_url");
    let refused_on = move |way: Way| {
        move || {
            if tried.get() == Some(way) {
                refusal(error).filter(|r| on_form(way, &r.field))
            } else {
                None
            }
        }
    };
    let start = move |way: Way| {
        busy.set(true);
        tried.set(Some(way));
        error.set(None);
        let hub_url = hub.get_untracked().trim().to_owned();
        spawn_local(async move {
            let answer = match way {
                Way::Create => ipc::create_sync_account(CreateSyncAccountRequest {
                    hub_url,
                    device_label: device.get_untracked().trim().to_owned(),
                })
                .await
                .map(|created| {
                    phrase.set(Some(
                        created
                            .recovery_phrase
                            .split_whitespace()
                            .map(str::to_owned)
                            .collect(),
                    ));
                    created.status
                }),
                Way::Join => {
                    ipc::join_with_code(JoinRequest {
                        hub_url,
                        code: code.get_untracked().trim().to_uppercase(),
                    })
                    .await
                }
                Way::Restore => {
                    // Words as the merchant typed them, one space apart, in lower case.
                    let typed = words.get_untracked();
                    let normal = typed
                        .split_whitespace()
                        .map(str::to_lowercase)
                        .collect::<Vec<_>>()
                        .join(" ");
                    ipc::restore_with_phrase(RestoreRequest {
                        hub_url,
                        phrase: normal,
                        device_label: restore_device.get_untracked().trim().to_owned(),
                    })
                    .await
                    .inspect(|_| words.set(String::new()))
                }
            };
            match answer {
                Ok(s) => status.set(Some(s)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    // A refusal with no input here (or a failed call) is said under the forms.
    let general_error = move || {
        let way = tried.get()?;
        let e = error.get()?;
        match &e {
            CallError::Refused(r) if r.field == "hub_url" || on_form(way, &r.field) => None,
            _ => Some(call_error(&e, locale.get())),
        }
    };

    view! {
        <div id="sync-setup">
            <div class="grid">
                <Field id="sync-hub-url" label=Key::SyncHubUrl value=hub field="hub_url"
                    refused=hub_refused kind="url" wide=true />
            </div>
            <form id="sync-create-form" class="sync-way" on:submit=move |ev| { ev.prevent_default(); start(Way::Create); }>
                <fieldset>
                    <legend>{tr(Key::SyncCreateTitle)}</legend>
                    <p class="help">{tr(Key::SyncCreateHelp)}</p>
                    <div class="grid">
                        <Field id="sync-create-device" label=Key::SyncDeviceName value=device
                            field="device_label" refused=refused_on(Way::Create)
                            placeholder=Key::SyncDeviceNamePlaceholder />
                    </div>
                    <p class="row actions">
                        <button id="sync-create" type="submit" disabled=move || busy.get()>{tr(Key::SyncCreate)}</button>
                    </p>
                </fieldset>
            </form>
            <form id="sync-join-form" class="sync-way" on:submit=move |ev| { ev.prevent_default(); start(Way::Join); }>
                <fieldset>
                    <legend>{tr(Key::SyncJoinTitle)}</legend>
                    <p class="help">{tr(Key::SyncJoinHelp)}</p>
                    <div class="grid">
                        <Field id="sync-join-code" label=Key::SyncCode value=code
                            field="code" refused=refused_on(Way::Join) />
                    </div>
                    <p class="row actions">
                        <button id="sync-join" type="submit" disabled=move || busy.get()>{tr(Key::SyncJoin)}</button>
                    </p>
                </fieldset>
            </form>
            <form id="sync-restore-form" class="sync-way" on:submit=move |ev| { ev.prevent_default(); start(Way::Restore); }>
                <fieldset>
                    <legend>{tr(Key::SyncRestoreTitle)}</legend>
                    <p class="help">{tr(Key::SyncRestoreHelp)}</p>
                    <div class="grid">
                        <label class="wide">
                            {tr(Key::SyncPhrase)}
                            // Like a password: the words are the account's key.
                            <textarea id="sync-restore-phrase" rows="3" autocomplete="off" spellcheck="false"
                                autocapitalize="none"
                                aria-invalid=move || refused_on(Way::Restore)().is_some_and(|r| r.field == "phrase").then_some("true")
                                prop:value=move || words.get()
                                on:input=move |ev| words.set(event_target_value(&ev))></textarea>
                            <Refusal field="phrase" refused=refused_on(Way::Restore) />
                        </label>
                        <Field id="sync-restore-device" label=Key::SyncDeviceName value=restore_device
                            field="device_label" refused=refused_on(Way::Restore)
                            placeholder=Key::SyncDeviceNamePlaceholder />
                    </div>
                    <p class="row actions">
                        <button id="sync-restore" type="submit" disabled=move || busy.get()>{tr(Key::SyncRestore)}</button>
                    </p>
                </fieldset>
            </form>
            <p id="sync-setup-status" role="status" class="status bad">{general_error}</p>
        </div>
    }
}

/// The account's devices, shared by the list and the pairing panel: while a code is shown the
/// list is read again every few seconds, so a device asking to join with it appears where the
/// merchant is looking (issue #18).
#[derive(Clone, Copy)]
struct DeviceList {
    devices: RwSignal<Option<Vec<DeviceDto>>>,
    waiting_for_join: RwSignal<bool>,
}

/// How often the list is read again while a pairing code is shown.
const JOIN_POLL: std::time::Duration = std::time::Duration::from_secs(3);

/// Where a screen below the page puts a phrase to show (the devices list, after a removal).
#[derive(Clone, Copy)]
struct NewPhrase {
    phrase: RwSignal<Option<Vec<String>>>,
    phrase_changed: RwSignal<bool>,
}

/// The recovery phrase of the account just made (or made new by a removal), until the
/// merchant says it is written down.
#[component]
fn PhraseBox(
    phrase: RwSignal<Option<Vec<String>>>,
    phrase_changed: RwSignal<bool>,
) -> impl IntoView {
    let written = RwSignal::new(false);
    view! {
        <div id="sync-phrase" class="phrase-box" role="region" aria-labelledby="sync-phrase-title">
            <h2 id="sync-phrase-title">{tr(Key::SyncPhraseTitle)}</h2>
            <p id="sync-phrase-changed" class="phrase-warning" hidden=move || !phrase_changed.get()>
                {tr(Key::SyncPhraseChanged)}
            </p>
            <p class="phrase-warning">{tr(Key::SyncPhraseHelp)}</p>
            <ol id="sync-phrase-words" class="phrase-words">
                {move || phrase.get().unwrap_or_default().into_iter().map(|w| view! {
                    <li class="phrase-word">{w}</li>
                }).collect_view()}
            </ol>
            <label class="check">
                <input id="sync-phrase-confirm" type="checkbox"
                    prop:checked=move || written.get()
                    on:change=move |ev| written.set(event_target_checked(&ev)) />
                {tr(Key::SyncPhraseConfirm)}
            </label>
            <p class="row actions">
                // Forgetting the words is the point: they are never shown again.
                <button id="sync-phrase-done" type="button" disabled=move || !written.get()
                    on:click=move |_| { phrase.set(None); phrase_changed.set(false); }>
                    {tr(Key::SyncPhraseDone)}
                </button>
            </p>
        </div>
    }
}

/// Linked: the status, "Sync now", the history, pairing, devices and unlinking.
#[component]
fn Linked() -> impl IntoView {
    let status = use_sync_state();
    let locale = use_locale();
    let asking = RwSignal::new(false);
    let now_error = RwSignal::new(None::<CallError>);
    let field = move |f: fn(&SyncStatusDto) -> Option<String>| {
        move || status.with(|s| s.as_ref().and_then(f))
    };
    let running = move || asking.get() || status.with(|s| s.as_ref().is_some_and(|s| s.running));
    let sync_now = move || {
        asking.set(true);
        now_error.set(None);
        spawn_local(async move {
            match ipc::sync_now().await {
                Ok(s) => status.set(Some(s)),
                Err(e) => now_error.set(Some(e)),
            }
            asking.set(false);
        });
    };
    let last_error = move || status.with(|s| s.as_ref().and_then(|s| s.last_error.clone()));
    provide_context(DeviceList {
        devices: RwSignal::new(None),
        waiting_for_join: RwSignal::new(false),
    });
    // A removal moved the account to a new key, and with it the phrase (issue #18).
    let NewPhrase {
        phrase,
        phrase_changed,
    } = expect_context::<NewPhrase>();
    let phrase_error = RwSignal::new(None::<CallError>);
    let show_phrase = move || {
        phrase_error.set(None);
        spawn_local(async move {
            match ipc::show_recovery_phrase().await {
                Ok(p) => {
                    phrase_changed.set(true);
                    phrase.set(Some(
                        p.phrase.split_whitespace().map(str::to_owned).collect(),
                    ));
                    if let Some(mut s) = status.get_untracked() {
                        s.phrase_changed = false;
                        status.set(Some(s));
                    }
                }
                Err(e) => phrase_error.set(Some(e)),
            }
        });
    };

    view! {
        <div id="sync-linked">
            <div id="sync-phrase-notice" class="notice" role="status"
                hidden=move || !status.with(|s| s.as_ref().is_some_and(|s| s.phrase_changed))>
                <p>{tr(Key::SyncPhraseChanged)}</p>
                <p class="row actions">
                    <button id="sync-phrase-show" type="button" on:click=move |_| show_phrase()>
                        {tr(Key::SyncPhraseShow)}
                    </button>
                </p>
                <p class="status bad">{move || phrase_error.get().map(|e| call_error(&e, locale.get()))}</p>
            </div>
            <h2>{tr(Key::SyncStatusTitle)}</h2>
            <dl id="sync-state" class="sync-state" aria-live="polite">
                <dt>{tr(Key::SyncHub)}</dt>
                <dd id="sync-hub">{field(|s| s.hub_url.clone())}</dd>
                <dt>{tr(Key::SyncLast)}</dt>
                <dd id="sync-last" data-never=move || status.with(|s| s.as_ref().is_none_or(|s| s.last_synced.is_none())).to_string()>
                    {move || field(|s| s.last_synced.clone())().unwrap_or_else(|| Key::SyncNever.text(locale.get()).to_owned())}
                </dd>
                <dt>{tr(Key::SyncPending)}</dt>
                <dd id="sync-pending">{move || status.with(|s| s.as_ref().map(|s| s.pending).unwrap_or(0))}</dd>
                <dt hidden=move || last_error().is_none()>{tr(Key::SyncLastError)}</dt>
                <dd id="sync-last-error" class="bad" hidden=move || last_error().is_none()>{last_error}</dd>
            </dl>
            <p class="row actions">
                <button id="sync-now" type="button" disabled=running on:click=move |_| sync_now()>
                    {tr(Key::SyncNow)}
                </button>
                <span id="sync-running" class="sync-running" role="status" hidden=move || !running()>
                    {tr(Key::SyncRunning)}
                    " "
                    <span id="sync-progress">
                        {move || status.with(|s| {
                            s.as_ref()
                                .and_then(|s| s.progress.as_ref())
                                .map(|p| sync_run(p, locale.get()))
                        })}
                    </span>
                </span>
            </p>
            <p id="sync-now-error" class="result bad" hidden=move || now_error.with(Option::is_none)>
                {move || now_error.get().map(|e| call_error(&e, locale.get()))}
            </p>
            <h2>{tr(Key::SyncHistory)}</h2>
            <p class="note" hidden=move || status.with(|s| s.as_ref().is_some_and(|s| !s.history.is_empty()))>
                {tr(Key::SyncNoHistory)}
            </p>
            // Newest first, as the shell sends it.
            <ol id="sync-history" class="sync-history">
                {move || {
                    let l = locale.get();
                    status.with(|s| s.as_ref().map(|s| s.history.clone()).unwrap_or_default())
                        .into_iter()
                        .map(|run| {
                            let ok = run.error.is_none();
                            view! {
                                <li class="sync-run" class:bad=!ok data-ok=ok.to_string()>
                                    <span class="when">{run.at.clone()}</span>
                                    <span class="what">{sync_run(&run, l)}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
            <Offer />
            <Devices />
            <Unlink />
        </div>
    }
}

/// Answered a typed code (issue #18): this device is not in until the merchant approves it on
/// the device that showed the code, having seen the same fingerprint on both screens. The
/// background sync looks for the approval every few seconds and the screen turns to "linked"
/// by itself; the merchant can also ask at once, or give up and start again.
#[component]
fn Awaiting() -> impl IntoView {
    let status = use_sync_state();
    let locale = use_locale();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<CallError>);
    let act = move |give_up: bool| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = if give_up {
                ipc::unlink_device().await
            } else {
                ipc::sync_now().await
            };
            match answer {
                Ok(s) => status.set(Some(s)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <div id="sync-awaiting" class="notice" role="status">
            <p>{tr(Key::SyncAwaiting)}</p>
            <p id="sync-awaiting-fingerprint" class="pairing-code">
                {move || status.with(|s| s.as_ref().and_then(|s| s.awaiting_approval.clone()))}
            </p>
            <p class="help">{tr(Key::SyncAwaitingHelp)}</p>
            <p class="row actions">
                <button id="sync-awaiting-check" type="button" disabled=move || busy.get()
                    on:click=move |_| act(false)>
                    {tr(Key::SyncAwaitingCheck)}
                </button>
                <button id="sync-awaiting-cancel" type="button" class="secondary"
                    disabled=move || busy.get() on:click=move |_| act(true)>
                    {tr(Key::SyncAwaitingCancel)}
                </button>
            </p>
            <p id="sync-awaiting-error" class="status bad">
                {move || error.get().map(|e| call_error(&e, locale.get()))}
            </p>
        </div>
    }
}

/// "Link another device": a one-time code, big, and the same as a QR code.
#[component]
fn Offer() -> impl IntoView {
    let locale = use_locale();
    let name = RwSignal::new(String::new());
    let offer = RwSignal::new(None::<PairingOfferDto>);
    let error = RwSignal::new(None::<CallError>);
    let busy = RwSignal::new(false);
    let list = expect_context::<DeviceList>();
    let refused = move || refusal(error).filter(|r| r.field == "device_label");
    let ask = move || {
        busy.set(true);
        error.set(None);
        offer.set(None);
        let label = name.get_untracked().trim().to_owned();
        spawn_local(async move {
            match ipc::offer_pairing(label).await {
                Ok(o) => {
                    offer.set(Some(o));
                    list.waiting_for_join.set(true);
                    // A code works ten minutes; no device can ask with it after that.
                    set_timeout(
                        move || list.waiting_for_join.set(false),
                        std::time::Duration::from_secs(600),
                    );
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let approve = move |id: String, fingerprint: String| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match ipc::approve_device(id, fingerprint).await {
                Ok(d) => {
                    list.devices.set(Some(d));
                    list.waiting_for_join.set(false);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    // The device that took the code and asks to join, once it has (and not yet approved).
    let asking = move || {
        list.devices.with(|l| {
            l.as_ref()?
                .iter()
                .find(|d| d.join_fingerprint.is_some() && !d.join_approved)
                .map(|d| (d.id.clone(), d.join_fingerprint.clone().unwrap_or_default()))
        })
    };
    view! {
        <form id="sync-offer-form" on:submit=move |ev| { ev.prevent_default(); ask(); }>
            <fieldset>
                <legend>{tr(Key::SyncOfferTitle)}</legend>
                <p class="help">{tr(Key::SyncOfferHelp)}</p>
                <div class="grid">
                    <Field id="sync-offer-device" label=Key::SyncNewDeviceName value=name
                        field="device_label" refused placeholder=Key::SyncNewDevicePlaceholder />
                </div>
                <p class="row actions">
                    <button id="sync-offer" type="submit" disabled=move || busy.get()>{tr(Key::SyncOffer)}</button>
                </p>
                <p id="sync-offer-error" class="status bad">
                    {move || match error.get() {
                        Some(CallError::Refused(r)) if r.field == "device_label" => None,
                        Some(e) => Some(call_error(&e, locale.get())),
                        None => None,
                    }}
                </p>
                {move || offer.get().map(|o| view! {
                    <div id="sync-offer-result" class="pairing">
                        <p id="sync-offer-code" class="pairing-code" aria-label=move || Key::SyncCode.text(locale.get())>{o.code.clone()}</p>
                        // The QR code is drawn by the shell from the same code; it is our own markup.
                        <div id="sync-offer-qr" class="pairing-qr" role="img"
                            aria-label=move || Key::SyncQr.text(locale.get()) inner_html=o.qr_svg.clone()></div>
                        <p class="note">{tr(Key::SyncExpires)}" "<span id="sync-offer-expires">{o.expires.clone()}</span></p>
                    </div>
                })}
                {move || asking().map(|(id, fp)| view! {
                    <div id="sync-offer-asking" class="notice" role="status">
                        <p>{tr(Key::SyncAsksToJoin)}" "<strong class="pairing-code">{fp.clone()}</strong></p>
                        <p class="row actions">
                            <button id="sync-offer-approve" type="button" disabled=move || busy.get()
                                on:click=move |_| approve(id.clone(), fp.clone())>
                                {tr(Key::SyncApprove)}
                            </button>
                        </p>
                    </div>
                })}
            </fieldset>
        </form>
    }
}

/// Moves the keyboard focus to a button that is about to be shown: the second click of a
/// two-click action, or back to the first when it is cancelled, so keyboard users are not
/// dropped at the top of the page when the button they were on hides.
fn focus_after_render(button: NodeRef<Button>) {
    // A task, not a microtask: the button's `hidden` is updated by the reactive system first.
    set_timeout(
        move || {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        },
        std::time::Duration::ZERO,
    );
}

/// The account's devices; every other device can be revoked, after a second click.
#[component]
fn Devices() -> impl IntoView {
    let locale = use_locale();
    let list = expect_context::<DeviceList>();
    let devices = list.devices;
    let error = RwSignal::new(None::<CallError>);
    let confirming = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let pending = RwSignal::new(None::<String>);
    let NewPhrase {
        phrase,
        phrase_changed,
    } = expect_context::<NewPhrase>();
    let load = move || {
        spawn_local(async move {
            match ipc::list_devices().await {
                Ok(d) => devices.set(Some(d)),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    load();
    let poll = set_interval_with_handle(
        move || {
            if list.waiting_for_join.get_untracked() {
                load();
            }
        },
        JOIN_POLL,
    )
    .ok();
    on_cleanup(move || {
        if let Some(p) = poll {
            p.clear();
        }
    });
    let approve = move |id: String, fingerprint: String| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match ipc::approve_device(id, fingerprint).await {
                Ok(d) => {
                    devices.set(Some(d));
                    list.waiting_for_join.set(false);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let revoke = move |id: String| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match ipc::revoke_device(id).await {
                Ok(r) => {
                    devices.set(Some(r.devices));
                    pending.set(r.pending_until);
                    if let Some(words) = r.new_recovery_phrase {
                        phrase_changed.set(true);
                        phrase.set(Some(words.split_whitespace().map(str::to_owned).collect()));
                    }
                }
                Err(e) => error.set(Some(e)),
            }
            confirming.set(None);
            busy.set(false);
        });
    };
    view! {
        <fieldset id="sync-devices-box">
            <legend>{tr(Key::SyncDevicesTitle)}</legend>
            <p class="note" hidden=move || devices.with(Option::is_some) || error.with(Option::is_some)>
                {tr(Key::Loading)}
            </p>
            <ul id="sync-devices" class="device-list">
                {move || devices.get().unwrap_or_default().into_iter().map(|d| {
                    let id = d.id.clone();
                    let asking = {
                        let id = id.clone();
                        move || confirming.get().as_deref() == Some(id.as_str())
                    };
                    let asking2 = asking.clone();
                    let (first, second) = (id.clone(), id.clone());
                    let (revoke_ref, confirm_ref) = (NodeRef::<Button>::new(), NodeRef::<Button>::new());
                    view! {
                        <li class="device" data-id=id.clone() data-current=d.current.to_string()
                            data-revoked=d.revoked.to_string() class:revoked=d.revoked>
                            <span class="device-name">{d.label.clone()}</span>
                            {d.current.then(|| view! { <span class="badge default">{tr(Key::SyncThisDevice)}</span> })}
                            {d.revoked.then(|| view! { <span class="badge">{tr(Key::SyncRevoked)}</span> })}
                            <span class="device-added">{tr(Key::SyncAdded)}" "{d.created.clone()}</span>
                            {d.join_fingerprint.clone().map(|fp| {
                                let id = id.clone();
                                let approved = d.join_approved;
                                view! {
                                    <span class="device-join badge warn" data-approved=approved.to_string()>
                                        {tr(Key::SyncAsksToJoin)}" "<span class="device-fingerprint">{fp.clone()}</span>
                                    </span>
                                    {approved.then(|| view! { <span class="device-approved note">{tr(Key::SyncApproved)}</span> })}
                                    <button type="button" class="device-approve" disabled=move || busy.get()
                                        on:click=move |_| approve(id.clone(), fp.clone())>
                                        {tr(Key::SyncApprove)}
                                    </button>
                                }
                            })}
                            {d.removal_at.clone().map(|at| view! {
                                <span class="device-removal badge warn">
                                    {tr(Key::SyncRemovalAsked)}" "{d.removal_asked_by.clone().unwrap_or_default()}
                                    " · "{at}
                                </span>
                            })}
                            {(!d.current && !d.revoked).then(|| view! {
                                <span class="row-buttons">
                                    <button type="button" class="danger device-revoke" node_ref=revoke_ref
                                        hidden=asking.clone()
                                        on:click=move |_| {
                                            confirming.set(Some(first.clone()));
                                            focus_after_render(confirm_ref);
                                        }>
                                        {tr(Key::SyncRevoke)}
                                    </button>
                                    <button type="button" class="danger device-revoke-confirm" node_ref=confirm_ref
                                        hidden=move || !asking2() disabled=move || busy.get()
                                        on:click=move |_| revoke(second.clone())>
                                        {tr(Key::SyncRevokeConfirm)}
                                    </button>
                                    <button type="button" class="secondary device-revoke-cancel"
                                        hidden=move || !asking()
                                        on:click=move |_| {
                                            confirming.set(None);
                                            focus_after_render(revoke_ref);
                                        }>
                                        {tr(Key::Cancel)}
                                    </button>
                                </span>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p id="sync-devices-pending" class="status" hidden=move || pending.with(Option::is_none)>
                {tr(Key::SyncRemovalPending)}" "{move || pending.get().unwrap_or_default()}
            </p>
            <p id="sync-devices-error" class="status bad">
                {move || error.get().map(|e| call_error(&e, locale.get()))}
            </p>
        </fieldset>
    }
}

/// "Unlink this device", after a second click.
#[component]
fn Unlink() -> impl IntoView {
    let status = use_sync_state();
    let locale = use_locale();
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<CallError>);
    let (unlink_ref, confirm_ref) = (NodeRef::<Button>::new(), NodeRef::<Button>::new());
    let unlink = move || {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match ipc::unlink_device().await {
                Ok(s) => status.set(Some(s)),
                Err(e) => error.set(Some(e)),
            }
            asking.set(false);
            busy.set(false);
        });
    };
    view! {
        <fieldset id="sync-unlink-box">
            <legend>{tr(Key::SyncUnlinkTitle)}</legend>
            <p class="help">{tr(Key::SyncUnlinkHelp)}</p>
            <p class="row">
                <button id="sync-unlink" type="button" class="danger" node_ref=unlink_ref
                    hidden=move || asking.get()
                    on:click=move |_| { asking.set(true); focus_after_render(confirm_ref); }>
                    {tr(Key::SyncUnlink)}
                </button>
                <button id="sync-unlink-confirm" type="button" class="danger" node_ref=confirm_ref
                    hidden=move || !asking.get() disabled=move || busy.get()
                    on:click=move |_| unlink()>
                    {tr(Key::SyncUnlinkConfirm)}
                </button>
                <button id="sync-unlink-cancel" type="button" class="secondary"
                    hidden=move || !asking.get()
                    on:click=move |_| { asking.set(false); focus_after_render(unlink_ref); }>
                    {tr(Key::Cancel)}
                </button>
            </p>
            <p id="sync-unlink-error" class="status bad">
                {move || error.get().map(|e| call_error(&e, locale.get()))}
            </p>
        </fieldset>
    }
}

/// The idle times offered, in minutes; 0 turns the lock off.
const IDLE_CHOICES: [u32; 5] = [0, 1, 5, 15, 30];

#[derive(Debug, Clone)]
enum LockStatus {
    Saved,
    Failed(CallError),
}

/// The app lock's settings: idle minutes and the PIN (write-only, like the EC-Ship key).
#[component]
fn LockCard() -> impl IntoView {
    let lock = use_app_lock();
    let locale = use_locale();
    let idle = RwSignal::new(0_u32);
    let pin = RwSignal::new(String::new());
    let status = RwSignal::new(None::<LockStatus>);
    let busy = RwSignal::new(false);
    // The settings may arrive after the card is shown, and change when saved.
    Effect::new(move |_| {
        if let Some(s) = lock.settings.get() {
            idle.set(s.idle_minutes);
        }
    });
    let refused = move || match status.get() {
        Some(LockStatus::Failed(CallError::Refused(r))) => Some(r),
        _ => None,
    };
    let save = move || {
        busy.set(true);
        status.set(None);
        let typed = pin.get_untracked();
        let request = SetLockRequest {
            idle_minutes: idle.get_untracked(),
            // An empty box keeps the PIN; a PIN is used exactly as typed.
            pin: (!typed.is_empty()).then_some(typed),
        };
        spawn_local(async move {
            match ipc::set_lock(request).await {
                Ok(s) => {
                    lock.settings.set(Some(s));
                    // The idle time counts from the save, not from the last click before it.
                    lock.touch();
                    pin.set(String::new());
                    status.set(Some(LockStatus::Saved));
                }
                Err(e) => status.set(Some(LockStatus::Failed(e))),
            }
            busy.set(false);
        });
    };
    let has_pin = move || lock.has_pin();
    view! {
        <section class="card" id="lock-settings">
            <h2>{tr(Key::LockTitle)}</h2>
            <p class="help">{tr(Key::LockHelp)}</p>
            <form id="lock-form" on:submit=move |ev| { ev.prevent_default(); save(); }>
                <div class="grid">
                    <label>
                        {tr(Key::LockAfter)}
                        <select id="lock-idle"
                            on:change=move |ev| idle.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {IDLE_CHOICES.into_iter().map(|n| view! {
                                <option value=n.to_string() prop:selected=move || idle.get() == n>
                                    {move || if n == 0 {
                                        Key::LockOff.text(locale.get()).to_owned()
                                    } else {
                                        minutes(n, locale.get())
                                    }}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        {tr(Key::LockPinNew)}
                        <input id="lock-pin-new" type="password" inputmode="numeric" maxlength="8"
                            autocomplete="new-password" spellcheck="false" aria-describedby="lock-pin-state"
                            aria-invalid=move || refused().is_some_and(|r| r.field == "pin").then_some("true")
                            prop:value=move || pin.get()
                            on:input=move |ev| pin.set(event_target_value(&ev)) />
                        <span class="note" id="lock-pin-state" data-set=move || has_pin().to_string()>
                            {move || if has_pin() { tr(Key::LockPinSet)() } else { tr(Key::LockNoPin)() }}
                        </span>
                        <Refusal field="pin" refused />
                    </label>
                </div>
                <p class="row actions">
                    <button id="lock-save" type="submit" disabled=move || busy.get()>{tr(Key::Save)}</button>
                </p>
            </form>
            <p id="lock-status" role="status" class="status"
                class:bad=move || matches!(status.get(), Some(LockStatus::Failed(_)))>
                {move || status.get().map(|s| {
                    let l = locale.get();
                    match s {
                        LockStatus::Saved => Key::Saved.text(l).to_owned(),
                        LockStatus::Failed(CallError::Refused(r)) if r.field == "pin" => {
                            Key::NotSaved.text(l).to_owned()
                        }
                        LockStatus::Failed(e) => call_error(&e, l),
                    }
                })}
            </p>
        </section>
    }
}
