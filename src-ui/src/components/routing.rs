//! Where a problem is shown: the pure routing from a problem's field path (as the rules engine
//! names it: `recipient.lines[0]`, `customs.lines[2].hs_code`) to the input it is shown under.
//!
//! Why it is its own module: the screens promise that no problem is ever hidden, a path with
//! no input on screen goes to the form's "other problems" list. That promise rests on these
//! functions alone, so they hold no UI state and are unit-tested natively
//! (`cargo test -p satchel-ui`).

/// The slot of an address field path relative to the party (`name`, `lines[1]`): the input
/// it is shown under. Lines past the third go to the third, where a long address ends.
pub fn party_anchor(rest: &str) -> Option<&'static str> {
    Some(match rest {
        "name" => "name",
        "company" => "company",
        "lines" | "lines[0]" => "line1",
        "lines[1]" => "line2",
        r if r.starts_with("lines[") => "line3",
        "city" => "city",
        "state" => "state",
        "postcode" => "postcode",
        "country" => "country",
        "phone" => "phone",
        "email" => "email",
        _ => return None,
    })
}

/// The on-screen slot of a problem's field path; `None`: listed under "Other problems".
pub fn draft_anchor(field: &str) -> Option<String> {
    if field == "sender" || field.starts_with("sender.") {
        return Some("sender".into());
    }
    if let Some(rest) = field.strip_prefix("recipient.") {
        return party_anchor(rest).map(|a| format!("recipient.{a}"));
    }
    match field {
        "service"
        | "zone"
        | "parcel.weight_g"
        | "parcel.dimensions"
        | "customs.explanation"
        | "customs.lines"
        | "insured_value"
        | "reference"
        | "non_delivery" => Some(field.into()),
        "customs" | "customs.category" => Some("customs.category".into()),
        _ => line_anchor(field),
    }
}

/// `customs.lines[2].hs_code` has its own slot; every line's currency shares the one input.
pub fn line_anchor(field: &str) -> Option<String> {
    let rest = field.strip_prefix("customs.lines[")?;
    let (index, tail) = rest.split_once("].")?;
    index.parse::<usize>().ok()?;
    match tail {
        "currency" => Some("currency".into()),
        "description" | "quantity" | "value" | "hs_code" | "origin_country" | "net_weight_g" => {
            Some(field.to_owned())
        }
        _ => None,
    }
}

/// Whether a problem about `field` is shown in the editor's `slot`.
pub fn belongs_draft(field: &str, slot: &str) -> bool {
    draft_anchor(field).as_deref() == Some(slot)
}

/// Whether a problem about `field` is shown in the recipient's address `slot`.
pub fn belongs_recipient(field: &str, slot: &str) -> bool {
    field.strip_prefix("recipient.").and_then(party_anchor) == Some(slot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_paths_go_to_their_inputs_and_long_addresses_end_on_the_third_line() {
        assert_eq!(party_anchor("name"), Some("name"));
        assert_eq!(party_anchor("lines"), Some("line1"));
        assert_eq!(party_anchor("lines[0]"), Some("line1"));
        assert_eq!(party_anchor("lines[1]"), Some("line2"));
        assert_eq!(party_anchor("lines[4]"), Some("line3"));
        assert_eq!(party_anchor("country"), Some("country"));
        assert_eq!(party_anchor("fax"), None);
    }

    #[test]
    fn draft_paths_reach_the_editor_inputs() {
        assert_eq!(draft_anchor("sender.lines[0]").as_deref(), Some("sender"));
        assert_eq!(
            draft_anchor("recipient.postcode").as_deref(),
            Some("recipient.postcode")
        );
        assert_eq!(draft_anchor("customs").as_deref(), Some("customs.category"));
        assert_eq!(
            draft_anchor("customs.lines[2].hs_code").as_deref(),
            Some("customs.lines[2].hs_code")
        );
        // Every line's currency is typed once.
        assert_eq!(
            draft_anchor("customs.lines[1].currency").as_deref(),
            Some("currency")
        );
        assert!(belongs_draft("parcel.weight_g", "parcel.weight_g"));
        assert!(belongs_recipient("recipient.lines[1]", "line2"));
        assert!(!belongs_recipient("sender.lines[1]", "line2"));
    }

    #[test]
    fn paths_without_an_input_go_to_the_other_problems_list() {
        // A path the editor has no slot for must come back as None, never a wrong slot.
        for path in [
            "customs.lines[x].value",
            "customs.lines[0].colour",
            "batch",
            "posting.bags",
        ] {
            assert_eq!(draft_anchor(path), None, "{path}");
        }
        assert_eq!(line_anchor("customs.lines[0]"), None);
    }
}
