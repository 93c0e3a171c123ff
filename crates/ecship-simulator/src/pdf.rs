//! A hand-written PDF for getAddressPack: one A6 page per item, the item number as text.
//!
//! Why by hand: the simulator must return something a PDF reader opens (`ap` is a Base64 PDF,
//! domain.md §10.4) without pulling a PDF library into a test tool. Every page says it comes
//! from the simulator, so it can never be mistaken for a real label.

/// PDF string literal escaping (`\`, `(`, `)`); item numbers never need it, but be safe.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

pub fn address_pack(items: &[String]) -> Vec<u8> {
    // Objects: 1 catalog, 2 pages, 3 font, then (page, content) per item.
    let mut objects: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..items.len())
        .map(|i| format!("{} 0 R", 4 + 2 * i))
        .collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        items.len()
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    for (i, item) in items.iter().enumerate() {
        let content = format!(
            "BT /F1 20 Tf 30 300 Td ({}) Tj ET\nBT /F1 9 Tf 30 270 Td (ecship-simulator address pack - NOT A REAL LABEL) Tj ET\n",
            esc(item)
        );
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
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
