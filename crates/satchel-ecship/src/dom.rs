//! A tiny element tree built with quick-xml, keyed by local names only.
//!
//! Why: EC-Ship's replies come from Axis-style servers whose namespace prefixes vary (`ns1`,
//! `ns2`, `soapenv`, `soap`, or none; domain.md §10.2), and nothing we read depends on which
//! prefix is used. Matching local names makes every parser here prefix-agnostic in one place.
//! The simulator reads requests with the same tree, which is why it is public.
//!
//! Depth is capped at [`MAX_DEPTH`] (issue #18): a reply is whatever the server at the
//! configured address sent, and a document nested a hundred thousand deep would otherwise build
//! a tree whose recursive drop, clone or comparison overflows the stack and takes the app down.
//! The traversals here ([`Element::find`], [`Element::find_all`]) walk with an explicit stack
//! for the same reason, so they stay safe on a tree built by hand.

use quick_xml::events::Event;
use quick_xml::Reader;

/// The deepest nesting [`parse`] accepts, the root counting as 1. EC-Ship's replies and our
/// own requests are well under a dozen deep; a deeper document is refused, not parsed.
pub const MAX_DEPTH: usize = 64;

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
        self.preorder().find(|e| e.name == name)
    }

    /// Every element, this one included, depth first, for which `pred` holds.
    pub fn find_all<'a>(&'a self, pred: &dyn Fn(&Element) -> bool, out: &mut Vec<&'a Element>) {
        out.extend(self.preorder().filter(|&e| pred(e)));
    }

    /// This element and all below it in document order (depth first, a parent before its
    /// children), walked with an explicit stack rather than recursion.
    fn preorder(&self) -> Preorder<'_> {
        Preorder { stack: vec![self] }
    }
}

/// The iterator behind [`Element::find`] and [`Element::find_all`]: the stack holds the
/// elements still to visit, the next one on top, so children are pushed in reverse.
struct Preorder<'a> {
    stack: Vec<&'a Element>,
}

impl<'a> Iterator for Preorder<'a> {
    type Item = &'a Element;

    fn next(&mut self) -> Option<&'a Element> {
        let e = self.stack.pop()?;
        self.stack.extend(e.children.iter().rev());
        Some(e)
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
/// it never quotes the document, which may carry names and addresses. A document nested
/// deeper than [`MAX_DEPTH`] is refused where it goes too deep.
pub fn parse(xml: &str) -> Result<Element, String> {
    let too_deep =
        |pos: u64| format!("XML nested deeper than {MAX_DEPTH} elements near byte {pos}");
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| format!("XML error near byte {pos}: {e}"))?;
        match ev {
            // The tree is built with `stack` (the open elements), never by recursion; the cap
            // keeps the finished tree shallow enough for its derived, recursive drop.
            Event::Start(_) | Event::Empty(_) if stack.len() >= MAX_DEPTH => {
                return Err(too_deep(pos));
            }
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

    /// `open` nested elements, the innermost holding `x`.
    fn nested(open: usize) -> String {
        format!("{}x{}", "<e>".repeat(open), "</e>".repeat(open))
    }

    fn depth(e: &Element) -> usize {
        let mut d = 1;
        let mut at = e;
        while let Some(c) = at.children.first() {
            d += 1;
            at = c;
        }
        d
    }

    #[test]
    fn a_document_nested_within_the_cap_parses() {
        let d = parse(&nested(60)).unwrap();
        assert_eq!(depth(&d), 60);
        let d = parse(&nested(MAX_DEPTH)).unwrap();
        assert_eq!(depth(&d), MAX_DEPTH);
        let mut innermost = &d;
        while let Some(c) = innermost.children.first() {
            innermost = c;
        }
        assert_eq!(innermost.text, "x");
    }

    /// Issue #18: refused with a reason, not a stack overflow, however deep.
    #[test]
    fn a_document_nested_past_the_cap_is_refused() {
        for open in [MAX_DEPTH + 1, 100_000] {
            let e = parse(&nested(open)).unwrap_err();
            assert!(e.starts_with("XML nested deeper than 64 elements"), "{e}");
        }
        // An empty element one level too deep counts as well.
        let xml = format!(
            "{}<leaf/>{}",
            "<e>".repeat(MAX_DEPTH),
            "</e>".repeat(MAX_DEPTH)
        );
        assert!(parse(&xml).is_err());
        // Unclosed, as a stream that never ends would be.
        assert!(parse(&"<e>".repeat(100_000)).is_err());
    }

    #[test]
    fn find_and_find_all_visit_in_document_order() {
        let d = parse("<r><a><b/><c><d>1</d></c></a><d>2</d><e/></r>").unwrap();
        let mut all = Vec::new();
        d.find_all(&|_| true, &mut all);
        let names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["r", "a", "b", "c", "d", "d", "e"]);
        // The first `d` depth first is the nested one, before its parent's later sibling.
        assert_eq!(d.find("d").map(|e| e.text.as_str()), Some("1"));
        assert_eq!(d.find("r").map(|e| e.name.as_str()), Some("r"));
        assert!(d.find("z").is_none());
        let mut ds = Vec::new();
        d.find_all(&|e| e.name == "d", &mut ds);
        let texts: Vec<&str> = ds.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["1", "2"]);
    }

    /// A tree built by hand is not capped; walking it must not recurse either.
    #[test]
    fn find_walks_a_deep_hand_built_tree_without_recursion() {
        let mut root = Element {
            name: "leaf".into(),
            ..Element::default()
        };
        for _ in 0..100_000 {
            root = Element {
                name: "e".into(),
                children: vec![root],
                ..Element::default()
            };
        }
        assert!(root.find("leaf").is_some());
        let mut all = Vec::new();
        root.find_all(&|e| e.name == "e", &mut all);
        assert_eq!(all.len(), 100_000);
        // Dropped one level at a time: the derived drop would recurse 100 000 deep.
        let mut next = Some(root);
        while let Some(mut e) = next {
            next = e.children.pop();
        }
    }

    #[test]
    fn truncated_document_is_an_error() {
        assert!(parse("<a><b>text</b>").is_err());
        assert!(parse("").is_err());
    }
}
