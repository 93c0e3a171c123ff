//! Where a shipment is in its life, and the moves between states the app allows; and where
//! an EC-Ship outbox job is.
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

/// What an outbox job asks EC-Ship to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// `createOrder`, then store the item number.
    Submit,
    /// `cancelOrder` for an order EC-Ship already made.
    Cancel,
}

impl JobKind {
    pub const ALL: [JobKind; 2] = [Self::Submit, Self::Cancel];

    pub fn id(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Cancel => "cancel",
        }
    }

    pub fn from_id(id: &str) -> Option<JobKind> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// Where an outbox job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its due time.
    Queued,
    /// A worker holds it until its lease ends.
    Running,
    Done,
    /// Stopped for good; the merchant decides (fix and retry, or leave it).
    Failed,
    /// Taken back by the merchant before it was ever sent.
    Withdrawn,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        Self::Queued,
        Self::Running,
        Self::Done,
        Self::Failed,
        Self::Withdrawn,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn from_id(id: &str) -> Option<JobState> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }

    /// Still to be worked on (queued, or held by a worker).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// Who said no to a job, which decides what the merchant can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobErrorKind {
    /// EC-Ship answered with an error; the message is its own text.
    Ecship,
    /// The request did not get an answer (offline, timeout, dropped connection).
    Transport,
    /// Satchel cannot even build the request: credentials or configuration are missing.
    Setup,
}

impl JobErrorKind {
    pub const ALL: [JobErrorKind; 3] = [Self::Ecship, Self::Transport, Self::Setup];

    pub fn id(self) -> &'static str {
        match self {
            Self::Ecship => "ecship",
            Self::Transport => "transport",
            Self::Setup => "setup",
        }
    }

    pub fn from_id(id: &str) -> Option<JobErrorKind> {
        Self::ALL.into_iter().find(|k| k.id() == id)
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
    fn job_ids_read_back_and_match_the_wire_names() {
        for k in JobKind::ALL {
            assert_eq!(JobKind::from_id(k.id()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.id());
        }
        for s in JobState::ALL {
            assert_eq!(JobState::from_id(s.id()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.id());
        }
        for e in JobErrorKind::ALL {
            assert_eq!(JobErrorKind::from_id(e.id()), Some(e));
        }
        assert!(JobState::Running.is_open() && !JobState::Withdrawn.is_open());
    }

    #[test]
    fn only_drafts_and_ready_items_are_edited_and_cancelled_is_final() {
        use ShipmentState::*;
        assert!(Draft.is_editable() && Ready.is_editable() && !Numbered.is_editable());
        assert!(ShipmentState::ALL.iter().all(|s| !Cancelled.can_become(*s)));
        assert!(Submitted.can_become(Ready) && !Posted.can_become(Draft));
    }
}
