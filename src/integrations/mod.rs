//! Outside services behind small adapters: Google sign-in, SMTP mail and Stripe billing. Each is optional;
//! with nothing configured the app says so and everything else keeps working.

pub mod ai;
pub mod google;
pub mod mail;
pub mod stripe;
