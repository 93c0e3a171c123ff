//! The command-line grammar, declared in one place so `--help` and the parser cannot drift.
//!
//! Every value with a format (weight, dimensions, date, service, category, language) is
//! parsed here by a `value_parser`, so a bad value is a clap usage error: it names the
//! argument, shows the usage line and exits with 2 before any work is done.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
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
    /// Shipments in the local database: list, export, import CSV.
    #[command(subcommand)]
    Shipments(ShipmentsCommand),
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
    /// The default sender profile is the sender.
    Import(ImportArgs),
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
    /// The bundled rate files and any given with --rates, with their lastUpdateDate.
    List {
        /// Mark which files are in force on this day (YYYY-MM-DD); default: today in HK.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
        date: Option<NaiveDate>,
    },
    /// Check a newer open-data rate file and report what it contains and its date.
    /// Nothing is saved yet: use it for a run with --rates FILE.
    Load {
        #[arg(value_name = "FILE")]
        file: PathBuf,
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
}
