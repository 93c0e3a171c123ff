//! The command-line grammar, declared in one place so `--help` and the parser cannot drift.
//!
//! Every value with a format (weight, dimensions, date, service, category, language) is
//! parsed here by a `value_parser`, so a bad value is a clap usage error: it names the
//! argument, shows the usage line and exits with 2 before any work is done.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{ArgGroup, Args, Parser, Subcommand};
use satchel_core::model::{ContentCategory, Dimensions, Grams};
use satchel_core::service::Service;
use satchel_core::validate::Locale;

use crate::parse;

/// Offline postage quotes, service comparison and shipment checks for Hongkong Post.
#[derive(Debug, Parser)]
#[command(name = "satchel", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 ok; 1 the input was checked and has problems \
    (invalid item number, validation errors, no service can carry the item); \
    2 bad usage or unreadable input."
)]
pub struct Cli {
    /// Add an open-data rate file (postageRate-*.json) to the bundled tariffs for this run.
    /// Repeatable. A file replaces a bundled version of the same service and date.
    #[arg(long = "rates", value_name = "FILE", global = true)]
    pub rates: Vec<PathBuf>,

    /// Print machine-readable JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,

    /// The local database (default: $SATCHEL_DB, else the desktop app's own file, e.g.
    /// ~/.local/share/app.satchel.desktop/satchel.db on Linux).
    #[arg(long, value_name = "FILE", global = true, env = "SATCHEL_DB")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// What needs doing today: drafts with problems, ready to submit, to print, to post, in
    /// transit, and the reminders (labels expiring, tracing opening, claims closing).
    Today,
    /// Price one item with one service, or with every service that can carry it.
    Quote(QuoteArgs),
    /// Every service for one item, cheapest first, with the ones excluded and why.
    Compare(ItemArgs),
    /// Check an S10 item number (e.g. LX123456785HK): format and check digit.
    CheckItem(CheckItemArgs),
    /// Check a shipment (or a JSON array of shipments) against every rule.
    Validate(ValidateArgs),
    /// The postage rate files: list them, or check a newer one.
    #[command(subcommand)]
    Rates(RatesCommand),
    /// The address book: import or export CSV, search.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Shipments in the local database: list, export, import CSV or a shop's order export.
    #[command(subcommand)]
    Shipments(ShipmentsCommand),
    /// The product catalogue that fills imported orders' customs lines: import, export, list.
    #[command(subcommand)]
    Catalogue(CatalogueCommand),
    /// Lay out labels for stored shipments and write them as PDF or ZPL. Shipments without an
    /// item number print as DRAFT, without a barcode.
    Labels(LabelsArgs),
    /// An iMail posting's documents as a PDF: the posting statement, the bag labels or the
    /// certificate of posting, with bags formed one destination each (as the app does).
    Posting(PostingArgs),
    /// Send a label file to a printer: a PDF to a CUPS queue, ZPL to a raw queue (--raw) or
    /// straight to a network thermal printer (--zpl-to).
    Print(PrintArgs),
    /// The print queues the system knows, with their state.
    Printers,
    /// The EC-Ship connection: save the settings and credentials, or show them and the outbox.
    #[command(subcommand)]
    Ecship(EcshipCommand),
    /// Send shipments to EC-Ship and wait for their item numbers. Without ids, only waits for
    /// the submissions already queued.
    #[command(
        after_help = "Exit codes: 0 every submission got its item number; 1 a \
    shipment was refused, EC-Ship said no, or the wait ran out first (the outbox keeps the \
    rest: run `satchel submit` again); 2 bad usage, or EC-Ship is not set up."
    )]
    Submit(SubmitArgs),
    /// Fetch tracking events from EC-Ship, store them and print each timeline. Offline, prints
    /// the stored timeline with a note and exits 1.
    Track(TrackArgs),
    /// Cancel a shipment's EC-Ship order: a submission not sent yet is withdrawn, an order
    /// EC-Ship made is cancelled there (numbered or printed items, not yet posted).
    Cancel(CancelArgs),
    /// Sync this device's address book and shipments with the merchant's other devices,
    /// end-to-end encrypted through a sync hub.
    #[command(subcommand)]
    Sync(crate::commands::sync::SyncCommand),
}

/// Which account name EC-Ship expects in each request (domain.md §10.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IdentityArg {
    #[value(name = "ecship_username")]
    EcshipUsername,
    #[value(name = "hkp_id")]
    HkpId,
    Both,
}

impl IdentityArg {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityArg::EcshipUsername => "ecship_username",
            IdentityArg::HkpId => "hkp_id",
            IdentityArg::Both => "both",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum EcshipCommand {
    /// Save the EC-Ship settings; the integrator username and the API key go to the system
    /// keychain, never to a file.
    ///
    /// The API key is read from stdin, never from the command line (arguments show in `ps`
    /// and in the shell history): `satchel ecship setup ... < key.txt`, or type or paste it
    /// when asked. With an empty stdin the stored key is kept.
    Setup(Box<SetupArgs>),
    /// The saved settings (the API key only as "stored" or "missing"), the keychain in use,
    /// and the outbox: submissions still open and the ones EC-Ship refused, with its text.
    Status,
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The EC-Ship SOAP service address, trial or production, e.g.
    /// https://service.hongkongpost.hk/API-trial/services.
    #[arg(long, value_name = "URL", value_parser = parse::http_url)]
    pub base_url: String,
    /// The REST tracking API address (optional; without it tracking uses getTTInfo).
    #[arg(long, value_name = "URL", value_parser = parse::http_url)]
    pub tracking_base_url: Option<String>,
    /// Your EC-Ship portal account name.
    #[arg(long, value_name = "NAME")]
    pub ecship_username: Option<String>,
    /// Your HKP id.
    #[arg(long, value_name = "ID")]
    pub hkp_id: Option<String>,
    /// Which account name EC-Ship expects: ecship_username, hkp_id or both.
    #[arg(
        long,
        value_enum,
        value_name = "WHICH",
        default_value = "ecship_username"
    )]
    pub identity: IdentityArg,
    /// The integrator username EC-Ship issued for the API (not the portal login).
    #[arg(long, value_name = "NAME")]
    pub integrator_username: String,
    /// getItemNo's searchType for a lookup by refNo (not public, domain.md §13). Without it a
    /// submission whose reply was lost cannot be checked and fails instead of being resent.
    #[arg(long, value_name = "CODE", requires = "sort_order")]
    pub search_type: Option<String>,
    /// getItemNo's sortOrder, with --search-type.
    #[arg(long, value_name = "CODE", requires = "search_type")]
    pub sort_order: Option<String>,
    /// A service's shipCode, e.g. `imail=XXX` or `surface_parcel=XXX` (repeatable). EC-Ship
    /// publishes no code table (domain.md §13): services without a public code need one
    /// before they can be submitted; the others default to the public clients' codes.
    #[arg(long = "ship-code", value_name = "SERVICE=CODE", value_parser = parse::code_pair)]
    pub ship_codes: Vec<(String, String)>,
    /// A non-delivery instruction's nonDeliveryOptions code, e.g. `abandon=3` (repeatable;
    /// the defaults 1/2/3 are unverified).
    #[arg(long = "non-delivery-code", value_name = "INSTRUCTION=CODE", value_parser = parse::code_pair)]
    pub non_delivery_codes: Vec<(String, String)>,
    /// How Speedpost orders are made: `soaz` (SoazPosting, as public clients do) or
    /// `posting` (createOrder with shipCode EMS).
    #[arg(long, value_name = "ROUTE", default_value = "soaz", value_parser = ["soaz", "posting"])]
    pub speedpost_route: String,
    /// createSoazOrder's service code (default SPGDE, unverified).
    #[arg(long, value_name = "CODE")]
    pub soaz_service: Option<String>,
    /// Accept the EDI privacy notice now, so `satchel submit` does not ask for it.
    #[arg(long)]
    pub accept_edi_notice: bool,
}

/// How long a command waits for EC-Ship's answers.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Wait at most this long for the outbox (seconds); what is left stays queued.
    #[arg(long, value_name = "SECONDS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub wait: u64,
    /// Only queue; do not wait for EC-Ship (the desktop app or a later `satchel submit`
    /// sends the queue).
    #[arg(long, conflicts_with = "wait")]
    pub no_wait: bool,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Shipments by id or order reference: drafts with no errors, or ready items.
    #[arg(value_name = "ID_OR_REF", conflicts_with = "all_ready")]
    pub ids: Vec<String>,
    /// Every shipment in the ready state.
    #[arg(long)]
    pub all_ready: bool,
    /// Accept the EDI privacy notice, asked once before the first international
    /// submission: posting data, personal data included, goes to overseas posts and customs.
    #[arg(long)]
    pub accept_edi_notice: bool,
    /// Submit even where EC-Ship's price (asked first with getTotalPostage) differs from
    /// Satchel's estimate: EC-Ship's is the price of record.
    #[arg(long)]
    pub accept_ecship_price: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["ids", "all"])))]
pub struct TrackArgs {
    /// Shipments by id or order reference.
    #[arg(value_name = "ID_OR_REF")]
    pub ids: Vec<String>,
    /// Every shipment EC-Ship has numbered (not cancelled).
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The shipment, by id or order reference.
    #[arg(value_name = "ID_OR_REF")]
    pub id: String,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// Label formats as typed on the command line; `4x6-pdf` and `zpl` are the same 4 × 6 in
/// thermal label, drawn as a PDF page (for a CUPS driver) or as ZPL (for a raw printer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LabelFormat {
    /// iMail all-in-one, three to an A4 sheet.
    #[value(name = "imail-a4")]
    ImailA4,
    /// Speedpost, two to an A4 sheet.
    Speedpost,
    /// Registered mail, three to an A4 sheet.
    Registered,
    /// Parcel, two to an A4 sheet.
    Parcel,
    /// 4 × 6 in thermal label, one per PDF page.
    #[value(name = "4x6-pdf")]
    Thermal4x6Pdf,
    /// 4 × 6 in thermal label as ZPL II, every label one after the other.
    Zpl,
}

/// Thermal printer resolution for ZPL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DpiArg {
    #[value(name = "203")]
    D203,
    #[value(name = "300")]
    D300,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["shipments", "state"])))]
pub struct LabelsArgs {
    /// The shipments, by id or order reference, comma-separated (repeatable), in this order.
    #[arg(long, value_name = "ID_OR_REF", value_delimiter = ',', num_args = 1..)]
    pub shipments: Vec<String>,
    /// Every shipment in this state (repeatable), oldest first.
    #[arg(long, value_name = "STATE", value_parser = parse::shipment_state)]
    pub state: Vec<satchel_store::ShipmentState>,
    /// imail-a4, speedpost, registered, parcel, 4x6-pdf or zpl.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: LabelFormat,
    /// Printer resolution for --format zpl: 203 or 300 dots per inch (default 203).
    #[arg(long, value_enum, value_name = "DPI")]
    pub dpi: Option<DpiArg>,
    /// First free position on the first sheet (1 to 3 for iMail and registered, 1 to 2 for
    /// Speedpost and parcel), to use up a part-used sheet of labels.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=3))]
    pub start: Option<u8>,
    /// iMail permit number for the permit impression.
    #[arg(long, value_name = "PERMIT")]
    pub permit: Option<String>,
    /// Where to write the PDF or ZPL.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct PostingArgs {
    /// The iMail shipments, by id or order reference, comma-separated (repeatable).
    #[arg(long, value_name = "ID_OR_REF", value_delimiter = ',', num_args = 1.., required = true)]
    pub shipments: Vec<String>,
    /// statement, bag-labels, certificate (your own lists) or ecship-certificate (the official
    /// one, from EC-Ship).
    #[arg(long, value_enum, value_name = "DOC")]
    pub doc: PostingDoc,
    /// The iMail permit number printed on every bag label.
    #[arg(long, value_name = "PERMIT", default_value = "")]
    pub permit: String,
    /// The date of posting, YYYY-MM-DD (default: today in Hong Kong); rates are as of it.
    #[arg(long, value_name = "DATE", value_parser = parse::date)]
    pub date: Option<chrono::NaiveDate>,
    /// Where to write the PDF.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// An iMail posting document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PostingDoc {
    /// Your own posting list (the official Pos 487R is prepared on EC-Ship).
    Statement,
    BagLabels,
    /// Your own list of items posted.
    Certificate,
    /// EC-Ship's official Certificate of Posting (getCOP), written as EC-Ship made it.
    EcshipCertificate,
}

impl PostingDoc {
    /// The document in the app's contract.
    pub fn doc(self) -> satchel_ipc::PostingDoc {
        match self {
            PostingDoc::Statement => satchel_ipc::PostingDoc::Statement,
            PostingDoc::BagLabels => satchel_ipc::PostingDoc::BagLabels,
            PostingDoc::Certificate => satchel_ipc::PostingDoc::Certificate,
            PostingDoc::EcshipCertificate => satchel_ipc::PostingDoc::EcshipCertificate,
        }
    }
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["printer", "zpl_to"])))]
pub struct PrintArgs {
    /// The CUPS queue (see `satchel printers`).
    #[arg(long, value_name = "NAME")]
    pub printer: Option<String>,
    /// Send the file as it is (ZPL) through a raw queue instead of as a PDF.
    #[arg(long, conflicts_with = "zpl_to")]
    pub raw: bool,
    /// Send ZPL straight to a network thermal printer's raw port, e.g. 192.168.1.50:9100.
    #[arg(long, value_name = "HOST:PORT", value_parser = parse::host_port)]
    pub zpl_to: Option<(String, u16)>,
    /// IPP media keyword for a PDF, e.g. iso_a4_210x297mm or oe_4x6-label_4x6in (default:
    /// the printer's own).
    #[arg(long, value_name = "KEYWORD", conflicts_with_all = ["raw", "zpl_to"])]
    pub media: Option<String>,
    /// How long to wait for the printer, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// The PDF (or, with --raw or --zpl-to, ZPL) file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// What to do with a CSV row that matches a record already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Policy {
    /// Import nothing for it; list it in the report for a decision.
    Review,
    KeepExisting,
    Overwrite,
}

/// A CSV import.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV file (UTF-8; headers in English or Chinese are recognised).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// What to do with rows that match a stored record.
    #[arg(long, value_enum, default_value = "review")]
    pub duplicates: Policy,

    /// Write the rows not imported, with an `errors` column, to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Import recipients (and sender profiles, `kind` column) from CSV, in one transaction.
    Import(ImportArgs),
    /// Write the address book as CSV (to stdout, or --out).
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Search as you type: any part of a name, company, address or phone, Latin or Chinese.
    Search {
        #[arg(value_name = "TEXT")]
        text: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

/// Which shipments.
#[derive(Debug, Args)]
pub struct ShipmentFilterArgs {
    /// Only these states (repeatable): draft, ready, submitted, numbered, printed, posted,
    /// delivered, returned, expired.
    #[arg(long, value_name = "STATE", value_parser = parse::shipment_state)]
    pub state: Vec<satchel_store::ShipmentState>,
    /// Created on or after this day (YYYY-MM-DD, Hong Kong time).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
    pub from: Option<NaiveDate>,
    /// Created on or before this day (YYYY-MM-DD, Hong Kong time).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
    pub until: Option<NaiveDate>,
    /// Destination country code.
    #[arg(long, value_name = "CODE")]
    pub destination: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ShipmentsCommand {
    /// The shipments, newest first.
    List(ShipmentFilterArgs),
    /// The shipments as CSV (to stdout, or --out).
    Export {
        #[command(flatten)]
        filter: ShipmentFilterArgs,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Import shipment drafts from CSV; each row is checked by the rules engine and priced.
    /// The default sender profile is the sender. A shop's order export (Shopify, WooCommerce,
    /// Etsy, eBay, SHOPLINE saved as CSV) is recognised by its header row: one draft per
    /// order, customs lines and weights from the catalogue.
    Import(ImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// Add or replace products from CSV (sku, description_en, description_zh, hs_code,
    /// origin, unit_weight_g, unit_value, currency, category, eu_ok); each is checked with
    /// the content-line rules, and drafts waiting for a SKU are completed.
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Write the catalogue as CSV (to stdout, or --out).
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The products, by SKU.
    List,
    /// Show or change how imported orders are drafted: packaging, the box, which service.
    Defaults(DefaultsArgs),
}

#[derive(Debug, Args)]
pub struct DefaultsArgs {
    /// Grams added to the goods' weight when no box is named.
    #[arg(long, value_name = "GRAMS")]
    pub packaging_g: Option<u32>,
    /// Service ids in order of preference, comma-separated (e.g. e_express,speedpost).
    #[arg(long, value_name = "IDS", conflicts_with = "cheapest")]
    pub prefer: Option<String>,
    /// Choose the cheapest service that can carry each item.
    #[arg(long)]
    pub cheapest: bool,
    /// A preference for one destination, e.g. JP=speedpost,e_express (repeatable; an empty
    /// list removes it).
    #[arg(long, value_name = "CC=IDS")]
    pub prefer_for: Vec<String>,
    /// The box imported orders are drafted in: NAME:LxWxH:GRAMS (mm, tare), e.g.
    /// small:250x180x60:90. `none` removes it.
    #[arg(long = "box", value_name = "NAME:LxWxH:GRAMS")]
    pub box_size: Option<String>,
}

/// What describes one item to price.
#[derive(Debug, Args)]
pub struct ItemArgs {
    /// Destination: two-letter code as in the rate files (GB, US, CN; HK for local mail),
    /// or a destination name that matches only one destination.
    #[arg(long, value_name = "DESTINATION")]
    pub to: String,

    /// Sub-zone code where the destination is split (e.g. UA, PC); defaults to the
    /// destination's own code.
    #[arg(long, value_name = "ZONE")]
    pub zone: Option<String>,

    /// Weight: 450g, 450 (grams), 1.2kg, "2 kg". Whole grams; at most 3 decimals of kg.
    #[arg(long, value_name = "WEIGHT", value_parser = parse::weight)]
    pub weight: Grams,

    /// Outer dimensions in millimetres, LxWxH (e.g. 300x200x100), for the size limits.
    #[arg(long, value_name = "LxWxH", value_parser = parse::dimensions)]
    pub dims: Option<Dimensions>,

    /// Contents: gift, documents, commercial_sample, returned_goods, sale_of_goods, other.
    #[arg(long, value_name = "CATEGORY", value_parser = parse::category,
          default_value = "sale_of_goods")]
    pub category: ContentCategory,

    /// Use the tariffs in force on this day (YYYY-MM-DD); default: today in Hong Kong.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct QuoteArgs {
    #[command(flatten)]
    pub item: ItemArgs,

    /// Service id, e.g. speedpost, e_express, air_registered.packet, air_parcel
    /// (without it: every service that can carry the item).
    #[arg(long, value_name = "SERVICE", value_parser = parse::service)]
    pub service: Option<Service>,
}

#[derive(Debug, Args)]
pub struct CheckItemArgs {
    /// The 13-character item number, e.g. LX123456785HK.
    #[arg(value_name = "ITEM_NUMBER")]
    pub number: String,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// JSON file with one shipment (an object) or a batch (an array of shipments).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Language of the messages: en or zh-HK.
    #[arg(long, value_name = "LANG", value_parser = parse::locale, default_value = "en")]
    pub lang: Locale,

    /// Check weight limits against the tariffs in force on this day; default: today in HK.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Subcommand)]
pub enum RatesCommand {
    /// The rate files in use (bundled, kept in the database, given with --rates), with their
    /// lastUpdateDate, where each came from, and which are stale.
    List {
        /// Mark which files are in force on this day (YYYY-MM-DD); default: today in HK.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
        date: Option<NaiveDate>,
    },
    /// Check an open-data rate file and keep it in the database, so every later price (here
    /// and in the app) uses it from its lastUpdateDate on.
    Load {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Ask the operator's open data for newer rate files; keep those that parse and tell
    /// something new, and list what changed. Conditional requests: unchanged files cost a 304.
    Update {
        /// The open-data folder (saved as the setting); default: the saved one, else
        /// https://www.hongkongpost.hk/opendata.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// What moved between the two newest versions of each service: destinations added or
    /// withdrawn, weight bands whose price changed and by how much.
    Diff {
        /// Only this service (an id as `satchel compare` prints it, e.g. air_mail.small_letter).
        #[arg(long, value_name = "ID")]
        service: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("satchel").chain(args.iter().copied()))
    }

    fn labels(args: &[&str]) -> LabelsArgs {
        match parse(args).unwrap().command {
            Command::Labels(a) => a,
            other => panic!("{other:?}"),
        }
    }

    fn print(args: &[&str]) -> PrintArgs {
        match parse(args).unwrap().command {
            Command::Print(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn labels_takes_ids_or_a_state() {
        let a = labels(&[
            "labels",
            "--shipments",
            "ORD-1,ORD-2",
            "--shipments",
            "01J",
            "--format",
            "imail-a4",
            "--start",
            "2",
            "--permit",
            "PM1234",
            "--out",
            "x.pdf",
        ]);
        assert_eq!(a.shipments, ["ORD-1", "ORD-2", "01J"]);
        assert!(a.state.is_empty());
        assert_eq!(a.format, LabelFormat::ImailA4);
        assert_eq!(a.start, Some(2));
        assert_eq!(a.permit.as_deref(), Some("PM1234"));
        assert_eq!(a.out, PathBuf::from("x.pdf"));

        let a = labels(&[
            "labels", "--state", "numbered", "--format", "zpl", "--dpi", "300", "--out", "x.zpl",
        ]);
        assert_eq!(a.state, [satchel_store::ShipmentState::Numbered]);
        assert_eq!(a.format, LabelFormat::Zpl);
        assert_eq!(a.dpi, Some(DpiArg::D300));
        let a = labels(&[
            "labels", "--state", "draft", "--format", "4x6-pdf", "--out", "x",
        ]);
        assert_eq!(a.format, LabelFormat::Thermal4x6Pdf);
        assert_eq!((a.dpi, a.start), (None, None));
    }

    #[test]
    fn labels_usage_errors() {
        use clap::error::ErrorKind;
        let kind = |args: &[&str]| parse(args).map(|_| ()).unwrap_err().kind();
        let base = ["labels", "--format", "zpl", "--out", "x"];
        // Neither or both of --shipments and --state.
        assert_eq!(kind(&base), ErrorKind::MissingRequiredArgument);
        let both = [&base[..], &["--shipments", "A", "--state", "draft"]].concat();
        assert_eq!(kind(&both), ErrorKind::ArgumentConflict);
        let with = |extra: &[&'static str]| [&base[..], &["--state", "draft"], extra].concat();
        assert_eq!(kind(&with(&["--start", "4"])), ErrorKind::ValueValidation);
        assert_eq!(kind(&with(&["--start", "0"])), ErrorKind::ValueValidation);
        assert_eq!(kind(&with(&["--dpi", "600"])), ErrorKind::InvalidValue);
        assert_eq!(
            kind(&["labels", "--state", "draft", "--format", "a5", "--out", "x"]),
            ErrorKind::InvalidValue
        );
        assert_eq!(
            kind(&["labels", "--state", "lost", "--format", "zpl", "--out", "x"]),
            ErrorKind::ValueValidation
        );
        assert_eq!(
            kind(&["labels", "--state", "draft", "--format", "zpl"]),
            ErrorKind::MissingRequiredArgument
        );
    }

    #[test]
    fn ecship_commands_refuse_contradictions() {
        use clap::error::ErrorKind;
        let kind = |args: &[&str]| parse(args).map(|_| ()).unwrap_err().kind();
        match parse(&["submit", "A", "B", "--wait", "5"]).unwrap().command {
            Command::Submit(a) => {
                assert_eq!(a.ids, ["A", "B"]);
                assert_eq!(a.wait.wait, 5);
                assert!(!a.all_ready && !a.wait.no_wait);
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["submit"]).is_ok(), "alone: wait for the queue");
        assert_eq!(
            kind(&["submit", "A", "--all-ready"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            kind(&["submit", "--all-ready", "--no-wait", "--wait", "3"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(kind(&["submit", "--wait", "0"]), ErrorKind::ValueValidation);
        assert_eq!(kind(&["track"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(kind(&["track", "A", "--all"]), ErrorKind::ArgumentConflict);
        let setup = [
            "ecship",
            "setup",
            "--base-url",
            "https://h/s",
            "--integrator-username",
            "u",
        ];
        assert!(parse(&setup).is_ok());
        let with = |extra: &[&'static str]| [&setup[..], extra].concat();
        assert_eq!(
            kind(&with(&["--search-type", "R"])),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(kind(&with(&["--identity", "me"])), ErrorKind::InvalidValue);
        assert_eq!(
            kind(&with(&["--api-key", "secret"])),
            ErrorKind::UnknownArgument,
            "the key is never an argument"
        );
    }

    #[test]
    fn print_needs_exactly_one_target() {
        let a = print(&["print", "--printer", "PDF", "labels.pdf"]);
        assert_eq!(a.printer.as_deref(), Some("PDF"));
        assert!(!a.raw);
        assert_eq!(a.timeout, 60);
        assert_eq!(a.file, PathBuf::from("labels.pdf"));
        let a = print(&["print", "--printer", "Zebra", "--raw", "l.zpl"]);
        assert!(a.raw);
        let a = print(&[
            "print",
            "--zpl-to",
            "10.0.0.9:9100",
            "--timeout",
            "5",
            "l.zpl",
        ]);
        assert_eq!(a.zpl_to, Some(("10.0.0.9".to_owned(), 9100)));
        assert_eq!(a.timeout, 5);

        use clap::error::ErrorKind;
        let kind = |args: &[&str]| parse(args).map(|_| ()).unwrap_err().kind();
        assert_eq!(
            kind(&["print", "l.pdf"]),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            kind(&["print", "--printer", "P", "--zpl-to", "h:9100", "l"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            kind(&["print", "--raw", "--zpl-to", "h:9100", "l"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            kind(&["print", "--raw", "l"]),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            kind(&[
                "print",
                "--printer",
                "P",
                "--raw",
                "--media",
                "iso_a4_210x297mm",
                "l"
            ]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            kind(&["print", "--zpl-to", "printer", "l"]),
            ErrorKind::ValueValidation
        );
        assert_eq!(
            kind(&["print", "--printer", "P", "--timeout", "0", "l"]),
            ErrorKind::ValueValidation
        );
        assert_eq!(
            kind(&["print", "--printer", "P"]),
            ErrorKind::MissingRequiredArgument
        );
        assert!(matches!(
            parse(&["printers"]).unwrap().command,
            Command::Printers
        ));
    }
}
