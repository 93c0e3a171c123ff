//! A tiny element tree built with quick-xml, keyed by local names only.
//!
//! Why: EC-Ship's replies come from Axis-style servers whose namespace prefixes vary (`ns1`,
//! `ns2`, `soapenv`, `soap`, or none; domain.md §10.2), and nothing we read depends on which
//! prefix is used. Matching local names makes every parser here prefix-agnostic in one place.
//! The simulator reads requests with the same tree, which is why it is public.

use quick_xml::events::Event;
use quick_xml::Reader;

/// One element: its local name, its text (entity references resolved, concatenated), its
/// child elements in document order. Attributes are not kept: no reply field lives in one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first direct child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Trimmed text of the first direct child with this local name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// The first element with this local name, this one included, depth first.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    /// Every element, this one included, depth first, for which `pred` holds.
    pub fn find_all<'a>(&'a self, pred: &dyn Fn(&Element) -> bool, out: &mut Vec<&'a Element>) {
        if pred(self) {
            out.push(self);
        }
        for c in &self.children {
            c.find_all(pred, out);
        }
    }
}

fn local(qname: &[u8]) -> String {
    let l = match qname.iter().rposition(|&b| b == b':') {
        Some(i) => &qname[i + 1..],
        None => qname,
    };
    String::from_utf8_lossy(l).into_owned()
}

/// Parses a whole document into its root element. The error text says where parsing stopped;
/// it never quotes the document, which may carry names and addresses.
pub fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| format!("XML error near byte {pos}: {e}"))?;
        match ev {
            Event::Start(e) => stack.push(Element {
                name: local(e.name().as_ref()),
                ..Element::default()
            }),
            Event::Empty(e) => {
                let el = Element {
                    name: local(e.name().as_ref()),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t
                        .decode()
                        .map_err(|e| format!("text near byte {pos}: {e}"))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t
                        .decode()
                        .map_err(|e| format!("CDATA near byte {pos}: {e}"))?;
                    top.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    if let Some(c) = r
                        .resolve_char_ref()
                        .map_err(|e| format!("character reference near byte {pos}: {e}"))?
                    {
                        top.text.push(c);
                    } else {
                        let name = r
                            .decode()
                            .map_err(|e| format!("reference near byte {pos}: {e}"))?;
                        let v = quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity near byte {pos}"))?;
                        top.text.push_str(v);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("document ended inside an element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_and_entities() {
        let d = parse(
            r#"<?xml version="1.0"?><a:Root xmlns:a="x"><b:x xmlns:b="y">陳 &amp; &#x5927;&#25991;</b:x><y/></a:Root>"#,
        )
        .unwrap();
        assert_eq!(d.name, "Root");
        assert_eq!(d.child_text("x"), Some("陳 & 大文"));
        assert!(d.child("y").is_some());
    }

    #[test]
    fn truncated_document_is_an_error() {
        assert!(parse("<a><b>text</b>").is_err());
        assert!(parse("").is_err());
    }
}
