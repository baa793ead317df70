//! Rows of `speakers`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::speakers;
use crate::db::types::Gender;

/// A row of `speakers`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = speakers)]
pub struct Speaker {
    pub id: String,
    pub language_id: String,
    pub region: String,
    pub dialect_name: String,
    pub bcp47_code: String,
    pub gender: Gender,
    pub voice_name: String,
    pub voice_provider_id: String,
    pub openai_voice_id: Option<String>,
    pub is_default: bool,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `speakers`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = speakers)]
pub struct NewSpeaker {
    pub id: String,
    pub language_id: String,
    pub region: String,
    pub dialect_name: String,
    pub bcp47_code: String,
    pub gender: Gender,
    pub voice_name: String,
    pub voice_provider_id: String,
    pub openai_voice_id: Option<String>,
    pub is_default: bool,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `speakers`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = speakers)]
pub struct SpeakerChanges {
    pub language_id: Option<String>,
    pub region: Option<String>,
    pub dialect_name: Option<String>,
    pub bcp47_code: Option<String>,
    pub gender: Option<Gender>,
    pub voice_name: Option<String>,
    pub voice_provider_id: Option<String>,
    pub openai_voice_id: Option<Option<String>>,
    pub is_default: Option<bool>,
    pub is_active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}
