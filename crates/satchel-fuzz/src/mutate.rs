//! Inputs from seeds: a seeded PRNG and byte-level mutations aimed at how parsers break.
//!
//! Input `n` of a run is a pure function of the seed corpus, the run's seed and `n`: each
//! input gets its own generator, seeded from both, and nothing a target does feeds back. So
//! any input can be made again on its own, which is how the supervisor recovers the input that
//! killed a worker, and a run with the same seed tries the same inputs in the same order.
//!
//! The mutations are the usual blind ones (bit flips, bytes inserted, deleted, duplicated,
//! spliced from another seed) and ones that go for known weak points: very long runs, deep
//! nesting (`<a>`, `[`, `{`), numbers at the edges of every integer and decimal type, broken
//! and unusual UTF-8, and words of the input's own format (the target's tokens).

/// The largest input made. The parsers' own caps (8 MiB rate files, 32 MiB SOAP replies) are
/// above it, and a problem with size shows well before.
pub const MAX_LEN: usize = 1 << 20;

/// Bytes that break parsers whatever the format: quoting, separators, markup, escapes, broken
/// and unusual UTF-8 (byte-order mark, full-width digits, right-to-left override, combining
/// marks, astral characters).
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"'",
    b",",
    b";",
    b":",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\\",
    b" ",
    b"<",
    b">",
    b"</",
    b"/>",
    b"&",
    b"&amp;",
    b"&lt;",
    b"&#0;",
    b"&#x110000;",
    b"&#xD800;",
    b"&bogus;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml version=\"1.0\"?>",
    b"<!DOCTYPE a [<!ENTITY e \"e\">]>",
    b"[",
    b"]",
    b"{",
    b"}",
    b"null",
    b"true",
    b"false",
    b"\"\"",
    b"[]",
    b"{}",
    b"\\u0000",
    b"\\ud800",
    b"\\uDFFF\\uD800",
    b"=",
    b"+",
    b"-",
    b"@",
    b"'=",
    b"%PDF-1.4",
    "\u{feff}".as_bytes(),
    "\u{3000}".as_bytes(),
    "\u{ff10}\u{ff11}".as_bytes(),
    "香港".as_bytes(),
    "\u{202e}".as_bytes(),
    "e\u{301}".as_bytes(),
    "\u{1f4e6}".as_bytes(),
    b"\xff",
    b"\xfe",
    b"\xc0\x80",
    b"\xe9\xa6",
    b"\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
];

/// Numbers at the edges: zero and signs, every integer width's limits and one past, the
/// largest and smallest `rust_decimal` values and one digit more, floats out of range, and
/// the ways people write thousands.
const NUMBERS: &[&[u8]] = &[
    b"0",
    b"-0",
    b"-1",
    b"1",
    b"00",
    b"0.0",
    b".5",
    b"5.",
    b"1e3",
    b"1E-7",
    b"1e308",
    b"-1e309",
    b"1e400",
    b"127",
    b"128",
    b"255",
    b"256",
    b"32767",
    b"65535",
    b"65536",
    b"2147483647",
    b"2147483648",
    b"4294967295",
    b"4294967296",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551615",
    b"18446744073709551616",
    b"281474976710655",
    b"79228162514264337593543950335",
    b"-79228162514264337593543950335",
    b"79228162514264337593543950336",
    b"0.0000000000000000000000000001",
    b"0.00000000000000000000000000001",
    b"99999999999999999999999999999999999999",
    b"NaN",
    b"inf",
    b"-Infinity",
    b"1_000",
    b"1,000.00",
    b"1.000,00",
];

/// Dates and times that do not exist, or sit at the edges of what a date type holds.
const DATES: &[&[u8]] = &[
    b"2024-02-30 00:00:00",
    b"2023-02-29",
    b"0000-01-01 00:00:00",
    b"9999-12-31 23:59:60",
    b"2024-13-45",
    b"31/02/2024 25:61",
    b"+275760-09-13T00:00:00",
    b"-262144-01-01",
    b"2024-03-01T09:15:00Z",
    b"2024-03-01T09:15:00+25:00",
    b"24:00:00",
];

/// Openings and closings that make deep nesting.
const NESTS: &[(&[u8], &[u8])] = &[
    (b"<a>", b"</a>"),
    (b"<ns1:a>", b"</ns1:a>"),
    (b"[", b"]"),
    (b"{\"a\":", b"}"),
    (b"\"", b"\""),
    (b"(", b")"),
];

/// Bytes repeated into long runs.
const RUN_BYTES: &[u8] = b"a0 9<[{\",;\n\t\0\xff";

/// SplitMix64's finaliser: a strong 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64 (Steele, Lea and Flood, 2014): tiny, fast, and plenty for choosing mutations.
/// Nothing here needs a cryptographic generator.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A number in `0..n`; `n` must not be 0. (The modulo bias does not matter here.)
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True once in `n` times, on average.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `items`, which must not be empty.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A byte, any value.
    fn byte(&mut self) -> u8 {
        self.next_u64().to_le_bytes()[0]
    }
}

/// Input `n` of a run: seed `n` itself while there are seeds left (so every seed runs once,
/// unchanged, first), then a seed mutated one to eight times.
pub fn input(seeds: &[Vec<u8>], words: &[&[u8]], run_seed: u64, n: u64) -> Vec<u8> {
    if let Some(seed) = usize::try_from(n).ok().and_then(|i| seeds.get(i)) {
        return seed.clone();
    }
    let mut rng = Rng(mix(run_seed ^ mix(n)));
    let mut data = if seeds.is_empty() {
        Vec::new()
    } else {
        rng.pick(seeds).clone()
    };
    let heavy = rng.one_in(4);
    let rounds = 1 + rng.below(if heavy { 8 } else { 2 });
    for _ in 0..rounds {
        mutate(&mut data, seeds, words, &mut rng);
        data.truncate(MAX_LEN);
    }
    data
}

/// A token: one of the target's own words half the time (when it has some), else a number, a
/// date or a general token.
fn token<'a>(rng: &mut Rng, words: &[&'a [u8]]) -> &'a [u8] {
    if !words.is_empty() && rng.one_in(2) {
        return rng.pick::<&[u8]>(words);
    }
    match rng.below(4) {
        0 => rng.pick::<&[u8]>(NUMBERS),
        1 => rng.pick::<&[u8]>(DATES),
        _ => rng.pick::<&[u8]>(TOKENS),
    }
}

/// `bytes` inserted at `at` (at most `data.len()`).
fn insert(data: &mut Vec<u8>, at: usize, bytes: &[u8]) {
    let tail = data.split_off(at);
    data.extend_from_slice(bytes);
    data.extend_from_slice(&tail);
}

/// `data[start..end]` replaced by `bytes` (`start <= end <= data.len()`).
fn replace(data: &mut Vec<u8>, start: usize, end: usize, bytes: &[u8]) {
    let tail = data.split_off(end);
    data.truncate(start);
    data.extend_from_slice(bytes);
    data.extend_from_slice(&tail);
}

/// A non-empty range of a `len`-byte input, at most `max` long (`len` and `max` above 0).
fn span(rng: &mut Rng, len: usize, max: usize) -> (usize, usize) {
    let start = rng.below(len);
    let size = 1 + rng.below(max.min(len - start));
    (start, start + size)
}

/// A digit, or what continues a number written as text.
fn numeric(b: u8) -> bool {
    b.is_ascii_digit() || b == b'.' || b == b'-'
}

/// The number written at or after `from` (wrapping round to the start), as a range.
fn number_near(data: &[u8], from: usize) -> Option<(usize, usize)> {
    let at = data[from..]
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| from + p)
        .or_else(|| data.iter().position(u8::is_ascii_digit))?;
    let mut start = at;
    while start > 0 && numeric(data[start - 1]) {
        start -= 1;
    }
    let mut end = at;
    while end < data.len() && numeric(data[end]) {
        end += 1;
    }
    Some((start, end))
}

/// One mutation, chosen at random; an input too short for the one chosen gets a token.
fn mutate(data: &mut Vec<u8>, seeds: &[Vec<u8>], words: &[&[u8]], rng: &mut Rng) {
    let len = data.len();
    match rng.below(15) {
        // Flip one bit.
        0 if len > 0 => {
            let i = rng.below(len);
            let bit = rng.below(8);
            data[i] ^= 1u8 << bit;
        }
        // Set one byte to anything.
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = rng.byte();
        }
        // Insert a few random bytes.
        2 => {
            let at = rng.below(len + 1);
            let count = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..count).map(|_| rng.byte()).collect();
            insert(data, at, &bytes);
        }
        // Delete a range: a few bytes, or now and then a long stretch.
        3 if len > 0 => {
            let long = rng.one_in(4);
            let (start, end) = span(rng, len, if long { len } else { 16 });
            data.copy_within(end.., start);
            data.truncate(len - (end - start));
        }
        // Copy a range somewhere else.
        4 if len > 0 => {
            let (start, end) = span(rng, len, 256);
            let chunk = data[start..end].to_vec();
            let at = rng.below(len + 1);
            insert(data, at, &chunk);
        }
        // Repeat a range up to 2048 times in place: many rows, many entries, many records.
        5 if len > 0 => {
            let (start, end) = span(rng, len, 64);
            let times = 1usize << rng.below(12);
            let run = data[start..end].repeat(times);
            insert(data, end, &run);
        }
        // Insert a piece of another seed.
        6 if !seeds.is_empty() => {
            let other = rng.pick(seeds);
            if !other.is_empty() {
                let (start, end) = span(rng, other.len(), 512);
                let at = rng.below(len + 1);
                insert(data, at, &other[start..end]);
            }
        }
        // Cross over: this input's head, another seed's tail.
        7 if !seeds.is_empty() => {
            let other = rng.pick(seeds);
            let cut = rng.below(len + 1);
            let from = rng.below(other.len() + 1);
            data.truncate(cut);
            data.extend_from_slice(&other[from..]);
        }
        // Write a token over what is there.
        8 if len > 0 => {
            let word = token(rng, words);
            let at = rng.below(len);
            let end = (at + word.len()).min(len);
            data[at..end].copy_from_slice(&word[..end - at]);
        }
        // A long run of one byte (up to 64 KiB).
        9 => {
            let byte = *rng.pick(RUN_BYTES);
            let count = 1usize << rng.below(17);
            let at = rng.below(len + 1);
            insert(data, at, &vec![byte; count]);
        }
        // Deep nesting (up to 65,536 levels), closed again three times in four.
        10 => {
            let (open, close) = *rng.pick(NESTS);
            let depth = 1usize << rng.below(17);
            let mut nest = open.repeat(depth);
            if !rng.one_in(4) {
                nest.extend_from_slice(&close.repeat(depth));
            }
            let at = rng.below(len + 1);
            insert(data, at, &nest);
        }
        // A number replaced by one at the edges (or inserted where there is none).
        11 => {
            let number = *rng.pick(NUMBERS);
            let from = rng.below(len + 1);
            match number_near(data, from) {
                Some((start, end)) => replace(data, start, end, number),
                None => insert(data, from, number),
            }
        }
        // Cut the input short.
        12 if len > 0 => {
            let at = rng.below(len);
            data.truncate(at);
        }
        // Insert a token: the fallback for an input too short for the others.
        _ => {
            let word = token(rng, words);
            let at = rng.below(len + 1);
            insert(data, at, word);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_can_be_made_again_on_its_own() {
        let seeds = [b"{\"a\": [1, 2.5, \"x\"]}".to_vec(), b"<a>1</a>".to_vec()];
        let words: &[&[u8]] = &[b"status"];
        for n in 0..500 {
            let a = input(&seeds, words, 7, n);
            assert_eq!(a, input(&seeds, words, 7, n), "input {n}");
            assert!(a.len() <= MAX_LEN);
        }
        // The seeds come first, unchanged.
        assert_eq!(input(&seeds, words, 7, 1), seeds[1]);
        // Another run seed, other inputs.
        let differ = (2..50).filter(|&n| input(&seeds, words, 7, n) != input(&seeds, words, 8, n));
        assert!(differ.count() > 25);
    }

    #[test]
    fn an_empty_corpus_still_gives_inputs() {
        let made: Vec<Vec<u8>> = (0..200).map(|n| input(&[], &[], 1, n)).collect();
        assert!(made.iter().any(|m| !m.is_empty()));
    }
}
