//! The course form: its raw values (kept to re-fill the form), their validation into a
//! course (pure: [`check`]), and the use cases that create, read and save a course. A new
//! course gets its 28 days from the planner; the creator then edits each day. Every save
//! checks every field and the planner's rules; an invalid form changes nothing.

use chrono::NaiveDateTime;
use serde::Deserialize;

use super::{clean, CourseError};
use crate::app::catalog::CATEGORIES;
use crate::app::paths::planner::{
    self, Candidate, Day, DayKind, Learner, ScenarioLink, Schedule, WeekDemand,
};
use crate::app::Ctx;
use crate::db::conn::write_transaction;
use crate::db::json::{PathMetadata, ScheduleDay};
use crate::db::models::{CourseInvitation, LearningPath, LearningPathAssignment, NewLearningPath};
use crate::db::models::{LearningPathChanges, User};
use crate::db::types::{CefrLevel, Difficulty};
use crate::db::types::{ChallengePreference, Json, LearningGoal, PathStatus, Skill};
use crate::db::{lock, queries, DbConn};

/// The course form as submitted: every field a string; the days as four repeated fields in
/// day order (`theme`, `difficulty`, `objectives` one per line, `scenario` an id or empty).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawCourse {
    pub title: String,
    pub description: String,
    pub language: String,
    pub cefr_level: String,
    pub primary_skill: String,
    pub minutes: String,
    pub category: String,
    pub tags: String,
    pub theme: Vec<String>,
    pub difficulty: Vec<String>,
    pub objectives: Vec<String>,
    pub scenario: Vec<String>,
    /// A day button pressed with the form: `move-up-N`, `move-down-N`, `copy-N` (onto day
    /// N + 1) or `fill-week-N` (the planner writes that week again).
    pub action: String,
}

/// (field id, message) for each problem, in form order.
pub type FieldErrors = Vec<(String, String)>;

/// A checked course: what its row holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Course {
    pub title: String,
    pub description: String,
    pub language: String,
    pub level: CefrLevel,
    pub skill: Skill,
    pub minutes: u16,
    pub category: String,
    pub tags: Vec<String>,
    /// `None` on the new-course form, which has no days yet.
    pub schedule: Option<Schedule>,
}

impl RawCourse {
    /// The form filled from a saved course.
    pub fn from_course(path: &LearningPath, schedule: &Schedule) -> Self {
        let m = &path.metadata.0;
        Self {
            title: path.title.clone(),
            description: path.description.clone(),
            language: path.target_language.clone(),
            cefr_level: m.cefr_level.clone().unwrap_or_default(),
            primary_skill: m.primary_skill.clone().unwrap_or_default(),
            minutes: m
                .estimated_minutes_per_day
                .map(|n| n.to_string())
                .unwrap_or_default(),
            category: m.category.clone().unwrap_or_default(),
            tags: m.tags.join(", "),
            ..Self::from_days(schedule)
        }
    }

    /// The day fields of `schedule` (the other fields empty).
    fn from_days(schedule: &Schedule) -> Self {
        let day = |f: fn(&Day) -> String| schedule.days.iter().map(f).collect();
        Self {
            theme: day(|d| d.theme.clone()),
            difficulty: day(|d| d.difficulty.as_str().to_owned()),
            objectives: day(|d| d.objectives.join("\n")),
            scenario: day(|d| match &d.scenario {
                ScenarioLink::Catalog { id } => id.clone(),
                ScenarioLink::Generate { .. } => String::new(),
            }),
            ..Default::default()
        }
    }

    /// Applies a move or copy button to the days (pure); the day to show afterwards.
    pub fn apply_day_action(&mut self) -> Option<u8> {
        let (verb, n) = self.action.rsplit_once('-')?;
        let n: usize = n.parse().ok()?;
        let days = self.theme.len();
        if n == 0 || n > days {
            return None;
        }
        let i = n - 1;
        let mut each = |f: &mut dyn FnMut(&mut Vec<String>)| {
            for v in [
                &mut self.theme,
                &mut self.difficulty,
                &mut self.objectives,
                &mut self.scenario,
            ] {
                if v.len() == days {
                    f(v);
                }
            }
        };
        match verb {
            "move-up" if i > 0 => {
                each(&mut |v| v.swap(i, i - 1));
                u8::try_from(n - 1).ok()
            }
            "move-down" if n < days => {
                each(&mut |v| v.swap(i, i + 1));
                u8::try_from(n + 1).ok()
            }
            "copy" if n < days => {
                each(&mut |v| v[i + 1] = v[i].clone());
                // why: a week never links one scenario twice; within the week the copy
                // gets a scenario written for it instead.
                if !n.is_multiple_of(7) && self.scenario.len() == days {
                    self.scenario[i + 1].clear();
                }
                u8::try_from(n + 1).ok()
            }
            _ => None,
        }
    }

    /// The week a `fill-week-N` button asks the planner to write again.
    pub fn week_to_fill(&self) -> Option<u8> {
        self.action
            .strip_prefix("fill-week-")?
            .parse()
            .ok()
            .filter(|w| (1..=planner::WEEKS).contains(w))
    }

    /// The scenario ids the days name (to look up which the creator may use).
    pub fn scenario_ids(&self) -> Vec<String> {
        self.scenario
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Checks the form. `with_days`: the edit form, whose 28 days must all be there; `usable`:
/// the scenarios it names that the creator may link; `languages`: the known language ids.
pub fn check(
    raw: &RawCourse,
    with_days: bool,
    usable: &[Candidate],
    languages: &[String],
) -> Result<Course, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut text =
        |field: &str, value: &str, max: usize, required: bool| match clean(value, max, true) {
            Ok(v) if required && v.is_empty() => {
                errors.push((field.into(), format!("The {} is required.", label(field))));
                String::new()
            }
            Ok(v) => v,
            Err(e) => {
                errors.push((field.into(), format!("The {}: {e}", label(field))));
                String::new()
            }
        };
    let title = text("title", &raw.title, 120, true);
    let description = text("description", &raw.description, 2000, true);
    let tags_text = text("tags", &raw.tags, 300, false);
    let language = raw.language.trim().to_owned();
    if !languages.contains(&language) {
        errors.push(("language".into(), "Choose the course's language.".into()));
    }
    let level = raw.cefr_level.parse::<CefrLevel>().ok();
    if level.is_none() {
        errors.push(("cefr_level".into(), "Choose a CEFR level.".into()));
    }
    let skill = raw.primary_skill.parse::<Skill>().ok();
    if skill.is_none() {
        errors.push(("primary_skill".into(), "Choose the primary skill.".into()));
    }
    let minutes = raw
        .minutes
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|m| planner::MINUTES.contains(m));
    if minutes.is_none() {
        errors.push((
            "minutes".into(),
            format!(
                "Minutes a day is a whole number from {} to {}.",
                planner::MINUTES.start(),
                planner::MINUTES.end()
            ),
        ));
    }
    let category = raw.category.trim().to_owned();
    if !CATEGORIES.contains(&category.as_str()) {
        errors.push(("category".into(), "Choose a category.".into()));
    }
    let tags: Vec<String> = tags_text
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    if tags.len() > 10 || tags.iter().any(|t| t.chars().count() > 30) {
        errors.push((
            "tags".into(),
            "Up to 10 tags of at most 30 characters.".into(),
        ));
    }
    let schedule = match (with_days, level) {
        (true, Some(level)) => {
            let settings = Schedule {
                language: language.clone(),
                minutes_per_day: minutes.unwrap_or(planner::DEFAULT_MINUTES),
                formality: None,
                place: None,
                topics: vec![planner::TopicWeight {
                    topic: category.clone(),
                    weight: 1,
                }],
                excluded: Vec::new(),
                days: Vec::new(),
            };
            days(raw, level, &category, usable, settings, &mut errors)
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Course {
        title,
        description,
        language,
        level: level.unwrap_or(CefrLevel::A1),
        skill: skill.unwrap_or(Skill::Speaking),
        minutes: minutes.unwrap_or(planner::DEFAULT_MINUTES),
        category,
        tags,
        schedule,
    })
}

fn label(field: &str) -> &'static str {
    match field {
        "title" => "title",
        "description" => "description",
        "tags" => "tags",
        _ => "field",
    }
}

/// The 28 days of the form as a schedule, every problem recorded against its field; then
/// the planner's rules over the whole (levels and difficulty never falling, no scenario
/// twice in a week), recorded against the day they name.
fn days(
    raw: &RawCourse,
    level: CefrLevel,
    category: &str,
    usable: &[Candidate],
    settings: Schedule,
    errors: &mut FieldErrors,
) -> Option<Schedule> {
    let n = usize::from(planner::DAYS);
    if [&raw.theme, &raw.difficulty, &raw.objectives, &raw.scenario]
        .iter()
        .any(|v| v.len() != n)
    {
        errors.push((
            "days".into(),
            "A course has 28 days; send the whole form.".into(),
        ));
        return None;
    }
    let before = errors.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let index = u8::try_from(i + 1).unwrap_or(planner::DAYS);
        let field = |f: &str| format!("day-{index}-{f}");
        let theme = match clean(&raw.theme[i], 120, false) {
            Ok(t) if t.is_empty() => {
                errors.push((field("theme"), format!("Day {index}: write its theme.")));
                t
            }
            Ok(t) => t,
            Err(e) => {
                errors.push((field("theme"), format!("Day {index}'s theme: {e}")));
                String::new()
            }
        };
        let difficulty = raw.difficulty[i].parse::<Difficulty>().unwrap_or_else(|_| {
            errors.push((
                field("difficulty"),
                format!("Day {index}: choose a difficulty."),
            ));
            Difficulty::Beginner
        });
        let objectives: Vec<String> = match clean(&raw.objectives[i], 600, true) {
            Ok(t) => t
                .lines()
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect(),
            Err(e) => {
                errors.push((
                    field("objectives"),
                    format!("Day {index}'s objectives: {e}"),
                ));
                Vec::new()
            }
        };
        if !(2..=3).contains(&objectives.len())
            || objectives.iter().any(|o| o.chars().count() > 200)
        {
            errors.push((
                field("objectives"),
                format!("Day {index}: write 2 or 3 objectives, one per line."),
            ));
        }
        let wanted = raw.scenario[i].trim();
        let (scenario, topic) = if wanted.is_empty() {
            let brief = theme.clone();
            (ScenarioLink::Generate { brief }, category.to_owned())
        } else if let Some(c) = usable.iter().find(|c| c.id == wanted) {
            let topic = c
                .categories
                .first()
                .cloned()
                .unwrap_or_else(|| category.to_owned());
            (ScenarioLink::Catalog { id: c.id.clone() }, topic)
        } else {
            errors.push((
                field("scenario"),
                format!("Day {index}: “{wanted}” is not a scenario you can use; pick one from the list or leave it empty."),
            ));
            (
                ScenarioLink::Generate {
                    brief: theme.clone(),
                },
                category.to_owned(),
            )
        };
        let week = (index - 1) / 7 + 1;
        out.push(Day {
            index,
            week,
            kind: DayKind::of_day(index),
            demand: WeekDemand::of_week(week),
            topic,
            theme,
            difficulty,
            cefr_level: level,
            objectives,
            scenario,
            pinned: false,
        });
    }
    let schedule = Schedule {
        days: out,
        ..settings
    };
    if errors.len() == before {
        if let Err(problems) = planner::validate(&schedule, usable) {
            for p in problems {
                let day = p
                    .strip_prefix("Day ")
                    .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|d| d.parse::<u8>().ok());
                let field = day.map_or_else(|| "days".to_owned(), |d| format!("day-{d}-theme"));
                errors.push((field, p));
            }
        }
    }
    Some(schedule)
}

/// A course as its edit page shows it: the row, its schedule, its invitations (with the
/// tester's assignment once accepted) and, while published, its public address.
pub struct CourseEdit {
    pub path: LearningPath,
    pub languages: Vec<(String, String)>,
    pub schedule: Schedule,
    pub invitations: Vec<(CourseInvitation, Option<LearningPathAssignment>)>,
    pub published_slug: Option<String>,
}

/// What a submitted form came to.
pub enum Saved {
    /// The form again: what was sent, what is wrong, and the languages to choose from.
    Invalid(Box<RawCourse>, FieldErrors, Vec<(String, String)>),
    Saved {
        id: String,
        at: NaiveDateTime,
        /// The day a day button changed, to show it.
        day: Option<u8>,
    },
}

/// `user`'s courses, newest change first.
pub async fn list(ctx: &Ctx, user: User) -> Result<Vec<LearningPath>, CourseError> {
    Ok(ctx
        .db
        .read(move |c| queries::courses::list_by_creator(c, &user.id))
        .await?)
}

/// Creates a draft course from the new-course form; its 28 days come from the planner for
/// the course's language, level and category, ready to be edited day by day.
pub async fn create(ctx: &Ctx, user: User, raw: RawCourse) -> Result<Saved, CourseError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            let languages = languages(c)?;
            let ids: Vec<String> = languages.iter().map(|(id, _)| id.clone()).collect();
            let course = match check(&raw, false, &[], &ids) {
                Ok(course) => course,
                Err(errors) => return Ok(Saved::Invalid(Box::new(raw), errors, languages)),
            };
            let cands = crate::app::paths::candidates_for(c, &course.language)?;
            let mut learner = Learner::new(
                &course.language,
                course.level,
                ChallengePreference::Moderate,
                goal_of(&course.category),
            );
            learner.minutes_per_day = course.minutes;
            let intent = planner::Intent {
                topics: std::iter::once(course.category.clone())
                    .chain(course.tags.iter().cloned())
                    .collect(),
                ..Default::default()
            };
            let schedule = planner::plan(&learner, Some(&intent), &cands);
            let id = insert_draft(c, &user, &course, &schedule, now)?;
            Ok(Saved::Saved {
                id,
                at: now,
                day: None,
            })
        })
        .await
}

/// A draft course from `user`'s path preview `session_id` (a brief refined on the same
/// preview screen learners use): its title, description and 28 days, ready to edit.
pub async fn from_preview(
    ctx: &Ctx,
    user: User,
    session_id: String,
) -> Result<String, CourseError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            let owner = queries::preferences::Owner::User(user.id.clone());
            let (preview, mut schedule) = crate::app::paths::drafted(c, &session_id, &owner, now)?;
            for d in schedule.days.iter_mut() {
                d.pinned = false;
            }
            let level = schedule.day(1).map_or(CefrLevel::A1, |d| d.cefr_level);
            let category = schedule
                .topics
                .iter()
                .map(|t| t.topic.as_str())
                .find(|t| CATEGORIES.contains(t))
                .unwrap_or("culture")
                .to_owned();
            let course = Course {
                title: preview.title.chars().take(120).collect(),
                description: preview.description.clone(),
                language: preview.target_language.clone(),
                level,
                skill: Skill::Speaking,
                minutes: schedule.minutes_per_day,
                category,
                tags: Vec::new(),
                schedule: None,
            };
            let id = insert_draft(c, &user, &course, &schedule, now)?;
            Ok(id)
        })
        .await
}

/// Inserts `course` with `schedule` as a new draft of `user`'s; its id.
fn insert_draft(
    c: &mut DbConn,
    user: &User,
    course: &Course,
    schedule: &Schedule,
    now: NaiveDateTime,
) -> Result<String, CourseError> {
    let id = crate::db::new_id();
    queries::paths::insert_path(
        c,
        &NewLearningPath {
            id: id.clone(),
            user_id: None,
            title: course.title.clone(),
            description: course.description.clone(),
            target_language: course.language.clone(),
            schedule: Json(summary(schedule)),
            is_template: false,
            is_public: false,
            share_slug: None,
            status: PathStatus::Draft,
            created_by_user_id: Some(user.id.clone()),
            metadata: Json(metadata(course, schedule, None)?),
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(id)
}

/// `user`'s course `id` with what its edit page shows.
pub async fn editable(ctx: &Ctx, user: User, id: String) -> Result<CourseEdit, CourseError> {
    ctx.db
        .run(move |c| {
            let path = owned(c, &id, &user)?;
            let schedule = crate::app::paths::schedule_of(&path)?;
            let published_slug = match &path.metadata.0.published_template_id {
                Some(t) => queries::paths::find_path(c, t)?
                    .filter(|t| t.is_public)
                    .and_then(|t| t.share_slug),
                None => None,
            };
            Ok(CourseEdit {
                languages: languages(c)?,
                invitations: queries::courses::list_invitations(c, &path.id)?,
                path,
                schedule,
                published_slug,
            })
        })
        .await
}

/// Saves the whole edit form of `user`'s course `id` (autosave sends the same form).
pub async fn save(
    ctx: &Ctx,
    user: User,
    id: String,
    mut raw: RawCourse,
) -> Result<Saved, CourseError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "course", &id)?;
                let path = owned(c, &id, &user)?;
                let mut day = raw.apply_day_action();
                if let Some(week) = raw.week_to_fill() {
                    fill_week(c, &mut raw, week)?;
                    day = Some((week - 1) * 7 + 1);
                }
                let languages = languages(c)?;
                let ids: Vec<String> = languages.iter().map(|(id, _)| id.clone()).collect();
                let usable = usable(c, &raw, &user, &raw.language)?;
                let course = match check(&raw, true, &usable, &ids) {
                    Ok(course) => course,
                    Err(errors) => return Ok(Saved::Invalid(Box::new(raw), errors, languages)),
                };
                let Some(schedule) = course.schedule.clone() else {
                    return Err(CourseError::Invalid(
                        "The course's days are missing.".into(),
                    ));
                };
                let published = path.metadata.0.published_template_id.clone();
                queries::paths::update_path(
                    c,
                    &path.id,
                    LearningPathChanges {
                        title: Some(course.title.clone()),
                        description: Some(course.description.clone()),
                        target_language: Some(course.language.clone()),
                        schedule: Some(Json(summary(&schedule))),
                        metadata: Some(Json(metadata(&course, &schedule, published)?)),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                Ok(Saved::Saved {
                    id: path.id,
                    at: now,
                    day,
                })
            })
        })
        .await
}

/// Writes week `week` of the form again with the planner's days for the course's language,
/// level and category (the other weeks stay as they are).
fn fill_week(c: &mut DbConn, raw: &mut RawCourse, week: u8) -> Result<(), CourseError> {
    let language = raw.language.trim().to_owned();
    let level = raw.cefr_level.parse().unwrap_or(CefrLevel::A1);
    let category = raw.category.trim().to_owned();
    let cands = crate::app::paths::candidates_for(c, &language)?;
    let mut learner = Learner::new(
        &language,
        level,
        ChallengePreference::Moderate,
        goal_of(&category),
    );
    learner.minutes_per_day = raw
        .minutes
        .trim()
        .parse()
        .unwrap_or(planner::DEFAULT_MINUTES);
    let intent = planner::Intent {
        topics: vec![category],
        ..Default::default()
    };
    let mut planned = planner::plan(&learner, Some(&intent), &cands);
    for d in planned.days.iter_mut() {
        d.cefr_level = level;
    }
    let filled = RawCourse::from_days(&planned);
    let range = usize::from(week - 1) * 7..usize::from(week) * 7;
    for (to, from) in [
        (&mut raw.theme, &filled.theme),
        (&mut raw.difficulty, &filled.difficulty),
        (&mut raw.objectives, &filled.objectives),
        (&mut raw.scenario, &filled.scenario),
    ] {
        if to.len() == from.len() {
            to[range.clone()].clone_from_slice(&from[range.clone()]);
        }
    }
    Ok(())
}

/// Up to 20 scenarios `user` may link whose title or id contains `q` (id, title, level).
pub async fn scenario_choices(
    ctx: &Ctx,
    user: User,
    q: String,
) -> Result<Vec<(String, String, CefrLevel)>, CourseError> {
    let q: String = q
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    Ok(ctx
        .db
        .read(move |c| queries::courses::search_usable(c, &q, &user.id))
        .await?)
}

/// `user`'s course `id`, or `NotFound`.
pub(super) fn owned(c: &mut DbConn, id: &str, user: &User) -> Result<LearningPath, CourseError> {
    queries::courses::find_by_creator(c, id, &user.id)?.ok_or(CourseError::NotFound)
}

/// The scenarios the form names that `user` may link, as planner candidates.
fn usable(
    c: &mut DbConn,
    raw: &RawCourse,
    user: &User,
    language: &str,
) -> Result<Vec<Candidate>, CourseError> {
    let rows = queries::courses::list_usable(c, &raw.scenario_ids(), &user.id)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, title, categories, tags, cefr_level, difficulty)| Candidate {
                id,
                title,
                categories: categories.0,
                tags: tags.0,
                cefr_level,
                difficulty,
                language: language.to_owned(),
            },
        )
        .collect())
}

/// The learning goal a course's category suggests to the planner.
fn goal_of(category: &str) -> LearningGoal {
    match category {
        "work" => LearningGoal::Career,
        "relationships" => LearningGoal::Connection,
        "education" => LearningGoal::Academic,
        "culture" => LearningGoal::Culture,
        "daily_life" | "health" => LearningGoal::Growth,
        _ => LearningGoal::Travel,
    }
}

/// The languages a course can be in (id, name).
fn languages(c: &mut DbConn) -> Result<Vec<(String, String)>, diesel::result::Error> {
    Ok(queries::languages::list_active(c)?
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect())
}

/// The languages the new-course form offers (id, name).
pub async fn form_languages(ctx: &Ctx) -> Result<Vec<(String, String)>, CourseError> {
    Ok(ctx.db.read(languages).await?)
}

pub(super) fn summary(schedule: &Schedule) -> Vec<ScheduleDay> {
    crate::app::paths::summary_days(schedule)
}

fn metadata(
    course: &Course,
    schedule: &Schedule,
    published_template_id: Option<String>,
) -> Result<PathMetadata, CourseError> {
    Ok(PathMetadata {
        cefr_level: Some(course.level.as_str().to_owned()),
        primary_skill: Some(course.skill.as_str().to_owned()),
        estimated_minutes_per_day: Some(i32::from(course.minutes)),
        category: Some(course.category.clone()),
        tags: course.tags.clone(),
        plan: Some(
            crate::db::json::RawJson::of(schedule).map_err(|e| {
                CourseError::Invalid(format!("the schedule could not be stored: {e}"))
            })?,
        ),
        published_template_id,
    })
}

#[cfg(test)]
mod tests {
    use super::RawCourse;

    fn days() -> RawCourse {
        let v = |p: &str| (1..=28).map(|n| format!("{p}{n}")).collect();
        RawCourse {
            theme: v("t"),
            difficulty: v("d"),
            objectives: v("o"),
            scenario: v("s"),
            ..Default::default()
        }
    }

    #[test]
    fn day_buttons_move_and_copy_whole_days_and_ignore_what_they_cannot_do() {
        let mut raw = RawCourse {
            action: "move-up-5".into(),
            ..days()
        };
        assert_eq!(raw.apply_day_action(), Some(4));
        assert_eq!((&raw.theme[3][..], &raw.scenario[3][..]), ("t5", "s5"));
        assert_eq!((&raw.theme[4][..], &raw.objectives[4][..]), ("t4", "o4"));
        raw.action = "copy-28".into();
        assert_eq!(raw.apply_day_action(), None);
        raw.action = "move-up-1".into();
        assert_eq!(raw.apply_day_action(), None);
        raw.action = "copy-1".into();
        assert_eq!(raw.apply_day_action(), Some(2));
        assert_eq!((&raw.theme[1][..], &raw.scenario[1][..]), ("t1", ""));
        raw.action = "copy-7".into();
        raw.apply_day_action();
        assert_eq!(
            raw.scenario[7], "s7",
            "into the next week the scenario comes along"
        );
        raw.action = "fill-week-3".into();
        assert_eq!(
            (raw.apply_day_action(), raw.week_to_fill()),
            (None, Some(3))
        );
        raw.action = "fill-week-9".into();
        assert_eq!(raw.week_to_fill(), None);
    }
}
