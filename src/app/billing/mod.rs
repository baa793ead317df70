//! Billing: which plan a learner is on, and (with Stripe configured) how they change it.
//! `plan` is the one place that decides a learner's tier from their subscription; metering
//! (`app::usage`) and every page that shows the plan ask it.

pub mod plan;
