//! One module per command; this one only dispatches.
//!
//! Commands return their output as text plus a verdict instead of printing, so `main` alone
//! decides the exit code and handles a closed stdout, and each command stays a plain function.

mod item;
mod quote;
mod rates;
mod validate;

use crate::args::{Cli, Command, RatesCommand};
use crate::Output;

pub fn run(cli: Cli) -> anyhow::Result<Output> {
    let json = cli.json;
    match &cli.command {
        Command::Quote(args) => quote::quote(&cli.rates, args, json),
        Command::Compare(args) => quote::compare(&cli.rates, args, json),
        Command::CheckItem(args) => item::check(&args.number, json),
        Command::Validate(args) => validate::run(&cli.rates, args, json),
        Command::Rates(RatesCommand::List { date }) => rates::list(&cli.rates, *date, json),
        Command::Rates(RatesCommand::Load { file }) => rates::load(&cli.rates, file, json),
    }
}
