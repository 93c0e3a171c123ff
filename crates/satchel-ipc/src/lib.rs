//! The contract between the Leptos UI (wasm) and the Tauri shell (native).
//!
//! Both sides compile this crate, so a renamed command or a changed field is a compile error
//! rather than a silent `undefined` at run time. It holds plain data and the one catalogue of
//! refusal wording: the UI cannot call the domain engine (only the closed sets the core owns are
//! re-exported here), and the application layer (`satchel-workflows`) converts domain types
//! into these DTOs. Money travels as decimal strings (never floats), weights as integer grams.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `Debug` for a type that carries a secret (a PIN, an API key, a pairing code, a recovery
/// phrase): the named fields print as usual, the secret ones only as `<redacted>`, so a
/// `{:?}` in a log line or a panic message cannot leak them (issue #18).
macro_rules! redacted_debug {
    ($ty:ident { $($shown:ident),* } secret { $($secret:ident),* }) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut d = f.debug_struct(stringify!($ty));
                $(d.field(stringify!($shown), &self.$shown);)*
                $(d.field(stringify!($secret), &"<redacted>");)*
                d.finish()
            }
        }
    };
}

mod refusal;
pub mod wording;

pub use refusal::{CommandError, Refused, SyncTrouble};
/// Typed dates, day first or ISO: the UI reads date fields with the core's own reader.
pub use satchel_core::dates;

/// Command names, shared so neither side can misspell one. [`cmd::ALL`] lists them all, and
/// the shell has a test that its registered handlers are exactly these.
pub mod cmd {
    macro_rules! names {
        ($($(#[$doc:meta])* $konst:ident = $name:literal;)*) => {
            $($(#[$doc])* pub const $konst: &str = $name;)*
            /// Every command the shell must register.
            pub const ALL: &[&str] = &[$($konst),*];
        };
    }

    names! {
        // The landing screen and the first-run setup (issue #15).
        GET_HOME = "get_home";
        GET_SETUP = "get_setup";
        SAVE_SETUP_DRAFT = "save_setup_draft";
        FINISH_SETUP = "finish_setup";

        CHECK_ITEM_NUMBER = "check_item_number";
        SEARCH_DESTINATIONS = "search_destinations";
        COMPARE_SERVICES = "compare_services";

        // Tariffs: which are in use, checking the operator for newer ones (issue #16).
        LIST_TARIFFS = "list_tariffs";
        CHECK_TARIFFS = "check_tariffs";
        LOAD_TARIFF_FILE = "load_tariff_file";

        // The address book (local store).
        SEARCH_CONTACTS = "search_contacts";
        GET_CONTACT = "get_contact";
        SAVE_CONTACT = "save_contact";
        DELETE_CONTACT = "delete_contact";
        LIST_CONTACT_TAGS = "list_contact_tags";

        // CSV import and export.
        PREVIEW_IMPORT = "preview_import";
        RUN_IMPORT = "run_import";
        EXPORT_CONTACTS = "export_contacts";
        EXPORT_SHIPMENTS = "export_shipments";

        // The product catalogue that fills imported shop orders (issue #14).
        LIST_PRODUCTS = "list_products";
        SAVE_PRODUCT = "save_product";
        IMPORT_CATALOGUE = "import_catalogue";
        EXPORT_CATALOGUE = "export_catalogue";
        GET_SHIPPING_DEFAULTS = "get_shipping_defaults";
        SET_SHIPPING_DEFAULTS = "set_shipping_defaults";

        // Shipments (local store).
        CHECK_DRAFT = "check_draft";
        SAVE_SHIPMENT = "save_shipment";
        GET_SHIPMENT = "get_shipment";
        LIST_SHIPMENTS = "list_shipments";
        COPY_SHIPMENT = "copy_shipment";
        DELETE_SHIPMENT = "delete_shipment";
        SET_SHIPMENT_STATE = "set_shipment_state";

        // Labels and printing.
        LIST_PRINTERS = "list_printers";
        PREVIEW_LABELS = "preview_labels";
        PRINT_LABELS = "print_labels";

        // iMail posting documents.
        PREVIEW_POSTING = "preview_posting";
        PRINT_POSTING = "print_posting";
        GET_SEVERE_WEATHER = "get_severe_weather";
        SET_SEVERE_WEATHER = "set_severe_weather";

        // EC-Ship (issue #7).
        GET_ECSHIP_SETTINGS = "get_ecship_settings";
        SAVE_ECSHIP_SETTINGS = "save_ecship_settings";
        CONFIRM_POSTAGE = "confirm_postage";
        SUBMIT_SHIPMENTS = "submit_shipments";
        CANCEL_SUBMISSION = "cancel_submission";
        GET_TRACKING = "get_tracking";
        REFRESH_TRACKING = "refresh_tracking";
        ATTACH_ITEM_NUMBER = "attach_item_number";

        // Sync across the merchant's devices (issue #6).
        GET_SYNC_STATUS = "get_sync_status";
        CREATE_SYNC_ACCOUNT = "create_sync_account";
        OFFER_PAIRING = "offer_pairing";
        JOIN_WITH_CODE = "join_with_code";
        RESTORE_WITH_PHRASE = "restore_with_phrase";
        SYNC_NOW = "sync_now";
        LIST_DEVICES = "list_devices";
        REVOKE_DEVICE = "revoke_device";
        UNLINK_DEVICE = "unlink_device";
        SHOW_RECOVERY_PHRASE = "show_recovery_phrase";
        APPROVE_DEVICE = "approve_device";

        // App lock after idle.
        GET_LOCK_SETTINGS = "get_lock_settings";
        SET_LOCK = "set_lock";
        UNLOCK = "unlock";
        LOCK_APP = "lock_app";
    }

    /// What a locked app still answers: the lock's own state, the PIN, and locking again.
    /// Everything else is refused by the shell until the PIN is typed (issue #18).
    pub const WHILE_LOCKED: &[&str] = &[GET_LOCK_SETTINGS, UNLOCK, LOCK_APP];
}

/// Events the shell emits to the window.
pub mod event {
    /// Emitted while `run_import` works, with an [`ImportProgress`](super::ImportProgress)
    /// payload; the last one has `done == total`.
    pub const IMPORT_PROGRESS: &str = "import-progress";
    /// Emitted while `print_labels` works, with a [`PrintProgress`](super::PrintProgress)
    /// payload: rendered, sent, done.
    pub const PRINT_PROGRESS: &str = "print-progress";
    /// Emitted by the EC-Ship outbox worker after each job it ran, with a
    /// [`SubmitProgress`](super::SubmitProgress) payload.
    pub const SUBMIT_PROGRESS: &str = "submit-progress";
    /// Emitted after every sync attempt (background or "Sync now"), with the new
    /// [`SyncStatusDto`](super::SyncStatusDto).
    pub const SYNC_STATUS: &str = "sync-status";
}

/// Every command takes one argument named `request`; this is its key in the `invoke` payload.
pub const REQUEST_ARG: &str = "request";

/// `check_item_number` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItemRequest {
    pub input: String,
}

/// `check_item_number` response: the parts of a valid number, or why it is not one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum ItemCheck {
    Valid {
        number: String,
        indicator: String,
        serial: String,
        country: String,
        /// What the service indicator means, as a catalog key (`ems`, `letter_tracked`, ...).
        kind: String,
    },
    Invalid {
        problem: ItemProblem,
    },
}

/// Why an item number is invalid (UPU S10, domain.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemProblem {
    Length { len: usize },
    ServiceIndicator,
    Digits,
    CountryCode,
    UnknownCountry { country: String },
    CheckDigit { found: u8, expected: u8 },
}

/// `search_destinations` request: a fragment of a name (English or Chinese) or a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationQuery {
    pub query: String,
}

/// One choice in the destination picker: a country, or one sub-zone of a split country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationChoice {
    /// ISO-like two-letter `destinationCode`.
    pub country: String,
    /// The open-data `zoneCode`; equals `country` unless the country is split.
    pub zone: String,
    pub name_en: String,
    pub name_zh_hk: String,
    /// iMail zone 1–3, for display.
    pub imail_zone: Option<u8>,
}

/// `compare_services` request: one item to price with every service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRequest {
    pub country: String,
    pub zone: Option<String>,
    pub weight_g: u32,
    /// Length, width, height in millimetres, when the merchant measured them.
    pub dimensions_mm: Option<[u32; 3]>,
    /// `documents`, `gift`, `sale_of_goods`, `commercial_sample`, `returned_goods`, `other`.
    pub category: String,
}

/// `compare_services` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareResponse {
    /// The posting date the tariffs and delivery dates were computed for (YYYY-MM-DD).
    pub as_of: String,
    /// Cheapest first.
    pub options: Vec<ServiceQuote>,
    pub excluded: Vec<ExcludedService>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceQuote {
    pub id: String,
    pub name_en: String,
    pub name_zh_hk: String,
    /// Tariff price, HK$, as a decimal string ("88.44").
    pub estimate: String,
    /// What the counter charges: rounded down to HK$0.10.
    pub counter: String,
    /// `lastUpdateDate` of the rate file used (YYYY-MM-DD): shown, because files age.
    pub tariff_date: String,
    /// Where that file came from, in words ("bundled", "fetched 2026-12-05", "file x.json").
    pub tariff_source: String,
    /// The file is older than the stale age or known to be superseded: say so by the price.
    pub tariff_stale: bool,
    pub delivery: Option<DeliveryDto>,
}

/// One tariff file the app knows (`list_tariffs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffFileDto {
    pub name: String,
    /// The file's `lastUpdateDate` (YYYY-MM-DD).
    pub last_update: String,
    /// `bundled`, `fetched`, `file` or `peer`.
    pub source: String,
    /// The URL or file name it came from, and when it was fetched ("" for bundled files).
    pub origin: String,
    /// Open-data service codes (`AIR_ORD,SUR_ORD`).
    pub services: String,
    /// Some of its tariffs are the ones in force today.
    pub in_force: bool,
    pub stale: bool,
    /// Why a bundled file is known to be out of date.
    pub superseded: Option<String>,
}

/// `list_tariffs` response (and part of a check's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffsDto {
    /// Today (YYYY-MM-DD).
    pub as_of: String,
    /// The newest `lastUpdateDate` in force today.
    pub newest: String,
    /// Some tariff in force today is stale.
    pub stale: bool,
    /// Months after which a tariff is called stale.
    pub stale_after_months: u32,
    /// Where "Check for new tariffs" asks.
    pub base_url: String,
    /// Newest first.
    pub files: Vec<TariffFileDto>,
}

/// One change a new tariff makes, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffChangeDto {
    pub service: String,
    pub destination: String,
    pub name_en: String,
    /// What moved ("0–20 g: HK$3.40 → HK$3.70").
    pub what: String,
    /// By how much, HK$ ("+0.30"), where one price became another.
    pub delta: Option<String>,
}

/// One file a check or a load brought in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffNewDto {
    pub name: String,
    pub last_update: String,
    pub changes: Vec<TariffChangeDto>,
}

/// One file a check could not use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffProblemDto {
    pub name: String,
    pub error: String,
}

/// `check_tariffs` / `load_tariff_file` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffCheckDto {
    pub new_files: Vec<TariffNewDto>,
    pub unchanged: u32,
    pub problems: Vec<TariffProblemDto>,
    /// The tariffs in use after the check.
    pub tariffs: TariffsDto,
}

/// `check_tariffs` request: the open-data address to ask, saved as the setting when given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckTariffsRequest {
    pub base_url: Option<String>,
}

/// `load_tariff_file` request: a file the merchant chose, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadTariffRequest {
    pub name: String,
    pub json: String,
}

/// A stated delivery window and the dates it gives from the posting date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryDto {
    pub min_days: u16,
    pub max_days: u16,
    pub rule: String,
    pub earliest: String,
    pub latest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedService {
    pub id: String,
    pub name_en: String,
    pub name_zh_hk: String,
    pub reason: ExclusionReason,
}

/// Why a service cannot carry the item; the UI words it in the merchant's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExclusionReason {
    UsGoodsSuspended,
    LocalOnly,
    InternationalOnly,
    NoTariff,
    NotServed,
    OverLimit { limit_g: u32 },
    AmbiguousRate,
    OverSize { rule: String },
    InvalidDestination,
    NoStep,
}

/// The request of commands that need no input (`list_contact_tags`, `export_contacts`): still
/// one argument named `request`, so every call has the same shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoRequest {}

/// A request naming one stored record (`get_contact`, `delete_contact`, `get_shipment`,
/// `copy_shipment`, `delete_shipment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRequest {
    pub id: String,
}

/// One problem the rules engine (or the application layer's input check) found, already worded in
/// both languages so the screen, the CSV report and the CLI say the same thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemDto {
    /// Stable machine code, e.g. `S-001.name_missing`; `input.*` for a value the shell could
    /// not read (a price that is not a number), which has no domain rule.
    pub code: String,
    /// The rule id (`R-049`, `S-001`); empty for `input.*` problems.
    pub rule: String,
    /// Path of the field: `recipient.name`, `customs.lines[0].hs_code`; for a contact the
    /// path is relative to the address (`name`, `lines`, `country`).
    pub field: String,
    /// Errors block "ready"; warnings are shown and may be accepted.
    pub error: bool,
    pub message_en: String,
    pub message_zh_hk: String,
}

// ---------------------------------------------------------------------------------------------
// Address book
// ---------------------------------------------------------------------------------------------

/// Recipient or sender profile (a Hong Kong return address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Recipient,
    Sender,
}

/// A name and address, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartyDto {
    pub name: String,
    pub company: String,
    /// Street lines, first line first; empty lines are dropped when a contact is saved.
    pub lines: Vec<String>,
    pub city: String,
    pub state: String,
    pub postcode: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub phone: String,
    pub email: String,
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDto {
    pub id: String,
    pub kind: ContactKind,
    pub party: PartyDto,
    pub notes: String,
    pub tags: Vec<String>,
    /// Sender profiles only: preselected for new shipments.
    pub is_default: bool,
}

/// `search_contacts` request: what was typed (any part of a name, address, phone or e-mail,
/// in Latin or Chinese script), optionally narrowed by kind and tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSearchRequest {
    pub text: String,
    pub kind: Option<ContactKind>,
    pub tag: Option<String>,
    /// At most this many; 0 lets the store choose (up to 1,000).
    pub limit: u32,
}

/// `save_contact` request: creates a contact when `id` is `None`, else replaces that one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveContactRequest {
    pub id: Option<String>,
    pub kind: ContactKind,
    pub party: PartyDto,
    pub notes: String,
    pub tags: Vec<String>,
    pub is_default: bool,
}

/// `save_contact` response: the stored contact, or the problems that kept it from being
/// stored (each names its field, so the form shows it in place).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaveContactResponse {
    // Boxed: a contact is much larger than the list of problems (clippy::large_enum_variant).
    Saved { contact: Box<ContactDto> },
    Invalid { problems: Vec<ProblemDto> },
}

// ---------------------------------------------------------------------------------------------
// CSV import and export
// ---------------------------------------------------------------------------------------------

/// What a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportTable {
    Contacts,
    Shipments,
}

/// What to do with a row that matches a stored record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Import nothing for it; list it in the report for the merchant to decide.
    Review,
    KeepExisting,
    Overwrite,
}

/// `preview_import` request. `mapping` has one entry per column of the file (`None`: the
/// column is ignored); `None` lets the shell guess it from the headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewImportRequest {
    pub table: ImportTable,
    pub text: String,
    pub mapping: Option<Vec<Option<String>>>,
    /// An Excel workbook (`.xlsx`) as base64, instead of `text`: read only when it is a shop's
    /// order export (SHOPLINE writes Excel).
    #[serde(default)]
    pub workbook: Option<String>,
}

/// `preview_import` response: the file's columns, the mapping in use, and the first rows
/// checked. Nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub headers: Vec<String>,
    pub mapping: Vec<Option<String>>,
    /// Every field a column can map to, in the order of the export.
    pub fields: Vec<String>,
    pub total_rows: u32,
    /// Rows with at least one error, in the whole file.
    pub rows_with_errors: u32,
    pub rows: Vec<PreviewRow>,
    /// Set when the file is a shop's own order export (issue #14): it is read as orders, with
    /// no column mapping, and the rows above are empty.
    #[serde(default)]
    pub shop: Option<ShopFileDto>,
}

/// What a shop's order export holds, as the import wizard shows it (issue #14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopFileDto {
    /// `shopify`, `woocommerce`, `etsy_orders`, `etsy_items`, `ebay`, `shopline`.
    pub platform: String,
    /// "Shopify order export".
    pub platform_name: String,
    /// Orders that will become drafts, and those that cannot.
    pub orders: u32,
    pub line_items: u32,
    /// Drafts with no error: their SKUs known, every rule met.
    pub complete: u32,
    pub with_problems: u32,
    pub skipped: Vec<SkipCountDto>,
    pub unusable: Vec<UnusableOrderDto>,
    pub unknown_skus: Vec<UnknownSkuDto>,
}

/// Lines of a shop export left out for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkipCountDto {
    /// `cancelled`, `refunded`, `fulfilled`, `not_shipping`, `unpaid`.
    pub reason: String,
    pub count: u32,
}

/// An order that cannot become a shipment (no address), with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusableOrderDto {
    pub line: u32,
    pub order: String,
    pub reason: String,
}

/// A SKU the catalogue does not know yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownSkuDto {
    pub sku: String,
    /// What the shop calls it.
    pub title: String,
    /// Orders that use it.
    pub orders: u32,
}

/// One product of the catalogue (issue #14). Money as decimal text, weight in grams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDto {
    pub sku: String,
    pub description_en: String,
    pub description_zh: String,
    pub hs_code: String,
    pub origin: String,
    pub unit_weight_g: u32,
    pub unit_value: String,
    pub currency: String,
    /// A content category id (`sale_of_goods`, `gift`, ...).
    pub category: String,
    /// May go to the EU, Switzerland and Norway as written (plain English, R-069).
    pub eu_ok: bool,
}

/// How an imported order becomes a draft (issue #14): packaging, boxes, which service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingDefaultsDto {
    /// Added to the goods' weight when no box is named.
    pub packaging_g: u32,
    /// Service ids in order of preference; empty: the cheapest that can carry the item.
    pub prefer: Vec<String>,
    /// A preference for one destination, used instead of `prefer` there.
    pub prefer_by_destination: Vec<DestinationPreferenceDto>,
    /// Named boxes; the first is the one imported orders are drafted in.
    pub boxes: Vec<BoxDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationPreferenceDto {
    pub country: String,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxDto {
    pub name: String,
    pub length_mm: u32,
    pub width_mm: u32,
    pub height_mm: u32,
    pub weight_g: u32,
}

/// `import_catalogue` request: a catalogue CSV the merchant chose, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCatalogueRequest {
    pub text: String,
}

/// What saving products did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueReportDto {
    pub saved: u32,
    /// Imported drafts whose unknown lines the products filled.
    pub drafts_completed: u32,
    /// Rows refused: where, and every problem named by field and rule.
    pub refused: Vec<RefusedRowDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedRowDto {
    pub at: String,
    pub problems: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    /// 1-based data row number.
    pub line: u32,
    pub values: Vec<String>,
    pub problems: Vec<ProblemDto>,
    /// The stored record this row duplicates.
    pub duplicate_of: Option<String>,
}

/// `run_import` request. Progress arrives as [`event::IMPORT_PROGRESS`] events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunImportRequest {
    pub table: ImportTable,
    pub text: String,
    pub mapping: Option<Vec<Option<String>>>,
    pub policy: DuplicatePolicy,
    /// As in [`PreviewImportRequest::workbook`].
    #[serde(default)]
    pub workbook: Option<String>,
}

/// Payload of [`event::IMPORT_PROGRESS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}

/// `run_import` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub total_rows: u32,
    pub imported: u32,
    pub updated: u32,
    pub kept_existing: u32,
    /// Rows held back because they match a stored record (policy `review`).
    pub duplicates: u32,
    pub rejected: u32,
    /// The rows not imported, as CSV with the file's columns plus `errors`; empty when every
    /// row went in.
    pub report_csv: String,
    /// Orders already imported whose draft would not change: left alone (shop exports).
    #[serde(default)]
    pub unchanged: u32,
    /// Set when the file was a shop's order export (issue #14).
    #[serde(default)]
    pub shop: Option<ShopFileDto>,
}

/// A CSV file for the merchant to save (`export_contacts`, `export_shipments`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFile {
    pub file_name: String,
    pub text: String,
}

// ---------------------------------------------------------------------------------------------
// Shipments
// ---------------------------------------------------------------------------------------------

/// Where a shipment is in its life: the core's one lifecycle type, so the store, the window
/// and the CLI cannot spell a state two ways.
pub use satchel_core::lifecycle::{JobErrorKind, JobKind, JobState, ShipmentState};

/// One line of the customs declaration, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentLineDto {
    pub description: String,
    pub quantity: u32,
    pub net_weight_g: u32,
    /// Value of the whole line, a decimal string ("120.50"); empty counts as 0.
    pub value: String,
    /// ISO 4217 (`HKD`).
    pub currency: String,
    pub hs_code: String,
    /// ISO alpha-2 country of origin.
    pub origin_country: String,
}

/// A shipment as the editor holds it. Choice fields are the wire ids (`speedpost`,
/// `sale_of_goods`, `return_by_air`), empty when not chosen yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentDraftDto {
    /// The sender profile the return address was copied from.
    pub sender_id: Option<String>,
    pub sender: PartyDto,
    /// The address-book entry the recipient was copied from, if any.
    pub recipient_id: Option<String>,
    pub recipient: PartyDto,
    pub service: String,
    /// Open-data sub-zone of a split destination; empty means the country itself.
    pub zone: String,
    pub weight_g: u32,
    /// Length, width, height in millimetres, when measured.
    pub dimensions_mm: Option<[u32; 3]>,
    pub category: String,
    /// Required when the category is `other`.
    pub explanation: String,
    pub lines: Vec<ContentLineDto>,
    /// Sum insured in HK$ as a decimal string; empty: no insurance.
    pub insured_value: String,
    /// The merchant's own reference (order number).
    pub reference: String,
    /// What to do if undeliverable: `return_by_air`, `return_by_surface`, `abandon` or empty.
    pub non_delivery: String,
}

/// A service's name, for the editor's service picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceName {
    pub id: String,
    pub name_en: String,
    pub name_zh_hk: String,
}

/// `check_draft` response: every problem with the draft, and the live price comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftCheck {
    pub problems: Vec<ProblemDto>,
    /// Every service that can carry the item, cheapest first; `None` until the destination
    /// and the weight are known.
    pub comparison: Option<CompareResponse>,
    /// Every service with a tariff in force today, for the picker.
    pub services: Vec<ServiceName>,
    /// The priced parts of the destination when it is split (US: New York, Hawaii, ...);
    /// empty otherwise.
    pub zones: Vec<DestinationChoice>,
    /// The cover asked for, when an insured value is entered: premium, cap, exclusions.
    #[serde(default)]
    pub insurance: Option<InsuranceDto>,
}

/// `save_shipment` request: creates a draft when `id` is `None`, else saves an edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveShipmentRequest {
    pub id: Option<String>,
    pub draft: ShipmentDraftDto,
}

/// The quote stored with a shipment, and the rate file it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredQuoteDto {
    pub service: String,
    /// HK$, decimal string.
    pub amount: String,
    /// Effective date of the rate file used (YYYY-MM-DD).
    pub rates_as_of: String,
    pub quoted_on: String,
}

/// A stored shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentDto {
    pub id: String,
    pub state: ShipmentState,
    pub draft: ShipmentDraftDto,
    /// The problems found when it was last saved.
    pub problems: Vec<ProblemDto>,
    pub quote: Option<StoredQuoteDto>,
    /// When it was created, Hong Kong time (YYYY-MM-DD hh:mm).
    pub created: String,
    pub updated: String,
    /// The S10 item number, from EC-Ship or a pre-printed iMail label.
    #[serde(default)]
    pub item_number: Option<String>,
    /// The cover asked for, when there is an insured value: premium, cap and exclusions.
    #[serde(default)]
    pub insurance: Option<InsuranceDto>,
    /// The shipment's calendar: label expiry, trace and claim windows (C-01, R-101, R-106,
    /// ), as of the day the answer was made.
    #[serde(default)]
    pub windows: Vec<WindowDto>,
    /// Every print of its label, oldest first (reprints are free, and logged).
    #[serde(default)]
    pub prints: Vec<LabelPrintDto>,
}

/// One print of a shipment's label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelPrintDto {
    /// Hong Kong time (YYYY-MM-DD hh:mm).
    pub at: String,
    /// Who printed (the computer's user; no customer data).
    pub who: String,
    pub copies: u32,
    /// EC-Ship's own label rather than Satchel's layout.
    pub operator_label: bool,
}

/// The premium of the cover asked for (domain.md §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PremiumDto {
    /// HK$ amount.
    Known { amount: String },
    /// Sources disagree (C-02): a range.
    Unconfirmed { min: String, max: String },
    /// The service has cover but its premium at this amount is not published.
    Unknown,
    /// The service offers no extra cover (R-116 for Registered Mail).
    NotOffered,
}

/// Insurance for one shipment, as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuranceDto {
    pub premium: PremiumDto,
    /// The most the service covers (HK$), when there is a cap.
    pub max_cover: Option<String>,
    /// The rules the figures come from.
    pub rules: String,
    /// The destination is on an exclusion list for this service's cover (C-02).
    pub excluded_destination: bool,
    /// The insured value is more than the cap: the cover cannot be had as asked.
    pub over_cap: bool,
}

/// Which calendar window a [`WindowDto`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// The label must be posted before `closes` (C-01).
    LabelValid,
    /// Tracing or enquiries can be made from `opens` to `closes`.
    Trace,
    /// An e-Express+ claim can be made from `opens` to `closes`.
    Claim,
    /// The Certificate of Posting can be downloaded until `closes`.
    Certificate,
    /// iMail: EC-Ship should show the Item Acceptance Report by `closes`.
    AcceptanceReport,
}

/// One dated window of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowDto {
    pub kind: WindowKind,
    /// First day (YYYY-MM-DD).
    pub opens: String,
    /// Last day it can still be done (YYYY-MM-DD).
    pub closes: String,
    /// `not_yet_open`, `open` or `closed` on the day of the answer.
    pub status: String,
    pub rule: String,
}

/// `list_shipments` and `export_shipments` request. Empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentFilterRequest {
    pub state: Option<ShipmentState>,
    /// Created on or after (YYYY-MM-DD).
    pub from: String,
    /// Created on or before (YYYY-MM-DD).
    pub to: String,
    /// Destination country code.
    pub destination: String,
    /// Only these shipments (a reminder of the home screen); empty means any.
    #[serde(default)]
    pub ids: Vec<String>,
    /// `Some(true)`: only shipments with errors; `Some(false)`: only those without.
    #[serde(default)]
    pub problems: Option<bool>,
}

/// One row of the shipments list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentSummary {
    pub id: String,
    pub state: ShipmentState,
    pub reference: String,
    /// The recipient's name, or company when there is no name.
    pub recipient: String,
    pub destination: String,
    pub service: ServiceName,
    pub weight_g: u32,
    /// The stored quote, HK$.
    pub postage: Option<String>,
    pub errors: u32,
    pub warnings: u32,
    /// Hong Kong time (YYYY-MM-DD hh:mm).
    pub created: String,
    /// The S10 item number, from EC-Ship or a pre-printed iMail label.
    #[serde(default)]
    pub item_number: Option<String>,
    /// The newest EC-Ship job for this shipment, if it ever had one.
    #[serde(default)]
    pub job: Option<JobDto>,
}

/// `set_shipment_state` request (e.g. mark a checked draft ready).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetStateRequest {
    pub id: String,
    pub state: ShipmentState,
}

// ---------------------------------------------------------------------------------------------
// Labels and printing
// ---------------------------------------------------------------------------------------------

/// The label formats, the core's own type (`LabelFormat::ALL` is the order the print panel
/// offers them in).
pub use satchel_core::label_format::LabelFormat;
pub use satchel_core::notes::Note;

/// A print queue, as `list_printers` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterDto {
    /// The queue name, sent back in [`PrintLabelsRequest::printer`].
    pub name: String,
    pub is_default: bool,
    pub state: PrinterStateDto,
    /// Label format ids whose printer profile names this queue (the printer last used for
    /// them), so the print panel can preselect it.
    #[serde(default)]
    pub profile_formats: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterStateDto {
    Idle,
    Printing,
    /// Stopped or refusing jobs: it must be re-enabled in the system settings.
    Disabled,
    Unknown,
}

/// `preview_labels` request: which shipments, on which format, from which position of the
/// first sheet (1-based; 1 for the thermal roll).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelRequest {
    pub shipment_ids: Vec<String>,
    pub format: LabelFormat,
    pub start: u32,
    /// The iMail permit number for the permit impression on Satchel's iMail address labels
    /// empty when no iMail label is among them.
    #[serde(default)]
    pub permit_no: String,
}

/// `preview_labels` response: the first page as SVG, and what the whole run holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelPreview {
    /// A standalone `<svg>` of the first page, text escaped, for inline display.
    pub svg: String,
    pub pages: u32,
    pub labels: u32,
    /// Labels laid out as DRAFT (no item number yet, no barcode).
    pub drafts: u32,
    /// Labels per sheet of this format: the start positions are 1 to this.
    pub per_sheet: u32,
    /// Of `labels`, EC-Ship's own labels: they print as EC-Ship made them, not as previewed
    /// here (the preview shows Satchel's layouts only).
    #[serde(default)]
    pub operator_labels: u32,
    /// The batch's problems, from `validate_batch`.
    #[serde(default)]
    pub problems: Vec<ProblemDto>,
    /// What to know before posting them today.
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// `print_labels` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintLabelsRequest {
    pub shipment_ids: Vec<String>,
    pub format: LabelFormat,
    pub start: u32,
    /// As [`LabelRequest::permit_no`].
    #[serde(default)]
    pub permit_no: String,
    /// A queue name from `list_printers`.
    pub printer: String,
}

/// Where a print run is, for the `print-progress` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintStage {
    /// The PDF is made.
    Rendered,
    /// The spooler accepted the job.
    Sent,
    /// The job reached a final state.
    Done,
}

impl PrintStage {
    /// Its step out of [`PrintProgress::STEPS`], for a progress bar.
    pub fn step(self) -> u32 {
        match self {
            PrintStage::Rendered => 1,
            PrintStage::Sent => 2,
            PrintStage::Done => 3,
        }
    }
}

/// `print-progress` payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintProgress {
    pub stage: PrintStage,
    pub pages: u32,
    /// The spooler's job id, once sent.
    pub job_id: Option<i32>,
}

impl PrintProgress {
    pub const STEPS: u32 = 3;
}

/// What the spooler says became of a job (the IPP job states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintJobState {
    Pending,
    Held,
    Processing,
    Stopped,
    Canceled,
    Aborted,
    Completed,
}

/// `print_labels` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintResult {
    pub job_id: i32,
    pub printer: String,
    pub state: PrintJobState,
    pub pages: u32,
    pub labels: u32,
    /// Labels printed as DRAFT (no item number yet).
    pub drafts: u32,
    /// Shipments moved from numbered to printed (only when every label had an item number
    /// and the job completed).
    pub marked_printed: u32,
    /// Of `labels`, how many were EC-Ship's own labels, printed unchanged.
    #[serde(default)]
    pub operator_labels: u32,
    /// Every job of the run, in the order sent: Satchel's labels (if any) first, then one
    /// job per EC-Ship label. `job_id` is the last of them.
    #[serde(default)]
    pub job_ids: Vec<i32>,
    /// Characters the label font could not draw (they print as boxes); empty when all fit.
    pub missing_glyphs: String,
}

// ---------------------------------------------------------------------------------------------
// iMail posting documents
// ---------------------------------------------------------------------------------------------

/// The documents of an iMail posting: the merchant's posting statement, the A6 bag labels
/// and the certificate of posting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostingDoc {
    /// The merchant's own posting list (the official Posting Statement Pos 487R is prepared
    /// on EC-Ship, R-146).
    Statement,
    BagLabels,
    /// The merchant's own list of items posted.
    Certificate,
    /// EC-Ship's official Certificate of Posting (`getCOP`), printed as EC-Ship makes it.
    EcshipCertificate,
}

impl PostingDoc {
    /// In the order the posting panel offers them.
    pub const ALL: [PostingDoc; 4] = [
        Self::Statement,
        Self::BagLabels,
        Self::Certificate,
        Self::EcshipCertificate,
    ];

    /// The stable id (`bag_labels`).
    pub fn id(self) -> &'static str {
        match self {
            Self::Statement => "statement",
            Self::BagLabels => "bag_labels",
            Self::Certificate => "certificate",
            Self::EcshipCertificate => "ecship_certificate",
        }
    }

    /// True for the documents EC-Ship makes (fetched, not drawn by Satchel).
    pub fn from_ecship(self) -> bool {
        self == Self::EcshipCertificate
    }

    pub fn from_id(id: &str) -> Option<PostingDoc> {
        Self::ALL.into_iter().find(|d| d.id() == id.trim())
    }
}

/// `preview_posting` request: which iMail shipments make the posting, under which permit, on
/// which day, and which document to show. The shell forms the bags (one destination per bag,
/// R-148, split at the bag limit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingRequest {
    pub shipment_ids: Vec<String>,
    pub permit_no: String,
    /// `YYYY-MM-DD`; empty means today in Hong Kong.
    pub date: String,
    pub doc: PostingDoc,
}

/// `preview_posting` response: the first page as SVG and what the posting holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingPreview {
    /// A standalone `<svg>` of the document's first page.
    pub svg: String,
    pub pages: u32,
    pub items: u32,
    pub bags: u32,
    /// The date of posting used (`YYYY-MM-DD`), so an empty request date shows as today.
    pub date: String,
    /// The posting's problems by the operator's rules; printing
    /// is refused while any is an error.
    #[serde(default)]
    pub problems: Vec<ProblemDto>,
    /// What to know before posting on the date of posting.
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// `set_severe_weather` request: mark (`on`) or unmark a day (YYYY-MM-DD) as one with a Black
/// Rainstorm Warning or Signal No. 8+ hoisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SevereWeatherRequest {
    pub date: String,
    pub on: bool,
}

/// The days marked as severe weather, and today in Hong Kong (so the window can mark today
/// without a clock of its own). Dates are YYYY-MM-DD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SevereWeatherDto {
    pub today: String,
    pub days: Vec<String>,
}

/// `print_posting` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintPostingRequest {
    pub posting: PostingRequest,
    /// A queue name from `list_printers`.
    pub printer: String,
}

/// `print_posting` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingPrintResult {
    pub job_id: i32,
    pub printer: String,
    pub state: PrintJobState,
    pub pages: u32,
    /// Characters the font could not draw (they print as boxes); empty when all fit.
    pub missing_glyphs: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_wire_names() {
        for s in ShipmentState::ALL {
            assert_eq!(ShipmentState::from_id(s.id()), Some(s));
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(json.as_str(), Some(s.id()), "serde and as_str agree");
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let secret = "4827-SECRET-9913";
        let printed = [
            format!("{:?}", UnlockRequest { pin: secret.into() }),
            format!(
                "{:?}",
                SetLockRequest {
                    idle_minutes: 5,
                    pin: Some(secret.into())
                }
            ),
            format!(
                "{:?}",
                JoinRequest {
                    hub_url: "https://hub.example".into(),
                    code: secret.into()
                }
            ),
            format!(
                "{:?}",
                RestoreRequest {
                    hub_url: "https://hub.example".into(),
                    phrase: secret.into(),
                    device_label: "Shop laptop".into()
                }
            ),
            format!(
                "{:?}",
                PairingOfferDto {
                    code: secret.into(),
                    qr_svg: format!("<svg>{secret}</svg>"),
                    expires: "10:15".into()
                }
            ),
            format!(
                "{:?}",
                SyncAccountCreated {
                    recovery_phrase: secret.into(),
                    status: SyncStatusDto::default()
                }
            ),
            format!(
                "{:?}",
                SaveEcshipSettingsRequest {
                    settings: EcshipSettingsDto::default(),
                    api_key: Some(secret.into())
                }
            ),
        ];
        for p in &printed {
            assert!(!p.contains(secret), "a secret leaked into Debug: {p}");
            assert!(p.contains("<redacted>"), "{p}");
        }
        // What is not secret still helps a bug report.
        assert!(printed[2].contains("hub.example"), "{}", printed[2]);
    }
}

// ---------------------------------------------------------------------------------------------
// EC-Ship (issue #7)
// ---------------------------------------------------------------------------------------------

/// The merchant's EC-Ship connection. The integrator username and the API key live in the OS
/// keychain; everything else is an ordinary setting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcshipSettingsDto {
    /// SOAP base URL, e.g. `https://service.hongkongpost.hk/API-trial/services`.
    pub base_url: String,
    /// Base URL of the 2024 REST tracking API (unknown publicly: domain.md §13).
    pub tracking_base_url: String,
    /// Portal account (`ecshipUsername`).
    pub ecship_username: String,
    /// `hkpId`, when the account uses one.
    pub hkp_id: String,
    /// Which identity the body carries: `ecship_username`, `hkp_id` or `both`.
    pub identity: String,
    /// API user (`integratorUsername`); kept in the keychain.
    pub integrator_username: String,
    /// `getItemNo` search type for "by reference" and its sort order: needed to look an order
    /// up before retrying, and not publicly documented (domain.md §13).
    pub search_type: String,
    pub sort_order: String,
    /// `shipCode` per service family (`imail`, `surface_parcel`, …) where the merchant set
    /// one; empty means the public clients' code, if any (domain.md §10.7, §13.1).
    #[serde(default)]
    pub ship_codes: BTreeMap<String, String>,
    /// `nonDeliveryOptions` per instruction id; empty means the unverified default.
    #[serde(default)]
    pub non_delivery: BTreeMap<String, String>,
    /// `soaz` (default) or `posting`: how Speedpost orders are made (§13.1).
    #[serde(default)]
    pub speedpost_route: String,
    /// createSoazOrder `service`; empty means `SPGDE` (unverified).
    #[serde(default)]
    pub soaz_service: String,
}

/// Where a code EC-Ship needs comes from, so the screen can say how sure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeSource {
    /// The merchant entered it.
    Configured,
    /// Seen in public EC-Ship clients; to verify on the trial endpoint.
    PublicClient,
    /// No public source: a placeholder to verify on the trial endpoint.
    Unverified,
    /// None known: the service cannot be submitted until one is entered.
    Missing,
}

/// One code the EC-Ship screen lists: a service's `shipCode` or an instruction's
/// `nonDeliveryOptions`, the value in use and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRowDto {
    /// `ship_code` or `non_delivery`.
    pub table: String,
    /// The service family or instruction id.
    pub key: String,
    /// The value in use; empty when missing.
    pub value: String,
    /// The value used when the merchant enters none.
    pub default: String,
    pub source: CodeSource,
}

/// `get_ecship_settings` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcshipSettingsView {
    pub settings: EcshipSettingsDto,
    /// Whether an API key is stored (the key itself never leaves the keychain).
    pub has_api_key: bool,
    /// Which keychain holds the secrets (e.g. "Secret Service"), or why none is usable.
    pub keychain: String,
    pub keychain_ok: bool,
    /// Every code a submission needs, with its source (domain.md §13: tables not public).
    #[serde(default)]
    pub codes: Vec<CodeRowDto>,
}

/// `save_ecship_settings` request. `api_key: None` keeps the stored key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveEcshipSettingsRequest {
    pub settings: EcshipSettingsDto,
    pub api_key: Option<String>,
}
redacted_debug!(SaveEcshipSettingsRequest { settings } secret { api_key });

/// One EC-Ship job (a submission or a cancellation) as the shipments list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobDto {
    pub kind: JobKind,
    pub state: JobState,
    pub attempts: u32,
    /// EC-Ship's own error text, or what went wrong on the way.
    pub error: Option<String>,
    /// Who said no: EC-Ship, the network, or Satchel's own setup.
    pub error_kind: Option<JobErrorKind>,
    /// A submission's price of record, HK$ ("88.40"): EC-Ship's `getTotalPostage` as the
    /// merchant accepted it before submitting (issue #16). `None` when it was not asked.
    #[serde(default)]
    pub price_of_record: Option<String>,
}

/// What one round of the outbox worker did with a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmitOutcome {
    /// EC-Ship made the order; the item number is in the progress.
    Numbered,
    /// EC-Ship cancelled the order.
    Cancelled,
    /// No answer: tried again later.
    WillRetry,
    /// EC-Ship said no, in its own words.
    Failed,
}

/// What cancelling a shipment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelOutcome {
    /// It had not been sent: taken back locally and ready again, no network needed.
    Withdrawn,
    /// A cancellation goes to EC-Ship.
    Queued,
    /// A cancellation was already waiting.
    AlreadyQueued,
}

/// `confirm_postage` request: the shipments about to be submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmPostageRequest {
    pub ids: Vec<String>,
}

/// EC-Ship's price for one shipment (`getTotalPostage`) next to the one Satchel computed from
/// the tariff files, asked just before submitting: the operator's figure is the price of
/// record (issue #16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostageCheckDto {
    pub id: String,
    /// The shipment's reference, else its recipient: what the merchant recognises.
    pub label: String,
    /// Satchel's estimate, HK$ ("88.40"), when the draft was priced.
    pub satchel: Option<String>,
    /// EC-Ship's total (postage plus additional charge), HK$, when it answered.
    pub ecship: Option<String>,
    /// Both figures are known and not the same.
    pub differs: bool,
    /// Why EC-Ship's figure is missing (its words, or "not asked" for iMail).
    pub error: Option<String>,
}

/// `submit_shipments` request: the ids of the shipments to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitRequest {
    pub ids: Vec<String>,
    /// The merchant has read the EDI privacy notice shown before the first
    /// submission of international items; saved once accepted.
    #[serde(default)]
    pub accept_edi_notice: bool,
}

/// A shipment that could not be queued, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub id: String,
    pub reason: String,
}

/// `submit_shipments` response: what was queued now. Results arrive as
/// [`event::SUBMIT_PROGRESS`] events and in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitResponse {
    pub queued: u32,
    /// Already had a job waiting (pressed twice): not queued again.
    pub already_queued: u32,
    pub refused: Vec<Refusal>,
    /// The batch's problems, from `validate_batch`: warnings
    /// shown with the result, never a reason to hold the batch back.
    #[serde(default)]
    pub problems: Vec<ProblemDto>,
    /// What to know before posting the batch today.
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// One job finished a round in the outbox worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitProgress {
    pub shipment_id: String,
    pub outcome: SubmitOutcome,
    pub item_number: Option<String>,
    pub error: Option<String>,
    /// Jobs still open after this one.
    pub remaining: u32,
}

/// `cancel_submission` response: what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelResponse {
    pub outcome: CancelOutcome,
}

/// One tracking event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingEventDto {
    /// Hong Kong time as EC-Ship gave it (YYYY-MM-DD hh:mm).
    pub at: String,
    pub code: String,
    pub description: String,
    pub location: String,
}

/// `get_tracking` / `refresh_tracking` response: the timeline, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingDto {
    pub shipment_id: String,
    pub item_number: Option<String>,
    pub events: Vec<TrackingEventDto>,
    /// Why a refresh did not happen (offline, not set up); the stored timeline still shows.
    pub error: Option<CommandError>,
}

/// `attach_item_number` request: the number of a pre-printed iMail barcode label,
/// typed or scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachItemRequest {
    pub id: String,
    pub item_number: String,
}

// ---------------------------------------------------------------------------------------------
// Sync (issue #6)
// ---------------------------------------------------------------------------------------------

/// One sync attempt, for the history list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRunDto {
    /// Hong Kong time (YYYY-MM-DD hh:mm:ss).
    pub at: String,
    pub pushed: u32,
    pub pulled: u32,
    /// Why it failed; `None` when it worked.
    pub error: Option<String>,
}

/// `get_sync_status` response and `sync-status` event payload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatusDto {
    /// Linked to a sync account on a hub.
    pub linked: bool,
    pub hub_url: Option<String>,
    /// When a sync last finished without error, Hong Kong time; `None`: never.
    pub last_synced: Option<String>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// Local changes not yet on the hub.
    pub pending: u64,
    /// A sync is running now.
    pub running: bool,
    /// While running: changes sent and received so far (a long first sync shows it moving).
    #[serde(default)]
    pub progress: Option<SyncRunDto>,
    /// The most recent attempts of this app session, newest first.
    pub history: Vec<SyncRunDto>,
    /// A device was removed, so the account has a new key and a new recovery phrase that
    /// this device has not shown yet (issue #18): the written one no longer works.
    #[serde(default)]
    pub phrase_changed: bool,
    /// Joined with a typed code and waiting for approval on the device that showed it: the
    /// fingerprint this device shows (issue #18).
    #[serde(default)]
    pub awaiting_approval: Option<String>,
}

/// `show_recovery_phrase` response: the current 24 words.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryPhraseDto {
    pub phrase: String,
}
redacted_debug!(RecoveryPhraseDto {} secret { phrase });

/// `create_sync_account` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSyncAccountRequest {
    pub hub_url: String,
    /// What this device is called in the device list ("Shop laptop").
    pub device_label: String,
}

/// `create_sync_account` and `restore_with_phrase` response.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncAccountCreated {
    /// The 24 recovery words, shown once: the only way back to the data if every device is
    /// lost. Never stored by the app.
    pub recovery_phrase: String,
    pub status: SyncStatusDto,
}
redacted_debug!(SyncAccountCreated { status } secret { recovery_phrase });

/// `offer_pairing` request: the name of the device about to be linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferPairingRequest {
    pub device_label: String,
}

/// `offer_pairing` response: what the first device shows.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingOfferDto {
    /// `XXXXX-XXXXX`, typed on the new device.
    pub code: String,
    /// The same as a QR code (SVG markup), for a phone's camera.
    pub qr_svg: String,
    /// Hong Kong time after which the code no longer works.
    pub expires: String,
}
redacted_debug!(PairingOfferDto { expires } secret { code, qr_svg });

/// `join_with_code` request, on the new device.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub hub_url: String,
    pub code: String,
}
redacted_debug!(JoinRequest { hub_url } secret { code });

/// `restore_with_phrase` request: a device whose keys are lost gets back in with the phrase.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreRequest {
    pub hub_url: String,
    pub phrase: String,
    pub device_label: String,
}
redacted_debug!(RestoreRequest { hub_url, device_label } secret { phrase });

/// One device of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceDto {
    pub id: String,
    pub label: String,
    /// Hong Kong time.
    pub created: String,
    pub revoked: bool,
    /// The device this app runs on.
    pub current: bool,
    /// The device took this device's typed code and asks to join (issue #18): the fingerprint
    /// its screen should show. Approve only if it does.
    #[serde(default)]
    pub join_fingerprint: Option<String>,
    /// Approved already: it gets the key at its next sync.
    #[serde(default)]
    pub join_approved: bool,
    /// A removal a newer device asked for, waiting (issue #18): when it takes effect (Hong Kong
    /// time) and which device asked (its label), so the owner can remove that one first.
    #[serde(default)]
    pub removal_at: Option<String>,
    #[serde(default)]
    pub removal_asked_by: Option<String>,
}

/// `revoke_device` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeDeviceRequest {
    pub device_id: String,
}

/// `approve_device` request: let in a device that asks to join (issue #18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproveDeviceRequest {
    pub device_id: String,
    /// The fingerprint the merchant compared; refused if the device no longer shows it.
    pub fingerprint: String,
}

/// `revoke_device` response.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRevoked {
    pub devices: Vec<DeviceDto>,
    /// The account moved to a new key the removed device never gets (issue #18), so the
    /// recovery phrase changed: the new one, shown once. `None` when no rotation ran yet.
    pub new_recovery_phrase: Option<String>,
    /// The device joined before this one: the removal waits until then (Hong Kong time).
    pub pending_until: Option<String>,
}
redacted_debug!(DeviceRevoked { devices, pending_until } secret { new_recovery_phrase });

// ---------------------------------------------------------------------------------------------
// App lock (issue #6: "app lock after idle")
// ---------------------------------------------------------------------------------------------

/// `get_lock_settings` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockSettingsDto {
    /// Minutes without input before the app locks; 0: never.
    pub idle_minutes: u32,
    /// A PIN is set (the PIN itself never leaves the keychain).
    pub has_pin: bool,
    /// The shell is refusing every command but the lock's own until the PIN is typed.
    #[serde(default)]
    pub locked: bool,
}

/// `set_lock` request. `pin: None` keeps the current PIN; `idle_minutes: 0` turns the lock off.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetLockRequest {
    pub idle_minutes: u32,
    pub pin: Option<String>,
}
redacted_debug!(SetLockRequest { idle_minutes } secret { pin });

/// `unlock` request.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockRequest {
    pub pin: String,
}
redacted_debug!(UnlockRequest {} secret { pin });

// ---------------------------------------------------------------------------------------------
// The home screen ("Today") and the first-run setup (issue #15)
// ---------------------------------------------------------------------------------------------

/// One line of the day's work, in the order a merchant does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HomeLine {
    /// Drafts with errors to fix.
    Problems,
    /// Drafts without errors, to check and mark ready.
    Drafts,
    /// Ready to submit to EC-Ship.
    Ready,
    /// Sent to EC-Ship, waiting for its answer.
    Waiting,
    /// Numbered by EC-Ship: its label is to print.
    ToPrint,
    /// Printed: to take to the post office.
    ToPost,
    /// Posted and not yet delivered or returned.
    InTransit,
}

impl HomeLine {
    pub const ALL: [HomeLine; 7] = [
        Self::Problems,
        Self::Drafts,
        Self::Ready,
        Self::Waiting,
        Self::ToPrint,
        Self::ToPost,
        Self::InTransit,
    ];

    /// The stable id (`to_print`), as the CLI prints it and the page's element ids use it.
    pub fn id(self) -> &'static str {
        match self {
            Self::Problems => "problems",
            Self::Drafts => "drafts",
            Self::Ready => "ready",
            Self::Waiting => "waiting",
            Self::ToPrint => "to_print",
            Self::ToPost => "to_post",
            Self::InTransit => "in_transit",
        }
    }
}

/// How many shipments a [`HomeLine`] holds, and the list that shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeCount {
    pub line: HomeLine,
    pub count: u32,
    pub filter: ShipmentFilterRequest,
}

/// A dated reminder: a label about to expire, a trace window opening, a claim deadline near.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderDto {
    pub kind: WindowKind,
    pub shipment_id: String,
    pub reference: String,
    pub item_number: Option<String>,
    /// The day that matters (YYYY-MM-DD): the last day to post or claim, or the day tracing opens.
    pub date: String,
    /// Days from today to `date` (0: today; negative: it opened that many days ago).
    pub days: i64,
    pub rule: String,
}

/// `get_home` answer: what needs doing today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeDto {
    /// Today in Hong Kong (YYYY-MM-DD).
    pub today: String,
    /// The time now in Hong Kong (hh:mm, 24-hour).
    pub now: String,
    pub counts: Vec<HomeCount>,
    /// Soonest first.
    pub reminders: Vec<ReminderDto>,
    /// The list of every reminded shipment.
    pub reminders_filter: ShipmentFilterRequest,
    /// What to know before posting today's printed items (cut-off times, closures).
    pub posting_notes: Vec<Note>,
    /// The newest tariff in force (YYYY-MM-DD), and whether it is older than the app expects.
    pub tariff_newest: String,
    pub tariff_stale: bool,
    /// No default sender profile yet: the first-run setup has not been finished.
    pub needs_setup: bool,
}

/// What the first-run setup has gathered so far; kept as typed so that it can be left and
/// resumed without losing anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupDraftDto {
    /// The step shown last (0: language, 1: sender, 2: preferences, 3: online services).
    pub step: u8,
    /// `en` or `zh-HK`.
    pub locale: String,
    pub sender: PartyDto,
}

/// `get_setup` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStateDto {
    /// There is no default sender profile: the app opens on the setup.
    pub needs_setup: bool,
    /// What was typed before, if the setup was left unfinished.
    pub draft: Option<SetupDraftDto>,
}

/// `finish_setup` answer: the sender profile saved as the default, or what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FinishSetupResponse {
    Saved { contact: Box<ContactDto> },
    Invalid { problems: Vec<ProblemDto> },
}
