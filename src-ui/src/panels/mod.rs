//! Panels a screen opens over its list: printing labels, iMail posting documents, a
//! shipment's tracking timeline, the CSV import wizard and the product catalogue.
pub mod catalogue;
pub mod import;
pub mod posting;
pub mod print;
pub mod tracking;
