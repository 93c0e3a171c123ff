//! Shared fixtures: a real store file in a temp dir, a pinned clock, sample parties.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use satchel_core::model::Party;
use satchel_store::{Clock, ContactInput, ContactKind, Store};

/// A clock the test moves by hand.
#[derive(Debug, Clone)]
pub struct TestClock(pub Arc<AtomicU64>);

impl TestClock {
    pub fn at(ms: u64) -> TestClock {
        TestClock(Arc::new(AtomicU64::new(ms)))
    }
    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// 2026-11-21T03:00:00Z
pub const T0: u64 = 1_795_230_000_000;

pub fn open(dir: &tempfile::TempDir) -> (Store, TestClock) {
    let clock = TestClock::at(T0);
    let store = Store::open_with_clock(dir.path().join("satchel.db"), Box::new(clock.clone()))
        .expect("store opens");
    (store, clock)
}

pub fn recipient(name: &str, line: &str, country: &str) -> ContactInput {
    ContactInput {
        kind: ContactKind::Recipient,
        party: Party {
            name: name.into(),
            lines: vec![line.into()],
            country: country.into(),
            ..Party::default()
        },
        notes: String::new(),
        tags: Vec::new(),
        is_default: false,
    }
}

pub fn hk_sender(name: &str) -> ContactInput {
    ContactInput {
        kind: ContactKind::Sender,
        party: satchel_fixtures::hk_sender(name),
        notes: String::new(),
        tags: Vec::new(),
        is_default: true,
    }
}
