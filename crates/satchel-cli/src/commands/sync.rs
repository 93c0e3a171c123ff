//! `satchel sync create | pair | join | recover | now | status | devices | revoke`: the sync
//! engine of `satchel-net` from a terminal (issue #6).
//!
//! Why it is thin: the engine, the store file and the keychain entries are the very ones the
//! desktop app uses, so a device linked here is linked in the app too (same `$SATCHEL_DB`,
//! same `$SATCHEL_PROFILE`). The recovery phrase and the pairing code are read from stdin,
//! never argv, because arguments show in `ps` and the shell history (issue #18); the phrase is
//! printed once, by `create`, and never again.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use satchel_keychain::Keychain;
use satchel_sync::{self as sync, SyncConfig, SyncError, SyncReport, Syncer};
use satchel_workflows::tariffs::{self, Adopted};
use serde_json::json;

use super::store;
use crate::{Output, Status};

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Make a new sync account with this device as its first device; prints the recovery
    /// phrase once.
    Create(HubArgs),
    /// Show a pairing code that links another device to this account (valid 10 minutes).
    Pair {
        /// What to call the new device in the device list.
        #[arg(long, default_value = "new device")]
        label: String,
    },
    /// Link this device to an account with the code shown on a linked device (read from
    /// stdin: the pairing code XXXXX-XXXXX or the text of its QR code), then sync.
    Join {
        #[command(flatten)]
        hub: HubArgs,
    },
    /// Get back into the account with the recovery phrase (read from stdin): on a linked
    /// device whose keychain lost the key, or, with `--hub`, on a new device when every other
    /// device is lost.
    Recover {
        /// The sync hub; needed only on a device that is not linked.
        #[arg(long, env = "SATCHEL_HUB_URL")]
        hub: Option<String>,
        /// What to call this device in the device list (new devices only).
        #[arg(long, default_value = "satchel cli")]
        label: String,
    },
    /// Push local changes, then pull everyone else's.
    Now,
    /// Last synced, changes waiting, last error (no network).
    Status,
    /// The account's devices.
    Devices,
    /// Remove a device from the account (a lost phone); the id is from `satchel sync devices`.
    /// The account moves to a new key, and the new recovery phrase is printed.
    Revoke { device_id: String },
    /// Print the current recovery phrase (it changes when a device is removed).
    Phrase,
    /// On the device that showed the code: list the device asking to join with it, or let it
    /// in: give its id and the fingerprint its screen shows (refused if they differ).
    Approve {
        device_id: Option<String>,
        fingerprint: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct HubArgs {
    /// The sync hub, e.g. https://hub.example.com.
    #[arg(long, env = "SATCHEL_HUB_URL")]
    pub hub: String,
    /// What to call this device in the device list.
    #[arg(long, default_value = "satchel cli")]
    pub label: String,
}

type Engine = Syncer<Mutex<satchel_store::Store>>;

/// A secret from stdin: from a terminal, after asking for `what` (a line is enough for a
/// code); from a pipe, everything piped.
fn read_stdin(what: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    let stdin = std::io::stdin();
    let read = if stdin.is_terminal() {
        eprintln!("Type {what}:");
        if what.contains("Ctrl-D") {
            stdin.lock().read_to_string(&mut text)
        } else {
            stdin.read_line(&mut text)
        }
    } else {
        stdin.lock().read_to_string(&mut text)
    };
    read.with_context(|| format!("cannot read {what} from stdin"))?;
    Ok(text)
}

fn keychain() -> anyhow::Result<Keychain> {
    let profile = std::env::var("SATCHEL_PROFILE")
        .ok()
        .filter(|p| !p.is_empty());
    Keychain::open_default(profile.as_deref())
        .context("the system keychain (which holds the sync keys) cannot be used")
}

/// The engine over the database at `db`, talking to `hub` or the hub it was linked to.
fn engine(db: Option<&Path>, hub: Option<&str>) -> anyhow::Result<Engine> {
    let st = store::open(db)?;
    let url = match hub {
        Some(h) => h.to_owned(),
        None => sync::saved_hub_url(&st)?.ok_or_else(|| anyhow!("{}", SyncError::NotLinked))?,
    };
    Ok(Syncer::new(
        Arc::new(Mutex::new(st)),
        keychain()?,
        SyncConfig::new(url),
    )?)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the network runtime")
}

fn report_text(r: &SyncReport, a: &Adopted) -> String {
    let mut t = format!(
        "synced: {} change(s) sent, {} received in {} page(s)\n",
        r.pushed, r.pulled, r.pages
    );
    for (name, date, changes) in &a.kept {
        t.push_str(&format!(
            "tariff received from another device: {name} of {}, {} service(s) changed \
             (`satchel rates diff` for what moved)\n",
            date.date(),
            changes.len()
        ));
    }
    for (name, why) in &a.refused {
        t.push_str(&format!(
            "warning: a tariff file from another device was refused: {name}: {why}\n"
        ));
    }
    if r.rejected > 0 {
        t.push_str(&format!(
            "warning: {} record(s) from the hub failed authentication and were skipped\n",
            r.rejected
        ));
    }
    if r.resolved > 0 {
        t.push_str(&format!(
            "note: {} record(s) were adjusted to keep one default sender and one shipment per \
             item number\n",
            r.resolved
        ));
    }
    t
}

fn report_json(r: &SyncReport, a: &Adopted) -> serde_json::Value {
    json!({
        "pushed": r.pushed, "pulled": r.pulled, "pages": r.pages,
        "rejected": r.rejected, "resolved": r.resolved, "reassess": r.reassess,
        "tariffs_kept": a.kept.iter()
            .map(|(name, date, _)| json!({ "name": name, "last_update": date.to_string() }))
            .collect::<Vec<_>>(),
        "tariffs_refused": a.refused.iter()
            .map(|(name, why)| json!({ "name": name, "error": why }))
            .collect::<Vec<_>>(),
    })
}

/// After a round, as the app does: keeps the tariffs other devices sent (issue #16), then runs
/// this device's rules on the shipments the round merged (S-005), so they can be submitted
/// from here.
fn checked(
    db: Option<&Path>,
    res: Result<SyncReport, SyncError>,
) -> Result<(SyncReport, Adopted), SyncError> {
    let r = res?;
    let mut adopted = Adopted::default();
    if let Ok(mut st) = store::open(db) {
        match tariffs::adopt_synced(&mut st, satchel_workflows::clock::now()) {
            Ok(a) => adopted = a,
            Err(e) => eprintln!("satchel: tariffs from other devices not read: {e}"),
        }
        let (rates, _) = tariffs::rate_set(&st);
        let engine = satchel_workflows::Engine::with_rates(rates);
        // Products another device added complete the drafts waiting for them (issue #14).
        if let Err(e) = satchel_workflows::orders::complete_waiting(
            &mut st,
            &engine,
            crate::today_in_hong_kong(),
        ) {
            eprintln!("satchel: drafts waiting for products not completed: {e}");
        }
        satchel_workflows::shipments::reassess_merged(
            &mut st,
            &engine,
            &r.reassess,
            crate::today_in_hong_kong(),
        );
    }
    Ok((r, adopted))
}

/// A sync that failed for want of a network is a verdict (exit 1), not a usage error.
fn sync_output(
    res: Result<(SyncReport, Adopted), SyncError>,
    json: bool,
) -> anyhow::Result<Output> {
    match res {
        Ok((r, a)) if json => Ok(Output::new(
            format!("{}\n", report_json(&r, &a)),
            Status::Ok,
        )),
        Ok((r, a)) => Ok(Output::new(report_text(&r, &a), Status::Ok)),
        Err(e) if e.is_transient() => {
            let text = if json {
                format!("{}\n", json!({ "error": e.to_string(), "retry": true }))
            } else {
                format!("not synced: {e}\nYour changes are kept; run `satchel sync now` later.\n")
            };
            Ok(Output::new(text, Status::Problems))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn run(db: Option<&Path>, cmd: &SyncCommand, json: bool) -> anyhow::Result<Output> {
    let rt = runtime()?;
    match cmd {
        SyncCommand::Create(h) => {
            let e = engine(db, Some(&h.hub))?;
            let phrase = rt.block_on(e.create_account(&h.label))?;
            let text = if json {
                format!("{}\n", json!({ "recovery_phrase": phrase.as_str() }))
            } else {
                format!(
                    "Sync account created.\n\nRecovery phrase (write it down now; it is shown only \
                     this once, and without it a lost device's data cannot be read back):\n\n  \
                     {}\n",
                    phrase.as_str()
                )
            };
            Ok(Output::new(text, Status::Ok))
        }
        SyncCommand::Pair { label } => {
            let e = engine(db, None)?;
            let offer = rt.block_on(e.offer_pairing(label))?;
            let text = if json {
                format!(
                    "{}\n",
                    json!({
                        "code": offer.code.display(), "qr": offer.qr_payload,
                        "device_id": offer.device_id, "expires_at": offer.expires_at,
                    })
                )
            } else {
                format!(
                    "On the new device run\n\n  satchel sync join --hub {}\n\nand type the code \
                     {}. It works once, until {}.\n",
                    e.config().hub_url,
                    offer.code.display(),
                    offer.expires_at.format("%H:%M UTC")
                )
            };
            Ok(Output::new(text, Status::Ok))
        }
        SyncCommand::Join { hub } => {
            let e = engine(db, Some(&hub.hub))?;
            let mut code = read_stdin("the pairing code (XXXXX-XXXXX), then Enter")?;
            let joined = rt.block_on(e.join_with_code(code.trim()));
            code.clear();
            joined?;
            if let Some(fp) = e.status()?.awaiting_approval {
                // A typed code brings no key: the other device approves this one first.
                let text = if json {
                    format!("{}\n", json!({ "awaiting_approval": fp }))
                } else {
                    format!(
                        "Waiting for approval: this device gets the account only once the \
                         other one lets it in. On the device that showed the code, run \
                         `satchel sync approve` (or open Sync in the app) and approve the device \
                         that shows\n\n  {fp}\n\nonly if it shows exactly this; then run \
                         `satchel sync now` here.\n"
                    )
                };
                return Ok(Output::new(text, Status::Ok));
            }
            sync_output(checked(db, rt.block_on(e.sync_now())), json)
        }
        SyncCommand::Recover { hub, label } => {
            let linked = {
                let st = store::open(db)?;
                sync::saved_hub_url(&st)?.is_some()
            };
            let e = if linked {
                engine(db, None)?
            } else {
                let hub = hub.as_deref().ok_or_else(|| {
                    anyhow!("this device is not linked: give the hub with --hub to recover onto it")
                })?;
                engine(db, Some(hub))?
            };
            let mut phrase = read_stdin("the 24-word recovery phrase, then Ctrl-D")?;
            let res = if linked {
                rt.block_on(e.restore_with_phrase(&phrase))
            } else {
                rt.block_on(e.recover_with_phrase(&phrase, label))
            };
            // The phrase is the key: do not leave it in this buffer longer than needed.
            phrase.clear();
            res?;
            if linked {
                return Ok(Output::new(
                    "The account key is back on this device.\n".into(),
                    Status::Ok,
                ));
            }
            sync_output(checked(db, rt.block_on(e.sync_now())), json)
        }
        SyncCommand::Now => {
            let e = engine(db, None)?;
            sync_output(checked(db, rt.block_on(e.sync_now())), json)
        }
        SyncCommand::Status => {
            let st = store::open(db)?;
            let url = sync::saved_hub_url(&st)?.unwrap_or_default();
            let e = Syncer::new(Arc::new(Mutex::new(st)), keychain()?, SyncConfig::new(url))?;
            let s = e.status()?;
            let text = if json {
                format!("{}\n", serde_json::to_value(&s)?)
            } else if let (false, Some(fp)) = (s.linked, &s.awaiting_approval) {
                format!(
                    "waiting for approval: the device that showed the code must approve the \
                     device showing {fp}; then run `satchel sync now`\n"
                )
            } else if !s.linked {
                "not linked: run `satchel sync create` or `satchel sync join`\n".into()
            } else {
                let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map_or("never".into(), |t| {
                        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
                    })
                };
                format!(
                    "hub:          {}\ndevice:       {}\nlast synced:  {}\nwaiting:      {} \
                     change(s)\nlast error:   {}\n{}",
                    s.hub_url.unwrap_or_default(),
                    s.device_id.map(|d| d.to_string()).unwrap_or_default(),
                    when(s.last_synced_at),
                    s.pending,
                    s.last_error.as_deref().unwrap_or("none"),
                    if s.phrase_changed {
                        "phrase:       changed when a device was removed; the written one no \
                         longer works: run `satchel sync phrase`\n"
                    } else {
                        ""
                    }
                )
            };
            Ok(Output::new(text, Status::Ok))
        }
        SyncCommand::Devices => {
            let e = engine(db, None)?;
            let list = rt.block_on(e.devices())?;
            let text = if json {
                format!("{}\n", serde_json::to_value(&list)?)
            } else {
                list.iter()
                    .map(|d| {
                        format!(
                            "{}  {:<24} {}{}{}\n",
                            d.device_id,
                            d.label,
                            if d.revoked_at.is_some() {
                                "removed"
                            } else {
                                "active"
                            },
                            if d.current { "  (this device)" } else { "" },
                            d.removal_at.map_or(String::new(), |at| format!(
                                "  (removal asked by {}, on {})",
                                d.removal_asked_by
                                    .map(|a| a.to_string())
                                    .unwrap_or_default(),
                                at.format("%Y-%m-%d %H:%M UTC")
                            ))
                        )
                    })
                    .collect()
            };
            Ok(Output::new(text, Status::Ok))
        }
        SyncCommand::Approve {
            device_id: None, ..
        }
        | SyncCommand::Approve {
            fingerprint: None, ..
        } => {
            let e = engine(db, None)?;
            let asking = rt.block_on(e.join_requests())?;
            let text = if json {
                format!(
                    "{}\n",
                    serde_json::Value::Array(
                        asking
                            .iter()
                            .map(|r| json!({ "device_id": r.device_id, "fingerprint": r.fingerprint }))
                            .collect()
                    )
                )
            } else if asking.is_empty() {
                "no device is asking to join\n".to_owned()
            } else {
                asking
                    .iter()
                    .map(|r| format!("{}  shows {}\n", r.device_id, r.fingerprint))
                    .collect()
            };
            Ok(Output::new(text, Status::Ok))
        }
        SyncCommand::Approve {
            device_id: Some(device_id),
            fingerprint: Some(fingerprint),
        } => {
            let e = engine(db, None)?;
            let id = device_id.trim().parse().map_err(|_| {
                anyhow!("{device_id}: not a device id (see `satchel sync approve`)")
            })?;
            rt.block_on(e.approve_join(id, fingerprint))?;
            Ok(Output::new(
                format!(
                    "approved {}: it gets the account key at its next sync\n",
                    device_id.trim()
                ),
                Status::Ok,
            ))
        }
        SyncCommand::Phrase => {
            let e = engine(db, None)?;
            let phrase = rt.block_on(e.recovery_phrase())?;
            let text = if json {
                format!("{}\n", json!({ "recovery_phrase": phrase.as_str() }))
            } else {
                format!(
                    "Recovery phrase (write it down; it replaces any older one):\n\n  {}\n",
                    phrase.as_str()
                )
            };
            Ok(Output::new(text, Status::Ok))
        }
        SyncCommand::Revoke { device_id } => {
            let e = engine(db, None)?;
            let id = device_id.trim().parse().map_err(|_| {
                anyhow!("{device_id}: not a device id (see `satchel sync devices`)")
            })?;
            let text = match rt.block_on(e.revoke_device(id))? {
                sync::Revoked::Removed {
                    new_phrase: Some(phrase),
                } if json => format!(
                    "{}\n",
                    json!({ "removed": device_id.trim(), "recovery_phrase": phrase.as_str() })
                ),
                sync::Revoked::Removed {
                    new_phrase: Some(phrase),
                } => format!(
                    "removed {}\n\nThe account has a new key that device never gets, so the \
                     recovery phrase changed. The new one (write it down now; the old one no \
                     longer works):\n\n  {}\n",
                    device_id.trim(),
                    phrase.as_str()
                ),
                sync::Revoked::Removed { new_phrase: None } if json => {
                    format!("{}\n", json!({ "removed": device_id.trim() }))
                }
                sync::Revoked::Removed { new_phrase: None } => format!(
                    "removed {}\n(the account moves to a new key at the next `satchel sync now`)\n",
                    device_id.trim()
                ),
                sync::Revoked::Pending { effective_at } if json => format!(
                    "{}\n",
                    json!({ "pending": device_id.trim(), "effective_at": effective_at })
                ),
                sync::Revoked::Pending { effective_at } => format!(
                    "{} joined before this device, so it is removed only on {} (every device \
                     shows the request until then)\n",
                    device_id.trim(),
                    effective_at.format("%Y-%m-%d %H:%M UTC")
                ),
            };
            Ok(Output::new(text, Status::Ok))
        }
    }
}
