//! One label as ZPL II, for thermal printers fed raw over port 9100 (toolchain.md §4.2).
//!
//! The printer draws the text and the barcode itself, so the output is plain, deterministic
//! text that snapshot tests can hold. Coordinates are converted from tenths of a mm to dots at
//! the printer's resolution. Text goes through `^CI28` (UTF-8) and `^FH` so an address
//! containing `^` or `~` cannot be read as a command. Chinese needs a CJK font on the printer
//! (`^CW` to map it to font 0); the stock font prints only Latin.

use std::fmt::Write as _;

use crate::code128::{self, PREFERRED_MODULE_MM};
use crate::{Dmm, Element, Label, Weight};

/// The two resolutions thermal label printers come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dpi {
    D203,
    D300,
}

impl Dpi {
    pub fn dots_per_inch(self) -> u32 {
        match self {
            Dpi::D203 => 203,
            Dpi::D300 => 300,
        }
    }

    fn dots(self, d: Dmm) -> u32 {
        (d * self.dots_per_inch() + 127) / 254
    }

    /// A size in tenths of a point, as a font height in dots.
    fn pt10_dots(self, size: u16) -> u32 {
        (u32::from(size) * self.dots_per_inch() + 360) / 720
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZplError {
    /// A barcode's data has characters Code 128 charset B cannot carry.
    BarcodeData(String),
}

impl std::fmt::Display for ZplError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ZplError::BarcodeData(d) => write!(f, "cannot encode {d:?} as Code 128"),
        }
    }
}

impl std::error::Error for ZplError {}

/// The estimated advance of `text` in em. The printer's font metrics are unknown here, so the
/// estimate is conservative: a full em for wide (CJK) characters, 0.55 em otherwise.
fn width_em(text: &str) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.55 })
        .sum()
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Field data for `^FH`: `_` starts a hex escape, `^` and `~` would start a command.
fn field_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '_' => out.push_str("_5F"),
            '^' => out.push_str("_5E"),
            '~' => out.push_str("_7E"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Renders `label` for a printer at `dpi`.
pub fn render(label: &Label, dpi: Dpi) -> Result<String, ZplError> {
    let mut z = String::new();
    // `write!` to a String cannot fail; the results are ignored on purpose below.
    let _ = write!(
        z,
        "^XA\n^CI28\n^PW{}\n^LL{}\n^LH0,0\n",
        dpi.dots(label.width),
        dpi.dots(label.height)
    );
    for e in &label.elements {
        match e {
            Element::Text {
                x,
                y,
                size,
                weight,
                max_width,
                text,
            } => {
                let mut h = dpi.pt10_dots(*size);
                let est = width_em(text) * f64::from(h);
                let room = f64::from(dpi.dots(*max_width));
                if est > room && est > 0.0 {
                    h = ((f64::from(h) * room / est).floor() as u32).max(10);
                }
                // The stock font has no bold; a wider glyph is the usual stand-in.
                let w = match weight {
                    Weight::Bold => h,
                    Weight::Regular => h * 9 / 10,
                };
                // `^FT` places the baseline, which is what the model's `y` is.
                let _ = writeln!(
                    z,
                    "^FT{},{}^A0N,{h},{w}^FH^FD{}^FS",
                    dpi.dots(*x),
                    dpi.dots(*y),
                    field_data(text)
                );
            }
            Element::Barcode {
                x,
                y,
                width,
                height,
                data,
            } => {
                let modules = code128::modules(data)
                    .filter(|_| !data.contains(['^', '~']))
                    .ok_or_else(|| ZplError::BarcodeData(data.clone()))?;
                let field = dpi.dots(*width);
                let max = (PREFERRED_MODULE_MM * f64::from(dpi.dots_per_inch()) / 25.4).round();
                let m = code128::module_dots(modules.len(), f64::from(field), max as u32).max(1);
                let symbol = m * modules.len() as u32;
                // `^FO` is the first bar, so step over the left quiet zone; centre the symbol.
                let left =
                    dpi.dots(*x) + field.saturating_sub(symbol) / 2 + m * code128::QUIET as u32;
                let h = dpi.dots(*height);
                // Automatic subset switching (`A`): the printer packs digit runs in C, as
                // the PDF renderer does. No interpretation line: the layout prints the
                // number itself.
                let _ = writeln!(
                    z,
                    "^BY{m},3,{h}^FO{left},{}^BCN,{h},N,N,N,A^FD{data}^FS",
                    dpi.dots(*y)
                );
            }
            Element::Rect { x, y, w, h, thick } => {
                let t = dpi.dots(if *thick { 6 } else { 2 }).max(1);
                let _ = writeln!(
                    z,
                    "^FO{},{}^GB{},{},{t}^FS",
                    dpi.dots(*x),
                    dpi.dots(*y),
                    dpi.dots(*w),
                    dpi.dots(*h)
                );
            }
        }
    }
    z.push_str("^XZ\n");
    Ok(z)
}
