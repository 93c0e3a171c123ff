//! The one place that calls Tauri's `invoke`: typed requests in, typed responses out.
//!
//! Command names come from `satchel-ipc`, so a rename breaks the build instead of the app.

use satchel_ipc::{
    cmd, CheckItemRequest, CommandError, CompareRequest, CompareResponse, DestinationChoice,
    DestinationQuery, ItemCheck,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // Provided by the shell because `withGlobalTauri` is on in tauri.conf.json.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// Why a call produced no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The command refused the request; `field` says which input to fix.
    Refused(CommandError),
    /// The call did not reach the command, or its answer could not be read.
    Failed(String),
}

/// The payload `{ request: ... }`: every command takes one argument named
/// [`satchel_ipc::REQUEST_ARG`].
#[derive(Serialize)]
struct Args<'a, Req> {
    request: &'a Req,
}

async fn call<Req: Serialize, Resp: DeserializeOwned>(
    command: &str,
    request: &Req,
) -> Result<Resp, CallError> {
    // json_compatible: plain JS objects, not `Map`s, which Tauri's deserializer expects.
    let payload = Args { request }
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| CallError::Failed(e.to_string()))?;
    let value =
        invoke(command, payload).await.map_err(|e| {
            match serde_wasm_bindgen::from_value::<CommandError>(e.clone()) {
                Ok(refusal) => CallError::Refused(refusal),
                Err(_) => CallError::Failed(e.as_string().unwrap_or_else(|| format!("{e:?}"))),
            }
        })?;
    serde_wasm_bindgen::from_value(value).map_err(|e| CallError::Failed(e.to_string()))
}

pub async fn check_item_number(input: String) -> Result<ItemCheck, CallError> {
    call(cmd::CHECK_ITEM_NUMBER, &CheckItemRequest { input }).await
}

pub async fn search_destinations(query: String) -> Result<Vec<DestinationChoice>, CallError> {
    call(cmd::SEARCH_DESTINATIONS, &DestinationQuery { query }).await
}

pub async fn compare_services(request: CompareRequest) -> Result<CompareResponse, CallError> {
    call(cmd::COMPARE_SERVICES, &request).await
}
