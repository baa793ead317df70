//! Rows of `course_invitations`: a tester invited to a course by email.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::course_invitations;
use crate::db::types::InvitationStatus;

/// A row of `course_invitations`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = course_invitations)]
pub struct CourseInvitation {
    pub id: String,
    pub path_id: String,
    pub email: String,
    pub token_hash: String,
    pub note: String,
    pub invited_by_user_id: Option<String>,
    pub assignment_id: Option<String>,
    pub status: InvitationStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `course_invitations`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = course_invitations)]
pub struct CourseInvitationChanges {
    pub token_hash: Option<String>,
    pub note: Option<String>,
    pub assignment_id: Option<Option<String>>,
    pub status: Option<InvitationStatus>,
    pub updated_at: Option<NaiveDateTime>,
}
