//! `/account/billing`: the signed-in learner's plan, its status and renewal or end date, the
//! payments history, and "Manage billing" (Stripe's customer portal). Only ever the
//! signed-in learner's own; private like every signed-in page.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;

use super::views::{PaymentRow, PlanView};
use crate::app::billing;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "billing/account.html")]
struct AccountPage {
    layout: Layout,
    plan: PlanView,
    payments: Vec<PaymentRow>,
    can_manage: bool,
    configured: bool,
    usage: crate::web::billing::views::UsageView,
}

pub(super) async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/account/billing")?;
    let account = billing::account(&state.ctx, user).await?;
    let layout = visitor.layout("Billing — Kaiwa", "Your plan and payments.");
    let page = AccountPage {
        layout,
        plan: PlanView::new(&account, state.now()),
        payments: account.payments.iter().map(PaymentRow::from).collect(),
        can_manage: account.can_manage,
        configured: account.configured,
        usage: crate::web::billing::views::UsageView::new(&account.usage),
    };
    crate::web::render(&req, page)
}
