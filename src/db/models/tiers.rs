//! Rows of `tiers`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::tiers;

/// A row of `tiers`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = tiers)]
pub struct Tier {
    pub id: String,
    pub name: String,
    pub description: String,
    pub monthly_conversations: Option<i32>,
    pub monthly_seconds: i32,
    pub monthly_realtime_sessions: Option<i32>,
    pub max_session_length_seconds: i32,
    pub session_banking_enabled: bool,
    pub max_banked_seconds: i32,
    pub max_extensions: i32,
    pub extension_seconds: i32,
    pub has_realtime_access: bool,
    pub has_advanced_voices: bool,
    pub has_analytics: bool,
    pub monthly_price_usd_cents: i32,
    pub annual_price_usd_cents: i32,
    pub stripe_product_id: Option<String>,
    pub stripe_price_id_monthly: Option<String>,
    pub stripe_price_id_annual: Option<String>,
    pub sort_order: i32,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `tiers`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = tiers)]
pub struct NewTier {
    pub id: String,
    pub name: String,
    pub description: String,
    pub monthly_conversations: Option<i32>,
    pub monthly_seconds: i32,
    pub monthly_realtime_sessions: Option<i32>,
    pub max_session_length_seconds: i32,
    pub session_banking_enabled: bool,
    pub max_banked_seconds: i32,
    pub max_extensions: i32,
    pub extension_seconds: i32,
    pub has_realtime_access: bool,
    pub has_advanced_voices: bool,
    pub has_analytics: bool,
    pub monthly_price_usd_cents: i32,
    pub annual_price_usd_cents: i32,
    pub stripe_product_id: Option<String>,
    pub stripe_price_id_monthly: Option<String>,
    pub stripe_price_id_annual: Option<String>,
    pub sort_order: i32,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `tiers`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = tiers)]
pub struct TierChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub monthly_conversations: Option<Option<i32>>,
    pub monthly_seconds: Option<i32>,
    pub monthly_realtime_sessions: Option<Option<i32>>,
    pub max_session_length_seconds: Option<i32>,
    pub session_banking_enabled: Option<bool>,
    pub max_banked_seconds: Option<i32>,
    pub max_extensions: Option<i32>,
    pub extension_seconds: Option<i32>,
    pub has_realtime_access: Option<bool>,
    pub has_advanced_voices: Option<bool>,
    pub has_analytics: Option<bool>,
    pub monthly_price_usd_cents: Option<i32>,
    pub annual_price_usd_cents: Option<i32>,
    pub stripe_product_id: Option<Option<String>>,
    pub stripe_price_id_monthly: Option<Option<String>>,
    pub stripe_price_id_annual: Option<Option<String>>,
    pub sort_order: Option<i32>,
    pub is_active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}
