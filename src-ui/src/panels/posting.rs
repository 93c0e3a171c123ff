//! The iMail posting-documents panel of the shipments list: permit number, date of posting
//! and which document (statement, bag labels, certificate of posting), a preview of the first
//! page and a print run.
//!
//! The shell forms the bags and lays the documents out, so the window only sends the
//! selection and shows the SVG it gets back: what is previewed is what prints. The date starts
//! empty and the shell answers with the date it used (today in Hong Kong), because the window
//! does not own the clock.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{
    PostingDoc, PostingPreview, PostingPrintResult, PostingRequest, PrintJobState,
    PrintPostingRequest, PrinterDto,
};

use crate::components::date::DateField;
use crate::components::printer::{PrinterChoice, PrintersProblem};
use crate::components::problems::{NoteList, ProblemList};
use crate::i18n::{self, call_error, tr, use_locale, Key};
use crate::ipc::{self, CallError};

#[component]
pub fn PostingPanel(
    /// The iMail shipments of the posting, in list order.
    ids: Vec<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let locale = use_locale();
    let permit = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let doc = RwSignal::new(PostingDoc::ALL[0]);
    let printer = RwSignal::new(String::new());
    let printers = RwSignal::new(None::<Result<Vec<PrinterDto>, CallError>>);
    let preview = RwSignal::new(None::<Result<PostingPreview, CallError>>);
    let running = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<PostingPrintResult, CallError>>);
    let ids = StoredValue::new(ids);

    spawn_local(async move {
        let list = ipc::list_printers().await;
        if let Ok(l) = &list {
            if let Some(first) = l.first() {
                printer.set(first.name.clone());
            }
        }
        printers.set(Some(list));
    });

    let request = move || PostingRequest {
        shipment_ids: ids.get_value(),
        permit_no: permit.get(),
        date: date.get(),
        doc: doc.get(),
    };

    // The preview follows the permit, the date and the document.
    Effect::new(move |_| {
        let r = request();
        spawn_local(async move {
            let answer = ipc::preview_posting(r).await;
            if let Ok(p) = &answer {
                if date.get_untracked().is_empty() {
                    date.set(p.date.clone());
                }
            }
            preview.set(Some(answer));
        });
    });

    let run = move || {
        let r = PrintPostingRequest {
            posting: untrack(request),
            printer: printer.get_untracked(),
        };
        running.set(true);
        result.set(None);
        spawn_local(async move {
            let answer = ipc::print_posting(r).await;
            result.set(Some(answer));
            running.set(false);
        });
    };
    let no_printer = move || printer.with(String::is_empty);

    view! {
        <section class="card print-panel" id="posting-panel" aria-labelledby="posting-title"
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h2 id="posting-title">{tr(Key::PostingTitle)}</h2>
            <p class="help">{tr(Key::PostingHelp)}</p>
            <div class="grid">
                <label>
                    {tr(Key::PermitNumber)}
                    <input id="posting-permit" type="text" autocomplete="off" autofocus
                        prop:value=move || permit.get()
                        on:change=move |ev| permit.set(event_target_value(&ev)) />
                </label>
                <DateField id="posting-date" label=Key::PostingDay value=date />
                <label>
                    {tr(Key::PostingDocument)}
                    <select id="posting-doc"
                        prop:value=move || doc.get().id()
                        on:change=move |ev| {
                            if let Some(d) = PostingDoc::from_id(&event_target_value(&ev)) {
                                doc.set(d);
                            }
                        }>
                        {PostingDoc::ALL.into_iter().map(|d| view! {
                            <option value=d.id()>{move || i18n::posting_doc_name(d, locale.get())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <PrinterChoice id="posting-printer" printer printers/>
            </div>
            <PrintersProblem id="posting-printers-error" printers/>
            <figure class="print-preview-frame">
                <figcaption>{tr(Key::PrintPreview)}</figcaption>
                {move || match preview.get() {
                    None => view! { <p class="note">{tr(Key::LoadingPreview)}</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <p class="result bad" id="posting-preview-error">{call_error(&e, locale.get())}</p>
                    }.into_any(),
                    Some(Ok(p)) => {
                        let summary = i18n::posting_summary(&p, locale.get());
                        // The operator's posting rules, shown before anything prints.
                        view! {
                            <ProblemList id="posting-problems" problems=p.problems.clone() />
                            <NoteList id="posting-notes" notes=p.notes.clone() />
                            <p id="posting-from-ecship" class="note" hidden=move || !doc.get().from_ecship()>
                                {tr(Key::PostingFromEcship)}
                            </p>
                            <div id="posting-preview" class="print-preview" role="img"
                                aria-label=tr(Key::PrintPreview) inner_html=p.svg.clone()></div>
                            <p id="posting-summary">{summary}</p>
                        }.into_any()
                    }
                }}
            </figure>
            <p class="row">
                <button id="posting-print" type="button"
                    disabled=move || running.get() || no_printer()
                        || !matches!(preview.get(), Some(Ok(p)) if !p.problems.iter().any(|x| x.error))
                    on:click=move |_| run()>
                    {tr(Key::PrintRun)}
                </button>
                <button id="posting-close" type="button" class="secondary" on:click=move |_| on_close.run(())>
                    {tr(Key::Close)}
                </button>
            </p>
            <div id="posting-result" aria-live="polite">
                {move || result.get().map(|r| {
                    let l = locale.get();
                    match r {
                        Ok(r) => {
                            let ok = r.state == PrintJobState::Completed;
                            view! {
                                <p class="result" class:ok=ok class:bad=!ok>{i18n::posting_print_result(&r, l)}</p>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="result bad">{call_error(&e, l)}</p> }.into_any(),
                    }
                })}
            </div>
        </section>
    }
}
