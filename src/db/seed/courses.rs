//! Seed courses: public learning-path templates written for Kaiwa, read from
//! `courses.json`. Each is authored compactly (four weeks of seven days: topic, theme,
//! objectives, and a catalog scenario or a brief to generate one) and turned here into the
//! planner's whole [`Schedule`], so a template reads back like any committed path
//! (`metadata.plan`) and starts a preview by its share slug.
//!
//! Everything a day's position decides (its week, kind, weekly demand and difficulty) is
//! derived, not written, so a course cannot get it wrong; [`planner::validate`] checks the rest.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use crate::app::paths::planner::{
    self, Day, DayKind, Formality, ScenarioLink, Schedule, TopicWeight, WeekDemand, DAYS, WEEKS,
};
use crate::db::conn::DbConn;
use crate::db::json::{PathMetadata, ScheduleDay};
use crate::db::models::NewLearningPath;
use crate::db::schema::learning_paths;
use crate::db::types::{CefrLevel, Json, LearningGoal, PathStatus, Skill};

pub(super) const COURSES: &str = include_str!("courses.json");

/// Days in each authored week.
const DAYS_PER_WEEK: usize = 7;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SeedCourse {
    /// The share slug, and the row's id.
    pub(super) slug: String,
    title: String,
    description: String,
    /// `languages.id`.
    pub(super) language: String,
    pub(super) goal: LearningGoal,
    primary_skill: Skill,
    minutes_per_day: u16,
    #[serde(default)]
    formality: Option<Formality>,
    #[serde(default)]
    place: Option<String>,
    tags: Vec<String>,
    pub(super) weeks: Vec<SeedWeek>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SeedWeek {
    pub(super) level: CefrLevel,
    days: Vec<SeedDay>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedDay {
    /// A catalog category or tag.
    topic: String,
    theme: String,
    objectives: Vec<String>,
    /// A catalog scenario id; or else `brief`.
    #[serde(default)]
    scenario: Option<String>,
    #[serde(default)]
    brief: Option<String>,
}

impl SeedCourse {
    /// The planner's schedule of this course. Errors name the course and the day.
    pub(super) fn schedule(&self) -> anyhow::Result<Schedule> {
        let slug = &self.slug;
        if self.weeks.len() != usize::from(WEEKS) {
            anyhow::bail!("course {slug} has {} weeks, not 4", self.weeks.len());
        }
        let mut days = Vec::with_capacity(usize::from(DAYS));
        for (w, week) in self.weeks.iter().enumerate() {
            if week.days.len() != DAYS_PER_WEEK {
                anyhow::bail!(
                    "course {slug} week {} has {} days, not 7",
                    w + 1,
                    week.days.len()
                );
            }
            for d in &week.days {
                let index = u8::try_from(days.len() + 1)?;
                let scenario = match (&d.scenario, &d.brief) {
                    (Some(id), None) => ScenarioLink::Catalog { id: id.clone() },
                    (None, Some(brief)) => ScenarioLink::Generate {
                        brief: brief.clone(),
                    },
                    _ => anyhow::bail!(
                        "course {slug} day {index}: give a catalog scenario or a brief (one)"
                    ),
                };
                let week_number = u8::try_from(w + 1)?;
                days.push(Day {
                    index,
                    week: week_number,
                    kind: DayKind::of_day(index),
                    demand: WeekDemand::of_week(week_number),
                    topic: d.topic.clone(),
                    theme: d.theme.clone(),
                    difficulty: planner::difficulty_of(week.level),
                    cefr_level: week.level,
                    objectives: d.objectives.clone(),
                    scenario,
                    pinned: false,
                });
            }
        }
        Ok(Schedule {
            language: self.language.clone(),
            minutes_per_day: self.minutes_per_day,
            formality: self.formality,
            place: self.place.clone(),
            topics: topics(&days),
            excluded: Vec::new(),
            days,
        })
    }

    /// The template row: public, owned by nobody, its id and share slug the course's slug.
    pub(super) fn row(&self, now: NaiveDateTime) -> anyhow::Result<NewLearningPath> {
        let schedule = self.schedule()?;
        Ok(NewLearningPath {
            id: self.slug.clone(),
            user_id: None,
            title: self.title.clone(),
            description: self.description.clone(),
            target_language: self.language.clone(),
            schedule: Json(summary(&schedule)),
            is_template: true,
            is_public: true,
            share_slug: Some(self.slug.clone()),
            status: PathStatus::Active,
            created_by_user_id: None,
            metadata: Json(PathMetadata {
                cefr_level: schedule.day(1).map(|d| d.cefr_level.as_str().to_owned()),
                primary_skill: Some(self.primary_skill.as_str().to_owned()),
                estimated_minutes_per_day: Some(i32::from(self.minutes_per_day)),
                category: Some(category_of(self.goal).to_owned()),
                published_template_id: None,
                tags: self.tags.clone(),
                plan: Some(crate::db::json::RawJson::of(&schedule)?),
            }),
            created_at: now,
            updated_at: now,
        })
    }
}

/// The topics of the practice days in the order they first come, each weighted by how many
/// practice days it has, so that a refinement of a preview made from the course keeps its mix.
fn topics(days: &[Day]) -> Vec<TopicWeight> {
    let mut out: Vec<TopicWeight> = Vec::new();
    for d in days.iter().filter(|d| d.kind == DayKind::Practice) {
        match out.iter_mut().find(|t| t.topic == d.topic) {
            Some(t) => t.weight = t.weight.saturating_add(1),
            None => out.push(TopicWeight {
                topic: d.topic.clone(),
                weight: 1,
            }),
        }
    }
    out
}

/// The day-by-day summary stored in `learning_paths.schedule`, as a committed path's.
fn summary(schedule: &Schedule) -> Vec<ScheduleDay> {
    crate::app::paths::summary_days(schedule)
}

/// The catalog category a course's goal files it under (the category creators choose).
fn category_of(goal: LearningGoal) -> &'static str {
    match goal {
        LearningGoal::Career => "work",
        LearningGoal::Connection => "relationships",
        LearningGoal::Academic => "education",
        LearningGoal::Culture => "culture",
        LearningGoal::Growth => "daily_life",
        LearningGoal::Travel => "travel",
    }
}

/// The rows of every seed course.
pub(super) fn rows(now: NaiveDateTime) -> anyhow::Result<Vec<NewLearningPath>> {
    super::parse::<SeedCourse>("courses.json", COURSES)?
        .iter()
        .map(|c| c.row(now))
        .collect()
}

/// Inserts the courses whose id and share slug are both still free; returns how many.
pub(super) fn insert_missing(
    conn: &mut DbConn,
    rows: &[NewLearningPath],
) -> diesel::QueryResult<usize> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let taken: Vec<(String, Option<String>)> = learning_paths::table
        .filter(
            learning_paths::id
                .eq_any(&ids)
                .or(learning_paths::share_slug.eq_any(&ids)),
        )
        .select((learning_paths::id, learning_paths::share_slug))
        .load(conn)?;
    let is_taken = |key: &str| {
        taken
            .iter()
            .any(|(id, slug)| id == key || slug.as_deref() == Some(key))
    };
    let new: Vec<&NewLearningPath> = rows.iter().filter(|r| !is_taken(&r.id)).collect();
    super::insert_each(conn, &new, |c, row| {
        diesel::insert_into(learning_paths::table)
            .values(*row)
            .execute(c)
    })
}

#[cfg(test)]
mod tests;
