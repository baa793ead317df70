//! A new scenario for one day of a course: the scenario form opened from the day (its
//! theme, level, difficulty and objectives filled in), saved as usual, and put into that
//! day of the draft, so the creator lands back on the course with the day linked.
//!
//! The scenario is saved first and linked second (two transactions): a scenario is whole on
//! its own, and when the course changed in between so that the link does not fit, the
//! creator is told and the scenario stays theirs to pick.

use super::authoring::{owned, save, RawCourse, Saved};
use super::CourseError;
use crate::app::catalog::authoring::{self as scenarios, Intent, RawDraft, Submitted};
use crate::app::catalog::CatalogError;
use crate::app::Ctx;
use crate::db::models::User;

/// The day a new scenario is written for.
#[derive(Debug, Clone)]
pub struct DayTarget {
    pub course_id: String,
    pub course_title: String,
    pub day: u8,
    /// The scenario form, filled from the day.
    pub prefill: RawDraft,
}

/// What saving the scenario form for a day came to.
pub enum ForDay {
    /// The scenario form again (errors or a preview), still for the day.
    Form(Box<(Submitted, DayTarget)>),
    /// Saved and linked to the day.
    Linked { course_id: String, day: u8 },
    /// Saved, but the course refused the link (its message); the scenario exists.
    NotLinked {
        course_id: String,
        day: u8,
        message: String,
    },
}

/// Day `day` of `user`'s course `course_id`, with the scenario form filled from it.
pub async fn target(
    ctx: &Ctx,
    user: User,
    course_id: String,
    day: u8,
) -> Result<DayTarget, CourseError> {
    if !(1..=28).contains(&day) {
        return Err(CourseError::NotFound);
    }
    ctx.db
        .run(move |c| {
            let path = owned(c, &course_id, &user)?;
            let schedule = crate::app::paths::schedule_of(&path)?;
            let d = schedule
                .days
                .iter()
                .find(|d| d.index == day)
                .ok_or(CourseError::NotFound)?;
            let m = &path.metadata.0;
            let prefill = RawDraft {
                title: d.theme.clone(),
                difficulty: d.difficulty.as_str().to_owned(),
                cefr_level: d.cefr_level.as_str().to_owned(),
                primary_skill: m.primary_skill.clone().unwrap_or_default(),
                objectives: d.objectives.join("\n"),
                categories: m.category.iter().cloned().collect(),
                visibility: "private".into(),
                estimated_minutes: m
                    .estimated_minutes_per_day
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "10".into()),
                ..Default::default()
            };
            Ok(DayTarget {
                course_id: path.id,
                course_title: path.title,
                day,
                prefill,
            })
        })
        .await
}

/// Saves the scenario form written for day `day` of `user`'s course and links it there.
pub async fn create(
    ctx: &Ctx,
    user: User,
    course_id: String,
    day: u8,
    raw: RawDraft,
    intent: Intent,
) -> Result<ForDay, CourseError> {
    let target = target(ctx, user.clone(), course_id.clone(), day).await?;
    let id = match scenarios::create(ctx, user.clone(), raw, intent)
        .await
        .map_err(from_catalog)?
    {
        Submitted::Saved(id) => id,
        other => return Ok(ForDay::Form(Box::new((other, target)))),
    };
    let edit = super::authoring::editable(ctx, user.clone(), course_id.clone()).await?;
    let mut form = RawCourse::from_course(&edit.path, &edit.schedule);
    if let Some(slot) = form.scenario.get_mut(usize::from(day) - 1) {
        *slot = id;
    }
    Ok(match save(ctx, user, course_id.clone(), form).await? {
        Saved::Saved { .. } => ForDay::Linked { course_id, day },
        Saved::Invalid(_, errors, _) => ForDay::NotLinked {
            course_id,
            day,
            message: errors
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join(" "),
        },
    })
}

fn from_catalog(e: CatalogError) -> CourseError {
    match e {
        CatalogError::NotFound => CourseError::NotFound,
        CatalogError::Invalid(m) => CourseError::Invalid(m),
        CatalogError::Db(d) => CourseError::Db(d),
        CatalogError::Unavailable(d) => CourseError::Unavailable(d),
    }
}
