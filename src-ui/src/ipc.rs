//! The one place that calls Tauri's `invoke`: typed requests in, typed responses out.
//!
//! Command names come from `satchel-ipc`, so a rename breaks the build instead of the app.

use satchel_ipc::{cmd, CheckItemRequest, ItemCheck};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // Provided by the shell because `withGlobalTauri` is on in tauri.conf.json.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// A call that did not reach the command or whose answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpcFailure(pub String);

async fn call<Req: Serialize, Resp: DeserializeOwned>(
    command: &str,
    request: &Req,
) -> Result<Resp, IpcFailure> {
    // json_compatible: plain JS objects, not `Map`s, which Tauri's deserializer expects.
    let payload = Args { request }
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| IpcFailure(e.to_string()))?;
    let value = invoke(command, payload)
        .await
        .map_err(|e| IpcFailure(e.as_string().unwrap_or_else(|| format!("{e:?}"))))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| IpcFailure(e.to_string()))
}

/// The payload `{ request: ... }`: every command takes one argument named
/// [`satchel_ipc::REQUEST_ARG`].
#[derive(Serialize)]
struct Args<'a, Req> {
    request: &'a Req,
}

pub async fn check_item_number(input: String) -> Result<ItemCheck, IpcFailure> {
    call(cmd::CHECK_ITEM_NUMBER, &CheckItemRequest { input }).await
}
