//! Rows of `stripe_events`: a Stripe webhook event, stored once by its id.
//! Queries on this table live in `db::queries::billing`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::stripe_events;

/// A row of `stripe_events`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = stripe_events)]
pub struct StripeEvent {
    /// Stripe's event id (`evt_…`).
    pub id: String,
    /// The event's type, e.g. `customer.subscription.updated`.
    pub event_type: String,
    /// When Stripe created the event.
    pub created: NaiveDateTime,
    /// The customer the event is about, when it names one.
    pub customer_id: Option<String>,
    /// The payload as received (signed by Stripe).
    pub payload: String,
    pub received_at: NaiveDateTime,
}

/// The insert form for `stripe_events`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = stripe_events)]
pub struct NewStripeEvent {
    pub id: String,
    pub event_type: String,
    pub created: NaiveDateTime,
    pub customer_id: Option<String>,
    pub payload: String,
    pub received_at: NaiveDateTime,
}
