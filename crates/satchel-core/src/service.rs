//! The postal services Satchel can quote and prepare (domain.md §1).
//!
//! One enum for every tariff in the operator's rate files, because the open-data `serviceCode`
//! alone is ambiguous: `AIR_REG` names three formats that differ only in the English name's
//! suffix (domain.md §5.4 item 1).

use serde::{Deserialize, Serialize};

/// Letter-post formats; the rate files tell them apart only by a name suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterFormat {
    SmallLetter,
    LargeLetter,
    Packet,
}

impl LetterFormat {
    pub const ALL: [LetterFormat; 3] = [Self::SmallLetter, Self::LargeLetter, Self::Packet];
}

/// A service (and, for letter post, its format) with its own tariff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "service", content = "format", rename_all = "snake_case")]
pub enum Service {
    /// Bulk B2C permit mail, priced per kg of bag weight plus a per-item fee (§5.7).
    Imail,
    /// e-Express / e-Express+ (`EXP`).
    EExpress,
    /// Speedpost (Standard Service), `SPT_STD`.
    Speedpost,
    AirRegistered(LetterFormat),
    SurfaceRegistered(LetterFormat),
    AirMail(LetterFormat),
    SurfaceMail(LetterFormat),
    AirParcel,
    SurfaceParcel,
    LocalOrdinary(LetterFormat),
    LocalRegistered(LetterFormat),
    LocalParcel,
    LocalCourierPost,
}

impl Service {
    /// Every service, in the order the comparison screen lists ties.
    pub fn all() -> Vec<Service> {
        let mut v = vec![Self::Imail, Self::EExpress, Self::Speedpost];
        for f in LetterFormat::ALL {
            v.extend([
                Self::AirRegistered(f),
                Self::SurfaceRegistered(f),
                Self::AirMail(f),
                Self::SurfaceMail(f),
            ]);
        }
        v.extend([Self::AirParcel, Self::SurfaceParcel]);
        for f in LetterFormat::ALL {
            v.extend([Self::LocalOrdinary(f), Self::LocalRegistered(f)]);
        }
        v.extend([Self::LocalParcel, Self::LocalCourierPost]);
        v
    }

    /// The open-data `serviceCode` this tariff is published under.
    pub fn open_data_code(self) -> &'static str {
        match self {
            Self::Imail => "IML",
            Self::EExpress => "EXP",
            Self::Speedpost => "SPT_STD",
            Self::AirRegistered(_) => "AIR_REG",
            Self::SurfaceRegistered(_) => "SUR_REG",
            Self::AirMail(_) => "AIR_ORD",
            Self::SurfaceMail(_) => "SUR_ORD",
            Self::AirParcel => "AIR_PAR",
            Self::SurfaceParcel => "SUR_PAR",
            Self::LocalOrdinary(_) => "LOC_ORD",
            Self::LocalRegistered(_) => "LOC_REG",
            Self::LocalParcel => "LOC_PAR",
            Self::LocalCourierPost => "LCP_STD",
        }
    }

    pub fn format(self) -> Option<LetterFormat> {
        match self {
            Self::AirRegistered(f)
            | Self::SurfaceRegistered(f)
            | Self::AirMail(f)
            | Self::SurfaceMail(f)
            | Self::LocalOrdinary(f)
            | Self::LocalRegistered(f) => Some(f),
            _ => None,
        }
    }

    /// Local services deliver inside Hong Kong only.
    pub fn is_local(self) -> bool {
        matches!(
            self,
            Self::LocalOrdinary(_)
                | Self::LocalRegistered(_)
                | Self::LocalParcel
                | Self::LocalCourierPost
        )
    }

    /// The service without its letter format, e.g. `air_registered`: the key of settings
    /// that do not depend on the format (EC-Ship's `shipCode` table, for one).
    pub fn family(self) -> &'static str {
        match self {
            Self::Imail => "imail",
            Self::EExpress => "e_express",
            Self::Speedpost => "speedpost",
            Self::AirRegistered(_) => "air_registered",
            Self::SurfaceRegistered(_) => "surface_registered",
            Self::AirMail(_) => "air_mail",
            Self::SurfaceMail(_) => "surface_mail",
            Self::AirParcel => "air_parcel",
            Self::SurfaceParcel => "surface_parcel",
            Self::LocalOrdinary(_) => "local_ordinary",
            Self::LocalRegistered(_) => "local_registered",
            Self::LocalParcel => "local_parcel",
            Self::LocalCourierPost => "local_courierpost",
        }
    }

    /// A stable machine id, e.g. `air_registered.packet`, used by the CLI and the IPC layer.
    pub fn id(self) -> String {
        let base = self.family();
        match self.format() {
            None => base.to_owned(),
            Some(LetterFormat::SmallLetter) => format!("{base}.small_letter"),
            Some(LetterFormat::LargeLetter) => format!("{base}.large_letter"),
            Some(LetterFormat::Packet) => format!("{base}.packet"),
        }
    }

    /// Inverse of [`Service::id`].
    pub fn from_id(id: &str) -> Option<Service> {
        Self::all().into_iter().find(|s| s.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let all = Service::all();
        let mut ids: Vec<String> = all.iter().map(|s| s.id()).collect();
        for s in &all {
            assert_eq!(Service::from_id(&s.id()), Some(*s));
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all.len());
    }
}
