//! `/admin/…`: operator pages. Only users with `is_admin` see them; everyone else gets the
//! 404 page (the area does not reveal itself). How an [`AdminError`] is answered is here.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;

use crate::app::admin::{self, AdminError, Outbox};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/outbox", web::get().to(outbox));
}

impl From<AdminError> for AppError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotAdmin => Self::NotFound,
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
