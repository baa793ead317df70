//! Queries, one module per area, named by what they return (`find_*`, `get_*`, `list_*`,
//! `count_*`, `insert_*`, `update_*`, `delete_*`).

pub mod billing;
pub mod conversations;
pub mod courses;
pub mod jobs;
pub mod languages;
pub mod mail;
pub mod path_reminders;
pub mod paths;
pub mod preferences;
pub mod progress;
pub mod rate_limits;
pub mod scenarios;
pub mod sessions;
pub mod tiers;
pub mod tokens;
pub mod usage;
pub mod users;

use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::db::conn::MultiBackend;

/// A boxed condition on the rows of `QS`.
pub type Condition<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>>;

/// How many ids [`one_of`] matches in one statement.
pub const ONE_OF_WIDTH: usize = 32;

/// `column` is one of `ids` (at most [`ONE_OF_WIDTH`]), as a statement whose text never
/// changes: exactly [`ONE_OF_WIDTH`] `column = ?` alternatives, the unused ones bound to
/// `""`, which no id is.
// why: diesel writes `eq_any` as `IN (?, …)` with one bind per value, marks it not to be
// cached, and its text varies with the count, so SQLite prepared it again on every call.
// This one is prepared once per connection and kept by the statement cache.
pub fn one_of<QS, C>(column: C, ids: &[String]) -> Condition<QS>
where
    C: Expression<SqlType = Text> + Copy + 'static,
    diesel::dsl::Eq<C, String>: BoxableExpression<QS, MultiBackend, SqlType = Bool> + 'static,
    QS: 'static,
{
    debug_assert!(
        ids.len() <= ONE_OF_WIDTH,
        "one_of takes {ONE_OF_WIDTH} ids at most"
    );
    let id = |i: usize| -> Condition<QS> {
        Box::new(column.eq(ids.get(i).cloned().unwrap_or_default()))
    };
    let mut any = id(0);
    for i in 1..ONE_OF_WIDTH {
        any = Box::new(any.or(id(i)));
    }
    any
}
