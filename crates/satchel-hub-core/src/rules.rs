//! The decisions a storage backend makes inside its transactions, once for every backend.
//!
//! Each backend runs its own SQL, but what it does with the rows it reads (count an upload
//! against the quota, decide whether a refresh token rotates or betrays a copy, read a
//! session's state, drop an expired pairing blob) must not differ between SQLite and
//! PostgreSQL: the conformance suite proves both alike, and keeping the logic here keeps it
//! that way by construction.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::types::*;

/// The running count of one upload, started from the account row the backend read (and, on
/// PostgreSQL, locked) at the start of the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadTally {
    last_seq: i64,
    usage: Usage,
    stored: u32,
    duplicates: u32,
}

impl UploadTally {
    /// Starts from the account's stored `last_seq`, `record_count` and `byte_count`.
    pub fn new(last_seq: i64, record_count: i64, byte_count: i64) -> UploadTally {
        UploadTally {
            last_seq,
            usage: Usage {
                records: record_count as u64,
                bytes: byte_count as u64,
            },
            stored: 0,
            duplicates: 0,
        }
    }

    /// The seq the next inserted record gets: sequence numbers stay gapless because a
    /// duplicate does not use one up.
    pub fn next_seq(&self) -> i64 {
        self.last_seq + 1
    }

    /// Counts one record of the batch: `inserted` says whether the backend stored it (rather
    /// than finding the same version already there).
    pub fn count(&mut self, inserted: bool, ciphertext_len: usize) {
        if inserted {
            self.last_seq += 1;
            self.stored += 1;
            self.usage.records += 1;
            self.usage.bytes += ciphertext_len as u64;
        } else {
            self.duplicates += 1;
        }
    }

    /// The refusal when the batch takes the account past its quota. The backend returns it
    /// before committing, so nothing of the batch is kept.
    pub fn over_quota(&self, quota: Quota) -> Option<UploadOutcome> {
        if self.usage.records > quota.max_records {
            return Some(UploadOutcome::QuotaExceeded {
                kind: QuotaKind::Records,
                limit: quota.max_records,
                would_be: self.usage.records,
            });
        }
        if self.usage.bytes > quota.max_bytes {
            return Some(UploadOutcome::QuotaExceeded {
                kind: QuotaKind::Bytes,
                limit: quota.max_bytes,
                would_be: self.usage.bytes,
            });
        }
        None
    }

    /// The account's new `last_seq`, `record_count` and `byte_count`, as the backend stores them.
    pub fn account_row(&self) -> (i64, i64, i64) {
        (
            self.last_seq,
            self.usage.records as i64,
            self.usage.bytes as i64,
        )
    }

    pub fn result(&self) -> UploadResult {
        UploadResult {
            stored: self.stored,
            duplicates: self.duplicates,
            last_seq: self.last_seq,
        }
    }
}

/// The answer to an upload id seen before: the same content is a harmless retry, different
/// content under the same id is refused.
pub fn earlier_upload(digest: &Hash, batch: &UploadBatch, result: UploadResult) -> UploadOutcome {
    if *digest == batch.digest {
        UploadOutcome::Replayed(result)
    } else {
        UploadOutcome::DigestMismatch
    }
}

/// A presented refresh token with its family and device, as the backend found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresentedToken {
    pub family_id: Uuid,
    pub account_id: Uuid,
    pub device_id: Uuid,
    /// Milliseconds since the epoch, as stored.
    pub expires_at: i64,
    pub used: bool,
    pub family_revoked: bool,
    pub device_revoked: bool,
}

/// What the backend must do with a presented refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateStep {
    /// Answer this and write nothing.
    Refuse(RotateOutcome),
    /// The token was used before, so someone holds a copy: revoke this whole family, commit,
    /// and answer [`RotateOutcome::Reused`].
    RevokeFamily(Uuid),
    /// Mark the token used, store its successor in `family_id`, commit and answer `outcome`.
    Rotate {
        family_id: Uuid,
        outcome: RotateOutcome,
    },
}

/// Decides a refresh. A revocation wins over reuse (nothing left to revoke), and reuse wins
/// over expiry (a copied token is news even when it is old).
pub fn rotate_step(found: Option<PresentedToken>, now: DateTime<Utc>) -> RotateStep {
    let Some(t) = found else {
        return RotateStep::Refuse(RotateOutcome::Unknown);
    };
    if t.family_revoked || t.device_revoked {
        return RotateStep::Refuse(RotateOutcome::Revoked);
    }
    if t.used {
        return RotateStep::RevokeFamily(t.family_id);
    }
    if t.expires_at <= to_millis(now) {
        return RotateStep::Refuse(RotateOutcome::Expired);
    }
    RotateStep::Rotate {
        family_id: t.family_id,
        outcome: RotateOutcome::Rotated {
            account_id: t.account_id,
            device_id: t.device_id,
            family_id: t.family_id,
        },
    }
}

/// A session's state from the `revoked_at` of its device and of its token family, or `None`
/// when this account has no such device and family.
pub fn session_state(revoked: Option<(Option<i64>, Option<i64>)>) -> SessionState {
    match revoked {
        None => SessionState::Unknown,
        Some((Some(_), _)) => SessionState::DeviceRevoked,
        Some((None, Some(_))) => SessionState::FamilyRevoked,
        Some((None, None)) => SessionState::Active,
    }
}

/// A pairing blob taken out of its slot, kept only if it had not expired: the slot is deleted
/// either way, so a stale code cannot linger.
pub fn live_pairing(
    taken: Option<(Uuid, Vec<u8>, i64)>,
    now: DateTime<Utc>,
) -> Option<(Uuid, Vec<u8>)> {
    taken.and_then(|(account, blob, expires_at)| {
        (expires_at > to_millis(now)).then_some((account, blob))
    })
}

/// A stored SHA-256 digest, or `None` when the column does not hold 32 bytes.
pub fn hash_from_bytes(bytes: &[u8]) -> Option<Hash> {
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUOTA: Quota = Quota {
        max_records: 2,
        max_bytes: 10,
    };

    #[test]
    fn a_tally_counts_stored_records_and_skips_duplicates() {
        let mut t = UploadTally::new(5, 0, 0);
        t.count(true, 3);
        t.count(false, 3);
        assert_eq!(t.next_seq(), 7);
        assert_eq!(t.account_row(), (6, 1, 3));
        assert_eq!(
            t.result(),
            UploadResult {
                stored: 1,
                duplicates: 1,
                last_seq: 6
            }
        );
        assert_eq!(t.over_quota(QUOTA), None);
    }

    #[test]
    fn records_are_checked_before_bytes() {
        let mut t = UploadTally::new(0, 2, 9);
        t.count(true, 4);
        assert_eq!(
            t.over_quota(QUOTA),
            Some(UploadOutcome::QuotaExceeded {
                kind: QuotaKind::Records,
                limit: 2,
                would_be: 3
            })
        );
        let mut t = UploadTally::new(0, 0, 9);
        t.count(true, 4);
        assert_eq!(
            t.over_quota(QUOTA),
            Some(UploadOutcome::QuotaExceeded {
                kind: QuotaKind::Bytes,
                limit: 10,
                would_be: 13
            })
        );
    }

    #[test]
    fn revocation_wins_over_reuse_and_reuse_over_expiry() {
        let now = from_millis(1_000);
        let t = PresentedToken {
            family_id: Uuid::nil(),
            account_id: Uuid::nil(),
            device_id: Uuid::nil(),
            expires_at: 1_000,
            used: true,
            family_revoked: false,
            device_revoked: true,
        };
        assert_eq!(
            rotate_step(Some(t), now),
            RotateStep::Refuse(RotateOutcome::Revoked)
        );
        let t = PresentedToken {
            device_revoked: false,
            ..t
        };
        assert_eq!(
            rotate_step(Some(t), now),
            RotateStep::RevokeFamily(Uuid::nil())
        );
        let t = PresentedToken { used: false, ..t };
        assert_eq!(
            rotate_step(Some(t), now),
            RotateStep::Refuse(RotateOutcome::Expired)
        );
        assert_eq!(
            rotate_step(None, now),
            RotateStep::Refuse(RotateOutcome::Unknown)
        );
    }
}
