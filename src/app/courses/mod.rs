//! Public courses: path templates a creator published (`learning_paths` rows with
//! `is_template`, `is_public`, a share slug and status active), for visitors who arrive from a
//! search engine. A listing by language, level and category ([`browse`]), one course with
//! its syllabus week by week ([`course`]), and starting a preview from it ([`start`], the
//! planner's `paths::start_preview` with the template as its source).
//!
//! Only a template's own content is read — title, description, schedule and metadata — never
//! who made it or who follows it. A template unpublished since (no longer public, or no
//! longer active) answers [`CourseError::Unpublished`], which its page shows as gone.
//! Whoever publishes or unpublishes a course must call `ctx.cache.public_changed()` after
//! the transaction, as for scenarios, so kept public pages are retired at once.

mod browse;
mod show;
mod start;

pub use browse::{browse, Filter, Listing};
pub use show::{course, Course, SyllabusDay, Week};
pub use start::start;

use crate::app::paths::PathError;
use crate::app::DbError;

/// How many courses a listing page shows.
pub const PAGE_SIZE: i64 = 24;

/// Why a course use case could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    /// No template has this share slug.
    #[error("not found")]
    NotFound,
    /// The template was published once and is not now.
    #[error("This course is no longer published.")]
    Unpublished,
    /// Starting a path needs the learner's language and levels: onboarding first.
    #[error("Tell us your language and level first.")]
    NeedsPreferences,
    #[error(transparent)]
    Path(PathError),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

/// Characters a share slug keeps in a URL path (the unreserved ones); the rest are escaped.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The path of the course page for share slug `slug`.
pub fn href(slug: &str) -> String {
    format!(
        "/courses/{}",
        percent_encoding::utf8_percent_encode(slug, SEGMENT)
    )
}

/// Whether a template row is a course visitors may see now.
fn is_published(row: &crate::db::models::CourseRow) -> bool {
    row.is_public && row.status == crate::db::types::PathStatus::Active && row.share_slug.is_some()
}
