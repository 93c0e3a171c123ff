//! What both backends need to keep their embedded migrations honest: the refusal to run on a
//! schema newer than the hub, and the fingerprint each backend's tests pin so that a shipped
//! migration is never edited (a hub that ran the old text would never run the new one).

use crate::storage::StorageError;

/// Refuses to open a database that a newer hub has migrated past what this one knows:
/// running old code on a newer schema could write rows the newer hub misreads.
pub fn check_schema_version(current: usize, known: usize) -> Result<(), StorageError> {
    if current > known {
        return Err(StorageError::Backend(format!(
            "the hub database is at schema version {current}, newer than this hub ({known}); \
             run a newer satchel-hub"
        )));
    }
    Ok(())
}

/// The FNV-1a hash of each migration's text, in order: enough to notice an edit, and needs no
/// dependency.
pub fn migration_fingerprints(migrations: &[&str]) -> Vec<u64> {
    migrations
        .iter()
        .map(|sql| {
            sql.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        })
        .collect()
}
