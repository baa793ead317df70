//! Where a learner stands on a path: which day is today, which are done, missed or still
//! ahead, and the streak. Pure: the dates come in, nothing is read.
//!
//! Day `n` is due on the start date plus `n - 1` days. A day is done when its conversation
//! was completed (`conversations.completion`), on whatever date that happened; a day whose
//! date has passed undone is missed and can still be caught up.

use chrono::NaiveDate;

use super::planner::DAYS;

/// How a day of the calendar stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayState {
    Done,
    /// Due today and not done yet.
    Today,
    /// Its date passed and it was not done.
    Missed,
    Upcoming,
}

impl DayState {
    pub fn as_str(self) -> &'static str {
        match self {
            DayState::Done => "done",
            DayState::Today => "today",
            DayState::Missed => "missed",
            DayState::Upcoming => "upcoming",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DayState::Done => "Done",
            DayState::Today => "Today",
            DayState::Missed => "Missed",
            DayState::Upcoming => "Upcoming",
        }
    }
}

/// The calendar of one path on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Days 1..=28 in order.
    pub states: Vec<DayState>,
    /// The day due on this date (1..=28), if the path runs today.
    pub today: Option<u8>,
    pub done: usize,
    /// Dates in a row, ending today (or yesterday, while today is still open), on which the
    /// learner completed a day of the path.
    pub streak: u32,
    /// The earliest missed day: what "catch up" starts.
    pub first_missed: Option<u8>,
    /// The day the path is at: today's day, or the last one once the path has run out.
    pub current_day: u8,
}

impl Calendar {
    pub fn state(&self, day: u8) -> DayState {
        self.states[usize::from(day.clamp(1, DAYS) - 1)]
    }

    /// Every day is done.
    pub fn finished(&self) -> bool {
        self.done == usize::from(DAYS)
    }
}

/// The calendar of a path started on `starts_on`, on `today`, with the days completed so
/// far and the date each was completed on.
pub fn calendar(starts_on: NaiveDate, today: NaiveDate, completed: &[(u8, NaiveDate)]) -> Calendar {
    let offset = (today - starts_on).num_days();
    let is_done = |day: u8| completed.iter().any(|(d, _)| *d == day);
    let states: Vec<DayState> = (1..=DAYS)
        .map(|day| {
            let due = i64::from(day) - 1;
            match (is_done(day), due.cmp(&offset)) {
                (true, _) => DayState::Done,
                (false, std::cmp::Ordering::Less) => DayState::Missed,
                (false, std::cmp::Ordering::Equal) => DayState::Today,
                (false, std::cmp::Ordering::Greater) => DayState::Upcoming,
            }
        })
        .collect();
    let today_day = (0..i64::from(DAYS))
        .contains(&offset)
        .then(|| offset as u8 + 1);
    let done = (1..=DAYS).filter(|d| is_done(*d)).count();
    let practised = |date: NaiveDate| completed.iter().any(|(_, on)| *on == date);
    let mut date = if practised(today) {
        today
    } else {
        today - chrono::Duration::days(1)
    };
    let mut streak = 0;
    while practised(date) {
        streak += 1;
        date -= chrono::Duration::days(1);
    }
    Calendar {
        first_missed: (1..=DAYS).find(|d| states[usize::from(*d) - 1] == DayState::Missed),
        current_day: match today_day {
            Some(d) => d,
            None if offset < 0 => 1,
            None => DAYS,
        },
        today: today_day,
        states,
        done,
        streak,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    #[test]
    fn the_first_day_is_today_on_the_start_date() {
        let c = calendar(date(1), date(1), &[]);
        assert_eq!(c.today, Some(1));
        assert_eq!(c.state(1), DayState::Today);
        assert_eq!(c.state(2), DayState::Upcoming);
        assert_eq!((c.done, c.streak, c.first_missed), (0, 0, None));
    }

    #[test]
    fn a_day_practised_moves_the_path_on_and_one_skipped_is_missed() {
        let c = calendar(date(1), date(2), &[(1, date(1))]);
        assert_eq!(c.state(1), DayState::Done);
        assert_eq!(c.today, Some(2));
        assert_eq!(
            (c.done, c.streak),
            (1, 1),
            "yesterday counts while today is open"
        );

        let c = calendar(date(1), date(4), &[(1, date(1))]);
        assert_eq!(c.state(2), DayState::Missed);
        assert_eq!(c.state(3), DayState::Missed);
        assert_eq!(c.first_missed, Some(2));
        assert_eq!(c.streak, 0, "a gap ends the streak");
    }

    #[test]
    fn catching_up_a_missed_day_counts_for_the_day_it_was_done() {
        let c = calendar(
            date(1),
            date(3),
            &[(1, date(1)), (2, date(3)), (3, date(3))],
        );
        assert_eq!(c.states[..3], [DayState::Done; 3]);
        assert_eq!((c.done, c.streak), (3, 1));
    }

    #[test]
    fn before_the_start_nothing_is_due_and_after_the_end_the_path_sits_on_day_28() {
        let early = calendar(date(5), date(4), &[]);
        assert_eq!((early.today, early.current_day), (None, 1));
        assert!(early.states.iter().all(|s| *s == DayState::Upcoming));
        let late = calendar(date(1), date(31), &[]);
        assert_eq!((late.today, late.current_day), (None, 28));
        assert_eq!(late.state(28), DayState::Missed);
        let all: Vec<(u8, NaiveDate)> = (1..=28).map(|d| (d, date(1))).collect();
        assert!(calendar(date(1), date(31), &all).finished());
    }
}
