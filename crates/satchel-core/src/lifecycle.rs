//! Where a shipment is in its life, and the moves between states the app allows.
//!
//! One type for the store, the IPC contract (re-exported by `satchel-ipc`), the CSV files and
//! the CLI, so a state cannot be spelt two ways or added on one side only.

use serde::{Deserialize, Serialize};

/// Where a shipment is in its life. The order is the normal path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentState {
    Draft,
    /// Checked with no errors; can be submitted.
    Ready,
    /// Sent to EC-Ship, waiting for its answer.
    Submitted,
    /// EC-Ship assigned the item number.
    Numbered,
    Printed,
    Posted,
    Delivered,
    Returned,
    /// The label passed its validity before posting.
    Expired,
    /// The order was cancelled at EC-Ship: its item number is void and its `refNo` (our id)
    /// is spent, so it can only be copied as new.
    Cancelled,
}

impl ShipmentState {
    pub const ALL: [ShipmentState; 10] = [
        Self::Draft,
        Self::Ready,
        Self::Submitted,
        Self::Numbered,
        Self::Printed,
        Self::Posted,
        Self::Delivered,
        Self::Returned,
        Self::Expired,
        Self::Cancelled,
    ];

    /// The stable id (`ready`): the wire name, the database value and the CLI's word.
    pub fn id(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Ready => "ready",
            Self::Submitted => "submitted",
            Self::Numbered => "numbered",
            Self::Printed => "printed",
            Self::Posted => "posted",
            Self::Delivered => "delivered",
            Self::Returned => "returned",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    /// A state by its id, any case.
    pub fn from_id(text: &str) -> Option<ShipmentState> {
        let id = text.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|st| st.id() == id)
    }

    /// The moves the lifecycle allows. Only drafts and ready items can be edited; a ready item
    /// goes back to draft when edited.
    pub fn can_become(self, to: ShipmentState) -> bool {
        use ShipmentState::*;
        matches!(
            (self, to),
            (Draft, Ready)
                | (Ready, Draft)
                | (Ready, Submitted)
                | (Submitted, Numbered)
                | (Submitted, Ready)
                | (Numbered, Printed)
                | (Printed, Printed)
                | (Numbered | Printed, Posted)
                | (Numbered | Printed, Expired)
                | (Posted, Delivered | Returned)
                | (Numbered | Printed, Cancelled)
        )
    }

    pub fn is_editable(self) -> bool {
        matches!(self, ShipmentState::Draft | ShipmentState::Ready)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_id_and_wire_name() {
        for s in ShipmentState::ALL {
            assert_eq!(ShipmentState::from_id(s.id()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.id());
        }
        assert_eq!(ShipmentState::from_id(" Ready"), Some(ShipmentState::Ready));
        assert_eq!(ShipmentState::from_id("sent"), None);
    }

    #[test]
    fn only_drafts_and_ready_items_are_edited_and_cancelled_is_final() {
        use ShipmentState::*;
        assert!(Draft.is_editable() && Ready.is_editable() && !Numbered.is_editable());
        assert!(ShipmentState::ALL.iter().all(|s| !Cancelled.can_become(*s)));
        assert!(Submitted.can_become(Ready) && !Posted.can_become(Draft));
    }
}
