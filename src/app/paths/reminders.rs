//! Daily path reminders: the learner turns them on for an active path and picks a local
//! time ([`set_reminders`]); every 15 minutes [`send_reminders`] emails each learner whose
//! local time has passed that hour, who has not practised today and was not reminded in the
//! last 20 hours, "Day n of 28: theme" with a one-click unsubscribe link ([`unsubscribe`]).
//!
//! The choice of who is due is pure ([`is_due`]); the check-then-write for one assignment
//! runs under its `path_assignment` lock inside a write transaction, so however many workers
//! run the job at once, one email goes out. Unsubscribe links are signed (HMAC-SHA256 with the
//! session secret) and name the assignment, so they work without signing in; nothing is
//! stored for them, and a new session secret retires every old link.

use chrono::{Duration, NaiveDateTime, NaiveTime};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::calendar::DayState;
use super::planner::DAYS;
use super::progress::{assigned, schedule_of, standing};
use super::PathError;
use crate::app::accounts::time_zone::{local, zone};
use crate::app::jobs::Job;
use crate::app::{mail, Ctx};
use crate::db::conn::write_transaction;
use crate::db::models::{LearningPathAssignment, LearningPathAssignmentChanges, User};
use crate::db::types::{AssignmentStatus, Json};
use crate::db::{lock, queries, DbConn};

/// The local time reminders go out when the learner has not chosen one.
pub const DEFAULT_TIME: &str = "08:00";
/// The least time between two reminders for one path.
pub const SPACING: Duration = Duration::hours(20);

/// What the reminder form asks for: on or off, and the local time ("HH:MM").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub enabled: bool,
    pub time: NaiveTime,
}

impl Reminder {
    /// Reads the form's values; `Invalid` says which one is wrong.
    pub fn parse(enabled: &str, time: &str) -> Result<Self, PathError> {
        let enabled = match enabled.trim() {
            "on" => true,
            "off" => false,
            _ => {
                return Err(PathError::Invalid(
                    "Choose whether reminders are on or off.".into(),
                ))
            }
        };
        let time = parse_time(time.trim()).ok_or_else(|| {
            PathError::Invalid("Give the reminder time as HH:MM, such as 08:00 or 19:30.".into())
        })?;
        Ok(Self { enabled, time })
    }
}

/// "HH:MM" (24-hour) as a time; `None` for anything else.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// The local time `assignment`'s reminders go out at.
pub fn reminder_time(assignment: &LearningPathAssignment) -> NaiveTime {
    assignment
        .metadata
        .0
        .custom_start_time
        .as_deref()
        .and_then(parse_time)
        .or_else(|| parse_time(DEFAULT_TIME))
        .unwrap_or_default()
}

/// What the dashboard's reminder panel shows.
#[derive(Debug, Clone)]
pub struct ReminderPanel {
    pub path_id: String,
    pub enabled: bool,
    /// "HH:MM".
    pub time: String,
    pub time_zone: String,
    /// Only an active path can have reminders turned on.
    pub active: bool,
}

impl ReminderPanel {
    pub fn of(path_id: &str, assignment: &LearningPathAssignment, time_zone: &str) -> Self {
        Self {
            path_id: path_id.to_owned(),
            enabled: assignment.email_reminders_enabled,
            time: reminder_time(assignment).format("%H:%M").to_string(),
            time_zone: time_zone.to_owned(),
            active: assignment.status == AssignmentStatus::Active,
        }
    }
}

/// Turns `user`'s reminders for path `path_id` on or off at `reminder.time` (their local
/// time); `NotFound` for anyone else's path, `Invalid` when turning them on for a path that
/// is no longer active.
pub async fn set_reminders(
    ctx: &Ctx,
    user: User,
    path_id: String,
    reminder: Reminder,
) -> Result<ReminderPanel, PathError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                let (path, assignment) = assigned(c, &path_id, &user)?;
                lock::key(c, "path_assignment", &assignment.id)?;
                if reminder.enabled && assignment.status != AssignmentStatus::Active {
                    return Err(PathError::Invalid("This path is no longer active.".into()));
                }
                let mut meta = assignment.metadata.0.clone();
                meta.custom_start_time = Some(reminder.time.format("%H:%M").to_string());
                let changes = LearningPathAssignmentChanges {
                    email_reminders_enabled: Some(reminder.enabled),
                    metadata: Some(Json(meta.clone())),
                    updated_at: Some(now),
                    ..Default::default()
                };
                queries::paths::update_assignment(c, &assignment.id, changes)?;
                let saved = LearningPathAssignment {
                    email_reminders_enabled: reminder.enabled,
                    metadata: Json(meta),
                    ..assignment
                };
                Ok(ReminderPanel::of(&path.id, &saved, &user.time_zone))
            })
        })
        .await
}

/// Whether a reminder is due at `now` (UTC) for a learner whose wall clock reads `local_now`,
/// who chose `at`, and was last reminded at `last_sent` (UTC): the hour has come today, no
/// reminder went out on this local date, and the last one is at least [`SPACING`] old.
pub fn is_due(
    now: NaiveDateTime,
    local_now: NaiveDateTime,
    at: NaiveTime,
    last_sent_local: Option<NaiveDateTime>,
    last_sent: Option<NaiveDateTime>,
) -> bool {
    let hour_came = local_now.time() >= at;
    let not_today = last_sent_local.is_none_or(|t| t.date() != local_now.date());
    let spaced = last_sent.is_none_or(|t| now - t >= SPACING);
    hour_came && not_today && spaced
}

/// The periodic job that sends the reminders due now.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct SendPathReminders {}

impl Job for SendPathReminders {
    const KIND: &'static str = "send_path_reminders";
    const MAX_ATTEMPTS: i32 = 3;

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }
}

/// Queues a reminder for every active path whose learner is due one now; returns how many
/// were queued. Safe to run many times at once: each assignment is decided under its lock.
pub async fn send_reminders(ctx: &Ctx) -> Result<usize, PathError> {
    let now = ctx.clock.naive();
    let candidates = ctx
        .db
        .read(move |c| queries::path_reminders::list_candidates(c, now - SPACING))
        .await?;
    let due: Vec<String> = candidates
        .into_iter()
        .filter(|(a, tz)| due_now(a, tz, now))
        .map(|(a, _)| a.id)
        .collect();
    let mut sent = 0;
    for id in due {
        let (base, secret) = (
            ctx.settings.base_url.clone(),
            ctx.settings.session_secret.expose().to_owned(),
        );
        let queued = ctx
            .db
            .run(move |c| write_transaction(c, |c| remind(c, &id, now, &base, &secret)))
            .await?;
        sent += usize::from(queued);
    }
    if sent > 0 {
        ctx.jobs.notify();
    }
    Ok(sent)
}

fn due_now(a: &LearningPathAssignment, time_zone: &str, now: NaiveDateTime) -> bool {
    let tz = zone(time_zone);
    is_due(
        now,
        local(tz, now),
        reminder_time(a),
        a.last_email_sent_at.map(|t| local(tz, t)),
        a.last_email_sent_at,
    )
}

/// Checks assignment `id` again under its lock and, when a reminder is still due and the
/// learner has not practised today, queues the email and records it sent.
fn remind(
    c: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
    base_url: &str,
    secret: &str,
) -> Result<bool, PathError> {
    lock::key(c, "path_assignment", id)?;
    let Some((path, assignment, user)) = queries::path_reminders::find_with_learner(c, id)? else {
        return Ok(false);
    };
    let active = assignment.status == AssignmentStatus::Active;
    if !active || !assignment.email_reminders_enabled || !due_now(&assignment, &user.time_zone, now)
    {
        return Ok(false);
    }
    let standing = standing(c, &assignment, now, zone(&user.time_zone))?;
    let Some(n) = standing.calendar.today else {
        return Ok(false);
    };
    if standing.practised_today || standing.calendar.state(n) == DayState::Done {
        return Ok(false);
    }
    let schedule = schedule_of(&path)?;
    let day = schedule.day(n).ok_or(PathError::NotFound)?;
    let unsubscribe = format!("{base_url}/unsubscribe/{}", sign(secret, &assignment.id));
    let mut body = format!(
        "Day {n} of {DAYS} of “{}”: {}.\n\nToday you'll practise:\n",
        path.title, day.theme
    );
    for o in &day.objectives {
        body.push_str(&format!("- {o}\n"));
    }
    body.push_str(&format!(
        "\nStart today's conversation: {base_url}/paths/{}\n\n\
         You get this email because you turned on daily reminders for this path.\n\
         Stop them with one click: {unsubscribe}\n",
        path.id
    ));
    let email = mail::Email {
        to: user.email.clone(),
        user_id: Some(user.id.clone()),
        subject: format!("Day {n} of {DAYS}: {}", day.theme),
        body,
        list_unsubscribe: Some(unsubscribe),
    };
    mail::queue(c, email, now)?;
    let changes = LearningPathAssignmentChanges {
        last_email_sent_at: Some(Some(now)),
        ..Default::default()
    };
    queries::paths::update_assignment(c, &assignment.id, changes)?;
    Ok(true)
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, assignment_id: &str) -> HmacSha256 {
    // why: HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(b"kaiwa path reminders unsubscribe\x1f");
    mac.update(assignment_id.as_bytes());
    mac
}

/// The unsubscribe token of an assignment: its id and a MAC of it.
pub fn sign(secret: &str, assignment_id: &str) -> String {
    let tag = hex::encode(mac(secret, assignment_id).finalize().into_bytes());
    format!("{assignment_id}.{tag}")
}

/// The assignment an unsubscribe token names, when its MAC is right.
pub fn verify(secret: &str, token: &str) -> Option<String> {
    let (id, tag) = token.rsplit_once('.')?;
    let tag = hex::decode(tag).ok()?;
    mac(secret, id).verify_slice(&tag).ok()?;
    Some(id.to_owned())
}

/// What an unsubscribe link is for.
pub struct Unsubscribe {
    pub path_title: String,
    pub enabled: bool,
}

/// The path an unsubscribe link is for (nothing changes); `NotFound` for a bad link.
pub async fn unsubscribe_target(ctx: &Ctx, token: String) -> Result<Unsubscribe, PathError> {
    let id = verify(ctx.settings.session_secret.expose(), &token).ok_or(PathError::NotFound)?;
    let found = ctx
        .db
        .read(move |c| queries::path_reminders::find_with_learner(c, &id))
        .await?;
    let (path, assignment, _) = found.ok_or(PathError::NotFound)?;
    Ok(Unsubscribe {
        path_title: path.title,
        enabled: assignment.email_reminders_enabled,
    })
}

/// Turns off the reminders an unsubscribe link names (one click, no sign-in); `NotFound`
/// for a bad link. Repeating it changes nothing more.
pub async fn unsubscribe(ctx: &Ctx, token: String) -> Result<Unsubscribe, PathError> {
    let id = verify(ctx.settings.session_secret.expose(), &token).ok_or(PathError::NotFound)?;
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "path_assignment", &id)?;
                let found = queries::path_reminders::find_with_learner(c, &id)?;
                let (path, assignment, _) = found.ok_or(PathError::NotFound)?;
                if assignment.email_reminders_enabled {
                    let changes = LearningPathAssignmentChanges {
                        email_reminders_enabled: Some(false),
                        updated_at: Some(now),
                        ..Default::default()
                    };
                    queries::paths::update_assignment(c, &assignment.id, changes)?;
                }
                Ok(Unsubscribe {
                    path_title: path.title,
                    enabled: false,
                })
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn eight() -> NaiveTime {
        NaiveTime::from_hms_opt(8, 0, 0).unwrap()
    }

    #[test]
    fn a_reminder_is_due_once_the_local_hour_has_come() {
        let now = t("2026-12-01 23:00");
        assert!(!is_due(now, t("2026-12-02 07:59"), eight(), None, None));
        assert!(is_due(now, t("2026-12-02 08:00"), eight(), None, None));
        assert!(is_due(now, t("2026-12-02 21:00"), eight(), None, None));
    }

    #[test]
    fn one_reminder_a_local_day_and_never_two_within_twenty_hours() {
        let now = t("2026-12-02 12:00");
        let sent = Some(t("2026-12-02 08:00"));
        assert!(!is_due(now, now, eight(), sent, sent), "already today");
        let next = t("2026-12-03 08:00");
        assert!(is_due(next, next, eight(), sent, sent), "24 h later");
        let late = t("2026-12-01 23:59");
        let early = t("2026-12-02 08:00");
        assert!(
            !is_due(early, early, eight(), Some(late), Some(late)),
            "8 h after a late one"
        );
    }

    #[test]
    fn the_form_takes_on_or_off_and_a_24_hour_time() {
        assert_eq!(
            Reminder::parse("on", "19:30").unwrap(),
            Reminder {
                enabled: true,
                time: NaiveTime::from_hms_opt(19, 30, 0).unwrap()
            }
        );
        assert!(!Reminder::parse("off", "00:00").unwrap().enabled);
        for (e, time) in [
            ("yes", "08:00"),
            ("on", "8:00"),
            ("on", "24:00"),
            ("on", "08:60"),
            ("on", ""),
        ] {
            assert!(Reminder::parse(e, time).is_err(), "{e} {time}");
        }
    }

    #[test]
    fn unsubscribe_tokens_name_their_assignment_and_cannot_be_forged() {
        let token = sign("secret-one", "a-1");
        assert_eq!(verify("secret-one", &token).as_deref(), Some("a-1"));
        assert_eq!(verify("secret-two", &token), None);
        let forged = token.replace("a-1.", "a-2.");
        assert_eq!(verify("secret-one", &forged), None);
        assert_eq!(verify("secret-one", "a-1"), None);
        assert_eq!(verify("secret-one", "a-1.zz"), None);
    }
}
