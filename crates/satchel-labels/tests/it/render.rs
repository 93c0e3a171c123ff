//! The renderers end to end: a batch of labels in every format goes to PDF, poppler rasterises
//! it at a thermal printer's 203 dpi, and zbar must read back exactly the item numbers that
//! went in. The fonts are checked the same way, from the outside: `pdffonts` must show the CJK
//! face embedded and subset, and `pdftotext` must give the Chinese back. The ZPL of one label
//! is held as a snapshot at both resolutions.
//!
//! The tools come from `poppler-utils`, `zbar-tools` and `fonts-noto-cjk`, which
//! `cargo xtask test` installs; without them these tests fail rather than skip, so a
//! machine that cannot check the barcodes cannot pass.
// Needs outside services or tools (a keyring, CUPS, PostgreSQL, zbarimg, a CJK font):
// `cargo xtask test` turns the feature on and starts them.
#![cfg(feature = "system-tests")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use satchel_labels::pdf::{self, Font};
use satchel_labels::zpl::{self, Dpi};
use satchel_labels::{pages, Element, Format, Label, Weight};

const BATCH: u32 = 100;

fn font() -> Font {
    Font::system_cjk().expect("a CJK font: apt-get install fonts-noto-cjk (cargo xtask setup)")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (apt-get install poppler-utils zbar-tools)"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("satchel-labels")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Every code zbar finds in the images `pdftoppm` made from `pdf` with `args`.
fn scan(dir: &Path, pdf: &Path, args: &[&str], prefix: &str) -> BTreeSet<String> {
    run(Command::new("pdftoppm")
        .args(args)
        .arg(pdf)
        .arg(dir.join(prefix)));
    let mut images: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read scratch dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    images.sort();
    assert!(!images.is_empty(), "pdftoppm made no images");
    // zbarimg exits 4 when an image holds no barcode; a page with none is a failure anyway,
    // and `run` would report it.
    run(Command::new("zbarimg").args(["-q", "--raw"]).args(&images))
        .lines()
        .map(str::to_owned)
        .collect()
}

fn round_trip(format: Format) {
    let numbers = crate::common::item_numbers(BATCH);
    let expected: BTreeSet<String> = numbers.iter().map(|n| n.as_str().to_owned()).collect();
    assert_eq!(expected.len(), BATCH as usize);
    let sheets = pages(crate::common::labels(format, BATCH), format, 1).expect("pages");
    let out = pdf::render(&sheets, &font(), None).expect("render");
    assert!(out.missing_glyphs.is_empty(), "{:?}", out.missing_glyphs);
    let dir = scratch(format.id());
    let file = dir.join("labels.pdf");
    std::fs::write(&file, &out.bytes).expect("write PDF");

    let found = scan(&dir, &file, &["-r", "203", "-png"], "page");
    assert_eq!(found, expected, "{format:?} at 203 dpi");
    if format == Format::Thermal4x6 {
        // What a 203-dpi thermal head prints: one bit per dot, no grey to hide blur.
        let found = scan(&dir, &file, &["-r", "203", "-mono"], "mono");
        assert_eq!(found, expected, "{format:?} at 203 dpi, 1 bit");
    }
}

/// The box (left, top, right, bottom, in pixels) of the dark pixels of a binary PGM, as
/// `pdftoppm -gray` writes it.
fn ink_box(pgm: &[u8]) -> (usize, usize, usize, usize) {
    // Header: "P5", width, height, max value, each after whitespace, then one byte a pixel.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(
            std::str::from_utf8(&pgm[start..at])
                .expect("header")
                .to_owned(),
        );
    }
    assert_eq!(fields[0], "P5", "a binary greymap");
    let width: usize = fields[1].parse().expect("width");
    let pixels = &pgm[at + 1..];
    let mut b = (usize::MAX, usize::MAX, 0, 0);
    for (i, _) in pixels.iter().enumerate().filter(|(_, &v)| v < 128) {
        let (x, y) = (i % width, i / width);
        b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
    }
    assert!(b.0 <= b.2, "no ink on the page");
    b
}

#[test]
fn an_offset_moves_the_barcode_by_that_much() {
    // A real iMail label's barcode alone on an A4 sheet, so the ink on the page is the barcode.
    let format = Format::ImailA4;
    let mut label = crate::common::labels(format, 1).remove(0);
    label
        .elements
        .retain(|e| matches!(e, Element::Barcode { .. }));
    assert_eq!(label.elements.len(), 1, "one barcode on an iMail label");
    let sheets = pages(vec![label], format, 1).expect("pages");
    let dir = scratch("offset");
    let mut boxes = Vec::new();
    for (name, offset) in [
        ("none", pdf::Offset::default()),
        // 50 mm down (the profile's limit) and 5 mm left.
        ("moved", pdf::Offset { x: -50, y: 500 }),
    ] {
        let out = pdf::render_with_offset(&sheets, &font(), None, offset).expect("render");
        let file = dir.join(format!("{name}.pdf"));
        std::fs::write(&file, &out.bytes).expect("write PDF");
        run(Command::new("pdftoppm")
            .args(["-r", "203", "-gray", "-singlefile"])
            .arg(&file)
            .arg(dir.join(name)));
        let image = dir.join(format!("{name}.pgm"));
        // Still the item number, wherever it is.
        let code = run(Command::new("zbarimg").args(["-q", "--raw"]).arg(&image));
        assert_eq!(
            code.trim(),
            crate::common::item_numbers(1)[0].as_str(),
            "{name}"
        );
        boxes.push(ink_box(&std::fs::read(&image).expect("read image")));
    }
    let (before, after) = (boxes[0], boxes[1]);
    // At 203 dpi 50 mm is 399.6 dots and 5 mm 40; a dot or two either way for the bars'
    // snap to the dot grid and anti-aliasing.
    let px = |tenths: f64| tenths / 254.0 * 203.0;
    let dx = after.0 as f64 - before.0 as f64;
    let dy = after.1 as f64 - before.1 as f64;
    assert!(
        (dy - px(500.0)).abs() <= 2.0,
        "moved down {dy} px: {boxes:?}"
    );
    assert!(
        (dx - px(-50.0)).abs() <= 2.0,
        "moved right {dx} px: {boxes:?}"
    );
    // Moved, not stretched (a pixel for an edge that lands between dots).
    let size = |b: (usize, usize, usize, usize)| ((b.2 - b.0) as i64, (b.3 - b.1) as i64);
    let (w0, h0) = size(before);
    let (w1, h1) = size(after);
    assert!((w1 - w0).abs() <= 1 && (h1 - h0).abs() <= 1, "{boxes:?}");
}

#[test]
fn imail_a4_sheets_scan_back_to_their_item_numbers() {
    round_trip(Format::ImailA4);
}

#[test]
fn speedpost_labels_scan_back_to_their_item_numbers() {
    round_trip(Format::Speedpost);
}

#[test]
fn registered_labels_scan_back_to_their_item_numbers() {
    round_trip(Format::Registered);
}

#[test]
fn parcel_labels_scan_back_to_their_item_numbers() {
    round_trip(Format::Parcel);
}

#[test]
fn thermal_labels_scan_back_to_their_item_numbers() {
    round_trip(Format::Thermal4x6);
}

#[test]
fn the_cjk_font_is_embedded_subset_and_draws_the_chinese() {
    let label = crate::common::label(Format::Thermal4x6, crate::common::item_numbers(1).pop());
    let sheets = pages(vec![label], Format::Thermal4x6, 1).expect("pages");
    let out = pdf::render(&sheets, &font(), None).expect("render");
    assert!(out.missing_glyphs.is_empty(), "{:?}", out.missing_glyphs);
    // Subsetting keeps a 19 MB collection down to the glyphs used.
    assert!(out.bytes.len() < 200_000, "{} bytes", out.bytes.len());
    let dir = scratch("fonts");
    let file = dir.join("chinese.pdf");
    std::fs::write(&file, &out.bytes).expect("write PDF");

    let fonts = run(Command::new("pdffonts").arg(&file));
    // name type… encoding emb sub uni object-id generation
    let faces: Vec<Vec<&str>> = fonts
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|t| t.len() >= 6)
        .collect();
    assert!(!faces.is_empty(), "no fonts in the PDF:\n{fonts}");
    for t in &faces {
        let n = t.len();
        let (name, emb, sub) = (t[0], t[n - 5], t[n - 4]);
        assert!(
            name.contains("CJK") || name.contains("WenQuanYi"),
            "{fonts}"
        );
        assert_eq!((emb, sub), ("yes", "yes"), "{fonts}");
        // A subset's name carries a six-letter tag: ABCDEF+Name.
        assert_eq!(name.find('+'), Some(6), "{fonts}");
    }

    let text = run(Command::new("pdftotext").arg(&file).arg("-"));
    for chinese in [
        "陳小明",
        "台北市信義區信義路五段7號",
        "旺角花園街8號地下12號舖",
        "收件人",
    ] {
        assert!(text.contains(chinese), "{chinese} missing from:\n{text}");
    }
}

fn hand_made(text: &str) -> Label {
    Label {
        format: Format::Thermal4x6,
        width: 1016,
        height: 1524,
        item_number: None,
        elements: vec![Element::Text {
            x: 30,
            y: 100,
            size: 100,
            weight: Weight::Bold,
            max_width: 900,
            text: text.into(),
        }],
    }
}

#[test]
fn characters_the_font_cannot_draw_are_reported() {
    // Egyptian hieroglyphs are in no CJK font: they would print as empty boxes.
    let sheets = pages(vec![hand_made("陳小明 \u{13000}")], Format::Thermal4x6, 1).unwrap();
    let out = pdf::render(&sheets, &font(), None).expect("render");
    assert_eq!(out.missing_glyphs, BTreeSet::from(['\u{13000}']));
}

#[test]
fn a_bold_face_is_used_when_given_and_bad_fonts_are_refused() {
    let sheets = pages(vec![hand_made("DRAFT 草稿")], Format::Thermal4x6, 1).unwrap();
    if let Some(bold) = Font::system_cjk_bold() {
        let out = pdf::render(&sheets, &font(), Some(&bold)).expect("render");
        assert!(out.missing_glyphs.is_empty());
    }
    let junk = Font {
        bytes: b"not a font".to_vec(),
        index: 0,
    };
    assert_eq!(
        pdf::render(&sheets, &junk, None).unwrap_err(),
        pdf::PdfError::Font { bold: false }
    );
}

#[test]
fn thermal_label_as_zpl_at_203_dpi() {
    let label = crate::common::label(Format::Thermal4x6, crate::common::item_numbers(1).pop());
    insta::assert_snapshot!(zpl::render(&label, Dpi::D203).expect("zpl"));
}

#[test]
fn thermal_label_as_zpl_at_300_dpi() {
    let label = crate::common::label(Format::Thermal4x6, crate::common::item_numbers(1).pop());
    insta::assert_snapshot!(zpl::render(&label, Dpi::D300).expect("zpl"));
}

#[test]
fn zpl_field_data_cannot_inject_commands() {
    let z = zpl::render(&hand_made("a^XZ~JR_b"), Dpi::D203).expect("zpl");
    assert!(z.contains("^FDa_5EXZ_7EJR_5Fb^FS"), "{z}");
    assert_eq!(z.matches("^XZ").count(), 1, "{z}");
}
