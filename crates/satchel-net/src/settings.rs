//! The merchant's EC-Ship connection: ordinary settings in a JSON file next to the database,
//! credentials in the OS keychain.
//!
//! Why here: the app and the `satchel` CLI open the same database and must reach EC-Ship the
//! same way. Issue #7 is explicit that the integrator username and the API key come "from the
//! keychain only", so [`EcshipSettings`] has no field for them and cannot write them to disk;
//! [`EcshipSettings::client`] reads them from the keychain each time a client is built, which
//! also means fixed credentials apply to waiting jobs without a restart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use satchel_ecship::{Account, Codes, Identity, SpeedpostRoute};
use satchel_keychain::{SecretStore, ECSHIP_API_KEY, ECSHIP_INTEGRATOR_USERNAME};
use serde::{Deserialize, Serialize};

use crate::ecship::{EcshipClient, Endpoints};

/// The settings file's name, next to the database.
pub const SETTINGS_FILE: &str = "ecship-settings.json";

/// How long one EC-Ship request may take before its outcome counts as unknown.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The settings file next to the database at `db`.
pub fn settings_path(db: &Path) -> PathBuf {
    db.with_file_name(SETTINGS_FILE)
}

/// The non-secret EC-Ship settings, as saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EcshipSettings {
    /// SOAP base, e.g. `https://service.hongkongpost.hk/API-trial/services` (domain.md §10.2).
    pub base_url: String,
    /// REST tracking base (§10.6; the production URL is not public, §13).
    pub tracking_base_url: String,
    /// Portal account (`ecshipUsername`).
    pub ecship_username: String,
    pub hkp_id: String,
    /// `ecship_username`, `hkp_id` or `both` (§10.3).
    pub identity: String,
    /// `getItemNo` searchType / sortOrder: not public (§13), needed to look an order up.
    pub search_type: String,
    pub sort_order: String,
    /// `shipCode` by service family (`imail`, `surface_parcel`, …), over the defaults
    /// public clients show (`satchel_ecship::mapping::DEFAULT_SHIP_CODES`).
    pub ship_codes: BTreeMap<String, String>,
    /// `nonDeliveryOptions` by instruction id, over the unverified defaults.
    pub non_delivery: BTreeMap<String, String>,
    /// HKP country codes by open-data zone code, over the built-in table (§10.7).
    pub country_codes: BTreeMap<String, String>,
    /// `soaz` (default) or `posting`: how Speedpost orders are made (§13.1).
    pub speedpost_route: String,
    /// createSoazOrder `service`; empty means the default (`SPGDE`, unverified).
    pub soaz_service: String,
    /// The merchant has seen the EDI privacy notice before a first international
    /// submission.
    pub edi_notice_accepted: bool,
}

/// Why no client can be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "EC-Ship is not set up: enter the service address, the integrator username and the API \
         key (app: EC-Ship screen; CLI: `satchel ecship setup`)"
    )]
    NotSetUp,
    #[error("the system keychain cannot be used: {0}")]
    Keychain(#[from] satchel_keychain::Error),
    #[error("EC-Ship cannot be reached this way: {0}")]
    Client(#[from] crate::ecship::ClientError),
}

impl EcshipSettings {
    /// The saved settings; a missing or unreadable file is "not set up yet".
    pub fn load(path: &Path) -> EcshipSettings {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes a temporary file and renames it over the old one, so a crash leaves either the
    /// old or the new settings, never half of them.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(&tmp, path)
    }

    pub fn identity(&self) -> Identity {
        match self.identity.as_str() {
            "hkp_id" => Identity::HkpId,
            "both" => Identity::Both,
            _ => Identity::EcshipUsername,
        }
    }

    pub fn codes(&self) -> Codes {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let defaults = Codes::default();
        let trimmed = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
            m.iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect()
        };
        Codes {
            search_type_ref_no: opt(&self.search_type),
            sort_order: opt(&self.sort_order),
            ship_codes: trimmed(&self.ship_codes),
            non_delivery: trimmed(&self.non_delivery),
            country_overrides: trimmed(&self.country_codes)
                .into_iter()
                .map(|(k, v)| (k.to_ascii_uppercase(), v.to_ascii_uppercase()))
                .collect(),
            speedpost_route: SpeedpostRoute::from_id(&self.speedpost_route).unwrap_or_default(),
            soaz_service: opt(&self.soaz_service).unwrap_or(defaults.soaz_service.clone()),
            ..defaults
        }
    }

    /// A client with the keychain's credentials. Blocks on the keychain (a D-Bus round trip
    /// on Linux desktops): call it off the async runtime's worker threads.
    pub fn client(&self, keychain: &dyn SecretStore) -> Result<EcshipClient, SetupError> {
        let user = keychain.get(ECSHIP_INTEGRATOR_USERNAME)?;
        let key = keychain.get(ECSHIP_API_KEY)?;
        let (Some(user), Some(key)) = (user, key) else {
            return Err(SetupError::NotSetUp);
        };
        if self.base_url.trim().is_empty() {
            return Err(SetupError::NotSetUp);
        }
        let account = Account {
            ecship_username: self.ecship_username.clone(),
            hkp_id: self.hkp_id.clone(),
            integrator_username: user.expose().to_owned(),
            api_key: key.expose().to_owned(),
            identity: self.identity(),
        };
        let endpoints = Endpoints {
            base_url: self.base_url.trim().to_owned(),
            tracking_base_url: self.tracking_base_url.trim().to_owned(),
        };
        Ok(EcshipClient::new(
            endpoints,
            account,
            self.codes(),
            REQUEST_TIMEOUT,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_a_save_and_hold_no_secret_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = settings_path(&dir.path().join("satchel.db"));
        let s = EcshipSettings {
            base_url: "https://service.hongkongpost.hk/API-trial/services".into(),
            search_type: "R".into(),
            ..EcshipSettings::default()
        };
        s.save(&path).unwrap();
        assert_eq!(EcshipSettings::load(&path), s);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("api_key") && !text.contains("integrator"));
        assert_eq!(s.codes().search_type_ref_no.as_deref(), Some("R"));
        assert_eq!(s.codes().sort_order, None);
    }

    /// Issue #18: a saved plain-http address of another computer (a settings file from an
    /// older version, or edited by hand) is refused by name when a client is made, so the key
    /// is never sent there.
    #[test]
    fn a_plain_http_address_to_another_computer_makes_no_client() {
        let kc = satchel_keychain::MemorySecrets::default();
        kc.set(
            ECSHIP_INTEGRATOR_USERNAME,
            &satchel_keychain::Secret::new("user".into()),
        )
        .unwrap();
        kc.set(ECSHIP_API_KEY, &satchel_keychain::Secret::new("key".into()))
            .unwrap();
        let mut s = EcshipSettings {
            base_url: "http://service.example/services".into(),
            ..EcshipSettings::default()
        };
        let e = s.client(&kc).unwrap_err();
        assert!(
            matches!(
                e,
                SetupError::Client(crate::ecship::ClientError::Address(_))
            ),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains("EC-Ship service address: use https://"),
            "{e}"
        );
        s.base_url = "https://service.example/services".into();
        s.tracking_base_url = "http://192.168.1.5/track".into();
        let e = s.client(&kc).unwrap_err();
        assert!(
            e.to_string().contains("tracking address: use https://"),
            "{e}"
        );
    }
}
