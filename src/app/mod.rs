//! Services and domain logic, one module per area. Services take a connection and typed
//! input and return typed results; pure logic takes neither a database nor a clock.

pub mod accounts;
pub mod catalog;
pub mod conversations;
pub mod home;
pub mod mail;
pub mod onboarding;
pub mod pricing;
