//! What the engine accepts from the network side (issue #18): which hub addresses it talks to,
//! and how much of a reply it reads.
//!
//! Why: the hub address is typed by the merchant (or read back from the link saved in the
//! store), and what goes there is the device credential and the bearer tokens. Over plain
//! `http://` they cross the network readable by anyone on the way, and a token is all it takes
//! to read and delete the account's (encrypted) records, so only `https://` is accepted; plain
//! `http://` only to this computer (`localhost`, `127.0.0.0/8`, `[::1]`: a hub run locally, the
//! tests' hub), where nothing leaves the machine. And a reply is read chunk by chunk up to
//! [`MAX_HUB_REPLY`], so a broken proxy or a hostile server cannot fill the device's memory.
//!
//! Both rules are `satchel-net`'s (`is_allowed_address`, `read_capped`), the same for every
//! address the app sends to; this module only words their refusals as sync errors.

use super::*;

/// The largest hub reply read. A page of records is the biggest answer: at the hub's default
/// limits 500 records of at most 64 KiB of ciphertext, about 43 MiB once Base64 in JSON.
pub const MAX_HUB_REPLY: usize = 64 * satchel_net::capped::MIB;

/// Whether the engine may talk to a hub at `url`: `https://` to any host, `http://` only to a
/// loopback host (`localhost`, `127.0.0.0/8`, `[::1]`); false for any other scheme and for
/// anything that is not an absolute URL.
pub fn is_allowed_hub_url(url: &str) -> bool {
    satchel_net::is_allowed_address(url)
}

/// `Ok` when [`is_allowed_hub_url`] holds, else [`SyncError::HubAddress`] (which names the
/// setting and never quotes the address: it may carry a user name and password).
pub(crate) fn check_hub_url(url: &str) -> Result<()> {
    if is_allowed_hub_url(url) {
        Ok(())
    } else {
        Err(SyncError::HubAddress)
    }
}

/// Reads `resp`'s whole body up to `max` bytes (`satchel_net::read_capped`). A body cut
/// short is [`SyncError::Offline`], as before any cap; one too large is
/// [`SyncError::Protocol`]: no retry makes it smaller.
pub(crate) async fn read_capped(resp: reqwest::Response, max: usize) -> Result<Vec<u8>> {
    satchel_net::read_capped(resp, max)
        .await
        .map_err(|e| match e {
            satchel_net::ReadError::TooLarge { .. } => SyncError::Protocol(e.to_string()),
            satchel_net::ReadError::Transport(e) => SyncError::Offline(e.without_url().to_string()),
        })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use satchel_keychain::MemorySecrets;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    #[test]
    fn https_anywhere_and_plain_http_only_to_this_computer() {
        let table = [
            ("https://hub.example", true),
            ("https://hub.example:8443/base/", true),
            ("HTTPS://Hub.Example", true),
            ("https://192.168.1.20", true),
            ("  https://hub.example  ", true),
            ("http://localhost:8080", true),
            ("http://LOCALHOST", true),
            ("http://127.0.0.1:4000", true),
            ("http://127.9.9.9", true),
            ("http://127.1", true),
            ("http://[::1]:4000", true),
            ("http://hub.example", false),
            ("http://192.168.1.20:8080", false),
            ("http://10.0.0.2", false),
            ("http://0.0.0.0:4000", false),
            ("http://[::ffff:127.0.0.1]", false),
            ("http://localhost.hub.example", false),
            ("http://localhost@evil.example", false),
            ("ws://localhost", false),
            ("file:///tmp/hub", false),
            ("localhost:4000", false),
            ("hub.example", false),
            ("https://", false),
            ("", false),
        ];
        for (url, allowed) in table {
            assert_eq!(is_allowed_hub_url(url), allowed, "{url:?}");
        }
        assert_eq!(
            check_hub_url("http://user:secret@hub.example")
                .unwrap_err()
                .to_string(),
            "hub address: use https:// (plain http only to this computer)"
        );
    }

    /// A one-connection HTTP/1.1 server on an ephemeral loopback port that reads one
    /// request's head, writes `reply` as it is, and holds the connection until the client
    /// closes it (so a body shorter than declared, or a chunked one without its last chunk,
    /// never ends from the server's side).
    async fn raw_server(reply: Vec<u8>) -> String {
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
            while let Ok(n) = sock.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        });
        format!("http://{addr}")
    }

    /// A 200 with a chunked body of `chunks`, ended only when `finish`.
    fn chunked(chunks: &[Vec<u8>], finish: bool) -> Vec<u8> {
        let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
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

    async fn get(url: &str) -> reqwest::Response {
        // The timeout only turns a cap that waits for an endless body into a failed test.
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_reply_within_the_cap_is_read_whole() {
        let server = satchel_fixtures::http::FileServer::start();
        let body = vec![7u8; 5000];
        server.set("/f", satchel_fixtures::http::Reply::File(body.clone()));
        assert_eq!(
            read_capped(get(&server.url("/f")).await, 5000)
                .await
                .unwrap(),
            body
        );
        let url = raw_server(chunked(&[b"{\"a\":".to_vec(), b"1}".to_vec()], true)).await;
        assert_eq!(read_capped(get(&url).await, 7).await.unwrap(), b"{\"a\":1}");
    }

    #[tokio::test]
    async fn a_reply_over_the_cap_is_refused_by_its_length_or_its_chunks() {
        let server = satchel_fixtures::http::FileServer::start();
        server.set("/f", satchel_fixtures::http::Reply::File(vec![7u8; 5001]));
        let e = read_capped(get(&server.url("/f")).await, 5000)
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the sync hub sent an unexpected answer: the reply was larger than 5000 bytes"
        );
        // Chunked and endless: only a count kept chunk by chunk answers at all.
        let url = raw_server(chunked(&[vec![b'x'; 1024], vec![b'y'; 1024]], false)).await;
        let e = read_capped(get(&url).await, 1500).await.unwrap_err();
        assert!(matches!(e, SyncError::Protocol(_)), "{e}");
    }

    /// An engine on a fresh store file, with its secrets (to look into) and the folder that
    /// must outlive it.
    type Engine = (
        Syncer<StdMutex<Store>>,
        Arc<MemorySecrets>,
        tempfile::TempDir,
    );

    fn engine(hub_url: &str) -> Engine {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("satchel.db")).unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let sync = Syncer::new(
            Arc::new(StdMutex::new(store)),
            secrets.clone(),
            SyncConfig::new(hub_url),
        )
        .unwrap();
        (sync, secrets, dir)
    }

    /// Issue #18: the address is refused before a key is made or anything is sent, and the
    /// engine still shows its status (so a device linked to such an address can unlink).
    #[tokio::test]
    async fn plain_http_to_another_computer_is_refused_before_anything_is_sent() {
        let (sync, secrets, _dir) = engine("http://hub.example");
        let e = sync.create_account("Shop").await.unwrap_err();
        assert!(matches!(e, SyncError::HubAddress), "{e}");
        assert!(
            secrets
                .get(satchel_keychain::SYNC_ACCOUNT_KEY)
                .unwrap()
                .is_none(),
            "no key made for an account that cannot be created"
        );
        assert!(matches!(
            sync.join_with_code("anything").await,
            Err(SyncError::HubAddress)
        ));
        assert!(sync.status().is_ok());
    }

    /// A hub reply over [`MAX_HUB_REPLY`] ends the call with a reason, whatever it was.
    #[tokio::test]
    async fn a_hub_reply_over_the_cap_is_refused() {
        let declared = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            MAX_HUB_REPLY + 1
        );
        let url = raw_server(declared.into_bytes()).await;
        let (sync, _secrets, _dir) = engine(&url);
        let e = sync.create_account("Shop").await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "the sync hub sent an unexpected answer: the reply was larger than 64 MiB"
        );
    }
}
