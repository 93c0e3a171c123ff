//! One change as the hub holds it, and back: sealing a change into a record (deterministic, so
//! a retried upload is byte for byte the same) and opening a downloaded one.

use super::*;

/// The upload id of a batch: the same device and change-log range always give the same id,
/// so a retry after a lost answer is recognised by the hub.
pub fn upload_id(device: &str, first_seq: i64, last_seq: i64, count: usize) -> Uuid {
    let d = satchel_crypto::digest(&[
        b"satchel/sync/upload-id/v1",
        device.as_bytes(),
        &first_seq.to_be_bytes(),
        &last_seq.to_be_bytes(),
        &(count as u64).to_be_bytes(),
    ]);
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid::Builder::from_custom_bytes(b).into_uuid()
}

/// Seals one change: its fields as JSON, bound to entity, id and HLC. Deterministic for a
/// given key and change (see the module doc).
pub(crate) fn seal_change(key: &AccountKey, c: &Change) -> proto::RecordUpload {
    let version = c.hlc.to_string();
    let plaintext = serde_json::to_vec(&c.fields).expect("a JSON map serializes");
    let meta = RecordMeta {
        entity: &c.entity,
        record_id: &c.record_id,
        version: &version,
    };
    let ciphertext = satchel_crypto::seal_deterministic(key, &meta, &plaintext);
    proto::RecordUpload {
        record_id: c.record_id.clone(),
        entity: c.entity.clone(),
        version,
        ciphertext: proto::Bytes(ciphertext),
    }
}

/// What opening a downloaded record gave.
pub(crate) enum Opened {
    Change(RemoteChange),
    /// Altered or moved on the hub, or not a change at all: skip it.
    Rejected,
}

pub(crate) fn open_record(key: &AccountKey, r: &proto::RecordDownload) -> Result<Opened> {
    let meta = RecordMeta {
        entity: &r.entity,
        record_id: &r.record_id,
        version: &r.version,
    };
    let plaintext = match satchel_crypto::open(key, &meta, &r.ciphertext.0) {
        Ok(p) => p,
        Err(CryptoError::Forged | CryptoError::Truncated { .. }) => return Ok(Opened::Rejected),
        Err(source) => {
            return Err(SyncError::Crypto {
                entity: r.entity.clone(),
                source,
            })
        }
    };
    let Ok(hlc) = r.version.parse::<Hlc>() else {
        return Ok(Opened::Rejected);
    };
    let Ok(fields) = serde_json::from_slice(&plaintext) else {
        return Ok(Opened::Rejected);
    };
    Ok(Opened::Change(RemoteChange {
        entity: r.entity.clone(),
        record_id: r.record_id.clone(),
        hlc,
        fields,
    }))
}
