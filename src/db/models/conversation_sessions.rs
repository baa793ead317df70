//! Rows of `conversation_sessions`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::conversation_sessions;
use crate::db::types::SessionState;

/// A row of `conversation_sessions`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = conversation_sessions)]
pub struct ConversationSession {
    pub id: String,
    pub conversation_id: Option<String>,
    pub user_id: Option<String>,
    pub language: String,
    pub start_time: NaiveDateTime,
    pub end_time: Option<NaiveDateTime>,
    pub duration_seconds: i32,
    pub seconds_consumed: i32,
    pub input_tokens: i32,
    pub was_extended: bool,
    pub extensions_used: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The usage month (`YYYY-MM`) the session's time is held in and settled to.
    pub period: Option<String>,
    /// The guest's id for a guest's session (guests have no usage row).
    pub guest_id: Option<String>,
    /// Seconds held: the allowed length plus each extension.
    pub hold_seconds: i32,
    /// When the session's time is up (start + hold).
    pub deadline_at: Option<NaiveDateTime>,
    /// The last moment the learner was active (start, then each message).
    pub last_activity_at: Option<NaiveDateTime>,
    /// The extensions the tier allowed when the session started, and each one's seconds.
    pub max_extensions: i32,
    pub extension_seconds: i32,
    pub state: SessionState,
    /// The provider's id of the realtime voice call, once one was opened.
    pub realtime_call_id: Option<String>,
    /// When the first realtime call started and the last one ended (server time).
    pub call_started_at: Option<NaiveDateTime>,
    pub call_ended_at: Option<NaiveDateTime>,
    /// Whether the server held a sideband to the call when it started (then the server
    /// sends the wrap-up; otherwise the browser does).
    pub call_sideband: bool,
}

/// The insert form for `conversation_sessions`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = conversation_sessions)]
pub struct NewConversationSession {
    pub id: String,
    pub conversation_id: Option<String>,
    pub user_id: Option<String>,
    pub language: String,
    pub start_time: NaiveDateTime,
    pub end_time: Option<NaiveDateTime>,
    pub duration_seconds: i32,
    pub seconds_consumed: i32,
    pub input_tokens: i32,
    pub was_extended: bool,
    pub extensions_used: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The usage month (`YYYY-MM`) the session's time is held in and settled to.
    pub period: Option<String>,
    /// The guest's id for a guest's session (guests have no usage row).
    pub guest_id: Option<String>,
    /// Seconds held: the allowed length plus each extension.
    pub hold_seconds: i32,
    /// When the session's time is up (start + hold).
    pub deadline_at: Option<NaiveDateTime>,
    /// The last moment the learner was active (start, then each message).
    pub last_activity_at: Option<NaiveDateTime>,
    /// The extensions the tier allowed when the session started, and each one's seconds.
    pub max_extensions: i32,
    pub extension_seconds: i32,
    pub state: SessionState,
    /// The provider's id of the realtime voice call, once one was opened.
    pub realtime_call_id: Option<String>,
    /// When the first realtime call started and the last one ended (server time).
    pub call_started_at: Option<NaiveDateTime>,
    pub call_ended_at: Option<NaiveDateTime>,
    /// Whether the server held a sideband to the call when it started (then the server
    /// sends the wrap-up; otherwise the browser does).
    pub call_sideband: bool,
}

/// The change form for `conversation_sessions`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = conversation_sessions)]
pub struct ConversationSessionChanges {
    pub conversation_id: Option<Option<String>>,
    pub user_id: Option<Option<String>>,
    pub language: Option<String>,
    pub start_time: Option<NaiveDateTime>,
    pub end_time: Option<Option<NaiveDateTime>>,
    pub duration_seconds: Option<i32>,
    pub seconds_consumed: Option<i32>,
    pub input_tokens: Option<i32>,
    pub was_extended: Option<bool>,
    pub extensions_used: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
    pub hold_seconds: Option<i32>,
    pub deadline_at: Option<Option<NaiveDateTime>>,
    pub last_activity_at: Option<Option<NaiveDateTime>>,
    pub state: Option<SessionState>,
}

/// What a session's clock needs of its row: the deadline, the state and the extensions.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = conversation_sessions)]
pub struct SessionTimes {
    pub deadline_at: Option<NaiveDateTime>,
    pub end_time: Option<NaiveDateTime>,
    pub state: SessionState,
    pub max_extensions: i32,
    pub extensions_used: i32,
    pub extension_seconds: i32,
}

impl From<&ConversationSession> for SessionTimes {
    fn from(s: &ConversationSession) -> Self {
        Self {
            deadline_at: s.deadline_at,
            end_time: s.end_time,
            state: s.state,
            max_extensions: s.max_extensions,
            extensions_used: s.extensions_used,
            extension_seconds: s.extension_seconds,
        }
    }
}
