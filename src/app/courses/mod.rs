//! Courses: a learning path a creator authors (`learning_paths` with `created_by_user_id`,
//! no learner of its own, status draft → active → archived), tried by testers they invite by
//! email, and published as a public template — a scrubbed copy with its own share slug — for
//! visitors who arrive from a search engine.
//!
//! `authoring` reads and checks the course form (pure) and saves it; `testers` invites,
//! accepts, collects feedback and revokes; `publishing` scrubs (pure) and publishes. The public
//! side: a listing by language, level and category ([`browse`]), one course with its syllabus
//! week by week ([`course`]), and starting a preview from it ([`start`], the planner's
//! `paths::start_preview` with the template as its source). Public pages read only a
//! template's own content — title, description, schedule and metadata — never who made it or
//! who follows it. A template unpublished since answers [`CourseError::Unpublished`] (410).
//! Publishing and unpublishing call `ctx.cache.public_changed()` after the transaction.

pub mod authoring;
mod browse;
pub mod day_scenario;
pub mod publishing;
mod show;
mod start;
pub mod testers;

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
    /// Not there, or not this creator's: the same answer, so ids reveal nothing.
    #[error("not found")]
    NotFound,
    /// The template was published once and is not now.
    #[error("This course is no longer published.")]
    Unpublished,
    /// Starting a path needs the learner's language and levels: onboarding first.
    #[error("Tell us your language and level first.")]
    NeedsPreferences,
    /// An invitation meant for another email address than the signed-in account's.
    #[error("{0}")]
    WrongAccount(String),
    #[error("{0}")]
    Invalid(String),
    /// Too many invitation emails in a day.
    #[error("{0}")]
    Throttled(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] DbError),
    #[error(transparent)]
    Path(#[from] PathError),
}

/// Text a person typed: trimmed, within `max` characters, no control characters (line
/// breaks allowed when `lines`).
pub(crate) fn clean(text: &str, max: usize, lines: bool) -> Result<String, String> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(format!("Keep it under {max} characters."));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !(lines && (c == '\n' || c == '\r')))
    {
        return Err("Remove the control characters.".into());
    }
    Ok(text.replace('\r', ""))
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
