//! Creators' courses (`learning_paths` they created, not templates), their invitations
//! (`course_invitations`) and their testers' assignments.

use diesel::prelude::*;

use crate::db::models::{
    CourseInvitation, CourseInvitationChanges, LearningPath, LearningPathAssignment, User,
};
use crate::db::schema::{course_invitations, learning_path_assignments, learning_paths, users};
use crate::db::types::AssignmentRole;
use crate::db::DbConn;

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
