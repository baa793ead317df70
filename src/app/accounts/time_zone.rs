//! Learners' time zones: IANA names checked against the tz database (`chrono-tz`), local
//! dates and times of stored UTC instants, and the use cases that set a learner's zone (from
//! the settings page, or once from the browser during onboarding). Reminders and the path
//! calendar read a learner's day through [`local`]; nothing here sends anything.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::AccountError;
use crate::app::Ctx;
use crate::db::models::{User, UserChanges};
use crate::db::queries;

/// The zone of a learner who has not said otherwise (and of a browser without JS).
pub const DEFAULT: &str = "UTC";

/// The zone named `name` (an IANA name such as `Asia/Tokyo`), if the tz database knows it.
pub fn parse(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

/// The zone a stored name stands for; UTC for a name the tz database no longer knows.
pub fn zone(name: &str) -> Tz {
    parse(name).unwrap_or(Tz::UTC)
}

/// The name to store for what a browser sent: its zone when known, else UTC.
pub fn from_browser(name: &str) -> String {
    parse(name).map_or_else(|| DEFAULT.to_owned(), |tz| tz.name().to_owned())
}

/// The wall-clock date and time in `tz` of the UTC instant `utc`.
pub fn local(tz: Tz, utc: NaiveDateTime) -> NaiveDateTime {
    tz.from_utc_datetime(&utc).naive_local()
}

/// The UTC instant of the wall-clock time `local` in `tz` (the earlier one when the clocks
/// go back; an hour later when it falls in the gap as they go forward).
pub fn utc_of(tz: Tz, local: NaiveDateTime) -> NaiveDateTime {
    use chrono::offset::LocalResult;
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.naive_utc(),
        LocalResult::None => utc_of(tz, local + chrono::Duration::hours(1)),
    }
}

/// The zones the settings page offers: the canonical region/city names, and UTC.
pub fn choices() -> Vec<&'static str> {
    const REGIONS: &[&str] = &[
        "Africa/",
        "America/",
        "Antarctica/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    ];
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| REGIONS.iter().any(|r| n.starts_with(r)))
        .collect();
    names.push(DEFAULT);
    names.sort_unstable();
    names
}

/// Sets `user`'s zone to `name`; `Invalid` (shown as is) when it is not an IANA zone.
pub async fn set(ctx: &Ctx, user: User, name: String) -> Result<String, AccountError> {
    let tz = parse(&name).ok_or_else(|| {
        AccountError::Invalid(format!(
            "“{}” is not a time zone we know. Choose one from the list, such as Europe/Paris \
             or America/New_York.",
            name.trim().chars().take(60).collect::<String>()
        ))
    })?;
    let now = ctx.clock.naive();
    let stored = tz.name().to_owned();
    let changes = UserChanges {
        time_zone: Some(stored.clone()),
        ..Default::default()
    };
    ctx.db
        .write(move |c| -> Result<(), AccountError> {
            Ok(queries::users::update(c, &user.id, changes, now)?)
        })
        .await?;
    Ok(stored)
}

/// Stores the browser's zone for `user_id` while their zone is still the default, so a zone
/// the learner chose in settings is never overwritten; an unknown name changes nothing.
pub fn fill_from_browser(
    conn: &mut crate::db::DbConn,
    user_id: &str,
    name: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    match parse(name) {
        Some(tz) if tz.name() != DEFAULT => {
            queries::users::update_time_zone_if_default(conn, user_id, tz.name(), DEFAULT, now)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_against_the_tz_database() {
        assert_eq!(parse("Asia/Tokyo").map(|t| t.name()), Some("Asia/Tokyo"));
        assert!(parse("Mars/Olympus_Mons").is_none());
        assert!(parse("").is_none());
        assert_eq!(from_browser("America/New_York"), "America/New_York");
        assert_eq!(from_browser("<script>"), "UTC");
        assert_eq!(zone("Nowhere"), Tz::UTC);
    }

    #[test]
    fn local_times_follow_the_zone_and_its_daylight_saving() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let tokyo = zone("Asia/Tokyo");
        assert_eq!(local(tokyo, t("2026-12-01 23:30")), t("2026-12-02 08:30"));
        let ny = zone("America/New_York");
        assert_eq!(local(ny, t("2026-12-01 13:00")), t("2026-12-01 08:00"));
        assert_eq!(
            local(ny, t("2026-07-01 12:00")),
            t("2026-07-01 08:00"),
            "EDT"
        );
    }

    #[test]
    fn the_settings_list_holds_canonical_names_and_utc() {
        let names = choices();
        assert!(names.contains(&"Asia/Tokyo"));
        assert!(names.contains(&"UTC"));
        assert!(!names.contains(&"US/Eastern"), "aliases are left out");
        assert!(names.windows(2).all(|w| w[0] < w[1]));
    }
}
