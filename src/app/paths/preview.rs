//! A path before it is the learner's: made from their preferences or a sentence of intent,
//! shown for 24 hours at an unguessable address, refined in words, pinned and regenerated
//! day by day (each step undoable), then committed.

use chrono::{Duration, NaiveDateTime};

use super::planner::{self, Candidate, PreviewState, ScenarioLink, Schedule};
use super::{candidates, PathError};
use crate::app::Ctx;
use crate::db::conn::write_transaction;
use crate::db::json::{DraftProgress, PathMetadata, PreviewMetadata, PreviewScenario, ScheduleDay};
use crate::db::models::{
    LearningPathPreview, LearningPathPreviewChanges, NewLearningPath, NewLearningPathAssignment,
    PreviewHeading, User,
};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{AssignmentRole, AssignmentStatus, Json, PathStatus, PreviewStatus};
use crate::db::{lock, DbConn};

/// How long a preview stays.
pub const PREVIEW_HOURS: i64 = 24;
/// The longest instruction or intent read.
const MAX_TEXT: usize = 500;
/// How many steps undo can go back.
const UNDO_STEPS: usize = 20;

/// What a preview starts from.
pub enum Source {
    Preferences,
    /// A sentence such as "job interview in Madrid, formal".
    Intent(String),
    /// A public template path (by id or share slug), copied as the preview's schedule.
    Template(String),
}

impl Source {
    /// The source a start form names (`preferences`, or `intent` with its sentence).
    pub fn from_form(source: &str, intent: &str, template: &str) -> Option<Self> {
        match source {
            "preferences" => Some(Source::Preferences),
            "intent" => Some(Source::Intent(intent.to_owned())),
            "template" => Some(Source::Template(template.trim().to_owned())),
            _ => None,
        }
    }
}

/// A preview as its page shows it.
pub struct PreviewPage {
    pub session_id: String,
    pub title: String,
    pub description: String,
    pub intent: String,
    pub state: PreviewState,
    /// Titles of the catalog scenarios its days link to.
    pub titles: Vec<(String, String)>,
    pub expires_at: NaiveDateTime,
    pub committed_path_id: Option<String>,
    /// Days 1–3 in full: the scenario each is practised with.
    pub first_days: Vec<PreviewScenario>,
    /// The AI planner is still drafting the schedule (see `draft`); nothing can be changed yet.
    pub generating: bool,
    /// How the drafting stands, or how the schedule was made once it is done.
    pub draft: Option<DraftProgress>,
    /// The clock's time when the page was read.
    pub read_at: NaiveDateTime,
}

impl PreviewPage {
    pub fn title_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.titles
            .iter()
            .find(|(i, _)| i == id)
            .map_or(id, |(_, t)| t.as_str())
    }

    /// The last step's one-line summary, if any.
    pub fn last_summary(&self) -> Option<&str> {
        self.state.history.last().map(|h| h.summary.as_str())
    }
}

/// A preview after one step, with the days it changed.
pub struct Edited {
    pub page: PreviewPage,
    pub changed_days: Vec<u8>,
    pub summary: String,
}

/// Makes a preview for `owner` (a user, or a guest before signing up) from `source`;
/// returns its session id. Without preferences it is `NeedsPreferences` (the planner needs
/// their language and levels). With an AI provider a preview from preferences or intent
/// opens as generating and a job drafts its schedule (`draft`); a template is copied at once.
pub async fn start_preview(ctx: &Ctx, owner: Owner, source: Source) -> Result<String, PathError> {
    let intent_text = match &source {
        Source::Preferences | Source::Template(_) => String::new(),
        Source::Intent(text) => checked_text(text, "Say in a sentence what the path is for.")?,
    };
    let template = match source {
        Source::Template(key) => Some(key),
        _ => None,
    };
    let now = ctx.clock.naive();
    let drafting = !ctx.ai.is_offline() && template.is_none();
    let started = ctx
        .db
        .run(move |c| {
            let prefs =
                queries::preferences::find(c, &owner)?.ok_or(PathError::NeedsPreferences)?;
            let (user_id, guest_id) = match &owner {
                Owner::User(u) => (Some(u.clone()), None),
                Owner::Guest(g) => (None, Some(g.clone())),
            };
            let mut learner = planner::Learner::from_preferences(&prefs);
            let copied = match &template {
                Some(key) => Some(from_template(c, key)?),
                None => None,
            };
            if let Some((_, schedule)) = &copied {
                learner.language = schedule.language.clone();
            }
            let cands = candidates(queries::paths::list_candidates(c)?, &learner.language);
            let known = planner::known_topics(&cands);
            let intent =
                (!intent_text.is_empty()).then(|| planner::parse_intent(&intent_text, &known));
            let language = queries::languages::find(c, &learner.language)?
                .map_or_else(|| learner.language.clone(), |l| l.name);
            let (schedule, title, description) = match copied {
                Some((path, schedule)) => (schedule, path.title, path.description),
                None => {
                    let schedule = planner::plan(&learner, intent.as_ref(), &cands);
                    let (title, description) = headline(&schedule, &language, &intent_text);
                    (schedule, title, description)
                }
            };
            let state = PreviewState::new(schedule);
            let session_id = crate::app::accounts::tokens::generate().0[..24].to_owned();
            let row = crate::db::models::NewLearningPathPreview {
                id: uuid::Uuid::now_v7().to_string(),
                user_id,
                guest_id,
                session_id: session_id.clone(),
                intent: intent_text,
                title,
                description,
                target_language: learner.language.clone(),
                source_language: None,
                schedule: Json(summary_days(&state.schedule)),
                preview_scenarios: Json(first_days(&state.schedule, &cands)),
                status: if drafting {
                    PreviewStatus::Generating
                } else {
                    PreviewStatus::Ready
                },
                committed_path_id: None,
                expires_at: now + Duration::hours(PREVIEW_HOURS),
                metadata: Json(metadata(&state, intent.as_ref(), drafting)),
                created_at: now,
                updated_at: now,
            };
            write_transaction(c, |c| {
                queries::paths::insert_preview(c, &row)?;
                if drafting {
                    let job = super::draft::DraftPathPreview {
                        session_id: session_id.clone(),
                    };
                    crate::app::jobs::enqueue(c, &job, now)?;
                }
                Ok::<_, PathError>(())
            })?;
            Ok(session_id)
        })
        .await;
    if drafting && started.is_ok() {
        ctx.jobs.notify();
    }
    started
}

/// The template path `key` and its schedule; `NotFound` unless it is a public template.
fn from_template(
    c: &mut DbConn,
    key: &str,
) -> Result<(crate::db::models::LearningPath, Schedule), PathError> {
    let path = queries::paths::find_template(c, key)?.ok_or(PathError::NotFound)?;
    let schedule = super::progress::schedule_of(&path)?;
    Ok((path, schedule))
}

/// `owner`'s preview `session_id`: `NotFound` for anyone else's, `Expired` after 24 hours.
pub async fn preview(
    ctx: &Ctx,
    owner: Owner,
    session_id: String,
) -> Result<PreviewPage, PathError> {
    let (now, cache) = (ctx.clock.naive(), ctx.cache.clone());
    ctx.db
        .page(move |c| {
            let (heading, metadata) = queries::paths::find_preview_page(c, &session_id, &owner)?
                .ok_or(PathError::NotFound)?;
            if expired(heading.expires_at, heading.committed_path_id.is_some(), now) {
                return Err(PathError::Expired);
            }
            let (state, draft) = shown_state(&metadata)?;
            page(c, &cache, heading, state, draft, now)
        })
        .await
}

/// Applies `instruction` ("more about food, less formal") to the preview: with an AI
/// provider the model proposes the whole schedule, which is validated before anything
/// changes ([`planned_by_model`]); offline the planner reads a bounded vocabulary.
pub async fn refine(
    ctx: &Ctx,
    owner: Owner,
    session_id: String,
    instruction: String,
) -> Result<Edited, PathError> {
    let instruction = checked_text(&instruction, "Say how to change the path.")?;
    if !ctx.ai.is_offline() {
        let (asked, summary, next) =
            planned_by_model(ctx, owner.clone(), session_id.clone(), instruction.clone()).await?;
        return edit(ctx, owner, session_id, move |state, _| {
            if state.schedule != asked {
                return Some("The preview changed meanwhile; send the change again.".to_owned());
            }
            state
                .apply_schedule(&instruction, &summary, next)
                .then_some(summary)
        })
        .await;
    }
    edit(ctx, owner, session_id, move |state, cands| {
        let known = planner::known_topics(cands);
        let applied = state.apply_refinement(&instruction, &known, cands);
        Some(applied.summary)
    })
    .await
}

/// Asks the model for the schedule after `instruction`: the schedule it was asked about,
/// its one-line summary and the new schedule, validated (28 days, known scenarios, allowed
/// levels). An unusable answer is refused with the reasons and changes nothing.
async fn planned_by_model(
    ctx: &Ctx,
    owner: Owner,
    session_id: String,
    instruction: String,
) -> Result<(Schedule, String, Schedule), PathError> {
    let now = ctx.clock.naive();
    let (state, cands) = ctx
        .db
        .run(move |c| {
            let row = live(c, &session_id, &owner, now)?;
            ready(&row)?;
            let cands = candidates(queries::paths::list_candidates(c)?, &row.target_language);
            Ok::<_, PathError>((state_of(&row)?, cands))
        })
        .await?;
    let payload = serde_json::json!({"instruction": instruction, "schedule": state.schedule});
    let (summary, next) = super::draft::ask_model(ctx, REFINE_PROMPT, payload, &cands)
        .await
        .map_err(|refused| {
            PathError::Invalid(format!(
                "The AI planner's answer could not be used ({}); the preview is unchanged.",
                match &refused {
                    super::draft::Refused::Unreachable(why) => format!("it did not answer: {why}"),
                    super::draft::Refused::Unusable(why) => why.clone(),
                }
            ))
        })?;
    Ok((state.schedule, summary, next))
}

const REFINE_PROMPT: &str = "You plan four-week language learning paths. Change the schedule \
    as the learner asks and answer with one JSON object: {\"summary\": one sentence saying \
    what changed, \"schedule\": the whole schedule in the same shape}. Keep 28 days, each \
    week's demand and kinds of day, levels that never fall, pinned days exactly as they are, \
    and link only scenarios from the list (or {\"type\": \"generate\", \"brief\": …}).";

/// Refuses a change while the AI planner is still drafting the schedule.
fn ready(row: &LearningPathPreview) -> Result<(), PathError> {
    if row.status == PreviewStatus::Generating {
        return Err(PathError::Invalid(
            "The AI planner is still drafting this path; wait until it is ready.".into(),
        ));
    }
    Ok(())
}

/// Takes the last step back.
pub async fn undo(ctx: &Ctx, owner: Owner, session_id: String) -> Result<Edited, PathError> {
    edit(ctx, owner, session_id, |state, _| {
        let summary = state
            .history
            .last()
            .map(|h| format!("Undone: {}", h.summary));
        state.undo().then_some(summary).flatten()
    })
    .await
}

/// Pins day `day` (or unpins it): refinements leave a pinned day alone.
pub async fn toggle_pin(
    ctx: &Ctx,
    owner: Owner,
    session_id: String,
    day: u8,
) -> Result<Edited, PathError> {
    edit(ctx, owner, session_id, move |state, _| {
        state.toggle_pin(day).map(|pinned| {
            if pinned {
                format!("Day {day} pinned: refinements leave it as it is.")
            } else {
                format!("Day {day} unpinned.")
            }
        })
    })
    .await
}

/// Gives day `day` another scenario (or theme wording); the other days stay.
pub async fn regenerate(
    ctx: &Ctx,
    owner: Owner,
    session_id: String,
    day: u8,
) -> Result<Edited, PathError> {
    edit(ctx, owner, session_id, move |state, cands| {
        let salt = state.history.len() as u32 + 1;
        if state.schedule.day(day).is_some_and(|d| d.pinned) {
            return Some(format!("Day {day} is pinned; unpin it to regenerate it."));
        }
        state
            .regenerate(day, cands, salt)
            .then(|| format!("Day {day} regenerated."))
    })
    .await
}

/// Makes the preview `user`'s path: the path, their assignment starting today, the preview
/// marked committed. Committing again answers the same path.
pub async fn commit(ctx: &Ctx, user: User, session_id: String) -> Result<String, PathError> {
    let now = ctx.clock.naive();
    let committed = ctx
        .db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "path_preview", &session_id)?;
                let row =
                    queries::paths::find_preview(c, &session_id, &Owner::User(user.id.clone()))?
                        .ok_or(PathError::NotFound)?;
                if let Some(path) = row.committed_path_id {
                    return Ok(path);
                }
                if row.expires_at <= now {
                    return Err(PathError::Expired);
                }
                ready(&row)?;
                let state = state_of(&row)?;
                let path_id = uuid::Uuid::now_v7().to_string();
                queries::paths::insert_path(
                    c,
                    &NewLearningPath {
                        id: path_id.clone(),
                        user_id: Some(user.id.clone()),
                        title: row.title.clone(),
                        description: row.description.clone(),
                        target_language: row.target_language.clone(),
                        schedule: Json(summary_days(&state.schedule)),
                        is_template: false,
                        is_public: false,
                        share_slug: None,
                        status: PathStatus::Active,
                        created_by_user_id: Some(user.id.clone()),
                        metadata: Json(PathMetadata {
                            cefr_level: state
                                .schedule
                                .day(1)
                                .map(|d| d.cefr_level.as_str().to_owned()),
                            estimated_minutes_per_day: Some(i32::from(
                                state.schedule.minutes_per_day,
                            )),
                            plan: Some(to_json(&state.schedule)?),
                            ..Default::default()
                        }),
                        created_at: now,
                        updated_at: now,
                    },
                )?;
                // why: day 1 is the learner's local date of the commit (stored as that
                // date's midnight; the calendar reads it as a date).
                let tz = crate::app::accounts::time_zone::zone(&user.time_zone);
                let local = crate::app::accounts::time_zone::local(tz, now);
                let starts_at = local.date().and_hms_opt(0, 0, 0).unwrap_or(local);
                super::generation::queue(c, &path_id, &state.schedule, starts_at, now, tz)?;
                queries::paths::insert_assignment(
                    c,
                    &NewLearningPathAssignment {
                        id: uuid::Uuid::now_v7().to_string(),
                        path_id: path_id.clone(),
                        user_id: user.id.clone(),
                        role: AssignmentRole::Learner,
                        status: AssignmentStatus::Active,
                        starts_at,
                        current_day_index: 1,
                        completed_at: None,
                        email_reminders_enabled: false,
                        last_email_sent_at: None,
                        metadata: Json(Default::default()),
                        created_at: now,
                        updated_at: now,
                    },
                )?;
                queries::paths::update_preview(
                    c,
                    &row.id,
                    LearningPathPreviewChanges {
                        status: Some(PreviewStatus::Committed),
                        committed_path_id: Some(Some(path_id.clone())),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                Ok(path_id)
            })
        })
        .await;
    if committed.is_ok() {
        ctx.jobs.notify();
    }
    committed
}

/// Runs `step` on the preview's state under its lock and stores the result; `step` answers
/// the summary, or `None` when nothing changed.
async fn edit<F>(ctx: &Ctx, owner: Owner, session_id: String, step: F) -> Result<Edited, PathError>
where
    F: FnOnce(&mut PreviewState, &[Candidate]) -> Option<String> + Send + 'static,
{
    let (now, cache) = (ctx.clock.naive(), ctx.cache.clone());
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "path_preview", &session_id)?;
                let row = live(c, &session_id, &owner, now)?;
                if row.committed_path_id.is_some() {
                    return Err(PathError::Invalid(
                        "This preview is already your path; open it from your paths.".into(),
                    ));
                }
                ready(&row)?;
                let mut state = state_of(&row)?;
                let before = state.schedule.clone();
                let cands = candidates(queries::paths::list_candidates(c)?, &row.target_language);
                let summary =
                    step(&mut state, &cands).unwrap_or_else(|| "Nothing changed.".to_owned());
                let excess = state.history.len().saturating_sub(UNDO_STEPS);
                state.history.drain(..excess);
                let changed_days = changed(&before, &state.schedule);
                let mut meta = row.metadata.0.clone();
                meta.refinement_history = state
                    .history
                    .iter()
                    .map(|h| h.instruction.clone())
                    .collect();
                meta.regenerated_days = state
                    .regenerated_days
                    .iter()
                    .map(|d| i32::from(*d))
                    .collect();
                meta.state = Some(to_json(&state)?);
                let first = first_days(&state.schedule, &cands);
                queries::paths::update_preview(
                    c,
                    &row.id,
                    LearningPathPreviewChanges {
                        schedule: Some(Json(summary_days(&state.schedule))),
                        preview_scenarios: Some(Json(first.clone())),
                        metadata: Some(Json(meta.clone())),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                let heading = PreviewHeading {
                    preview_scenarios: Json(first),
                    ..row.into()
                };
                Ok(Edited {
                    page: page(c, &cache, heading, state, meta.draft, now)?,
                    changed_days,
                    summary,
                })
            })
        })
        .await
}

/// `owner`'s live, drafted preview `session_id` and its schedule (for a course made from it).
pub fn drafted(
    c: &mut DbConn,
    session_id: &str,
    owner: &Owner,
    now: NaiveDateTime,
) -> Result<(LearningPathPreview, Schedule), PathError> {
    let row = live(c, session_id, owner, now)?;
    ready(&row)?;
    let state = state_of(&row)?;
    Ok((row, state.schedule))
}

/// The preview if it is `owner`'s and not expired.
fn live(
    c: &mut DbConn,
    session_id: &str,
    owner: &Owner,
    now: NaiveDateTime,
) -> Result<LearningPathPreview, PathError> {
    let row = queries::paths::find_preview(c, session_id, owner)?.ok_or(PathError::NotFound)?;
    if expired(row.expires_at, row.committed_path_id.is_some(), now) {
        return Err(PathError::Expired);
    }
    Ok(row)
}

/// A preview is gone 24 hours after it began, unless it became a path.
fn expired(expires_at: NaiveDateTime, committed: bool, now: NaiveDateTime) -> bool {
    expires_at <= now && !committed
}

/// The state and the drafting progress out of a preview's metadata text, in one pass (the
/// other keys are skipped).
fn shown_state(metadata: &str) -> Result<(PreviewState, Option<DraftProgress>), PathError> {
    #[derive(serde::Deserialize)]
    struct Shown {
        #[serde(default)]
        state: Option<PreviewState>,
        #[serde(default)]
        draft: Option<DraftProgress>,
    }
    match serde_json::from_str::<Shown>(metadata) {
        Ok(Shown {
            state: Some(state),
            draft,
        }) => Ok((state, draft)),
        _ => Err(unreadable()),
    }
}

fn page(
    c: &mut DbConn,
    cache: &crate::app::cache::Caches,
    row: PreviewHeading,
    state: PreviewState,
    draft: Option<DraftProgress>,
    read_at: NaiveDateTime,
) -> Result<PreviewPage, PathError> {
    let ids: Vec<String> = state
        .schedule
        .days
        .iter()
        .filter_map(|d| match &d.scenario {
            ScenarioLink::Catalog { id } => Some(id.clone()),
            ScenarioLink::Generate { .. } => None,
        })
        .collect();
    Ok(PreviewPage {
        titles: super::titles(c, cache, &ids, read_at)?,
        session_id: row.session_id,
        title: row.title,
        description: row.description,
        intent: row.intent,
        state,
        expires_at: row.expires_at,
        committed_path_id: row.committed_path_id,
        first_days: row.preview_scenarios.0,
        generating: row.status == PreviewStatus::Generating,
        draft,
        read_at,
    })
}

pub(super) fn state_of(row: &LearningPathPreview) -> Result<PreviewState, PathError> {
    row.metadata
        .0
        .state
        .as_ref()
        .and_then(|v| v.parse().ok())
        .ok_or_else(unreadable)
}

fn unreadable() -> PathError {
    PathError::Invalid("This preview cannot be read; start a new one.".into())
}

pub(super) fn to_json<T: serde::Serialize>(
    value: &T,
) -> Result<crate::db::json::RawJson, PathError> {
    crate::db::json::RawJson::of(value)
        .map_err(|e| PathError::Invalid(format!("the schedule could not be stored: {e}")))
}

/// The days whose content differs between two schedules.
fn changed(before: &Schedule, after: &Schedule) -> Vec<u8> {
    after
        .days
        .iter()
        .filter(|d| before.day(d.index) != Some(d))
        .map(|d| d.index)
        .collect()
}

/// The stored day-by-day summary of a schedule (the `schedule` column).
pub fn summary_days(schedule: &Schedule) -> Vec<ScheduleDay> {
    schedule
        .days
        .iter()
        .map(|d| ScheduleDay {
            day_index: i32::from(d.index),
            theme: d.theme.clone(),
            description: d.objectives.join(" "),
            difficulty: d.demand.as_str().to_owned(),
            scenario_id: match &d.scenario {
                ScenarioLink::Catalog { id } => Some(id.clone()),
                ScenarioLink::Generate { .. } => None,
            },
        })
        .collect()
}

/// Days 1–3 in full, as the preview shows them before the learner commits.
pub(super) fn first_days(schedule: &Schedule, cands: &[Candidate]) -> Vec<PreviewScenario> {
    schedule
        .days
        .iter()
        .take(3)
        .map(|d| PreviewScenario {
            day_index: i32::from(d.index),
            title: match &d.scenario {
                ScenarioLink::Catalog { id } => cands
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or_else(|| d.theme.clone(), |c| c.title.clone()),
                ScenarioLink::Generate { .. } => d.theme.clone(),
            },
            description: match &d.scenario {
                ScenarioLink::Catalog { .. } => d.theme.clone(),
                ScenarioLink::Generate { brief } => brief.clone(),
            },
            persona: Default::default(),
            learning_objectives: d.objectives.clone(),
            cefr_level: Some(d.cefr_level.as_str().to_owned()),
        })
        .collect()
}

fn metadata(
    state: &PreviewState,
    intent: Option<&planner::Intent>,
    drafting: bool,
) -> PreviewMetadata {
    PreviewMetadata {
        draft: drafting.then(DraftProgress::default),
        parsed_intent: intent.and_then(|i| serde_json::to_value(i).ok()),
        refinement_history: Vec::new(),
        regenerated_days: Vec::new(),
        state: crate::db::json::RawJson::of(state).ok(),
    }
}

/// The preview's title and one-line description.
pub(super) fn headline(schedule: &Schedule, language: &str, intent: &str) -> (String, String) {
    let topics: Vec<String> = schedule
        .topics
        .iter()
        .take(3)
        .map(|t| planner::label(&t.topic))
        .collect();
    let title = match &schedule.place {
        Some(place) => format!("{language} for {place}, in four weeks"),
        None => format!("Four weeks of {language}: {}", topics.join(", ")),
    };
    let levels: Vec<&str> = schedule
        .days
        .iter()
        .step_by(7)
        .map(|d| d.cefr_level.as_str())
        .collect();
    let mut description = format!(
        "{} minutes a day, from {} to {}.",
        schedule.minutes_per_day,
        levels.first().copied().unwrap_or("A1"),
        levels.last().copied().unwrap_or("A1"),
    );
    if !intent.is_empty() {
        description = format!("For “{intent}”. {description}");
    }
    (title, description)
}

fn checked_text(text: &str, empty: &str) -> Result<String, PathError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PathError::Invalid(empty.to_owned()));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(PathError::Invalid(format!(
            "Keep it under {MAX_TEXT} characters."
        )));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(PathError::Invalid(
            "Remove the control characters from the text.".into(),
        ));
    }
    Ok(text.to_owned())
}
