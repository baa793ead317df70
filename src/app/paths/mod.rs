//! Learning paths: 4-week schedules of daily conversations. For now only the pure planner
//! ([`planner`]): building, refining and checking a schedule, with no database or clock.

pub mod planner;
