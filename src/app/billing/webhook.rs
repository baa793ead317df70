//! A Stripe webhook delivery: its `Stripe-Signature` is checked with the endpoint secret
//! (300 s either way, by the app's clock), then, in one write transaction, the event is
//! stored by its id (a delivery seen before changes nothing) and, only when new and about a
//! customer, one deduplicated `stripe_sync` job for that customer is queued.

use super::{BillingError, SyncCustomer};
use crate::app::Ctx;
use crate::db::models::NewStripeEvent;
use crate::db::queries;
use crate::integrations::stripe::{verify_event, WebhookRejection};

/// Receives one delivery; whether the event was new. Errors: `Rejected` when the signature
/// does not verify, is too old or too new, or no webhook secret is configured.
pub async fn receive(
    ctx: &Ctx,
    payload: Vec<u8>,
    signature: Option<String>,
) -> Result<bool, BillingError> {
    let secret = ctx
        .settings
        .stripe
        .as_ref()
        .and_then(|s| s.webhook_secret.clone())
        .ok_or(WebhookRejection::BadSignature)?;
    let payload = String::from_utf8(payload).map_err(|_| WebhookRejection::NotAnEvent)?;
    let now = ctx.clock.now();
    let event = verify_event(
        &payload,
        signature.as_deref(),
        secret.expose(),
        now.timestamp(),
    )?;
    let row = NewStripeEvent {
        id: event.id,
        event_type: event.event_type,
        created: event.created,
        customer_id: event.customer_id,
        payload,
        received_at: now.naive_utc(),
    };
    let new = ctx
        .db
        .write(move |c| -> Result<bool, BillingError> {
            let new = queries::billing::insert_event(c, &row)?;
            if let (true, Some(customer_id)) = (new, row.customer_id.clone()) {
                crate::app::jobs::enqueue(c, &SyncCustomer { customer_id }, row.received_at)?;
            }
            Ok(new)
        })
        .await?;
    if new {
        ctx.jobs.notify();
    }
    Ok(new)
}
