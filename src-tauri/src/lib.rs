//! The Tauri shell: the only crate that knows Tauri.
//!
//! It opens the application layer (`satchel-workflows`) for this profile's database and
//! keychain, registers one adapter per command (`commands`), and passes the application's
//! progress events to the window. Nothing else lives here: no rule, no wording, no decision,
//! so the window and the `satchel` CLI cannot disagree (a test below keeps it so).
#![forbid(unsafe_code)]

pub mod commands;

use std::sync::Arc;

use satchel_keychain::SecretStore;
use satchel_workflows::store::{db_path, DB_ENV};
use satchel_workflows::{App, Events};
use tauri::{AppHandle, Emitter, Manager};

/// `$SATCHEL_PROFILE` files this app's keychain entries under their own name, so a second
/// profile on one machine (a test device, a second shop) never sees the first one's secrets.
fn keychain_profile() -> Option<String> {
    std::env::var("SATCHEL_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
}

/// The window, as the application layer's event sink.
#[derive(Debug)]
struct Window(AppHandle);

impl Events for Window {
    fn emit(&self, event: &'static str, payload: serde_json::Value) {
        // A closed window cannot be told; the work goes on regardless.
        let _ = self.0.emit(event, payload);
    }
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let db = db_path(std::env::var_os(DB_ENV), || app.path().app_data_dir())?;
            let keychain = satchel_keychain::Keychain::open_default(keychain_profile().as_deref())
                .map(|k| Arc::new(k) as Arc<dyn SecretStore>)
                .map_err(|e| e.to_string());
            // The application's workers run on Tauri's own async runtime.
            let runtime =
                tauri::async_runtime::block_on(async { tokio::runtime::Handle::current() });
            let events = Box::new(Window(app.handle().clone()));
            let satchel = App::open(&db, keychain, runtime, events)?;
            satchel.start();
            app.manage(satchel);
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The shell's own source, file by file, without its test modules.
    fn shell_sources() -> Vec<(String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
                out.push((path.display().to_string(), code));
            }
        }
        out
    }

    #[test]
    fn the_shell_stays_thin() {
        let lines: usize = shell_sources()
            .iter()
            .map(|(_, code)| code.lines().filter(|l| !l.trim().is_empty()).count())
            .sum();
        assert!(
            lines < 1_000,
            "src-tauri has {lines} non-test lines; move workflows to satchel-workflows"
        );
    }

    #[test]
    fn the_shell_holds_no_rule_wording_or_domain_decision() {
        for (file, code) in shell_sources() {
            for (n, line) in code.lines().enumerate() {
                let at = format!("{file}:{}", n + 1);
                let rule_id = line.as_bytes().windows(5).any(|w| {
                    matches!(w[0], b'R' | b'S')
                        && w[1] == b'-'
                        && w[2..].iter().all(u8::is_ascii_digit)
                });
                assert!(
                    !rule_id,
                    "{at}: a rule id belongs in the core or satchel-workflows"
                );
                assert!(
                    !line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{at}: user-facing wording belongs in the UI's catalogue"
                );
                for domain in [
                    "satchel_core",
                    "satchel_store",
                    "satchel_net",
                    "satchel_labels",
                    "satchel_print",
                ] {
                    assert!(
                        !line.contains(domain),
                        "{at}: the shell calls satchel_workflows, not {domain}"
                    );
                }
            }
        }
    }
}
