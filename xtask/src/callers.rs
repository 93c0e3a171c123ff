//! Which of the core's rule functions a front end can reach.
//!
//! Why: a rule the core knows but no screen or command runs is not enforced (issue #13). A
//! rule function is a public function of `satchel-core` whose doc comment cites an operator
//! rule (`R-nnn`) or conflict (`C-nn`). It counts as reached when its name appears outside
//! the core (application layer, shell, CLI, window), or inside a core function that is itself
//! reached; tests do not count. Names are matched as words, which errs towards "reached"
//! when two functions share a name, never towards a false alarm.

use std::collections::{BTreeMap, BTreeSet};

/// A function item found in source text.
#[derive(Debug, Clone)]
pub struct Function {
    pub name: String,
    pub is_pub: bool,
    pub doc: String,
    pub body: String,
}

/// The text before the first top-level test module: what ships.
pub fn without_tests(text: &str) -> &str {
    let mut at = text.len();
    for marker in ["\n#[cfg(test)]\nmod ", "\n#[cfg(all(test"] {
        if let Some(i) = text.find(marker) {
            at = at.min(i);
        }
    }
    &text[..at]
}

/// Skips a string, char or comment starting at `i`, returning the index after it, or `None`
/// when nothing is to be skipped there.
fn skip_literal(b: &[u8], i: usize) -> Option<usize> {
    match b[i] {
        b'/' if b.get(i + 1) == Some(&b'/') => Some(
            b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| i + p),
        ),
        b'/' if b.get(i + 1) == Some(&b'*') => Some(
            b[i + 2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(b.len(), |p| i + 2 + p + 2),
        ),
        b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'_') =>
        {
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                return None;
            }
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let start = i + 2 + hashes;
            Some(
                b[start..]
                    .windows(close.len())
                    .position(|w| w == close.as_slice())
                    .map_or(b.len(), |p| start + p + close.len()),
            )
        }
        b'"' => {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            Some(j + 1)
        }
        // A char literal ('{', '\'', '\u{..}'), not a lifetime ('a).
        b'\'' if b.get(i + 2) == Some(&b'\'') => Some(i + 3),
        b'\'' if b.get(i + 1) == Some(&b'\\') => {
            let end = b[i + 2..].iter().position(|&c| c == b'\'')?;
            Some(i + 2 + end + 1)
        }
        _ => None,
    }
}

/// The functions in `text` (bodies brace-matched, skipping strings, chars and comments).
pub fn functions(text: &str) -> Vec<Function> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(next) = skip_literal(b, i) {
            i = next.max(i + 1);
            continue;
        }
        let at_word = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if !(at_word && b[i..].starts_with(b"fn ")) {
            i += 1;
            continue;
        }
        let name_start = i + 3;
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        let name = text[name_start..name_start + name_len].to_owned();
        // The body starts at the first `{` outside parentheses; a `;` first means no body.
        let mut j = name_start + name_len;
        let mut parens = 0i32;
        while j < b.len() {
            match b[j] {
                b'(' => parens += 1,
                b')' => parens -= 1,
                b'{' | b';' if parens == 0 => break,
                _ => {}
            }
            j += 1;
        }
        if j >= b.len() || b[j] == b';' || name.is_empty() {
            i = j + 1;
            continue;
        }
        let open = j;
        let mut depth = 0i32;
        while j < b.len() {
            if let Some(next) = skip_literal(b, j) {
                j = next.max(j + 1);
                continue;
            }
            match b[j] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let line_start = text[..i].rfind('\n').map_or(0, |p| p + 1);
        let head = &text[line_start..i];
        let doc = text[..line_start]
            .lines()
            .rev()
            .map(str::trim)
            .skip_while(|l| l.starts_with("#["))
            .take_while(|l| l.starts_with("///") || l.starts_with("#["))
            .collect::<Vec<_>>()
            .join("\n");
        out.push(Function {
            name,
            is_pub: head.trim_start().starts_with("pub "),
            doc,
            body: text[open..j.min(b.len())].to_owned(),
        });
        i = open + 1;
    }
    out
}

/// True when `text` has `word` as a whole identifier.
pub fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// True when a doc comment cites an operator rule or conflict.
pub fn cites_a_rule(doc: &str) -> bool {
    let b = doc.as_bytes();
    (0..b.len()).any(|i| {
        let digits = |n: usize| {
            b.get(i + 2..i + 2 + n)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        };
        (b[i..].starts_with(b"R-") && digits(3)) || (b[i..].starts_with(b"C-") && digits(2))
    })
}

/// The rule functions of `core` (file text by name) that nothing in `outside` reaches.
pub fn unreached(core: &[String], outside: &[String]) -> BTreeSet<String> {
    let fns: Vec<Function> = core
        .iter()
        .flat_map(|t| functions(without_tests(t)))
        .collect();
    let mut bodies: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in &fns {
        bodies.entry(&f.name).or_default().push(&f.body);
    }
    let outside: Vec<&str> = outside.iter().map(|t| without_tests(t)).collect();
    let mut reached: BTreeSet<&str> = bodies
        .keys()
        .copied()
        .filter(|n| outside.iter().any(|t| mentions(t, n)))
        .collect();
    let mut frontier: Vec<&str> = reached.iter().copied().collect();
    while let Some(name) = frontier.pop() {
        for body in bodies.get(name).into_iter().flatten() {
            for candidate in bodies.keys() {
                if !reached.contains(candidate) && mentions(body, candidate) {
                    reached.insert(candidate);
                    frontier.push(candidate);
                }
            }
        }
    }
    fns.iter()
        .filter(|f| f.is_pub && cites_a_rule(&f.doc) && !reached.contains(f.name.as_str()))
        .map(|f| f.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::files;
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_owned()
    }

    fn read(paths: Vec<PathBuf>) -> Vec<String> {
        paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    #[test]
    fn functions_are_found_with_their_docs_and_bodies_past_braces_in_strings() {
        let text = r#"
/// Checks R-001.
#[must_use]
pub fn checked(a: u32) -> bool {
    let s = "{ not a brace";
    let c = '{';
    helper(a)
}
fn helper(_: u32) -> bool { true }
"#;
        let f = functions(text);
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].name.as_str(), f[0].is_pub), ("checked", true));
        assert!(cites_a_rule(&f[0].doc));
        assert!(f[0].body.contains("helper(a)"));
        assert!(!cites_a_rule(&f[1].doc));
    }

    #[test]
    fn a_rule_function_reached_only_from_tests_or_nowhere_is_reported() {
        let core = vec![
            "/// R-001\npub fn used() {}\n/// R-002\npub fn inner() {}\n\
             /// R-003\npub fn via_inner() { inner() }\n/// R-004\npub fn orphan() {}\n\
             \n#[cfg(test)]\nmod tests { fn t() { orphan() } }\n"
                .to_owned(),
        ];
        let outside = vec!["fn main() { used(); via_inner(); }".to_owned()];
        let got = unreached(&core, &outside);
        assert_eq!(got, BTreeSet::from(["orphan".to_owned()]));
    }

    /// Issue #13: a rule the core knows but no front end runs is not enforced.
    #[test]
    fn every_rule_function_in_the_core_has_a_caller_outside_the_core_and_its_tests() {
        let root = root();
        let core = read(files(&root.join("crates/satchel-core/src"), &["rs"]));
        let mut outside_paths = Vec::new();
        for dir in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
            if dir.file_name() != "satchel-core" {
                outside_paths.extend(files(&dir.path().join("src"), &["rs"]));
            }
        }
        outside_paths.extend(files(&root.join("src-tauri/src"), &["rs"]));
        outside_paths.extend(files(&root.join("src-ui/src"), &["rs"]));
        let outside = read(outside_paths);
        assert!(core.len() > 10 && outside.len() > 50, "sources found");
        let missing = unreached(&core, &outside);
        assert!(
            missing.is_empty(),
            "rule functions no front end reaches (wire them into a screen or a command): \
             {missing:#?}"
        );
    }
}
