//! One error type for the store, so callers can tell "you typed something wrong" (with the
//! field and rule) from "the disk said no".

use satchel_core::validate::Problem;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored JSON is unreadable: {0}")]
    Json(#[from] serde_json::Error),
    #[error("no {entity} with id {id}")]
    NotFound { entity: &'static str, id: String },
    /// The record breaks a rule; every problem names its field and rule.
    #[error("{}", describe(.0))]
    Invalid(Vec<Problem>),
    /// One field breaks one rule, found by the store itself (not the rules engine).
    #[error("{field} ({rule}): {message}")]
    Rule {
        field: &'static str,
        rule: &'static str,
        message: String,
    },
    /// A state change the shipment lifecycle does not allow.
    #[error("a shipment cannot go from {from} to {to}")]
    Transition { from: String, to: String },
    /// A shipment whose stored check has errors cannot become `to` (ready).
    #[error("fix the errors before marking it {to}")]
    HasErrors { to: String },
    #[error("CSV: {0}")]
    Csv(String),
    #[error("bad clock stamp {0:?}")]
    Hlc(String),
    #[error(
        "the database schema is version {found}, newer than this app ({known}); update Satchel"
    )]
    SchemaTooNew { found: i64, known: i64 },
}

fn describe(ps: &[Problem]) -> String {
    ps.iter()
        .map(|p| {
            format!(
                "{} ({}): {}",
                p.field,
                p.rule,
                p.message(satchel_core::validate::Locale::En)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
