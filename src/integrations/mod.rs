//! Outside services behind small adapters: the AI partner, realtime voice calls, Google
//! sign-in, SMTP mail and Stripe billing. Each is optional; with nothing configured the app
//! says so and everything else keeps working.

pub mod ai;
pub mod google;
pub mod mail;
pub mod realtime;
pub mod stripe;
