//! Stripe through async-stripe (API version 2026-09-30): the customer, Checkout and customer
//! portal sessions Kaiwa creates, the subscriptions and invoices it reads back, and the check
//! of a webhook's `Stripe-Signature`. What comes back is flattened into the small structs
//! below, so `app::billing` never sees Stripe's types; nothing here touches the database.

use std::time::Duration;

use ::stripe::{
    Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest,
};
use chrono::{DateTime, NaiveDateTime};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::invoice::ListInvoice;
use stripe_billing::subscription::{ListSubscription, ListSubscriptionStatus};
use stripe_checkout::checkout_session::{CreateCheckoutSession, CreateCheckoutSessionLineItems};
use stripe_core::customer::CreateCustomer;

use crate::config::StripeSettings;

/// How long one call to Stripe may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(20);
/// The most subscriptions and invoices read per customer (one page; Kaiwa keeps one
/// subscription per customer, so this is years of history).
const PAGE: i64 = 100;

/// A failed call to Stripe.
#[derive(Debug, thiserror::Error)]
pub enum StripeFailure {
    /// Stripe answered with an error (the status and its message).
    #[error("Stripe refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    /// Stripe could not be reached, timed out or answered something unreadable.
    #[error("Stripe could not be reached: {0}")]
    Unreachable(String),
    /// A create answered without what Kaiwa needs (a session without its URL).
    #[error("Stripe's answer lacked {0}")]
    Incomplete(&'static str),
}

impl From<StripeError> for StripeFailure {
    fn from(e: StripeError) -> Self {
        match e {
            StripeError::Stripe(errors, status) => Self::Refused {
                status,
                message: errors.message.clone().unwrap_or_default(),
            },
            other => Self::Unreachable(other.to_string()),
        }
    }
}

impl StripeFailure {
    /// Whether another request with the same idempotency key is still running at Stripe
    /// (it answers 409 until the first one finishes).
    fn is_key_in_use(&self) -> bool {
        matches!(self, Self::Refused { status: 409, .. })
    }
}

/// A subscription as Kaiwa keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteSubscription {
    pub id: String,
    pub customer_id: String,
    /// Stripe's status (`active`, `past_due`, …).
    pub status: String,
    /// The price of its first item.
    pub price_id: Option<String>,
    /// The first item's current period: since API 2025-03-31 periods live on the items.
    pub current_period_start: Option<NaiveDateTime>,
    pub current_period_end: Option<NaiveDateTime>,
    pub cancel_at_period_end: bool,
    pub created: NaiveDateTime,
}

/// An invoice as Kaiwa keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteInvoice {
    pub id: String,
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    /// Stripe's status: `draft`, `open`, `paid`, `uncollectible` or `void`.
    pub status: String,
    /// Whether a payment was attempted (and, for an open invoice, failed).
    pub attempted: bool,
    /// When an invoice sent for payment is due.
    pub due: Option<NaiveDateTime>,
    /// What was paid (paid invoices) or is owed (the others), in the currency's minor unit.
    pub amount: i64,
    pub currency: String,
    /// When it was paid, else when it was created.
    pub at: NaiveDateTime,
}

/// The Stripe client with Kaiwa's settings.
pub struct Stripe {
    client: Client,
}

impl Stripe {
    /// A client for `settings` (no request is made).
    pub fn new(settings: &StripeSettings) -> anyhow::Result<Self> {
        let mut builder = ClientBuilder::new(settings.secret_key.expose())
            .timeout(TIMEOUT)
            .app_info("Kaiwa", Some(env!("CARGO_PKG_VERSION").into()), None);
        if let Some(base) = &settings.api_base {
            // why: async-stripe appends `v1/…` to the base, so it must end with a slash.
            let base = format!("{}/", base.trim_end_matches('/'));
            builder = builder.url(base);
        }
        let client = builder
            .build()
            .map_err(|e| anyhow::anyhow!("STRIPE_API_BASE: {e}"))?;
        Ok(Self { client })
    }

    /// Creates the Stripe customer for a Kaiwa account; its id. `idempotency_key` makes a
    /// repeated call (a second click) return the same customer.
    pub async fn create_customer(
        &self,
        user_id: &str,
        email: &str,
        idempotency_key: &str,
    ) -> Result<String, StripeFailure> {
        let metadata =
            std::collections::HashMap::from([("kaiwa_user_id".to_owned(), user_id.to_owned())]);
        let request = CreateCustomer::new().email(email).metadata(metadata);
        let mut attempt = 0;
        loop {
            let sent = request
                .customize()
                .request_strategy(idempotent(idempotency_key)?)
                .send(&self.client)
                .await
                .map_err(StripeFailure::from);
            match sent {
                Ok(customer) => return Ok(customer.id.to_string()),
                // why: a second click sends the same key while the first is still at Stripe,
                // which answers 409 until the first finishes; then it replays the first's answer.
                Err(e) if e.is_key_in_use() && attempt < 5 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Creates a Checkout Session that subscribes `customer_id` to `price_id`; its URL.
    pub async fn create_checkout_session(
        &self,
        checkout: &CheckoutRequest<'_>,
    ) -> Result<String, StripeFailure> {
        let session = CreateCheckoutSession::new()
            .mode(stripe_checkout::CheckoutSessionMode::Subscription)
            .customer(checkout.customer_id)
            .client_reference_id(checkout.user_id)
            .line_items(vec![CreateCheckoutSessionLineItems {
                price: Some(checkout.price_id.to_owned()),
                quantity: Some(1),
                ..CreateCheckoutSessionLineItems::new()
            }])
            .success_url(checkout.success_url)
            .cancel_url(checkout.cancel_url)
            .customize()
            .request_strategy(idempotent(checkout.idempotency_key)?)
            .send(&self.client)
            .await?;
        session.url.ok_or(StripeFailure::Incomplete("a URL"))
    }

    /// Creates a customer portal session for `customer_id` that comes back to `return_url`;
    /// its URL.
    pub async fn create_portal_session(
        &self,
        customer_id: &str,
        return_url: &str,
    ) -> Result<String, StripeFailure> {
        let session = CreateBillingPortalSession::new()
            .customer(customer_id)
            .return_url(return_url)
            .send(&self.client)
            .await?;
        Ok(session.url)
    }

    /// Every subscription of `customer_id`, whatever its status.
    pub async fn list_subscriptions(
        &self,
        customer_id: &str,
    ) -> Result<Vec<RemoteSubscription>, StripeFailure> {
        let list = ListSubscription::new()
            .customer(customer_id)
            .status(ListSubscriptionStatus::All)
            .limit(PAGE)
            .send(&self.client)
            .await?;
        Ok(list.data.iter().map(flatten_subscription).collect())
    }

    /// The newest invoices of `customer_id`.
    pub async fn list_invoices(
        &self,
        customer_id: &str,
    ) -> Result<Vec<RemoteInvoice>, StripeFailure> {
        let list = ListInvoice::new()
            .customer(customer_id)
            .limit(PAGE)
            .send(&self.client)
            .await?;
        Ok(list.data.iter().filter_map(flatten_invoice).collect())
    }
}

/// What a Checkout Session is made of.
pub struct CheckoutRequest<'a> {
    pub customer_id: &'a str,
    pub user_id: &'a str,
    pub price_id: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    pub idempotency_key: &'a str,
}

fn idempotent(key: &str) -> Result<RequestStrategy, StripeFailure> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| StripeFailure::Unreachable(format!("idempotency key: {e}")))
}

fn at(timestamp: i64) -> NaiveDateTime {
    DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .naive_utc()
}

fn flatten_subscription(s: &stripe_billing::Subscription) -> RemoteSubscription {
    let item = s.items.data.first();
    RemoteSubscription {
        id: s.id.to_string(),
        customer_id: s.customer.id().to_string(),
        status: s.status.as_str().to_owned(),
        price_id: item.map(|i| i.price.id.to_string()),
        current_period_start: item.map(|i| at(i.current_period_start)),
        current_period_end: item.map(|i| at(i.current_period_end)),
        cancel_at_period_end: s.cancel_at_period_end,
        created: at(s.created),
    }
}

fn flatten_invoice(i: &stripe_billing::Invoice) -> Option<RemoteInvoice> {
    let id = i.id.as_ref()?.to_string();
    let status = i.status.as_ref()?;
    let paid = matches!(status, stripe_billing::InvoiceStatus::Paid);
    let subscription_id = i
        .parent
        .as_ref()
        .and_then(|p| p.subscription_details.as_ref())
        .map(|d| d.subscription.id().to_string());
    Some(RemoteInvoice {
        id,
        customer_id: i.customer.as_ref().map(|c| c.id().to_string()),
        subscription_id,
        status: status.as_str().to_owned(),
        attempted: i.attempted && i.attempt_count > 0,
        due: i.due_date.map(at),
        amount: if paid { i.amount_paid } else { i.amount_due },
        currency: i.currency.to_string(),
        at: at(i.status_transitions.paid_at.unwrap_or(i.created)),
    })
}

/// A webhook event whose signature checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedEvent {
    pub id: String,
    pub event_type: String,
    pub created: NaiveDateTime,
    /// The customer it is about: `data.object.customer`, or the object itself when it is
    /// a customer.
    pub customer_id: Option<String>,
}

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRejection {
    #[error("no Stripe-Signature header")]
    Unsigned,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the signature's timestamp is more than 300 s from now")]
    Stale,
    #[error("the signed payload is not an event")]
    NotAnEvent,
}

/// How far a signature's timestamp may be from now, either way.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Checks `payload` against its `Stripe-Signature` header with the endpoint's `secret`, at
/// `now` (Unix seconds; a timestamp more than 300 s before or after is refused), and reads
/// the event's id, type, time and customer.
pub fn verify_event(
    payload: &str,
    signature: Option<&str>,
    secret: &str,
    now: i64,
) -> Result<VerifiedEvent, WebhookRejection> {
    use stripe_webhook::{Webhook, WebhookError};
    let signature = signature.ok_or(WebhookRejection::Unsigned)?;
    match Webhook::construct_event_with_timestamp(payload, signature, secret, now) {
        // why: the typed parse runs only after the signature and timestamp passed, and it
        // refuses authentic events whose object async-stripe does not model (or models for
        // another API version): those are still Stripe's, read with serde_json below.
        Ok(_) | Err(WebhookError::BadParse(_)) => {}
        Err(WebhookError::BadTimestamp(_)) => return Err(WebhookRejection::Stale),
        Err(_) => return Err(WebhookRejection::BadSignature),
    }
    read_event(payload).ok_or(WebhookRejection::NotAnEvent)
}

fn read_event(payload: &str) -> Option<VerifiedEvent> {
    let value: serde_json::Value = serde_json::from_str(payload).ok()?;
    let id = value.get("id")?.as_str()?.to_owned();
    let event_type = value.get("type")?.as_str()?.to_owned();
    let created = at(value.get("created")?.as_i64()?);
    let object = value.get("data").and_then(|d| d.get("object"));
    let customer_id = object.and_then(|o| {
        let field = o.get("customer").and_then(|c| match c {
            serde_json::Value::String(id) => Some(id.clone()),
            serde_json::Value::Object(obj) => obj.get("id")?.as_str().map(str::to_owned),
            _ => None,
        });
        let itself = (o.get("object")?.as_str()? == "customer")
            .then(|| o.get("id")?.as_str().map(str::to_owned))
            .flatten();
        field.or(itself)
    });
    (!id.is_empty() && id.len() <= 255).then_some(VerifiedEvent {
        id,
        event_type,
        created,
        customer_id: customer_id.filter(|c| !c.is_empty() && c.len() <= 255),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    const NOW: i64 = 1_800_000_000;

    fn signed(payload: &str, t: i64) -> String {
        stripe_webhook::Webhook::generate_test_header(payload, SECRET, Some(t))
    }

    #[test]
    fn an_authentic_event_is_read_even_when_async_stripe_cannot_type_it() {
        let payload = r#"{"id":"evt_1","object":"event","type":"invoice.paid","created":1800000000,
            "data":{"object":{"object":"invoice","id":"in_1","customer":"cus_9"}}}"#;
        let event = verify_event(payload, Some(&signed(payload, NOW)), SECRET, NOW).unwrap();
        assert_eq!(event.id, "evt_1");
        assert_eq!(event.event_type, "invoice.paid");
        assert_eq!(event.customer_id.as_deref(), Some("cus_9"));
        let customer = r#"{"id":"evt_2","type":"customer.updated","created":1,
            "data":{"object":{"object":"customer","id":"cus_3"}}}"#;
        let event = verify_event(customer, Some(&signed(customer, NOW)), SECRET, NOW).unwrap();
        assert_eq!(event.customer_id.as_deref(), Some("cus_3"));
    }

    #[test]
    fn wrong_signatures_and_timestamps_beyond_300_s_are_refused() {
        let payload = r#"{"id":"evt_1","type":"x","created":1,"data":{"object":{}}}"#;
        let check = |sig: Option<&str>| verify_event(payload, sig, SECRET, NOW);
        assert_eq!(check(None), Err(WebhookRejection::Unsigned));
        assert_eq!(
            check(Some("t=1,v1=00")),
            Err(WebhookRejection::BadSignature)
        );
        assert_eq!(check(Some("garbage")), Err(WebhookRejection::BadSignature));
        let other = stripe_webhook::Webhook::generate_test_header(payload, "whsec_x", Some(NOW));
        assert_eq!(check(Some(&other)), Err(WebhookRejection::BadSignature));
        assert_eq!(
            check(Some(&signed(payload, NOW - 301))),
            Err(WebhookRejection::Stale)
        );
        assert_eq!(
            check(Some(&signed(payload, NOW + 301))),
            Err(WebhookRejection::Stale)
        );
        assert!(check(Some(&signed(payload, NOW - 300))).is_ok());
        assert!(check(Some(&signed(payload, NOW + 300))).is_ok());
    }

    #[test]
    fn a_signed_payload_that_is_not_an_event_is_refused() {
        let payload = r#"{"hello":"world"}"#;
        assert_eq!(
            verify_event(payload, Some(&signed(payload, NOW)), SECRET, NOW),
            Err(WebhookRejection::NotAnEvent)
        );
    }
}
