//! A committed path as the learner follows it: the dashboard (calendar, today's lesson,
//! streak, minutes), starting a day's conversation, the list of paths, and archiving.
//!
//! A day that links no catalog scenario plays the one generated for it
//! ([`super::generation`]), or, started before that is ready, one adapted at once.

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use super::calendar::{self, Calendar, DayState};
use super::planner::{Day, ScenarioLink, Schedule};
use super::{generation, PathError};
use crate::app::accounts::time_zone::{local, zone};
use crate::app::conversations::{self, Start};
use crate::app::Ctx;
use crate::db::conn::write_transaction;
use crate::db::json::PathDayRecord;
use crate::db::models::{
    Conversation, LearningPath, LearningPathAssignment, LearningPathAssignmentChanges, PathHeading,
    ScenarioGenerationJobChanges, User,
};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{AssignmentStatus, GenerationStatus, Json, Visibility};
use crate::db::{lock, DbConn};

/// A path's dashboard.
pub struct Dashboard {
    pub path: PathHeading,
    pub assignment: LearningPathAssignment,
    /// The plan, shared with the copy kept for the path's version.
    pub schedule: std::sync::Arc<Schedule>,
    pub calendar: Calendar,
    /// Minutes spent in the path's conversations.
    pub minutes: i64,
    /// The conversation each started day has.
    pub conversations: Vec<StartedDay>,
    /// Titles of the catalog scenarios its days link to.
    pub titles: Vec<(String, String)>,
    /// The days whose scenario is being made, or failed to be.
    pub generations: Vec<Generation>,
    /// The learner's IANA zone: the calendar's days are their local dates.
    pub time_zone: String,
}

/// Where the making of a day's scenario stands.
pub struct Generation {
    pub day: u8,
    pub status: GenerationStatus,
    pub last_error: Option<String>,
}

impl Dashboard {
    pub fn generation_of(&self, n: u8) -> Option<&Generation> {
        self.generations.iter().find(|g| g.day == n)
    }

    pub fn day(&self, n: u8) -> Option<&Day> {
        self.schedule.day(n)
    }

    pub fn title_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.titles
            .iter()
            .find(|(i, _)| i == id)
            .map_or(id, |(_, t)| t.as_str())
    }

    /// The conversation of day `n`, if it was started.
    pub fn conversation_of(&self, n: u8) -> Option<&str> {
        self.conversations
            .iter()
            .find(|s| s.day == n)
            .map(|s| s.conversation_id.as_str())
    }

    pub fn is_active(&self) -> bool {
        self.assignment.status == AssignmentStatus::Active
    }
}

/// A day the learner started: its conversation, and whether that is still going.
pub struct StartedDay {
    pub day: u8,
    pub conversation_id: String,
    pub going: bool,
}

/// Where an assignment stands on a date.
pub(super) struct Standing {
    pub(super) calendar: Calendar,
    pub(super) minutes: i64,
    pub(super) started: Vec<StartedDay>,
    /// Whether a day of the path was completed on this local date.
    pub(super) practised_today: bool,
}

/// One row of the learner's list of paths.
pub struct PathSummary {
    pub id: String,
    pub title: String,
    pub status: AssignmentStatus,
    pub starts_at: NaiveDateTime,
}

/// `user`'s paths, newest first.
pub async fn list(ctx: &Ctx, user: User) -> Result<Vec<PathSummary>, PathError> {
    let rows = ctx
        .db
        .read(move |c| queries::paths::list_assigned(c, &user.id))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(p, a)| PathSummary {
            id: p.id,
            title: p.title,
            status: a.status,
            starts_at: a.starts_at,
        })
        .collect())
}

/// `user`'s path `path_id` on today's date (`NotFound` for anyone else's). Keeps the
/// assignment's current day and completion right as days pass and are practised (a write
/// only when one of them moved).
pub async fn dashboard(ctx: &Ctx, user: User, path_id: String) -> Result<Dashboard, PathError> {
    let (now, cache) = (ctx.clock.naive(), ctx.cache.clone());
    let mut dashboard = ctx
        .db
        .page(move |c| -> Result<_, PathError> {
            let (path, updated_at, assignment) =
                queries::paths::find_assigned_page(c, &path_id, &user.id)?
                    .ok_or(PathError::NotFound)?;
            let schedule = plan_kept(c, &cache, &path.id, updated_at, now)?;
            let Standing {
                calendar,
                minutes,
                started,
                ..
            } = standing(c, &assignment, now, zone(&user.time_zone))?;
            let ids: Vec<String> = schedule
                .days
                .iter()
                .filter_map(|d| match &d.scenario {
                    ScenarioLink::Catalog { id } => Some(id.clone()),
                    ScenarioLink::Generate { .. } => None,
                })
                .chain(
                    assignment
                        .metadata
                        .0
                        .days
                        .iter()
                        .map(|r| r.scenario_id.clone()),
                )
                .collect();
            // why: only days that link no catalog scenario are generated; a path without
            // them has no generation rows, and the page saves the round trip.
            let generates = schedule
                .days
                .iter()
                .any(|d| matches!(d.scenario, ScenarioLink::Generate { .. }));
            let rows = if generates {
                queries::paths::list_generations(c, &path.id)?
            } else {
                Vec::new()
            };
            let generations = rows
                .into_iter()
                .map(|g| Generation {
                    day: u8::try_from(g.day_index).unwrap_or(0),
                    status: g.status,
                    last_error: g.last_error,
                })
                .collect();
            Ok(Dashboard {
                generations,
                titles: super::titles(c, &cache, &ids, now)?,
                time_zone: user.time_zone.clone(),
                path,
                assignment,
                schedule,
                calendar,
                minutes,
                conversations: started,
            })
        })
        .await?;
    // why: the page's reads run without the write lock; the day moving on (once a day) or
    // the path finishing is stored after them.
    if let Some((current, finished)) = moved(&dashboard.assignment, &dashboard.calendar) {
        let assignment = dashboard.assignment.clone();
        dashboard.assignment = ctx
            .db
            .write(move |c| {
                lock::key(c, "path_assignment", &assignment.id)?;
                store_standing(c, assignment, current, finished, now)
            })
            .await?;
    }
    Ok(dashboard)
}

/// Path `path_id`'s plan as of its `updated_at`: the parsed copy kept for that version, else
/// read and parsed once.
///
/// why: the plan is kilobytes of JSON (12 KB for four weeks), stored out of line by
/// PostgreSQL; reading and parsing it on every view of the dashboard was a fifth of the page.
fn plan_kept(
    c: &mut DbConn,
    cache: &crate::app::cache::Caches,
    path_id: &str,
    updated_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<std::sync::Arc<Schedule>, PathError> {
    let version = u64::try_from(updated_at.and_utc().timestamp_micros()).unwrap_or(0);
    if let Some(kept) = cache.plans.get(path_id, now, version) {
        return Ok(kept);
    }
    let metadata = queries::paths::find_metadata(c, path_id)?.ok_or(PathError::NotFound)?;
    let plan = super::plan_in(&metadata).ok_or_else(unreadable)?;
    Ok(cache.plans.put(path_id.to_owned(), now, version, plan))
}

/// Starts (or resumes) day `day` of `user`'s path: a conversation with the day's scenario;
/// returns its id. Only today's day and missed ones can be started.
pub async fn start_day(
    ctx: &Ctx,
    user: User,
    path_id: String,
    day: u8,
) -> Result<String, PathError> {
    let (now, metered) = (ctx.clock.naive(), ctx.settings.usage_limits);
    let owner = Owner::User(user.id.clone());
    let (conversation, fresh) = ctx
        .db
        .run(move |c| {
            write_transaction(c, |c| {
                let (path, assignment) = assigned(c, &path_id, &user)?;
                lock::key(c, "path_assignment", &assignment.id)?;
                if assignment.status != AssignmentStatus::Active {
                    return Err(PathError::Invalid("This path is no longer active.".into()));
                }
                let schedule = schedule_of(&path)?;
                let plan_day = schedule.day(day).cloned().ok_or(PathError::NotFound)?;
                let Standing {
                    calendar, started, ..
                } = standing(c, &assignment, now, zone(&user.time_zone))?;
                if calendar.state(day) == DayState::Upcoming {
                    return Err(PathError::Invalid(format!(
                        "Day {day} opens on its date; today is day {}.",
                        calendar.current_day
                    )));
                }
                if let Some(going) = started.iter().find(|s| s.day == day && s.going) {
                    return Ok((going.conversation_id.clone(), false));
                }
                let scenario_id = scenario_for(c, &user, &path, &plan_day, now)?;
                let conversation = conversations::start(
                    c,
                    &Owner::User(user.id.clone()),
                    Start {
                        scenario_id: Some(scenario_id.clone()),
                        language: path.target_language.clone(),
                        mode: "traditional".into(),
                    },
                    metered,
                    false,
                    now,
                )?;
                let mut meta = assignment.metadata.0.clone();
                meta.days.push(PathDayRecord {
                    day_index: i32::from(day),
                    scenario_id,
                    conversation_id: conversation.id.clone(),
                    started_at: now,
                });
                queries::paths::update_assignment(
                    c,
                    &assignment.id,
                    LearningPathAssignmentChanges {
                        metadata: Some(Json(meta)),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                Ok((conversation.id, true))
            })
        })
        .await?;
    if fresh {
        // why: like any new conversation, the partner opens it; a failure shows on its page.
        match conversations::reply::reply_now(ctx, &owner, &conversation).await {
            Ok(()) | Err(conversations::ConversationError::Partner(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(conversation)
}

/// Queues day `day`'s scenario again after its generation failed for good.
pub async fn retry_generation(
    ctx: &Ctx,
    user: User,
    path_id: String,
    day: u8,
) -> Result<(), PathError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                let (path, _) = assigned(c, &path_id, &user)?;
                let g = queries::paths::list_generations(c, &path.id)?
                    .into_iter()
                    .find(|g| g.day_index == i32::from(day))
                    .ok_or(PathError::NotFound)?;
                lock::key(c, "path_generation", &g.id)?;
                if g.status != GenerationStatus::Failed {
                    return Ok(());
                }
                queries::paths::update_generation(
                    c,
                    &g.id,
                    ScenarioGenerationJobChanges {
                        status: Some(GenerationStatus::Pending),
                        next_attempt_at: Some(Some(now)),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                let job = generation::GeneratePathScenario {
                    generation_id: g.id,
                };
                crate::app::jobs::enqueue(c, &job, now)?;
                Ok::<_, PathError>(())
            })
        })
        .await?;
    ctx.jobs.notify();
    Ok(())
}

/// Archives `user`'s path: it leaves today's lessons and stays in the list.
pub async fn archive(ctx: &Ctx, user: User, path_id: String) -> Result<(), PathError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                let (_, assignment) = assigned(c, &path_id, &user)?;
                queries::paths::update_assignment(
                    c,
                    &assignment.id,
                    LearningPathAssignmentChanges {
                        status: Some(AssignmentStatus::Archived),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                Ok(())
            })
        })
        .await
}

pub(super) fn assigned(
    c: &mut DbConn,
    path_id: &str,
    user: &User,
) -> Result<(LearningPath, LearningPathAssignment), PathError> {
    queries::paths::find_assigned(c, path_id, &user.id)?.ok_or(PathError::NotFound)
}

pub fn schedule_of(path: &LearningPath) -> Result<Schedule, PathError> {
    super::plan_of(&path.metadata.0).ok_or_else(unreadable)
}

fn unreadable() -> PathError {
    PathError::Invalid("This path's schedule cannot be read.".into())
}

/// The calendar on `now`, the minutes practised, and each started day's conversation with
/// whether it is still going. Dates are the learner's local dates in `tz`: day `n` is due on
/// the start date plus `n - 1`, and a day counts for the local date it was completed on.
pub(super) fn standing(
    c: &mut DbConn,
    assignment: &LearningPathAssignment,
    now: NaiveDateTime,
    tz: Tz,
) -> Result<Standing, PathError> {
    let records = &assignment.metadata.0.days;
    let ids: Vec<String> = records.iter().map(|r| r.conversation_id.clone()).collect();
    let found: Vec<Conversation> = queries::conversations::list_by_ids(c, &ids)?;
    let mut completed = Vec::new();
    let mut started = Vec::new();
    let mut seconds = 0i64;
    for r in records {
        let Some(conv) = found.iter().find(|x| x.id == r.conversation_id) else {
            continue;
        };
        let day = u8::try_from(r.day_index).unwrap_or(0);
        seconds += i64::from(conv.duration_seconds);
        if conv.completion.is_some() {
            let on = local(tz, conv.ended_at.unwrap_or(conv.updated_at)).date();
            completed.push((day, on));
        }
        started.push(StartedDay {
            day,
            conversation_id: conv.id.clone(),
            going: conv.status == crate::db::types::ConversationStatus::Active,
        });
    }
    let today = local(tz, now).date();
    Ok(Standing {
        // why: `starts_at` is a date (midnight) recorded at commit; it is read as a date.
        calendar: calendar::calendar(assignment.starts_at.date(), today, &completed),
        minutes: seconds / 60,
        started,
        practised_today: completed.iter().any(|(_, on)| *on == today),
    })
}

/// The current day and whether the path just finished, when the stored assignment says
/// otherwise than `calendar`.
fn moved(assignment: &LearningPathAssignment, calendar: &Calendar) -> Option<(i32, bool)> {
    let current = i32::from(calendar.current_day);
    let finished = calendar.finished() && assignment.completed_at.is_none();
    (assignment.current_day_index != current || finished).then_some((current, finished))
}

/// Stores the current day and, when every day is done, the completion.
fn store_standing(
    c: &mut DbConn,
    assignment: LearningPathAssignment,
    current: i32,
    finished: bool,
    now: NaiveDateTime,
) -> Result<LearningPathAssignment, PathError> {
    let mut changes = LearningPathAssignmentChanges {
        current_day_index: Some(current),
        updated_at: Some(now),
        ..Default::default()
    };
    if finished {
        changes.completed_at = Some(Some(now));
        changes.status = Some(AssignmentStatus::Completed);
    }
    queries::paths::update_assignment(c, &assignment.id, changes)?;
    Ok(LearningPathAssignment {
        current_day_index: current,
        completed_at: if finished {
            Some(now)
        } else {
            assignment.completed_at
        },
        status: if finished {
            AssignmentStatus::Completed
        } else {
            assignment.status
        },
        ..assignment
    })
}

/// The scenario day `day` is practised with: its catalog scenario while it is still listed,
/// else the one generated for it, else one adapted at once (and recorded as the day's, so
/// the queued job has nothing left to do).
fn scenario_for(
    c: &mut DbConn,
    user: &User,
    path: &LearningPath,
    day: &Day,
    now: NaiveDateTime,
) -> Result<String, PathError> {
    if let ScenarioLink::Catalog { id } = &day.scenario {
        if let Some(s) = queries::scenarios::find(c, id)? {
            if s.is_active && s.visibility == Visibility::Public {
                return Ok(s.id);
            }
        }
    }
    let queued = queries::paths::list_generations(c, &path.id)?
        .into_iter()
        .find(|g| g.day_index == i32::from(day.index));
    if let Some(id) = queued.as_ref().and_then(|g| g.scenario_id.clone()) {
        return Ok(id);
    }
    let base = generation::closest(c, &path.target_language, day)?;
    let row = generation::adapted(&base, &user.id, day, now);
    match &queued {
        Some(g) => {
            lock::key(c, "path_generation", &g.id)?;
            generation::store(c, g, &row, now)?;
        }
        None => {
            queries::scenarios::insert(c, &row)?;
            queries::scenarios::insert_metadata(
                c,
                &crate::db::models::NewScenarioMetadata::empty(&row.id, now),
            )?;
        }
    }
    Ok(row.id)
}
