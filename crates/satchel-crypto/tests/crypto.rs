//! What the sync engine and the merchant rely on: a sealed record opens only with the right
//! key, for the same record and version, unaltered; the recovery phrase gives back the key and
//! catches miscopied words; a pairing code moves the key and nothing else does.

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use satchel_crypto::phrase::{from_phrase, to_phrase};
use satchel_crypto::{
    open, pairing, seal, AccountKey, CryptoError, PairingCode, PhraseError, RecordMeta,
};

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

const META: RecordMeta<'static> = RecordMeta {
    entity: "contact",
    record_id: "01936f2e-7c1a-7b3e-9a4f-2d1c0b9e8f7a",
    version: "0193a1b2c3d4-000000-4f1e2d3c",
};

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

#[test]
fn a_sealed_record_opens_with_the_same_key_and_meta() {
    let key = AccountKey::generate(&mut rng(1));
    let plain = "{\"name\":\"陳大文\",\"phone\":\"+852 9123 4567\"}".as_bytes();
    let env = seal(&key, &META, plain, &mut rng(2));
    assert_eq!(env.len(), plain.len() + 121);
    assert_eq!(env[0], satchel_crypto::ENVELOPE_V1);
    assert_eq!(open(&key, &META, &env).unwrap(), plain);
    // The name and phone are not in the envelope in any form a grep would find.
    assert!(!env.windows(3).any(|w| w == "陳".as_bytes()));
    assert!(!env.windows(4).any(|w| w == b"9123"));
}

#[test]
fn sealing_twice_gives_different_envelopes() {
    let key = AccountKey::generate(&mut rng(1));
    let mut r = rng(2);
    let a = seal(&key, &META, b"same", &mut r);
    let b = seal(&key, &META, b"same", &mut r);
    assert_ne!(a, b);
}

#[test]
fn changing_any_byte_of_an_envelope_is_detected() {
    let key = AccountKey::generate(&mut rng(3));
    let env = seal(&key, &META, b"Flat A, 12/F, 8 Nathan Road", &mut rng(4));
    for i in 0..env.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = env.clone();
            bad[i] ^= bit;
            let err = open(&key, &META, &bad).unwrap_err();
            let expected = match i {
                0 => CryptoError::UnknownVersion(env[0] ^ bit),
                1..=8 => CryptoError::WrongKey,
                _ => CryptoError::Forged,
            };
            assert_eq!(err, expected, "byte {i}");
        }
    }
    for len in [0, 1, 50, 120] {
        assert!(matches!(
            open(&key, &META, &env[..len]),
            Err(CryptoError::Truncated { .. })
        ));
    }
    // A cut inside the body is a failed tag, not a short read.
    assert_eq!(
        open(&key, &META, &env[..env.len() - 1]),
        Err(CryptoError::Forged)
    );
}

#[test]
fn an_envelope_moved_to_another_record_entity_or_version_does_not_open() {
    let key = AccountKey::generate(&mut rng(5));
    let env = seal(&key, &META, b"payload", &mut rng(6));
    let moved = [
        RecordMeta {
            entity: "shipment",
            ..META
        },
        RecordMeta {
            record_id: "01936f2e-7c1a-7b3e-9a4f-2d1c0b9e8f7b",
            ..META
        },
        RecordMeta {
            version: "0193a1b2c3d4-000001-4f1e2d3c",
            ..META
        },
        RecordMeta {
            version: "",
            ..META
        },
    ];
    for m in moved {
        assert_eq!(open(&key, &m, &env), Err(CryptoError::Forged), "{m:?}");
    }
}

#[test]
fn another_accounts_key_is_told_apart() {
    let key = AccountKey::generate(&mut rng(7));
    let other = AccountKey::generate(&mut rng(8));
    let env = seal(&key, &META, b"payload", &mut rng(9));
    assert_eq!(open(&other, &META, &env), Err(CryptoError::WrongKey));
}

/// Pins format version 1: records synced by this release must open in every later one. If
/// this fails, the envelope format changed and needs a new version byte instead.
#[test]
fn an_envelope_written_by_version_1_still_opens() {
    let key = AccountKey::from_bytes([0x42; 32]);
    let env = seal(&key, &META, b"golden", &mut rng(10));
    assert_eq!(hex(&env), GOLDEN.replace(char::is_whitespace, ""));
    assert_eq!(open(&key, &META, &unhex(GOLDEN)).unwrap(), b"golden");
}

const GOLDEN: &str =
    "01c855348af9c5a5083a0e3eeafd45d530f2976f850752b89b85f21dfc06f894280d18cd4543d6fb0ff78dd0\
    33d619137bf102b480273de4e6daea269dc404792f96115cc037413ae44027a0e0aac7974f2fd1a3fa7209d7\
    29550eaea5090120669006831495b5178de556fb91bb60343830efd00d515f1a16c83851cef947";

/// draft-irtf-cfrg-xchacha-03, appendix A.3.1: the primitive the envelope is built on.
#[test]
fn xchacha20_poly1305_matches_the_draft_test_vector() {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
    let key = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    let nonce = unhex("404142434445464748494a4b4c4d4e4f5051525354555657");
    let aad = unhex("50515253c0c1c2c3c4c5c6c7");
    let msg = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
    let out = XChaCha20Poly1305::new(Key::from_slice(&key))
        .encrypt(XNonce::from_slice(&nonce), Payload { msg, aad: &aad })
        .unwrap();
    assert_eq!(
        hex(&out),
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb\
         731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452\
         2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9\
         21f9664c97637da9768812f615c68b13b52e\
         c0875924c1c7987947deafd8780acf49"
            .replace(' ', "")
    );
}

/// RFC 9106 §5.3: the key-derivation function pairing codes go through.
#[test]
fn argon2id_matches_the_rfc_9106_test_vector() {
    use argon2::{Algorithm, Argon2, AssociatedData, ParamsBuilder, Version};
    let params = ParamsBuilder::new()
        .m_cost(32)
        .t_cost(3)
        .p_cost(4)
        .data(AssociatedData::new(&[4; 12]).unwrap())
        .output_len(32)
        .build()
        .unwrap();
    let a = Argon2::new_with_secret(&[3; 8], Algorithm::Argon2id, Version::V0x13, params).unwrap();
    let mut out = [0u8; 32];
    a.hash_password_into(&[1; 32], &[2; 16], &mut out).unwrap();
    assert_eq!(
        hex(&out),
        "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
    );
}

/// BIP-39's own vectors (trezor/python-mnemonic vectors.json, 256-bit entries).
#[test]
fn the_recovery_phrase_is_standard_bip39() {
    let cases = [
        ([0x00; 32], format!("{} art", ["abandon"; 23].join(" "))),
        (
            [0x7f; 32],
            "legal winner thank year wave sausage worth useful legal winner thank year wave \
             sausage worth useful legal winner thank year wave sausage worth title"
                .into(),
        ),
        (
            [0x80; 32],
            "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd \
             amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless"
                .into(),
        ),
        ([0xff; 32], format!("{} vote", ["zoo"; 23].join(" "))),
    ];
    for (bytes, words) in cases {
        let key = AccountKey::from_bytes(bytes);
        assert_eq!(to_phrase(&key).as_str(), words);
        assert_eq!(from_phrase(&words).unwrap(), key);
    }
}

#[test]
fn a_typed_phrase_is_read_forgivingly() {
    let key = AccountKey::from_bytes([0x7f; 32]);
    let phrase = to_phrase(&key);
    let shouty = format!("  {}\n", phrase.as_str().to_uppercase().replace(' ', ",  "));
    assert_eq!(from_phrase(&shouty).unwrap(), key);
    let prefixes: Vec<String> = phrase
        .words()
        .map(|w| w.chars().take(4).collect())
        .collect();
    assert_eq!(from_phrase(&prefixes.join(" ")).unwrap(), key);
    assert_eq!(format!("{phrase:?}"), "RecoveryPhrase(<redacted>)");
}

#[test]
fn phrase_errors_say_what_is_wrong_and_where() {
    let words: Vec<String> = to_phrase(&AccountKey::from_bytes([0x80; 32]))
        .words()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        from_phrase(&words[..23].join(" ")),
        Err(PhraseError::WordCount { found: 23 })
    );
    let mut typo = words.clone();
    typo[6] = "acustic".into();
    assert_eq!(
        from_phrase(&typo.join(" ")),
        Err(PhraseError::UnknownWord { position: 7 })
    );
    let mut changed = words.clone();
    changed[0] = "ability".into();
    assert_eq!(from_phrase(&changed.join(" ")), Err(PhraseError::Checksum));
    // Too short a prefix names several words, so it is unknown rather than guessed.
    let mut short = words.clone();
    short[0] = "le".into();
    assert_eq!(
        from_phrase(&short.join(" ")),
        Err(PhraseError::UnknownWord { position: 1 })
    );
}

#[test]
fn the_checksum_catches_almost_every_miscopied_word_and_never_returns_the_old_key() {
    let key = AccountKey::generate(&mut rng(11));
    let words: Vec<String> = to_phrase(&key).words().map(str::to_owned).collect();
    let list = bip39::Language::English.word_list();
    let mut slipped = 0;
    for pos in [0, 11, 23] {
        for w in list.iter().filter(|w| **w != words[pos]) {
            let mut changed = words.clone();
            changed[pos] = (*w).to_owned();
            match from_phrase(&changed.join(" ")) {
                Err(PhraseError::Checksum) => {}
                Ok(k) => {
                    assert_ne!(k, key);
                    slipped += 1;
                }
                Err(e) => panic!("unexpected {e}"),
            }
        }
    }
    // An 8-bit checksum lets through about 1 in 256 (about 24 of 6,141 here).
    assert!(
        slipped < 60,
        "{slipped} changed phrases passed the checksum"
    );
}

#[test]
fn the_devices_that_typed_the_same_code_agree_on_a_join_key() {
    let mut r = rng(12);
    let code = PairingCode::generate(&mut r);
    let seed = pairing::OfferSeed::generate(&mut r);
    let offer = pairing::typed_offer(&code, &seed);

    // Device 2 types the code as shown, in lower case.
    let shown = code.display();
    assert_eq!(shown.len(), 11);
    assert_eq!(&shown[5..6], "-");
    let typed = PairingCode::parse(&shown.to_lowercase()).unwrap();
    assert_eq!(typed, code);
    assert_eq!(
        PairingCode::from_qr(&code.qr_payload()).unwrap(),
        code,
        "a version-1 QR still reads"
    );
    let device = satchel_crypto::DeviceSecretKey::generate(&mut r).public();
    let (joiner, answer) = pairing::typed_answer(&typed, &device, &mut r);
    let theirs = joiner.finish(&offer).unwrap();
    let (ours, public) = pairing::open_typed_answer(&code, &seed, &answer).unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(public, device);
    // Nothing on the wire is the code, or carries it.
    let plain = code.display().replace('-', "");
    for wire in [&offer, &answer] {
        assert!(!wire.windows(5).any(|w| w == &plain.as_bytes()[5..]));
    }
}

#[test]
fn a_wrong_code_meets_the_offer_but_agrees_on_nothing() {
    let mut r = rng(13);
    let code = PairingCode::generate(&mut r);
    let seed = pairing::OfferSeed::generate(&mut r);
    let offer = pairing::typed_offer(&code, &seed);
    let wrong = PairingCode::generate(&mut r);
    let device = satchel_crypto::DeviceSecretKey::generate(&mut r).public();
    let (joiner, answer) = pairing::typed_answer(&wrong, &device, &mut r);
    let theirs = joiner.finish(&offer).unwrap();
    let (ours, _) = pairing::open_typed_answer(&code, &seed, &answer).unwrap();
    assert_ne!(ours, theirs);
    assert_ne!(
        pairing::join_fingerprint(&ours, &device),
        pairing::join_fingerprint(&theirs, &device)
    );
    // The nameplate lookup is not the code, nor any simple transform of it.
    let id = code.nameplate_lookup();
    assert_eq!(id.len(), 32);
    assert!(!id.to_uppercase().contains(&code.display()[..4]));
    assert_eq!(format!("{code:?}"), "PairingCode(<redacted>)");
}

#[test]
fn a_mistyped_code_is_caught_before_any_hashing() {
    let code = PairingCode::generate(&mut rng(14));
    let shown = code.display();
    for (typed, why) in [
        ("ABCD", "a pairing code has 10 characters"),
        (
            "ABCDE-FGHJ!",
            "it contains a character pairing codes do not use",
        ),
    ] {
        assert_eq!(
            PairingCode::parse(typed),
            Err(CryptoError::MistypedCode(why))
        );
    }
    let mut chars: Vec<char> = shown.chars().collect();
    chars[0] = if chars[0] == 'Z' { 'Y' } else { 'Z' };
    let typo: String = chars.into_iter().collect();
    assert!(matches!(
        PairingCode::parse(&typo),
        Err(CryptoError::MistypedCode(_))
    ));
    assert!(PairingCode::from_qr("https://example.com/").is_err());
}

#[test]
fn look_alike_characters_are_read_as_the_code_characters() {
    // Crockford: O is 0, I and L are 1. Find a generated code holding a 0 or a 1.
    let mut r = rng(15);
    let code = std::iter::repeat_with(|| PairingCode::generate(&mut r))
        .find(|c| c.display().contains('0') && c.display().contains('1'))
        .unwrap();
    let sloppy = code.display().replace('0', "o").replace('1', "l");
    assert_eq!(PairingCode::parse(&sloppy).unwrap(), code);
}

#[test]
fn a_malformed_or_later_offer_is_refused() {
    let mut r = rng(16);
    let code = PairingCode::generate(&mut r);
    let seed = pairing::OfferSeed::generate(&mut r);
    let offer = pairing::typed_offer(&code, &seed);
    let device = satchel_crypto::DeviceSecretKey::generate(&mut r).public();
    let finish = |blob: &[u8]| {
        let (joiner, _) = pairing::typed_answer(&code, &device, &mut rng(17));
        joiner.finish(blob)
    };
    let mut later = offer.clone();
    later[0] = 9;
    assert_eq!(finish(&later), Err(CryptoError::UnknownVersion(9)));
    assert!(matches!(
        finish(&offer[..20]),
        Err(CryptoError::Truncated { len: 20 })
    ));
    assert!(finish(&[]).is_err());
    assert!(finish(&offer).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_record_round_trips_and_any_single_change_fails(
        key in any::<[u8; 32]>(),
        seed in any::<u64>(),
        plain in proptest::collection::vec(any::<u8>(), 0..300),
        entity in "[a-z]{1,10}",
        id in "[0-9a-f-]{1,40}",
        version in "[0-9a-z-]{0,40}",
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let key = AccountKey::from_bytes(key);
        let meta = RecordMeta { entity: &entity, record_id: &id, version: &version };
        let env = seal(&key, &meta, &plain, &mut rng(seed));
        prop_assert_eq!(open(&key, &meta, &env).unwrap(), plain);
        let mut bad = env.clone();
        bad[flip.index(env.len())] ^= 1 << bit;
        prop_assert!(open(&key, &meta, &bad).is_err());
        let other_version = format!("{version}x");
        let moved = RecordMeta { version: &other_version, ..meta };
        prop_assert_eq!(open(&key, &moved, &env), Err(CryptoError::Forged));
    }

    #[test]
    fn any_key_round_trips_through_its_phrase(key in any::<[u8; 32]>()) {
        let key = AccountKey::from_bytes(key);
        let phrase = to_phrase(&key);
        prop_assert_eq!(phrase.words().count(), 24);
        prop_assert_eq!(from_phrase(phrase.as_str()).unwrap(), key);
    }

    #[test]
    fn any_generated_code_round_trips_through_text_and_qr(seed in any::<u64>()) {
        let code = PairingCode::generate(&mut rng(seed));
        prop_assert_eq!(&PairingCode::parse(&code.display()).unwrap(), &code);
        prop_assert_eq!(&PairingCode::from_qr(&code.qr_payload()).unwrap(), &code);
    }
}
