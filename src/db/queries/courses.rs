//! Queries on courses. Public ones: path templates (`learning_paths` rows with `is_template`
//! and a share slug), listed while they are public and active; listings read the narrow card
//! projection ([`CourseCardRow`]) in one of the `learning_paths_courses_*` indexes' order and
//! stop after a page, and nothing public reads who made a template. Creators' ones: the
//! courses they created (not templates), their invitations (`course_invitations`) and their
//! testers' assignments.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::conn::MultiBackend;
use crate::db::models::{CourseCardRow, CourseRow};
use crate::db::models::{
    CourseInvitation, CourseInvitationChanges, LearningPath, LearningPathAssignment, User,
};
use crate::db::schema::{course_invitations, learning_path_assignments, learning_paths, users};
use crate::db::types::{AssignmentRole, CefrLevel, PathStatus};
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

/// `creator`'s courses (never the templates published from them), newest change first.
pub fn list_by_creator(conn: &mut DbConn, creator: &str) -> QueryResult<Vec<LearningPath>> {
    learning_paths::table
        .filter(learning_paths::created_by_user_id.eq(creator))
        .filter(learning_paths::user_id.is_null())
        .filter(learning_paths::is_template.eq(false))
        .order(learning_paths::updated_at.desc())
        .select(LearningPath::as_select())
        .limit(200)
        .load(conn)
}

/// `creator`'s course `id`; `None` for anyone else's (and for learners' own paths).
pub fn find_by_creator(
    conn: &mut DbConn,
    id: &str,
    creator: &str,
) -> QueryResult<Option<LearningPath>> {
    learning_paths::table
        .filter(learning_paths::id.eq(id))
        .filter(learning_paths::created_by_user_id.eq(creator))
        .filter(learning_paths::user_id.is_null())
        .filter(learning_paths::is_template.eq(false))
        .select(LearningPath::as_select())
        .first(conn)
        .optional()
}

/// Whether some path already has `slug` as its share slug.
pub fn slug_taken(conn: &mut DbConn, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        learning_paths::table.filter(learning_paths::share_slug.eq(slug)),
    ))
    .get_result(conn)
}

pub fn insert_invitation(conn: &mut DbConn, row: &CourseInvitation) -> QueryResult<()> {
    diesel::insert_into(course_invitations::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

pub fn update_invitation(
    conn: &mut DbConn,
    id: &str,
    changes: CourseInvitationChanges,
) -> QueryResult<()> {
    diesel::update(course_invitations::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// The invitation to `path_id` for `email` (lower-cased), if any.
pub fn find_invitation_for(
    conn: &mut DbConn,
    path_id: &str,
    email: &str,
) -> QueryResult<Option<CourseInvitation>> {
    course_invitations::table
        .filter(course_invitations::path_id.eq(path_id))
        .filter(course_invitations::email.eq(email))
        .select(CourseInvitation::as_select())
        .first(conn)
        .optional()
}

/// The invitation whose emailed token has `token_hash`, with its course.
pub fn find_invitation_by_token(
    conn: &mut DbConn,
    token_hash: &str,
) -> QueryResult<Option<(CourseInvitation, LearningPath)>> {
    course_invitations::table
        .inner_join(learning_paths::table)
        .filter(course_invitations::token_hash.eq(token_hash))
        .select((CourseInvitation::as_select(), LearningPath::as_select()))
        .first(conn)
        .optional()
}

/// Invitation `id` to course `path_id`.
pub fn find_invitation(
    conn: &mut DbConn,
    path_id: &str,
    id: &str,
) -> QueryResult<Option<CourseInvitation>> {
    course_invitations::table
        .filter(course_invitations::path_id.eq(path_id))
        .filter(course_invitations::id.eq(id))
        .select(CourseInvitation::as_select())
        .first(conn)
        .optional()
}

/// Every invitation to `path_id`, oldest first, with the tester's assignment once accepted.
pub fn list_invitations(
    conn: &mut DbConn,
    path_id: &str,
) -> QueryResult<Vec<(CourseInvitation, Option<LearningPathAssignment>)>> {
    course_invitations::table
        .left_join(learning_path_assignments::table)
        .filter(course_invitations::path_id.eq(path_id))
        .order((
            course_invitations::created_at.asc(),
            course_invitations::id.asc(),
        ))
        .select((
            CourseInvitation::as_select(),
            Option::<LearningPathAssignment>::as_select(),
        ))
        .limit(500)
        .load(conn)
}

/// The testers of `path_id` (accounts with a tester assignment): their users.
pub fn list_testers(conn: &mut DbConn, path_id: &str) -> QueryResult<Vec<User>> {
    users::table
        .inner_join(learning_path_assignments::table)
        .filter(learning_path_assignments::path_id.eq(path_id))
        .filter(learning_path_assignments::role.eq(AssignmentRole::Tester))
        .select(User::as_select())
        .load(conn)
}

/// `user_id`'s assignment to `path_id`, whatever its role.
pub fn find_assignment(
    conn: &mut DbConn,
    path_id: &str,
    user_id: &str,
) -> QueryResult<Option<LearningPathAssignment>> {
    learning_path_assignments::table
        .filter(learning_path_assignments::path_id.eq(path_id))
        .filter(learning_path_assignments::user_id.eq(user_id))
        .select(LearningPathAssignment::as_select())
        .first(conn)
        .optional()
}

/// The scenarios among `ids` a course by `creator` may link: public and active, or the
/// creator's own. Planner candidate rows (id, title, categories, tags, level, difficulty).
pub fn list_usable(
    conn: &mut DbConn,
    ids: &[String],
    creator: &str,
) -> QueryResult<Vec<super::paths::CandidateRow>> {
    use crate::db::schema::scenarios;
    use crate::db::types::Visibility;
    scenarios::table
        .filter(scenarios::id.eq_any(ids))
        .filter(
            scenarios::is_active
                .eq(true)
                .and(scenarios::visibility.eq(Visibility::Public))
                .or(scenarios::created_by_user_id.eq(creator)),
        )
        .select((
            scenarios::id,
            scenarios::title,
            scenarios::categories,
            scenarios::tags,
            scenarios::cefr_level,
            scenarios::difficulty,
        ))
        .load(conn)
}

/// Up to 20 scenarios whose title or id contains `q` that `creator` may link (id, title,
/// level), theirs first. A scan of titles: creators' tooling, not a public page.
pub fn search_usable(
    conn: &mut DbConn,
    q: &str,
    creator: &str,
) -> QueryResult<Vec<(String, String, crate::db::types::CefrLevel)>> {
    use crate::db::schema::scenarios;
    use crate::db::types::Visibility;
    let pattern = format!(
        "%{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    scenarios::table
        .filter(
            scenarios::title
                .like(pattern.clone())
                .escape('\\')
                .or(scenarios::id.like(pattern).escape('\\')),
        )
        .filter(
            scenarios::is_active
                .eq(true)
                .and(scenarios::visibility.eq(Visibility::Public))
                .or(scenarios::created_by_user_id.eq(creator)),
        )
        .order((scenarios::title.asc(), scenarios::id.asc()))
        .limit(20)
        .select((scenarios::id, scenarios::title, scenarios::cefr_level))
        .load(conn)
}
