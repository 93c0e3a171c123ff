//! The CSV import wizard: choose a file, check the column mapping on a preview, choose what
//! to do with duplicates, import with a progress bar, and download the report of the rows
//! that were left out.
//!
//! The file is read in the webview and sent to the shell as text; the shell previews and
//! imports it with the same checks the forms use, so the preview's problems are the ones the
//! import will report.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{
    CatalogueReportDto, DuplicatePolicy, ImportPreview, ImportProgress, ImportReport, ImportTable,
    PreviewImportRequest, ProductDto, RunImportRequest, ShopFileDto, UnknownSkuDto,
};
use web_sys::HtmlInputElement;

use crate::files;
use crate::i18n::{self, call_error, csv_field, problem_text, tr, use_locale, Key};
use crate::ipc::{self, CallError};

#[component]
pub fn ImportWizard(
    /// Called after an import, so the page can refresh its list.
    on_done: Callback<()>,
) -> impl IntoView {
    let locale = use_locale();
    let table = RwSignal::new(ImportTable::Contacts);
    let text = RwSignal::new(None::<String>);
    // A shop's Excel export (SHOPLINE), as base64, sent instead of text.
    let workbook = RwSignal::new(None::<String>);
    let mapping = RwSignal::new(None::<Vec<Option<String>>>);
    let preview = RwSignal::new(None::<Result<ImportPreview, CallError>>);
    let policy = RwSignal::new(DuplicatePolicy::Review);
    let progress = RwSignal::new(None::<ImportProgress>);
    let running = RwSignal::new(false);
    let report = RwSignal::new(None::<Result<ImportReport, CallError>>);
    let report_url = RwSignal::new(None::<String>);
    let file_input = NodeRef::<leptos::html::Input>::new();

    let load_preview = move || {
        let Some(t) = text.get_untracked() else {
            return;
        };
        let request = PreviewImportRequest {
            table: table.get_untracked(),
            text: t,
            mapping: mapping.get_untracked(),
            workbook: workbook.get_untracked(),
        };
        spawn_local(async move {
            let answer = ipc::preview_import(request).await;
            if let Ok(p) = &answer {
                mapping.set(Some(p.mapping.clone()));
            }
            preview.set(Some(answer));
        });
    };

    let on_file = move || {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        let input: HtmlInputElement = input;
        spawn_local(async move {
            let chosen = files::read_chosen_any(&input).await;
            mapping.set(None);
            report.set(None);
            progress.set(None);
            match chosen {
                Some(files::Chosen::Workbook(b64)) => {
                    workbook.set(Some(b64));
                    text.set(Some(String::new()));
                }
                other => {
                    workbook.set(None);
                    text.set(other.map(|c| match c {
                        files::Chosen::Text(t) | files::Chosen::Workbook(t) => t,
                    }));
                }
            }
            load_preview();
        });
    };

    let run = move || {
        let Some(t) = text.get_untracked() else {
            return;
        };
        let request = RunImportRequest {
            table: table.get_untracked(),
            text: t,
            mapping: mapping.get_untracked(),
            policy: policy.get_untracked(),
            workbook: workbook.get_untracked(),
        };
        running.set(true);
        report.set(None);
        progress.set(Some(ImportProgress { done: 0, total: 0 }));
        spawn_local(async move {
            // Listen before starting, so the first event is not missed.
            let subscription = ipc::on_import_progress(move |p| progress.set(Some(p))).await;
            let answer = ipc::run_import(request).await;
            drop(subscription);
            if let Some(old) = report_url.get_untracked() {
                files::revoke(&old);
            }
            report_url.set(
                answer
                    .as_ref()
                    .ok()
                    .filter(|r| !r.report_csv.is_empty())
                    .and_then(|r| files::csv_url(&r.report_csv)),
            );
            if let Ok(r) = &answer {
                progress.set(Some(ImportProgress {
                    done: r.total_rows,
                    total: r.total_rows,
                }));
            }
            report.set(Some(answer));
            running.set(false);
            on_done.run(());
            // The store may now hold duplicates of the previewed rows. A shop file's preview
            // stays: its forms for unknown SKUs are what the merchant fills next.
            let shop_file = matches!(
                preview.get_untracked(),
                Some(Ok(ImportPreview { shop: Some(_), .. }))
            );
            if !shop_file {
                load_preview();
            }
        });
    };

    view! {
        <section class="card" id="import">
            <h2>{tr(Key::ImportTitle)}</h2>
            <p class="help">{tr(Key::ImportHelp)}</p>
            <div class="grid">
                <label>
                    {tr(Key::ImportWhat)}
                    <select id="import-table" on:change=move |ev| {
                        table.set(if event_target_value(&ev) == "shipments" { ImportTable::Shipments } else { ImportTable::Contacts });
                        mapping.set(None);
                        load_preview();
                    }>
                        <option value="contacts">{tr(Key::NavContacts)}</option>
                        <option value="shipments">{tr(Key::NavShipments)}</option>
                    </select>
                </label>
                <label>
                    {tr(Key::ImportFile)}
                    <input id="import-file" type="file" accept=".csv,.xlsx,text/csv,text/plain"
                        node_ref=file_input on:change=move |_| on_file() />
                </label>
                <label>
                    {tr(Key::DuplicatePolicy)}
                    <select id="import-policy" on:change=move |ev| {
                        policy.set(match event_target_value(&ev).as_str() {
                            "keep_existing" => DuplicatePolicy::KeepExisting,
                            "overwrite" => DuplicatePolicy::Overwrite,
                            _ => DuplicatePolicy::Review,
                        });
                    }>
                        <option value="review">{tr(Key::PolicyReview)}</option>
                        <option value="keep_existing">{tr(Key::PolicyKeep)}</option>
                        <option value="overwrite">{tr(Key::PolicyOverwrite)}</option>
                    </select>
                </label>
            </div>
            {move || preview.get().map(|p| match p {
                Err(e) => view! { <p class="result bad" id="import-preview-error">{call_error(&e, locale.get())}</p> }.into_any(),
                Ok(p) => match p.shop.clone() {
                    Some(shop) => view! {
                        <ShopFile shop=shop on_added=on_done />
                    }.into_any(),
                    None => preview_view(p, mapping, load_preview).into_any(),
                },
            })}
            <p class="row">
                <button id="import-run" type="button"
                    disabled=move || running.get() || !matches!(preview.get(), Some(Ok(_)))
                    on:click=move |_| run()>
                    {tr(Key::RunImport)}
                </button>
                <progress id="import-progress" aria-label=tr(Key::ImportProgressLabel)
                    hidden=move || progress.get().is_none()
                    max=move || progress.get().map_or(1, |p| p.total.max(1))
                    value=move || progress.get().map_or(0, |p| p.done)></progress>
            </p>
            <div id="import-result" aria-live="polite">
                {move || report.get().map(|r| {
                    let l = locale.get();
                    match r {
                        Ok(r) if r.shop.is_some() => view! {
                            <p class="result ok" id="import-shop-result">{i18n::shop_import_summary(&r, l)}</p>
                        }.into_any(),
                        Ok(r) => view! {
                            <p class="result ok">{i18n::import_summary(&r, l)}</p>
                        }.into_any(),
                        Err(e) => view! { <p class="result bad">{call_error(&e, l)}</p> }.into_any(),
                    }
                })}
                {move || report_url.get().map(|url| view! {
                    <p><a id="import-report" href=url download="satchel-import-report.csv">{tr(Key::DownloadReport)}</a></p>
                })}
            </div>
        </section>
    }
}

/// The preview table: a mapping `<select>` per column above the first rows and their
/// problems. Changing a select previews again with the new mapping.
fn preview_view(
    p: ImportPreview,
    mapping: RwSignal<Option<Vec<Option<String>>>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let locale = use_locale();
    let fields = p.fields.clone();
    let selects = p
        .headers
        .iter()
        .enumerate()
        .map(|(col, header)| {
            let fields = fields.clone();
            let current = p.mapping.get(col).cloned().flatten();
            let label = header.clone();
            view! {
                <th scope="col">
                    <span class="header">{label.clone()}</span>
                    <select class="import-map" data-column=col.to_string() aria-label=label
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            mapping.update(|m| {
                                if let Some(m) = m {
                                    if col < m.len() {
                                        m[col] = (!v.is_empty()).then_some(v.clone());
                                    }
                                }
                            });
                            reload();
                        }>
                        <option value="" selected=current.is_none()>{tr(Key::IgnoreColumn)}</option>
                        {fields.iter().map(|f| {
                            let key = f.clone();
                            let selected = current.as_deref() == Some(f.as_str());
                            view! { <option value=f.clone() selected=selected>{move || csv_field(&key, locale.get())}</option> }
                        }).collect_view()}
                    </select>
                </th>
            }
        })
        .collect_view();
    let rows = p
        .rows
        .iter()
        .map(|row| {
            let problems = row.problems.clone();
            let dup = row.duplicate_of.is_some();
            let bad = problems.iter().any(|x| x.error);
            view! {
                <tr data-line=row.line.to_string() class:bad=bad>
                    <th scope="row">{row.line}</th>
                    {row.values.iter().map(|v| view! { <td>{v.clone()}</td> }).collect_view()}
                    <td class="row-problems">
                        {move || {
                            let l = locale.get();
                            let mut out: Vec<String> = problems
                                .iter()
                                .map(|x| format!("{} {}: {}", x.rule, x.field, problem_text(x, l)))
                                .collect();
                            if dup {
                                out.push(Key::DuplicateOf.text(l).to_owned());
                            }
                            out.join(" · ")
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="note" id="import-summary">
            {move || i18n::preview_summary(p.total_rows, p.rows_with_errors, locale.get())}
        </p>
        <div class="table-scroll">
            <table id="import-preview" class="preview">
                <thead><tr>
                    <th scope="col">{tr(Key::Row)}</th>
                    {selects}
                    <th scope="col">{tr(Key::RowProblems)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A shop's order export as found (issue #14): the platform, the orders, what is left out and
/// why, and each SKU the catalogue lacks with a form to add it there and then.
#[component]
fn ShopFile(shop: ShopFileDto, on_added: Callback<()>) -> impl IntoView {
    let locale = use_locale();
    let summary = shop.clone();
    let skipped = shop.skipped.clone();
    let unusable = shop.unusable.clone();
    let unknown = shop.unknown_skus.clone();
    view! {
        <div id="shop-file" data-platform=shop.platform.clone()>
            <p class="note" id="import-summary">
                {move || i18n::shop_file_summary(&summary, locale.get())}
            </p>
            {(!skipped.is_empty()).then(|| view! {
                <p id="shop-skipped">
                    {move || i18n::shop_text("skipped", locale.get())}" "
                    {skipped.iter().map(|s| {
                        let (reason, count) = (s.reason.clone(), s.count);
                        let attr = reason.clone();
                        view! {
                            <span class="skip" data-reason=attr data-count=count.to_string()>
                                {move || i18n::skip_count(&reason, count, locale.get())}
                            </span>" "
                        }
                    }).collect_view()}
                </p>
            })}
            {(!unusable.is_empty()).then(|| view! {
                <div id="shop-unusable">
                    <p>{move || i18n::shop_text("unusable", locale.get())}</p>
                    <ul>
                        {unusable.iter().map(|u| view! {
                            <li data-order=u.order.clone()>{format!("{} ({}): {}", u.order, u.line, u.reason)}</li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {(!unknown.is_empty()).then(|| view! {
                <div id="shop-unknown">
                    <p class="help">{move || i18n::shop_text("unknown", locale.get())}</p>
                    {unknown.iter().map(|u| view! { <UnknownSku sku=u.clone() on_added=on_added /> }).collect_view()}
                </div>
            })}
        </div>
    }
}

/// One unknown SKU and the short form that adds it to the catalogue.
#[component]
fn UnknownSku(sku: UnknownSkuDto, on_added: Callback<()>) -> impl IntoView {
    let locale = use_locale();
    let en = RwSignal::new(sku.title.clone());
    let zh = RwSignal::new(String::new());
    let hs = RwSignal::new(String::new());
    let origin = RwSignal::new(String::new());
    let weight = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Result<CatalogueReportDto, CallError>>);
    let code = sku.sku.clone();
    let save = move || {
        let product = ProductDto {
            sku: code.clone(),
            description_en: en.get_untracked(),
            description_zh: zh.get_untracked(),
            hs_code: hs.get_untracked(),
            origin: origin.get_untracked(),
            unit_weight_g: weight.get_untracked().trim().parse().unwrap_or(0),
            unit_value: value.get_untracked(),
            currency: "HKD".into(),
            category: "sale_of_goods".into(),
            eu_ok: true,
        };
        spawn_local(async move {
            let r = ipc::save_product(product).await;
            let ok = r.is_ok();
            answer.set(Some(r));
            if ok {
                on_added.run(());
            }
        });
    };
    let field = move |key: &'static str, signal: RwSignal<String>| {
        view! {
            <label>
                {move || i18n::shop_text(key, locale.get())}
                <input class=format!("product-{key}") prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <fieldset class="unknown-sku" data-sku=sku.sku.clone()>
            <legend>{format!("{} · {} · {}", sku.sku, sku.title, sku.orders)}</legend>
            <div class="grid">
                {field("description_en", en)}
                {field("description_zh", zh)}
                {field("hs_code", hs)}
                {field("origin", origin)}
                {field("unit_weight_g", weight)}
                {field("unit_value", value)}
            </div>
            <button type="button" class="add-product" on:click=move |_| save()>
                {move || i18n::shop_text("add", locale.get())}
            </button>
            {move || answer.get().map(|a| match a {
                Ok(r) => view! { <p class="result ok product-saved">{i18n::catalogue_saved(&r, locale.get())}</p> }.into_any(),
                Err(e) => view! { <p class="result bad product-refused">{call_error(&e, locale.get())}</p> }.into_any(),
            })}
        </fieldset>
    }
}
