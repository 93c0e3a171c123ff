//! One change as the hub holds it, and back: sealing a change into a record (deterministic, so
//! a retried upload is byte for byte the same) and opening a downloaded one.
//!
//! Every change is written in record format 2 (`satchel_crypto::opaque`, issue #18): on the
//! wire the entity is `sealed`, the record id and version are keyed digests, and the envelope
//! is one of four sizes; the real entity, id and HLC travel inside with the fields. Records
//! written in format 1 by an older Satchel (entity, id and HLC in clear) are still read, told
//! apart by their entity: that is the migration, and it needs no rewrite of what the hub holds.

use super::*;
use satchel_crypto::opaque;

/// The record format this version writes, and the newest it reads (`satchel_crypto::opaque`).
pub(crate) const RECORD_FORMAT: u8 = 2;

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

/// Seals one change in record format 2: its fields as JSON inside a frame with its entity, id
/// and HLC, under opaque hub ids. Deterministic for a given key and change (see the module
/// doc).
pub(crate) fn seal_change(key: &AccountKey, c: &Change) -> proto::RecordUpload {
    let frame = opaque::Frame {
        entity: c.entity.clone(),
        record_id: c.record_id.clone(),
        version: c.hlc.to_string(),
        body: serde_json::to_vec(&c.fields).expect("a JSON map serializes"),
    };
    let (ids, ciphertext) = opaque::seal_record(key, &frame);
    proto::RecordUpload {
        record_id: ids.record_id,
        entity: opaque::OPAQUE_ENTITY.to_owned(),
        version: ids.version,
        ciphertext: proto::Bytes(ciphertext),
    }
}

/// Seals one change as Satchel did before record format 2 (entity, id and HLC in clear), for
/// the tests that check such records are still read.
#[cfg(test)]
pub(crate) fn seal_change_v1(key: &AccountKey, c: &Change) -> proto::RecordUpload {
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
    let opened = if r.entity == opaque::OPAQUE_ENTITY {
        // Format 2: the real names are inside, and must be the ones the hub ids were made of.
        opaque::open_record(key, &meta, &r.ciphertext.0)
            .map(|f| (f.entity, f.record_id, f.version, f.body))
    } else {
        // Format 1 (before issue #18): the names in clear are the record's own.
        satchel_crypto::open(key, &meta, &r.ciphertext.0)
            .map(|p| (r.entity.clone(), r.record_id.clone(), r.version.clone(), p))
    };
    let (entity, record_id, version, plaintext) = match opened {
        Ok(o) => o,
        Err(CryptoError::Forged | CryptoError::Truncated { .. }) => return Ok(Opened::Rejected),
        Err(source) => {
            return Err(SyncError::Crypto {
                entity: r.entity.clone(),
                source,
            })
        }
    };
    let Ok(hlc) = version.parse::<Hlc>() else {
        return Ok(Opened::Rejected);
    };
    let Ok(fields) = serde_json::from_slice(&plaintext) else {
        return Ok(Opened::Rejected);
    };
    Ok(Opened::Change(RemoteChange {
        entity,
        record_id,
        hlc,
        fields,
    }))
}
