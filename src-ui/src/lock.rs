//! The app lock (issue #6; seed 002 asks users to log out when they step away): after the
//! chosen minutes without a key press, click, pointer move or touch, the whole window is
//! replaced by a PIN prompt.
//!
//! Replaced, not covered: while locked the frame renders nothing but the prompt, so the
//! address book is neither on screen nor in the DOM for a screen reader or an inspector to
//! read. The price is that a form left half-typed is gone after unlocking; the screen itself
//! comes back. The PIN is checked by the shell against the keychain and never kept here.
//!
//! The window is not what keeps the data shut: the shell is (issue #18). Locking here tells the
//! shell (`lock_app`), which then refuses every command but the lock's own; the shell also
//! decides whether the app starts locked, and any command it refuses as locked brings the
//! prompt up here.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::LockSettingsDto;
use web_sys::js_sys;

use crate::i18n::{call_error, tr, use_locale, Key, Locale};
use crate::ipc;

/// How often the idle time is compared with the setting; a lock may come this much late.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// The lock's state, shared by the frame (timer, prompt) and the settings card.
#[derive(Debug, Clone, Copy)]
pub struct AppLock {
    /// `None` until the shell has answered (or if it could not).
    pub settings: RwSignal<Option<LockSettingsDto>>,
    pub locked: RwSignal<bool>,
    /// When the user last did something, in milliseconds since the epoch.
    last_activity: StoredValue<f64>,
}

impl AppLock {
    /// Counts from now, as if the user had just done something.
    pub fn touch(&self) {
        self.last_activity.set_value(js_sys::Date::now());
    }

    /// A PIN exists, so locking can be undone.
    pub fn has_pin(&self) -> bool {
        self.settings
            .with(|s| s.as_ref().is_some_and(|s| s.has_pin))
    }

    /// Locks at once ("Lock now", or the idle time has passed); without a PIN there would be
    /// no way back, so it does not. The screen goes at once; the shell is told next, and
    /// its answer is the truth.
    pub fn lock_now(&self) {
        if self.has_pin() {
            self.locked.set(true);
            let lock = *self;
            spawn_local(async move {
                if let Ok(s) = ipc::lock_app().await {
                    lock.locked.set(s.locked);
                    lock.settings.set(Some(s));
                }
            });
        }
    }

    fn idle_limit_ms(&self) -> Option<f64> {
        self.settings.with_untracked(|s| {
            s.as_ref()
                .filter(|s| s.has_pin && s.idle_minutes > 0)
                .map(|s| f64::from(s.idle_minutes) * 60_000.0)
        })
    }
}

pub fn use_app_lock() -> AppLock {
    expect_context::<AppLock>()
}

/// Creates the lock for the app's lifetime: reads the settings, watches for activity and
/// locks when the idle time has passed. Called once, by the frame.
pub fn provide_app_lock() -> AppLock {
    let lock = AppLock {
        settings: RwSignal::new(None),
        locked: RwSignal::new(false),
        last_activity: StoredValue::new(js_sys::Date::now()),
    };
    provide_context(lock);

    ipc::on_locked(move || lock.locked.set(true));
    spawn_local(async move {
        // The shell decides whether the app starts locked; if it cannot be asked, the screen
        // stays open but the shell still refuses what a locked app must not answer.
        if let Ok(s) = ipc::get_lock_settings().await {
            let locked = s.locked;
            lock.settings.set(Some(s));
            lock.touch();
            lock.locked.set(locked);
        }
    });

    let handles = [
        window_event_listener(leptos::ev::keydown, move |_| lock.touch()),
        window_event_listener(leptos::ev::pointerdown, move |_| lock.touch()),
        window_event_listener(leptos::ev::mousemove, move |_| lock.touch()),
        window_event_listener(leptos::ev::touchstart, move |_| lock.touch()),
    ];
    let timer = set_interval_with_handle(
        move || {
            if lock.locked.get_untracked() {
                return;
            }
            if let Some(limit) = lock.idle_limit_ms() {
                if js_sys::Date::now() - lock.last_activity.get_value() >= limit {
                    lock.lock_now();
                }
            }
        },
        CHECK_EVERY,
    )
    .ok();
    on_cleanup(move || {
        for h in handles {
            h.remove();
        }
        if let Some(t) = timer {
            t.clear();
        }
    });
    lock
}

/// The whole window while locked: the PIN prompt and the language switch, nothing else.
#[component]
pub fn LockScreen() -> impl IntoView {
    let lock = use_app_lock();
    let locale = use_locale();
    let pin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ipc::CallError>);
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    // The prompt is the only thing on screen, so typing goes straight into it.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });

    let unlock = move || {
        let typed = pin.get_untracked();
        busy.set(true);
        spawn_local(async move {
            match ipc::unlock(typed).await {
                Ok(s) => {
                    lock.settings.set(Some(s));
                    lock.touch();
                    error.set(None);
                    lock.locked.set(false);
                }
                Err(e) => {
                    error.set(Some(e));
                    pin.set(String::new());
                    if let Some(el) = input.get_untracked() {
                        let _ = el.focus();
                    }
                }
            }
            busy.set(false);
        });
    };

    view! {
        <div id="lock-screen" class="lock-screen" role="dialog" aria-modal="true" aria-labelledby="lock-title">
            <form class="card lock-card" on:submit=move |ev| { ev.prevent_default(); unlock(); }>
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    <span class="name">"Satchel"</span>
                </div>
                <h1 id="lock-title">{tr(Key::LockedTitle)}</h1>
                <p class="help">{tr(Key::LockedHelp)}</p>
                <label class="lock-pin-label">
                    {tr(Key::LockPin)}
                    <input id="lock-pin" node_ref=input type="password" inputmode="numeric"
                        autocomplete="off" maxlength="8" spellcheck="false"
                        aria-invalid=move || error.with(Option::is_some).then_some("true")
                        aria-describedby="lock-error"
                        prop:value=move || pin.get()
                        on:input=move |ev| pin.set(event_target_value(&ev)) />
                </label>
                <p id="lock-error" class="field-error" role="alert"
                    data-field=move || error.with(|e| match e {
                        Some(ipc::CallError::Refused(r)) => Some(r.field.clone()),
                        _ => None,
                    })>
                    {move || error.get().map(|e| call_error(&e, locale.get()))}
                </p>
                <p class="row actions">
                    <button id="lock-unlock" type="submit" disabled=move || busy.get()>{tr(Key::Unlock)}</button>
                    <button id="lock-language" type="button" class="secondary"
                        on:click=move |_| locale.update(|l| *l = if *l == Locale::En { Locale::ZhHk } else { Locale::En })>
                        {tr(Key::Language)}
                    </button>
                </p>
            </form>
        </div>
    }
}
