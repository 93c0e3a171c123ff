//! Which addresses Satchel will send a request to (issue #18).
//!
//! Why it exists: every address this crate talks to is typed by the merchant (the EC-Ship
//! service and tracking addresses, the open-data folder), and what goes there is an API key, a
//! WS-Security token and the recipients' names and addresses. Over plain `http://` all of that
//! crosses the network readable and alterable by anyone on the way (a café's Wi-Fi, a hostile
//! router), so only `https://` is accepted, whatever the host. Plain `http://` stays possible
//! for this computer alone (`localhost`, `127.0.0.0/8`, `[::1]`), where the EC-Ship simulator,
//! a test server or a local mirror listens and nothing leaves the machine.
//!
//! One rule, in one place: [`crate::opendata::is_allowed`] delegates here, and the EC-Ship and
//! tracking clients refuse at construction with an [`AddressRefused`] that names the setting.
//! (`satchel-sync` keeps a copy of the same rule for the hub: it does not depend on this
//! crate.)

use std::net::IpAddr;

/// Whether a request may be sent to `url`: `https://` to any host, `http://` only to a
/// loopback host (`localhost`, `127.0.0.0/8`, `[::1]`); false for any other scheme and for
/// anything that does not parse as an absolute URL.
pub fn is_allowed_address(url: &str) -> bool {
    // Parsed with the same URL parser reqwest sends with, so the host checked here is the
    // host connected to: `http://127.1` is 127.0.0.1, `http://LOCALHOST` is `localhost`, and
    // `http://localhost@evil.example` is evil.example.
    let Ok(u) = reqwest::Url::parse(url.trim()) else {
        return false;
    };
    match u.scheme() {
        "https" => u.host_str().is_some(),
        "http" => u.host_str().is_some_and(is_loopback_host),
        _ => false,
    }
}

/// `localhost`, or a loopback IP literal (`host_str` keeps IPv6 in brackets). A name other
/// than `localhost` is not trusted to be loopback, even if it resolves there today: it could
/// resolve elsewhere tomorrow.
fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A configured address that Satchel will not send to. The message names the setting and
/// never quotes the address, which may carry a user name and password (`https://u:p@host`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: use https:// (plain http only to this computer)")]
pub struct AddressRefused {
    /// The setting as the merchant knows it, e.g. "EC-Ship service address".
    pub field: &'static str,
}

/// `Ok` when [`is_allowed_address`] holds for `url`, else the refusal naming `field`.
pub fn check_address(field: &'static str, url: &str) -> Result<(), AddressRefused> {
    if is_allowed_address(url) {
        Ok(())
    } else {
        Err(AddressRefused { field })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_plain_http_only_to_this_computer() {
        let table = [
            // https: any host.
            ("https://service.hongkongpost.hk/API-trial/services", true),
            ("https://www.hongkongpost.hk/opendata", true),
            ("HTTPS://Example.COM", true),
            ("https://192.168.1.20:8443/hub", true),
            ("https://[2001:db8::1]/", true),
            ("  https://hub.example/  ", true),
            // http: loopback only.
            ("http://localhost", true),
            ("http://localhost:8080/API-sim/services", true),
            ("http://LOCALHOST:1", true),
            ("http://127.0.0.1:5000", true),
            ("http://127.255.255.254/", true),
            ("http://127.1/", true),
            ("http://[::1]:9000/x", true),
            ("http://example.com", false),
            ("http://192.168.1.20:8080", false),
            ("http://10.0.0.1", false),
            ("http://0.0.0.0", false),
            ("http://[::]/", false),
            ("http://[::ffff:127.0.0.1]/", false),
            ("http://localhost.example.com", false),
            ("http://127.0.0.1.nip.io", false),
            ("http://localhost@evil.example/", false),
            ("http://evil.example/http://localhost", false),
            // Other schemes and things that are not URLs.
            ("ftp://localhost/file", false),
            ("file:///etc/passwd", false),
            ("ws://localhost", false),
            ("localhost:8080", false),
            ("service.hongkongpost.hk", false),
            ("https://", false),
            ("http://", false),
            ("", false),
            ("not a url", false),
        ];
        for (url, allowed) in table {
            assert_eq!(is_allowed_address(url), allowed, "{url:?}");
        }
    }

    #[test]
    fn a_refusal_names_the_setting_and_not_the_address() {
        let e =
            check_address("tracking address", "http://user:secret@tracker.example").unwrap_err();
        let text = e.to_string();
        assert_eq!(
            text,
            "tracking address: use https:// (plain http only to this computer)"
        );
        assert!(!text.contains("secret"));
        assert_eq!(
            check_address("tracking address", "https://t.example"),
            Ok(())
        );
    }
}
