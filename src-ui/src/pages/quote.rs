//! Postage quote and service comparison (filled in with the domain engine's compare API).

use leptos::prelude::*;

use crate::i18n::{tr, Key};

#[component]
pub fn QuotePage() -> impl IntoView {
    view! { <section class="card"><h1>{tr(Key::NavQuote)}</h1></section> }
}
