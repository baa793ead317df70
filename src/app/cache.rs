//! Read-mostly results kept for a short while, so a page that every visitor sees the same
//! (the home page's lists and counts) costs no query most of the time. Time comes from the
//! context's clock, so tests can move past the freshness window.

use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime};

/// One cached value and when it was read.
pub struct Cached<T> {
    slot: Mutex<Option<(NaiveDateTime, Arc<T>)>>,
    fresh_for: Duration,
}

impl<T> Cached<T> {
    pub fn new(fresh_for: Duration) -> Self {
        Self {
            slot: Mutex::new(None),
            fresh_for,
        }
    }

    /// The value read within the freshness window before `now`, if any.
    pub fn get(&self, now: NaiveDateTime) -> Option<Arc<T>> {
        let slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        match &*slot {
            Some((at, value)) if *at <= now && now - *at < self.fresh_for => Some(value.clone()),
            _ => None,
        }
    }

    /// Keeps `value` as read at `now`, and hands it back.
    pub fn put(&self, now: NaiveDateTime, value: T) -> Arc<T> {
        let value = Arc::new(value);
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some((now, value.clone()));
        value
    }
}

/// The caches a context holds.
pub struct Caches {
    /// The home page's overview: the same for every visitor, a minute at most behind.
    pub home: Cached<crate::app::home::Overview>,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            home: Cached::new(Duration::seconds(60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_fresh_for_its_window_only() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let cache = Cached::new(Duration::seconds(60));
        assert!(cache.get(t).is_none());
        cache.put(t, 7);
        assert_eq!(cache.get(t + Duration::seconds(59)).as_deref(), Some(&7));
        assert!(cache.get(t + Duration::seconds(60)).is_none());
        assert!(
            cache.get(t - Duration::seconds(1)).is_none(),
            "the clock went back"
        );
    }
}
