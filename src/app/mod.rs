//! Use cases and domain logic, one module per area. A use case is an async function taking
//! the [`Ctx`] (database, AI partner, clock, job queue, settings) and typed input, returning a
//! typed result or its area's error; it owns its transactions and never holds one across an
//! AI or SMTP call. Older services still take a connection and `now`; they are called from
//! use cases. Pure logic takes neither a database nor a clock.

pub mod accounts;
pub mod admin;
pub mod billing;
pub mod cache;
pub mod catalog;
pub mod clock;
pub mod conversations;
pub mod courses;
pub mod ctx;
pub mod home;
pub mod ids;
pub mod jobs;
pub mod mail;
pub mod onboarding;
pub mod paths;
pub mod pricing;
pub mod system;
pub mod usage;

/// Whose work a request acts on: a signed-in user or a guest (stored as either column).
pub use crate::db::queries::preferences::Owner;
pub use clock::{Clock, SettableClock, SystemClock};
pub use ctx::{Ctx, Db, DbError, JobSignal};
