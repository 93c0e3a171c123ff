//! Just enough XML writing for SOAP envelopes: escaped text and nested elements.

/// Escapes text for element content and attribute values (`& < > " '`). Characters that XML
/// 1.0 does not allow at all (C0 controls other than tab, LF and CR) are dropped: they cannot
/// be sent in any escaped form, and a pasted address sometimes carries them.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The name of a repeated list entry (`products/item`, `itemNo/item`).
pub const LIST_ITEM: &str = "item";

/// One element of a request body: a field with text, or a group of fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Leaf {
        name: &'static str,
        value: String,
    },
    Group {
        name: &'static str,
        children: Vec<Node>,
    },
}

impl Node {
    pub fn leaf(name: &'static str, value: impl Into<String>) -> Self {
        Node::Leaf {
            name,
            value: value.into(),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Node::Leaf { name, .. } | Node::Group { name, .. } => name,
        }
    }

    /// Writes the element with `prefix:` on its name and its children's, indented by `depth`
    /// steps of two spaces, one element per line. Repeated list entries (`item`) are written
    /// in the webservice namespace, `web:item`, as working clients do (domain.md §13.1).
    pub fn write(&self, prefix: &str, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        let own = if self.name() == LIST_ITEM {
            "web"
        } else {
            prefix
        };
        match self {
            Node::Leaf { name, value } => {
                out.push_str(&format!(
                    "{pad}<{own}:{name}>{}</{own}:{name}>\n",
                    escape(value)
                ));
            }
            Node::Group { name, children } => {
                out.push_str(&format!("{pad}<{own}:{name}>\n"));
                for c in children {
                    c.write(prefix, depth + 1, out);
                }
                out.push_str(&format!("{pad}</{own}:{name}>\n"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a & "b" 'c'>"#),
            "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;"
        );
    }

    #[test]
    fn keeps_chinese_and_whitespace_drops_controls() {
        assert_eq!(escape("陳大文\t1\n\u{0}\u{1b}x"), "陳大文\t1\nx");
    }
}
