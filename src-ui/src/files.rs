//! Files in and out of the webview: reading a chosen file as text and handing a CSV to the
//! merchant as a download.
//!
//! Everything stays in the page: the file is read by the webview and sent to the shell as
//! text, and a download is a Blob URL, so no file-system permission is needed.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlInputElement, Url};

/// The MIME type of every CSV we hand out; the store writes a byte-order mark for Excel.
const CSV: &str = "text/csv;charset=utf-8";

/// The first file chosen in `input`, as (name, text).
pub async fn read_chosen(input: &HtmlInputElement) -> Option<(String, String)> {
    let file = input.files()?.get(0)?;
    let text = JsFuture::from(file.text()).await.ok()?.as_string()?;
    Some((file.name(), text))
}

/// A chosen file as the wizard sends it: text, or an Excel workbook as base64.
pub enum Chosen {
    Text(String),
    Workbook(String),
}

/// The first file chosen in `input`: an `.xlsx` workbook read as bytes (base64), anything else
/// as text.
pub async fn read_chosen_any(input: &HtmlInputElement) -> Option<Chosen> {
    let file = input.files()?.get(0)?;
    if file.name().to_lowercase().ends_with(".xlsx") {
        use base64::Engine as _;
        let buffer = JsFuture::from(file.array_buffer()).await.ok()?;
        let bytes = web_sys::js_sys::Uint8Array::new(&buffer).to_vec();
        return Some(Chosen::Workbook(
            base64::engine::general_purpose::STANDARD.encode(bytes),
        ));
    }
    let text = JsFuture::from(file.text()).await.ok()?.as_string()?;
    Some(Chosen::Text(text))
}

/// A `blob:` URL holding `text` as CSV, for an `<a download>`.
pub fn csv_url(text: &str) -> Option<String> {
    let parts = web_sys::js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(CSV);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    Url::create_object_url_with_blob(&blob).ok()
}

/// Frees a URL made by [`csv_url`] once nothing links to it any more.
pub fn revoke(url: &str) {
    let _ = Url::revoke_object_url(url);
}

/// Starts the download of `text` as `file_name`, and returns the URL so the page can also
/// show a link to it (the caller revokes it when replaced).
pub fn download(file_name: &str, text: &str) -> Option<String> {
    let url = csv_url(text)?;
    let a: HtmlAnchorElement = document().create_element("a").ok()?.unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    let body = document().body()?;
    body.append_child(&a).ok()?;
    a.click();
    a.remove();
    Some(url)
}
