//! The EC-Ship SOAP client: envelopes from `satchel-ecship`, sent over HTTPS (domain.md §10.2).
//!
//! Why it is thin: every decision about the wire format lives in the pure crate and is tested
//! there; this module only adds what needs IO — a fresh random nonce and the current time per
//! request (§10.3: a token is single-use), the POST itself, and the classification of
//! failures that the outbox depends on: an error is either EC-Ship's answer
//! ([`ClientError::Reply`]: do not retry blindly, show `errMessage`) or a transport failure
//! after which **nobody knows whether EC-Ship acted** ([`ClientError::outcome_unknown`]:
//! look the shipment up by `refNo` before trying again).

use std::time::Duration;

use chrono::NaiveDate;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use satchel_core::model::Shipment;
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use satchel_ecship::response::{
    self, FoundItem, OrderCreated, ReplyError, TotalPostage, TrackingEvent,
};
use satchel_ecship::{envelope, Account, Codes, MappingError, PrintMode, SpeedpostRoute, Stamp};
use uuid::Uuid;

use crate::{check_address, read_capped, AddressRefused, ReadError};

/// The largest SOAP reply read. The biggest real ones are label and certificate PDFs in
/// Base64 (a few MiB for a long getAddressPack run); anything past this is not EC-Ship
/// talking, and reading it would only fill the device's memory.
pub const MAX_ECSHIP_REPLY: usize = 32 * crate::capped::MIB;

/// Where EC-Ship lives; trial and production differ only here (§10.2: "Keep the base URL
/// and the environment in configuration").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// SOAP base: `{base_url}/Posting`, `/Calculator`, `/Tracking`, `/SoazPosting`; e.g.
    /// `https://service.hongkongpost.hk/API-trial/services`.
    pub base_url: String,
    /// REST tracking base (§10.6: production URL unknown, §13).
    pub tracking_base_url: String,
}

/// Why a call did not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No complete reply: timeout, refused or reset connection, a body cut short. EC-Ship
    /// may or may not have acted.
    #[error("no complete reply from EC-Ship ({0}); whether it acted is unknown")]
    Transport(String),
    /// EC-Ship answered (status error, SOAP fault) or answered something unreadable.
    #[error(transparent)]
    Reply(#[from] ReplyError),
    /// The request could not be built from the shipment.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// A configured address is not one Satchel sends to (plain http to another computer,
    /// or not a URL); nothing was sent.
    #[error(transparent)]
    Address(#[from] AddressRefused),
}

impl ClientError {
    /// True when EC-Ship may have carried out the request although we got no usable answer:
    /// every transport failure, and a reply we could not read (a proxy's error page, a
    /// truncated envelope). Before repeating a create after this, look it up by `refNo`.
    ///
    /// A SOAP fault on the server's side (`Server`, `soapenv:Server`, `env:Receiver`) counts
    /// too: a server can fail after committing the order (issue #17), so it is not an answer
    /// that no order was made. A client-side fault (a refused token, a malformed request)
    /// is: the request was turned away before any work.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ClientError::Transport(_) | ClientError::Reply(ReplyError::Malformed(_)) => true,
            ClientError::Reply(ReplyError::Fault { code, .. }) => is_server_fault(code),
            _ => false,
        }
    }
}

/// SOAP 1.1 `Server` / SOAP 1.2 `Receiver` fault codes, with or without a prefix.
fn is_server_fault(code: &str) -> bool {
    let local = code.rsplit(':').next().unwrap_or(code).trim();
    local.eq_ignore_ascii_case("Server") || local.eq_ignore_ascii_case("Receiver")
}

/// The setting [`Endpoints::base_url`] is, as a refusal names it.
pub const SERVICE_ADDRESS: &str = "EC-Ship service address";

/// A reply's text as `reqwest`'s `text()` gave it: UTF-8 (what EC-Ship sends), a byte-order
/// mark dropped, anything undecodable replaced rather than refused, so the SOAP reader can
/// still say which field it could not read.
fn decode(body: Vec<u8>) -> String {
    let mut text = match String::from_utf8(body) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    if text.starts_with('\u{feff}') {
        text.replace_range(..'\u{feff}'.len_utf8(), "");
    }
    text
}

fn transport(e: reqwest::Error) -> ClientError {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "reply cut short"
    } else {
        "connection failed"
    };
    // The error's own text names the URL, never the body, so it carries no personal data.
    ClientError::Transport(format!("{kind}: {e}"))
}

/// The SOAP client. Cheap to clone (the HTTP pool is shared).
#[derive(Debug, Clone)]
pub struct EcshipClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    account: Account,
    codes: Codes,
}

impl EcshipClient {
    /// `timeout` bounds each whole request; after it the outcome is unknown. Refuses an
    /// address [`crate::is_allowed_address`] does not accept (the tracking address may be
    /// empty: not configured), before anything can be sent there.
    pub fn new(
        endpoints: Endpoints,
        account: Account,
        codes: Codes,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        check_address(SERVICE_ADDRESS, &endpoints.base_url)?;
        if !endpoints.tracking_base_url.trim().is_empty() {
            check_address(
                crate::tracking::TRACKING_ADDRESS,
                &endpoints.tracking_base_url,
            )?;
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(transport)?;
        Ok(EcshipClient {
            http,
            endpoints,
            account,
            codes,
        })
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// A fresh token identity: 16 random bytes and the current time (§10.3).
    fn stamp() -> Result<Stamp, ClientError> {
        let mut nonce = vec![0u8; 16];
        getrandom::fill(&mut nonce)
            .map_err(|e| ClientError::Transport(format!("no randomness for the nonce: {e}")))?;
        Ok(Stamp {
            nonce,
            created: crate::wall_now(),
        })
    }

    /// POSTs an envelope to `{base}/{service}` (§10.2 transport) and returns the body,
    /// whatever the HTTP status: SOAP faults arrive as 500 and are answers.
    async fn post(&self, service: &str, envelope: String) -> Result<String, ClientError> {
        let url = format!(
            "{}/{service}",
            self.endpoints.base_url.trim_end_matches('/')
        );
        let resp = self
            .http
            .post(url)
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            )
            .header("SOAPAction", HeaderValue::from_static("\"\""))
            .body(envelope)
            .send()
            .await
            .map_err(transport)?;
        let body = read_capped(resp, MAX_ECSHIP_REPLY)
            .await
            .map_err(|e| match e {
                // Not read to its end, so like a cut-short reply: EC-Ship may have acted.
                ReadError::TooLarge { .. } => ClientError::Transport(e.to_string()),
                ReadError::Transport(e) => transport(e),
            })?;
        Ok(decode(body))
    }

    /// getTotalPostage (Calculator).
    pub async fn total_postage(&self, shipment: &Shipment) -> Result<TotalPostage, ClientError> {
        let env =
            envelope::get_total_postage(&Self::stamp()?, &self.account, &self.codes, shipment)?;
        Ok(response::parse_total_postage(
            &self.post("Calculator", env).await?,
        )?)
    }

    pub fn codes(&self) -> &Codes {
        &self.codes
    }

    /// True when this shipment's order is made through SoazPosting (Speedpost, §13.1).
    pub fn uses_soaz(&self, shipment: &Shipment) -> bool {
        shipment.service == Service::Speedpost && self.codes.speedpost_route == SpeedpostRoute::Soaz
    }

    /// Makes the order with `id` as `refNo` (createOrder) or `custOrdRef` (createSoazOrder,
    /// for Speedpost on the Soaz route). After an error with
    /// [`ClientError::outcome_unknown`], call [`Self::find_by_ref`] before trying again.
    pub async fn create_order(
        &self,
        id: Uuid,
        shipment: &Shipment,
    ) -> Result<OrderCreated, ClientError> {
        if self.uses_soaz(shipment) {
            let env = envelope::create_soaz_order(
                &Self::stamp()?,
                &self.account,
                &self.codes,
                id,
                shipment,
            )?;
            return Ok(response::parse_soaz_order(
                &self.post("SoazPosting", env).await?,
            )?);
        }
        let env =
            envelope::create_order(&Self::stamp()?, &self.account, &self.codes, id, shipment)?;
        Ok(response::parse_create_order(
            &self.post("Posting", env).await?,
        )?)
    }

    /// The operator's own label for a made order: getSoazAddressPack for Soaz Speedpost
    /// orders (created on `created`, a Hong Kong date), getAddressPack one per page otherwise.
    pub async fn label(
        &self,
        shipment: &Shipment,
        item: &ItemNumber,
        created: NaiveDate,
    ) -> Result<Vec<u8>, ClientError> {
        if self.uses_soaz(shipment) {
            let env =
                envelope::get_soaz_address_pack(&Self::stamp()?, &self.account, item, created);
            return Ok(response::parse_soaz_address_pack(
                &self.post("SoazPosting", env).await?,
            )?);
        }
        self.address_pack(std::slice::from_ref(item)).await
    }

    /// getCOP: EC-Ship's Certificate of Posting for these items, as a PDF.
    pub async fn certificate_of_posting(
        &self,
        items: &[ItemNumber],
    ) -> Result<Vec<u8>, ClientError> {
        let env = envelope::get_cop(&Self::stamp()?, &self.account, items);
        Ok(response::parse_cop(&self.post("Posting", env).await?)?)
    }

    /// createTemporaryOrder: a server-side draft (§10.4), same fields as createOrder.
    pub async fn create_temporary_order(
        &self,
        id: Uuid,
        shipment: &Shipment,
    ) -> Result<OrderCreated, ClientError> {
        let env = envelope::create_temporary_order(
            &Self::stamp()?,
            &self.account,
            &self.codes,
            id,
            shipment,
        )?;
        Ok(response::parse_create_order(
            &self.post("Posting", env).await?,
        )?)
    }

    /// getItemNo by our shipment id (`refNo`); empty when EC-Ship has no such order.
    pub async fn find_by_ref(&self, id: Uuid) -> Result<Vec<FoundItem>, ClientError> {
        let env = envelope::get_item_no(&Self::stamp()?, &self.account, &self.codes, id)?;
        Ok(response::parse_get_item_no(
            &self.post("Posting", env).await?,
        )?)
    }

    /// cancelOrder.
    pub async fn cancel_order(&self, item: &ItemNumber, order_no: &str) -> Result<(), ClientError> {
        let env = envelope::cancel_order(&Self::stamp()?, &self.account, item, order_no);
        Ok(response::parse_cancel_order(
            &self.post("Posting", env).await?,
        )?)
    }

    /// getAddressPack, one label per page: the PDF bytes.
    pub async fn address_pack(&self, items: &[ItemNumber]) -> Result<Vec<u8>, ClientError> {
        self.address_pack_with(items, PrintMode::OnePerPage).await
    }

    /// getAddressPack with a print mode (three per page is "for e-Express to the US only").
    pub async fn address_pack_with(
        &self,
        items: &[ItemNumber],
        mode: PrintMode,
    ) -> Result<Vec<u8>, ClientError> {
        let env = envelope::get_address_pack(&Self::stamp()?, &self.account, items, mode);
        Ok(response::parse_address_pack(
            &self.post("Posting", env).await?,
        )?)
    }

    /// getTTInfo (Tracking), events oldest first.
    pub async fn tt_info(&self, item: &ItemNumber) -> Result<Vec<TrackingEvent>, ClientError> {
        let env = envelope::get_tt_info(&Self::stamp()?, &self.account, &self.codes, item);
        Ok(response::parse_tt_info(&self.post("Tracking", env).await?)?)
    }

    /// getMTTInfo (Tracking), milestones oldest first.
    pub async fn mtt_info(&self, item: &ItemNumber) -> Result<Vec<TrackingEvent>, ClientError> {
        let env = envelope::get_mtt_info(&Self::stamp()?, &self.account, item);
        Ok(response::parse_mtt_info(
            &self.post("Tracking", env).await?,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capped::testing::{declares, raw_server};

    fn client_for(base_url: &str, tracking_base_url: &str) -> Result<EcshipClient, ClientError> {
        EcshipClient::new(
            Endpoints {
                base_url: base_url.into(),
                tracking_base_url: tracking_base_url.into(),
            },
            Account::default(),
            Codes::default(),
            Duration::from_secs(30),
        )
    }

    /// Issue #18: the API key and the merchant's recipients never cross the network in clear.
    #[test]
    fn plain_http_to_another_computer_is_refused_by_setting() {
        let e = client_for("http://service.example/services", "").unwrap_err();
        assert!(matches!(e, ClientError::Address(_)), "{e}");
        assert!(!e.outcome_unknown(), "nothing was sent");
        assert_eq!(
            e.to_string(),
            "EC-Ship service address: use https:// (plain http only to this computer)"
        );
        let e = client_for("https://service.example/services", "http://track.example").unwrap_err();
        assert_eq!(
            e.to_string(),
            "tracking address: use https:// (plain http only to this computer)"
        );
        assert!(client_for("https://service.example/services", "").is_ok());
        assert!(client_for("http://127.0.0.1:9/services", "http://[::1]:9").is_ok());
    }

    /// Issue #18: a reply over the cap is not read, and since it was not read EC-Ship may
    /// have acted: the outbox looks the order up before trying again.
    #[tokio::test]
    async fn a_reply_larger_than_the_cap_is_refused_with_the_outcome_unknown() {
        let url = raw_server(declares("200 OK", MAX_ECSHIP_REPLY + 1)).await;
        let c = client_for(&format!("{url}/services"), "").unwrap();
        let e = c
            .cancel_order(&ItemNumber::parse("RR123456785HK").unwrap(), "1")
            .await
            .unwrap_err();
        assert!(e.outcome_unknown(), "{e}");
        assert!(
            e.to_string().contains("the reply was larger than 32 MiB"),
            "{e}"
        );
    }

    #[test]
    fn a_reply_is_read_as_utf8_without_its_byte_order_mark() {
        assert_eq!(decode("\u{feff}<a>陳</a>".as_bytes().to_vec()), "<a>陳</a>");
        assert_eq!(decode(b"<a>\xff</a>".to_vec()), "<a>\u{fffd}</a>");
    }

    fn fault(code: &str) -> ClientError {
        ClientError::Reply(ReplyError::Fault {
            code: code.into(),
            message: "boom".into(),
        })
    }

    /// Issue #17: a server fault may follow a commit, so the order may exist; a client fault
    /// (a refused token) is a refusal before any work.
    #[test]
    fn a_server_fault_leaves_the_outcome_unknown_and_a_client_fault_does_not() {
        for code in ["soapenv:Server", "Server", "env:Receiver"] {
            assert!(fault(code).outcome_unknown(), "{code}");
        }
        for code in ["soapenv:Client", "wsse:FailedAuthentication"] {
            assert!(!fault(code).outcome_unknown(), "{code}");
        }
        let status = ClientError::Reply(ReplyError::Status {
            status: "1".into(),
            message: "no".into(),
        });
        assert!(!status.outcome_unknown());
    }
}
