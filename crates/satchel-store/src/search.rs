//! Search as you type over the address book, in Latin and Chinese script.
//!
//! Two FTS5 indexes hold the same text (see `migrations/0001_local_store.sql`): trigrams for
//! queries whose every term has three or more characters (any substring, any script), and
//! word prefixes for shorter terms, where trigrams cannot help. Han characters are spaced
//! out for the word index, so a two-character Chinese term is a two-token phrase.

/// Which index a query uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Every term ≥ 3 characters: `contact_grams MATCH`.
    Grams(String),
    /// Some shorter term: `contact_words MATCH`.
    Words(String),
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The text put in the word index: Han characters separated so each is a token.
pub(crate) fn words_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for c in text.chars() {
        if is_han(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

fn quote(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Builds the FTS5 query for what the user typed; `None` when nothing searchable was typed.
pub(crate) fn plan(input: &str) -> Option<Plan> {
    let terms: Vec<&str> = input.split_whitespace().collect();
    if terms.is_empty() {
        return None;
    }
    if terms.iter().all(|t| t.chars().count() >= 3) {
        let q = terms.iter().map(|t| quote(t)).collect::<Vec<_>>().join(" ");
        return Some(Plan::Grams(q));
    }
    // Word-prefix query: each term becomes its tokens (split as unicode61 would), the last
    // token of a Latin run a prefix, a Han run an exact phrase of characters.
    let mut parts = Vec::new();
    for t in terms {
        let mut latin = String::new();
        let mut han = String::new();
        let flush_latin = |latin: &mut String, parts: &mut Vec<String>| {
            if !latin.is_empty() {
                parts.push(format!("{}*", quote(latin)));
                latin.clear();
            }
        };
        let flush_han = |han: &mut String, parts: &mut Vec<String>| {
            if !han.is_empty() {
                let spaced: Vec<String> = han.chars().map(String::from).collect();
                parts.push(quote(&spaced.join(" ")));
                han.clear();
            }
        };
        for c in t.chars() {
            if is_han(c) {
                flush_latin(&mut latin, &mut parts);
                han.push(c);
            } else if c.is_alphanumeric() {
                flush_han(&mut han, &mut parts);
                latin.push(c);
            } else {
                flush_latin(&mut latin, &mut parts);
                flush_han(&mut han, &mut parts);
            }
        }
        flush_latin(&mut latin, &mut parts);
        flush_han(&mut han, &mut parts);
    }
    if parts.is_empty() {
        return None;
    }
    Some(Plan::Words(parts.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_terms_use_trigrams_and_are_quoted() {
        assert_eq!(
            plan("nathan 彌敦道"),
            Some(Plan::Grams("\"nathan\" \"彌敦道\"".into()))
        );
        assert_eq!(plan("o\"neil"), Some(Plan::Grams("\"o\"\"neil\"".into())));
    }

    #[test]
    fn short_terms_use_word_prefixes_and_han_phrases() {
        assert_eq!(plan("ch"), Some(Plan::Words("\"ch\"*".into())));
        assert_eq!(plan("陳大"), Some(Plan::Words("\"陳 大\"".into())));
        assert_eq!(plan("ch 陳"), Some(Plan::Words("\"ch\"* \"陳\"".into())));
        assert_eq!(plan("  "), None);
        assert_eq!(plan("- ,"), None);
    }

    #[test]
    fn han_characters_become_separate_words() {
        assert_eq!(words_body("陳大文 Flat 3"), " 陳  大  文  Flat 3");
    }
}
