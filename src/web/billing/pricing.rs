//! `/pricing`: the tiers with their prices (monthly or annual, `?interval=`), limits in plain
//! words, and a button per tier.
//!
//! A visitor who is not signed in gets the public page (no cookie, cached like the catalog),
//! which can carry no CSRF token: its buttons are links to the confirm step
//! (`/billing/checkout?tier=…`, which asks them to sign in first and then shows the POST
//! form). A signed-in learner's page marks their plan and has the POST forms with their
//! token; it is `private, no-store` like every signed-in page.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::views::TierCard;
use crate::app::billing::{self, Interval};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

#[derive(Deserialize)]
pub(super) struct PricingQuery {
    #[serde(default)]
    interval: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "billing/pricing.html")]
struct PricingPage {
    layout: Layout,
    annual: bool,
    configured: bool,
    tiers: Vec<TierCard>,
}

pub(super) async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<PricingQuery>,
) -> Result<HttpResponse, AppError> {
    let interval: Interval = query.interval.as_deref().unwrap_or("monthly").parse()?;
    let viewer = visitor.user.as_ref().map(|u| u.id.clone());
    let pricing = billing::pricing(&state.ctx, viewer).await?;
    let signed_in = visitor.user.is_some();
    let tiers = pricing
        .tiers
        .iter()
        .map(|t| TierCard::new(t, &pricing, interval, signed_in));
    let layout = visitor.public_layout(
        "Plans and pricing — Kaiwa",
        "Kaiwa's plans: Free, Plus and Premium, monthly or yearly, and what each includes.",
    );
    let page = PricingPage {
        layout: layout.canonical(state.url("/pricing")),
        annual: interval == Interval::Annual,
        configured: pricing.configured,
        tiers: tiers.collect(),
    };
    crate::web::render(&req, page)
}
