//! Outside services behind small adapters: Google sign-in and SMTP mail. Each is optional;
//! with nothing configured the app says so and everything else keeps working.

pub mod ai;
pub mod google;
pub mod mail;
