//! One public course as its page shows it: who it suits and its syllabus week by week.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{is_published, CourseError};
use crate::app::paths::planner::{self, DayKind, WeekDemand};
use crate::app::Ctx;
use crate::db::models::CourseRow;
use crate::db::queries;
use crate::db::types::CefrLevel;

/// A course's content: nothing about its creator, testers or learners.
pub struct Course {
    pub slug: String,
    pub title: String,
    pub description: String,
    /// `languages.id` of the language practised.
    pub language_id: String,
    /// Its name ("Japanese"), or the id when the language is unknown.
    pub language: String,
    /// The level it is for (`metadata.cefrLevel`, else day 1's).
    pub level: Option<CefrLevel>,
    /// The level of its last week, when it differs from `level`.
    pub level_at_end: Option<CefrLevel>,
    pub category: Option<String>,
    pub primary_skill: Option<String>,
    pub minutes_per_day: u16,
    pub tags: Vec<String>,
    pub weeks: Vec<Week>,
    pub updated_at: NaiveDateTime,
}

impl Course {
    /// Days in the syllabus.
    pub fn days(&self) -> usize {
        self.weeks.iter().map(|w| w.days.len()).sum()
    }

    /// Minutes of practice over the whole course.
    pub fn total_minutes(&self) -> u32 {
        u32::from(self.minutes_per_day) * self.days() as u32
    }
}

/// One week of the syllabus.
pub struct Week {
    pub number: u8,
    pub demand: WeekDemand,
    pub days: Vec<SyllabusDay>,
}

/// One day of the syllabus.
pub struct SyllabusDay {
    pub index: u8,
    pub kind: DayKind,
    pub theme: String,
    pub level: Option<CefrLevel>,
    pub objectives: Vec<String>,
}

/// The published course whose share slug is `slug`: `NotFound` when no template has it,
/// `Unpublished` when its creator took it down. A published one is kept a minute (until
/// public pages change), so its page costs no query for anyone after the first.
pub async fn course(ctx: &Ctx, slug: String) -> Result<Arc<Course>, CourseError> {
    let (now, version) = (ctx.clock.naive(), ctx.cache.public_version());
    if let Some(kept) = ctx.cache.course.get(&slug, now, version) {
        return Ok(kept);
    }
    let key = slug.clone();
    let course = ctx
        .db
        .run(move |c| {
            let row = queries::courses::find_course(c, &slug)?.ok_or(CourseError::NotFound)?;
            if !is_published(&row) {
                return Err(CourseError::Unpublished);
            }
            let language = queries::languages::find(c, &row.target_language)?
                .map_or_else(|| row.target_language.clone(), |l| l.name);
            Ok(read(row, language))
        })
        .await?;
    Ok(ctx.cache.course.put(key, now, version, course))
}

/// The course a template row describes; the syllabus from its planner schedule
/// (`metadata.plan`), else from the day-by-day summary (`schedule`).
fn read(row: CourseRow, language: String) -> Course {
    let meta = row.metadata.0;
    let plan = crate::app::paths::plan_of(&meta);
    let days: Vec<(u8, SyllabusDay)> = match &plan {
        Some(schedule) => schedule
            .days
            .iter()
            .map(|d| {
                let day = SyllabusDay {
                    index: d.index,
                    kind: d.kind,
                    theme: d.theme.clone(),
                    level: Some(d.cefr_level),
                    objectives: d.objectives.clone(),
                };
                (d.week, day)
            })
            .collect(),
        None => row
            .schedule
            .0
            .iter()
            .map(|d| {
                let index = u8::try_from(d.day_index).unwrap_or(0);
                let day = SyllabusDay {
                    index,
                    kind: DayKind::of_day(index),
                    theme: d.theme.clone(),
                    level: None,
                    objectives: Some(d.description.clone())
                        .filter(|s| !s.is_empty())
                        .into_iter()
                        .collect(),
                };
                ((index.max(1) - 1) / 7 + 1, day)
            })
            .collect(),
    };
    let mut weeks: Vec<Week> = (1..=planner::WEEKS)
        .map(|number| Week {
            number,
            demand: WeekDemand::of_week(number),
            days: Vec::new(),
        })
        .collect();
    for (week, day) in days {
        let w = usize::from(week.clamp(1, planner::WEEKS)) - 1;
        weeks[w].days.push(day);
    }
    weeks.retain(|w| !w.days.is_empty());
    let first = weeks
        .first()
        .and_then(|w| w.days.first())
        .and_then(|d| d.level);
    let last = weeks
        .last()
        .and_then(|w| w.days.last())
        .and_then(|d| d.level);
    let level = meta
        .cefr_level
        .as_deref()
        .and_then(|l| l.parse::<CefrLevel>().ok())
        .or(first);
    let minutes = meta
        .estimated_minutes_per_day
        .and_then(|m| u16::try_from(m).ok())
        .or(plan.as_ref().map(|p| p.minutes_per_day))
        .unwrap_or(planner::DEFAULT_MINUTES);
    Course {
        slug: row.share_slug.unwrap_or_default(),
        title: row.title,
        description: row.description,
        language_id: row.target_language,
        language,
        level,
        level_at_end: last.filter(|l| Some(*l) != level),
        category: meta.category.filter(|c| !c.is_empty()),
        primary_skill: meta.primary_skill.filter(|s| !s.is_empty()),
        minutes_per_day: minutes,
        tags: meta.tags,
        weeks,
        updated_at: row.updated_at,
    }
}
