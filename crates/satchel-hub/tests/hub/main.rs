//! The hub over real HTTP on loopback: reqwest → axum → SQLite file or PostgreSQL.
//! One test binary (style.md, rule 12); each module is one concern.
#![allow(clippy::disallowed_methods)] // tests compare with the wall clock

mod common;

mod accounts;
mod binary;
mod dump;
mod isolation;
mod keys;
mod limits;
mod records;
mod recovery;
mod scraping;
