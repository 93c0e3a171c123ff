//! Hand-written PDFs for getAddressPack, getSoazAddressPack and getCOP: one page per item (two
//! for the US e-Express+ label's two plies), the item number as text and as a Code 128
//! barcode that a scanner (zbarimg in the tests) reads back.
//!
//! Why by hand: the simulator must return something a PDF reader opens and a barcode reader
//! decodes (`ap` is a Base64 PDF, domain.md §10.4) without pulling a PDF library into a test
//! tool. Every page says it comes from the simulator, so it can never be mistaken for a real
//! label. Page sizes follow the operator's help page for e-Express+ (domain.md §13.1: to the
//! US two plies of 101 × 101 mm, elsewhere one ply of 189 × 135 mm); for the other services
//! the size is not public and the simulator uses A4.

use barcoders::sym::code128::Code128;

/// A page size in PDF points (1/72 in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    pub width_pt: f64,
    pub height_pt: f64,
    /// Copies of each label (plies).
    pub plies: usize,
}

const MM: f64 = 72.0 / 25.4;

impl PageSize {
    pub const A4: PageSize = PageSize {
        width_pt: 210.0 * MM,
        height_pt: 297.0 * MM,
        plies: 1,
    };
    pub const EEXPRESS_US: PageSize = PageSize {
        width_pt: 101.0 * MM,
        height_pt: 101.0 * MM,
        plies: 2,
    };
    pub const EEXPRESS_OTHER: PageSize = PageSize {
        width_pt: 189.0 * MM,
        height_pt: 135.0 * MM,
        plies: 1,
    };
}

/// PDF string literal escaping (`\`, `(`, `)`); item numbers never need it, but be safe.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// The bars of `data` in Code 128 set B as (x offset, width) runs in modules.
fn bar_runs(data: &str) -> Vec<(usize, usize)> {
    let modules = Code128::new(format!("\u{0181}{data}"))
        .map(|c| c.encode())
        .unwrap_or_default();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < modules.len() {
        if modules[i] == 1 {
            let start = i;
            while i < modules.len() && modules[i] == 1 {
                i += 1;
            }
            runs.push((start, i - start));
        } else {
            i += 1;
        }
    }
    runs
}

/// One page's content: a title, the item number with its barcode, the simulator notice.
fn page_content(title: &str, item: &str, size: PageSize) -> String {
    let margin = 5.0 * MM;
    let top = size.height_pt - margin;
    let module = 0.4 * MM;
    let bar_h = 15.0 * MM;
    let bar_y = top - 30.0 - bar_h;
    let mut c = format!(
        "BT /F1 10 Tf {margin:.2} {:.2} Td ({}) Tj ET\n",
        top - 10.0,
        esc(title)
    );
    // 10 modules of quiet zone before the first bar.
    let x0 = margin + 10.0 * module;
    for (x, w) in bar_runs(item) {
        c.push_str(&format!(
            "{:.3} {bar_y:.3} {:.3} {bar_h:.3} re f\n",
            x0 + x as f64 * module,
            w as f64 * module
        ));
    }
    c.push_str(&format!(
        "BT /F1 14 Tf {margin:.2} {:.2} Td ({}) Tj ET\n",
        bar_y - 18.0,
        esc(item)
    ));
    c.push_str(&format!(
        "BT /F1 7 Tf {margin:.2} {:.2} Td (ecship-simulator - NOT A REAL LABEL) Tj ET\n",
        bar_y - 32.0
    ));
    c
}

/// A PDF with one page per (title, item, size) and as many copies as the size has plies.
pub fn document(pages: &[(String, String, PageSize)]) -> Vec<u8> {
    let expanded: Vec<(&str, &str, PageSize)> = pages
        .iter()
        .flat_map(|(t, i, s)| std::iter::repeat_n((t.as_str(), i.as_str(), *s), s.plies))
        .collect();
    // Objects: 1 catalog, 2 pages, 3 font, then (page, content) per page.
    let mut objects: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..expanded.len())
        .map(|i| format!("{} 0 R", 4 + 2 * i))
        .collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        expanded.len()
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    for (i, (title, item, size)) in expanded.iter().enumerate() {
        let content = page_content(title, item, *size);
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.2} {:.2}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            size.width_pt,
            size.height_pt,
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{}endstream",
            content.len(),
            content
        ));
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", i + 1, o).as_bytes());
    }
    let xref = out.len();
    let mut t = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        t.push_str(&format!("{off:010} 00000 n \n"));
    }
    t.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.extend_from_slice(t.as_bytes());
    out
}
