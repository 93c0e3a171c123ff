//! A small real HTTP/1.1 file server for tests of anything Satchel fetches (the operator's
//! open-data tariff files): it listens on an ephemeral loopback port, serves whatever the test
//! put at a path, honours `If-None-Match` with a 304, and can be told to stall a path past
//! the client's timeout or answer with an error status.
//!
//! Why not a mock client: the fetch code's headers, status handling, size cap and timeouts
//! are exactly what is under test, so the bytes go over a real socket.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// What a path answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this body and an ETag derived from it (304 when the client sends that ETag).
    File(Vec<u8>),
    /// This status with an empty body.
    Status(u16),
    /// Accepts the request and says nothing for this long (a server that hangs).
    Stall(Duration),
}

#[derive(Debug, Default)]
struct State {
    paths: HashMap<String, Reply>,
    /// Every request seen: (path, the If-None-Match it carried).
    log: Vec<(String, Option<String>)>,
}

/// The server; it stops accepting when dropped (its thread ends with the test process).
#[derive(Debug, Clone)]
pub struct FileServer {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<State>>,
}

impl FileServer {
    pub fn start() -> FileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || serve(conn, &state));
            }
        });
        FileServer { addr, state }
    }

    /// `http://127.0.0.1:PORT` plus `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.lock().paths.insert(path.to_owned(), reply);
    }

    /// The requests seen so far: (path, If-None-Match).
    pub fn requests(&self) -> Vec<(String, Option<String>)> {
        self.lock().log.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The ETag of a body: FNV-1a of its bytes, quoted.
pub fn etag(body: &[u8]) -> String {
    let h = body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{h:016x}\"")
}

fn serve(conn: TcpStream, state: &Mutex<State>) {
    let Ok(read_half) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let mut if_none_match = None;
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim().to_owned();
            match name.trim().to_ascii_lowercase().as_str() {
                "if-none-match" => if_none_match = Some(value),
                "content-length" => content_length = value.parse().unwrap_or(0),
                _ => {}
            }
        }
    }
    let mut body = vec![0; content_length];
    let _ = reader.read_exact(&mut body);
    let reply = {
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        s.log.push((path.clone(), if_none_match.clone()));
        s.paths.get(&path).cloned().unwrap_or(Reply::Status(404))
    };
    let mut conn = conn;
    let response = match reply {
        Reply::Stall(d) => {
            std::thread::sleep(d);
            return;
        }
        Reply::Status(code) => head(code, "", 0),
        Reply::File(bytes) => {
            let tag = etag(&bytes);
            if if_none_match.as_deref() == Some(tag.as_str()) {
                head(304, &format!("ETag: {tag}\r\n"), 0)
            } else {
                let mut r = head(
                    200,
                    &format!("ETag: {tag}\r\nContent-Type: application/json\r\n"),
                    bytes.len(),
                );
                r.extend_from_slice(&bytes);
                r
            }
        }
    };
    let _ = conn.write_all(&response);
    let _ = conn.flush();
}

fn head(code: u16, headers: &str, length: usize) -> Vec<u8> {
    let reason = match code {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        _ => "Status",
    };
    let length = if code == 304 {
        String::new()
    } else {
        format!("Content-Length: {length}\r\n")
    };
    format!("HTTP/1.1 {code} {reason}\r\n{headers}{length}Connection: close\r\n\r\n").into_bytes()
}
