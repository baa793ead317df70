//! `/admin/…`: operator pages. Only users with `is_admin` see them; everyone else gets the
//! 404 page (the area does not reveal itself), and their forms (a learner's plan set by
//! hand, `/admin/billing`) answer 403. How an [`AdminError`] is answered is here.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::app::admin::{self, AdminError, Outbox};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};
use crate::web::{see_other, AppState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/outbox", web::get().to(outbox))
        .route("/admin/billing", web::get().to(billing))
        .route("/admin/billing/plan", web::post().to(set_plan))
        .route("/admin/billing/clear", web::post().to(clear_plan));
}

impl From<AdminError> for AppError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotAdmin => Self::NotFound,
            AdminError::Forbidden => Self::Forbidden(e.to_string()),
            AdminError::Invalid(m) => Self::Unprocessable(m),
            AdminError::Db(d) => d.into(),
        }
    }
}

struct EmailRow {
    to: String,
    subject: String,
    body: String,
    status: &'static str,
    created: String,
    error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    layout: Layout,
    smtp_configured: bool,
    emails: Vec<EmailRow>,
}

impl OutboxPage {
    fn new(layout: Layout, outbox: Outbox) -> Self {
        Self {
            layout,
            smtp_configured: outbox.smtp_configured,
            emails: outbox
                .emails
                .into_iter()
                .map(|e| EmailRow {
                    to: e.to_address,
                    subject: e.subject,
                    body: e.body_text,
                    status: e.status.as_str(),
                    created: e.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    error: e.last_error.unwrap_or_default(),
                })
                .collect(),
        }
    }
}

async fn outbox(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let outbox = admin::outbox(&state.ctx, visitor.user.as_ref()).await?;
    let layout = visitor.layout("Outbox — Kaiwa admin", "Emails the app sent or kept.");
    crate::web::render(&req, OutboxPage::new(layout, outbox))
}

struct TierOption {
    id: String,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/billing.html")]
struct BillingPage {
    layout: Layout,
    tiers: Vec<TierOption>,
}

async fn billing(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let tiers = admin::billing(&state.ctx, visitor.user.as_ref()).await?;
    let tiers = tiers
        .into_iter()
        .map(|t| TierOption {
            id: t.id,
            name: t.name,
        })
        .collect();
    let layout = visitor.layout("Plans — Kaiwa admin", "Give a learner a plan by hand.");
    crate::web::render(&req, BillingPage { layout, tiers })
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    tier: String,
}

async fn set_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<PlanForm>,
) -> Result<HttpResponse, AppError> {
    let tier = Some(form.tier.clone());
    admin::set_plan(&state.ctx, visitor.user.as_ref(), &form.email, tier).await?;
    flash(
        &req,
        "info",
        format!("{} now has that plan.", form.email.trim()),
    );
    Ok(see_other("/admin/billing"))
}

async fn clear_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<PlanForm>,
) -> Result<HttpResponse, AppError> {
    admin::set_plan(&state.ctx, visitor.user.as_ref(), &form.email, None).await?;
    flash(
        &req,
        "info",
        format!("{}'s hand-set plan is removed.", form.email.trim()),
    );
    Ok(see_other("/admin/billing"))
}
