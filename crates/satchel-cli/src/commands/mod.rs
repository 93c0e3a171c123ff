//! One module per command; this one only dispatches.
//!
//! Commands return their output as text plus a verdict instead of printing, so `main` alone
//! decides the exit code and handles a closed stdout, and each command stays a plain function.

mod ecship;
mod item;
mod labels;
mod orders;
mod print;
mod quote;
mod rates;
mod store;
pub(crate) mod sync;
mod today;
mod validate;

use crate::args::{
    CatalogueCommand, Cli, Command, ContactsCommand, EcshipCommand, RatesCommand, ShipmentsCommand,
};
use crate::Output;
use satchel_store::csv_io::Table;

/// The database file a command uses: `--db`, `$SATCHEL_DB`, else the app's own.
pub(crate) fn store_path(db: Option<&std::path::Path>) -> anyhow::Result<std::path::PathBuf> {
    store::db_path(db)
}

pub fn run(cli: Cli) -> anyhow::Result<Output> {
    let json = cli.json;
    let tariffs = crate::load::Sources {
        db: cli.db.as_deref(),
        files: &cli.rates,
    };
    let sources = &tariffs;
    match &cli.command {
        Command::Today => today::run(&store::open(cli.db.as_deref())?, sources, json),
        Command::Quote(args) => quote::quote(sources, args, json),
        Command::Compare(args) => quote::compare(sources, args, json),
        Command::CheckItem(args) => item::check(&args.number, json),
        Command::Validate(args) => validate::run(sources, args, json),
        Command::Rates(RatesCommand::List { date }) => rates::list(sources, *date, json),
        Command::Rates(RatesCommand::Load { file }) => {
            rates::load(sources, cli.db.as_deref(), file, json)
        }
        Command::Rates(RatesCommand::Update { base_url }) => {
            rates::update(sources, cli.db.as_deref(), base_url.as_deref(), json)
        }
        Command::Rates(RatesCommand::Diff { service }) => {
            rates::diff(sources, service.as_deref(), json)
        }
        Command::Contacts(c) => {
            let mut db = store::open(cli.db.as_deref())?;
            match c {
                ContactsCommand::Import(a) => {
                    store::import(&mut db, Table::Contacts, a, sources, json)
                }
                ContactsCommand::Export { out } => store::export_contacts(&db, out.as_deref()),
                ContactsCommand::Search { text, limit } => store::search(&db, text, *limit, json),
            }
        }
        Command::Shipments(c) => {
            let mut db = store::open(cli.db.as_deref())?;
            match c {
                ShipmentsCommand::List(f) => store::list_shipments(&db, f, json),
                ShipmentsCommand::Export { filter, out } => {
                    store::export_shipments(&db, filter, out.as_deref())
                }
                ShipmentsCommand::Import(a) => {
                    store::import(&mut db, Table::Shipments, a, sources, json)
                }
            }
        }
        Command::Catalogue(c) => {
            let mut db = store::open(cli.db.as_deref())?;
            match c {
                CatalogueCommand::Import { file } => {
                    let rates = crate::load::rates(sources)?;
                    let engine = satchel_workflows::Engine::with_rates(rates.set);
                    orders::catalogue_import(&mut db, &engine, file, json)
                }
                CatalogueCommand::Export { out } => {
                    store::write_or_print(db.export_products()?, out.as_deref())
                }
                CatalogueCommand::List => orders::catalogue_list(&db, json),
                CatalogueCommand::Defaults(a) => orders::defaults(&mut db, a, json),
            }
        }
        Command::Labels(args) => {
            let db = store::open(cli.db.as_deref())?;
            labels::run(&db, args, json)
        }
        Command::Posting(args) => {
            let db = store::open(cli.db.as_deref())?;
            labels::posting(&db, cli.db.as_deref(), args, sources, json)
        }
        Command::Print(args) => print::print(args, json),
        Command::Printers => print::printers(json),
        Command::Ecship(EcshipCommand::Setup(a)) => ecship::setup(cli.db.as_deref(), a, json),
        Command::Ecship(EcshipCommand::Status) => ecship::status(cli.db.as_deref(), json),
        Command::Submit(a) => ecship::submit(cli.db.as_deref(), a, json),
        Command::Track(a) => ecship::track(cli.db.as_deref(), a, json),
        Command::Cancel(a) => ecship::cancel(cli.db.as_deref(), a, json),
        Command::Sync(c) => sync::run(cli.db.as_deref(), c, json),
    }
}
