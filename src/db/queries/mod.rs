//! Queries, one module per area, named by what they return (`find_*`, `get_*`, `list_*`,
//! `count_*`, `insert_*`, `update_*`, `delete_*`).

pub mod languages;
pub mod scenarios;
pub mod tiers;
