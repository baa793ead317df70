//! Starting a path from a public course: a preview copied from the template's schedule.

use super::{is_published, CourseError};
use crate::app::paths::{self, PathError, Source};
use crate::app::{Ctx, Owner};
use crate::db::queries;

/// Makes `owner` a preview of the course `slug` (the planner's `start_preview` with the
/// template as its source); returns the preview's session id. `NeedsPreferences` without
/// the learner's language and levels; `Unpublished` when the course was taken down.
pub async fn start(ctx: &Ctx, owner: Owner, slug: String) -> Result<String, CourseError> {
    match paths::start_preview(ctx, owner, Source::Template(slug.clone())).await {
        Ok(session_id) => Ok(session_id),
        Err(PathError::NeedsPreferences) => Err(CourseError::NeedsPreferences),
        // why: the planner knows only public templates; a template that is no longer
        // public answers gone, as its page does.
        Err(PathError::NotFound) => {
            let row = ctx
                .db
                .read(move |c| queries::courses::find_course(c, &slug))
                .await?;
            Err(match row {
                Some(row) if !is_published(&row) => CourseError::Unpublished,
                _ => CourseError::NotFound,
            })
        }
        Err(other) => Err(CourseError::Path(other)),
    }
}
