//! The first-run setup (issue #15): language, the sender profile that imports and submissions
//! need, then the optional parts (preferences, EC-Ship, sync), each reachable later from its
//! own screen. The app opens here until a sender profile is saved.
//!
//! Every change is sent to the shell as it is typed (`save_setup_draft`), so closing the app
//! halfway loses nothing: the next start opens on the same step with the same text.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{FinishSetupResponse, ProblemDto, SetupDraftDto};

use crate::app::{use_navigator, Screen};
use crate::components::fields::{problem_line, PartyFields, PartyForm};
use crate::components::routing::party_anchor;
use crate::i18n::{call_error, tr, use_locale, Key, Locale};
use crate::ipc;
use crate::panels::catalogue::DefaultsForm;

/// A problem path relative to the sender (`name`, `phone`) belongs to an input's slot.
fn belongs(field: &str, slot: &str) -> bool {
    party_anchor(field) == Some(slot)
}

const STEPS: [Key; 4] = [
    Key::SetupStepLanguage,
    Key::SetupStepSender,
    Key::SetupStepPrefs,
    Key::SetupStepOnline,
];

#[component]
pub fn SetupPage() -> impl IntoView {
    let locale = use_locale();
    let nav = use_navigator();
    let step = RwSignal::new(0u8);
    let form = PartyForm::new();
    form.country.set("HK".into());
    let problems = RwSignal::new(Vec::<ProblemDto>::new());
    let failure = RwSignal::new(None::<String>);
    // Drafts are kept only once the stored one has been read (else an empty form would
    // overwrite it) and only until the profile is saved.
    let loaded = RwSignal::new(false);
    let saved = RwSignal::new(false);

    spawn_local(async move {
        if let Ok(s) = ipc::get_setup().await {
            if let Some(d) = s.draft {
                form.set(&d.sender);
                if d.sender.country.trim().is_empty() {
                    form.country.set("HK".into());
                }
                if let Some(l) = Locale::from_tag(&d.locale) {
                    locale.set(l);
                }
                step.set(d.step.min(1));
            }
            saved.set(!s.needs_setup);
            if !s.needs_setup {
                step.set(2);
            }
        }
        loaded.set(true);
    });

    let draft = move || SetupDraftDto {
        step: step.get(),
        locale: locale.get().tag().to_owned(),
        sender: form.get(),
    };
    // The last draft the shell confirmed keeping; "kept" shows while it is what is on screen.
    let kept = RwSignal::new(None::<SetupDraftDto>);
    Effect::new(move |_| {
        let d = draft();
        if loaded.get() && !saved.get_untracked() {
            spawn_local(async move {
                if ipc::save_setup_draft(d.clone()).await.is_ok() {
                    kept.set(Some(d));
                }
            });
        }
    });
    let all_kept = move || kept.with(|k| k.as_ref() == Some(&draft()));

    let save_sender = move |_| {
        let d = draft();
        spawn_local(async move {
            match ipc::finish_setup(d).await {
                Ok(FinishSetupResponse::Saved { .. }) => {
                    problems.set(Vec::new());
                    failure.set(None);
                    saved.set(true);
                    step.set(2);
                }
                Ok(FinishSetupResponse::Invalid { problems: ps }) => problems.set(ps),
                Err(e) => failure.set(Some(call_error(&e, locale.get_untracked()))),
            }
        });
    };
    let language = move |l: Locale| locale.set(l);

    let steps = move || {
        let current = step.get();
        STEPS
            .iter()
            .enumerate()
            .map(|(i, k)| {
                view! {
                    <li class:current=i as u8 == current class:done=(i as u8) < current>
                        {tr(*k)}
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <section class="card setup" id="setup">
            <h1>{tr(Key::SetupTitle)}</h1>
            <p class="help">{tr(Key::SetupHelp)}</p>
            <ol class="setup-steps">{steps}</ol>

            <div id="setup-language" hidden=move || step.get() != 0>
                <p class="help">{tr(Key::SetupLanguageHelp)}</p>
                <p class="row">
                    <button id="setup-en" type="button" class:active=move || locale.get() == Locale::En
                        on:click=move |_| language(Locale::En)>"English"</button>
                    <button id="setup-zh" type="button" class:active=move || locale.get() == Locale::ZhHk
                        on:click=move |_| language(Locale::ZhHk)>"中文（香港）"</button>
                </p>
                <p class="row">
                    <button id="setup-next-0" type="button" on:click=move |_| step.set(1)>
                        {tr(Key::SetupNext)}
                    </button>
                </p>
            </div>

            <div id="setup-sender" hidden=move || step.get() != 1>
                <p class="help">{tr(Key::SetupSenderHelp)}</p>
                <PartyFields id_prefix="setup" form=form problems=problems belongs=belongs />
                <div id="setup-problems">
                    {move || {
                        let l = locale.get();
                        problems.with(|ps| {
                            ps.iter()
                                .filter(|p| party_anchor(&p.field).is_none())
                                .map(|p| problem_line(p, l, "field-error"))
                                .collect_view()
                        })
                    }}
                </div>
                <p class="help" id="setup-kept" data-current=move || all_kept().to_string()>
                    {move || if all_kept() { tr(Key::SetupKept)() } else { "" }}
                </p>
                <p class="result bad" id="setup-failure" hidden=move || failure.with(Option::is_none)>
                    {move || failure.get()}
                </p>
                <p class="row">
                    <button id="setup-back-1" type="button" class="secondary" on:click=move |_| step.set(0)>
                        {tr(Key::SetupBack)}
                    </button>
                    <button id="setup-save-sender" type="button" on:click=save_sender>
                        {tr(Key::SetupNext)}
                    </button>
                </p>
            </div>

            <div id="setup-prefs" hidden=move || step.get() != 2>
                <p class="result ok" id="setup-saved">{tr(Key::SetupSaved)}</p>
                <p class="help">{tr(Key::SetupPrefsHelp)}</p>
                <DefaultsForm />
                <p class="row">
                    <button id="setup-next-2" type="button" on:click=move |_| step.set(3)>
                        {tr(Key::SetupNext)}
                    </button>
                </p>
            </div>

            <div id="setup-online" hidden=move || step.get() != 3>
                <p class="help">{tr(Key::SetupOnlineHelp)}</p>
                <p class="row">
                    <button id="setup-ecship" type="button" class="secondary"
                        on:click=move |_| nav.screen.set(Screen::Ecship)>{tr(Key::SetupOpenEcship)}</button>
                    <button id="setup-sync" type="button" class="secondary"
                        on:click=move |_| nav.screen.set(Screen::Sync)>{tr(Key::SetupOpenSync)}</button>
                </p>
                <p class="row">
                    <button id="setup-finish" type="button"
                        on:click=move |_| nav.screen.set(Screen::Home)>{tr(Key::SetupFinish)}</button>
                </p>
            </div>
        </section>
    }
}
