//! Rows of `analytics_events`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::json::EventProperties;
use crate::db::schema::analytics_events;
use crate::db::types::Json;

/// A row of `analytics_events`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = analytics_events)]
pub struct AnalyticsEvent {
    pub id: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub event_name: String,
    pub properties: Json<EventProperties>,
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
    pub referrer: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The insert form for `analytics_events`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = analytics_events)]
pub struct NewAnalyticsEvent {
    pub id: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub event_name: String,
    pub properties: Json<EventProperties>,
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
    pub referrer: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The change form for `analytics_events`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = analytics_events)]
pub struct AnalyticsEventChanges {
    pub user_id: Option<Option<String>>,
    pub session_id: Option<Option<String>>,
    pub event_name: Option<String>,
    pub properties: Option<Json<EventProperties>>,
    pub user_agent: Option<Option<String>>,
    pub ip_address: Option<Option<String>>,
    pub referrer: Option<Option<String>>,
}
