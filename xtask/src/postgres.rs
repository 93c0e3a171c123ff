//! A throwaway PostgreSQL for the hub's tests (toolchain.md §8.1, option B): its own cluster
//! under the work directory, on a free loopback port chosen when the cluster is made (kept in
//! `pg/port`), trust auth, fsync off, and TLS on with a test CA made by the openssl command
//! (so the hub's `sslmode=require` path is tested against a real server). The preinstalled
//! system cluster is left alone, and a second call finds this checkout's cluster running and
//! reuses it, so `cargo xtask test` can call this every time. A server on the port that is not
//! this checkout's cluster (another clone's, say) is never reused: a new port is chosen.
//!
//! It also sets `SATCHEL_TEST_PG_URL` and `SATCHEL_TEST_PG_CA` in this process's environment,
//! so every cargo command xtask runs afterwards hands them to the tests.
//!
//! initdb refuses to run as root, so as root every PostgreSQL binary runs as the `postgres`
//! user through `runuser`; that user must be able to reach the work directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

const DB: &str = "satchel";
const USER: &str = "app";

/// A loopback port nothing listens on now.
fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// The port of this checkout's cluster: the one it was given, unless a server that is not
/// this cluster answers there; then a new free one, remembered in `pg/port`.
fn cluster_port(bin: &Path, dir: &Path, data: &Path) -> Result<u16> {
    let file = dir.join("port");
    let saved = std::fs::read_to_string(&file)
        .ok()
        .and_then(|p| p.trim().parse::<u16>().ok());
    if let Some(port) = saved {
        // Nothing answers (the cluster is stopped), or the cluster that answers is ours.
        let ours = !ready(bin, port)?
            || psql(bin, port, "SHOW data_directory").is_ok_and(|d| Path::new(&d) == data);
        if ours {
            return Ok(port);
        }
    }
    let port = free_port()?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(&file, port.to_string())?;
    Ok(port)
}

/// Starts (or finds running) the test cluster under `work/pg` and returns its URL,
/// `postgres://app@127.0.0.1:PORT/satchel`.
pub fn ensure_postgres(work: &Path) -> Result<String> {
    let bin = pg_bin()?;
    let dir = absolute(&work.join("pg"))?;
    let data = dir.join("data");
    let port = cluster_port(&bin, &dir, &data)?;
    let url = format!("postgres://{USER}@127.0.0.1:{port}/{DB}");

    // A cluster left running by an older xtask without TLS is restarted with it.
    if ready(&bin, port)? && data.exists() && psql(&bin, port, "SHOW ssl")? != "on" {
        run(as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(["stop", "-m", "fast", "-w"]))?;
    }

    // This cluster running on another port (an older xtask used a fixed one): stop it, so it
    // starts again on its own port.
    if !ready(&bin, port)? && data.join("postmaster.pid").exists() {
        let status = as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("status")
            .status()
            .context("running pg_ctl status")?;
        if status.success() {
            run(as_postgres(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .args(["stop", "-m", "fast", "-w"]))?;
        }
    }

    if !ready(&bin, port)? {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        if is_root() {
            run(Command::new("chown").arg("postgres:").arg(&dir))?;
        }
        if !data.join("PG_VERSION").exists() {
            run(as_postgres(&bin.join("initdb")).arg("-D").arg(&data).args([
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]))
            .with_context(|| {
                format!(
                    "initdb in {} failed; the postgres user must be able to enter every \
                     parent directory",
                    data.display()
                )
            })?;
        }
        let tls = make_certificates(&dir)?;
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off \
             -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            dir.display(),
            tls.join("server.pem").display(),
            tls.join("server.key").display(),
        );
        run(as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .args(["-w", "-o", &opts, "start"]))
        .with_context(|| {
            format!(
                "pg_ctl start failed (is another server on port {port}?); see {}",
                dir.join("server.log").display()
            )
        })?;
        if !ready(&bin, port)? {
            bail!("PostgreSQL started but does not answer on 127.0.0.1:{port}");
        }
    }

    // createdb fails when the database exists, which is the normal case on a second call.
    let exists = psql(
        &bin,
        port,
        &format!("SELECT 1 FROM pg_database WHERE datname = '{DB}'"),
    )?;
    if exists != "1" {
        run(Command::new(bin.join("createdb")).args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            USER,
            DB,
        ]))?;
    }
    std::env::set_var("SATCHEL_TEST_PG_URL", &url);
    std::env::set_var("SATCHEL_TEST_PG_CA", dir.join("tls").join("ca.pem"));
    Ok(url)
}

fn psql(bin: &Path, port: u16, sql: &str) -> Result<String> {
    let out = Command::new(bin.join("psql"))
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", USER])
        .args(["-d", "postgres", "-Atc", sql])
        .output()
        .context("running psql")?;
    if !out.status.success() {
        bail!(
            "psql could not query the test cluster: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A test CA and a server certificate for 127.0.0.1 and localhost, made once. rustls refuses
/// a self-signed certificate that is its own CA, hence two (toolchain.md §8.2).
fn make_certificates(dir: &Path) -> Result<PathBuf> {
    let tls = dir.join("tls");
    if tls.join("server.pem").exists() && tls.join("ca.pem").exists() {
        return Ok(tls);
    }
    std::fs::create_dir_all(&tls)?;
    let openssl = |args: &[&str]| run(Command::new("openssl").args(args).current_dir(&tls));
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-subj",
        "/CN=Satchel test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ])
    .context("making the test CA (is the openssl command installed?)")?;
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ])?;
    std::fs::write(
        tls.join("server.ext"),
        "basicConstraints=critical,CA:FALSE\n\
         subjectAltName=DNS:localhost,IP:127.0.0.1\n\
         extendedKeyUsage=serverAuth\n\
         keyUsage=critical,digitalSignature,keyEncipherment\n",
    )?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "3650",
        "-extfile",
        "server.ext",
    ])?;
    // PostgreSQL refuses a key that others can read, or that it does not own.
    run(Command::new("chmod").arg("600").arg(tls.join("server.key")))?;
    if is_root() {
        run(Command::new("chown").arg("-R").arg("postgres:").arg(&tls))?;
    }
    Ok(tls)
}

/// Stops the test cluster if it runs; for a `cargo xtask` step that wants to clean up.
#[allow(dead_code)]
pub fn stop_postgres(work: &Path) -> Result<()> {
    let bin = pg_bin()?;
    let dir = absolute(&work.join("pg"))?;
    let data = dir.join("data");
    let port = cluster_port(&bin, &dir, &data)?;
    if ready(&bin, port)? && data.exists() {
        run(as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(["stop", "-m", "fast"]))?;
    }
    Ok(())
}

fn pg_bin() -> Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(root)
        .with_context(|| {
            format!(
                "no PostgreSQL under {}; install postgresql-15 (toolchain.md §2.2)",
                root.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .context("no initdb found under /usr/lib/postgresql/*/bin")
}

fn ready(bin: &Path, port: u16) -> Result<bool> {
    let status = Command::new(bin.join("pg_isready"))
        .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
        .status()
        .context("running pg_isready")?;
    Ok(status.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        Ok(p.to_path_buf())
    } else {
        Ok(std::env::current_dir()?.join(p))
    }
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("running {:?}", cmd.get_program()))?;
    if !out.status.success() {
        bail!(
            "{:?} failed ({}): {}",
            cmd.get_program(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
