//! The one integration-test binary. Every test runs the real app over HTTP against a fresh
//! database: SQLite by default, PostgreSQL when `KAIWA_TEST_POSTGRES_URL` is set.

mod helpers;

mod account;
mod auth;
mod billing;
mod caching;
mod catalog;
mod cli;
mod conversations;
mod courses;
mod creator_courses;
mod data_model;
mod google;
mod hardening;
mod html_validity;
mod jobs;
mod layout;
mod mail;
mod mock_ai;
mod offline_partner;
mod onboarding;
mod path_reminders;
mod paths;
mod query_counts;
mod races;
mod reading_aids_eval;
mod realtime;
mod seed;
mod usage;
mod web_shell;
