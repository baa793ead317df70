//! The arithmetic of a month's conversation time (pure): what is left, reserving a
//! session's allowed length, settling what was used, and carrying unused time over.
//!
//! A month holds two pots: the month's own grant (`granted`, spent as `used`) and time
//! banked from the month before (`banked`, spent as `banked_used`). Open sessions hold time
//! (`reserved`) until they are settled. Banked time is spent first and lives one month
//! only: at the period change only the unspent part of the closing month's own grant
//! carries over, up to the tier's cap. So time is never created from nothing: over any run
//! of months, everything spent is at most everything granted.
//!
//! Plan changes mid-month, as designed: an upgrade raises the month's grant to the new
//! tier's at once (`regrant`); a downgrade keeps what the month already granted until it
//! ends (it was paid for), while session length and extensions follow the current tier at
//! once. Banking at the period change follows the tier held at that moment.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// The least time worth starting a session with, in seconds.
pub const MIN_START_SECONDS: i32 = 60;

/// One month's meter (the numbers of a `user_usage` row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Meter {
    pub granted: i32,
    pub used: i32,
    pub banked: i32,
    pub banked_used: i32,
    pub reserved: i32,
}

/// How a reservation went: the seconds held, or why none could be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserve {
    Held(i32),
    /// Less than the least worth holding is left (the seconds left).
    NotEnough(i32),
}

impl Meter {
    /// A new month: the tier's grant and what `previous` (the month just before, if any)
    /// carries over under `bank_cap` (`None`: the tier does not bank).
    pub fn open(grant: i32, previous: Option<&Meter>, bank_cap: Option<i32>) -> Meter {
        let banked = match (previous, bank_cap) {
            (Some(p), Some(cap)) => p.unspent_grant().min(cap.max(0)),
            _ => 0,
        };
        Meter {
            granted: grant.max(0),
            banked,
            ..Meter::default()
        }
    }

    /// The part of the month's own grant neither spent nor held.
    fn unspent_grant(&self) -> i32 {
        // why: held time may still be spent; what it would take from the bank is already
        // counted as the bank's, so only what the bank cannot cover is charged here.
        let bank_left = (self.banked - self.banked_used).max(0);
        let held_from_grant = (self.reserved - bank_left).max(0);
        (self.granted - self.used - held_from_grant).max(0)
    }

    /// Seconds still free to reserve this month.
    pub fn left(&self) -> i32 {
        (self.granted - self.used + self.banked - self.banked_used - self.reserved).max(0)
    }

    /// Banked seconds not yet spent.
    pub fn banked_left(&self) -> i32 {
        (self.banked - self.banked_used).max(0)
    }

    /// Holds up to `want` seconds (a session's allowed length, or an extension), as long
    /// as at least `least` are free.
    pub fn reserve(&mut self, want: i32, least: i32) -> Reserve {
        let left = self.left();
        if left < least.max(1) || want <= 0 {
            return Reserve::NotEnough(left);
        }
        let hold = want.min(left);
        self.reserved += hold;
        Reserve::Held(hold)
    }

    /// Settles a session that held `hold` seconds and was measured at `measured`: at most
    /// the hold is spent, banked time first; the rest of the hold is released.
    pub fn settle(&mut self, hold: i32, measured: i32) -> i32 {
        let hold = hold.clamp(0, self.reserved);
        let spent = measured.clamp(0, hold);
        let from_bank = spent.min(self.banked_left());
        self.banked_used += from_bank;
        self.used += spent - from_bank;
        self.reserved -= hold;
        spent
    }

    /// An upgrade mid-month: the month grants at least the new tier's allowance.
    pub fn regrant(&mut self, grant: i32) {
        self.granted = self.granted.max(grant);
    }
}

/// The usage month `at` falls in (UTC): `2026-12`.
pub fn period_of(at: NaiveDateTime) -> String {
    format!("{:04}-{:02}", at.year(), at.month())
}

/// The month before `period` (`2027-01` → `2026-12`); `None` for text that is no month.
pub fn previous_period(period: &str) -> Option<String> {
    let first = NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").ok()?;
    let before = first.pred_opt()?;
    Some(format!("{:04}-{:02}", before.year(), before.month()))
}

/// When the month `at` falls in ends (the first moment of the next month, UTC).
pub fn period_end(at: NaiveDateTime) -> NaiveDateTime {
    let (y, m) = if at.month() == 12 {
        (at.year() + 1, 1)
    } else {
        (at.year(), at.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(at)
}

/// The longest gap between two of the learner's actions that counts as practice time:
/// longer pauses count as this much (the learner stepped away).
pub const ACTIVE_GAP_SECONDS: i64 = 120;

/// Active seconds from `last` to `until`: the gap, capped at [`ACTIVE_GAP_SECONDS`].
pub fn active_gap(last: NaiveDateTime, until: NaiveDateTime) -> i32 {
    let gap = (until - last).num_seconds().clamp(0, ACTIVE_GAP_SECONDS);
    i32::try_from(gap).unwrap_or(0)
}

/// A realtime call's seconds as the server measured them: from its start to its end (the
/// hang-up), or to `until` when it has not ended (or ended later); none without a call.
pub fn call_seconds(
    started: Option<NaiveDateTime>,
    ended: Option<NaiveDateTime>,
    until: NaiveDateTime,
) -> i32 {
    let Some(started) = started else { return 0 };
    let end = ended.map_or(until, |e| e.min(until));
    i32::try_from((end - started).num_seconds().max(0)).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    const FREE: i32 = 900;
    const PLUS: i32 = 36_000;
    const PLUS_CAP: i32 = 18_000;

    #[test]
    fn a_call_counts_from_its_start_to_its_hang_up_or_the_end() {
        let t = |s: i64| NaiveDateTime::default() + chrono::Duration::seconds(s);
        assert_eq!(call_seconds(None, None, t(900)), 0);
        assert_eq!(call_seconds(Some(t(10)), Some(t(130)), t(900)), 120);
        assert_eq!(call_seconds(Some(t(10)), None, t(900)), 890);
        assert_eq!(call_seconds(Some(t(10)), Some(t(2000)), t(900)), 890);
        assert_eq!(call_seconds(Some(t(50)), Some(t(20)), t(900)), 0);
    }

    #[test]
    fn a_free_month_holds_three_full_sessions_and_a_short_one() {
        let mut m = Meter::open(FREE, None, None);
        let holds: Vec<Reserve> = (0..5).map(|_| m.reserve(240, MIN_START_SECONDS)).collect();
        assert_eq!(
            holds,
            [
                Reserve::Held(240),
                Reserve::Held(240),
                Reserve::Held(240),
                Reserve::Held(180),
                Reserve::NotEnough(0)
            ]
        );
        assert_eq!(m.reserved, 900);
    }

    #[test]
    fn settling_spends_at_most_the_hold_and_releases_the_rest() {
        let mut m = Meter::open(FREE, None, None);
        assert_eq!(m.reserve(240, 60), Reserve::Held(240));
        assert_eq!(m.settle(240, 100), 100);
        assert_eq!((m.used, m.reserved, m.left()), (100, 0, 800));
        assert_eq!(m.reserve(240, 60), Reserve::Held(240));
        assert_eq!(m.settle(240, 9_999), 240, "never more than held");
        assert_eq!(m.left(), 560);
    }

    #[test]
    fn banked_time_is_spent_first_and_lives_one_month() {
        let mut nov = Meter::open(PLUS, None, Some(PLUS_CAP));
        nov.reserve(900, 60);
        nov.settle(900, 600);
        let mut dec = Meter::open(PLUS, Some(&nov), Some(PLUS_CAP));
        assert_eq!(dec.banked, PLUS_CAP, "35,400 unused, capped at 5 h");
        dec.reserve(900, 60);
        dec.settle(900, 900);
        assert_eq!((dec.banked_used, dec.used), (900, 0), "the bank pays first");
        let jan = Meter::open(PLUS, Some(&dec), Some(PLUS_CAP));
        assert_eq!(
            jan.banked, PLUS_CAP,
            "December's own grant is untouched; its leftover bank is gone"
        );
        let free_again = Meter::open(FREE, Some(&dec), None);
        assert_eq!(
            free_again.banked, 0,
            "a tier without banking carries nothing"
        );
    }

    #[test]
    fn an_open_session_at_the_period_change_is_not_banked_twice() {
        let mut nov = Meter::open(PLUS, None, Some(PLUS_CAP));
        nov.used = PLUS - 600;
        nov.reserve(900, 60);
        let dec = Meter::open(PLUS, Some(&nov), Some(PLUS_CAP));
        assert_eq!(dec.banked, 0, "the 600 left are held by the open session");
    }

    #[test]
    fn an_upgrade_raises_the_grant_and_a_downgrade_keeps_it() {
        let mut m = Meter::open(FREE, None, None);
        m.reserve(240, 60);
        m.settle(240, 240);
        m.regrant(PLUS);
        assert_eq!(m.left(), PLUS - 240);
        m.regrant(FREE);
        assert_eq!(m.granted, PLUS);
    }

    #[test]
    fn periods_are_calendar_months() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(period_of(at("2026-12-31 23:59:59")), "2026-12");
        assert_eq!(previous_period("2027-01").as_deref(), Some("2026-12"));
        assert_eq!(previous_period("2026-03").as_deref(), Some("2026-02"));
        assert_eq!(previous_period("nonsense"), None);
        assert_eq!(
            period_end(at("2026-12-15 10:00:00")),
            at("2027-01-01 00:00:00")
        );
        assert_eq!(
            active_gap(at("2026-12-01 10:00:00"), at("2026-12-01 10:00:30")),
            30
        );
        assert_eq!(
            active_gap(at("2026-12-01 10:00:00"), at("2026-12-01 11:00:00")),
            120
        );
        assert_eq!(
            active_gap(at("2026-12-01 10:00:00"), at("2026-12-01 09:00:00")),
            0
        );
    }

    /// Random months of random plans, sessions, extensions and settlements: no pot is ever
    /// negative or above its grant, the bank never above its cap, and across every run of
    /// months nothing is spent that was not granted.
    #[test]
    fn no_sequence_of_months_creates_time_from_nothing() {
        let mut rng = StdRng::seed_from_u64(16);
        for _ in 0..300 {
            let mut previous: Option<Meter> = None;
            let (mut granted_total, mut spent_total) = (0i64, 0i64);
            for _month in 0..12 {
                let (grant, cap) = match rng.gen_range(0..3) {
                    0 => (FREE, None),
                    1 => (PLUS, Some(PLUS_CAP)),
                    _ => (PLUS, Some(36_000)),
                };
                let mut m = Meter::open(grant, previous.as_ref(), cap);
                assert!(m.banked <= cap.unwrap_or(0));
                let mut open: Vec<(i32, i32)> = Vec::new();
                for _ in 0..rng.gen_range(0..40) {
                    match rng.gen_range(0..4) {
                        0 | 1 => {
                            if let Reserve::Held(h) = m.reserve(rng.gen_range(1..2_000), 60) {
                                open.push((h, rng.gen_range(0..3_000)));
                            }
                        }
                        2 if !open.is_empty() => {
                            let (h, measured) = open.swap_remove(0);
                            let spent = m.settle(h, measured);
                            assert!(spent <= h && spent >= 0);
                            spent_total += i64::from(spent);
                        }
                        _ => {
                            if rng.gen_bool(0.1) {
                                m.regrant(PLUS);
                            }
                        }
                    }
                    for v in [
                        m.granted,
                        m.used,
                        m.banked,
                        m.banked_used,
                        m.reserved,
                        m.left(),
                    ] {
                        assert!(v >= 0, "{m:?}");
                    }
                    assert!(m.used <= m.granted && m.banked_used <= m.banked, "{m:?}");
                    assert!(m.used + m.banked_used + m.reserved <= m.granted + m.banked);
                }
                // The next month may open while sessions are still held (they settle into
                // their own month afterwards) or after they settled.
                let before_settling = m;
                for (h, measured) in open.drain(..) {
                    spent_total += i64::from(m.settle(h, measured));
                }
                granted_total += i64::from(m.granted);
                assert!(
                    spent_total <= granted_total,
                    "spent {spent_total} of {granted_total}"
                );
                previous = Some(if rng.gen_bool(0.5) {
                    before_settling
                } else {
                    m
                });
            }
        }
    }
}
