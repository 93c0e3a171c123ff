//! Shared pieces of human output: aligned tables and money.
//!
//! Prices are read off the screen and typed into other systems, so columns line up and every
//! amount looks the same (`HK$23.90`). Widths count characters: the tables hold ids, codes,
//! dates and English names, which are one terminal cell per character, so no Unicode width
//! table (and dependency) is needed.

use rust_decimal::Decimal;

/// Money as text with two decimals (`88.4` → `88.40`). Amounts with more decimals (iMail
/// per-item estimates, §5.7) are shown exactly: rounding them would invent a price.
pub fn amount(d: Decimal) -> String {
    if d.scale() <= 2 {
        format!("{d:.2}")
    } else {
        d.normalize().to_string()
    }
}

/// [`amount`] with the currency, for tables and sentences.
pub fn hkd(d: Decimal) -> String {
    format!("HK${}", amount(d))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A plain-text table: a header row, then rows, columns separated by two spaces.
#[derive(Debug)]
pub struct Table {
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Table {
            columns: columns.iter().map(|(h, a)| ((*h).to_owned(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.columns.iter().map(|(h, _)| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let header: Vec<String> = self.columns.iter().map(|(h, _)| h.clone()).collect();
        let mut out = String::new();
        for row in std::iter::once(&header).chain(&self.rows) {
            let last = row.len().saturating_sub(1);
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let pad = widths[i].saturating_sub(width(cell));
                if i > 0 {
                    line.push_str("  ");
                }
                match self.columns[i].1 {
                    Align::Right => {
                        line.push_str(&" ".repeat(pad));
                        line.push_str(cell);
                    }
                    // The last column is not padded, so lines have no trailing spaces.
                    Align::Left if i == last => line.push_str(cell),
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&" ".repeat(pad));
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_has_two_decimals_unless_more_are_meaningful() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(hkd(d("88.4")), "HK$88.40");
        assert_eq!(hkd(d("357")), "HK$357.00");
        assert_eq!(hkd(d("23.90")), "HK$23.90");
        assert_eq!(hkd(d("84.869")), "HK$84.869");
    }

    #[test]
    fn columns_line_up() {
        let mut t = Table::new(&[
            ("A", Align::Left),
            ("PRICE", Align::Right),
            ("B", Align::Left),
        ]);
        t.row(vec!["long name".into(), "HK$1.00".into(), "x".into()]);
        t.row(vec!["s".into(), "HK$100.00".into(), "".into()]);
        assert_eq!(
            t.render(),
            "A              PRICE  B\nlong name    HK$1.00  x\ns          HK$100.00\n"
        );
    }
}
