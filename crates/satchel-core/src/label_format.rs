//! The operator's label formats and their sizes: facts about the paper, shared by
//! the layouts (`satchel-labels`), the IPC contract, printer profiles and the CLI, with one id
//! each.

use serde::{Deserialize, Serialize};

/// A4 in tenths of a millimetre.
pub const A4_TENTHS_MM: (u32, u32) = (2100, 2970);

/// The label formats, with their sizes (width × height, tenths of a mm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelFormat {
    /// iMail all-in-one label, 210 × 90 mm, three to an A4 sheet.
    ImailA4,
    /// Speedpost, 184 × 129 mm per ply.
    Speedpost,
    /// Air/surface registered mail, 188 × 81 mm.
    Registered,
    /// Air/surface parcel, 188 × 135 mm first ply.
    Parcel,
    /// Any service on a 4 × 6 in thermal roll (101.6 × 152.4 mm).
    #[serde(rename = "thermal_4x6")]
    Thermal4x6,
}

impl LabelFormat {
    pub const ALL: [LabelFormat; 5] = [
        Self::ImailA4,
        Self::Speedpost,
        Self::Registered,
        Self::Parcel,
        Self::Thermal4x6,
    ];

    /// (width, height) of one label, tenths of a mm.
    pub fn size(self) -> (u32, u32) {
        match self {
            Self::ImailA4 => (2100, 900),
            Self::Speedpost => (1840, 1290),
            Self::Registered => (1880, 810),
            Self::Parcel => (1880, 1350),
            Self::Thermal4x6 => (1016, 1524),
        }
    }

    /// Labels per page, and the page size (tenths of a mm).
    pub fn sheet(self) -> (usize, (u32, u32)) {
        match self {
            Self::ImailA4 | Self::Registered => (3, A4_TENTHS_MM),
            Self::Speedpost | Self::Parcel => (2, A4_TENTHS_MM),
            Self::Thermal4x6 => (1, self.size()),
        }
    }

    /// The landscape formats put sender and recipient side by side; the thermal roll stacks.
    pub fn is_portrait(self) -> bool {
        self == Self::Thermal4x6
    }

    /// The stable id (`imail_a4`): the wire name, the printer profiles' key.
    pub fn id(self) -> &'static str {
        match self {
            Self::ImailA4 => "imail_a4",
            Self::Speedpost => "speedpost",
            Self::Registered => "registered",
            Self::Parcel => "parcel",
            Self::Thermal4x6 => "thermal_4x6",
        }
    }

    pub fn from_id(id: &str) -> Option<LabelFormat> {
        Self::ALL.into_iter().find(|f| f.id() == id.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_and_sheets_fit_their_labels() {
        for f in LabelFormat::ALL {
            assert_eq!(LabelFormat::from_id(f.id()), Some(f));
            assert_eq!(serde_json::to_value(f).unwrap(), f.id());
            let (per_sheet, (w, h)) = f.sheet();
            let (lw, lh) = f.size();
            assert!(lw <= w && lh * per_sheet as u32 <= h, "{f:?}");
        }
        assert_eq!(LabelFormat::from_id("a5"), None);
    }
}
