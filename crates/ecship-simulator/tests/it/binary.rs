//! The `ecship-simulator` binary as an end-to-end test will use it: it prints where it
//! listens on one line, serves the simulator there, and names itself a simulator.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn prints_its_address_and_serves() {
    let help = Command::new(env!("CARGO_BIN_EXE_ecship-simulator"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("SIMULATOR"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_ecship-simulator"))
        .args(["--port", "0", "--user", "shop-api", "--key", "test-api-key"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let result = std::panic::catch_unwind(|| {
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let mut s = TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET /__simulator/count HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        assert!(reply
            .to_ascii_lowercase()
            .contains("server: ecship-simulator"));
        assert!(reply.ends_with(r#"{"orders":0}"#), "{reply}");
    });
    child.kill().unwrap();
    child.wait().unwrap();
    result.unwrap();
}
