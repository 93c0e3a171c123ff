//! One module per command; this one only dispatches.
//!
//! Commands return their output as text plus a verdict instead of printing, so `main` alone
//! decides the exit code and handles a closed stdout, and each command stays a plain function.

mod ecship;
mod item;
mod labels;
mod print;
mod quote;
mod rates;
mod store;
pub(crate) mod sync;
mod validate;

use crate::args::{Cli, Command, ContactsCommand, EcshipCommand, RatesCommand, ShipmentsCommand};
use crate::Output;
use satchel_store::csv_io::Table;

pub fn run(cli: Cli) -> anyhow::Result<Output> {
    let json = cli.json;
    match &cli.command {
        Command::Quote(args) => quote::quote(&cli.rates, args, json),
        Command::Compare(args) => quote::compare(&cli.rates, args, json),
        Command::CheckItem(args) => item::check(&args.number, json),
        Command::Validate(args) => validate::run(&cli.rates, args, json),
        Command::Rates(RatesCommand::List { date }) => rates::list(&cli.rates, *date, json),
        Command::Rates(RatesCommand::Load { file }) => rates::load(&cli.rates, file, json),
        Command::Contacts(c) => {
            let mut db = store::open(cli.db.as_deref())?;
            match c {
                ContactsCommand::Import(a) => {
                    store::import(&mut db, Table::Contacts, a, &cli.rates, json)
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
                    store::import(&mut db, Table::Shipments, a, &cli.rates, json)
                }
            }
        }
        Command::Labels(args) => {
            let db = store::open(cli.db.as_deref())?;
            labels::run(&db, args, json)
        }
        Command::Posting(args) => {
            let db = store::open(cli.db.as_deref())?;
            labels::posting(&db, cli.db.as_deref(), args, &cli.rates, json)
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
