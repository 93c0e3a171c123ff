//! The first-run setup (issue #15): until there is a default sender profile the app opens on a
//! short setup instead of failing later ("Set a default sender profile") in an import or a
//! submission.
//!
//! What has been typed is kept in the store as it is typed, so the setup can be left (the app
//! closed, the phone's battery gone) and resumed with nothing lost; finishing saves the sender
//! profile as the default and forgets the draft.

use satchel_ipc::{CommandError, FinishSetupResponse, SetupDraftDto, SetupStateDto};
use satchel_store::{ContactInput, ContactKind, Error, Store};

use crate::contacts::contact_dto;
use crate::convert::{party, problem};
use crate::store::store_error;

/// The store's key for the unfinished setup.
const DRAFT_KEY: &str = "setup_draft";

/// Whether the setup is needed, and what was typed into it before.
pub fn state(store: &Store) -> Result<SetupStateDto, CommandError> {
    Ok(SetupStateDto {
        needs_setup: store.default_sender().map_err(store_error)?.is_none(),
        draft: draft(store),
    })
}

/// The unfinished setup; a value that cannot be read counts as none (it is only a convenience,
/// and the merchant sees the empty form).
fn draft(store: &Store) -> Option<SetupDraftDto> {
    let text = store.meta(DRAFT_KEY).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Keeps what has been typed so far.
pub fn save_draft(store: &mut Store, d: &SetupDraftDto) -> Result<(), CommandError> {
    let text = serde_json::to_string(d).expect("a setup draft serialises");
    store.set_meta(DRAFT_KEY, &text).map_err(store_error)
}

/// Saves the sender profile as the default, or says what is wrong with it, field by field:
/// the address-book checks for a sender plus R-071's Hong Kong mobile. The draft is kept until
/// the profile is saved.
pub fn finish(store: &mut Store, d: SetupDraftDto) -> Result<FinishSetupResponse, CommandError> {
    let sender = party(d.sender.clone());
    let problems = satchel_core::validate::validate_sender_profile(&sender);
    if !problems.is_empty() {
        save_draft(store, &d)?;
        return Ok(FinishSetupResponse::Invalid {
            problems: problems.iter().map(problem).collect(),
        });
    }
    let saved = store.create_contact(ContactInput {
        kind: ContactKind::Sender,
        party: sender,
        notes: String::new(),
        tags: Vec::new(),
        is_default: true,
    });
    match saved {
        Ok(c) => {
            store.set_meta(DRAFT_KEY, "").map_err(store_error)?;
            Ok(FinishSetupResponse::Saved {
                contact: Box::new(contact_dto(&c)),
            })
        }
        Err(Error::Invalid(problems)) => Ok(FinishSetupResponse::Invalid {
            problems: problems.iter().map(problem).collect(),
        }),
        Err(e) => Err(store_error(e)),
    }
}
