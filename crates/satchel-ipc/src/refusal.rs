//! Why a command was refused, as data: a closed set of kinds with the values their wording
//! needs, the field the refusal is about and, where one applies, the rule behind it.
//!
//! Why typed: the window routes a refusal by its field and can react to its kind (offer the
//! EC-Ship screen when EC-Ship is not set up), and tests match on kinds rather than on words.
//! The words are in one catalogue, [`crate::wording`], in both languages, used by the window
//! and the CLI alike; the application layer and the shell word nothing.

use serde::{Deserialize, Serialize};

use crate::ProblemDto;

/// A request the application refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    pub reason: Refused,
    /// The input the refusal is about (`base_url`, `customs.lines[0].value`, `pin`), so the
    /// window shows it there.
    pub field: String,
    /// The operator's rule (`R-047`) or Satchel's (`S-004`) behind the refusal, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// For [`Refused::Invalid`]: the problems found, worded by the rules engine's catalogue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemDto>,
}

impl CommandError {
    pub fn new(field: impl Into<String>, reason: Refused) -> CommandError {
        CommandError {
            reason,
            field: field.into(),
            rule: None,
            problems: Vec::new(),
        }
    }

    pub fn with_rule(mut self, rule: impl Into<String>) -> CommandError {
        self.rule = Some(rule.into());
        self
    }

    /// Problems found in what was sent; the first one names the field.
    pub fn invalid(problems: Vec<ProblemDto>) -> CommandError {
        let first = problems.first();
        CommandError {
            reason: Refused::Invalid,
            field: first.map(|p| p.field.clone()).unwrap_or_default(),
            rule: first.map(|p| p.rule.clone()).filter(|r| !r.is_empty()),
            problems,
        }
    }
}

/// Which part of a sync went wrong, for the wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncTrouble {
    Offline,
    PairingCode,
    Phrase,
    NotLinked,
    AlreadyLinked,
    Other,
}

/// Every kind of refusal, with the values its wording needs. `detail` values are the words of
/// a lower layer (a file error, EC-Ship's own message), shown as they came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refused {
    // --- Records and their lifecycle ---
    /// The record was deleted meanwhile (`contact`, `shipment`).
    NotFound {
        entity: String,
    },
    /// The request's values break rules; see [`CommandError::problems`].
    Invalid,
    /// A shipment with errors cannot become `to` (warnings may stay).
    FixErrorsFirst {
        to: String,
    },
    /// The lifecycle has no move from `from` to `to` (state ids, or `edited` / `deleted`).
    BadTransition {
        from: String,
        to: String,
    },
    /// A rule the store keeps (a pre-printed number used twice, say), in its words.
    StoreRule {
        message: String,
    },
    CsvUnreadable {
        detail: String,
    },
    /// A file the merchant chose is not a tariff file of the published shape.
    TariffFile {
        detail: String,
    },
    /// The open-data address is not https (or plain http to this computer).
    TariffAddress,
    StoreFailed {
        detail: String,
    },
    /// Work stopped without an answer (a crashed background task).
    Unexpected {
        detail: String,
    },
    // --- Input the window sends ---
    WeightMissing,
    UnknownCategory {
        value: String,
    },
    DateFormat {
        value: String,
    },
    // --- Labels, posting documents, printers ---
    NoLabelFont,
    NothingSelected,
    NoImailSelected,
    CannotStartThere {
        per_sheet: u32,
        detail: String,
    },
    LabelsNotDrawn {
        detail: String,
    },
    DocumentNotDrawn {
        detail: String,
    },
    PrinterFailed {
        detail: String,
    },
    /// A numbered shipment's EC-Ship label is not stored yet (it prints only as EC-Ship made
    /// it, R-036).
    OperatorLabelMissing {
        item: String,
    },
    /// The label is past its validity (C-01).
    LabelExpired {
        item: String,
        expired_on: chrono::NaiveDate,
    },
    /// The printer's media cannot hold the operator's label at its own size.
    LabelDoesNotFit {
        item: String,
        /// The paper's width and height in whole millimetres.
        paper_mm: [u16; 2],
    },
    NotImail,
    NoDefaultSender,
    NoImailCharge {
        detail: String,
    },
    PermitMissing,
    // --- EC-Ship ---
    EcshipNotSetUp,
    /// International items go out only once the EDI privacy notice has been shown.
    EdiNoticeNeeded,
    /// A shipCode or nonDeliveryOptions entry that is not 1–10 letters or digits.
    CodeFormat {
        value: String,
    },
    EcshipUnreachable {
        detail: String,
    },
    KeychainUnavailable {
        detail: String,
    },
    NotCancellable {
        reason: String,
    },
    /// Tracking needs an item number, which EC-Ship has not given yet.
    NotNumberedYet,
    /// EC-Ship's Certificate of Posting lists items EC-Ship numbered; this one is not.
    CertificateNeedsNumbers {
        count: u32,
    },
    /// Tracking could not be refreshed (offline, or EC-Ship's own words).
    TrackingFailed {
        detail: String,
    },
    BaseUrl,
    TrackingUrl,
    IntegratorMissing,
    IdentityMissing,
    ApiKeyMissing,
    SettingsNotSaved {
        detail: String,
    },
    // --- App lock ---
    IdleTooLong,
    PinFormat,
    PinNeeded,
    PinNotKept {
        detail: String,
    },
    TooManyPins {
        wait_secs: u64,
    },
    WrongPin,
    /// The app is locked: nothing but the lock's own commands answers until the PIN is typed.
    Locked,
    // --- Sync ---
    HubUrl,
    SyncKeysNotKept {
        detail: String,
    },
    Sync {
        trouble: SyncTrouble,
        detail: String,
    },
    NotADevice,
}
