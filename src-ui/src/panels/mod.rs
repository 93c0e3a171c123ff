//! Panels a screen opens over its list: printing labels, iMail posting documents, a
//! shipment's tracking timeline, and the CSV import wizard.
pub mod import;
pub mod posting;
pub mod print;
pub mod tracking;
