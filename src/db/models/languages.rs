//! Rows of `languages`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::languages;
use crate::db::types::{Json, WritingSystem};

/// A row of `languages`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = languages)]
pub struct Language {
    pub id: String,
    pub code: String,
    pub name: String,
    pub native_name: String,
    pub writing_system: WritingSystem,
    pub supported_scripts: Json<Vec<String>>,
    pub is_rtl: bool,
    pub flag_emoji: Option<String>,
    pub sort_order: i32,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `languages`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = languages)]
pub struct NewLanguage {
    pub id: String,
    pub code: String,
    pub name: String,
    pub native_name: String,
    pub writing_system: WritingSystem,
    pub supported_scripts: Json<Vec<String>>,
    pub is_rtl: bool,
    pub flag_emoji: Option<String>,
    pub sort_order: i32,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `languages`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = languages)]
pub struct LanguageChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub native_name: Option<String>,
    pub writing_system: Option<WritingSystem>,
    pub supported_scripts: Option<Json<Vec<String>>>,
    pub is_rtl: Option<bool>,
    pub flag_emoji: Option<Option<String>>,
    pub sort_order: Option<i32>,
    pub is_active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}
