//! The product catalogue (issue #14): the products the merchant has described for customs,
//! imported and exported as CSV. Imported shop orders take their customs lines and weight
//! from here; adding a product completes the drafts that were waiting for its SKU.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{CatalogueReportDto, ProductDto};
use web_sys::HtmlInputElement;

use crate::files;
use crate::i18n::{self, call_error, use_locale};
use crate::ipc::{self, CallError};

#[component]
pub fn CataloguePanel(
    /// Bumped by the page when products may have changed elsewhere (the import wizard).
    refresh: RwSignal<u32>,
    /// Called after products were saved, so the page can refresh its lists.
    on_done: Callback<()>,
) -> impl IntoView {
    let locale = use_locale();
    let products = RwSignal::new(Vec::<ProductDto>::new());
    let answer = RwSignal::new(None::<Result<CatalogueReportDto, CallError>>);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let export_url = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            if let Ok(list) = ipc::list_products().await {
                products.set(list);
            }
        });
    };
    Effect::new(move |_| {
        refresh.track();
        load();
    });
    let on_file = move || {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        let input: HtmlInputElement = input;
        spawn_local(async move {
            let Some((_, text)) = files::read_chosen(&input).await else {
                return;
            };
            let r = ipc::import_catalogue(text).await;
            let ok = r.is_ok();
            answer.set(Some(r));
            load();
            if ok {
                on_done.run(());
            }
        });
    };
    let export = move || {
        spawn_local(async move {
            if let Ok(f) = ipc::export_catalogue().await {
                if let Some(old) = export_url.get_untracked() {
                    files::revoke(&old);
                }
                export_url.set(files::download(&f.file_name, &f.text));
            }
        });
    };
    let t = move |key: &'static str| move || i18n::shop_text(key, locale.get());
    view! {
        <section class="card" id="catalogue">
            <h2>{t("catalogue")}</h2>
            <p class="help">{t("catalogue_help")}</p>
            <div class="grid">
                <label>
                    {t("catalogue_import")}
                    <input id="catalogue-file" type="file" accept=".csv,text/csv,text/plain"
                        node_ref=file_input on:change=move |_| on_file() />
                </label>
            </div>
            <p class="row">
                <button id="catalogue-export" type="button" on:click=move |_| export()>
                    {t("catalogue_export")}
                </button>
            </p>
            <div id="catalogue-result" aria-live="polite">
                {move || answer.get().map(|a| {
                    let l = locale.get();
                    match a {
                        Ok(r) => view! {
                            <p class="result ok">{i18n::catalogue_saved(&r, l)}</p>
                            <ul class="catalogue-refused">
                                {r.refused.iter().map(|x| view! { <li>{format!("{}: {}", x.at, x.problems)}</li> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="result bad">{call_error(&e, l)}</p> }.into_any(),
                    }
                })}
            </div>
            <div class="table-scroll">
                <table id="catalogue-table">
                    <thead><tr>
                        <th scope="col">{t("sku")}</th>
                        <th scope="col">{t("description_en")}</th>
                        <th scope="col">{t("description_zh")}</th>
                        <th scope="col">{t("hs_code")}</th>
                        <th scope="col">{t("origin")}</th>
                        <th scope="col">{t("unit_weight_g")}</th>
                        <th scope="col">{t("unit_value")}</th>
                    </tr></thead>
                    <tbody>
                        {move || products.get().into_iter().map(|p| {
                            let sku = p.sku.clone();
                            view! {
                            <tr data-sku=sku>
                                <td>{p.sku}</td>
                                <td>{p.description_en}</td>
                                <td>{p.description_zh}</td>
                                <td>{p.hs_code}</td>
                                <td>{p.origin}</td>
                                <td class="num">{p.unit_weight_g}</td>
                                <td class="money">{format!("{} {}", p.unit_value, p.currency)}</td>
                            </tr>
                        }}).collect_view()}
                    </tbody>
                </table>
            </div>
            {move || products.get().is_empty().then(|| view! { <p class="note">{t("catalogue_empty")}</p> })}
        </section>
    }
}
