//! Record format 2 (issue #18): a synced record the hub can store, page out and deduplicate,
//! and nothing more.
//!
//! Format 1 sent a record's entity (`contact`, `shipment`), its id (a UUIDv7, so its creation
//! time) and its version (the change's HLC: when it was edited, and on which device) in clear
//! beside the envelope, and the envelope was exactly 121 bytes longer than the change. A hub
//! could count contacts and shipments, date every record and every edit, and tell a one-line
//! contact from a shipment with forty items. Format 2 moves all of it inside the envelope:
//!
//! - On the wire the entity is always [`OPAQUE_ENTITY`]; the record id is a keyed BLAKE2b of
//!   (entity, id) and the version a keyed BLAKE2b of (entity, id, HLC), both under a subkey of
//!   the account key that no hub ever has ([`hub_ids`]). They are deterministic, so the hub
//!   still keeps each version once, a retried upload is still byte for byte the first, and
//!   every version of a record shares one hub id (purging by id still works: compute it with
//!   [`hub_record_id`]). Without the key they tell only "same record" or "another record".
//! - The envelope's plaintext is a [`Frame`] holding the real entity, id and HLC with the
//!   fields, padded with zeros so that the whole envelope is one of [`BUCKETS`] long.
//! - The wire ids are the envelope's associated data, and opening recomputes them from the
//!   frame: a record the hub moved to other ids, or whose frame names another record than its
//!   ids, is refused ([`CryptoError::Forged`]).
//!
//! # Frame (lengths in bytes, integers big-endian)
//!
//! ```text
//! len   field
//!   1   frame version, 0x02
//!   4   entity length e, then e bytes (UTF-8)
//!   4   record id length r, then r bytes (UTF-8)
//!   4   version length v, then v bytes (the HLC as text)
//!   4   body length n, then n bytes (the changed fields as JSON)
//!   *   zeros, up to the bucket
//! ```
//!
//! A frame too big for the largest bucket is not padded (its envelope is then over the hub's
//! default 64 KiB limit, and the hub refuses it as it refused such a record in format 1).

use std::fmt;

use crate::digest::keyed;
use crate::envelope::OVERHEAD;
use crate::{AccountKey, CryptoError, RecordMeta};

/// The entity every format-2 record carries on the wire. Format 1 named real entities there
/// (`contact`, `shipment`, …), none of which is this, so a reader tells the formats apart by it.
pub const OPAQUE_ENTITY: &str = "sealed";

/// The sizes a format-2 envelope takes, in bytes: the smallest that holds the frame. The
/// largest is the hub's default per-record limit (`max_record_bytes`, 64 KiB), which the
/// biggest record Satchel makes (a tariff part: 32 KiB of base64 and its names,
/// `satchel_store::tariffs::PART_CHARS`) fits.
pub const BUCKETS: [usize; 4] = [1024, 4 * 1024, 16 * 1024, 64 * 1024];

/// The first byte of every frame this version writes.
pub const FRAME_V2: u8 = 2;

/// The domain of the subkey the hub ids are made under.
const IDS_KEY: &[u8] = b"satchel/sync/hub-ids/v2";

/// A record's names on the hub: 64 lowercase hex characters each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubIds {
    pub record_id: String,
    pub version: String,
}

impl HubIds {
    /// The wire meta (and the envelope's associated data) of the record.
    pub fn meta(&self) -> RecordMeta<'_> {
        RecordMeta {
            entity: OPAQUE_ENTITY,
            record_id: &self.record_id,
            version: &self.version,
        }
    }
}

/// A record as sealed inside a format-2 envelope. `Debug` leaves out the body, which holds
/// names and addresses.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    /// The kind of record: `contact`, `shipment`, `product`, `tariff_part`.
    pub entity: String,
    /// The record's id on the devices (a UUIDv7 for most).
    pub record_id: String,
    /// The change's HLC, as text.
    pub version: String,
    /// The changed fields, as JSON.
    pub body: Vec<u8>,
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("entity", &self.entity)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn ids_key(key: &AccountKey) -> zeroize::Zeroizing<[u8; 32]> {
    zeroize::Zeroizing::new(keyed(key.expose_bytes(), &[IDS_KEY]))
}

fn record_id_under(k: &[u8; 32], entity: &str, record_id: &str) -> String {
    hex(&keyed(
        k,
        &[b"record-id", entity.as_bytes(), record_id.as_bytes()],
    ))
}

/// The hub's id of a record: the same for every version, so `DELETE /v0/records/{entity}/{id}`
/// takes `OPAQUE_ENTITY` and this.
pub fn hub_record_id(key: &AccountKey, entity: &str, record_id: &str) -> String {
    record_id_under(&ids_key(key), entity, record_id)
}

/// The hub's names of one version of a record.
pub fn hub_ids(key: &AccountKey, entity: &str, record_id: &str, version: &str) -> HubIds {
    let k = ids_key(key);
    HubIds {
        record_id: record_id_under(&k, entity, record_id),
        version: hex(&keyed(
            &k,
            &[
                b"version",
                entity.as_bytes(),
                record_id.as_bytes(),
                version.as_bytes(),
            ],
        )),
    }
}

/// The plaintext length that makes an envelope exactly fill its bucket: the smallest bucket
/// the frame fits in, or the frame's own length when none does.
pub fn padded_len(frame_len: usize) -> usize {
    BUCKETS
        .iter()
        .map(|b| b - OVERHEAD)
        .find(|&room| room >= frame_len)
        .unwrap_or(frame_len)
}

fn encode(f: &Frame) -> Vec<u8> {
    let parts: [&[u8]; 4] = [
        f.entity.as_bytes(),
        f.record_id.as_bytes(),
        f.version.as_bytes(),
        &f.body,
    ];
    let len = 1 + parts.iter().map(|p| 4 + p.len()).sum::<usize>();
    let padded = padded_len(len);
    let mut out = Vec::with_capacity(padded);
    out.push(FRAME_V2);
    for p in parts {
        let n = u32::try_from(p.len()).expect("a synced record is far under 4 GiB");
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(p);
    }
    out.resize(padded, 0);
    out
}

/// The next length-prefixed part of `rest`, which moves past it.
fn take<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let whole: &'a [u8] = rest;
    if whole.len() < 4 {
        return None;
    }
    let (len, tail) = whole.split_at(4);
    let len = usize::try_from(u32::from_be_bytes([len[0], len[1], len[2], len[3]])).ok()?;
    if tail.len() < len {
        return None;
    }
    let (part, tail) = tail.split_at(len);
    *rest = tail;
    Some(part)
}

fn text(rest: &mut &[u8]) -> Result<String, CryptoError> {
    take(rest)
        .and_then(|b| std::str::from_utf8(b).ok())
        .map(str::to_owned)
        .ok_or(CryptoError::Forged)
}

fn decode(plain: &[u8]) -> Result<Frame, CryptoError> {
    match plain.first() {
        None => return Err(CryptoError::Truncated { len: 0 }),
        Some(&FRAME_V2) => {}
        Some(&other) => return Err(CryptoError::UnknownVersion(other)),
    }
    let mut rest = &plain[1..];
    let entity = text(&mut rest)?;
    let record_id = text(&mut rest)?;
    let version = text(&mut rest)?;
    let body = take(&mut rest).ok_or(CryptoError::Forged)?.to_vec();
    Ok(Frame {
        entity,
        record_id,
        version,
        body,
    })
}

/// Seals `frame` as a format-2 record: its hub ids and the envelope, one of [`BUCKETS`] long.
/// Deterministic (see [`crate::seal_deterministic`]): the same key and frame seal alike.
pub fn seal_record(key: &AccountKey, frame: &Frame) -> (HubIds, Vec<u8>) {
    let ids = hub_ids(key, &frame.entity, &frame.record_id, &frame.version);
    let envelope = crate::seal_deterministic(key, &ids.meta(), &encode(frame));
    (ids, envelope)
}

/// Opens a format-2 record that came with the wire meta `wire`. Besides the envelope's own
/// checks, the frame must name the record its ids were made from: [`CryptoError::Forged`]
/// otherwise. A frame of a newer format is [`CryptoError::UnknownVersion`].
pub fn open_record(
    key: &AccountKey,
    wire: &RecordMeta<'_>,
    envelope: &[u8],
) -> Result<Frame, CryptoError> {
    if wire.entity != OPAQUE_ENTITY {
        return Err(CryptoError::Forged);
    }
    let plain = crate::open(key, wire, envelope)?;
    let frame = decode(&plain)?;
    let ids = hub_ids(key, &frame.entity, &frame.record_id, &frame.version);
    if ids.record_id != wire.record_id || ids.version != wire.version {
        return Err(CryptoError::Forged);
    }
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> AccountKey {
        AccountKey::from_bytes([b; 32])
    }

    fn frame(entity: &str, id: &str, version: &str, body: &str) -> Frame {
        Frame {
            entity: entity.into(),
            record_id: id.into(),
            version: version.into(),
            body: body.as_bytes().to_vec(),
        }
    }

    const HLC: &str = "0193a1b2c3d4-000000-0193a1b2c3d47000800000000000abcd";
    const ID: &str = "01936f2e-7c1a-7b3e-9a4f-2d1c0b9e8f7a";

    #[test]
    fn a_record_opens_to_itself_and_seals_alike_twice() {
        let k = key(7);
        let f = frame("contact", ID, HLC, r#"{"name":"陳大文"}"#);
        let (ids, env) = seal_record(&k, &f);
        assert_eq!(seal_record(&k, &f), (ids.clone(), env.clone()));
        assert_eq!(open_record(&k, &ids.meta(), &env).unwrap(), f);
        assert_eq!(env.len(), 1024);
    }

    #[test]
    fn the_wire_says_nothing_of_entity_id_or_stamp() {
        let k = key(7);
        let (ids, env) = seal_record(&k, &frame("shipment", ID, HLC, "{}"));
        for s in [&ids.record_id, &ids.version] {
            assert_eq!(s.len(), 64);
            assert!(s
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
        for plain in ["shipment", ID, HLC, "0193a1b2c3d4"] {
            assert!(!ids.record_id.contains(plain) && !ids.version.contains(plain));
            assert!(!env.windows(plain.len()).any(|w| w == plain.as_bytes()));
        }
        // Every version of a record has the record's one hub id; versions and records differ.
        let later = hub_ids(&k, "shipment", ID, "0193a1b2c3d5-000000-dev");
        assert_eq!(later.record_id, ids.record_id);
        assert_eq!(later.record_id, hub_record_id(&k, "shipment", ID));
        assert_ne!(later.version, ids.version);
        assert_ne!(hub_ids(&k, "contact", ID, HLC).record_id, ids.record_id);
        // Another account's key names the same record otherwise.
        assert_ne!(hub_ids(&key(8), "shipment", ID, HLC), ids);
    }

    #[test]
    fn envelopes_come_in_the_bucket_sizes_only() {
        let k = key(7);
        let mut seen = Vec::new();
        for n in [
            0, 800, 900, 1000, 3000, 4000, 10_000, 16_000, 40_000, 65_000,
        ] {
            let body = "x".repeat(n);
            let (_, env) = seal_record(&k, &frame("contact", ID, HLC, &body));
            assert!(
                BUCKETS.contains(&env.len()),
                "{n} bytes sealed to {}",
                env.len()
            );
            seen.push(env.len());
        }
        assert!(seen.windows(2).all(|w| w[0] <= w[1]));
        for b in BUCKETS {
            assert!(seen.contains(&b), "no record filled {b}");
        }
        // The largest frame that fits the largest bucket fills it exactly; one byte more does
        // not fit any bucket and is not padded.
        let room = BUCKETS[3] - OVERHEAD;
        assert_eq!(padded_len(room), room);
        assert_eq!(padded_len(room + 1), room + 1);
        assert_eq!(padded_len(1), BUCKETS[0] - OVERHEAD);
    }

    #[test]
    fn a_moved_or_mislabelled_record_is_refused() {
        let k = key(7);
        let f = frame("contact", ID, HLC, "{}");
        let (ids, env) = seal_record(&k, &f);
        // Moved by the hub onto another record's or version's ids: the envelope refuses.
        let other = hub_ids(&k, "contact", "another", HLC);
        for wire in [
            RecordMeta {
                record_id: &other.record_id,
                ..ids.meta()
            },
            RecordMeta {
                version: &other.version,
                ..ids.meta()
            },
            RecordMeta {
                entity: "contact",
                ..ids.meta()
            },
        ] {
            assert_eq!(open_record(&k, &wire, &env), Err(CryptoError::Forged));
        }
        // Sealed under the right ids but naming another record inside: refused too.
        let inside = encode(&frame("contact", "another", HLC, "{}"));
        let env = crate::seal_deterministic(&k, &ids.meta(), &inside);
        assert_eq!(open_record(&k, &ids.meta(), &env), Err(CryptoError::Forged));
        // Another account's key: reported as such, so a pull stops instead of skipping.
        let (ids, env) = seal_record(&k, &f);
        assert_eq!(
            open_record(&key(8), &ids.meta(), &env),
            Err(CryptoError::WrongKey)
        );
    }

    #[test]
    fn a_frame_from_a_newer_satchel_says_so() {
        let k = key(7);
        let ids = hub_ids(&k, "contact", ID, HLC);
        let mut plain = encode(&frame("contact", ID, HLC, "{}"));
        plain[0] = 3;
        let env = crate::seal_deterministic(&k, &ids.meta(), &plain);
        assert_eq!(
            open_record(&k, &ids.meta(), &env),
            Err(CryptoError::UnknownVersion(3))
        );
    }

    #[test]
    fn frames_decode_strictly() {
        let f = frame("contact", ID, HLC, r#"{"a":1}"#);
        let plain = encode(&f);
        assert_eq!(decode(&plain).unwrap(), f);
        // Cut inside a part, or a length that runs past the end.
        assert_eq!(decode(&plain[..10]), Err(CryptoError::Forged));
        let mut long = plain.clone();
        long[1..5].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(decode(&long), Err(CryptoError::Forged));
        assert_eq!(decode(&[]), Err(CryptoError::Truncated { len: 0 }));
    }

    #[test]
    fn debug_shows_no_body() {
        let shown = format!("{:?}", frame("contact", ID, HLC, "Chan Tai Man"));
        assert!(!shown.contains("Chan"), "{shown}");
    }
}
