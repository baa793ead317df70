//! Queries on public courses: path templates (`learning_paths` rows with `is_template` and a
//! share slug), listed while they are public and active. Listings read the narrow card
//! projection ([`CourseCardRow`]) in one of the `learning_paths_courses_*` indexes' order and
//! stop after a page; nothing here reads who made a template.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::conn::MultiBackend;
use crate::db::models::{CourseCardRow, CourseRow};
use crate::db::schema::learning_paths;
use crate::db::types::{CefrLevel, PathStatus};
use crate::db::DbConn;

/// A listing counts at most this many courses (the page then says "1000+").
pub const COUNT_LIMIT: i64 = 1000;

/// Which public courses a listing shows; `None` is any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CourseFilter {
    /// The language practised (`languages.id`).
    pub language: Option<String>,
    pub level: Option<CefrLevel>,
    /// A category slug (`metadata.category`).
    pub category: Option<String>,
}

/// One page of public courses and how many match in all.
pub struct CourseListing {
    pub rows: Vec<CourseCardRow>,
    /// At most [`COUNT_LIMIT`].
    pub total: i64,
    /// More than [`COUNT_LIMIT`] match.
    pub capped: bool,
}

type Published = diesel::dsl::IntoBoxed<'static, learning_paths::table, MultiBackend>;

/// Public, active templates with a share slug that match `filter`.
fn published(filter: &CourseFilter) -> Published {
    let mut q = learning_paths::table
        .into_boxed()
        .filter(learning_paths::is_public.eq(true))
        .filter(learning_paths::is_template.eq(true))
        .filter(learning_paths::status.eq(PathStatus::Active))
        // why: the courses' indexes are partial on this (learners' own paths have no slug).
        .filter(learning_paths::share_slug.is_not_null());
    if let Some(language) = &filter.language {
        q = q.filter(learning_paths::target_language.eq(language.clone()));
    }
    if let Some(level) = filter.level {
        q = q.filter(learning_paths::cefr_level.eq(level.as_str()));
    }
    if let Some(category) = &filter.category {
        q = q.filter(learning_paths::category.eq(category.clone()));
    }
    q
}

/// One page of the public courses matching `filter`, by title, and how many match in all
/// (counted up to [`COUNT_LIMIT`]).
pub fn list_courses(
    conn: &mut DbConn,
    filter: &CourseFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<CourseListing> {
    // why: counting every match takes time in proportion to the listing; past the limit the
    // page says "1000+", as the catalog does.
    let counted = published(filter)
        .select(learning_paths::id)
        .limit(COUNT_LIMIT + 1)
        .load::<String>(conn)?
        .len() as i64;
    let rows = published(filter)
        .order((learning_paths::title.asc(), learning_paths::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(CourseCardRow::as_select())
        .load(conn)?;
    Ok(CourseListing {
        rows,
        total: counted.min(COUNT_LIMIT),
        capped: counted > COUNT_LIMIT,
    })
}

/// The template whose share slug is `slug`, published or not (its page says which).
pub fn find_course(conn: &mut DbConn, slug: &str) -> QueryResult<Option<CourseRow>> {
    learning_paths::table
        .filter(learning_paths::is_template.eq(true))
        .filter(learning_paths::share_slug.eq(slug))
        .select(CourseRow::as_select())
        .first(conn)
        .optional()
}

/// Share slugs and update times of public courses in creation order, one page of them (for
/// the sitemaps; the order is `learning_paths_courses_sitemap_idx`'s).
pub fn list_course_slugs(
    conn: &mut DbConn,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    published(&CourseFilter::default())
        .select((
            learning_paths::share_slug.assume_not_null(),
            learning_paths::updated_at,
        ))
        .order((learning_paths::created_at.asc(), learning_paths::id.asc()))
        .limit(limit)
        .offset(offset)
        .load(conn)
}

/// The update times of every public course, in [`list_course_slugs`]'s order (one read for
/// the whole sitemap index).
pub fn list_course_update_times(conn: &mut DbConn) -> QueryResult<Vec<NaiveDateTime>> {
    published(&CourseFilter::default())
        .select(learning_paths::updated_at)
        .order((learning_paths::created_at.asc(), learning_paths::id.asc()))
        .load(conn)
}
