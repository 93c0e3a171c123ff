//! `ecship-simulator`: runs the EC-Ship SIMULATOR (see the library docs) on 127.0.0.1 for
//! demos and end-to-end tests. Not Hongkong Post's service; never shipped with the app.

use std::io::Write as _;
use std::time::Duration;

use clap::Parser;
use ecship_simulator::{Faults, SimConfig};

/// A local SIMULATOR of Hongkong Post's EC-Ship API (SOAP Posting/Calculator/Tracking and the
/// REST tracking API), for tests and demos only. It is not EC-Ship and proves nothing about it.
#[derive(Debug, Parser)]
#[command(name = "ecship-simulator", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one; the chosen port is printed).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Integrator username accepted by the simulator.
    #[arg(long)]
    user: String,
    /// API key for that username (a test key; never a real one).
    #[arg(long)]
    key: String,
    /// REST tracking token lifetime in seconds.
    #[arg(long, default_value_t = 900)]
    token_lifetime_secs: u64,
    /// Seed of the fault RNG.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Probability of dropping a SOAP response after the work was committed.
    #[arg(long, default_value_t = 0.0)]
    drop_after_commit: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", a.port)).await?;
    let port = listener.local_addr()?.port();
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://127.0.0.1:{port}")?;
        out.flush()?;
    }
    let cfg = SimConfig {
        accounts: vec![(a.user, a.key)],
        port,
        token_lifetime: Duration::from_secs(a.token_lifetime_secs),
        seed: a.seed,
        faults: Faults {
            drop_after_commit: a.drop_after_commit,
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    ecship_simulator::run(listener, cfg).await;
    Ok(())
}
