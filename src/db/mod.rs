//! The data layer: connections to SQLite or PostgreSQL, the portable schema, the typed
//! models, the queries (one module per area) and the seed content. Query functions return
//! `QueryResult`; nothing here knows about HTTP or templates.

pub mod conn;
pub mod json;
pub mod lock;
pub mod models;
pub mod queries;
#[rustfmt::skip]
pub mod schema;
pub mod search;
pub mod seed;
pub mod types;

pub use conn::{DbConn, DbPool};

/// A new primary key: a UUIDv7 (time-ordered) as text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
