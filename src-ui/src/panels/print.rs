//! The print panel of the shipments list: choose a label format, a printer and (on sheets)
//! the first free position, see the first page as the shell laid it out, print, and follow
//! the job to its end.
//!
//! The preview is the SVG the shell renders from the same layout model as the PDF, so what
//! is shown is what prints. Which formats put several labels on a sheet is the shell's
//! answer (`per_sheet`), not the window's. The printer starts as the one the shell's printer
//! profile names for the chosen format (`PrinterDto::profile_formats`), else the default.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{
    LabelFormat, LabelPreview, LabelRequest, PrintLabelsRequest, PrintProgress, PrintResult,
    PrinterDto,
};

use crate::components::printer::{PrinterChoice, PrintersProblem};
use crate::components::problems::{NoteList, ProblemList};
use crate::i18n::{self, call_error, tr, use_locale, Key};
use crate::ipc::{self, CallError};

#[component]
pub fn PrintPanel(
    /// The shipments to print, in list order.
    ids: Vec<String>,
    on_close: Callback<()>,
    /// Called after a run, so the list can show new states.
    on_printed: Callback<()>,
) -> impl IntoView {
    let locale = use_locale();
    let format = RwSignal::new(LabelFormat::ALL[0]);
    // The iMail permit number for the impression on iMail address labels.
    let permit = RwSignal::new(String::new());
    let start = RwSignal::new(1u32);
    let printer = RwSignal::new(String::new());
    let printers = RwSignal::new(None::<Result<Vec<PrinterDto>, CallError>>);
    let preview = RwSignal::new(None::<Result<LabelPreview, CallError>>);
    let progress = RwSignal::new(None::<PrintProgress>);
    let running = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<PrintResult, CallError>>);
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

    // The printer of the format's profile (the last one that printed it) is preselected.
    Effect::new(move |_| {
        let f = format.get();
        printers.with(|list| {
            if let Some(Ok(list)) = list {
                if let Some(p) = list
                    .iter()
                    .find(|p| p.profile_formats.iter().any(|id| id == f.id()))
                {
                    printer.set(p.name.clone());
                }
            }
        });
    });

    // The preview follows the format and the start position.
    Effect::new(move |_| {
        let request = LabelRequest {
            shipment_ids: ids.get_value(),
            format: format.get(),
            start: start.get(),
            permit_no: permit.get(),
        };
        spawn_local(async move {
            preview.set(None);
            preview.set(Some(ipc::preview_labels(request).await));
        });
    });

    let run = move || {
        let request = PrintLabelsRequest {
            shipment_ids: ids.get_value(),
            format: format.get_untracked(),
            start: start.get_untracked(),
            permit_no: permit.get_untracked(),
            printer: printer.get_untracked(),
        };
        running.set(true);
        result.set(None);
        progress.set(None);
        spawn_local(async move {
            // Listen before starting, so the first event is not missed.
            let subscription = ipc::on_print_progress(move |p| progress.set(Some(p))).await;
            let answer = ipc::print_labels(request).await;
            drop(subscription);
            result.set(Some(answer));
            running.set(false);
            on_printed.run(());
        });
    };

    let per_sheet = move || {
        preview.with(|p| match p {
            Some(Ok(p)) => p.per_sheet,
            _ => 1,
        })
    };
    let no_printer = move || printer.with(String::is_empty);

    view! {
        <section class="card print-panel" id="print-panel" aria-labelledby="print-title"
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h2 id="print-title">{tr(Key::PrintTitle)}</h2>
            <p class="help">{tr(Key::PrintHelp)}</p>
            <div class="grid">
                <label>
                    {tr(Key::LabelFormat)}
                    <select id="print-format" autofocus
                        prop:value=move || format.get().id()
                        on:change=move |ev| {
                            start.set(1);
                            if let Some(f) = LabelFormat::from_id(&event_target_value(&ev)) {
                                format.set(f);
                            }
                        }>
                        {LabelFormat::ALL.into_iter().map(|f| view! {
                            <option value=f.id()>{move || i18n::format_name(f, locale.get())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <PrinterChoice id="print-printer" printer printers/>
                <label hidden=move || per_sheet() <= 1>
                    {tr(Key::StartPosition)}
                    <select id="print-start"
                        prop:value=move || start.get().to_string()
                        on:change=move |ev| {
                            start.set(event_target_value(&ev).parse().unwrap_or(1));
                        }>
                        {move || (1..=per_sheet().max(1)).map(|n| view! {
                            <option value=n.to_string()>{n}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="grid">
                <label>
                    {tr(Key::PermitNumberImail)}
                    <input id="print-permit" type="text" autocomplete="off" placeholder="PM"
                        prop:value=move || permit.get()
                        on:change=move |ev| permit.set(event_target_value(&ev)) />
                </label>
            </div>
            <PrintersProblem id="print-printers-error" printers/>
            <figure class="print-preview-frame">
                <figcaption>{tr(Key::PrintPreview)}</figcaption>
                {move || match preview.get() {
                    None => view! { <p class="note">{tr(Key::LoadingPreview)}</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <p class="result bad" id="print-preview-error">{call_error(&e, locale.get())}</p>
                    }.into_any(),
                    Some(Ok(p)) => {
                        let summary = move || i18n::label_summary(p.labels, p.pages, p.drafts, locale.get());
                        let operator = p.operator_labels;
                        view! {
                            <ProblemList id="print-problems" problems=p.problems.clone() />
                            <NoteList id="print-notes" notes=p.notes.clone() />
                            <div id="print-preview" class="print-preview" role="img"
                                aria-label=tr(Key::PrintPreview) inner_html=p.svg.clone()></div>
                            <p id="print-summary">{summary}</p>
                            <p id="print-operator-labels" class="note" data-count=operator.to_string()
                                hidden=operator == 0>
                                {move || i18n::operator_label_note(operator, locale.get())}
                            </p>
                        }.into_any()
                    }
                }}
            </figure>
            <p class="row">
                <button id="print-run" type="button"
                    disabled=move || running.get() || no_printer() || !matches!(preview.get(), Some(Ok(_)))
                    on:click=move |_| run()>
                    {tr(Key::PrintRun)}
                </button>
                <button id="print-close" type="button" class="secondary" on:click=move |_| on_close.run(())>
                    {tr(Key::Close)}
                </button>
                <progress id="print-progress" aria-label=tr(Key::PrintProgressLabel)
                    max=PrintProgress::STEPS
                    value=move || progress.get().map_or(0, |p| p.stage.step())></progress>
            </p>
            <div id="print-result" aria-live="polite">
                {move || result.get().map(|r| {
                    let l = locale.get();
                    match r {
                        Ok(r) => {
                            let ok = r.state == satchel_ipc::PrintJobState::Completed;
                            let jobs = r.job_ids.iter().map(i32::to_string).collect::<Vec<_>>().join(" ");
                            view! {
                                <p class="result" class:ok=ok class:bad=!ok data-jobs=jobs>{i18n::print_result(&r, l)}</p>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="result bad">{call_error(&e, l)}</p> }.into_any(),
                    }
                })}
            </div>
        </section>
    }
}
