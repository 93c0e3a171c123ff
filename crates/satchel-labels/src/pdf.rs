//! Pages of labels as a PDF, for laser sheets and for thermal printers driven through CUPS.
//!
//! The renderer only draws what the layout model says, converting its top-left tenths of a mm
//! to PDF points from the bottom left. It does no file IO: the caller hands in the font bytes,
//! so the app can bundle or pick a font and tests stay hermetic ([`Font::system_cjk`] is a
//! convenience for machines with Debian's CJK fonts). printpdf does no font fallback and never
//! warns about a missing glyph, so the result lists the characters the font could not draw;
//! a label with boxes instead of an address must not reach the counter unnoticed.
//!
//! [`render_with_offset`] moves everything on every page by an [`Offset`]: printers feed a
//! little off (a thermal head a millimetre left, a laser tray pulling low), and the merchant's
//! calibration in the printer profile corrects that here, once, rather than in every layout.

use std::collections::BTreeSet;

use printpdf::{
    FontId, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    TextItem,
};

use crate::code128::{self, DOT_203_MM, PREFERRED_MODULE_MM};
use crate::{Element, Page, Weight};

/// A font face: the file's bytes and the face's index in a collection (0 for a plain TTF).
#[derive(Clone)]
pub struct Font {
    pub bytes: Vec<u8>,
    pub index: usize,
}

impl std::fmt::Debug for Font {
    // 19 MB of font bytes are no use in a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("bytes", &self.bytes.len())
            .field("index", &self.index)
            .finish()
    }
}

/// Noto Sans CJK: face 4 of the collections is "HK", with Hong Kong glyph forms
/// (toolchain.md §5.3).
const NOTO_REGULAR: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const NOTO_BOLD: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";
const NOTO_HK_FACE: usize = 4;
const WQY_MICROHEI: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

impl Font {
    /// Noto Sans CJK HK from `fonts-noto-cjk`, else WenQuanYi Micro Hei; both cover Latin
    /// too, so one face draws a whole label.
    pub fn system_cjk() -> Option<Font> {
        Self::read(NOTO_REGULAR, NOTO_HK_FACE).or_else(|| Self::read(WQY_MICROHEI, 0))
    }

    /// Noto Sans CJK HK Bold, when installed.
    pub fn system_cjk_bold() -> Option<Font> {
        Self::read(NOTO_BOLD, NOTO_HK_FACE)
    }

    fn read(path: &str, index: usize) -> Option<Font> {
        std::fs::read(path).ok().map(|bytes| Font { bytes, index })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// The font bytes are not a font (or the face index is out of range).
    Font { bold: bool },
    /// A barcode's data has characters Code 128 charset B cannot carry.
    BarcodeData(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::Font { bold } => write!(
                f,
                "the {} font could not be read",
                if *bold { "bold" } else { "regular" }
            ),
            PdfError::BarcodeData(d) => write!(f, "cannot encode {d:?} as Code 128"),
        }
    }
}

impl std::error::Error for PdfError {}

/// A rendered document.
#[derive(Debug, Clone)]
pub struct Pdf {
    pub bytes: Vec<u8>,
    /// Characters the font has no glyph for; they print as empty boxes.
    pub missing_glyphs: BTreeSet<char>,
}

/// Line widths for `Rect`: the label border and the heavy boxes (permit impression, DRAFT).
const THIN_MM: f32 = 0.2;
const THICK_MM: f32 = 0.6;

/// A loaded face: its id in the document and what is needed to measure text.
struct Face {
    id: FontId,
    parsed: ParsedFont,
    units_per_em: f32,
}

impl Face {
    fn load(doc: &mut PdfDocument, font: &Font, bold: bool) -> Result<Face, PdfError> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(&font.bytes, font.index, &mut warnings)
            .ok_or(PdfError::Font { bold })?;
        let units_per_em = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        Ok(Face {
            id: doc.add_font(&parsed),
            parsed,
            units_per_em,
        })
    }

    /// The advance of `text` in em; characters without a glyph count as a full em, which
    /// errs towards shrinking, and are recorded in `missing`.
    fn width_em(&self, text: &str, missing: &mut BTreeSet<char>) -> f32 {
        text.chars()
            .map(|c| match self.parsed.lookup_glyph_index(u32::from(c)) {
                Some(gid) if gid != 0 => {
                    f32::from(self.parsed.get_horizontal_advance(gid)) / self.units_per_em
                }
                _ => {
                    if !c.is_control() {
                        missing.insert(c);
                    }
                    1.0
                }
            })
            .sum()
    }
}

/// How far everything on a page is moved, in tenths of a millimetre: right and down are
/// positive. The page size does not change; what is moved past an edge is cut off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offset {
    pub x: i32,
    pub y: i32,
}

/// Renders `pages` with `regular` (and `bold` where the layout asks for it; without a bold
/// face bold text is drawn regular).
pub fn render(pages: &[Page], regular: &Font, bold: Option<&Font>) -> Result<Pdf, PdfError> {
    render_with_offset(pages, regular, bold, Offset::default())
}

/// [`render`], with everything on each page moved by `offset` (a printer's calibration).
pub fn render_with_offset(
    pages: &[Page],
    regular: &Font,
    bold: Option<&Font>,
    offset: Offset,
) -> Result<Pdf, PdfError> {
    let (dx, dy) = (f64::from(offset.x) / 10.0, f64::from(offset.y) / 10.0);
    let mut doc = PdfDocument::new("Satchel labels");
    let regular = Face::load(&mut doc, regular, false)?;
    let bold = bold.map(|f| Face::load(&mut doc, f, true)).transpose()?;
    let mut missing = BTreeSet::new();
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        let mut ops = Vec::new();
        let page_h = mm(page.height);
        for placed in &page.labels {
            for e in &placed.label.elements {
                draw(
                    &mut ops,
                    e,
                    (mm(placed.x) + dx, mm(placed.y) + dy, page_h),
                    &regular,
                    bold.as_ref(),
                    &mut missing,
                )?;
            }
        }
        out.push(PdfPage::new(
            Mm(mm(page.width) as f32),
            Mm(page_h as f32),
            ops,
        ));
    }
    let mut warnings = Vec::new();
    let bytes = doc
        .with_pages(out)
        .save(&PdfSaveOptions::default(), &mut warnings);
    Ok(Pdf {
        bytes,
        missing_glyphs: missing,
    })
}

fn mm(d: crate::Dmm) -> f64 {
    f64::from(d) / 10.0
}

fn pt(mm: f64) -> Pt {
    Pt((mm * 72.0 / 25.4) as f32)
}

/// Draws one element of a label whose top-left corner is at (`ox`, `oy`) mm from the page's
/// top-left, on a page `page_h` mm high.
fn draw(
    ops: &mut Vec<Op>,
    e: &Element,
    (ox, oy, page_h): (f64, f64, f64),
    regular: &Face,
    bold: Option<&Face>,
    missing: &mut BTreeSet<char>,
) -> Result<(), PdfError> {
    // PDF y runs up from the bottom of the page.
    let up = |y_from_top: f64| page_h - oy - y_from_top;
    match e {
        Element::Text {
            x,
            y,
            size,
            weight,
            max_width,
            text,
        } => {
            let face = match weight {
                Weight::Bold => bold.unwrap_or(regular),
                Weight::Regular => regular,
            };
            let mut size_pt = f64::from(*size) / 10.0;
            let width_mm = f64::from(face.width_em(text, missing)) * size_pt * 25.4 / 72.0;
            if width_mm > mm(*max_width) && width_mm > 0.0 {
                // Shrink rather than cut: a whole address in small type beats half of one.
                size_pt *= mm(*max_width) / width_mm;
            }
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(face.id.clone()),
                size: Pt(size_pt as f32),
            });
            ops.push(Op::SetTextCursor {
                pos: Point {
                    x: pt(ox + mm(*x)),
                    y: pt(up(mm(*y))),
                },
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(text.clone())],
            });
            ops.push(Op::EndTextSection);
        }
        Element::Barcode {
            x,
            y,
            width,
            height,
            data,
        } => {
            let modules =
                code128::modules(data).ok_or_else(|| PdfError::BarcodeData(data.clone()))?;
            let field = mm(*width);
            // Whole dots at 203 dpi keep every bar edge on a thermal printer's (and a
            // 203-dpi rasteriser's) pixel grid; fractional modules blur and stop scanning
            // (toolchain.md §5.5). One dot is kept spare for snapping the start to the grid.
            let dots = code128::module_dots(
                modules.len(),
                field / DOT_203_MM - 1.0,
                (PREFERRED_MODULE_MM / DOT_203_MM).round() as u32,
            );
            let module = if dots == 0 {
                field / modules.len() as f64
            } else {
                f64::from(dots) * DOT_203_MM
            };
            let symbol = module * modules.len() as f64;
            let mut left = ox + mm(*x) + (field - symbol) / 2.0;
            if dots > 0 {
                left = (left / DOT_203_MM).floor() * DOT_203_MM;
            }
            let bottom = up(mm(*y) + mm(*height));
            let mut i = 0;
            while i < modules.len() {
                if modules[i] == 0 {
                    i += 1;
                    continue;
                }
                // One filled rectangle per bar, not per module: fewer ops, no hairline
                // seams between adjacent modules.
                let run = modules[i..].iter().take_while(|&&m| m == 1).count();
                ops.push(Op::DrawRectangle {
                    rectangle: printpdf::Rect {
                        mode: Some(printpdf::PaintMode::Fill),
                        ..printpdf::Rect::from_xywh(
                            pt(left + module * i as f64),
                            pt(bottom),
                            pt(module * run as f64),
                            pt(mm(*height)),
                        )
                    },
                });
                i += run;
            }
        }
        Element::Rect { x, y, w, h, thick } => {
            let line = if *thick { THICK_MM } else { THIN_MM };
            ops.push(Op::SetOutlineThickness {
                pt: Mm(line).into(),
            });
            // Inset by half the line so the stroke stays inside the box the model gave.
            let half = f64::from(line) / 2.0;
            ops.push(Op::DrawRectangle {
                rectangle: printpdf::Rect {
                    mode: Some(printpdf::PaintMode::Stroke),
                    ..printpdf::Rect::from_xywh(
                        pt(ox + mm(*x) + half),
                        pt(up(mm(*y) + mm(*h)) + half),
                        pt(mm(*w) - 2.0 * half),
                        pt(mm(*h) - 2.0 * half),
                    )
                },
            });
        }
    }
    Ok(())
}
