//! Queries on learning paths: previews (by their URL's session id), paths, the learner's
//! assignment to one, and the catalog scenarios a planner may link days to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::conn::on_backend;
use crate::db::models::{
    LearningPath, LearningPathAssignment, LearningPathAssignmentChanges, LearningPathChanges,
    LearningPathPreview, LearningPathPreviewChanges, NewLearningPath, NewLearningPathAssignment,
    NewLearningPathPreview, PathHeading, PreviewHeading,
};
use crate::db::queries::preferences::Owner;
use crate::db::schema::{
    learning_path_assignments, learning_path_previews, learning_paths, scenario_generation_queue,
    scenario_metadata, scenarios,
};
use crate::db::types::{AssignmentStatus, CefrLevel, Difficulty, Json, PathStatus, Visibility};
use crate::db::DbConn;

pub fn insert_preview(conn: &mut DbConn, row: &NewLearningPathPreview) -> QueryResult<()> {
    diesel::insert_into(learning_path_previews::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

/// Previews of `owner`: one SQL text for a learner and a guest (the other column, compared
/// with NULL, matches nothing).
#[diesel::dsl::auto_type(no_type_alias)]
fn owned_by<'a>(owner: &'a Owner) -> _ {
    let (user, guest): (Option<&'a str>, Option<&'a str>) = match owner {
        Owner::User(u) => (Some(u.as_str()), None),
        Owner::Guest(g) => (None, Some(g.as_str())),
    };
    learning_path_previews::user_id
        .eq(user)
        .or(learning_path_previews::guest_id.eq(guest))
}

/// `owner`'s preview behind `session_id`; `None` for anyone else's.
pub fn find_preview(
    conn: &mut DbConn,
    session_id: &str,
    owner: &Owner,
) -> QueryResult<Option<LearningPathPreview>> {
    on_backend!(conn, |c| {
        learning_path_previews::table
            .filter(learning_path_previews::session_id.eq(session_id))
            .filter(owned_by(owner))
            .select(LearningPathPreview::as_select())
            .first(c)
    })
    .optional()
}

/// `owner`'s preview `session_id` as its page reads it: the heading and the metadata as text
/// (the use case reads the state out of it, once); the day-by-day `schedule` stays unread.
pub fn find_preview_page(
    conn: &mut DbConn,
    session_id: &str,
    owner: &Owner,
) -> QueryResult<Option<(PreviewHeading, String)>> {
    on_backend!(conn, |c| {
        learning_path_previews::table
            .filter(learning_path_previews::session_id.eq(session_id))
            .filter(owned_by(owner))
            .select((
                PreviewHeading::as_select(),
                learning_path_previews::metadata,
            ))
            .first(c)
    })
    .optional()
}

/// The preview behind `session_id`, whoever's it is (for jobs, never for a page).
pub fn find_preview_for_job(
    conn: &mut DbConn,
    session_id: &str,
) -> QueryResult<Option<LearningPathPreview>> {
    learning_path_previews::table
        .filter(learning_path_previews::session_id.eq(session_id))
        .select(LearningPathPreview::as_select())
        .first(conn)
        .optional()
}

/// Gives a guest's previews to the user they signed up or in as.
pub fn move_guest_previews(
    conn: &mut DbConn,
    guest_id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        learning_path_previews::table.filter(learning_path_previews::guest_id.eq(guest_id)),
    )
    .set((
        learning_path_previews::user_id.eq(user_id),
        learning_path_previews::guest_id.eq(None::<String>),
        learning_path_previews::updated_at.eq(now),
    ))
    .execute(conn)
}

pub fn update_preview(
    conn: &mut DbConn,
    id: &str,
    changes: LearningPathPreviewChanges,
) -> QueryResult<()> {
    diesel::update(learning_path_previews::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// Deletes previews that expired before `now` or were committed; returns how many.
pub fn delete_finished_previews(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        learning_path_previews::table.filter(
            learning_path_previews::expires_at
                .le(now)
                .or(learning_path_previews::committed_path_id.is_not_null()),
        ),
    )
    .execute(conn)
}

pub fn insert_path(conn: &mut DbConn, row: &NewLearningPath) -> QueryResult<()> {
    diesel::insert_into(learning_paths::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

pub fn find_path(conn: &mut DbConn, id: &str) -> QueryResult<Option<LearningPath>> {
    learning_paths::table
        .find(id)
        .select(LearningPath::as_select())
        .first(conn)
        .optional()
}

/// A public template path (public and active), by id or share slug.
pub fn find_template(conn: &mut DbConn, key: &str) -> QueryResult<Option<LearningPath>> {
    learning_paths::table
        .filter(learning_paths::is_template.eq(true))
        .filter(learning_paths::is_public.eq(true))
        .filter(learning_paths::status.eq(PathStatus::Active))
        .filter(
            learning_paths::id
                .eq(key)
                .or(learning_paths::share_slug.eq(key)),
        )
        .select(LearningPath::as_select())
        .first(conn)
        .optional()
}

pub fn update_path(conn: &mut DbConn, id: &str, changes: LearningPathChanges) -> QueryResult<()> {
    diesel::update(learning_paths::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

pub fn insert_assignment(conn: &mut DbConn, row: &NewLearningPathAssignment) -> QueryResult<()> {
    diesel::insert_into(learning_path_assignments::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

pub fn update_assignment(
    conn: &mut DbConn,
    id: &str,
    changes: LearningPathAssignmentChanges,
) -> QueryResult<()> {
    diesel::update(learning_path_assignments::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// Path `path_id` with `user_id`'s learner assignment to it; `None` when they have none.
pub fn find_assigned(
    conn: &mut DbConn,
    path_id: &str,
    user_id: &str,
) -> QueryResult<Option<(LearningPath, LearningPathAssignment)>> {
    on_backend!(conn, |c| learning_paths::table
        .inner_join(learning_path_assignments::table)
        .filter(learning_paths::id.eq(path_id))
        .filter(learning_path_assignments::user_id.eq(user_id))
        .filter(learning_path_assignments::status.ne(AssignmentStatus::Invited))
        .select((
            LearningPath::as_select(),
            LearningPathAssignment::as_select(),
        ))
        .first(c))
    .optional()
}

/// `user_id`'s path `path_id` as its page reads it: the heading, when the row last changed
/// and the assignment. The metadata (the plan, kilobytes of JSON) is read by
/// [`find_metadata`] only when no parsed copy of this version is kept.
pub fn find_assigned_page(
    conn: &mut DbConn,
    path_id: &str,
    user_id: &str,
) -> QueryResult<Option<(PathHeading, NaiveDateTime, LearningPathAssignment)>> {
    on_backend!(conn, |c| learning_paths::table
        .inner_join(learning_path_assignments::table)
        .filter(learning_paths::id.eq(path_id))
        .filter(learning_path_assignments::user_id.eq(user_id))
        .filter(learning_path_assignments::status.ne(AssignmentStatus::Invited))
        .select((
            PathHeading::as_select(),
            learning_paths::updated_at,
            LearningPathAssignment::as_select(),
        ))
        .first(c))
    .optional()
}

/// The metadata text of path `path_id`.
pub fn find_metadata(conn: &mut DbConn, path_id: &str) -> QueryResult<Option<String>> {
    on_backend!(conn, |c| learning_paths::table
        .find(path_id)
        .select(learning_paths::metadata)
        .first(c))
    .optional()
}

/// `user_id`'s paths as a learner, newest first.
pub fn list_assigned(
    conn: &mut DbConn,
    user_id: &str,
) -> QueryResult<Vec<(LearningPath, LearningPathAssignment)>> {
    learning_paths::table
        .inner_join(learning_path_assignments::table)
        .filter(learning_path_assignments::user_id.eq(user_id))
        .filter(learning_path_assignments::status.ne(AssignmentStatus::Invited))
        .order(learning_path_assignments::created_at.desc())
        .select((
            LearningPath::as_select(),
            LearningPathAssignment::as_select(),
        ))
        .limit(100)
        .load(conn)
}

/// What the planner needs of a catalog scenario.
pub type CandidateRow = (
    String,
    String,
    Json<Vec<String>>,
    Json<Vec<String>>,
    CefrLevel,
    Difficulty,
);

/// How many catalog scenarios a planner weighs: the most saved.
// why: a path needs 28 days; weighing the whole catalog (100,000 rows) would cost a full
// scan per preview for no better schedule.
pub const CANDIDATES: i64 = 2_000;

/// Public, active scenarios a path may link to, the most saved first.
pub fn list_candidates(conn: &mut DbConn) -> QueryResult<Vec<CandidateRow>> {
    scenarios::table
        .inner_join(scenario_metadata::table)
        .filter(scenarios::is_active.eq(true))
        .filter(scenarios::visibility.eq(Visibility::Public))
        // why: the order of `scenario_metadata_saved_idx`, so the first 2,000 are read from
        // the index rather than by sorting the catalog (45 ms at 100,000 on SQLite).
        .order((
            scenario_metadata::amount_saved_count.desc(),
            scenario_metadata::scenario_id.asc(),
        ))
        .limit(CANDIDATES)
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

/// The titles of the scenarios `ids` (the ones that exist).
pub fn list_titles(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(super::ONE_OF_WIDTH) {
        rows.extend(
            scenarios::table
                .into_boxed()
                .filter(super::one_of(scenarios::id, chunk))
                .select((scenarios::id, scenarios::title))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(rows)
}

pub fn insert_generation(
    conn: &mut DbConn,
    row: &crate::db::models::NewScenarioGenerationJob,
) -> QueryResult<()> {
    diesel::insert_into(scenario_generation_queue::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

pub fn find_generation(
    conn: &mut DbConn,
    id: &str,
) -> QueryResult<Option<crate::db::models::ScenarioGenerationJob>> {
    scenario_generation_queue::table
        .find(id)
        .select(crate::db::models::ScenarioGenerationJob::as_select())
        .first(conn)
        .optional()
}

/// The generation rows of path `path_id`, by day.
pub fn list_generations(
    conn: &mut DbConn,
    path_id: &str,
) -> QueryResult<Vec<crate::db::models::ScenarioGenerationJob>> {
    on_backend!(conn, |c| scenario_generation_queue::table
        .filter(scenario_generation_queue::path_id.eq(path_id))
        .order(scenario_generation_queue::day_index.asc())
        .select(crate::db::models::ScenarioGenerationJob::as_select())
        .load(c))
}

pub fn update_generation(
    conn: &mut DbConn,
    id: &str,
    changes: crate::db::models::ScenarioGenerationJobChanges,
) -> QueryResult<()> {
    diesel::update(scenario_generation_queue::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

pub fn delete_assignment(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::delete(learning_path_assignments::table.find(id))
        .execute(conn)
        .map(|_| ())
}
