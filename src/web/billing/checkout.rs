//! Buying a plan. `GET /billing/checkout?tier=…&interval=…` is the confirm step a link from
//! the public pricing page leads to (signed-out visitors sign in first and come back);
//! `POST /billing/checkout` sends the browser to Stripe Checkout; Checkout comes back to
//! `GET /billing/return`, which syncs the plan at once; `POST /billing/portal` opens
//! Stripe's customer portal.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::views::TierCard;
use crate::app::billing::{self, Interval, Returned};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};
use crate::web::{see_other, AppState};

/// The tier and interval, as the pricing page's forms and links send them.
#[derive(Deserialize)]
pub(super) struct PlanChoice {
    #[serde(default)]
    tier: String,
    #[serde(default)]
    interval: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "billing/confirm.html")]
struct ConfirmPage {
    layout: Layout,
    tier: TierCard,
    interval: &'static str,
}

pub(super) async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    choice: web::Query<PlanChoice>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(&format!("/billing/checkout?{}", req.query_string()))?;
    let interval: Interval = choice.interval.parse()?;
    let pricing = billing::pricing(&state.ctx, Some(user.id.clone())).await?;
    let tier = pricing
        .tiers
        .iter()
        .find(|t| t.id == choice.tier && t.id != billing::plan::FREE_TIER);
    let tier = TierCard::new(
        tier.ok_or(billing::BillingError::UnknownPlan)?,
        &pricing,
        interval,
        true,
    );
    let layout = visitor.layout(
        format!("Choose {} — Kaiwa", tier.name),
        "Confirm your plan.",
    );
    let interval = interval.as_str();
    crate::web::render(
        &req,
        ConfirmPage {
            layout,
            tier,
            interval,
        },
    )
}

pub(super) async fn start(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<PlanChoice>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/pricing")?;
    let interval: Interval = form.interval.parse()?;
    let url = billing::checkout(&state.ctx, user, form.tier.clone(), interval).await?;
    Ok(see_other(&url))
}

#[derive(Deserialize)]
pub(super) struct ReturnQuery {
    #[serde(default)]
    session_id: String,
}

pub(super) async fn returned(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<ReturnQuery>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account/billing")?;
    let message = match billing::return_from_checkout(
        &state.ctx,
        user.id.clone(),
        &query.session_id,
    )
    .await?
    {
        Returned::Synced => "Thank you! Your plan is updated.",
        Returned::Queued => {
            "Thank you! Stripe is confirming your payment; your plan shows here in a minute."
        }
    };
    flash(&req, "info", message);
    Ok(see_other("/account/billing"))
}

pub(super) async fn portal(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account/billing")?;
    let url = billing::portal(&state.ctx, user.id.clone()).await?;
    Ok(see_other(&url))
}
