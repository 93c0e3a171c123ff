//! Everything in Satchel that talks to a network, and nothing else.
//!
//! Why one crate: the rest of the workspace must keep working with the cable pulled, and keeping
//! reqwest/rustls here makes that easy to check (no other crate can open a socket to the
//! outside). Issue #7: [`ecship`] is the EC-Ship SOAP client, [`tracking`] the 2024 REST
//! tracking client with its rate limit, and [`outbox`] drives queued submissions to completion
//! without ever buying a second label for one parcel.

pub mod ecship;
pub mod outbox;
pub mod refresh;
pub mod settings;
pub mod sync;
pub mod tracking;
