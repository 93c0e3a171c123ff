//! The recovery phrase: the account key as 24 words the merchant writes on paper.
//!
//! If every device is lost, the hub cannot help (it never had the key), so the phrase is the
//! only way back to the synced records. It is standard BIP-39 (English list): 256 bits of key
//! plus an 8-bit SHA-256 checksum, 11 bits per word. The checksum catches a miscopied word
//! with probability 255/256; an unknown word is caught outright and reported by position.
//! Typing only the first four letters of each word is accepted, because the BIP-39 English
//! list is unique in its first four letters.
//!
//! Errors say which word (by position, 1-based) is unknown but never echo the words: they
//! are the key.

use bip39::{Language, Mnemonic};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::AccountKey;

/// The 24 words, space-separated. Wiped on drop; `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryPhrase(String);

impl RecoveryPhrase {
    pub const WORDS: usize = 24;

    /// The words, space-separated, for showing to the merchant once.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ')
    }
}

impl std::fmt::Debug for RecoveryPhrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryPhrase(<redacted>)")
    }
}

/// Why a typed phrase was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhraseError {
    #[error("a recovery phrase has 24 words; this has {found}")]
    WordCount { found: usize },
    /// `position` counts from 1, as the merchant numbers the words on paper.
    #[error("word {position} is not in the recovery word list; check its spelling")]
    UnknownWord { position: usize },
    #[error("the words are all valid but do not fit together: one is probably miscopied")]
    Checksum,
}

/// The account key as its recovery phrase.
pub fn to_phrase(key: &AccountKey) -> RecoveryPhrase {
    let m = Mnemonic::from_entropy_in(Language::English, key.expose_bytes())
        .expect("32 bytes is a valid BIP-39 entropy length");
    RecoveryPhrase(m.words().collect::<Vec<_>>().join(" "))
}

/// The account key back from a typed phrase: any case, any spacing, commas allowed, whole
/// words or their first four letters.
pub fn from_phrase(typed: &str) -> Result<AccountKey, PhraseError> {
    let list = Language::English.word_list();
    let lowered = Zeroizing::new(typed.to_lowercase());
    let typed_words: Vec<&str> = lowered
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    if typed_words.len() != RecoveryPhrase::WORDS {
        return Err(PhraseError::WordCount {
            found: typed_words.len(),
        });
    }
    let mut canonical = Zeroizing::new(String::with_capacity(typed.len() + 48));
    for (i, w) in typed_words.iter().enumerate() {
        let word = list
            .iter()
            .find(|l| *l == w)
            .or_else(|| {
                // The English list is unique in its first four letters, so a four-letter
                // prefix names exactly one word; shorter ones are not accepted.
                let mut hits = list.iter().filter(|l| w.len() >= 4 && l.starts_with(w));
                let first = hits.next();
                first.filter(|_| hits.next().is_none())
            })
            .ok_or(PhraseError::UnknownWord { position: i + 1 })?;
        if i > 0 {
            canonical.push(' ');
        }
        canonical.push_str(word);
    }
    let m = Mnemonic::parse_in_normalized(Language::English, &canonical).map_err(|e| match e {
        bip39::Error::UnknownWord(i) => PhraseError::UnknownWord { position: i + 1 },
        bip39::Error::BadWordCount(n) => PhraseError::WordCount { found: n },
        _ => PhraseError::Checksum,
    })?;
    let (entropy, len) = m.to_entropy_array();
    let entropy = Zeroizing::new(entropy);
    let bytes: [u8; 32] = entropy[..len]
        .try_into()
        .map_err(|_| PhraseError::WordCount { found: len * 3 / 4 })?;
    Ok(AccountKey::from_bytes(bytes))
}
