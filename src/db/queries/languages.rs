//! Queries on `languages` and `speakers`.

use diesel::prelude::*;

use crate::db::conn::on_backend;
use crate::db::models::{Language, Speaker};
use crate::db::schema::{languages, speakers};
use crate::db::DbConn;

/// Active languages in display order.
pub fn list_active(conn: &mut DbConn) -> QueryResult<Vec<Language>> {
    on_backend!(conn, |c| languages::table
        .filter(languages::is_active.eq(true))
        .order((languages::sort_order.asc(), languages::name.asc()))
        .select(Language::as_select())
        .load(c))
}

/// One language by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Language>> {
    languages::table
        .find(id)
        .select(Language::as_select())
        .first(conn)
        .optional()
}

/// The active voices of a language, the default first.
pub fn list_speakers(conn: &mut DbConn, language_id: &str) -> QueryResult<Vec<Speaker>> {
    speakers::table
        .filter(
            speakers::language_id
                .eq(language_id)
                .and(speakers::is_active.eq(true)),
        )
        .order((speakers::is_default.desc(), speakers::id.asc()))
        .select(Speaker::as_select())
        .load(conn)
}
