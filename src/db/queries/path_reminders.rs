//! Queries for daily path reminders: the assignments that may be due one, and one
//! assignment with its path and learner.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::{LearningPath, LearningPathAssignment, User};
use crate::db::schema::{learning_path_assignments, learning_paths, users};
use crate::db::types::{AssignmentRole, AssignmentStatus};
use crate::db::DbConn;

/// Active learner assignments with reminders on that got none since `sent_before`, each with
/// its learner's time zone; whether the local hour has come is the caller's to decide.
pub fn list_candidates(
    conn: &mut DbConn,
    sent_before: NaiveDateTime,
) -> QueryResult<Vec<(LearningPathAssignment, String)>> {
    learning_path_assignments::table
        .inner_join(users::table)
        .filter(learning_path_assignments::email_reminders_enabled.eq(true))
        .filter(learning_path_assignments::status.eq(AssignmentStatus::Active))
        .filter(learning_path_assignments::role.eq(AssignmentRole::Learner))
        .filter(
            learning_path_assignments::last_email_sent_at
                .is_null()
                .or(learning_path_assignments::last_email_sent_at.le(sent_before)),
        )
        .select((LearningPathAssignment::as_select(), users::time_zone))
        .load(conn)
}

/// Assignment `id` with its path and learner.
pub fn find_with_learner(
    conn: &mut DbConn,
    id: &str,
) -> QueryResult<Option<(LearningPath, LearningPathAssignment, User)>> {
    learning_path_assignments::table
        .inner_join(learning_paths::table)
        .inner_join(users::table)
        .filter(learning_path_assignments::id.eq(id))
        .filter(learning_path_assignments::role.eq(AssignmentRole::Learner))
        .select((
            LearningPath::as_select(),
            LearningPathAssignment::as_select(),
            User::as_select(),
        ))
        .first(conn)
        .optional()
}
