//! Time for every use case: the system clock in production, a settable one in tests, so a
//! test can move a day forward and see what a learner sees tomorrow. Nothing in `app`,
//! `jobs` or `web` reads the system time except [`SystemClock`].

use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// Where the current time comes from.
pub trait Clock: Send + Sync + 'static {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;

    /// Now, as stored in the database (UTC without an offset).
    fn naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests can move: it runs with the system clock, shifted by whatever it was moved,
/// or stands still once frozen.
#[derive(Debug, Default)]
pub struct SettableClock {
    state: Mutex<Shift>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Shift {
    offset: Duration,
    frozen: Option<DateTime<Utc>>,
}

impl SettableClock {
    /// A clock that runs with the system clock until moved.
    pub fn running() -> Self {
        Self::default()
    }

    /// A clock that shows `now` and stands still.
    pub fn frozen_at(now: DateTime<Utc>) -> Self {
        Self {
            state: Mutex::new(Shift {
                offset: Duration::zero(),
                frozen: Some(now),
            }),
        }
    }

    fn shift(&self) -> std::sync::MutexGuard<'_, Shift> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Shows `now` from here on (still running, unless frozen).
    pub fn set(&self, now: DateTime<Utc>) {
        let mut s = self.shift();
        match s.frozen {
            Some(_) => s.frozen = Some(now),
            None => s.offset = now - Utc::now(),
        }
    }

    /// Stops the clock where it shows now (tests that read exact seconds).
    pub fn freeze(&self) {
        let mut s = self.shift();
        if s.frozen.is_none() {
            s.frozen = Some(Utc::now() + s.offset);
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut s = self.shift();
        match s.frozen.as_mut() {
            Some(t) => *t += by,
            None => s.offset += by,
        }
    }
}

impl Clock for SettableClock {
    fn now(&self) -> DateTime<Utc> {
        let s = *self.shift();
        s.frozen.unwrap_or_else(|| Utc::now() + s.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settable_clock_stands_still_until_moved() {
        let start = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = SettableClock::frozen_at(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::days(1));
        assert_eq!(clock.now(), start + Duration::days(1));
        clock.set(start);
        assert_eq!(clock.naive(), start.naive_utc());
    }

    #[test]
    fn a_running_clock_keeps_running_after_a_move() {
        let clock = SettableClock::running();
        let before = clock.now();
        clock.advance(Duration::days(2));
        let moved = clock.now();
        assert!(moved >= before + Duration::days(2));
        assert!(moved < before + Duration::days(2) + Duration::minutes(1));
        assert!(clock.now() >= moved, "time still passes");
    }
}
