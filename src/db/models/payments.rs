//! Rows of `payments`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::payments;
use crate::db::types::PaymentStatus;

/// A row of `payments`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = payments)]
pub struct Payment {
    pub id: String,
    pub user_id: String,
    pub subscription_id: Option<String>,
    pub stripe_payment_intent_id: Option<String>,
    pub stripe_invoice_id: Option<String>,
    pub amount_cents: i32,
    pub currency: String,
    pub status: PaymentStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `payments`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = payments)]
pub struct NewPayment {
    pub id: String,
    pub user_id: String,
    pub subscription_id: Option<String>,
    pub stripe_payment_intent_id: Option<String>,
    pub stripe_invoice_id: Option<String>,
    pub amount_cents: i32,
    pub currency: String,
    pub status: PaymentStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `payments`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = payments)]
pub struct PaymentChanges {
    pub user_id: Option<String>,
    pub subscription_id: Option<Option<String>>,
    pub stripe_payment_intent_id: Option<Option<String>>,
    pub stripe_invoice_id: Option<Option<String>>,
    pub amount_cents: Option<i32>,
    pub currency: Option<String>,
    pub status: Option<PaymentStatus>,
    pub updated_at: Option<NaiveDateTime>,
}
