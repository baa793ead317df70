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
