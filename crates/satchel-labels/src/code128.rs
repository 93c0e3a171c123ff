//! Code 128 as modules, shared by the PDF and ZPL renderers so both draw the same symbol and
//! pick the same module width.
//!
//! barcoders wants the data prefixed with a charset selector and adds no quiet zone; both are
//! handled here once. Digit runs go through charset C (two digits per symbol) when that is
//! shorter: an S10 number such as `LX123456785HK` then needs 176 modules instead of 198, which
//! is what lets a 0.375 mm module (3 dots at 203 dpi) fit the 70 mm barcode field of the
//! landscape labels.

use barcoders::sym::code128::Code128;

/// Blank modules added on each side: Code 128 asks for at least ten.
pub(crate) const QUIET: usize = 10;

/// One dot of a 203-dpi thermal printer, in mm.
pub(crate) const DOT_203_MM: f64 = 25.4 / 203.0;

/// The widest module the renderers use: 3 dots at 203 dpi. Wider bars scan no better and
/// would push the symbol out of its field.
pub(crate) const PREFERRED_MODULE_MM: f64 = 3.0 * DOT_203_MM;

const SET_B: char = '\u{0181}';
const SET_C: char = '\u{0106}';

/// The symbol's modules (1 = bar), quiet zones included; `None` if `data` has characters
/// outside charset B (printable ASCII).
pub(crate) fn modules(data: &str) -> Option<Vec<u8>> {
    if data.is_empty() || !data.bytes().all(|b| (0x20..0x7f).contains(&b)) || !data.is_ascii() {
        return None;
    }
    let plain = Code128::new(format!("{SET_B}{data}")).ok()?.encode();
    let packed = Code128::new(with_digit_runs_in_c(data))
        .ok()
        .map(|c| c.encode());
    let bars = match packed {
        Some(p) if p.len() < plain.len() => p,
        _ => plain,
    };
    let mut out = vec![0u8; QUIET];
    out.extend_from_slice(&bars);
    out.extend(std::iter::repeat_n(0u8, QUIET));
    Some(out)
}

/// `data` with charset selectors: B for text, C for each even-length run of at least four
/// digits (six in the middle, where switching in and out costs two symbols). An odd digit
/// left over stays in B, before the run.
fn with_digit_runs_in_c(data: &str) -> String {
    let b = data.as_bytes();
    let mut out = String::new();
    let mut in_c = false;
    let mut i = 0;
    while i < b.len() {
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let at_edge = i == 0 || i + run == b.len();
        let even = run - run % 2;
        if run > 0 && even >= if at_edge { 4 } else { 6 } {
            let (odd, pairs) = data[i..i + run].split_at(run - even);
            if !odd.is_empty() && (in_c || out.is_empty()) {
                out.push(SET_B);
            }
            out.push_str(odd);
            out.push(SET_C);
            out.push_str(pairs);
            in_c = true;
            i += run;
        } else {
            let end = if run > 0 {
                i + run
            } else {
                i + b[i..].iter().take_while(|c| !c.is_ascii_digit()).count()
            };
            if in_c || out.is_empty() {
                out.push(SET_B);
                in_c = false;
            }
            out.push_str(&data[i..end]);
            i = end;
        }
    }
    out
}

/// The module width in printer dots for a symbol of `count` modules in a field `field_dots`
/// wide: the widest whole number of dots that fits, at most `max_dots`; 0 if not even one
/// dot per module fits.
pub(crate) fn module_dots(count: usize, field_dots: f64, max_dots: u32) -> u32 {
    let fit = (field_dots / count as f64).floor();
    if fit < 1.0 {
        0
    } else {
        (fit as u32).min(max_dots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s10_numbers_pack_their_serial_in_charset_c() {
        assert_eq!(
            with_digit_runs_in_c("LX123456785HK"),
            "\u{0181}LX1\u{0106}23456785\u{0181}HK"
        );
        assert_eq!(modules("LX123456785HK").map(|m| m.len()), Some(176));
    }

    #[test]
    fn short_and_odd_runs_stay_in_b() {
        assert_eq!(with_digit_runs_in_c("A12B"), "\u{0181}A12B");
        assert_eq!(with_digit_runs_in_c("12345"), "\u{0181}1\u{0106}2345");
        assert!(modules("café").is_none());
        assert!(modules("").is_none());
    }

    #[test]
    fn the_widest_whole_dot_module_that_fits_wins() {
        assert_eq!(module_dots(176, 70.0 / DOT_203_MM, 3), 3);
        assert_eq!(module_dots(198, 70.0 / DOT_203_MM, 3), 2);
        assert_eq!(module_dots(198, 100.0, 3), 0);
    }
}
