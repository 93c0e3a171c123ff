//! WS-Security 1.0 UsernameToken, PasswordDigest profile, as EC-Ship expects it.
//!
//! domain.md §10.3 (High: "identical in OpenCart, spapi, BDMall and the Node sample"):
//!
//! > - `wsse:Username` = **integratorUsername** (the API user, not the portal login).
//! > - `wsse:Password` (`Type="…#PasswordDigest"`) = `Base64(SHA1(nonceBytes ‖ created ‖ apiKey))`.
//! >   The API key is the secret; it is never sent in the body.
//! > - `wsse:Nonce` (`EncodingType="…#Base64Binary"`) = `Base64(nonceBytes)`.
//! > - `wsu:Created` = UTC `YYYY-MM-DDThh:mm:ssZ`. OpenCart computes +180 s as an expiry but
//! >   does not send it.
//! > - The PHP clients build `nonceBytes = pack('H*', mt_rand())`. Any random bytes should
//! >   work. Unverified.
//!
//! The nonce bytes and the creation time are parameters: the caller owns the clock and the
//! random number generator, so the same inputs always give the same header.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};

use crate::xml::escape;

/// OASIS WSS 1.0 namespaces and token types (§10.3: "the standard OASIS WSS 1.0 ones").
pub const NS_WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const NS_WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
pub const PASSWORD_DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
pub const BASE64_BINARY: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/// `wsu:Created`: "UTC `YYYY-MM-DDThh:mm:ssZ`" (§10.3), whole seconds, literal `Z`.
pub fn format_created(created: DateTime<Utc>) -> String {
    created.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `wsse:Nonce`: "`Base64(nonceBytes)`" (§10.3), standard alphabet with padding.
pub fn encode_nonce(nonce: &[u8]) -> String {
    STANDARD.encode(nonce)
}

/// `wsse:Password`: "`Base64(SHA1(nonceBytes ‖ created ‖ apiKey))`" (§10.3). The raw nonce
/// bytes (not their Base64) are hashed, then `created` exactly as sent in `wsu:Created`, then
/// the API key, as UTF-8.
pub fn password_digest(nonce: &[u8], created: &str, api_key: &str) -> String {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(nonce);
    sha.update(created.as_bytes());
    sha.update(api_key.as_bytes());
    STANDARD.encode(sha.digest().bytes())
}

/// The `<wsse:Security>` element for `soapenv:Header`, laid out as in the §10.3 skeleton,
/// indented for a place two levels deep in the envelope.
pub fn security_header(
    integrator_username: &str,
    api_key: &str,
    nonce: &[u8],
    created: DateTime<Utc>,
) -> String {
    let created = format_created(created);
    let digest = password_digest(nonce, &created, api_key);
    let nonce = encode_nonce(nonce);
    let user = escape(integrator_username);
    format!(
        "    <wsse:Security xmlns:wsse=\"{NS_WSSE}\" xmlns:wsu=\"{NS_WSU}\">\n\
         \x20     <wsse:UsernameToken>\n\
         \x20       <wsse:Username>{user}</wsse:Username>\n\
         \x20       <wsse:Password Type=\"{PASSWORD_DIGEST}\">{digest}</wsse:Password>\n\
         \x20       <wsse:Nonce EncodingType=\"{BASE64_BINARY}\">{nonce}</wsse:Nonce>\n\
         \x20       <wsu:Created>{created}</wsu:Created>\n\
         \x20     </wsse:UsernameToken>\n\
         \x20   </wsse:Security>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn created() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
    }

    const NONCE: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    // Known answer, computed independently of this crate with Python's hashlib and base64:
    //
    //   python3 -c "import hashlib,base64; n=bytes(range(16)); \
    //     print(base64.b64encode(n).decode(), base64.b64encode(hashlib.sha1( \
    //     n+b'2024-01-01T00:00:00Z'+b'test-api-key').digest()).decode())"
    //   AAECAwQFBgcICQoLDA0ODw== HHqu8jOLsSM+o0kfGMVoaCJ2nL4=
    //
    // It is also the "Digest self-test" of domain.md §10.3 (which checks SHA-1 and Base64
    // only, not that Hongkong Post accepts the header).
    #[test]
    fn digest_known_answer() {
        assert_eq!(format_created(created()), "2024-01-01T00:00:00Z");
        assert_eq!(encode_nonce(&NONCE), "AAECAwQFBgcICQoLDA0ODw==");
        assert_eq!(
            password_digest(&NONCE, "2024-01-01T00:00:00Z", "test-api-key"),
            "HHqu8jOLsSM+o0kfGMVoaCJ2nL4="
        );
    }

    // FIPS 180 "abc" vector, through the same concatenation: nonce "a", created "b", key "c".
    // SHA1("abc") = a9993e364706816aba3e25717850c26c9cd0d89d; its Base64 below was computed
    // with: python3 -c "import hashlib,base64;print(base64.b64encode(hashlib.sha1(b'abc').digest()).decode())"
    #[test]
    fn digest_hashes_the_concatenation_in_order() {
        assert_eq!(
            password_digest(b"a", "b", "c"),
            "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="
        );
        assert_ne!(
            password_digest(b"c", "b", "a"),
            password_digest(b"a", "b", "c")
        );
    }

    #[test]
    fn created_drops_subseconds() {
        let t = Utc.timestamp_opt(1_704_067_200, 999_000_000).unwrap();
        assert_eq!(format_created(t), "2024-01-01T00:00:00Z");
    }

    #[test]
    fn header_carries_token_and_never_the_key() {
        let h = security_header("shop<&>", "test-api-key", &NONCE, created());
        assert_eq!(
            h,
            format!(
                "    <wsse:Security xmlns:wsse=\"{NS_WSSE}\" xmlns:wsu=\"{NS_WSU}\">
      <wsse:UsernameToken>
        <wsse:Username>shop&lt;&amp;&gt;</wsse:Username>
        <wsse:Password Type=\"{PASSWORD_DIGEST}\">HHqu8jOLsSM+o0kfGMVoaCJ2nL4=</wsse:Password>
        <wsse:Nonce EncodingType=\"{BASE64_BINARY}\">AAECAwQFBgcICQoLDA0ODw==</wsse:Nonce>
        <wsu:Created>2024-01-01T00:00:00Z</wsu:Created>
      </wsse:UsernameToken>
    </wsse:Security>
"
            )
        );
        assert!(!h.contains("test-api-key"));
    }
}
