//! Creators' courses: a learning path a creator authors (`learning_paths` with
//! `created_by_user_id`, no learner of its own, status draft → active → archived), tried by
//! testers they invite by email, and published as a public template — a scrubbed copy with
//! its own share slug — that visitors start as a preview.
//!
//! `authoring` reads and checks the course form (pure) and saves it; `testers` invites,
//! accepts, collects feedback and revokes; `publishing` scrubs (pure) and publishes.

pub mod authoring;
pub mod publishing;
pub mod testers;

use crate::app::paths::PathError;
use crate::app::DbError;

/// Why a course use case could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    /// Not there, or not this creator's: the same answer, so ids reveal nothing.
    #[error("not found")]
    NotFound,
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
