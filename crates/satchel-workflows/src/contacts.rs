//! The address book: search, read, save and delete recipients and sender profiles.
//!
//! The store checks a contact with the domain engine before writing it; a contact it refuses
//! comes back as per-field problems (not an error string) so the form can show each one next
//! to its field.

use satchel_ipc::{
    CommandError, ContactDto, ContactKind, ContactSearchRequest, SaveContactRequest,
    SaveContactResponse,
};
use satchel_store::{Contact, ContactInput, ContactQuery, Error, Store};

use crate::convert::{party, party_dto, problem};
use crate::store::store_error;

pub fn search(store: &Store, r: &ContactSearchRequest) -> Result<Vec<ContactDto>, CommandError> {
    let query = ContactQuery {
        text: r.text.clone(),
        kind: r.kind.map(kind),
        tag: r.tag.clone().filter(|t| !t.trim().is_empty()),
        limit: r.limit as usize,
    };
    Ok(store
        .search_contacts(&query)
        .map_err(store_error)?
        .iter()
        .map(contact_dto)
        .collect())
}

pub fn get(store: &Store, id: &str) -> Result<ContactDto, CommandError> {
    match store.contact(id).map_err(store_error)? {
        Some(c) => Ok(contact_dto(&c)),
        None => Err(store_error(Error::NotFound {
            entity: "contact",
            id: id.to_owned(),
        })),
    }
}

/// Creates (no id) or replaces a contact. Problems that block saving come back as data.
pub fn save(store: &mut Store, r: SaveContactRequest) -> Result<SaveContactResponse, CommandError> {
    let input = ContactInput {
        kind: kind(r.kind),
        party: party(r.party),
        notes: r.notes,
        tags: r.tags,
        is_default: r.is_default,
    };
    let saved = match r.id.as_deref().filter(|id| !id.is_empty()) {
        None => store.create_contact(input),
        Some(id) => store.update_contact(id, input),
    };
    match saved {
        Ok(c) => Ok(SaveContactResponse::Saved {
            contact: Box::new(contact_dto(&c)),
        }),
        Err(Error::Invalid(problems)) => Ok(SaveContactResponse::Invalid {
            problems: problems.iter().map(problem).collect(),
        }),
        Err(e) => Err(store_error(e)),
    }
}

pub fn kind(k: ContactKind) -> satchel_store::ContactKind {
    match k {
        ContactKind::Recipient => satchel_store::ContactKind::Recipient,
        ContactKind::Sender => satchel_store::ContactKind::Sender,
    }
}

pub fn contact_dto(c: &Contact) -> ContactDto {
    ContactDto {
        id: c.id.clone(),
        kind: match c.input.kind {
            satchel_store::ContactKind::Recipient => ContactKind::Recipient,
            satchel_store::ContactKind::Sender => ContactKind::Sender,
        },
        party: party_dto(&c.input.party),
        notes: c.input.notes.clone(),
        tags: c.input.tags.clone(),
        is_default: c.input.is_default,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use satchel_ipc::PartyDto;

    /// A store in a temporary file (removed with the returned directory).
    pub(crate) fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("satchel.db")).unwrap();
        (dir, store)
    }

    pub(crate) fn tokyo() -> SaveContactRequest {
        SaveContactRequest {
            id: None,
            kind: ContactKind::Recipient,
            party: PartyDto {
                name: "陳小明 Chan Siu Ming".into(),
                lines: vec!["1-2-3 Ginza 銀座".into()],
                city: "Tokyo".into(),
                postcode: "104-0061".into(),
                country: "jp".into(),
                phone: "+81 3 1234 5678".into(),
                ..PartyDto::default()
            },
            notes: String::new(),
            tags: vec!["wholesale".into(), " ".into()],
            is_default: false,
        }
    }

    pub(crate) fn shop() -> SaveContactRequest {
        SaveContactRequest {
            id: None,
            kind: ContactKind::Sender,
            party: PartyDto {
                name: "Satchel Trading".into(),
                lines: vec!["Flat A, 8/F, 123 Nathan Road".into()],
                city: "Kowloon".into(),
                country: "HK".into(),
                phone: "+852 9123 4567".into(),
                ..PartyDto::default()
            },
            notes: String::new(),
            tags: Vec::new(),
            is_default: true,
        }
    }

    pub(crate) fn saved(r: SaveContactResponse) -> ContactDto {
        match r {
            SaveContactResponse::Saved { contact } => *contact,
            SaveContactResponse::Invalid { problems } => panic!("refused: {problems:?}"),
        }
    }

    #[test]
    fn a_saved_contact_is_found_by_a_chinese_fragment_and_normalised() {
        let (_dir, mut store) = temp_store();
        let c = saved(save(&mut store, tokyo()).unwrap());
        assert_eq!(c.party.country, "JP");
        assert_eq!(c.tags, ["wholesale"]);
        let hits = search(
            &store,
            &ContactSearchRequest {
                text: "小明".into(),
                ..ContactSearchRequest::default()
            },
        )
        .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, c.id);
        assert_eq!(get(&store, &c.id).unwrap(), c);
    }

    #[test]
    fn a_contact_without_a_name_comes_back_with_the_field_and_rule() {
        let (_dir, mut store) = temp_store();
        let mut r = tokyo();
        r.party.name.clear();
        let SaveContactResponse::Invalid { problems } = save(&mut store, r).unwrap() else {
            panic!("a nameless contact was stored");
        };
        let p = problems.iter().find(|p| p.field == "name").unwrap();
        assert_eq!(p.rule, "S-001");
        assert!(!p.message_zh_hk.is_empty());
    }

    #[test]
    fn a_sender_outside_hong_kong_is_refused_by_r049() {
        let (_dir, mut store) = temp_store();
        let mut r = shop();
        r.party.country = "JP".into();
        let SaveContactResponse::Invalid { problems } = save(&mut store, r).unwrap() else {
            panic!("stored");
        };
        assert!(problems
            .iter()
            .any(|p| p.rule == "R-049" && p.field == "country"));
    }

    #[test]
    fn update_kind_filter_tags_and_delete() {
        let (_dir, mut store) = temp_store();
        let c = saved(save(&mut store, tokyo()).unwrap());
        let s = saved(save(&mut store, shop()).unwrap());
        assert!(s.is_default);
        let mut edit = tokyo();
        edit.id = Some(c.id.clone());
        edit.party.city = "Osaka".into();
        let c2 = saved(save(&mut store, edit).unwrap());
        assert_eq!(
            (c2.id.as_str(), c2.party.city.as_str()),
            (c.id.as_str(), "Osaka")
        );
        let senders = search(
            &store,
            &ContactSearchRequest {
                kind: Some(ContactKind::Sender),
                ..ContactSearchRequest::default()
            },
        )
        .unwrap();
        assert_eq!(senders.len(), 1);
        assert_eq!(senders[0].id, s.id);
        assert_eq!(store.contact_tags().unwrap(), ["wholesale"]);
        store.delete_contact(&c.id).unwrap();
        assert_eq!(get(&store, &c.id).unwrap_err().field, "id");
    }
}
