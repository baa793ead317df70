//! Public pages kept rendered for a short while: the app acting as its own shared cache for
//! visitors who send no cookie at all (first visits, search engines, link previews).
//!
//! A public page ([`crate::web::visitor::PublicPage`]) already tells shared caches they may
//! keep it for a minute (`web::middleware::cache_validation`); this cache keeps it the same
//! minute in the process, so a burst of anonymous visitors costs one render. An entry is
//! dropped sooner when a use case changes what public pages show
//! ([`crate::app::cache::Caches::public_changed`]): a scenario written, saved or rated. Counts
//! that change on every conversation (attempts, completions) may be a minute behind, as
//! behind a CDN.
//!
//! Bounded by bytes (`KAIWA_PAGE_CACHE_MB`, 0 turns it off); when full, the oldest entries
//! go first.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{HeaderMap, COOKIE};
use actix_web::web::Bytes;
use chrono::{Duration, NaiveDateTime};

use crate::app::cache::{Freshness, Stamp};

/// How long an entry is served: the `max-age` public pages carry; a stale one is served a
/// while longer as [`Freshness`] says, while one request renders the page again.
const FRESHNESS: Freshness = Freshness::new(Duration::seconds(60));
/// Request headers a page may depend on besides its URL (htmx asks for fragments).
const VARY_ON: [&str; 4] = [
    "hx-request",
    "hx-target",
    "hx-boosted",
    "hx-history-restore-request",
];

/// One kept response: its headers, body and strong ETag.
#[derive(Clone)]
pub struct Entry {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub etag: String,
    stamp: Stamp,
    version: u64,
    /// Its place in [`Inner::order`].
    seq: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Keys with the `seq` they were stored at, oldest first (a replaced key's old place
    /// stays queued and is skipped).
    order: VecDeque<(String, u64)>,
    bytes: usize,
    next_seq: u64,
}

/// The cache, shared by every worker of a process.
pub struct PageCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

impl PageCache {
    /// A cache holding at most `capacity` bytes of pages (0: keeps nothing).
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            capacity,
        }
    }

    /// The key for `req`, when its answer may come from (and go to) this cache: a GET or
    /// HEAD that carries no cookie and no credentials.
    pub fn key(&self, req: &ServiceRequest) -> Option<String> {
        let eligible = self.capacity > 0
            && matches!(req.method().as_str(), "GET" | "HEAD")
            && !req.headers().contains_key(COOKIE)
            && !req.headers().contains_key("authorization");
        if !eligible {
            return None;
        }
        let mut key = String::with_capacity(96);
        for name in VARY_ON {
            if let Some(v) = req.headers().get(name).and_then(|v| v.to_str().ok()) {
                key.push_str(name);
                key.push('=');
                key.push_str(v);
            }
            key.push('|');
        }
        key.push_str(req.uri().path());
        if let Some(q) = req.uri().query() {
            key.push('?');
            key.push_str(q);
        }
        Some(key)
    }

    /// The entry kept for `key`, if it was stored at `version` and [`FRESHNESS`] serves it
    /// at `now` (the first request to find it stale gets `None` and renders the page again).
    pub fn get(&self, key: &str, now: NaiveDateTime, version: u64) -> Option<Entry> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let entry = inner
            .entries
            .get_mut(key)
            .filter(|e| e.version == version)?;
        FRESHNESS
            .serves(&mut entry.stamp, now)
            .then(|| entry.clone())
    }

    /// Keeps a response for `key`, rendered from data at `version`; the oldest entries make
    /// room. A response larger than a tenth of the cache is not kept.
    pub fn put(
        &self,
        key: String,
        version: u64,
        now: NaiveDateTime,
        headers: HeaderMap,
        body: Bytes,
        etag: String,
    ) {
        let size = key.len() + body.len();
        if size > self.capacity / 10 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let seq = inner.next_seq;
        inner.next_seq += 1;
        let entry = Entry {
            headers,
            body,
            etag,
            stamp: Stamp::new(now),
            version,
            seq,
        };
        if let Some(old) = inner.entries.insert(key.clone(), entry) {
            inner.bytes -= key.len() + old.body.len();
        }
        inner.bytes += size;
        inner.order.push_back((key, seq));
        while inner.bytes > self.capacity || inner.order.len() > 2 * inner.entries.len() + 64 {
            let Some((oldest, seq)) = inner.order.pop_front() else {
                break;
            };
            if inner.entries.get(&oldest).is_some_and(|e| e.seq == seq) {
                if let Some(old) = inner.entries.remove(&oldest) {
                    inner.bytes -= oldest.len() + old.body.len();
                }
            }
        }
    }

    /// Bytes held now (keys and bodies).
    pub fn bytes(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            + Duration::seconds(seconds)
    }

    fn put(cache: &PageCache, key: &str, version: u64, now: NaiveDateTime, body: &'static str) {
        cache.put(
            key.into(),
            version,
            now,
            HeaderMap::new(),
            Bytes::from_static(body.as_bytes()),
            "\"e\"".into(),
        );
    }

    #[test]
    fn only_cookieless_reads_have_a_key_and_fragments_have_their_own() {
        let cache = PageCache::new(1 << 20);
        let page = TestRequest::get()
            .uri("/scenarios?q=ramen")
            .to_srv_request();
        let fragment = TestRequest::get()
            .uri("/scenarios?q=ramen")
            .insert_header(("HX-Request", "true"))
            .to_srv_request();
        let with_cookie = TestRequest::get()
            .uri("/scenarios?q=ramen")
            .insert_header(("Cookie", "kaiwa_guest=x"))
            .to_srv_request();
        let post = TestRequest::post().uri("/scenarios").to_srv_request();
        let page_key = cache.key(&page).unwrap();
        assert!(page_key.ends_with("/scenarios?q=ramen"));
        assert_ne!(Some(page_key), cache.key(&fragment));
        assert_eq!(cache.key(&with_cookie), None);
        assert_eq!(cache.key(&post), None);
        assert_eq!(PageCache::new(0).key(&page), None, "0 turns it off");
    }

    #[test]
    fn an_entry_is_served_while_fresh_and_at_its_version() {
        let cache = PageCache::new(1 << 20);
        put(&cache, "k", 3, at(0), "page");
        assert_eq!(&cache.get("k", at(59), 3).unwrap().body[..], b"page");
        assert!(cache.get("k", at(60), 3).is_none(), "a minute old");
        assert!(cache.get("k", at(1), 4).is_none(), "public data changed");
        assert!(cache.get("k", at(-1), 3).is_none(), "the clock went back");
    }

    #[test]
    fn a_stale_entry_is_served_to_others_while_one_request_renders_it_again() {
        let cache = PageCache::new(1 << 20);
        put(&cache, "k", 3, at(0), "old");
        assert!(
            cache.get("k", at(61), 3).is_none(),
            "the first finder renders"
        );
        for later in [61, 62, 70] {
            let served = cache
                .get("k", at(later), 3)
                .expect("the others get the stale page");
            assert_eq!(&served.body[..], b"old");
        }
        assert!(
            cache.get("k", at(71), 3).is_none(),
            "a render that never came is taken over"
        );
        assert!(cache.get("k", at(72), 3).is_some());
        assert!(
            cache.get("k", at(62), 4).is_none(),
            "never across a change of public data"
        );
        put(&cache, "k", 3, at(72), "new");
        assert_eq!(&cache.get("k", at(73), 3).unwrap().body[..], b"new");
        put(&cache, "s", 3, at(0), "older");
        assert!(cache.get("s", at(700), 3).is_none());
        assert!(
            cache.get("s", at(701), 3).is_none(),
            "past the stale window nothing old is served"
        );
    }

    #[test]
    fn the_oldest_entries_make_room_and_bytes_stay_bounded() {
        let cache = PageCache::new(60);
        put(&cache, "a", 0, at(0), "01234");
        put(&cache, "b", 0, at(0), "01234");
        put(&cache, "a", 0, at(0), "01234");
        for key in ["c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"] {
            put(&cache, key, 0, at(0), "01234");
        }
        assert!(cache.bytes() <= 60);
        assert!(cache.get("b", at(1), 0).is_none(), "the oldest went first");
        assert!(cache.get("m", at(1), 0).is_some());
        put(
            &cache,
            "big",
            0,
            at(0),
            "a page larger than a tenth of the cache",
        );
        assert!(cache.get("big", at(1), 0).is_none());
    }
}
