//! Reading a reply's body with a ceiling on its size (issue #18).
//!
//! Why it exists: `reqwest`'s `text()`, `json()` and `bytes()` read whatever the server sends
//! into memory. A broken proxy, a misconfigured address or a hostile server can send gigabytes
//! (or a body that never ends) and take the app down with the merchant's unsaved work, so every
//! reply this crate reads goes through [`read_capped`] with a limit well above what the
//! operator really sends. A declared `Content-Length` over the limit is refused before a byte
//! of the body is read; otherwise the body is read chunk by chunk and refused as soon as the
//! running total passes the limit, so at most one chunk beyond it is ever held.

use std::fmt;

/// One mebibyte, the unit the limits are given in.
pub const MIB: usize = 1024 * 1024;

/// Why a capped body could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The reply was (or declared itself) larger than `max` bytes.
    TooLarge { max: usize },
    /// The body could not be read to its end: reset, timed out, cut short.
    Transport(reqwest::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge { max } => {
                write!(f, "the reply was larger than {}", size(*max))
            }
            ReadError::Transport(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::TooLarge { .. } => None,
            ReadError::Transport(e) => Some(e),
        }
    }
}

/// A limit as people say it: whole mebibytes as "32 MiB", anything else in bytes.
fn size(bytes: usize) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads `resp`'s whole body, refusing it once it is larger than `max` bytes: at once when its
/// `Content-Length` says so, else as soon as the bytes received pass `max`. A body of exactly
/// `max` bytes is read. The status is not looked at: that is the caller's business.
pub async fn read_capped(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, ReadError> {
    // `content_length` is the body's exact size hint: the header when the body is sent with one
    // (no content coding is enabled, so it is the size read), `None` when chunked. A lying
    // header cannot get past the running count below.
    let declared = resp.content_length();
    if declared.is_some_and(|n| n > max as u64) {
        return Err(ReadError::TooLarge { max });
    }
    // Reserve what the server declared (already known to be within the cap), so a large
    // honest reply is not copied while the buffer grows.
    let capacity = declared.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = resp.chunk().await.map_err(ReadError::Transport)? {
        if chunk.len() > max - body.len() {
            return Err(ReadError::TooLarge { max });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A server that says exactly the bytes a test gives it, for the tests of every reply this
/// crate reads with a cap.
#[cfg(test)]
pub(crate) mod testing {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A one-connection HTTP/1.1 server on an ephemeral loopback port: it reads one request's
    /// head, writes `reply` as it is (status line, headers, whatever body), then keeps the
    /// connection open until the client closes it. A body shorter than its `Content-Length`,
    /// or a chunked body without its last chunk, therefore never ends from the server's side.
    /// Returns `http://127.0.0.1:PORT`.
    pub(crate) async fn raw_server(reply: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            if sock.write_all(&reply).await.is_err() || sock.flush().await.is_err() {
                return;
            }
            // Whatever else the client sends (the rest of a request body) is ignored; the
            // connection ends when the client closes it.
            while let Ok(n) = sock.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        });
        format!("http://{addr}")
    }

    /// A 200 with a chunked body (no `Content-Length`) made of `chunks`, ended only when
    /// `finish`.
    pub(crate) fn chunked(chunks: &[Vec<u8>], finish: bool) -> Vec<u8> {
        let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
                        Transfer-Encoding: chunked\r\n\r\n"
            .to_vec();
        for c in chunks {
            out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
            out.extend_from_slice(c);
            out.extend_from_slice(b"\r\n");
        }
        if finish {
            out.extend_from_slice(b"0\r\n\r\n");
        }
        out
    }

    /// A head with this status line and a `Content-Length` of `declared`, and no body at all.
    pub(crate) fn declares(status: &str, declared: usize) -> Vec<u8> {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\n\
             Content-Length: {declared}\r\n\r\n"
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use satchel_fixtures::http::{FileServer, Reply};

    use super::testing::{chunked, declares, raw_server};
    use super::*;

    fn client() -> reqwest::Client {
        // The timeout only turns a broken cap (one that waits for the end of a body that never
        // ends) into a failed test instead of a hung one; no test waits for it.
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    async fn get(url: &str) -> reqwest::Response {
        client().get(url).send().await.unwrap()
    }

    #[tokio::test]
    async fn a_body_within_the_cap_is_read_whole() {
        let server = FileServer::start();
        let body: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        server.set("/f", Reply::File(body.clone()));
        // Exactly the cap is still within it.
        let read = read_capped(get(&server.url("/f")).await, body.len())
            .await
            .unwrap();
        assert_eq!(read, body);
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_refused() {
        let server = FileServer::start();
        server.set("/big", Reply::File(vec![b'x'; 100_001]));
        let e = read_capped(get(&server.url("/big")).await, 100_000)
            .await
            .unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { max: 100_000 }), "{e}");
        assert_eq!(e.to_string(), "the reply was larger than 100000 bytes");
    }

    /// The server declares more than the cap and sends nothing: only a refusal on the header
    /// can answer before the client's timeout.
    #[tokio::test]
    async fn a_declared_length_over_the_cap_is_refused_before_the_body() {
        let url = raw_server(declares("200 OK", 64 * MIB + 1)).await;
        let e = read_capped(get(&url).await, 64 * MIB).await.unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { .. }), "{e}");
        assert_eq!(e.to_string(), "the reply was larger than 64 MiB");
    }

    #[tokio::test]
    async fn a_chunked_body_within_the_cap_is_read_whole() {
        let chunks = [vec![1u8; 700], vec![2u8; 700], vec![3u8; 600]];
        let url = raw_server(chunked(&chunks, true)).await;
        let resp = get(&url).await;
        assert_eq!(
            resp.content_length(),
            None,
            "the test needs a body of unknown size"
        );
        assert_eq!(read_capped(resp, 2000).await.unwrap(), chunks.concat());
    }

    /// The body never ends: only a cap counted chunk by chunk can answer at all.
    #[tokio::test]
    async fn an_endless_chunked_body_is_refused_once_past_the_cap() {
        let url = raw_server(chunked(
            &[vec![b'a'; 1024], vec![b'b'; 1024], vec![b'c'; 1024]],
            false,
        ))
        .await;
        let e = read_capped(get(&url).await, 2 * 1024 + 1)
            .await
            .unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { max: 2049 }), "{e}");
    }

    #[test]
    fn limits_read_in_mebibytes() {
        assert_eq!(
            ReadError::TooLarge { max: 32 * MIB }.to_string(),
            "the reply was larger than 32 MiB"
        );
        assert_eq!(size(MIB + 1), "1048577 bytes");
    }
}
