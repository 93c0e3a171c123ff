//! The address book: recipients and sender profiles.
//!
//! A contact is checked by the domain engine before it is written (a sender profile must be a
//! Hong Kong return address, R-049, and not an MCN, R-051), so a bad record never reaches the
//! disk. Each save records only the fields that changed, with their clock, for per-field
//! merging later.

use rusqlite::{params, OptionalExtension, Row};
use satchel_core::model::Party;
use satchel_core::validate::{self, Role};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::search::{self, Plan};
use crate::{Error, Hlc, Result, Store, Writer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Recipient,
    /// A sender profile: a Hong Kong return address.
    Sender,
}

impl ContactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Recipient => "recipient",
            ContactKind::Sender => "sender",
        }
    }

    fn parse(s: &str) -> ContactKind {
        if s == "sender" {
            ContactKind::Sender
        } else {
            ContactKind::Recipient
        }
    }

    fn role(self) -> Role {
        match self {
            ContactKind::Recipient => Role::Recipient,
            ContactKind::Sender => Role::Sender,
        }
    }
}

/// What the user edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub kind: ContactKind,
    pub party: Party,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Sender profiles only: the one used for new shipments.
    #[serde(default)]
    pub is_default: bool,
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    #[serde(flatten)]
    pub input: ContactInput,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// A search of the address book.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactQuery {
    /// What was typed: any part of a name, company, address, phone or e-mail, in Latin or
    /// Chinese script. Empty lists everything, by name.
    pub text: String,
    pub kind: Option<ContactKind>,
    pub tag: Option<String>,
    pub limit: usize,
}

const COLUMNS: &str = "id, kind, name, company, lines, city, state, postcode, country, phone, \
                       email, notes, tags, is_default, created_ms, updated_ms";

impl ContactInput {
    /// Trims what was typed and normalises codes, so "hk " and "HK" are the same country.
    pub fn normalised(mut self) -> ContactInput {
        let p = &mut self.party;
        for s in [
            &mut p.name,
            &mut p.company,
            &mut p.city,
            &mut p.state,
            &mut p.postcode,
            &mut p.phone,
            &mut p.email,
        ] {
            *s = s.trim().to_owned();
        }
        p.country = p.country.trim().to_ascii_uppercase();
        p.lines = p
            .lines
            .iter()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        self.notes = self.notes.trim().to_owned();
        let mut tags: Vec<String> = self
            .tags
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        tags.sort();
        tags.dedup();
        self.tags = tags;
        if self.kind == ContactKind::Recipient {
            self.is_default = false;
        }
        self
    }

    /// Errors that block saving (warnings do not).
    pub fn problems(&self) -> Vec<validate::Problem> {
        validate::validate_party(self.kind.role(), &self.party)
    }

    /// "The same person" for duplicate detection: name, first line, postcode and country,
    /// case- and space-insensitive.
    pub fn dedupe_key(&self) -> String {
        let norm = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let p = &self.party;
        let who = if p.name.trim().is_empty() {
            &p.company
        } else {
            &p.name
        };
        format!(
            "{}|{}|{}|{}",
            norm(who),
            norm(p.lines.first().map_or("", String::as_str)),
            norm(&p.postcode),
            p.country.trim().to_ascii_uppercase()
        )
    }

    fn fields(&self) -> Map<String, Value> {
        let p = &self.party;
        let v = json!({
            "kind": self.kind.as_str(), "name": p.name, "company": p.company, "lines": p.lines,
            "city": p.city, "state": p.state, "postcode": p.postcode, "country": p.country,
            "phone": p.phone, "email": p.email, "notes": self.notes, "tags": self.tags,
            "is_default": self.is_default,
        });
        match v {
            Value::Object(m) => m,
            _ => unreachable!("a JSON object literal"),
        }
    }

    fn search_text(&self) -> String {
        let p = &self.party;
        let digits: String = p.phone.chars().filter(char::is_ascii_digit).collect();
        let mut parts = vec![p.name.as_str(), p.company.as_str()];
        parts.extend(p.lines.iter().map(String::as_str));
        parts.extend([
            p.city.as_str(),
            p.state.as_str(),
            p.postcode.as_str(),
            p.country.as_str(),
            p.phone.as_str(),
            digits.as_str(),
            p.email.as_str(),
        ]);
        parts.extend(self.tags.iter().map(String::as_str));
        parts.retain(|s| !s.is_empty());
        parts.join(" \u{2029} ")
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Contact> {
    let json_vec = |i: usize| -> rusqlite::Result<Vec<String>> {
        let s: String = r.get(i)?;
        serde_json::from_str(&s).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    Ok(Contact {
        id: r.get(0)?,
        input: ContactInput {
            kind: ContactKind::parse(&r.get::<_, String>(1)?),
            party: Party {
                name: r.get(2)?,
                company: r.get(3)?,
                lines: json_vec(4)?,
                city: r.get(5)?,
                state: r.get(6)?,
                postcode: r.get(7)?,
                country: r.get(8)?,
                phone: r.get(9)?,
                email: r.get(10)?,
            },
            notes: r.get(11)?,
            tags: json_vec(12)?,
            is_default: r.get(13)?,
        },
        created_ms: r.get(14)?,
        updated_ms: r.get(15)?,
    })
}

impl Writer<'_> {
    pub(crate) fn index_contact(&self, rowid: i64, input: &ContactInput) -> Result<()> {
        let text = input.search_text();
        self.tx
            .prepare_cached("INSERT INTO contact_grams (rowid, body) VALUES (?1, ?2)")?
            .execute(params![rowid, text])?;
        self.tx
            .prepare_cached("INSERT INTO contact_words (rowid, body) VALUES (?1, ?2)")?
            .execute(params![rowid, search::words_body(&text)])?;
        Ok(())
    }

    pub(crate) fn unindex_contact(&self, rowid: i64) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM contact_grams WHERE rowid = ?1")?
            .execute([rowid])?;
        self.tx
            .prepare_cached("DELETE FROM contact_words WHERE rowid = ?1")?
            .execute([rowid])?;
        Ok(())
    }

    /// A sender marked default takes the flag from the previous default.
    fn clear_default_sender(&mut self, except: &str) -> Result<()> {
        let old: Option<String> = self
            .tx
            .query_row(
                "SELECT id FROM contacts WHERE kind = 'sender' AND is_default = 1 AND deleted = 0
                 AND id <> ?1",
                [except],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(old) = old {
            self.set_default_flag(&old, false)?;
        }
        Ok(())
    }

    /// Sets or clears one contact's default flag, as a change of that one field.
    pub(crate) fn set_default_flag(&mut self, id: &str, is_default: bool) -> Result<()> {
        let hlc = self.stamp();
        self.tx.execute(
            "UPDATE contacts SET is_default = ?2, updated_ms = ?3, hlc = ?4,
               clocks = json_set(clocks, '$.is_default', ?4)
             WHERE id = ?1",
            params![id, is_default, self.now_ms as i64, hlc.to_string()],
        )?;
        let mut f = Map::new();
        f.insert("is_default".into(), Value::Bool(is_default));
        self.log("contact", id, &hlc, &f)
    }

    /// Inserts a checked, normalised contact. Returns its id.
    pub(crate) fn insert_contact(&mut self, input: &ContactInput) -> Result<String> {
        let id = self.new_id();
        // The first sender profile becomes the default: shipments need a return address.
        let first_sender = input.kind == ContactKind::Sender
            && !input.is_default
            && self
                .tx
                .prepare_cached(
                    "SELECT 1 FROM contacts WHERE kind = 'sender' AND is_default = 1 AND deleted = 0",
                )?
                .query_row([], |_| Ok(()))
                .optional()?
                .is_none();
        let defaulted;
        let input = if first_sender {
            defaulted = ContactInput {
                is_default: true,
                ..input.clone()
            };
            &defaulted
        } else {
            input
        };
        if input.is_default {
            self.clear_default_sender(&id)?;
        }
        let hlc = self.stamp();
        let fields = input.fields();
        let clocks: Map<String, Value> = fields
            .keys()
            .map(|k| (k.clone(), Value::String(hlc.to_string())))
            .collect();
        self.write_row(
            "INSERT INTO contacts (id, kind, name, company, lines, city, state, postcode,
               country, phone, email, notes, tags, is_default, dedupe_key, created_ms,
               updated_ms, hlc, clocks)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
               ?16, ?17, ?18)",
            &id,
            input,
            &hlc,
            clocks,
        )?;
        let rowid = self.tx.last_insert_rowid();
        self.index_contact(rowid, input)?;
        self.log("contact", &id, &hlc, &fields)?;
        Ok(id)
    }

    /// Rewrites a contact with `input`, logging only the fields that changed.
    pub(crate) fn update_contact(&mut self, id: &str, input: &ContactInput) -> Result<()> {
        let found: Option<(i64, String)> = self
            .tx
            .query_row(
                "SELECT rowid, clocks FROM contacts WHERE id = ?1 AND deleted = 0",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((rowid, clocks)) = found else {
            return Err(Error::NotFound {
                entity: "contact",
                id: id.to_owned(),
            });
        };
        let old = self.tx.query_row(
            &format!("SELECT {COLUMNS} FROM contacts WHERE id = ?1"),
            [id],
            from_row,
        )?;
        let before = old.input.fields();
        let after = input.fields();
        let changed: Map<String, Value> = after
            .into_iter()
            .filter(|(k, v)| before.get(k) != Some(v))
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        if input.is_default {
            self.clear_default_sender(id)?;
        }
        let hlc = self.stamp();
        let mut clocks: Map<String, Value> = serde_json::from_str(&clocks)?;
        for k in changed.keys() {
            clocks.insert(k.clone(), Value::String(hlc.to_string()));
        }
        self.write_row(
            "UPDATE contacts SET kind = ?2, name = ?3, company = ?4, lines = ?5, city = ?6,
               state = ?7, postcode = ?8, country = ?9, phone = ?10, email = ?11,
               notes = ?12, tags = ?13, is_default = ?14, dedupe_key = ?15,
               updated_ms = ?16, hlc = ?17, clocks = ?18
             WHERE id = ?1",
            id,
            input,
            &hlc,
            clocks,
        )?;
        self.unindex_contact(rowid)?;
        self.index_contact(rowid, input)?;
        self.log("contact", id, &hlc, &changed)
    }

    /// Runs an INSERT or UPDATE of a whole contact row; both statements number their
    /// parameters the same way (?1 id … ?18 clocks).
    fn write_row(
        &self,
        sql: &str,
        id: &str,
        input: &ContactInput,
        hlc: &Hlc,
        clocks: Map<String, Value>,
    ) -> Result<()> {
        let p = &input.party;
        self.tx.prepare_cached(sql)?.execute(params![
            id,
            input.kind.as_str(),
            p.name,
            p.company,
            serde_json::to_string(&p.lines)?,
            p.city,
            p.state,
            p.postcode,
            p.country,
            p.phone,
            p.email,
            input.notes,
            serde_json::to_string(&input.tags)?,
            input.is_default,
            input.dedupe_key(),
            self.now_ms as i64,
            hlc.to_string(),
            Value::Object(clocks).to_string(),
        ])?;
        Ok(())
    }

    /// The live contact of the same kind that counts as the same person, if any.
    pub(crate) fn find_duplicate(&self, input: &ContactInput) -> Result<Option<String>> {
        duplicate_of(&self.tx, input)
    }
}

/// The live contact of `input`'s kind with its dedupe key (inside or outside a transaction).
pub(crate) fn duplicate_of(
    conn: &rusqlite::Connection,
    input: &ContactInput,
) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM contacts WHERE kind = ?1 AND dedupe_key = ?2 AND deleted = 0
             ORDER BY rowid LIMIT 1",
        )?
        .query_row(params![input.kind.as_str(), input.dedupe_key()], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Normalises and checks `input`; errors become [`Error::Invalid`].
pub(crate) fn checked(input: ContactInput) -> Result<ContactInput> {
    let input = input.normalised();
    let errors: Vec<_> = input
        .problems()
        .into_iter()
        .filter(|p| p.is_error())
        .collect();
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(Error::Invalid(errors))
    }
}

impl Store {
    /// Adds a contact after checking it.
    pub fn create_contact(&mut self, input: ContactInput) -> Result<Contact> {
        let input = checked(input)?;
        let id = self.write(|w| w.insert_contact(&input))?;
        self.require_contact(&id)
    }

    /// Replaces a contact's fields after checking them.
    pub fn update_contact(&mut self, id: &str, input: ContactInput) -> Result<Contact> {
        let input = checked(input)?;
        self.write(|w| w.update_contact(id, &input))?;
        self.require_contact(id)
    }

    /// Deletes a contact: a tombstone, gone from lists and search, kept for sync. Shipments
    /// keep their copy of the address.
    pub fn delete_contact(&mut self, id: &str) -> Result<()> {
        self.write(|w| {
            let rowid: Option<i64> =
                w.tx.query_row(
                    "SELECT rowid FROM contacts WHERE id = ?1 AND deleted = 0",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(rowid) = rowid else {
                return Err(Error::NotFound {
                    entity: "contact",
                    id: id.to_owned(),
                });
            };
            let hlc = w.stamp();
            w.tx.execute(
                "UPDATE contacts SET deleted = 1, is_default = 0, updated_ms = ?2, hlc = ?3,
                   clocks = json_set(clocks, '$.deleted', ?3)
                 WHERE id = ?1",
                params![id, w.now_ms as i64, hlc.to_string()],
            )?;
            w.unindex_contact(rowid)?;
            let mut f = Map::new();
            f.insert("deleted".into(), Value::Bool(true));
            w.log("contact", id, &hlc, &f)
        })
    }

    pub fn contact(&self, id: &str) -> Result<Option<Contact>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM contacts WHERE id = ?1 AND deleted = 0"
            ))?
            .query_row([id], from_row)
            .optional()?)
    }

    fn require_contact(&self, id: &str) -> Result<Contact> {
        self.contact(id)?.ok_or_else(|| Error::NotFound {
            entity: "contact",
            id: id.to_owned(),
        })
    }

    /// The default sender profile, if one is set.
    pub fn default_sender(&self) -> Result<Option<Contact>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM contacts
                 WHERE kind = 'sender' AND is_default = 1 AND deleted = 0"
            ))?
            .query_row([], from_row)
            .optional()?)
    }

    /// Number of live contacts of a kind.
    pub fn count_contacts(&self, kind: ContactKind) -> Result<usize> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM contacts WHERE kind = ?1 AND deleted = 0",
            [kind.as_str()],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Every tag in use, sorted.
    pub fn contact_tags(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT j.value FROM contacts c, json_each(c.tags) j
             WHERE c.deleted = 0 ORDER BY 1",
        )?;
        let tags = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(tags)
    }

    /// Search as you type: at most `limit` contacts (0 means 1,000), sorted by name. With
    /// text, these are the first matches the index yields, not the best ones: a long list
    /// narrows as the merchant keeps typing, and the query stays under 2 ms at 100,000.
    pub fn search_contacts(&self, q: &ContactQuery) -> Result<Vec<Contact>> {
        let limit = if q.limit == 0 {
            1_000
        } else {
            q.limit.min(10_000)
        } as i64;
        let kind = q.kind.map(ContactKind::as_str);
        let tag = q.tag.as_deref().filter(|t| !t.is_empty());
        let filters = "(?2 IS NULL OR c.kind = ?2)
            AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(c.tags) WHERE value = ?3))";
        let cols = COLUMNS
            .split(", ")
            .map(|c| format!("c.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut out: Vec<Contact> = match search::plan(&q.text) {
            None => {
                let sql = format!(
                    "SELECT {cols} FROM contacts c WHERE c.deleted = 0 AND {filters}
                     AND ?1 IS NULL ORDER BY c.name COLLATE NOCASE, c.rowid LIMIT ?4"
                );
                let mut st = self.conn.prepare_cached(&sql)?;
                let rows = st
                    .query_map(params![None::<String>, kind, tag, limit], from_row)?
                    .collect::<rusqlite::Result<_>>()?;
                rows
            }
            Some(plan) => {
                let (table, m) = match plan {
                    Plan::Grams(m) => ("contact_grams", m),
                    Plan::Words(m) => ("contact_words", m),
                };
                let sql = format!(
                    "SELECT {cols} FROM {table} f JOIN contacts c ON c.rowid = f.rowid
                     WHERE {table} MATCH ?1 AND {filters} LIMIT ?4"
                );
                let mut st = self.conn.prepare_cached(&sql)?;
                let rows = st
                    .query_map(params![m, kind, tag, limit], from_row)?
                    .collect::<rusqlite::Result<_>>()?;
                rows
            }
        };
        if !q.text.trim().is_empty() {
            out.sort_by_cached_key(|c| c.input.party.name.to_lowercase());
        }
        Ok(out)
    }

    /// Every live contact of a kind, in insertion order (for export).
    pub fn all_contacts(&self, kind: ContactKind) -> Result<Vec<Contact>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM contacts WHERE kind = ?1 AND deleted = 0 ORDER BY rowid"
        ))?;
        let v = st
            .query_map([kind.as_str()], from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(v)
    }
}
