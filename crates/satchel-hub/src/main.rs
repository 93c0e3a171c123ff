//! `satchel-hub`: run the sync hub (`serve`) or print its commented default configuration
//! (`default-config`). With no configuration at all, `serve` listens on 127.0.0.1:7171 and keeps
//! its data in `satchel-hub.sqlite3` in the current directory.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use satchel_hub::{HubConfig, DEFAULT_CONFIG_TOML};

#[derive(Debug, Parser)]
#[command(
    name = "satchel-hub",
    version,
    about = "Satchel's end-to-end encrypted sync hub"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the v0 sync API.
    Serve {
        /// A TOML config file (see `default-config`); SATCHEL_HUB_* variables override it.
        #[arg(long, env = "SATCHEL_HUB_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Print the default configuration, commented, with no secrets.
    DefaultConfig,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::DefaultConfig => {
            print!("{DEFAULT_CONFIG_TOML}");
            Ok(())
        }
        Command::Serve { config } => {
            let cfg = HubConfig::load(config.as_deref(), std::env::vars())?;
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?
                .block_on(serve(cfg))
        }
    }
}

/// Raises this process's open-file limit to the most it may have, and returns the connection
/// cap that fits under it: each connection is a file, and a service manager's default of 1,024
/// would otherwise refuse connections long before `server.max_connections` does.
#[cfg(unix)]
fn connections_that_fit(wanted: u32) -> u32 {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if let Err(e) = setrlimit(Resource::Nofile, raised) {
            eprintln!("satchel-hub: could not raise the open-file limit: {e}");
        }
    }
    let files = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    // Leave room for the database, the listener and the runtime's own files.
    let fit = u32::try_from(files.saturating_sub(256))
        .unwrap_or(u32::MAX)
        .max(64);
    if fit < wanted {
        eprintln!(
            "satchel-hub: {files} open files allowed: serving at most {fit} connections, not {wanted}"
        );
    }
    wanted.min(fit)
}

#[cfg(not(unix))]
fn connections_that_fit(wanted: u32) -> u32 {
    wanted
}

async fn serve(mut cfg: HubConfig) -> anyhow::Result<()> {
    cfg.server.max_connections = connections_that_fit(cfg.server.max_connections);
    let storage = satchel_hub::open_storage(&cfg)
        .await
        .with_context(|| format!("opening {}", cfg.database_url.redacted()))?;
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("listening on {}", cfg.listen))?;
    if cfg.token_signing_key.is_none() {
        eprintln!(
            "satchel-hub: no token_signing_key set; access tokens will not survive a restart \
             (devices simply refresh them)"
        );
    }
    eprintln!(
        "satchel-hub: serving v0 on http://{} with {} storage ({})",
        listener.local_addr()?,
        storage.backend_name(),
        cfg.database_url.redacted()
    );
    satchel_hub::serve(cfg, storage, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("serving")
}
