//! Services and domain logic, one module per area. Services take a connection and typed
//! input and return typed results; pure logic takes neither a database nor a clock.

pub mod catalog;
pub mod home;
pub mod pricing;
