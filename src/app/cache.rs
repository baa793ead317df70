//! Read-mostly results kept for a short while, so a page that every visitor sees the same
//! (the home page's lists and counts) costs no query most of the time. Time comes from the
//! context's clock, so tests can move past the freshness window. The web layer keeps whole
//! public pages too (`web::page_cache`), keyed by [`Caches::public_version`], and built
//! sitemaps (`web::system::sitemaps`); all of them follow one [`Freshness`].

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime};

/// How long after its freshness a stale value is still served to others while one request
/// reads or renders it again (the `stale-while-revalidate` public pages carry).
pub const STALE_FOR: Duration = Duration::seconds(600);
/// How long that one request has before another one takes the refresh over.
pub const REFRESH_TAKES: Duration = Duration::seconds(10);

/// When a kept value is served: while fresh to everyone; once stale (up to [`STALE_FOR`]
/// more), to everyone but the first request to find it so, which gets nothing and reads or
/// renders it again. A burst of visitors at expiry costs one read, not one each.
#[derive(Clone, Copy, Debug)]
pub struct Freshness {
    pub fresh_for: Duration,
}

/// When a kept value was stored, and when a request found it stale and went to refresh it.
#[derive(Clone, Copy, Debug)]
pub struct Stamp {
    pub stored_at: NaiveDateTime,
    refreshing_since: Option<NaiveDateTime>,
}

impl Stamp {
    pub fn new(stored_at: NaiveDateTime) -> Self {
        Self {
            stored_at,
            refreshing_since: None,
        }
    }
}

impl Freshness {
    pub const fn new(fresh_for: Duration) -> Self {
        Self { fresh_for }
    }

    /// Whether the value stamped `stamp` is served at `now`. When it is not (stale and no
    /// one refreshing it, or the refresher took too long), the caller is the one to refresh
    /// it, and the stamp says so to the requests that follow.
    pub fn serves(&self, stamp: &mut Stamp, now: NaiveDateTime) -> bool {
        if stamp.stored_at > now {
            return false; // the clock went back
        }
        let age = now - stamp.stored_at;
        if age < self.fresh_for {
            return true;
        }
        let refreshing = stamp
            .refreshing_since
            .is_some_and(|t| t <= now && now - t < REFRESH_TAKES);
        if age < self.fresh_for + STALE_FOR && refreshing {
            return true;
        }
        stamp.refreshing_since = Some(now);
        false
    }
}

/// One cached value, when it was read and at which public-data version.
pub struct Cached<T> {
    slot: Mutex<Option<Slot<T>>>,
    freshness: Freshness,
}

impl<T> Cached<T> {
    pub fn new(fresh_for: Duration) -> Self {
        Self {
            slot: Mutex::new(None),
            freshness: Freshness::new(fresh_for),
        }
    }

    /// The value read at `version`, if its [`Freshness`] serves it at `now`.
    pub fn get(&self, now: NaiveDateTime, version: u64) -> Option<Arc<T>> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        slot.as_mut()
            .and_then(|slot| slot.served(&self.freshness, now, version))
    }

    /// Keeps `value` as read at `now` and `version`, and hands it back.
    pub fn put(&self, now: NaiveDateTime, version: u64, value: T) -> Arc<T> {
        let value = Arc::new(value);
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Slot::new(now, version, &value));
        value
    }
}

/// A kept value: when it was read, at which version, and the value.
struct Slot<T> {
    stamp: Stamp,
    version: u64,
    value: Arc<T>,
}

impl<T> Slot<T> {
    fn new(now: NaiveDateTime, version: u64, value: &Arc<T>) -> Self {
        Self {
            stamp: Stamp::new(now),
            version,
            value: value.clone(),
        }
    }

    fn served(
        &mut self,
        freshness: &Freshness,
        now: NaiveDateTime,
        version: u64,
    ) -> Option<Arc<T>> {
        (self.version == version && freshness.serves(&mut self.stamp, now))
            .then(|| self.value.clone())
    }
}

/// Kept values by key, and their keys oldest first.
struct Slots<T> {
    map: HashMap<String, Slot<T>>,
    order: VecDeque<String>,
}

/// Values by key, each like a [`Cached`], at most `capacity` of them (the oldest go first).
pub struct Keyed<T> {
    slots: Mutex<Slots<T>>,
    freshness: Freshness,
    capacity: usize,
}

impl<T> Keyed<T> {
    pub fn new(fresh_for: Duration, capacity: usize) -> Self {
        Self {
            slots: Mutex::new(Slots {
                map: HashMap::new(),
                order: VecDeque::new(),
            }),
            freshness: Freshness::new(fresh_for),
            capacity,
        }
    }

    /// The value for `key` read at `version`, if its [`Freshness`] serves it at `now`.
    pub fn get(&self, key: &str, now: NaiveDateTime, version: u64) -> Option<Arc<T>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .map
            .get_mut(key)
            .and_then(|slot| slot.served(&self.freshness, now, version))
    }

    /// Keeps `value` for `key` as read at `now` and `version`, and hands it back.
    pub fn put(&self, key: String, now: NaiveDateTime, version: u64, value: T) -> Arc<T> {
        let value = Arc::new(value);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let Slots { map, order } = &mut *slots;
        if map
            .insert(key.clone(), Slot::new(now, version, &value))
            .is_none()
        {
            order.push_back(key);
        }
        while map.len() > self.capacity {
            match order.pop_front() {
                Some(oldest) => map.remove(&oldest),
                None => break,
            };
        }
        value
    }
}

/// The caches a context holds.
pub struct Caches {
    /// The home page's overview: the same for every visitor, a minute at most behind.
    pub home: Cached<crate::app::home::Overview>,
    /// Catalog listings (cards and counts) by filter, order and page: the same for every
    /// viewer with the same order (a recommended order depends on levels and goal only).
    pub catalog: Keyed<crate::db::queries::scenarios::CatalogPage>,
    /// Each language's voices (seed data; a conversation page reads them on every view).
    pub speakers: Keyed<Vec<crate::db::models::Speaker>>,
    /// Public course listings by filter and page, the same for every viewer.
    pub courses: Keyed<crate::app::courses::Listing>,
    /// Published courses by share slug, as their page shows them.
    pub course: Keyed<crate::app::courses::Course>,
    /// Scenario titles by id, as a path's days name their scenarios.
    pub titles: Keyed<String>,
    /// Paths' plans, parsed, by path id; the version is the row's `updated_at` (in
    /// microseconds), which every write of a path's metadata sets.
    pub plans: Keyed<crate::app::paths::planner::Schedule>,
    /// Bumped after a use case changes what public pages show (a scenario written, saved
    /// or rated), so pages kept from before are not served again.
    public_version: AtomicU64,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            home: Cached::new(Duration::seconds(60)),
            catalog: Keyed::new(Duration::seconds(60), 2_000),
            speakers: Keyed::new(Duration::minutes(10), 128),
            courses: Keyed::new(Duration::seconds(60), 1_000),
            course: Keyed::new(Duration::seconds(60), 1_000),
            titles: Keyed::new(Duration::seconds(60), 20_000),
            plans: Keyed::new(Duration::minutes(10), 10_000),
            public_version: AtomicU64::new(0),
        }
    }
}

impl Caches {
    /// The version of public data now; a page rendered after reading it may be kept under it.
    pub fn public_version(&self) -> u64 {
        self.public_version.load(Ordering::Acquire)
    }

    /// Says that public pages changed (call after the transaction committed).
    pub fn public_changed(&self) {
        self.public_version.fetch_add(1, Ordering::AcqRel);
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
        assert!(cache.get(t, 0).is_none());
        cache.put(t, 0, 7);
        assert_eq!(cache.get(t + Duration::seconds(59), 0).as_deref(), Some(&7));
        assert!(cache.get(t + Duration::seconds(60), 0).is_none());
        assert!(cache.get(t, 1).is_none(), "public data changed");
        assert!(
            cache.get(t - Duration::seconds(1), 0).is_none(),
            "the clock went back"
        );
    }
    #[test]
    fn a_stale_value_is_served_to_all_but_the_one_request_refreshing_it() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let at = |s| t + Duration::seconds(s);
        let freshness = Freshness::new(Duration::seconds(60));
        let mut stamp = Stamp::new(t);
        assert!(freshness.serves(&mut stamp, at(59)));
        assert!(
            !freshness.serves(&mut stamp, at(60)),
            "the first finder refreshes"
        );
        assert!(freshness.serves(&mut stamp, at(60)));
        assert!(freshness.serves(&mut stamp, at(69)));
        assert!(
            !freshness.serves(&mut stamp, at(70)),
            "a refresh that never came is taken over"
        );
        assert!(freshness.serves(&mut stamp, at(71)));
        assert!(!freshness.serves(&mut stamp, at(-1)), "the clock went back");
        let mut old = Stamp::new(t);
        assert!(!freshness.serves(&mut old, at(660)));
        assert!(
            !freshness.serves(&mut old, at(661)),
            "past the stale window nothing old is served"
        );

        let cache = Cached::new(Duration::seconds(60));
        cache.put(t, 0, 7);
        assert!(cache.get(at(61), 0).is_none());
        assert_eq!(
            cache.get(at(62), 0).as_deref(),
            Some(&7),
            "others get the stale value"
        );
        assert!(
            cache.get(at(62), 1).is_none(),
            "never across a change of public data"
        );
    }

    #[test]
    fn keyed_values_are_bounded_oldest_first() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let cache = Keyed::new(Duration::seconds(60), 2);
        cache.put("a".into(), t, 0, 1);
        cache.put("b".into(), t, 0, 2);
        cache.put("a".into(), t, 0, 3);
        cache.put("c".into(), t, 0, 4);
        assert!(cache.get("a", t, 0).is_none(), "the oldest went first");
        assert_eq!(cache.get("b", t, 0).as_deref(), Some(&2));
        assert_eq!(cache.get("c", t, 0).as_deref(), Some(&4));
        assert!(cache.get("c", t, 1).is_none());
    }
}
