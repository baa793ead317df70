//! Kaiwa: practise real conversations in a new language with an AI partner.
//!
//! Layers point one way: `web` → `app` → `db`. `app` and `db` never import actix or askama;
//! nothing imports `web`; `jobs` → `app` → `db`. See `ARCHITECTURE.md`.

pub mod app;
pub mod config;
pub mod db;
pub mod integrations;
pub mod jobs;
pub mod startup;
pub mod telemetry;
pub mod web;
