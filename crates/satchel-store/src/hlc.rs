//! Hybrid logical clocks: a stamp per change that orders changes across devices even when
//! their wall clocks disagree (a phone an hour off must not lose its edits or win forever).
//!
//! A stamp is wall-clock milliseconds, a counter for changes within the same millisecond (or
//! while the wall clock lags the highest stamp seen), and the device id as the tie-break. Its
//! text form sorts like the stamp itself, so SQLite can compare stamps as strings.

use std::fmt;
use std::str::FromStr;

use crate::Error;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
    pub device: String,
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:012x}-{:06x}-{}",
            self.wall_ms, self.counter, self.device
        )
    }
}

impl FromStr for Hlc {
    type Err = Error;

    fn from_str(s: &str) -> Result<Hlc, Error> {
        let bad = || Error::Hlc(s.to_owned());
        let mut parts = s.splitn(3, '-');
        let (Some(w), Some(c), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if w.len() != 12 || c.len() != 6 || d.is_empty() {
            return Err(bad());
        }
        Ok(Hlc {
            wall_ms: u64::from_str_radix(w, 16).map_err(|_| bad())?,
            counter: u32::from_str_radix(c, 16).map_err(|_| bad())?,
            device: d.to_owned(),
        })
    }
}

/// The local clock state: the highest (wall, counter) issued or observed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HlcClock {
    wall_ms: u64,
    counter: u32,
}

impl HlcClock {
    /// Continues from a persisted high-water mark (or from nothing on a new device).
    pub fn resume(high: Option<&Hlc>) -> HlcClock {
        high.map_or_else(HlcClock::default, |h| HlcClock {
            wall_ms: h.wall_ms,
            counter: h.counter,
        })
    }

    /// A stamp for a local change at wall time `now_ms`; strictly greater than every stamp
    /// issued or observed before, whatever the wall clock does.
    pub fn tick(&mut self, now_ms: u64, device: &str) -> Hlc {
        if now_ms > self.wall_ms {
            self.wall_ms = now_ms;
            self.counter = 0;
        } else if self.counter == u32::MAX {
            // A saturated counter moves to the next millisecond rather than wrapping.
            self.wall_ms += 1;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        self.high(device)
    }

    /// Takes a remote stamp into account (on pull), so later local stamps sort after it.
    pub fn observe(&mut self, remote: &Hlc) {
        if (remote.wall_ms, remote.counter) > (self.wall_ms, self.counter) {
            self.wall_ms = remote.wall_ms;
            self.counter = remote.counter;
        }
    }

    /// The highest stamp so far, as this device.
    pub fn high(&self, device: &str) -> Hlc {
        Hlc {
            wall_ms: self.wall_ms,
            counter: self.counter,
            device: device.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Issue #17: a counter at its limit moves on to the next millisecond instead of
    /// overflowing, and stamps stay strictly increasing.
    #[test]
    fn a_saturated_counter_moves_to_the_next_millisecond() {
        let mut c = HlcClock {
            wall_ms: 1_000,
            counter: u32::MAX,
        };
        let before = c.high("d");
        let next = c.tick(1_000, "d");
        assert_eq!((next.wall_ms, next.counter), (1_001, 0));
        assert!(next > before);
    }

    #[test]
    fn text_round_trips_and_sorts_like_the_stamp() {
        let a = Hlc {
            wall_ms: 1_700_000_000_000,
            counter: 2,
            device: "aa".into(),
        };
        let b = Hlc {
            wall_ms: 1_700_000_000_000,
            counter: 10,
            device: "aa".into(),
        };
        assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        assert!(a < b && a.to_string() < b.to_string());
        assert!("nonsense".parse::<Hlc>().is_err());
    }

    #[test]
    fn a_clock_that_goes_back_an_hour_still_moves_forward() {
        let mut c = HlcClock::default();
        let first = c.tick(10_000_000, "d");
        let behind = c.tick(10_000_000 - 3_600_000, "d");
        assert!(behind > first, "{behind} <= {first}");
        assert_eq!(behind.wall_ms, first.wall_ms);
    }

    #[test]
    fn observing_a_remote_stamp_orders_later_local_stamps_after_it() {
        let mut c = HlcClock::default();
        c.tick(1_000, "a");
        let remote = Hlc {
            wall_ms: 5_000,
            counter: 7,
            device: "b".into(),
        };
        c.observe(&remote);
        let next = c.tick(2_000, "a");
        assert!(next > remote);
    }

    proptest! {
        #[test]
        fn ticks_are_strictly_increasing(times in proptest::collection::vec(0u64..1u64 << 40, 1..50)) {
            let mut c = HlcClock::default();
            let mut last: Option<Hlc> = None;
            for t in times {
                let h = c.tick(t, "dev");
                if let Some(l) = &last {
                    prop_assert!(h > *l);
                    prop_assert!(h.to_string() > l.to_string());
                }
                last = Some(h);
            }
        }
    }
}
