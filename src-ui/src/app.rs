//! The app frame every screen plugs into: brand, navigation, the online/offline and sync
//! indicators, the language switch, and the app lock that replaces all of it when idle.
//!
//! Screens are a plain enum rather than URL routes: the shell serves one page and there is
//! nothing to deep-link to yet, so a router would only add weight to the wasm.

use leptos::prelude::*;
use satchel_ipc::ShipmentFilterRequest;

use crate::i18n::{tr, use_locale, Key, Locale};
use crate::lock::{provide_app_lock, use_app_lock, LockScreen};
use crate::pages;
use crate::pages::sync::{provide_sync_state, SyncIndicator};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The landing screen: what needs doing today (issue #15).
    Home,
    /// The first-run setup, shown instead of Home until there is a sender profile.
    Setup,
    ItemCheck,
    Quote,
    Contacts,
    Shipments,
    /// The shipment editor; which shipment is in [`Navigator::shipment`].
    Editor,
    /// The EC-Ship connection settings (the credentials screen).
    Ecship,
    /// Sync between the merchant's devices, and the app lock's settings.
    Sync,
}

/// Moves between screens; provided as context so a screen can open another (a row of the
/// shipments list opens the editor).
#[derive(Debug, Clone, Copy)]
pub struct Navigator {
    pub screen: RwSignal<Screen>,
    /// The shipment the editor shows; `None` for a new one.
    pub shipment: RwSignal<Option<String>>,
    /// A note for the next screen to show once (e.g. "this is a new copy").
    pub notice: RwSignal<Option<Key>>,
    /// The list the shipments screen opens on, and what to call it ("Labels to print"), when
    /// a line of the home screen opened it.
    pub list: RwSignal<Option<(ShipmentFilterRequest, Key)>>,
}

impl Navigator {
    /// Opens the editor on a stored shipment, or on a new one.
    pub fn edit(&self, id: Option<String>) {
        self.shipment.set(id);
        self.screen.set(Screen::Editor);
    }

    /// Opens the shipments screen on one filtered list.
    pub fn list(&self, filter: ShipmentFilterRequest, name: Key) {
        self.list.set(Some((filter, name)));
        self.screen.set(Screen::Shipments);
    }
}

pub fn use_navigator() -> Navigator {
    expect_context::<Navigator>()
}

const LOCALE_STORAGE_KEY: &str = "satchel.locale";

#[component]
pub fn App() -> impl IntoView {
    let locale = RwSignal::new(saved_locale().unwrap_or(Locale::En));
    provide_context(locale);
    Effect::new(move |_| {
        let tag = locale.get().tag();
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(LOCALE_STORAGE_KEY, tag);
        }
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", tag);
        }
    });
    let screen = RwSignal::new(Screen::Home);
    let nav = Navigator {
        screen,
        shipment: RwSignal::new(None),
        notice: RwSignal::new(None),
        list: RwSignal::new(None),
    };
    provide_context(nav);
    // A first start (no sender profile yet) opens on the setup, resumed where it was left.
    leptos::task::spawn_local(async move {
        if let Ok(s) = crate::ipc::get_setup().await {
            if s.needs_setup && screen.get_untracked() == Screen::Home {
                screen.set(Screen::Setup);
            }
        }
    });
    provide_sync_state();
    let lock = provide_app_lock();

    // While locked nothing of the app is rendered, so nothing behind the prompt can be read.
    move || {
        if lock.locked.get() {
            view! { <LockScreen /> }.into_any()
        } else {
            view! { <Frame /> }.into_any()
        }
    }
}

/// Everything but the lock prompt: header, navigation and the current screen.
#[component]
fn Frame() -> impl IntoView {
    let locale = use_locale();
    let nav = use_navigator();
    let screen = nav.screen;
    let lock = use_app_lock();
    view! {
        <header class="frame-header">
            <div class="brand">
                <span class="logo" aria-hidden="true"></span>
                <span class="name">"Satchel"</span>
                <span class="tagline">{tr(Key::AppTagline)}</span>
            </div>
            <div class="frame-tools">
                <OnlineIndicator />
                <SyncIndicator />
                <button id="lock-now" type="button" class="link" hidden=move || !lock.has_pin()
                    on:click=move |_| lock.lock_now()>
                    {tr(Key::LockNow)}
                </button>
                <button
                    id="language"
                    class="link"
                    on:click=move |_| {
                        locale.update(|l| *l = if *l == Locale::En { Locale::ZhHk } else { Locale::En })
                    }
                >
                    {tr(Key::Language)}
                </button>
            </div>
        </header>
        <nav class="frame-nav">
            <NavButton id="nav-home" screen=Screen::Home current=screen label=Key::NavHome />
            <NavButton id="nav-item" screen=Screen::ItemCheck current=screen label=Key::NavItemCheck />
            <NavButton id="nav-quote" screen=Screen::Quote current=screen label=Key::NavQuote />
            <NavButton id="nav-contacts" screen=Screen::Contacts current=screen label=Key::NavContacts />
            <NavButton id="nav-shipments" screen=Screen::Shipments current=screen label=Key::NavShipments />
            <button
                id="nav-new-shipment"
                class="nav"
                class:active=move || screen.get() == Screen::Editor
                aria-current=move || (screen.get() == Screen::Editor).then_some("page")
                on:click=move |_| nav.edit(None)
            >
                {tr(Key::NavNewShipment)}
            </button>
            <NavButton id="nav-ecship" screen=Screen::Ecship current=screen label=Key::NavEcship />
            <NavButton id="nav-sync" screen=Screen::Sync current=screen label=Key::NavSync />
        </nav>
        <main class="frame-main">
            {move || match screen.get() {
                Screen::Home => pages::home::HomePage().into_any(),
                Screen::Setup => pages::setup::SetupPage().into_any(),
                Screen::ItemCheck => pages::item_check::ItemCheckPage().into_any(),
                Screen::Quote => pages::quote::QuotePage().into_any(),
                Screen::Contacts => pages::contacts::ContactsPage().into_any(),
                Screen::Shipments => pages::shipments::ShipmentsPage().into_any(),
                // Reading the id here rebuilds the editor when another shipment is opened.
                Screen::Editor => pages::editor::EditorPage(pages::editor::EditorPageProps {
                    id: nav.shipment.get(),
                })
                .into_any(),
                Screen::Ecship => pages::ecship::EcshipPage().into_any(),
                Screen::Sync => pages::sync::SyncPage().into_any(),
            }}
        </main>
    }
}

#[component]
fn NavButton(
    id: &'static str,
    screen: Screen,
    current: RwSignal<Screen>,
    label: Key,
) -> impl IntoView {
    view! {
        <button
            id=id
            class="nav"
            class:active=move || current.get() == screen
            aria-current=move || (current.get() == screen).then_some("page")
            on:click=move |_| current.set(screen)
        >
            {tr(label)}
        </button>
    }
}

/// Shows whether the device has a network; everything but sync and submission works without.
#[component]
fn OnlineIndicator() -> impl IntoView {
    let online = RwSignal::new(window().navigator().on_line());
    let on = window_event_listener(leptos::ev::online, move |_| online.set(true));
    let off = window_event_listener(leptos::ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        on.remove();
        off.remove();
    });
    let text_on = tr(Key::Online);
    let text_off = tr(Key::Offline);
    view! {
        <span id="network" class="network" class:offline=move || !online.get()>
            {move || if online.get() { text_on() } else { text_off() }}
        </span>
    }
}

fn saved_locale() -> Option<Locale> {
    let storage = window().local_storage().ok().flatten()?;
    Locale::from_tag(&storage.get_item(LOCALE_STORAGE_KEY).ok().flatten()?)
}
