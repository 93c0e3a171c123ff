//! Printer profiles: which printer prints which label format, on what media, at what
//! resolution and with what offset.
//!
//! Real printers do not print where the layout says: a thermal head sits a millimetre off, a
//! laser tray pulls a sheet slightly skewed. The merchant calibrates once and the profile
//! keeps the correction, per label format, so an iMail A4 sheet and a 4 × 6 thermal label can
//! go to different printers. The app decides where the file lives; this module only reads and
//! writes it as JSON and refuses values that would print wrongly, naming the field.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The file format version written by [`PrinterProfiles::save`].
pub const PROFILES_VERSION: u32 = 1;
/// An offset beyond 50 mm is not a calibration but a wrong media size.
pub const MAX_OFFSET_TENTHS_MM: i32 = 500;
/// Label printers are 152 to 600 dpi; office printers report up to 1200 (and PDFs carry
/// 72 dpi user space, which is not a printer resolution).
pub const DPI_RANGE: std::ops::RangeInclusive<u16> = 100..=1200;

/// Every profile the merchant has set up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterProfiles {
    pub version: u32,
    pub profiles: Vec<LabelProfile>,
}

impl Default for PrinterProfiles {
    fn default() -> Self {
        PrinterProfiles {
            version: PROFILES_VERSION,
            profiles: Vec::new(),
        }
    }
}

/// How one label format is printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelProfile {
    /// The label format id of `satchel-labels`, e.g. `imail_a4` or `thermal_4x6`.
    pub format_id: String,
    pub printer: PrinterTarget,
    /// IPP media keyword, e.g. `iso_a4_210x297mm` or `oe_4x6-label_4x6in`.
    pub media: String,
    pub dpi: u16,
    /// Moves the whole label right (positive) or left, in tenths of a millimetre.
    pub offset_x_tenths_mm: i32,
    /// Moves the whole label down (positive) or up, in tenths of a millimetre.
    pub offset_y_tenths_mm: i32,
}

/// Where a profile's labels go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrinterTarget {
    /// A spooler queue (CUPS on Linux and macOS), printed as PDF.
    Queue { name: String },
    /// A raw ZPL printer on the network, `host:port` (port usually 9100).
    RawZpl { address: String },
}

/// Why a profile file could not be used; `field` is a path such as `profiles[1].dpi`.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("printer profile {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The file is not valid JSON for profiles; serde's message names the line and column.
    #[error("printer profiles file is not readable as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("printer profiles file: {0}")]
    Io(#[from] std::io::Error),
}

impl PrinterProfiles {
    /// Reads and validates a profile file.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read(path)?;
        let profiles: PrinterProfiles = serde_json::from_slice(&text)?;
        profiles.validate()?;
        Ok(profiles)
    }

    /// Validates, then writes atomically (a temporary file renamed over the old one), so a
    /// crash mid-write never leaves the merchant with half a calibration.
    pub fn save(&self, path: &Path) -> Result<(), ProfileError> {
        self.validate()?;
        let json = serde_json::to_vec_pretty(self)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// The profile for a label format, if the merchant set one up.
    pub fn for_format(&self, format_id: &str) -> Option<&LabelProfile> {
        self.profiles.iter().find(|p| p.format_id == format_id)
    }

    /// Checks every field; the first problem is returned with its path.
    pub fn validate(&self) -> Result<(), ProfileError> {
        if self.version != PROFILES_VERSION {
            return Err(invalid(
                "version".into(),
                format!(
                    "is {}, this app reads version {PROFILES_VERSION}",
                    self.version
                ),
            ));
        }
        let mut seen = HashSet::new();
        for (i, profile) in self.profiles.iter().enumerate() {
            profile
                .validate()
                .map_err(|(field, reason)| invalid(format!("profiles[{i}].{field}"), reason))?;
            if !seen.insert(profile.format_id.as_str()) {
                return Err(invalid(
                    format!("profiles[{i}].format_id"),
                    format!("`{}` has more than one profile", profile.format_id),
                ));
            }
        }
        Ok(())
    }
}

impl LabelProfile {
    fn validate(&self) -> Result<(), (&'static str, String)> {
        let id = &self.format_id;
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err((
                "format_id",
                "must be a label format id like `imail_a4`".into(),
            ));
        }
        match &self.printer {
            PrinterTarget::Queue { name } => crate::check_queue_name(name)
                .map_err(|_| ("printer.name", "is not a print queue name".to_owned()))?,
            PrinterTarget::RawZpl { address } => {
                check_host_port(address).map_err(|reason| ("printer.address", reason))?
            }
        }
        check_media_keyword(&self.media).map_err(|reason| ("media", reason))?;
        if !DPI_RANGE.contains(&self.dpi) {
            return Err((
                "dpi",
                format!(
                    "is {}, must be {} to {}",
                    self.dpi,
                    DPI_RANGE.start(),
                    DPI_RANGE.end()
                ),
            ));
        }
        for (field, value) in [
            ("offset_x_tenths_mm", self.offset_x_tenths_mm),
            ("offset_y_tenths_mm", self.offset_y_tenths_mm),
        ] {
            if value.abs() > MAX_OFFSET_TENTHS_MM {
                return Err((
                    field,
                    format!("is {value}, must be within ±{MAX_OFFSET_TENTHS_MM} (50 mm)"),
                ));
            }
        }
        Ok(())
    }
}

fn invalid(field: String, reason: String) -> ProfileError {
    ProfileError::Invalid { field, reason }
}

/// IPP media keywords are lowercase ASCII names (PWG 5101.1), e.g. `iso_a4_210x297mm`.
pub(crate) fn check_media_keyword(media: &str) -> Result<(), String> {
    let ok = !media.is_empty()
        && media.len() <= 255
        && media.starts_with(|c: char| c.is_ascii_lowercase())
        && media
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.".contains(c));
    if ok {
        Ok(())
    } else {
        Err("must be an IPP media keyword like `iso_a4_210x297mm`".to_owned())
    }
}

fn check_host_port(address: &str) -> Result<(), String> {
    let msg = || "must be `host:port`, e.g. `192.168.1.50:9100`".to_owned();
    let (host, port) = address.rsplit_once(':').ok_or_else(msg)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(msg());
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(()),
        _ => Err(msg()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PrinterProfiles {
        PrinterProfiles {
            version: PROFILES_VERSION,
            profiles: vec![
                LabelProfile {
                    format_id: "imail_a4".into(),
                    printer: PrinterTarget::Queue {
                        name: "Office_Laser".into(),
                    },
                    media: "iso_a4_210x297mm".into(),
                    dpi: 600,
                    offset_x_tenths_mm: -5,
                    offset_y_tenths_mm: 12,
                },
                LabelProfile {
                    format_id: "thermal_4x6".into(),
                    printer: PrinterTarget::RawZpl {
                        address: "192.168.1.50:9100".into(),
                    },
                    media: "oe_4x6-label_4x6in".into(),
                    dpi: 203,
                    offset_x_tenths_mm: 0,
                    offset_y_tenths_mm: 0,
                },
            ],
        }
    }

    fn field_of(err: ProfileError) -> String {
        match err {
            ProfileError::Invalid { field, .. } => field,
            other => panic!("expected a field error, got {other}"),
        }
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("printers.json");
        let profiles = sample();
        profiles.save(&path).unwrap();
        assert_eq!(PrinterProfiles::load(&path).unwrap(), profiles);
        assert_eq!(profiles.for_format("thermal_4x6").unwrap().dpi, 203);
        assert!(profiles.for_format("speedpost").is_none());
        // The JSON is meant to be readable in a support ticket.
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"kind\": \"raw_zpl\""), "{text}");
    }

    #[test]
    fn each_bad_field_is_named() {
        type Breaker = fn(&mut PrinterProfiles);
        let cases: Vec<(Breaker, &str)> = vec![
            (|p| p.version = 2, "version"),
            (|p| p.profiles[1].dpi = 72, "profiles[1].dpi"),
            (|p| p.profiles[0].media = "A4".into(), "profiles[0].media"),
            (
                |p| p.profiles[0].offset_x_tenths_mm = 501,
                "profiles[0].offset_x_tenths_mm",
            ),
            (
                |p| p.profiles[1].offset_y_tenths_mm = -900,
                "profiles[1].offset_y_tenths_mm",
            ),
            (
                |p| p.profiles[0].format_id = "iMail A4".into(),
                "profiles[0].format_id",
            ),
            (
                |p| p.profiles[1].format_id = "imail_a4".into(),
                "profiles[1].format_id",
            ),
            (
                |p| p.profiles[0].printer = PrinterTarget::Queue { name: "a/b".into() },
                "profiles[0].printer.name",
            ),
            (
                |p| {
                    p.profiles[1].printer = PrinterTarget::RawZpl {
                        address: "zebra".into(),
                    }
                },
                "profiles[1].printer.address",
            ),
        ];
        for (break_it, field) in cases {
            let mut p = sample();
            break_it(&mut p);
            assert_eq!(field_of(p.validate().unwrap_err()), field);
        }
    }

    #[test]
    fn save_refuses_invalid_and_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("printers.json");
        sample().save(&path).unwrap();
        let mut bad = sample();
        bad.profiles[0].dpi = 0;
        assert_eq!(field_of(bad.save(&path).unwrap_err()), "profiles[0].dpi");
        assert_eq!(PrinterProfiles::load(&path).unwrap(), sample());
    }

    #[test]
    fn load_reports_bad_json_and_bad_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("printers.json");
        std::fs::write(
            &path,
            "{\"version\": 1, \"profiles\": [{\"format_id\": 3}]}",
        )
        .unwrap();
        assert!(matches!(
            PrinterProfiles::load(&path),
            Err(ProfileError::Json(_))
        ));
        let mut text = serde_json::to_string(&sample()).unwrap();
        text = text.replace("\"dpi\":203", "\"dpi\":5000");
        std::fs::write(&path, text).unwrap();
        assert_eq!(
            field_of(PrinterProfiles::load(&path).unwrap_err()),
            "profiles[1].dpi"
        );
        assert!(matches!(
            PrinterProfiles::load(&dir.path().join("missing.json")),
            Err(ProfileError::Io(_))
        ));
    }

    #[test]
    fn addresses() {
        for ok in ["192.168.1.50:9100", "zebra.local:9100", "[fe80::1]:9100"] {
            assert!(check_host_port(ok).is_ok(), "{ok}");
        }
        for bad in ["zebra", ":9100", "host:0", "host:99999", "a b:9100"] {
            assert!(check_host_port(bad).is_err(), "{bad}");
        }
    }
}
