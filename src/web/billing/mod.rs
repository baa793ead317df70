//! Billing on the web: `/pricing` (`pricing.rs`), buying a plan — the confirm step, Stripe
//! Checkout, the return from it and the customer portal (`checkout.rs`) —, the learner's
//! `/account/billing` (`account.rs`) and Stripe's webhook (`webhook.rs`). How a
//! [`BillingError`] is answered is decided here.

mod account;
mod checkout;
mod pricing;
pub mod views;
mod webhook;

use actix_web::web;

use crate::app::billing::BillingError;
use crate::web::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/pricing", web::get().to(pricing::show))
        .route("/billing/checkout", web::get().to(checkout::confirm))
        .route("/billing/checkout", web::post().to(checkout::start))
        .route("/billing/return", web::get().to(checkout::returned))
        .route("/billing/portal", web::post().to(checkout::portal))
        .route("/account/billing", web::get().to(account::show))
        .route("/webhooks/stripe", web::post().to(webhook::receive));
}

impl From<BillingError> for AppError {
    fn from(e: BillingError) -> Self {
        match e {
            BillingError::NotConfigured | BillingError::PriceMissing(..) => {
                Self::NotConfigured(e.to_string())
            }
            BillingError::UnknownPlan
            | BillingError::BadInterval
            | BillingError::BadReturn
            | BillingError::Rejected(_) => Self::BadRequest(e.to_string()),
            BillingError::AlreadySubscribed(_)
            | BillingError::PaymentOutstanding
            | BillingError::NoCustomer => Self::Unprocessable(e.to_string()),
            BillingError::Stripe(s) => Self::PaymentProvider(s.to_string()),
            BillingError::Db(d) => d.into(),
        }
    }
}
