//! Running the real `satchel` binary the way a merchant's script does, for the tests that need
//! a database file, a keychain profile of their own and sometimes stdin (an API key, a recovery
//! phrase: secrets are never passed as arguments).
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `satchel --db DB ARGS` with `$SATCHEL_PROFILE` set to `profile` and `stdin` piped in;
/// `$SATCHEL_DB` and `$SATCHEL_HUB_URL` from the test's own environment are ignored.
pub fn satchel(db: &Path, profile: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_satchel"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SATCHEL_DB")
        .env_remove("SATCHEL_HUB_URL")
        .env("SATCHEL_PROFILE", profile)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the satchel binary runs");
    // A command may exit before it reads its input (a usage error found first): the pipe is
    // then closed, which is its answer, not a test failure.
    match child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            panic!("stdin takes the input: {e}")
        }
        _ => {}
    }
    child.wait_with_output().expect("the satchel binary ends")
}
