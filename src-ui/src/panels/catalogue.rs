//! The product catalogue (issue #14): the products the merchant has described for customs,
//! imported and exported as CSV. Imported shop orders take their customs lines and weight
//! from here; adding a product completes the drafts that were waiting for its SKU.

use leptos::prelude::*;
use leptos::task::spawn_local;
use satchel_ipc::{
    BoxDto, CatalogueReportDto, DestinationPreferenceDto, ProductDto, ShippingDefaultsDto,
};
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
    // The product the form below edits (a row clicked); `None`: a new product.
    let editing = RwSignal::new(None::<ProductDto>);
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
                            let chosen = p.clone();
                            view! {
                            <tr data-sku=sku class="clickable" on:click=move |_| editing.set(Some(chosen.clone()))>
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
            <ProductForm editing=editing on_saved=Callback::new(move |()| { load(); on_done.run(()); }) />
            <DefaultsForm />
        </section>
    }
}

/// Adds a product or edits the one clicked in the list; checked with the content-line rules,
/// each problem shown with its field and rule.
#[component]
fn ProductForm(editing: RwSignal<Option<ProductDto>>, on_saved: Callback<()>) -> impl IntoView {
    let locale = use_locale();
    let text = |key: &'static str| (key, RwSignal::new(String::new()));
    let fields = [
        text("sku"),
        text("description_en"),
        text("description_zh"),
        text("hs_code"),
        text("origin"),
        text("unit_weight_g"),
        text("unit_value"),
    ];
    let category = RwSignal::new("sale_of_goods".to_owned());
    let eu_ok = RwSignal::new(true);
    let answer = RwSignal::new(None::<Result<CatalogueReportDto, CallError>>);
    Effect::new(move |_| {
        let p = editing.get();
        let value = |key: &str| match (&p, key) {
            (None, _) => String::new(),
            (Some(p), "sku") => p.sku.clone(),
            (Some(p), "description_en") => p.description_en.clone(),
            (Some(p), "description_zh") => p.description_zh.clone(),
            (Some(p), "hs_code") => p.hs_code.clone(),
            (Some(p), "origin") => p.origin.clone(),
            (Some(p), "unit_weight_g") => p.unit_weight_g.to_string(),
            (Some(p), "unit_value") => p.unit_value.clone(),
            _ => String::new(),
        };
        for (key, signal) in fields {
            signal.set(value(key));
        }
        category.set(
            p.as_ref()
                .map_or("sale_of_goods".into(), |p| p.category.clone()),
        );
        eu_ok.set(p.as_ref().is_none_or(|p| p.eu_ok));
        answer.set(None);
    });
    let get = move |key: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| s.get_untracked())
            .unwrap_or_default()
    };
    let save = move || {
        let product = ProductDto {
            sku: get("sku"),
            description_en: get("description_en"),
            description_zh: get("description_zh"),
            hs_code: get("hs_code"),
            origin: get("origin"),
            unit_weight_g: get("unit_weight_g").trim().parse().unwrap_or(0),
            unit_value: get("unit_value"),
            currency: "HKD".into(),
            category: category.get_untracked(),
            eu_ok: eu_ok.get_untracked(),
        };
        spawn_local(async move {
            let r = ipc::save_product(product).await;
            let ok = r.is_ok();
            answer.set(Some(r));
            if ok {
                on_saved.run(());
            }
        });
    };
    view! {
        <form id="product-form" class="product-form" on:submit=move |ev| { ev.prevent_default(); save(); }>
            <div class="grid">
                {fields.into_iter().map(|(key, signal)| view! {
                    <label>
                        {move || i18n::shop_text(key, locale.get())}
                        <input id=format!("product-{key}") prop:value=move || signal.get()
                            on:input=move |ev| signal.set(event_target_value(&ev)) />
                    </label>
                }).collect_view()}
                <label>
                    {move || i18n::shop_text("category", locale.get())}
                    <select id="product-category" prop:value=move || category.get()
                        on:change=move |ev| category.set(event_target_value(&ev))>
                        {["sale_of_goods", "gift", "commercial_sample", "documents", "returned_goods", "other"]
                            .into_iter()
                            .map(|c| view! { <option value=c>{c}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input id="product-eu-ok" type="checkbox" prop:checked=move || eu_ok.get()
                        on:change=move |ev| eu_ok.set(event_target_checked(&ev)) />
                    {move || i18n::shop_text("eu_ok", locale.get())}
                </label>
            </div>
            <p class="row">
                <button id="product-save" type="submit">{move || i18n::shop_text("save_product", locale.get())}</button>
                <button id="product-new" type="button" on:click=move |_| editing.set(None)>
                    {move || i18n::shop_text("new_product", locale.get())}
                </button>
            </p>
            <p id="product-status" role="status">
                {move || answer.get().map(|a| match a {
                    Ok(r) => i18n::catalogue_saved(&r, locale.get()),
                    Err(e) => call_error(&e, locale.get()),
                })}
            </p>
        </form>
    }
}

/// How imported orders are drafted: packaging, the box they go in, which service (overall and
/// per destination).
#[component]
pub fn DefaultsForm() -> impl IntoView {
    let locale = use_locale();
    let packaging = RwSignal::new(String::new());
    let prefer = RwSignal::new(String::new());
    let by_destination = RwSignal::new(String::new());
    let box_fields = [
        ("box_name", RwSignal::new(String::new())),
        ("box_length_mm", RwSignal::new(String::new())),
        ("box_width_mm", RwSignal::new(String::new())),
        ("box_height_mm", RwSignal::new(String::new())),
        ("box_weight_g", RwSignal::new(String::new())),
    ];
    let status = RwSignal::new(None::<Result<(), CallError>>);
    let show = move |d: ShippingDefaultsDto| {
        packaging.set(d.packaging_g.to_string());
        prefer.set(d.prefer.join(", "));
        by_destination.set(
            d.prefer_by_destination
                .iter()
                .map(|p| format!("{}: {}", p.country, p.services.join(", ")))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let b = d.boxes.first();
        let values = [
            b.map(|b| b.name.clone()),
            b.map(|b| b.length_mm.to_string()),
            b.map(|b| b.width_mm.to_string()),
            b.map(|b| b.height_mm.to_string()),
            b.map(|b| b.weight_g.to_string()),
        ];
        for ((_, signal), v) in box_fields.iter().zip(values) {
            signal.set(v.unwrap_or_default());
        }
    };
    spawn_local(async move {
        if let Ok(d) = ipc::get_shipping_defaults().await {
            show(d);
        }
    });
    let number = |s: String| s.trim().parse::<u32>().unwrap_or(0);
    let save = move || {
        let list = |s: &str| -> Vec<String> {
            s.split(',')
                .map(|x| x.trim().to_owned())
                .filter(|x| !x.is_empty())
                .collect()
        };
        let box_value = |i: usize| box_fields[i].1.get_untracked();
        let request = ShippingDefaultsDto {
            packaging_g: number(packaging.get_untracked()),
            prefer: list(&prefer.get_untracked()),
            prefer_by_destination: by_destination
                .get_untracked()
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(country, services)| DestinationPreferenceDto {
                    country: country.trim().to_owned(),
                    services: list(services),
                })
                .collect(),
            boxes: vec![BoxDto {
                name: box_value(0),
                length_mm: number(box_value(1)),
                width_mm: number(box_value(2)),
                height_mm: number(box_value(3)),
                weight_g: number(box_value(4)),
            }],
        };
        spawn_local(async move {
            match ipc::set_shipping_defaults(request).await {
                Ok(d) => {
                    show(d);
                    status.set(Some(Ok(())));
                }
                Err(e) => status.set(Some(Err(e))),
            }
        });
    };
    let input = move |id: &'static str, key: &'static str, signal: RwSignal<String>| {
        view! {
            <label>
                {move || i18n::shop_text(key, locale.get())}
                <input id=id prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <form id="shipping-defaults" on:submit=move |ev| { ev.prevent_default(); save(); }>
            <h3>{move || i18n::shop_text("defaults", locale.get())}</h3>
            <p class="help">{move || i18n::shop_text("defaults_help", locale.get())}</p>
            <div class="grid">
                {input("defaults-packaging", "packaging_g", packaging)}
                {input("defaults-prefer", "prefer", prefer)}
                <label class="wide">
                    {move || i18n::shop_text("prefer_by_destination", locale.get())}
                    <textarea id="defaults-by-destination" rows="3" prop:value=move || by_destination.get()
                        on:input=move |ev| by_destination.set(event_target_value(&ev))></textarea>
                </label>
                {box_fields.into_iter().map(|(key, signal)| input(key, key, signal)).collect_view()}
            </div>
            <p class="row">
                <button id="defaults-save" type="submit">{move || i18n::shop_text("save_defaults", locale.get())}</button>
            </p>
            <p id="defaults-status" role="status">
                {move || status.get().map(|s| match s {
                    Ok(()) => i18n::shop_text("saved", locale.get()).to_owned(),
                    Err(e) => call_error(&e, locale.get()),
                })}
            </p>
        </form>
    }
}
